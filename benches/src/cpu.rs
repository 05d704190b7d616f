//! CPU time consumed by this process, from Linux's `/proc/self/stat`.
//!
//! On a shared machine, wall time depends on what else runs; the CPU time an MSM consumes
//! (summed over all threads) mostly does not, so ratios of CPU times are the steadier signal
//! for tuning. Where `/proc` is missing, [`process_cpu_time`] returns `None`.

use std::fs;
use std::time::Duration;

/// Kernel clock ticks per second of `/proc` times (`USER_HZ`, 100 on every mainstream Linux).
const TICKS_PER_SECOND: u64 = 100;

/// User plus system time of every thread this process has run, exited ones included
/// (`utime` + `stime` of `/proc/self/stat`, 10 ms resolution), or `None` where the platform
/// cannot tell.
pub fn process_cpu_time() -> Option<Duration> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis(
        (utime + stime) * 1000 / TICKS_PER_SECOND,
    ))
}

/// Runs `f` and returns its result, its wall time and the CPU time the process spent meanwhile
/// (`None` where the platform cannot tell).
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Option<Duration>) {
    let cpu_before = process_cpu_time();
    let start = std::time::Instant::now();
    let out = f();
    let wall = start.elapsed();
    let cpu = cpu_before
        .zip(process_cpu_time())
        .map(|(before, after)| after.saturating_sub(before));
    (out, wall, cpu)
}
