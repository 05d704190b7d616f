//! Signed-digit windows and the choice of window width.
//!
//! A scalar `k < 2^254` is written as `k = Σⱼ dⱼ·2^(c·j)` with `dⱼ ∈ [−2^(c−1), 2^(c−1)]`
//! (Booth recoding): `dⱼ = rawⱼ + t(j−1) − 2^c·t(j)`, where `rawⱼ` is the `j`-th unsigned `c`-bit
//! window and `t(j)` its top bit. Each digit depends only on the `c + 1` bits starting at
//! `c·j − 1`, so windows are recoded independently, with no carry chain and no stored digits.
//! The sum telescopes to `k − t(w−1)·2^(c·w)`; taking `c·w > MODULUS_BIT_SIZE` makes `t(w−1) = 0`.

use super::buckets::{batch_size, reduction_cost_per_bucket};

/// Largest window width we consider (buckets per window: `2^(c−1)`).
pub(crate) const MAX_WINDOW_BITS: u32 = 20;

/// Number of windows for `c`-bit digits of scalars below `2^scalar_bits`.
pub(crate) fn window_count(scalar_bits: u32, c: u32) -> u32 {
    (scalar_bits + 1).div_ceil(c)
}

/// Signed digit of window `window` (width `c`) of the little-endian limbs `limbs`.
pub(crate) fn signed_digit(limbs: &[u64], window: u32, c: u32) -> i32 {
    // `c + 1` bits starting one below the window: bit 0 is the carry from the previous window.
    let v = if window == 0 {
        bits(limbs, 0, c) << 1
    } else {
        bits(limbs, window * c - 1, c + 1)
    };
    let carry = (v & 1) as i64;
    let raw = (v >> 1) as i64;
    let top = raw >> (c - 1);
    (raw + carry - (top << c)) as i32
}

/// `len ≤ 63` bits of `limbs` starting at bit `lo`; bits past the end read as zero.
fn bits(limbs: &[u64], lo: u32, len: u32) -> u64 {
    let limb = (lo / 64) as usize;
    let shift = lo % 64;
    let low = limbs.get(limb).map_or(0, |l| l >> shift);
    let high = if shift == 0 {
        0
    } else {
        limbs.get(limb + 1).map_or(0, |l| l << (64 - shift))
    };
    (low | high) & ((1u64 << len) - 1)
}

/// Window width minimising an operation-count model of bucket Pippenger.
///
/// Per window: one batch-affine addition per point (≈ 6.5 field multiplications, plus a share
/// of one ≈ 100-multiplication inversion per [`batch_size`] points) and a
/// running sum over `2^(c−1)` buckets ([`reduction_cost_per_bucket`]). Windows and
/// chunks of points are spread over `threads`; with `fixed_base` (precomputed `2^(c·j)·P`), all
/// windows share one set of buckets per thread, so only one running sum is paid per thread.
pub(crate) fn window_bits(
    points: usize,
    threads: usize,
    scalar_bits: u32,
    fixed_base: bool,
) -> u32 {
    let threads = threads.max(1) as f64;
    let n = points.max(1) as f64;
    let mut best = (f64::INFINITY, 1);
    for c in 1..=MAX_WINDOW_BITS {
        let w = f64::from(window_count(scalar_bits, c));
        let buckets = f64::from(1u32 << (c - 1));
        let per_bucket = reduction_cost_per_bucket(1 << (c - 1));
        let per_point = 6.5 + 100.0 / batch_size(c) as f64;
        let cost = if fixed_base {
            n * w * per_point / threads + buckets * per_bucket
        } else {
            let chunks = (2.0 * threads / w).ceil().max(1.0);
            let tasks_per_thread = (w * chunks / threads).ceil();
            tasks_per_thread * (n / chunks * per_point + buckets * per_bucket)
        };
        if cost < best.0 {
            best = (cost, c);
        }
    }
    best.1
}

/// Chunks of points per window so that every thread gets work when windows are few.
pub(crate) fn chunks_per_window(windows: u32, threads: usize) -> usize {
    (2 * threads.max(1))
        .div_ceil(windows.max(1) as usize)
        .max(1)
}

#[cfg(test)]
mod tests {
    use ark_bn254::Fr;
    use ark_ff::{BigInteger, Field, PrimeField};

    use super::*;

    fn recompose(k: Fr, c: u32) -> Fr {
        let big = k.into_bigint();
        let limbs = big.as_ref();
        let base = Fr::from(2u64).pow([u64::from(c)]);
        let w = window_count(Fr::MODULUS_BIT_SIZE, c);
        (0..w).rev().fold(Fr::from(0u64), |acc, j| {
            let d = signed_digit(limbs, j, c);
            assert!(
                d.unsigned_abs() <= 1 << (c - 1),
                "digit {d} out of range for c = {c}"
            );
            acc * base + Fr::from(i64::from(d))
        })
    }

    #[test]
    fn digits_recompose_the_scalar() {
        let minus_one = -Fr::from(1u64);
        let samples = [
            Fr::from(0u64),
            Fr::from(1u64),
            minus_one,
            Fr::from(u64::MAX),
            minus_one.square(),
        ];
        for c in 1..=MAX_WINDOW_BITS {
            for k in samples {
                assert_eq!(recompose(k, c), k, "c = {c}");
            }
        }
        assert!(Fr::MODULUS.num_bits() == 254);
    }
}
