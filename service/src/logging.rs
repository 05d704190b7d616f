//! `tracing` to stderr, filtered by `RUST_LOG` or else by `-v`, written between progress-bar
//! redraws so bars and log lines do not garble each other.

use std::io::Write;

use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

use crate::progress::Progress;

/// arkworks opens an info-level span (targets `gr1cs`, `r1cs`) around every gadget call and
/// `Debug`-formats its arguments, constraint system included: enabled, they make synthesis
/// quadratic. They stay off unless the filter names them.
const ARKWORKS_SPANS_OFF: &str = "gr1cs=off,r1cs=off";

/// Installs the global subscriber. Without `RUST_LOG`: info, `-v` debug, `-vv` trace.
pub fn init(verbose: u8, progress: &Progress) -> anyhow::Result<()> {
    let spec = match std::env::var(EnvFilter::DEFAULT_ENV) {
        Ok(spec) if !spec.is_empty() => spec,
        _ => match verbose {
            0 => "info",
            1 => "debug",
            _ => "trace",
        }
        .to_owned(),
    };
    let spec = if spec.contains("r1cs") {
        spec
    } else {
        format!("{spec},{ARKWORKS_SPANS_OFF}")
    };
    let filter = EnvFilter::try_new(&spec)
        .map_err(|e| anyhow::anyhow!("log filter {spec:?} (RUST_LOG or -v) is invalid: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(SuspendingStderr(progress.clone()))
        .with_target(verbose > 0)
        .try_init()
        .map_err(|e| anyhow::anyhow!("installing the log subscriber: {e}"))
}

/// Writes each log line to stderr with the progress bars suspended.
#[derive(Clone)]
struct SuspendingStderr(Progress);

impl<'a> MakeWriter<'a> for SuspendingStderr {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter {
            progress: self.0.clone(),
            buf: Vec::new(),
        }
    }
}

/// Buffers one formatted event and writes it in one go when dropped.
struct LineWriter {
    progress: Progress,
    buf: Vec<u8>,
}

impl Write for LineWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let buf = std::mem::take(&mut self.buf);
            // Nowhere to report a failed write to stderr.
            let _ = self
                .progress
                .suspend(|| std::io::stderr().lock().write_all(&buf));
        }
    }
}
