//! Progress bars and spinners on stderr (hidden with `--quiet` or when stderr is not a
//! terminal), and the stage timings that commands report.

use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Owns every bar the command draws, so that log lines can be written between redraws
/// ([`Progress::suspend`]).
#[derive(Clone, Debug)]
pub struct Progress {
    bars: MultiProgress,
}

impl Progress {
    /// Bars draw to stderr unless `quiet`.
    pub fn new(quiet: bool) -> Self {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        Self {
            bars: MultiProgress::with_draw_target(target),
        }
    }

    /// Runs `f` with the bars cleared from the screen (for writing to stderr).
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bars.suspend(f)
    }

    /// A spinner with elapsed time for one long step that reports no progress of its own.
    pub fn spinner(&self, message: &'static str) -> ProgressBar {
        let bar = self.bars.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner:.green} {msg} [{elapsed_precise}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A bar over `len` items of one step (batches proved, proofs verified).
    pub fn bar(&self, len: u64, message: &'static str) -> ProgressBar {
        let bar = self.bars.add(ProgressBar::new(len));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner:.green} {msg} [{pos}/{len}] {wide_bar:.cyan/blue} [{elapsed_precise}, eta {eta}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A bar over a library computation's own units (hashes of a tree build), driven by its
    /// `(done, total)` reports; clear it with [`UnitsBar::finish`].
    pub fn units(&self, message: &'static str) -> UnitsBar {
        UnitsBar(self.bar(0, message))
    }

    /// A bar over the named stages of one command, run one after the other with
    /// [`Stages::run`].
    pub fn stages(&self, total: usize) -> Stages {
        let bar = self.bars.add(ProgressBar::new(total as u64));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner:.green} [{pos}/{len}] {msg:<28} {wide_bar:.cyan/blue} [{elapsed_precise}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Stages {
            bar,
            timings: Timings::default(),
        }
    }
}

/// A bar that a library reports its progress to (see [`Progress::units`]).
#[derive(Debug, Clone)]
pub struct UnitsBar(ProgressBar);

impl UnitsBar {
    /// Clears the bar from the screen.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl bulwark_circuits::progress::Progress for UnitsBar {
    fn report(&self, done: u64, total: u64) {
        self.0.set_length(total);
        // Reports from parallel chunks may arrive out of order: never move backwards.
        self.0.set_position(done.max(self.0.position()));
    }
}

/// Stages run under one bar; each one's wall time is recorded.
#[derive(Debug)]
pub struct Stages {
    bar: ProgressBar,
    timings: Timings,
}

impl Stages {
    /// Runs one stage, shows its name while it runs and records how long it took.
    pub fn run<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        self.bar.set_message(name);
        let (value, took) = timed(f);
        tracing::debug!(stage = name, seconds = took.as_secs_f64(), "stage done");
        self.timings.push(name, took);
        self.bar.inc(1);
        value
    }

    /// Clears the bar and returns the recorded timings.
    pub fn finish(self) -> Timings {
        self.bar.finish_and_clear();
        self.timings
    }
}

/// Runs `f` and measures its wall time.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

/// Named wall times, in the order the stages ran.
#[derive(Debug, Default)]
pub struct Timings(Vec<(&'static str, Duration)>);

impl Timings {
    /// Records one stage.
    pub fn push(&mut self, name: &'static str, took: Duration) {
        self.0.push((name, took));
    }

    /// Appends another command's timings after these.
    pub fn extend(&mut self, other: Timings) {
        self.0.extend(other.0);
    }

    /// The stages' wall times added up.
    pub fn total(&self) -> Duration {
        self.0.iter().map(|(_, took)| *took).sum()
    }

    /// One `name  seconds` line per stage, the names padded to one column.
    pub fn table(&self) -> String {
        let width = self.0.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        self.0
            .iter()
            .map(|(name, took)| format!("  {name:<width$}  {:>9.3} s\n", took.as_secs_f64()))
            .collect()
    }
}
