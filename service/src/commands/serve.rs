//! `bulwark serve`: runs the gRPC prover service until SIGTERM or ctrl-c.
//!
//! Settings come from a TOML file (`--config`, see `service/serve.example.toml`), the
//! `BULWARK_*` environment variables and the flags; a flag overrides its environment variable,
//! which overrides the file, which overrides the built-in default.

mod config;

pub(super) use config::FileConfig;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context, Result};
use bulwark_circuits::rollup::RollupParams;
use bulwark_service::server::{ApiKey, Limits, ServeConfig, TlsFiles, serve};
use clap::Args;

/// `bulwark serve` (every flag can also come from its `BULWARK_*` environment variable, and
/// from the config file under the flag's name with `_` for `-`).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML config file (lowest precedence: environment variables and flags override it).
    #[arg(long, env = "BULWARK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:50051].
    #[arg(long, env = "BULWARK_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory of the job database (SQLite, WAL) [default: bulwark-data].
    #[arg(long, env = "BULWARK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The job store: `sqlite://PATH` or `postgres://user:password@host/database`
    /// [default: the SQLite file in DATA_DIR].
    #[arg(long, env = "BULWARK_STORE", value_name = "URL")]
    pub store: Option<String>,
    /// Directory of the proving keys [default: DATA_DIR/keys].
    #[arg(long, env = "BULWARK_KEYS_DIR", value_name = "DIR")]
    pub keys_dir: Option<PathBuf>,
    /// Local workers (jobs proved at once; they share the proving thread pool). 0: serve the
    /// API only, for worker processes sharing the store [default: 1].
    #[arg(long, env = "BULWARK_WORKERS")]
    pub workers: Option<usize>,
    /// Claims per job before an expiring lease fails it [default: 3].
    #[arg(long, env = "BULWARK_MAX_ATTEMPTS")]
    pub max_attempts: Option<u32>,
    /// Largest gRPC message in MiB [default: 64].
    #[arg(long, env = "BULWARK_MAX_MESSAGE_MIB")]
    pub max_message_mib: Option<usize>,
    /// API keys as TENANT:SHA256HEX (the hex SHA-256 of the key; `printf %s KEY | sha256sum`),
    /// comma-separated or repeated. Without any, authentication is off, which is allowed only
    /// on a loopback address unless --allow-unauthenticated.
    #[arg(
        long = "api-key-sha256",
        env = "BULWARK_API_KEYS",
        value_delimiter = ','
    )]
    pub api_keys: Vec<String>,
    /// Serve without API keys on a non-loopback address.
    #[arg(long, env = "BULWARK_ALLOW_UNAUTHENTICATED")]
    pub allow_unauthenticated: Option<bool>,
    /// PEM certificate chain of the server (enables TLS; needs --tls-key).
    #[arg(long, env = "BULWARK_TLS_CERT", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of the server.
    #[arg(long, env = "BULWARK_TLS_KEY", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA certificate; with it, clients must present a certificate it signed (mTLS).
    #[arg(long, env = "BULWARK_TLS_CLIENT_CA", value_name = "FILE")]
    pub tls_client_ca: Option<PathBuf>,
    /// Most queued jobs (all tenants) before SubmitJob answers RESOURCE_EXHAUSTED
    /// [default: 100000; 0: unlimited].
    #[arg(long, env = "BULWARK_MAX_QUEUED")]
    pub max_queued: Option<u64>,
    /// Most queued plus running jobs per tenant [default: 10000; 0: unlimited].
    #[arg(long, env = "BULWARK_MAX_ACTIVE_PER_TENANT")]
    pub max_active_per_tenant: Option<u64>,
    /// Address of the Prometheus metrics endpoint (`GET /metrics`) [default: none].
    #[arg(long, env = "BULWARK_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Seconds finished jobs are kept before the retention sweep deletes them
    /// [default: 604800, a week; 0: forever].
    #[arg(long, env = "BULWARK_RETENTION_SECS")]
    pub retention_secs: Option<f64>,
    /// The proving key, lease and engine settings (shared with `bulwark worker`).
    #[command(flatten)]
    pub prover: ProverArgs,
}

/// The proving key's shape, the workers' lease and drain, and the MSM engine: shared by
/// `bulwark serve` and `bulwark worker`, which must agree on the key and the lease.
#[derive(Debug, Args)]
pub struct ProverArgs {
    /// Account-tree depth D of the rollup key [default: 24].
    #[arg(long, env = "BULWARK_DEPTH", value_name = "D")]
    pub depth: Option<usize>,
    /// Operations per batch B of the rollup key [default: 4].
    #[arg(long, env = "BULWARK_BATCH_SIZE", value_name = "B")]
    pub batch_size: Option<usize>,
    /// Seconds a worker's claim lasts without a heartbeat [default: 30].
    #[arg(long, env = "BULWARK_LEASE_SECS")]
    pub lease_secs: Option<f64>,
    /// Seed of the INSECURE dev setup run when no proving key exists [default: random].
    #[arg(long, env = "BULWARK_DEV_SETUP_SEED")]
    pub dev_setup_seed: Option<u64>,
    /// KZG parameters (bulwark's file, from a ceremony) for the PLONK keys, made on the first
    /// PLONK job [default: INSECURE dev parameters from the dev-setup seed].
    #[arg(long, env = "BULWARK_KZG_PARAMS", value_name = "FILE")]
    pub kzg_params: Option<PathBuf>,
    /// Seconds SIGTERM lets running jobs finish before stopping and requeueing them
    /// [default: 30].
    #[arg(long, env = "BULWARK_SHUTDOWN_GRACE_SECS")]
    pub shutdown_grace_secs: Option<f64>,
    /// Workers run the G1 MSMs on the GPU (CPU fallback, logged, without an adapter).
    #[arg(long, env = "BULWARK_GPU")]
    pub gpu: bool,
}

/// [`ProverArgs`] merged over the config file and checked.
pub struct Prover {
    /// The key's shape.
    pub params: RollupParams,
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// The dev-setup seed.
    pub dev_setup_seed: Option<u64>,
    /// KZG parameters for the PLONK keys.
    pub kzg_params: Option<PathBuf>,
    /// How long shutdown lets running jobs finish.
    pub shutdown_grace: Duration,
}

impl ProverArgs {
    /// Merges the flags and environment over `file` over the defaults, checks them, and
    /// selects the GPU engine when asked.
    pub(super) fn resolve(&self, file: &FileConfig) -> Result<Prover> {
        if self.gpu {
            bulwark_service::engine::use_gpu()?;
        }
        let depth = self.depth.or(file.depth).unwrap_or(24);
        let batch_size = self.batch_size.or(file.batch_size).unwrap_or(4);
        let params = RollupParams::new(depth, batch_size)
            .with_context(|| format!("depth {depth}, batch size {batch_size}"))?;
        let lease = seconds(
            "lease_secs",
            self.lease_secs.or(file.lease_secs).unwrap_or(30.0),
        )?;
        anyhow::ensure!(
            lease >= Duration::from_millis(300),
            "lease_secs must be at least 0.3"
        );
        Ok(Prover {
            params,
            lease,
            dev_setup_seed: self.dev_setup_seed.or(file.dev_setup_seed),
            kzg_params: self.kzg_params.clone().or_else(|| file.kzg_params.clone()),
            shutdown_grace: seconds(
                "shutdown_grace_secs",
                self.shutdown_grace_secs
                    .or(file.shutdown_grace_secs)
                    .unwrap_or(30.0),
            )?,
        })
    }
}

/// Reads the config file, if one is given.
pub(super) fn read_config(path: Option<&Path>) -> Result<FileConfig> {
    path.map_or_else(|| Ok(FileConfig::default()), FileConfig::read)
}

/// The data directory: flag or environment, then the file, then `bulwark-data`.
pub(super) fn data_dir(flag: Option<PathBuf>, file: &FileConfig) -> PathBuf {
    flag.or_else(|| file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from("bulwark-data"))
}

fn seconds(flag: &str, secs: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(secs).with_context(|| format!("{flag} = {secs}"))
}

/// `0` means "no limit".
fn limit(n: u64) -> Option<u64> {
    (n > 0).then_some(n)
}

impl ServeArgs {
    /// Merges the flags and environment over the config file over the defaults: the
    /// service's settings and the address to listen on.
    fn resolve(self) -> Result<(ServeConfig, SocketAddr)> {
        let file = read_config(self.config.as_deref())?;
        let prover = self.prover.resolve(&file)?;
        let data_dir = data_dir(self.data_dir, &file);
        let api_keys: Result<Vec<ApiKey>, _> = if self.api_keys.is_empty() {
            file.api_keys
                .iter()
                .map(|k| ApiKey::from_hex(&k.tenant, &k.sha256))
                .collect()
        } else {
            self.api_keys
                .iter()
                .map(|entry| ApiKey::parse_entry(entry))
                .collect()
        };
        let api_keys = api_keys.context("api keys")?;
        let file_tls = file.tls.unwrap_or_default();
        let tls = match (
            self.tls_cert.or(file_tls.cert),
            self.tls_key.or(file_tls.key),
        ) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert,
                key,
                client_ca: self.tls_client_ca.or(file_tls.client_ca),
            }),
            (None, None) => {
                anyhow::ensure!(
                    self.tls_client_ca.is_none() && file_tls.client_ca.is_none(),
                    "a TLS client CA needs the server's TLS certificate and key"
                );
                None
            }
            _ => anyhow::bail!("TLS needs both the certificate and the key"),
        };
        let retention = self
            .retention_secs
            .or(file.retention_secs)
            .unwrap_or(7.0 * 24.0 * 3600.0);
        let listen = self
            .listen
            .or(file.listen)
            .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 50051)));
        let config = ServeConfig {
            keys_dir: self
                .keys_dir
                .or(file.keys_dir)
                .unwrap_or_else(|| data_dir.join("keys")),
            data_dir,
            store: self.store.or(file.store),
            params: prover.params,
            workers: self.workers.or(file.workers).unwrap_or(1),
            lease: prover.lease,
            max_attempts: self.max_attempts.or(file.max_attempts).unwrap_or(3).max(1),
            dev_setup_seed: prover.dev_setup_seed,
            kzg_params: prover.kzg_params,
            shutdown_grace: prover.shutdown_grace,
            max_message_bytes: self
                .max_message_mib
                .or(file.max_message_mib)
                .unwrap_or(64)
                .saturating_mul(1 << 20),
            api_keys,
            allow_unauthenticated: self
                .allow_unauthenticated
                .or(file.allow_unauthenticated)
                .unwrap_or(false),
            tls,
            limits: Limits {
                max_queued: limit(self.max_queued.or(file.max_queued).unwrap_or(100_000)),
                max_active_per_tenant: limit(
                    self.max_active_per_tenant
                        .or(file.max_active_per_tenant)
                        .unwrap_or(10_000),
                ),
            },
            metrics_listen: self.metrics_listen.or(file.metrics_listen),
            retention: (retention > 0.0)
                .then(|| seconds("retention_secs", retention))
                .transpose()?,
        };
        Ok((config, listen))
    }
}

/// Runs the service on a multi-threaded runtime.
pub fn run(args: ServeArgs) -> Result<()> {
    let (config, listen) = args.resolve()?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        serve(listener, config, shutdown_signal())
            .await
            .context("prover service failed")
    })
}

/// Resolves on ctrl-c or SIGTERM.
pub(super) async fn shutdown_signal() {
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
