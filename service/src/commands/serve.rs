//! `bulwark serve`: runs the gRPC prover service until SIGTERM or ctrl-c.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{Context, Result};
use bulwark_circuits::rollup::RollupParams;
use bulwark_service::server::{ServeConfig, serve};
use clap::Args;

/// `bulwark serve` (every flag can also come from its `BULWARK_*` environment variable).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BULWARK_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,
    /// Directory of the job database (SQLite, WAL).
    #[arg(
        long,
        env = "BULWARK_DATA_DIR",
        default_value = "bulwark-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,
    /// Directory of the proving keys; default: DATA_DIR/keys.
    #[arg(long, env = "BULWARK_KEYS_DIR", value_name = "DIR")]
    pub keys_dir: Option<PathBuf>,
    /// The job store: `sqlite://PATH` or `postgres://user:password@host/database`;
    /// default: the SQLite file in DATA_DIR.
    #[arg(long, env = "BULWARK_STORE", value_name = "URL")]
    pub store: Option<String>,
    /// Local workers (jobs proved at once; they share the proving thread pool). 0: serve the
    /// API only, for `bulwark worker` processes sharing the store.
    #[arg(long, env = "BULWARK_WORKERS", default_value_t = 1)]
    pub workers: usize,
    /// The proving key and lease settings.
    #[command(flatten)]
    pub prover: ProverArgs,
    /// Claims per job before an expiring lease fails it.
    #[arg(long, env = "BULWARK_MAX_ATTEMPTS", default_value_t = 3)]
    pub max_attempts: u32,
    /// Largest gRPC message in MiB.
    #[arg(long, env = "BULWARK_MAX_MESSAGE_MIB", default_value_t = 64)]
    pub max_message_mib: usize,
}

/// The proving key's shape and the workers' lease: shared by `bulwark serve` and `bulwark
/// worker`, which must agree on them.
#[derive(Debug, Args)]
pub struct ProverArgs {
    /// Account-tree depth D of the rollup key.
    #[arg(long, env = "BULWARK_DEPTH", default_value_t = 24, value_name = "D")]
    pub depth: usize,
    /// Operations per batch B of the rollup key.
    #[arg(
        long,
        env = "BULWARK_BATCH_SIZE",
        default_value_t = 4,
        value_name = "B"
    )]
    pub batch_size: usize,
    /// Seconds a worker's claim lasts without a heartbeat.
    #[arg(long, env = "BULWARK_LEASE_SECS", default_value_t = 30.0)]
    pub lease_secs: f64,
    /// Seed of the INSECURE dev setup run when no proving key exists; default: random.
    #[arg(long, env = "BULWARK_DEV_SETUP_SEED")]
    pub dev_setup_seed: Option<u64>,
    /// Seconds shutdown waits for running jobs before requeueing them.
    #[arg(long, env = "BULWARK_SHUTDOWN_GRACE_SECS", default_value_t = 30.0)]
    pub shutdown_grace_secs: f64,
}

/// [`ProverArgs`], checked.
pub struct Prover {
    /// The key's shape.
    pub params: RollupParams,
    /// The lease.
    pub lease: Duration,
    /// The dev-setup seed.
    pub dev_setup_seed: Option<u64>,
    /// The shutdown grace period.
    pub shutdown_grace: Duration,
}

impl ProverArgs {
    /// Checks the shape and durations.
    pub fn check(&self) -> Result<Prover> {
        let params = RollupParams::new(self.depth, self.batch_size)
            .with_context(|| format!("--depth {} --batch-size {}", self.depth, self.batch_size))?;
        let lease = seconds("lease-secs", self.lease_secs)?;
        anyhow::ensure!(
            lease >= Duration::from_millis(300),
            "--lease-secs must be at least 0.3"
        );
        Ok(Prover {
            params,
            lease,
            dev_setup_seed: self.dev_setup_seed,
            shutdown_grace: seconds("shutdown-grace-secs", self.shutdown_grace_secs)?,
        })
    }
}

fn seconds(flag: &str, secs: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(secs).with_context(|| format!("--{flag} {secs}"))
}

/// Runs the service on a multi-threaded runtime.
pub fn run(args: ServeArgs) -> Result<()> {
    let prover = args.prover.check()?;
    let config = ServeConfig {
        keys_dir: args.keys_dir.unwrap_or_else(|| args.data_dir.join("keys")),
        data_dir: args.data_dir,
        store: args.store,
        params: prover.params,
        workers: args.workers,
        lease: prover.lease,
        max_attempts: args.max_attempts.max(1),
        dev_setup_seed: prover.dev_setup_seed,
        shutdown_grace: prover.shutdown_grace,
        max_message_bytes: args.max_message_mib.saturating_mul(1 << 20),
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        serve(listener, config, shutdown_signal())
            .await
            .context("prover service failed")
    })
}

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("ctrl-c: shutting down"),
        () = term => tracing::info!("SIGTERM: shutting down"),
    }
}
