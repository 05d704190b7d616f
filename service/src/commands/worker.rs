//! `bulwark worker`: proving workers on a shared job store, without the gRPC front end.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, Result};
use bulwark_service::server::{WorkerConfig, work};
use clap::Args;

use super::serve::{ProverArgs, data_dir, read_config, shutdown_signal};

/// `bulwark worker` (every flag can also come from its `BULWARK_*` environment variable, and
/// from the `bulwark serve` config file under the flag's name with `_` for `-`).
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// TOML config file, the same as the server's (serve-only keys are ignored).
    #[arg(long, env = "BULWARK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The shared job store: `postgres://user:password@host/database` (or `sqlite://PATH` on
    /// the server's machine) [required: flag, environment or config file].
    #[arg(long, env = "BULWARK_STORE", value_name = "URL")]
    pub store: Option<String>,
    /// Data directory, for the default keys directory [default: bulwark-data].
    #[arg(long, env = "BULWARK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Directory of the proving keys (the server's keys, copied or shared; created with the
    /// INSECURE dev setup when missing) [default: DATA_DIR/keys].
    #[arg(long, env = "BULWARK_KEYS_DIR", value_name = "DIR")]
    pub keys_dir: Option<PathBuf>,
    /// Workers in this process (jobs proved at once) [default: 1].
    #[arg(long, env = "BULWARK_WORKERS")]
    pub workers: Option<usize>,
    /// Address of this process's Prometheus metrics endpoint (`GET /metrics`) [default: none].
    #[arg(long, env = "BULWARK_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// The proving key, lease and engine settings (the same as the server's).
    #[command(flatten)]
    pub prover: ProverArgs,
}

/// Runs the workers until SIGTERM or ctrl-c.
pub fn run(args: WorkerArgs) -> Result<()> {
    let file = read_config(args.config.as_deref())?;
    let prover = args.prover.resolve(&file)?;
    let store_url = args
        .store
        .or_else(|| file.store.clone())
        .context("bulwark worker needs the shared store: --store postgres://…")?;
    let workers = args.workers.or(file.workers).unwrap_or(1);
    anyhow::ensure!(workers > 0, "workers must be at least 1");
    let keys_dir = args
        .keys_dir
        .or_else(|| file.keys_dir.clone())
        .unwrap_or_else(|| data_dir(args.data_dir, &file).join("keys"));
    let config = WorkerConfig {
        store_url,
        keys_dir,
        params: prover.params,
        workers,
        lease: prover.lease,
        dev_setup_seed: prover.dev_setup_seed,
        kzg_params: prover.kzg_params,
        shutdown_grace: prover.shutdown_grace,
        metrics_listen: args.metrics_listen.or(file.metrics_listen),
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime
        .block_on(work(config, shutdown_signal()))
        .context("workers failed")
}
