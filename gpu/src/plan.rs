//! Sizes of one MSM chunk: window width, buckets, accumulation levels, reduction groups.

/// Entries one accumulation thread reduces per level.
pub(crate) const SEGMENT: u32 = 64;
/// Threads per workgroup of the 1-D kernels.
pub(crate) const WORKGROUP: u32 = 64;

/// The shape of the MSM pipeline for a chunk of `n` points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Points in the chunk.
    pub(crate) n: u32,
    /// Window width in bits (4..=16).
    pub(crate) c: u32,
    /// Number of windows, ceil(255 / c): the signed digits of a scalar < 2^254 leave no carry.
    pub(crate) windows: u32,
    /// Buckets per window, 2^(c-1) (digit magnitudes 1..=2^(c-1)).
    pub(crate) buckets: u32,
    /// Input length of each accumulation level; the last level runs as a single thread.
    pub(crate) levels: Vec<u32>,
    /// Buckets per reduction group.
    pub(crate) group_size: u32,
}

impl Plan {
    /// The plan for `n` points, window width `c` or a default that grows with `n`.
    pub(crate) fn new(n: u32, c: Option<u32>) -> Self {
        let log_n = 32 - n.max(1).leading_zeros();
        let c = c.unwrap_or(log_n.saturating_sub(3)).clamp(4, 16);
        let windows = 255u32.div_ceil(c);
        let buckets = 1 << (c - 1);
        let mut levels = vec![n * windows];
        while let Some(&len) = levels.last() {
            let threads = len.div_ceil(SEGMENT);
            if threads <= 1 {
                break;
            }
            levels.push(2 * threads);
        }
        let group_size = 1 << ((c - 1) / 2);
        Self {
            n,
            c,
            windows,
            buckets,
            levels,
            group_size,
        }
    }

    /// Reduction groups per window.
    pub(crate) fn groups(&self) -> u32 {
        self.buckets / self.group_size
    }

    /// Bucket keys in all windows.
    pub(crate) fn keys(&self) -> u32 {
        self.windows * self.buckets
    }

    /// Threads of accumulation level `i` (1 at the last level).
    pub(crate) fn level_threads(&self, i: usize) -> u32 {
        if i + 1 == self.levels.len() {
            1
        } else {
            self.levels[i].div_ceil(SEGMENT)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_absorb_the_top_carry() {
        for c in 4..=16 {
            let p = Plan::new(1024, Some(c));
            assert!(p.windows * c >= 255);
            assert_eq!(p.groups() * p.group_size, p.buckets);
        }
    }

    #[test]
    fn levels_shrink_to_one_thread() {
        let p = Plan::new(1 << 20, None);
        assert_eq!(p.c, 16);
        assert_eq!(p.levels[0], (1 << 20) * 16);
        assert!(p.levels.windows(2).all(|w| w[1] < w[0]));
        assert!(*p.levels.last().unwrap_or(&0) <= SEGMENT || p.levels.len() == 1);
        let tiny = Plan::new(1, Some(8));
        assert_eq!(tiny.levels, vec![32]);
        assert_eq!(tiny.level_threads(0), 1);
    }
}
