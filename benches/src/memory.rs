//! Peak resident memory of a closure, from Linux's `/proc/self` accounting.

use std::fs;

/// Measures the peak resident set size reached while running a closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeakMemory {
    /// Highest resident set size while the closure ran, minus the resident size before, in bytes.
    pub extra_bytes: u64,
}

impl PeakMemory {
    /// Runs `f` and reports its result with the peak memory it added, or `None` for the
    /// measurement where the platform cannot reset the high-water mark (`/proc/self/clear_refs`
    /// writing `5`, Linux ≥ 4.0). Other threads' allocations meanwhile count too.
    pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Option<Self>) {
        let before = fs::write("/proc/self/clear_refs", "5")
            .ok()
            .and_then(|()| status_kib("VmRSS"));
        let out = f();
        let peak = status_kib("VmHWM");
        let measured = before.zip(peak).map(|(before, peak)| Self {
            extra_bytes: peak.saturating_sub(before) * 1024,
        });
        (out, measured)
    }
}

/// A `kB` field of `/proc/self/status`.
fn status_kib(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
