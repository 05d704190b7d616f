//! BN254 bucket additions eight at a time with AVX-512 IFMA (`vpmadd52luq`/`vpmadd52huq`).
//!
//! A BN254 Fq element is held as five 52-bit limbs in Montgomery form with `R' = 2^260`: the
//! limbs of `x·2^260 mod p`. Eight elements sit in five 512-bit registers, limb `j` of lanes
//! `0..8` in register `j`, so one IFMA instruction advances eight independent products.
//! Because `p < 2^254`, a Montgomery product of operands below `8p` is below `2p` with no final
//! subtraction ([`mul1`]); values are made canonical (`< p`) only where they are stored. G2's
//! Fq2 = Fq[u]/(u² + 1) is a pair of such elements, multiplied by Karatsuba (three products).
//!
//! Points ([`LaneCurve::Point`]) are `x` then `y`, canonical; the identity is all zeros, which
//! no curve point matches (`(0, 0)` is not on `y² = x³ + b`, `b ≠ 0`). A batch classifies its
//! additions in scalar code: the rare ones with an identity operand or equal `x` (a doubling, or
//! `P + (−P)`) are done there, and the chords go through the lanes, Montgomery's trick running
//! as independent product chains per lane with one field inversion for the batch.

use std::arch::x86_64::{
    __m512i, _mm512_add_epi64, _mm512_and_si512, _mm512_cmplt_epi64_mask, _mm512_loadu_si512,
    _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_mask_blend_epi64, _mm512_set1_epi64,
    _mm512_setzero_si512, _mm512_srai_epi64, _mm512_srli_epi64, _mm512_storeu_si512,
    _mm512_sub_epi64,
};
use std::borrow::Cow;

use ark_bn254::{Fq, Fq2, FqConfig, g1, g2};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInt, BigInteger, Field, MontConfig};
use rayon::prelude::*;

use super::batch_affine::BucketOps;

/// Lanes per vector.
const LANES: usize = 8;
/// Limbs per Fq element.
const LIMBS: usize = 5;
const MASK52: u64 = (1 << 52) - 1;

/// Eight Fq elements, one per lane (structure of arrays: register `j` holds limb `j`).
type Fe = [__m512i; LIMBS];

/// `v < 2^256` as five 52-bit limbs (the top one holds bits 208..256).
const fn to_limbs52(v: [u64; 4]) -> [u64; LIMBS] {
    [
        v[0] & MASK52,
        ((v[0] >> 52) | (v[1] << 12)) & MASK52,
        ((v[1] >> 40) | (v[2] << 24)) & MASK52,
        ((v[2] >> 28) | (v[3] << 36)) & MASK52,
        v[3] >> 16,
    ]
}

/// Inverse of [`to_limbs52`] for normalised limbs of a value below `2^256`.
const fn from_limbs52(l: &[u64]) -> [u64; 4] {
    [
        l[0] | (l[1] << 52),
        (l[1] >> 12) | (l[2] << 40),
        (l[2] >> 24) | (l[3] << 28),
        (l[3] >> 36) | (l[4] << 16),
    ]
}

/// `k·v` for `k·v < 2^256`.
const fn times(v: [u64; 4], k: u64) -> [u64; 4] {
    let mut out = [0; 4];
    let mut carry = 0u128;
    let mut i = 0;
    while i < 4 {
        let t = v[i] as u128 * k as u128 + carry;
        out[i] = t as u64;
        carry = t >> 64;
        i += 1;
    }
    out
}

const MODULUS: [u64; 4] = <FqConfig as MontConfig<4>>::MODULUS.0;
/// `p` in 52-bit limbs.
const P: [u64; LIMBS] = to_limbs52(MODULUS);
/// `2p` in 52-bit limbs (`2p < 2^255`).
const P2: [u64; LIMBS] = to_limbs52(times(MODULUS, 2));
/// `4p` in 52-bit limbs (`4p < 2^256`).
const P4: [u64; LIMBS] = to_limbs52(times(MODULUS, 4));
/// `−p⁻¹ mod 2^52` (arkworks' `−p⁻¹ mod 2^64`, truncated).
const P_INV: u64 = <FqConfig as MontConfig<4>>::INV & MASK52;

/// `x` in the lane representation: arkworks holds `x·2^256 mod p`, so ours, `x·2^260 mod p`, is
/// arkworks' representation of `16x`.
fn fq_to_limbs(x: &Fq) -> [u64; LIMBS] {
    let x16 = x.double().double().double().double();
    to_limbs52(x16.0.0)
}

/// The element whose lane representation is `l` (canonical limbs): arkworks' representation is
/// `l / 16 mod p`, four halvings modulo `p`.
fn fq_from_limbs(l: &[u64]) -> Fq {
    let mut v = BigInt(from_limbs52(l));
    for _ in 0..4 {
        if v.is_odd() {
            // v < p < 2^254, so v + p does not carry out of 256 bits.
            v.add_with_carry(&BigInt(MODULUS));
        }
        v.div2();
    }
    Fq::new_unchecked(v)
}

/// A base field whose elements the lanes hold: Fq (five limbs) or Fq2 (ten, `c0` then `c1`).
pub(crate) trait LaneField: Field {
    /// Writes the canonical lane limbs of `self` to `out`.
    fn write_limbs(&self, out: &mut [u64]);
    /// The element with canonical lane limbs `l`.
    fn from_limbs(l: &[u64]) -> Self;
}

impl LaneField for Fq {
    fn write_limbs(&self, out: &mut [u64]) {
        out[..LIMBS].copy_from_slice(&fq_to_limbs(self));
    }

    fn from_limbs(l: &[u64]) -> Self {
        fq_from_limbs(l)
    }
}

impl LaneField for Fq2 {
    fn write_limbs(&self, out: &mut [u64]) {
        self.c0.write_limbs(&mut out[..LIMBS]);
        self.c1.write_limbs(&mut out[LIMBS..]);
    }

    fn from_limbs(l: &[u64]) -> Self {
        Fq2::new(fq_from_limbs(&l[..LIMBS]), fq_from_limbs(&l[LIMBS..]))
    }
}

/// `−v` for canonical limbs, one Fq element after another: `p − v`, or 0 for 0.
fn neg_limbs(v: &mut [u64]) {
    for e in v.chunks_mut(LIMBS) {
        if e.iter().all(|&l| l == 0) {
            continue;
        }
        let mut borrow = 0i64;
        for (l, pj) in e.iter_mut().zip(P) {
            let d = pj as i64 - *l as i64 + borrow;
            *l = (d as u64) & MASK52;
            borrow = d >> 52;
        }
    }
}

/// Proof that this CPU has AVX-512F and AVX-512 IFMA; only [`Ifma::detect`] makes one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ifma(());

impl Ifma {
    /// `Some` if this CPU executes AVX-512F and AVX-512 IFMA instructions.
    pub(crate) fn detect() -> Option<Self> {
        (std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512ifma"))
        .then_some(Ifma(()))
    }
}

/// A curve whose bucket additions run in IFMA lanes.
pub(crate) trait LaneCurve: SWCurveConfig<BaseField: LaneField> {
    /// `x` then `y` as canonical lane limbs; all zeros is the identity.
    type Point: Copy + Send + Sync + Default + AsRef<[u64]> + AsMut<[u64]>;
    /// Reusable storage for [`LaneCurve::chord_batch`].
    type Scratch: Default + ChordList;

    /// The chord additions `chords` (indices into `additions`) of a batch: distinct targets,
    /// distinct `x`, no identity.
    fn chord_batch(
        ifma: Ifma,
        targets: &mut [Self::Point],
        additions: &[(u32, Self::Point)],
        chords: &[u32],
        scratch: &mut Self::Scratch,
    );
}

/// Implements [`LaneCurve`] for a curve whose coordinates are `$k` lane elements of `$field`.
macro_rules! lane_curve {
    ($curve:ty, $k:literal, $field:ty) => {
        impl LaneCurve for $curve {
            type Point = [u64; 2 * $k * LIMBS];
            type Scratch = LaneScratch<$k>;

            fn chord_batch(
                _: Ifma,
                targets: &mut [Self::Point],
                additions: &[(u32, Self::Point)],
                chords: &[u32],
                scratch: &mut Self::Scratch,
            ) {
                // SAFETY: an `Ifma` exists only if `detect` saw AVX-512F and AVX-512 IFMA on
                // this CPU.
                #[allow(
                    unsafe_code,
                    reason = "calls the IFMA kernel; `Ifma` proves the CPU has it"
                )]
                unsafe {
                    chord_batch::<$k, _, $field>(targets, additions, chords, scratch);
                }
            }
        }
    };
}

lane_curve!(g1::Config, 1, Fq);
lane_curve!(g2::Config, 2, Fq2);

fn point_from_affine<C: LaneCurve>(p: &Affine<C>) -> C::Point {
    let mut out = C::Point::default();
    if let Some((x, y)) = p.xy() {
        let words = out.as_mut();
        let (xw, yw) = words.split_at_mut(words.len() / 2);
        x.write_limbs(xw);
        y.write_limbs(yw);
    }
    out
}

/// Reusable storage for [`Ifma`]'s batches on a field of `K` Fq components.
pub(crate) struct LaneScratch<const K: usize> {
    /// Indices into the batch of its chord additions.
    chords: Vec<u32>,
    /// Per group of eight chords: the denominators `x₂ − x₁`.
    den: Vec<[Fe; K]>,
    /// Per group: its chain's product before it.
    prefix: Vec<[Fe; K]>,
}

impl<const K: usize> Default for LaneScratch<K> {
    fn default() -> Self {
        Self {
            chords: Vec::new(),
            den: Vec::new(),
            prefix: Vec::new(),
        }
    }
}

/// Access to the chord list of a curve's scratch, whatever its field.
pub(crate) trait ChordList {
    /// The chord indices of the current batch.
    fn chords(&mut self) -> &mut Vec<u32>;
}

impl<const K: usize> ChordList for LaneScratch<K> {
    fn chords(&mut self) -> &mut Vec<u32> {
        &mut self.chords
    }
}

impl<C: LaneCurve> BucketOps<C> for Ifma {
    type Point = C::Point;
    type Scratch = C::Scratch;

    fn identity(self) -> C::Point {
        C::Point::default()
    }

    #[inline(always)]
    fn is_zero(self, p: &C::Point) -> bool {
        p.as_ref().iter().all(|&l| l == 0)
    }

    #[inline(always)]
    fn neg(self, p: &C::Point) -> C::Point {
        let mut out = *p;
        let words = out.as_mut();
        let half = words.len() / 2;
        neg_limbs(&mut words[half..]);
        out
    }

    fn convert(self, points: &[Affine<C>]) -> Cow<'_, [C::Point]> {
        Cow::Owned(points.par_iter().map(point_from_affine).collect())
    }

    fn to_affine(self, p: &C::Point) -> Affine<C> {
        if BucketOps::<C>::is_zero(self, p) {
            Affine::identity()
        } else {
            let words = p.as_ref();
            let (x, y) = words.split_at(words.len() / 2);
            Affine::new_unchecked(C::BaseField::from_limbs(x), C::BaseField::from_limbs(y))
        }
    }

    fn batch_add_assign(
        self,
        targets: &mut [C::Point],
        additions: &[(u32, C::Point)],
        scratch: &mut C::Scratch,
    ) {
        let mut chords = std::mem::take(scratch.chords());
        chords.clear();
        for (k, (i, p)) in additions.iter().enumerate() {
            let t = &mut targets[*i as usize];
            let (tw, pw) = (t.as_ref(), p.as_ref());
            let half = tw.len() / 2;
            if BucketOps::<C>::is_zero(self, t) {
                *t = *p;
            } else if BucketOps::<C>::is_zero(self, p) {
            } else if tw[..half] != pw[..half] {
                chords.push(k as u32);
            } else if tw[half..] == pw[half..] {
                // A doubling: rare enough for arkworks' projective formula and one inversion.
                let a = BucketOps::<C>::to_affine(self, t);
                *t = point_from_affine(&(a + a).into_affine());
            } else {
                // P + (−P).
                *t = C::Point::default();
            }
        }
        if !chords.is_empty() {
            C::chord_batch(self, targets, additions, &chords, scratch);
        }
        *scratch.chords() = chords;
    }
}

/// Broadcasts limbs to all lanes.
#[inline]
#[target_feature(enable = "avx512f")]
fn splat(l: &[u64; LIMBS]) -> Fe {
    l.map(|v| _mm512_set1_epi64(v as i64))
}

/// Carries every limb's excess (signed) into the next one, leaving limbs `0..4` in
/// `[0, 2^52)`; the top limb keeps the sign of the value.
#[inline]
#[target_feature(enable = "avx512f")]
fn normalise(mut a: Fe) -> Fe {
    let mask = _mm512_set1_epi64(MASK52 as i64);
    for j in 0..LIMBS - 1 {
        let carry = _mm512_srai_epi64::<52>(a[j]);
        a[j] = _mm512_and_si512(a[j], mask);
        a[j + 1] = _mm512_add_epi64(a[j + 1], carry);
    }
    a
}

/// `a + b`, normalised.
#[inline]
#[target_feature(enable = "avx512f")]
fn add1(a: &Fe, b: &Fe) -> Fe {
    normalise(std::array::from_fn(|j| _mm512_add_epi64(a[j], b[j])))
}

/// `a + q − b` for `b ≤ q`, normalised (`q` a multiple of `p`, so the value is unchanged mod p).
#[inline]
#[target_feature(enable = "avx512f")]
fn sub1(a: &Fe, b: &Fe, q: &Fe) -> Fe {
    normalise(std::array::from_fn(|j| {
        _mm512_sub_epi64(_mm512_add_epi64(a[j], q[j]), b[j])
    }))
}

/// `a − q` in the lanes where that is not negative, `a` elsewhere.
#[inline]
#[target_feature(enable = "avx512f")]
fn sub_if_not_below(a: &Fe, q: &Fe) -> Fe {
    let d = normalise(std::array::from_fn(|j| _mm512_sub_epi64(a[j], q[j])));
    let negative = _mm512_cmplt_epi64_mask(d[LIMBS - 1], _mm512_setzero_si512());
    std::array::from_fn(|j| _mm512_mask_blend_epi64(negative, d[j], a[j]))
}

/// Montgomery product `a·b·2^−260 mod p`, below `2p`, for normalised `a, b < 8p`.
///
/// Operand scanning: round `i` adds `aᵢ·b` (low and high 52-bit halves of each 104-bit
/// product into neighbouring limbs), then `m·p` with `m = t₀·(−p⁻¹) mod 2^52`, which clears the
/// low 52 bits of `t₀`; `t₀`'s carry moves up and the limbs shift down. Limbs are 64-bit
/// accumulators: each round adds at most `4·2^52` to a limb, so five rounds stay below `2^57`.
/// The result `(ab + mp)/2^260 < (64p² + 2^260·p)/2^260 < 2p` because `64p < 2^260`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul1(a: &Fe, b: &Fe) -> Fe {
    let p = splat(&P);
    let p_inv = _mm512_set1_epi64(P_INV as i64);
    let zero = _mm512_setzero_si512();
    let mut t = [zero; LIMBS + 1];
    for ai in a {
        for j in 0..LIMBS {
            t[j] = _mm512_madd52lo_epu64(t[j], *ai, b[j]);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], *ai, b[j]);
        }
        let m = _mm512_madd52lo_epu64(zero, t[0], p_inv);
        for j in 0..LIMBS {
            t[j] = _mm512_madd52lo_epu64(t[j], m, p[j]);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], m, p[j]);
        }
        let carry = _mm512_srli_epi64::<52>(t[0]);
        t = [_mm512_add_epi64(t[1], carry), t[2], t[3], t[4], t[5], zero];
    }
    normalise([t[0], t[1], t[2], t[3], t[4]])
}

/// `a + b` in a field of `K` Fq components.
#[inline]
#[target_feature(enable = "avx512f")]
fn add<const K: usize>(a: &[Fe; K], b: &[Fe; K]) -> [Fe; K] {
    std::array::from_fn(|i| add1(&a[i], &b[i]))
}

/// `a + q − b` componentwise, for `b ≤ q` (a multiple of `p`).
#[inline]
#[target_feature(enable = "avx512f")]
fn sub<const K: usize>(a: &[Fe; K], b: &[Fe; K], q: &Fe) -> [Fe; K] {
    std::array::from_fn(|i| sub1(&a[i], &b[i], q))
}

/// The canonical (`< p`) form of every component `< 4p`.
#[inline]
#[target_feature(enable = "avx512f")]
fn canonical<const K: usize>(a: &[Fe; K]) -> [Fe; K] {
    let p2 = splat(&P2);
    let p = splat(&P);
    std::array::from_fn(|i| sub_if_not_below(&sub_if_not_below(&a[i], &p2), &p))
}

/// `a·b` below `2p` per component, for components below `2p`: an Fq product (`K = 1`), or in
/// Fq[u]/(u² + 1) (`K = 2`) by Karatsuba, `(v₀ − v₁) + ((a₀+a₁)(b₀+b₁) − v₀ − v₁)·u`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul<const K: usize>(a: &[Fe; K], b: &[Fe; K]) -> [Fe; K] {
    if K == 1 {
        return [mul1(&a[0], &b[0]); K];
    }
    let v0 = mul1(&a[0], &b[0]);
    let v1 = mul1(&a[1], &b[1]);
    let cross = mul1(&add1(&a[0], &a[1]), &add1(&b[0], &b[1]));
    let (p2, p4) = (splat(&P2), splat(&P4));
    // v₀ + 2p − v₁ < 4p; cross + 4p − (v₀ + v₁) < 6p.
    let c0 = sub_if_not_below(&sub1(&v0, &v1, &p2), &p2);
    let c1 = sub1(&cross, &add1(&v0, &v1), &p4);
    let c1 = sub_if_not_below(&sub_if_not_below(&c1, &p4), &p2);
    std::array::from_fn(|i| if i == 0 { c0 } else { c1 })
}

/// Transposes `K` Fq components of eight lanes' limbs (each slice starts at the element) into
/// lanes.
#[inline]
#[target_feature(enable = "avx512f")]
#[allow(unsafe_code, reason = "unaligned vector loads from a local array")]
fn load<const K: usize>(elements: [&[u64]; LANES]) -> [Fe; K] {
    std::array::from_fn(|i| {
        let mut rows = [[0u64; LANES]; LIMBS];
        for (lane, e) in elements.iter().enumerate() {
            for (j, row) in rows.iter_mut().enumerate() {
                row[lane] = e[i * LIMBS + j];
            }
        }
        // SAFETY: each row is 8 initialised u64s, the 64 bytes an unaligned load reads.
        rows.map(|row| unsafe { _mm512_loadu_si512(row.as_ptr().cast()) })
    })
}

/// The lanes of `a` into `rows` (`5K` rows, one per limb, component after component).
#[inline]
#[target_feature(enable = "avx512f")]
#[allow(unsafe_code, reason = "unaligned vector stores into a local array")]
fn store<const K: usize>(a: &[Fe; K], rows: &mut [[u64; LANES]]) {
    for (row, v) in rows.iter_mut().zip(a.iter().flatten()) {
        // SAFETY: `row` is 64 writable bytes, what an unaligned vector store writes.
        unsafe {
            _mm512_storeu_si512(row.as_mut_ptr().cast(), *v);
        }
    }
}

/// Independent product chains per lane in Montgomery's trick: group `g` of eight chords joins
/// chain `g mod CHAINS`, so consecutive products need not wait for each other.
const CHAINS: usize = 2;

/// Rows for one stored element of up to two components.
type Rows = [[u64; LANES]; 2 * LIMBS];

/// The chord additions `chords` of a batch (distinct targets, distinct `x`, no identity),
/// eight per vector, in a base field `F` of `K` Fq components.
#[target_feature(enable = "avx512f,avx512ifma")]
fn chord_batch<const K: usize, P: AsRef<[u64]> + AsMut<[u64]>, F: LaneField>(
    targets: &mut [P],
    additions: &[(u32, P)],
    chords: &[u32],
    scratch: &mut LaneScratch<K>,
) {
    let LaneScratch { den, prefix, .. } = scratch;
    den.clear();
    prefix.clear();
    let words = K * LIMBS;
    let groups = chords.len().div_ceil(LANES);
    // Lanes past the last chord repeat it (a non-zero denominator); their results are dropped.
    let lane_chords = |g: usize| -> [usize; LANES] {
        std::array::from_fn(|l| chords[(g * LANES + l).min(chords.len() - 1)] as usize)
    };
    let mut one_limbs = [0; 2 * LIMBS];
    F::one().write_limbs(&mut one_limbs);
    let one: [Fe; K] = load([&one_limbs[..]; LANES]);
    let p = splat(&P);
    let p2 = splat(&P2);
    let mut acc = [one; CHAINS];
    for g in 0..groups {
        let ks = lane_chords(g);
        let x1 = load::<K>(ks.map(|k| targets[additions[k].0 as usize].as_ref()));
        let x2 = load::<K>(ks.map(|k| additions[k].1.as_ref()));
        let d = sub(&x2, &x1, &p);
        let chain = &mut acc[g % CHAINS];
        prefix.push(*chain);
        *chain = mul(chain, &d);
        den.push(d);
    }
    // One inversion for the CHAINS·LANES chain products (none is zero: every x₂ ≠ x₁).
    let mut rows: Rows = [[0; LANES]; 2 * LIMBS];
    let mut products: Vec<F> = Vec::with_capacity(CHAINS * LANES);
    let mut lane_words = [0u64; 2 * LIMBS];
    for a in &acc {
        store(&canonical(a), &mut rows);
        for lane in 0..LANES {
            for (w, row) in lane_words.iter_mut().zip(&rows[..words]) {
                *w = row[lane];
            }
            products.push(F::from_limbs(&lane_words[..words]));
        }
    }
    ark_ff::batch_inversion(&mut products);
    let mut inverse_words = vec![[0u64; 2 * LIMBS]; CHAINS * LANES];
    for (w, v) in inverse_words.iter_mut().zip(&products) {
        v.write_limbs(w);
    }
    let mut inv: [[Fe; K]; CHAINS] = std::array::from_fn(|c| {
        load(std::array::from_fn(|lane| {
            &inverse_words[c * LANES + lane][..]
        }))
    });
    let mut out_rows: [Rows; 2] = [[[0; LANES]; 2 * LIMBS]; 2];
    for g in (0..groups).rev() {
        let chain = &mut inv[g % CHAINS];
        let inv_d = mul(chain, &prefix[g]);
        *chain = mul(chain, &den[g]);
        let ks = lane_chords(g);
        let bucket = ks.map(|k| targets[additions[k].0 as usize].as_ref());
        let (x1, y1) = (load::<K>(bucket), load::<K>(bucket.map(|b| &b[words..])));
        let point = ks.map(|k| additions[k].1.as_ref());
        let (x2, y2) = (load::<K>(point), load::<K>(point.map(|q| &q[words..])));
        let lambda = mul(&sub(&y2, &y1, &p), &inv_d);
        let x3 = canonical(&sub(&mul(&lambda, &lambda), &add(&x1, &x2), &p2));
        let y3 = canonical(&sub(&mul(&lambda, &sub(&x1, &x3, &p)), &y1, &p));
        store(&x3, &mut out_rows[0]);
        store(&y3, &mut out_rows[1]);
        let live = LANES.min(chords.len() - g * LANES);
        for (lane, k) in ks.iter().enumerate().take(live) {
            let t = targets[additions[*k].0 as usize].as_mut();
            for (coord, rows) in out_rows.iter().enumerate() {
                for (w, row) in t[coord * words..][..words].iter_mut().zip(rows) {
                    *w = row[lane];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    use super::*;

    fn ifma() -> Option<Ifma> {
        let ifma = Ifma::detect();
        if ifma.is_none() {
            eprintln!("skipped: this CPU lacks AVX-512 IFMA");
        }
        ifma
    }

    /// Field values at the edges: 0, 1, 2, p − 1, p − 2, 2^255 mod p, values near 2^k.
    fn edge_values() -> Vec<Fq> {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(21);
        let mut values = vec![
            Fq::from(0u64),
            Fq::from(1u64),
            Fq::from(2u64),
            -Fq::from(1u64),
            -Fq::from(2u64),
            Fq::from(2u64).pow([255u64]),
            Fq::from(2u64).pow([52u64]) - Fq::from(1u64),
            Fq::from(2u64).pow([104u64]),
            Fq::from(u64::MAX),
        ];
        // Values whose lane representation (16·x·2^256) has extreme limbs.
        values.push(Fq::new_unchecked(BigInt([
            u64::MAX,
            u64::MAX,
            u64::MAX,
            MODULUS[3] - 1,
        ])));
        values.push(Fq::new_unchecked(BigInt([
            MODULUS[0] - 1,
            MODULUS[1],
            MODULUS[2],
            MODULUS[3],
        ])));
        values.extend((0..64).map(|_| Fq::rand(&mut rng)));
        values
    }

    /// Runs `f` on eight lanes of `a` and `b` (`K` components each) and returns the lanes as
    /// field elements; the results must be below `2p` per component (one conditional
    /// subtraction makes them canonical).
    #[allow(unsafe_code, reason = "calls the IFMA helpers after detection")]
    fn lanes<const K: usize, F: LaneField>(
        a: &[F],
        b: &[F],
        f: impl Fn(&[Fe; K], &[Fe; K]) -> [Fe; K],
    ) -> Vec<F> {
        assert!(Ifma::detect().is_some());
        let limbs = |v: &[F]| -> Vec<[u64; 2 * LIMBS]> {
            v.iter()
                .map(|x| {
                    let mut l = [0; 2 * LIMBS];
                    x.write_limbs(&mut l);
                    l
                })
                .collect()
        };
        let (la, lb) = (limbs(a), limbs(b));
        // SAFETY: AVX-512F and IFMA were detected just above.
        unsafe {
            let va = load::<K>(std::array::from_fn(|l| &la[l][..]));
            let vb = load::<K>(std::array::from_fn(|l| &lb[l][..]));
            let r = f(&va, &vb);
            let p = splat(&P);
            let r: [Fe; K] = std::array::from_fn(|i| sub_if_not_below(&r[i], &p));
            let mut rows: Rows = [[0; LANES]; 2 * LIMBS];
            store(&r, &mut rows);
            (0..LANES)
                .map(|lane| {
                    let w: Vec<u64> = rows[..K * LIMBS].iter().map(|row| row[lane]).collect();
                    F::from_limbs(&w)
                })
                .collect()
        }
    }

    #[test]
    fn conversions_round_trip() {
        for x in edge_values() {
            let l = fq_to_limbs(&x);
            assert!(l.iter().all(|&v| v <= MASK52));
            assert_eq!(fq_from_limbs(&l), x);
        }
    }

    #[test]
    #[allow(unsafe_code, reason = "calls the IFMA helpers after detection")]
    fn lane_arithmetic_matches_arkworks() {
        let Some(_) = ifma() else { return };
        let values = edge_values();
        let ones = [Fq::ONE; LANES];
        for a in values.chunks(LANES).filter(|c| c.len() == LANES) {
            for b in values.chunks(LANES).filter(|c| c.len() == LANES) {
                let expect = |f: fn(Fq, Fq) -> Fq| -> Vec<Fq> {
                    a.iter().zip(b).map(|(x, y)| f(*x, *y)).collect()
                };
                // SAFETY (all closures): IFMA was detected by `ifma()`.
                let product = lanes::<1, _>(a, b, |x, y| unsafe { mul(x, y) });
                assert_eq!(product, expect(|x, y| x * y));
                let sum = lanes::<1, _>(a, b, |x, y| unsafe { add(x, y) });
                assert_eq!(sum, expect(|x, y| x + y));
                let diff = lanes::<1, _>(a, b, |x, y| unsafe { sub(x, y, &splat(&P)) });
                assert_eq!(diff, expect(|x, y| x - y));
                // Products of unreduced operands (below 8p) still land below 2p.
                let lazy = lanes::<1, _>(a, b, |x, y| unsafe {
                    let p4 = splat(&P4);
                    [mul1(&add1(&x[0], &p4), &add1(&y[0], &p4))]
                });
                assert_eq!(lazy, expect(|x, y| x * y));
            }
            let same = lanes::<1, _>(a, &ones, |x, y| unsafe { mul(x, y) });
            assert_eq!(same, a.to_vec());
        }
    }

    #[test]
    #[allow(unsafe_code, reason = "calls the IFMA helpers after detection")]
    fn lane_fq2_products_match_arkworks() {
        let Some(_) = ifma() else { return };
        let edges = edge_values();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(22);
        let mut values: Vec<Fq2> = edges
            .iter()
            .zip(edges.iter().rev())
            .map(|(a, b)| Fq2::new(*a, *b))
            .collect();
        values.extend((0..64).map(|_| Fq2::rand(&mut rng)));
        values.extend(edges.iter().map(|a| Fq2::new(*a, Fq::from(0u64))));
        values.extend(edges.iter().map(|a| Fq2::new(Fq::from(0u64), *a)));
        for a in values.chunks(LANES).filter(|c| c.len() == LANES) {
            for b in values.chunks(LANES).filter(|c| c.len() == LANES) {
                // SAFETY: IFMA was detected by `ifma()`.
                let product = lanes::<2, _>(a, b, |x, y| unsafe { mul(x, y) });
                let expect: Vec<Fq2> = a.iter().zip(b).map(|(x, y)| *x * y).collect();
                assert_eq!(product, expect);
            }
        }
    }

    #[test]
    fn g2_points_round_trip_and_negate() {
        // Negation per Fq component maps a zero component to zero.
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(23);
        let g = ark_bn254::G2Projective::rand(&mut rng).into_affine();
        let lane: [u64; 4 * LIMBS] = point_from_affine(&g);
        // Scalar code only: no IFMA instruction runs here, whatever the CPU.
        let ifma = Ifma(());
        assert_eq!(BucketOps::<g2::Config>::to_affine(ifma, &lane), g);
        assert_eq!(
            BucketOps::<g2::Config>::to_affine(ifma, &BucketOps::<g2::Config>::neg(ifma, &lane)),
            -g
        );
        let mut zero = [0u64; LIMBS];
        neg_limbs(&mut zero);
        assert_eq!(zero, [0; LIMBS]);
    }
}
