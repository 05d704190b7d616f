//! `bulwark worker`: proving workers on a shared job store, without the gRPC front end.

use std::path::PathBuf;

use anyhow::{Context, Result};
use bulwark_service::server::{WorkerConfig, work};
use clap::Args;

use super::serve::{ProverArgs, shutdown_signal};

/// `bulwark worker` (every flag can also come from its `BULWARK_*` environment variable).
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The shared job store: `postgres://user:password@host/database` (or `sqlite://PATH` on
    /// the server's machine).
    #[arg(long, env = "BULWARK_STORE", value_name = "URL")]
    pub store: String,
    /// Directory of the proving keys (the server's keys, copied or shared; created with the
    /// INSECURE dev setup when missing).
    #[arg(
        long,
        env = "BULWARK_KEYS_DIR",
        default_value = "bulwark-data/keys",
        value_name = "DIR"
    )]
    pub keys_dir: PathBuf,
    /// Workers in this process (jobs proved at once).
    #[arg(long, env = "BULWARK_WORKERS", default_value_t = 1)]
    pub workers: usize,
    /// The proving key and lease settings (the same as the server's).
    #[command(flatten)]
    pub prover: ProverArgs,
}

/// Runs the workers until SIGTERM or ctrl-c.
pub fn run(args: WorkerArgs) -> Result<()> {
    anyhow::ensure!(args.workers > 0, "--workers must be at least 1");
    let prover = args.prover.check()?;
    let config = WorkerConfig {
        store_url: args.store,
        keys_dir: args.keys_dir,
        params: prover.params,
        workers: args.workers,
        lease: prover.lease,
        dev_setup_seed: prover.dev_setup_seed,
        shutdown_grace: prover.shutdown_grace,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime
        .block_on(work(config, shutdown_signal()))
        .context("workers failed")
}
