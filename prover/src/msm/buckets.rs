//! Bucket accumulation for one set of `2^(c−1)` affine buckets.
//!
//! Points go straight into a batch of pending `bucket += ±P` additions (at most one per bucket,
//! tracked by a one-byte state per bucket, so queuing a point never reads the bucket itself: that
//! read missed the cache on most points), executed together by [`batch_add_assign`] with one inversion, as in
//! gnark-crypto. A point whose bucket already has a pending addition goes to an overflow list
//! instead; when that fills up, it is sorted by bucket and every bucket's overflow is summed
//! together with the bucket by [`reduce_groups`] in batch-affine rounds (a tree, so even
//! thousands of points in one bucket, as with 0/1 scalars, cost a logarithmic number of
//! inversions). Memory: the buckets plus one batch and one overflow list, never a copy of all
//! bases.

use ark_ec::short_weierstrass::{Bucket, Projective, SWCurveConfig};
use ark_ff::{AdditiveGroup, BigInteger};

use super::batch_affine::{BucketOps, Group, GroupScratch, prefetch, reduce_groups};
use super::digits::signed_digit;

/// Additions per batch for `c`-bit digits: a quarter of the buckets, so one point in eight meets
/// a pending bucket on average, and the inversion is shared by enough additions to cost little
/// per point.
pub(crate) fn batch_size(c: u32) -> usize {
    ((1usize << (c - 1)) / 4).clamp(1, 1 << 10)
}

/// Overflow points gathered before they are reduced together.
const OVERFLOW: usize = 1 << 10;

/// [`BucketAccumulator::state`] of a bucket still holding the identity, never written.
const EMPTY: u8 = 0;
/// State of a bucket holding a point (possibly the identity, after `P + (−P)`), with no
/// addition queued.
const HELD: u8 = 1;
/// State of a bucket with an addition in the current batch.
const PENDING: u8 = 2;

/// Buckets `1..=2^(c−1)` in affine form plus reusable scratch space; additions by `O`.
pub(crate) struct BucketAccumulator<C: SWCurveConfig, O: BucketOps<C>> {
    ops: O,
    c: u32,
    buckets: Vec<O::Point>,
    /// [`EMPTY`], [`HELD`] or [`PENDING`], per bucket.
    state: Vec<u8>,
    batch: Vec<(u32, O::Point)>,
    batch_size: usize,
    overflow: Vec<(u32, O::Point)>,
    points: Vec<O::Point>,
    groups: Vec<Group>,
    group_scratch: GroupScratch<O::Point>,
    scratch: O::Scratch,
}

impl<C: SWCurveConfig, O: BucketOps<C>> BucketAccumulator<C, O> {
    /// Empty buckets for `c`-bit signed digits.
    pub(crate) fn new(ops: O, c: u32) -> Self {
        let buckets = 1usize << (c - 1);
        let batch_size = batch_size(c);
        Self {
            ops,
            c,
            buckets: vec![ops.identity(); buckets],
            state: vec![EMPTY; buckets],
            batch: Vec::with_capacity(batch_size),
            batch_size,
            overflow: Vec::new(),
            points: Vec::new(),
            groups: Vec::new(),
            group_scratch: GroupScratch::default(),
            scratch: O::Scratch::default(),
        }
    }

    /// Adds `digit(scalars[i], window)·bases[i]` for every `i` into the buckets.
    pub(crate) fn accumulate<B: BigInteger>(
        &mut self,
        bases: &[O::Point],
        scalars: &[B],
        window: u32,
    ) {
        for (base, scalar) in bases.iter().zip(scalars) {
            let d = signed_digit(scalar.as_ref(), window, self.c);
            if d == 0 || self.ops.is_zero(base) {
                continue;
            }
            let b = d.unsigned_abs() - 1;
            let p = if d < 0 { self.ops.neg(base) } else { *base };
            if self.state[b as usize] == PENDING {
                self.overflow.push((b, p));
            } else {
                self.insert(b, p);
            }
            if self.batch.len() >= self.batch_size {
                self.run_batch();
                if self.overflow.len() >= OVERFLOW {
                    self.reduce_overflow();
                } else {
                    self.retry_overflow();
                }
            }
        }
    }

    /// Queues `bucket[b] += p`; `b` must not be pending.
    #[inline(always)]
    fn insert(&mut self, b: u32, p: O::Point) {
        let state = &mut self.state[b as usize];
        if *state == EMPTY {
            *state = HELD;
            self.buckets[b as usize] = p;
        } else {
            *state = PENDING;
            prefetch(&self.buckets[b as usize]);
            self.batch.push((b, p));
        }
    }

    /// Moves overflow points whose bucket is free again into the (just emptied) batch.
    fn retry_overflow(&mut self) {
        let mut kept = 0;
        for i in 0..self.overflow.len() {
            let (b, p) = self.overflow[i];
            if self.state[b as usize] == PENDING {
                self.overflow[kept] = (b, p);
                kept += 1;
            } else {
                self.insert(b, p);
            }
        }
        self.overflow.truncate(kept);
    }

    fn run_batch(&mut self) {
        self.ops
            .batch_add_assign(&mut self.buckets, &self.batch, &mut self.scratch);
        for (b, _) in &self.batch {
            self.state[*b as usize] = HELD;
        }
        self.batch.clear();
    }

    /// Runs the pending batch, then sums each bucket with its overflow points.
    fn reduce_overflow(&mut self) {
        self.run_batch();
        if self.overflow.is_empty() {
            return;
        }
        self.overflow.sort_unstable_by_key(|(b, _)| *b);
        self.points.clear();
        self.groups.clear();
        let mut current = u32::MAX;
        for &(b, p) in &self.overflow {
            if b != current {
                current = b;
                self.groups.push(Group {
                    start: self.points.len() as u32,
                    len: 0,
                });
                if self.state[b as usize] != EMPTY {
                    self.points.push(self.buckets[b as usize]);
                }
            }
            self.points.push(p);
            if let Some(g) = self.groups.last_mut() {
                g.len = self.points.len() as u32 - g.start;
            }
        }
        reduce_groups(
            self.ops,
            &mut self.points,
            &self.groups,
            &mut self.group_scratch,
            &mut self.scratch,
        );
        let mut groups = self.groups.iter();
        let mut current = u32::MAX;
        for &(b, _) in &self.overflow {
            if b != current {
                current = b;
                if let Some(g) = groups.next() {
                    self.buckets[b as usize] = self.points[g.start as usize];
                    self.state[b as usize] = HELD;
                }
            }
        }
        self.overflow.clear();
    }

    /// `Σ_b (b+1)·bucket[b]` (bucket `b` holds digit `b + 1`), see [`weighted_sum`].
    pub(crate) fn finish(mut self) -> Projective<C> {
        self.reduce_overflow();
        weighted_sum(self.ops, &self.buckets, &mut self.scratch)
    }
}

/// Segments walked in lockstep by [`weighted_sum`]: enough that one inversion per step is
/// shared by hundreds of additions.
const SEGMENTS: usize = 256;

/// Field multiplications per bucket that [`weighted_sum`] spends on `buckets` buckets: two
/// XYZZ additions (≈ 27), or two batched affine ones (≈ 14) when the segments apply.
pub(crate) fn reduction_cost_per_bucket(buckets: usize) -> f64 {
    if segmented(buckets) { 14.0 } else { 27.0 }
}

fn segmented(buckets: usize) -> bool {
    buckets >= 8 * SEGMENTS && buckets.is_power_of_two()
}

/// `Σ_b (b+1)·buckets[b]`.
///
/// Few buckets: the running-sum trick (`running += bucket; total += running`, top down) in
/// arkworks' XYZZ [`Bucket`] coordinates (mixed addition 8M + 2S, full 12M + 2S).
///
/// Many buckets: the buckets are cut into [`SEGMENTS`] segments of `l` buckets whose running
/// sums advance in lockstep, so each step is two batches of independent affine additions
/// sharing one inversion each (≈ 6 multiplications per addition instead of ≈ 12). Segment `s`
/// ends with `running_s = Σ_j B_{sl+j}` and `total_s = Σ_j (j+1)·B_{sl+j}`, and
/// `Σ_b (b+1)·B_b = Σ_s total_s + l·Σ_s s·running_s`, the last sum by a short XYZZ running sum.
pub(crate) fn weighted_sum<C: SWCurveConfig, O: BucketOps<C>>(
    ops: O,
    buckets: &[O::Point],
    scratch: &mut O::Scratch,
) -> Projective<C> {
    // Bucket counts are powers of two (`2^(c−1)`), so segments are whole and `l` is one too.
    if !segmented(buckets.len()) {
        return running_sum(ops, buckets);
    }
    let l = buckets.len() / SEGMENTS;
    let mut running = vec![ops.identity(); SEGMENTS];
    let mut total = vec![ops.identity(); SEGMENTS];
    let mut adds: Vec<(u32, O::Point)> = Vec::with_capacity(SEGMENTS);
    for j in (0..l).rev() {
        adds.clear();
        adds.extend((0..SEGMENTS).map(|s| (s as u32, buckets[s * l + j])));
        ops.batch_add_assign(&mut running, &adds, scratch);
        adds.clear();
        adds.extend(running.iter().enumerate().map(|(s, p)| (s as u32, *p)));
        ops.batch_add_assign(&mut total, &adds, scratch);
    }
    // Σ_s s·running_s: running sum over s = SEGMENTS−1, …, 1 (segment 0 has weight 0).
    let mut acc = running_sum(ops, &running[1..]);
    for _ in 0..l.trailing_zeros() {
        acc.double_in_place();
    }
    total.iter().fold(acc, |a, t| a + ops.to_affine(t))
}

/// `Σ_i (i+1)·points[i]` by the running-sum trick in XYZZ coordinates.
fn running_sum<C: SWCurveConfig, O: BucketOps<C>>(ops: O, points: &[O::Point]) -> Projective<C> {
    let mut running = Bucket::<C>::default();
    let mut total = Bucket::<C>::default();
    for p in points.iter().rev() {
        running += &ops.to_affine(p);
        total += &running;
    }
    total.into()
}

#[cfg(test)]
mod tests {
    use ark_bn254::{Fr, G1Projective, g1};
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::{UniformRand, Zero};
    use rand::SeedableRng;

    use ark_ec::short_weierstrass::Affine;

    use super::super::batch_affine::{ArkBuckets, Scratch};
    use super::super::field::{Adx, Portable};
    use super::*;

    /// The segmented reduction against `Σ (b+1)·B_b` by scalar multiplication, on buckets with
    /// identities, repeats (so running sums meet equal points: the tangent case) and negations.
    #[test]
    fn segmented_weighted_sum_matches_scalar_multiplication() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let g = G1Projective::generator();
        let p = g * Fr::rand(&mut rng);
        let q = g * Fr::rand(&mut rng);
        let n = 8 * SEGMENTS;
        assert!(segmented(n));
        let points: Vec<G1Projective> = (0..n)
            .map(|b| match b % 7 {
                0 => G1Projective::zero(),
                1 | 2 => p,
                3 => -p,
                4 => p + p,
                _ => q * Fr::from(b as u64),
            })
            .collect();
        let buckets: Vec<Affine<g1::Config>> = G1Projective::normalize_batch(&points);
        let expected: G1Projective = points
            .iter()
            .enumerate()
            .map(|(b, pt)| *pt * Fr::from(b as u64 + 1))
            .sum();
        let mut scratch = Scratch::default();
        assert_eq!(
            weighted_sum(ArkBuckets(Portable), &buckets, &mut scratch),
            expected
        );
        if let Some(adx) = Adx::detect() {
            assert_eq!(
                weighted_sum(ArkBuckets(adx), &buckets, &mut scratch),
                expected
            );
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(ifma) = super::super::ifma::Ifma::detect() {
            let lanes = ifma.convert(&buckets);
            let mut scratch = Default::default();
            assert_eq!(weighted_sum(ifma, &lanes, &mut scratch), expected);
        }
        assert_eq!(running_sum(ArkBuckets(Portable), &buckets), expected);
    }
}
