//! G1 bucket additions eight at a time with AVX-512 IFMA (`vpmadd52luq`/`vpmadd52huq`).
//!
//! A BN254 Fq element is held as five 52-bit limbs in Montgomery form with `R' = 2^260`: the
//! limbs of `x·2^260 mod p`. Eight elements sit in five 512-bit registers, limb `j` of lanes
//! `0..8` in register `j`, so one IFMA instruction advances eight independent products.
//! Because `p < 2^254`, a Montgomery product of operands below `8p` is below `2p` with no final
//! subtraction ([`mul`]); values are made canonical (`< p`) only where they are stored.
//!
//! Points ([`LanePoint`]) are `x` then `y`, canonical, ten `u64`s; the identity is all zeros,
//! which no curve point matches (`(0, 0)` is not on `y² = x³ + 3`). A batch classifies its
//! additions in scalar code: the rare ones with an identity operand, equal `x` (a doubling, or
//! `P + (−P)`) are done there, and the chords go through the lanes, Montgomery's trick running
//! as independent product chains per lane with one field inversion for the batch.

use std::arch::x86_64::{
    __m512i, _mm512_add_epi64, _mm512_and_si512, _mm512_cmplt_epi64_mask, _mm512_loadu_si512,
    _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_mask_blend_epi64, _mm512_set1_epi64,
    _mm512_setzero_si512, _mm512_srai_epi64, _mm512_srli_epi64, _mm512_storeu_si512,
    _mm512_sub_epi64,
};
use std::borrow::Cow;

use ark_bn254::{Fq, FqConfig, G1Affine, g1};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInt, BigInteger, MontConfig, One};
use rayon::prelude::*;

use super::batch_affine::BucketOps;

/// Lanes per vector.
const LANES: usize = 8;
/// Limbs per field element.
const LIMBS: usize = 5;
const MASK52: u64 = (1 << 52) - 1;

/// An affine G1 point, `x` then `y` as canonical 52-bit limbs of `v·2^260 mod p`; all zeros is
/// the identity.
pub(crate) type LanePoint = [u64; 2 * LIMBS];

/// Eight field elements, one per lane (structure of arrays: register `j` holds limb `j`).
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

const MODULUS: [u64; 4] = <FqConfig as MontConfig<4>>::MODULUS.0;
/// `p` in 52-bit limbs.
const P: [u64; LIMBS] = to_limbs52(MODULUS);
/// `2p` in 52-bit limbs (`2p < 2^255`).
const P2: [u64; LIMBS] = to_limbs52([
    MODULUS[0] << 1,
    (MODULUS[1] << 1) | (MODULUS[0] >> 63),
    (MODULUS[2] << 1) | (MODULUS[1] >> 63),
    (MODULUS[3] << 1) | (MODULUS[2] >> 63),
]);
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

fn point_from_affine(p: &G1Affine) -> LanePoint {
    let mut out = [0; 2 * LIMBS];
    if let Some((x, y)) = p.xy() {
        out[..LIMBS].copy_from_slice(&fq_to_limbs(&x));
        out[LIMBS..].copy_from_slice(&fq_to_limbs(&y));
    }
    out
}

/// `−y` for canonical limbs `y ≠ 0`: `p − y`, canonical.
fn neg_limbs(y: &[u64]) -> [u64; LIMBS] {
    let mut out = [0; LIMBS];
    let mut borrow = 0i64;
    for j in 0..LIMBS {
        let d = P[j] as i64 - y[j] as i64 + borrow;
        out[j] = (d as u64) & MASK52;
        borrow = d >> 52;
    }
    out
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

/// Reusable storage for [`Ifma`]'s batches.
#[derive(Default)]
pub(crate) struct LaneScratch {
    /// Indices into the batch of its chord additions.
    chords: Vec<u32>,
    /// Per group of eight chords: the denominators `x₂ − x₁`.
    den: Vec<Fe>,
    /// Per group: its chain's product before it.
    prefix: Vec<Fe>,
}

impl BucketOps<g1::Config> for Ifma {
    type Point = LanePoint;
    type Scratch = LaneScratch;

    fn identity(self) -> LanePoint {
        [0; 2 * LIMBS]
    }

    #[inline(always)]
    fn is_zero(self, p: &LanePoint) -> bool {
        p.iter().all(|&l| l == 0)
    }

    #[inline(always)]
    fn neg(self, p: &LanePoint) -> LanePoint {
        let mut out = *p;
        if !self.is_zero(p) {
            out[LIMBS..].copy_from_slice(&neg_limbs(&p[LIMBS..]));
        }
        out
    }

    fn convert(self, points: &[G1Affine]) -> Cow<'_, [LanePoint]> {
        Cow::Owned(points.par_iter().map(point_from_affine).collect())
    }

    fn to_affine(self, p: &LanePoint) -> G1Affine {
        if self.is_zero(p) {
            G1Affine::identity()
        } else {
            G1Affine::new_unchecked(fq_from_limbs(&p[..LIMBS]), fq_from_limbs(&p[LIMBS..]))
        }
    }

    fn batch_add_assign(
        self,
        targets: &mut [LanePoint],
        additions: &[(u32, LanePoint)],
        scratch: &mut LaneScratch,
    ) {
        scratch.chords.clear();
        for (k, (i, p)) in additions.iter().enumerate() {
            let t = &mut targets[*i as usize];
            if self.is_zero(t) {
                *t = *p;
            } else if self.is_zero(p) {
            } else if t[..LIMBS] != p[..LIMBS] {
                scratch.chords.push(k as u32);
            } else if t[LIMBS..] == p[LIMBS..] {
                // A doubling: rare enough for arkworks' projective formula and one inversion.
                let a = self.to_affine(t);
                *t = point_from_affine(&(a + a).into_affine());
            } else {
                // P + (−P).
                *t = self.identity();
            }
        }
        if !scratch.chords.is_empty() {
            // SAFETY: `self` exists only if `detect` saw AVX-512F and AVX-512 IFMA on this CPU.
            #[allow(
                unsafe_code,
                reason = "calls the IFMA kernel; `Ifma` proves the CPU has it"
            )]
            unsafe {
                chord_batch(targets, additions, scratch);
            }
        }
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
fn add(a: &Fe, b: &Fe) -> Fe {
    normalise(std::array::from_fn(|j| _mm512_add_epi64(a[j], b[j])))
}

/// `a + q − b` for `b ≤ q`, normalised (`q` a multiple of `p`, so the value is unchanged mod p).
#[inline]
#[target_feature(enable = "avx512f")]
fn sub(a: &Fe, b: &Fe, q: &Fe) -> Fe {
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

/// The canonical (`< p`) form of `a < 4p`.
#[inline]
#[target_feature(enable = "avx512f")]
fn canonical(a: &Fe) -> Fe {
    let p2 = splat(&P2);
    let p = splat(&P);
    sub_if_not_below(&sub_if_not_below(a, &p2), &p)
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
fn mul(a: &Fe, b: &Fe) -> Fe {
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

/// Transposes coordinate `coord` (0: `x`, 1: `y`) of eight points into lanes.
#[inline]
#[target_feature(enable = "avx512f")]
#[allow(unsafe_code, reason = "unaligned vector loads from a local array")]
fn load(points: [&LanePoint; LANES], coord: usize) -> Fe {
    let mut rows = [[0u64; LANES]; LIMBS];
    for (lane, p) in points.iter().enumerate() {
        for (j, row) in rows.iter_mut().enumerate() {
            row[lane] = p[coord * LIMBS + j];
        }
    }
    // SAFETY: each row is 8 initialised u64s, the 64 bytes an unaligned load reads.
    rows.map(|row| unsafe { _mm512_loadu_si512(row.as_ptr().cast()) })
}

/// The eight lanes of `a`, limb-major.
#[inline]
#[target_feature(enable = "avx512f")]
#[allow(unsafe_code, reason = "unaligned vector stores into a local array")]
fn store(a: &Fe) -> [[u64; LANES]; LIMBS] {
    let mut rows = [[0u64; LANES]; LIMBS];
    for (row, v) in rows.iter_mut().zip(a) {
        // SAFETY: `row` is 64 writable bytes, what an unaligned vector store writes.
        unsafe {
            _mm512_storeu_si512(row.as_mut_ptr().cast(), *v);
        }
    }
    rows
}

/// Independent product chains per lane in Montgomery's trick: group `g` of eight chords joins
/// chain `g mod CHAINS`, so consecutive products need not wait for each other.
const CHAINS: usize = 2;

/// The eight field elements `values` (one per lane).
#[inline]
#[target_feature(enable = "avx512f")]
fn from_values(values: &[Fq]) -> Fe {
    let limbs: Vec<LanePoint> = values
        .iter()
        .map(|v| {
            let mut l = [0; 2 * LIMBS];
            l[..LIMBS].copy_from_slice(&fq_to_limbs(v));
            l
        })
        .collect();
    load(std::array::from_fn(|lane| &limbs[lane]), 0)
}

/// The chord additions `scratch.chords` of a batch (distinct targets, distinct `x`, no
/// identity), eight per vector.
#[target_feature(enable = "avx512f,avx512ifma")]
fn chord_batch(
    targets: &mut [LanePoint],
    additions: &[(u32, LanePoint)],
    scratch: &mut LaneScratch,
) {
    let LaneScratch {
        chords,
        den,
        prefix,
    } = scratch;
    den.clear();
    prefix.clear();
    let groups = chords.len().div_ceil(LANES);
    // Lanes past the last chord repeat it (a non-zero denominator); their results are dropped.
    let lane_chords = |g: usize| -> [usize; LANES] {
        std::array::from_fn(|l| chords[(g * LANES + l).min(chords.len() - 1)] as usize)
    };
    let one = splat(&fq_to_limbs(&Fq::one()));
    let p = splat(&P);
    let p2 = splat(&P2);
    let mut acc = [one; CHAINS];
    for g in 0..groups {
        let ks = lane_chords(g);
        let x1 = load(ks.map(|k| &targets[additions[k].0 as usize]), 0);
        let x2 = load(ks.map(|k| &additions[k].1), 0);
        let d = sub(&x2, &x1, &p);
        let chain = &mut acc[g % CHAINS];
        prefix.push(*chain);
        *chain = mul(chain, &d);
        den.push(d);
    }
    // One inversion for the CHAINS·LANES chain products (none is zero: every x₂ ≠ x₁).
    let mut products: Vec<Fq> = acc
        .iter()
        .flat_map(|a| {
            let rows = store(&canonical(a));
            (0..LANES).map(move |lane| fq_from_limbs(&rows.map(|r| r[lane])))
        })
        .collect();
    ark_ff::batch_inversion(&mut products);
    let mut inv: [Fe; CHAINS] =
        std::array::from_fn(|c| from_values(&products[c * LANES..][..LANES]));
    for g in (0..groups).rev() {
        let chain = &mut inv[g % CHAINS];
        let inv_d = mul(chain, &prefix[g]);
        *chain = mul(chain, &den[g]);
        let ks = lane_chords(g);
        let bucket = ks.map(|k| &targets[additions[k].0 as usize]);
        let (x1, y1) = (load(bucket, 0), load(bucket, 1));
        let point = ks.map(|k| &additions[k].1);
        let (x2, y2) = (load(point, 0), load(point, 1));
        let lambda = mul(&sub(&y2, &y1, &p), &inv_d);
        let x3 = canonical(&sub(&mul(&lambda, &lambda), &add(&x1, &x2), &p2));
        let y3 = canonical(&sub(&mul(&lambda, &sub(&x1, &x3, &p)), &y1, &p));
        let (x3, y3) = (store(&x3), store(&y3));
        let live = LANES.min(chords.len() - g * LANES);
        for (lane, k) in ks.iter().enumerate().take(live) {
            let t = &mut targets[additions[*k].0 as usize];
            for j in 0..LIMBS {
                t[j] = x3[j][lane];
                t[LIMBS + j] = y3[j][lane];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ark_ff::{Field, UniformRand};
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

    /// Runs `f` on eight lanes of `a` and `b` and returns the lanes as field elements; the
    /// results must be below `2p` (one conditional subtraction makes them canonical).
    fn lanes(a: &[Fq], b: &[Fq], f: impl Fn(&Fe, &Fe) -> Fe) -> Vec<Fq> {
        let (va, vb) = (from_values_checked(a), from_values_checked(b));
        let rows = store_checked(&f(&va, &vb));
        (0..LANES)
            .map(|lane| fq_from_limbs(&rows.map(|r| r[lane])))
            .collect()
    }

    #[allow(
        unsafe_code,
        reason = "the tests call `target_feature` helpers after detection"
    )]
    fn from_values_checked(v: &[Fq]) -> Fe {
        assert!(Ifma::detect().is_some());
        // SAFETY: AVX-512F was detected just above.
        unsafe { from_values(v) }
    }

    #[allow(
        unsafe_code,
        reason = "the tests call `target_feature` helpers after detection"
    )]
    fn store_checked(a: &Fe) -> [[u64; LANES]; LIMBS] {
        assert!(Ifma::detect().is_some());
        // SAFETY: AVX-512F was detected just above.
        unsafe { store(&sub_if_not_below(a, &splat(&P))) }
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
        let ones = [Fq::one(); LANES];
        for a in values.chunks(LANES).filter(|c| c.len() == LANES) {
            for b in values.chunks(LANES).filter(|c| c.len() == LANES) {
                let expect = |f: fn(Fq, Fq) -> Fq| -> Vec<Fq> {
                    a.iter().zip(b).map(|(x, y)| f(*x, *y)).collect()
                };
                // SAFETY (all closures): IFMA was detected by `ifma()`.
                let product = lanes(a, b, |x, y| unsafe { mul(x, y) });
                assert_eq!(product, expect(|x, y| x * y));
                let sum = lanes(a, b, |x, y| unsafe { add(x, y) });
                assert_eq!(sum, expect(|x, y| x + y));
                let diff = lanes(a, b, |x, y| unsafe { sub(x, y, &splat(&P)) });
                assert_eq!(diff, expect(|x, y| x - y));
                // Products of unreduced operands (below 8p) still land below 2p.
                let lazy = lanes(a, b, |x, y| unsafe {
                    let x5 = add(&add(x, &splat(&P2)), &splat(&P2));
                    let y5 = add(&add(y, &splat(&P2)), &splat(&P2));
                    mul(&x5, &y5)
                });
                assert_eq!(lazy, expect(|x, y| x * y));
            }
            assert_eq!(lanes(a, &ones, |x, y| unsafe { mul(x, y) }), a.to_vec());
        }
    }
}
