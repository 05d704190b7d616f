//! Many independent affine additions sharing one field inversion (Montgomery's trick).
//!
//! An affine addition needs `λ = (y₂−y₁)/(x₂−x₁)` (or `(3x²+a)/2y` when doubling); inverting all
//! denominators of a batch at once costs one inversion plus three multiplications each, so a
//! batched affine addition costs ≈ 6 multiplications against ≈ 11 for a mixed projective one.

use std::borrow::Cow;

use ark_ec::AffineRepr;
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ff::{AdditiveGroup, Field, One, Zero};

use super::field::FieldMul;

/// The arithmetic the bucket scheduling is generic over: a point layout and batches of
/// independent affine additions. [`ArkBuckets`] provides it on arkworks' own points; the
/// AVX-512 IFMA engine provides it on points in 52-bit limbs, eight additions per
/// instruction.
pub(crate) trait BucketOps<C: SWCurveConfig>: Copy + Send + Sync {
    /// A point in affine form (or the identity) in this arithmetic's layout.
    type Point: Copy + Send + Sync;
    /// Reusable storage for [`BucketOps::batch_add_assign`].
    type Scratch: Default;

    /// The identity.
    fn identity(self) -> Self::Point;
    /// Whether `p` is the identity.
    fn is_zero(self, p: &Self::Point) -> bool;
    /// `−p`.
    fn neg(self, p: &Self::Point) -> Self::Point;
    /// `points` in this layout (borrowed where it is arkworks' own).
    fn convert(self, points: &[Affine<C>]) -> Cow<'_, [Self::Point]>;
    /// `p` as an arkworks point.
    fn to_affine(self, p: &Self::Point) -> Affine<C>;
    /// `targets[i] += p` for every `(i, p)` of `additions`, whose indices are distinct.
    fn batch_add_assign(
        self,
        targets: &mut [Self::Point],
        additions: &[(u32, Self::Point)],
        scratch: &mut Self::Scratch,
    );
}

/// Bucket additions on arkworks' points with base-field products by `M`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArkBuckets<M>(pub(crate) M);

impl<C: SWCurveConfig, M: FieldMul<C::BaseField>> BucketOps<C> for ArkBuckets<M> {
    type Point = Affine<C>;
    type Scratch = Scratch<C::BaseField>;

    fn identity(self) -> Affine<C> {
        Affine::identity()
    }

    #[inline(always)]
    fn is_zero(self, p: &Affine<C>) -> bool {
        p.is_zero()
    }

    #[inline(always)]
    fn neg(self, p: &Affine<C>) -> Affine<C> {
        -*p
    }

    fn convert(self, points: &[Affine<C>]) -> Cow<'_, [Affine<C>]> {
        Cow::Borrowed(points)
    }

    fn to_affine(self, p: &Affine<C>) -> Affine<C> {
        *p
    }

    fn batch_add_assign(
        self,
        targets: &mut [Affine<C>],
        additions: &[(u32, Affine<C>)],
        scratch: &mut Scratch<C::BaseField>,
    ) {
        batch_add_assign(self.0, targets, additions, scratch);
    }
}

/// A run of consecutive points in the scratch buffer that must be summed into one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Group {
    /// First point of the run.
    pub(crate) start: u32,
    /// Number of points in the run.
    pub(crate) len: u32,
}

/// What one pair of points needs.
#[derive(Clone, Copy)]
enum Case {
    /// Distinct x: chord, denominator `x₂ − x₁`.
    Chord,
    /// Equal points, y ≠ 0: tangent, denominator `2y`.
    Tangent,
    /// The sum is known without division (an identity operand, or `P + (−P)`).
    Trivial,
}

#[inline(always)]
fn classify<C: SWCurveConfig>(p: &Affine<C>, q: &Affine<C>) -> (Case, C::BaseField) {
    if p.is_zero() || q.is_zero() {
        (Case::Trivial, C::BaseField::one())
    } else if p.x != q.x {
        (Case::Chord, q.x - p.x)
    } else if p.y == q.y && !p.y.is_zero() {
        (Case::Tangent, p.y.double())
    } else {
        (Case::Trivial, C::BaseField::one())
    }
}

/// `p + q` for a pair of [`Case`] `case`, given `inv` = inverse of its denominator.
#[inline(always)]
fn add_with_inverse<C: SWCurveConfig, M: FieldMul<C::BaseField>>(
    m: M,
    p: &Affine<C>,
    q: &Affine<C>,
    case: Case,
    inv: C::BaseField,
) -> Affine<C> {
    let lambda = match case {
        Case::Trivial => {
            return if p.is_zero() {
                *q
            } else if q.is_zero() {
                *p
            } else {
                // Same x, and y₂ = −y₁ (or y = 0): the sum is the identity.
                Affine::identity()
            };
        }
        Case::Chord => m.mul(&(q.y - p.y), &inv),
        Case::Tangent => {
            let x2 = m.square(&p.x);
            let mut num = x2.double() + x2;
            if !C::COEFF_A.is_zero() {
                num += C::COEFF_A;
            }
            m.mul(&num, &inv)
        }
    };
    let x3 = m.square(&lambda) - p.x - q.x;
    let y3 = m.mul(&lambda, &(p.x - x3)) - p.y;
    Affine::new_unchecked(x3, y3)
}

/// Asks the CPU to start loading the cache line at `p`, which a batch will soon read.
#[inline(always)]
pub(crate) fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    #[allow(
        unsafe_code,
        reason = "`prefetcht0` is a hint: it never faults, and SSE is part of x86-64"
    )]
    // SAFETY: prefetching reads nothing architecturally and `p` is a valid reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(p).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// How many additions ahead [`batch_add_assign`] prefetches its targets.
const PREFETCH_AHEAD: usize = 8;

/// Reusable storage for [`batch_add_assign`].
pub(crate) struct Scratch<F> {
    cases: Vec<Case>,
    /// Denominators, then (after the backward pass) their inverses.
    den: Vec<F>,
    /// `prefix[k] = d₀⋯d_{k−1}`.
    prefix: Vec<F>,
}

impl<F> Default for Scratch<F> {
    fn default() -> Self {
        Self {
            cases: Vec::new(),
            den: Vec::new(),
            prefix: Vec::new(),
        }
    }
}

/// `targets[i] += p` for every `(i, p)` of `additions`, with one inversion for all.
///
/// The indices must be distinct (callers keep a per-target "in this batch" flag), so no addition
/// depends on another of the same batch.
pub(crate) fn batch_add_assign<C: SWCurveConfig, M: FieldMul<C::BaseField>>(
    m: M,
    targets: &mut [Affine<C>],
    additions: &[(u32, Affine<C>)],
    scratch: &mut Scratch<C::BaseField>,
) {
    let Scratch {
        cases, den, prefix, ..
    } = scratch;
    cases.clear();
    den.clear();
    prefix.clear();
    let mut chains = Chains::new();
    for (k, (i, p)) in additions.iter().enumerate() {
        if let Some((ahead, _)) = additions.get(k + PREFETCH_AHEAD) {
            prefetch(&targets[*ahead as usize]);
        }
        let (case, d) = classify(&targets[*i as usize], p);
        cases.push(case);
        den.push(d);
        prefix.push(chains.push(m, k, &d));
    }
    // Montgomery's trick walked backwards, each inverse used as soon as it is known.
    let mut inv = chains.invert(m);
    for k in (0..additions.len()).rev() {
        if let Some(ahead) = k.checked_sub(PREFETCH_AHEAD).map(|j| additions[j].0) {
            prefetch(&targets[ahead as usize]);
        }
        let inv_d = inv.pop(m, k, &prefix[k], &den[k]);
        let (i, p) = &additions[k];
        let t = &mut targets[*i as usize];
        *t = add_with_inverse(m, t, p, cases[k], inv_d);
    }
}

/// Independent product chains of Montgomery's trick: denominator `k` joins chain `k mod CHAINS`,
/// so consecutive products of a pass need not wait for each other's result.
const CHAINS: usize = 2;

/// Running products `Π d_k` of every chain, then (after [`Chains::invert`]) their inverses.
struct Chains<F>([F; CHAINS]);

impl<F: Field> Chains<F> {
    fn new() -> Self {
        Self([F::one(); CHAINS])
    }

    /// Multiplies `d_k` into its chain; returns the chain's product before it (`prefix[k]`).
    #[inline(always)]
    fn push<M: FieldMul<F>>(&mut self, m: M, k: usize, d: &F) -> F {
        let acc = &mut self.0[k % CHAINS];
        let prefix = *acc;
        *acc = m.mul(acc, d);
        prefix
    }

    /// Inverts every chain's product with one field inversion. Every denominator is non-zero by
    /// construction, so the products are invertible.
    fn invert<M: FieldMul<F>>(self, m: M) -> Self {
        // Montgomery's trick once more, over the chains' products.
        let mut prefix = [F::one(); CHAINS];
        let mut acc = F::one();
        for (p, a) in prefix.iter_mut().zip(&self.0) {
            *p = acc;
            acc = m.mul(&acc, a);
        }
        let mut inv = acc.inverse().unwrap_or_else(F::zero);
        let mut out = [F::zero(); CHAINS];
        for ((o, p), a) in out.iter_mut().zip(&prefix).zip(&self.0).rev() {
            *o = m.mul(&inv, p);
            inv = m.mul(&inv, a);
        }
        Self(out)
    }

    /// Walking `k` downwards: `1/d_k`, given `prefix[k]` from [`Chains::push`], and removes
    /// `d_k` from its chain's inverse.
    #[inline(always)]
    fn pop<M: FieldMul<F>>(&mut self, m: M, k: usize, prefix: &F, d: &F) -> F {
        let inv = &mut self.0[k % CHAINS];
        let inv_d = m.mul(inv, prefix);
        *inv = m.mul(inv, d);
        inv_d
    }
}

/// Reusable storage for [`reduce_groups`].
pub(crate) struct GroupScratch<P> {
    active: Vec<Group>,
    pairs: Vec<(u32, P)>,
}

impl<P> Default for GroupScratch<P> {
    fn default() -> Self {
        Self {
            active: Vec::new(),
            pairs: Vec::new(),
        }
    }
}

/// Sums every group of `points` in place, in rounds of pairwise additions; each round is one
/// batch (one inversion for all its denominators). On return each group's sum is at
/// `points[start]`.
pub(crate) fn reduce_groups<C: SWCurveConfig, O: BucketOps<C>>(
    ops: O,
    points: &mut [O::Point],
    groups: &[Group],
    scratch: &mut GroupScratch<O::Point>,
    batch_scratch: &mut O::Scratch,
) {
    let GroupScratch { active, pairs } = scratch;
    active.clear();
    active.extend(groups.iter().filter(|g| g.len > 1));
    while !active.is_empty() {
        pairs.clear();
        for g in active.iter() {
            let s = g.start as usize;
            pairs.extend(
                (0..(g.len / 2) as usize).map(|i| ((s + 2 * i) as u32, points[s + 2 * i + 1])),
            );
        }
        ops.batch_add_assign(points, pairs, batch_scratch);
        // Pair i of a group lands at start + i (it only overwrites consumed slots).
        for g in active.iter_mut() {
            let s = g.start as usize;
            let pairs = (g.len / 2) as usize;
            for i in 0..pairs {
                points[s + i] = points[s + 2 * i];
            }
            if g.len % 2 == 1 {
                points[s + pairs] = points[s + g.len as usize - 1];
            }
            g.len = g.len.div_ceil(2);
        }
        active.retain(|g| g.len > 1);
    }
}
