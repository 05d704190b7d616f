//! Bucket accumulation for one set of `2^(c−1)` buckets, fed in sub-batches.
//!
//! Each sub-batch of (base, digit) pairs is sorted by bucket; every touched bucket becomes a
//! group `[current bucket value, ±P, ±P, …]` in a scratch buffer, and all groups are summed
//! together by [`reduce_groups`] in batch-affine rounds. A bucket appears in at most one group
//! per sub-batch, so no addition ever waits on another one of the same round. Memory is the
//! buckets plus one sub-batch of points, never a copy of all bases.

use ark_ec::AffineRepr;
use ark_ec::short_weierstrass::{Affine, Bucket, Projective, SWCurveConfig};
use ark_ff::BigInteger;

use super::batch_affine::{Group, Scratch, reduce_groups};
use super::digits::signed_digit;

/// Buckets `1..=2^(c−1)` in affine form plus reusable scratch space.
pub(crate) struct BucketAccumulator<C: SWCurveConfig> {
    c: u32,
    buckets: Vec<Affine<C>>,
    keys: Vec<u64>,
    points: Vec<Affine<C>>,
    groups: Vec<Group>,
    bucket_of_group: Vec<u32>,
    scratch: Scratch<C::BaseField>,
}

impl<C: SWCurveConfig> BucketAccumulator<C> {
    /// Empty buckets for `c`-bit signed digits.
    pub(crate) fn new(c: u32) -> Self {
        Self {
            c,
            buckets: vec![Affine::identity(); 1 << (c - 1)],
            keys: Vec::new(),
            points: Vec::new(),
            groups: Vec::new(),
            bucket_of_group: Vec::new(),
            scratch: Scratch::default(),
        }
    }

    /// Adds `digit(scalars[i], window)·bases[i]` for every `i` into the buckets.
    pub(crate) fn accumulate<B: BigInteger>(
        &mut self,
        bases: &[Affine<C>],
        scalars: &[B],
        window: u32,
    ) {
        let batch = sub_batch_size(self.c);
        for (bases, scalars) in bases.chunks(batch).zip(scalars.chunks(batch)) {
            self.accumulate_batch(bases, scalars, window);
        }
    }

    fn accumulate_batch<B: BigInteger>(&mut self, bases: &[Affine<C>], scalars: &[B], window: u32) {
        // Key: bucket (high 32 bits) | sign (bit 31) | index in the sub-batch.
        self.keys.clear();
        for (i, (base, scalar)) in bases.iter().zip(scalars).enumerate() {
            let d = signed_digit(scalar.as_ref(), window, self.c);
            if d != 0 && !base.is_zero() {
                let bucket = u64::from(d.unsigned_abs() - 1);
                self.keys
                    .push(bucket << 32 | u64::from(d < 0) << 31 | i as u64);
            }
        }
        self.keys.sort_unstable();

        self.points.clear();
        self.groups.clear();
        self.bucket_of_group.clear();
        let mut current = u32::MAX;
        for &key in &self.keys {
            let bucket = (key >> 32) as u32;
            if bucket != current {
                current = bucket;
                self.groups.push(Group {
                    start: self.points.len() as u32,
                    len: 0,
                });
                self.bucket_of_group.push(bucket);
                let held = self.buckets[bucket as usize];
                if !held.is_zero() {
                    self.points.push(held);
                }
            }
            let base = bases[(key & 0x7fff_ffff) as usize];
            self.points
                .push(if key & (1 << 31) != 0 { -base } else { base });
            if let Some(g) = self.groups.last_mut() {
                g.len = self.points.len() as u32 - g.start;
            }
        }

        reduce_groups(&mut self.points, &self.groups, &mut self.scratch);
        for (g, &bucket) in self.groups.iter().zip(&self.bucket_of_group) {
            self.buckets[bucket as usize] = self.points[g.start as usize];
        }
    }

    /// `Σ_b b·bucket[b]`, by the running-sum trick (two additions per bucket).
    /// Sums in arkworks' XYZZ [`Bucket`] coordinates (mixed addition 8M + 2S, against 7M + 4S
    /// and 11M + 5S for Jacobian mixed and full additions).
    pub(crate) fn finish(self) -> Projective<C> {
        let mut running = Bucket::<C>::default();
        let mut total = Bucket::<C>::default();
        for bucket in self.buckets.iter().rev() {
            running += bucket;
            total += &running;
        }
        total.into()
    }
}

/// Points per sorted sub-batch: enough that most buckets get several points (long batch-affine
/// rounds), small enough to stay in cache.
fn sub_batch_size(c: u32) -> usize {
    (1usize << c).clamp(1 << 10, 1 << 14)
}
