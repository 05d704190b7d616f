//! Progress reports from long native computations (building a sum tree of `2^20` users takes
//! minutes), so a caller can draw a bar.
//!
//! A computation reports `(done, total)` in units of its own (for trees: Poseidon-based node
//! hashes) once per chunk of work, never per hash, so a report costs nothing measurable. Reports
//! may come from several rayon threads at once and slightly out of order; `done` never exceeds
//! `total`, and the last report of a finished computation is `(total, total)`.

use std::sync::atomic::{AtomicU64, Ordering};

/// Receives `(done, total)` reports. Any `Fn(u64, u64) + Sync` closure is one; [`NoProgress`]
/// ignores them.
pub trait Progress: Sync {
    /// `done` of `total` units are finished.
    fn report(&self, done: u64, total: u64);
}

impl<F: Fn(u64, u64) + Sync> Progress for F {
    fn report(&self, done: u64, total: u64) {
        self(done, total)
    }
}

/// Discards every report: what the APIs without a progress argument use.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _done: u64, _total: u64) {}
}

/// Counts finished units of a computation whose total is known up front and forwards the
/// running count to a [`Progress`].
pub(crate) struct Counter<'a> {
    progress: &'a dyn Progress,
    done: AtomicU64,
    total: u64,
}

impl<'a> Counter<'a> {
    /// A counter at `0` of `total`; reports `(0, total)` at once.
    pub(crate) fn new(progress: &'a dyn Progress, total: u64) -> Self {
        progress.report(0, total);
        Self {
            progress,
            done: AtomicU64::new(0),
            total,
        }
    }

    /// Records `units` more finished units and reports the running count.
    pub(crate) fn add(&self, units: u64) {
        let done = self.done.fetch_add(units, Ordering::Relaxed) + units;
        self.progress.report(done.min(self.total), self.total);
    }

    /// Reports `(total, total)`: the computation is finished (its estimate of the units may
    /// have been a little high, e.g. where a subtree hashed to the empty subtree).
    pub(crate) fn finish(&self) {
        self.progress.report(self.total, self.total);
    }
}

/// How many items one progress report covers in parallel loops: big enough that reporting
/// is free next to the hashing, small enough that a bar moves smoothly.
pub(crate) const CHUNK: usize = 256;
