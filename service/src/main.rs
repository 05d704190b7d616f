//! `bulwark`: set up, prove, verify and export bulwark's statements from the command line.
//!
//! Command results go to stdout; logs (`tracing`, filtered by `RUST_LOG` or `-v`), progress
//! bars and warnings go to stderr. Every failure exits non-zero with a message that names the
//! file or field at fault.

mod cli;
mod commands;
mod demo;
mod files;
mod logging;
mod progress;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let progress = progress::Progress::new(cli.quiet);
    if let Err(err) = logging::init(cli.verbose, &progress) {
        eprintln!("error: {err:#}");
        return std::process::ExitCode::FAILURE;
    }
    match run(cli, &progress) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::debug!(error = ?err, "command failed");
            progress.suspend(|| eprintln!("error: {err:#}"));
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: cli::Cli, progress: &progress::Progress) -> anyhow::Result<()> {
    if let Some(threads) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.get())
            .build_global()
            .map_err(|e| anyhow::anyhow!("--threads {threads}: building the thread pool: {e}"))?;
    }
    tracing::debug!(threads = rayon::current_num_threads(), "rayon pool");
    match cli.command {
        cli::Command::Rollup(cmd) => commands::rollup::run(cmd, progress),
        cli::Command::Solvency(cmd) => commands::solvency::run(cmd, progress),
        cli::Command::Setup(cmd) => commands::setup::run(cmd, progress),
        cli::Command::Demo(args) => demo::run(&args, progress),
        cli::Command::Bench(cmd) => commands::bench::run(cmd, progress),
        cli::Command::Serve(args) => commands::serve::run(args),
        cli::Command::Worker(args) => commands::worker::run(args),
        cli::Command::Client(args) => commands::client::run(args),
        cli::Command::Export(cmd) => commands::export::run(cmd),
        #[cfg(feature = "gpu")]
        cli::Command::Gpu(cmd) => commands::gpu::run(cmd, progress),
    }
}
