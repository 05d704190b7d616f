//! Bucket accumulation for one set of `2^(c−1)` affine buckets.
//!
//! Points go straight into a batch of pending `bucket += ±P` additions (at most one per bucket,
//! tracked by a flag), executed together by [`batch_add_assign`] with one inversion, as in
//! gnark-crypto. A point whose bucket already has a pending addition goes to an overflow list
//! instead; when that fills up, it is sorted by bucket and every bucket's overflow is summed
//! together with the bucket by [`reduce_groups`] in batch-affine rounds (a tree, so even
//! thousands of points in one bucket, as with 0/1 scalars, cost a logarithmic number of
//! inversions). Memory: the buckets plus one batch and one overflow list, never a copy of all
//! bases.

use ark_ec::AffineRepr;
use ark_ec::short_weierstrass::{Affine, Bucket, Projective, SWCurveConfig};
use ark_ff::BigInteger;

use super::batch_affine::{Group, Scratch, batch_add_assign, reduce_groups};
use super::digits::signed_digit;

/// Additions per batch for `c`-bit digits: a quarter of the buckets, so one point in eight meets
/// a pending bucket on average, and the inversion is shared by enough additions to cost little
/// per point.
pub(crate) fn batch_size(c: u32) -> usize {
    ((1usize << (c - 1)) / 4).clamp(1, 1 << 10)
}

/// Overflow points gathered before they are reduced together.
const OVERFLOW: usize = 1 << 10;

/// Buckets `1..=2^(c−1)` in affine form plus reusable scratch space.
pub(crate) struct BucketAccumulator<C: SWCurveConfig> {
    c: u32,
    buckets: Vec<Affine<C>>,
    /// `pending[b]`: bucket `b` has an addition in `batch`.
    pending: Vec<bool>,
    batch: Vec<(u32, Affine<C>)>,
    batch_size: usize,
    overflow: Vec<(u32, Affine<C>)>,
    points: Vec<Affine<C>>,
    groups: Vec<Group>,
    scratch: Scratch<C::BaseField>,
}

impl<C: SWCurveConfig> BucketAccumulator<C> {
    /// Empty buckets for `c`-bit signed digits.
    pub(crate) fn new(c: u32) -> Self {
        let buckets = 1usize << (c - 1);
        let batch_size = batch_size(c);
        Self {
            c,
            buckets: vec![Affine::identity(); buckets],
            pending: vec![false; buckets],
            batch: Vec::with_capacity(batch_size),
            batch_size,
            overflow: Vec::new(),
            points: Vec::new(),
            groups: Vec::new(),
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
        for (base, scalar) in bases.iter().zip(scalars) {
            let d = signed_digit(scalar.as_ref(), window, self.c);
            if d == 0 || base.is_zero() {
                continue;
            }
            let b = d.unsigned_abs() - 1;
            let p = if d < 0 { -*base } else { *base };
            if self.pending[b as usize] {
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
    fn insert(&mut self, b: u32, p: Affine<C>) {
        if self.buckets[b as usize].is_zero() {
            self.buckets[b as usize] = p;
        } else {
            self.pending[b as usize] = true;
            self.batch.push((b, p));
        }
    }

    /// Moves overflow points whose bucket is free again into the (just emptied) batch.
    fn retry_overflow(&mut self) {
        let mut kept = 0;
        for i in 0..self.overflow.len() {
            let (b, p) = self.overflow[i];
            if self.pending[b as usize] {
                self.overflow[kept] = (b, p);
                kept += 1;
            } else {
                self.insert(b, p);
            }
        }
        self.overflow.truncate(kept);
    }

    fn run_batch(&mut self) {
        batch_add_assign(&mut self.buckets, &self.batch, &mut self.scratch);
        for (b, _) in &self.batch {
            self.pending[*b as usize] = false;
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
                let held = self.buckets[b as usize];
                if !held.is_zero() {
                    self.points.push(held);
                }
            }
            self.points.push(p);
            if let Some(g) = self.groups.last_mut() {
                g.len = self.points.len() as u32 - g.start;
            }
        }
        reduce_groups(&mut self.points, &self.groups, &mut self.scratch);
        let mut groups = self.groups.iter();
        let mut current = u32::MAX;
        for &(b, _) in &self.overflow {
            if b != current {
                current = b;
                if let Some(g) = groups.next() {
                    self.buckets[b as usize] = self.points[g.start as usize];
                }
            }
        }
        self.overflow.clear();
    }

    /// `Σ_b b·bucket[b]` by the running-sum trick, in arkworks' XYZZ [`Bucket`] coordinates
    /// (mixed addition 8M + 2S, against 7M + 4S and 11M + 5S for Jacobian mixed and full ones).
    pub(crate) fn finish(mut self) -> Projective<C> {
        self.reduce_overflow();
        let mut running = Bucket::<C>::default();
        let mut total = Bucket::<C>::default();
        for bucket in self.buckets.iter().rev() {
            running += bucket;
            total += &running;
        }
        total.into()
    }
}
