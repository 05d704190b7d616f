//! `bulwark serve`: the gRPC prover service with its in-process workers.
//!
//! [`serve`] opens the job store by URL (default: the [`SqliteStore`](crate::store::SqliteStore)
//! under the data directory), loads (or creates once) the proving key for the configured rollup
//! shape, starts the workers, a lease reaper and the health reporter (SERVING only while the store answers),
//! and serves `bulwark.prover.v1.Prover`, `grpc.health.v1.Health` and gRPC reflection until
//! `shutdown` resolves. Shutdown (SIGTERM) stops accepting RPCs and lets running jobs finish
//! for up to the grace period; then it cancels what still runs (each stops within a second)
//! and requeues it without counting the attempt: no accepted job is lost.
//!
//! The edges: API keys with tenants ([`ApiKey`]; without keys, authentication is off and only a
//! loopback address may be served unless [`ServeConfig::allow_unauthenticated`]), optional TLS
//! or mTLS ([`TlsFiles`]), a message-size limit, a queue-depth and a
//! per-tenant limit ([`Limits`], `RESOURCE_EXHAUSTED`), Prometheus metrics on their own HTTP
//! address ([`Metrics`]), and a retention sweep that deletes finished jobs after a while.
//!
//! [`work`] runs the same workers without the gRPC front end (`bulwark worker`), against a
//! store shared with a server.

mod auth;
mod convert;
mod error;
mod keys;
mod metrics;
mod pool;
mod service;

pub use crate::store::Limits;
pub use auth::{AUTHORIZATION_HEADER, ApiKey, ApiKeyError, TENANT_HEADER, hash_api_key};
pub use error::ServiceError;
pub use keys::{
    KeyError, LazyPlonkKeys, PlonkKeys, PlonkProved, RollupKeys, key_dir, key_path, load_or_create,
    load_or_create_plonk, plonk_pk_path, plonk_vk_path,
};
pub use metrics::Metrics;
pub use pool::{WorkerConfig, work};

use std::{future::Future, net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use bulwark_circuits::rollup::RollupParams;
use bulwark_proto::v1::prover_server::ProverServer;
use tokio::{net::TcpListener, sync::watch};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{
    service::interceptor::InterceptedService,
    transport::{Certificate, Identity, ServerTlsConfig},
};

use crate::{
    store::{self, JobStore, StoreError, now_ms},
    worker::Events,
};

/// What `bulwark serve` runs with.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where the job database lives (the default SQLite store).
    pub data_dir: PathBuf,
    /// The job store's URL (`sqlite://PATH`, `postgres://…`); `None`: SQLite under
    /// `data_dir`.
    pub store: Option<String>,
    /// Where proving keys are loaded from or created in.
    pub keys_dir: PathBuf,
    /// The rollup shape jobs are proved for.
    pub params: RollupParams,
    /// Local workers (jobs proved at once); 0 serves the API only, leaving the jobs to other
    /// processes sharing the store.
    pub workers: usize,
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// Claims per job before an expiring lease fails it.
    pub max_attempts: u32,
    /// Seed of the INSECURE dev setup when no key exists (random when `None`); also of the
    /// dev KZG parameters of new PLONK keys.
    pub dev_setup_seed: Option<u64>,
    /// KZG parameters (bulwark's file, from a ceremony) for new PLONK keys; `None`: INSECURE
    /// dev parameters from the seed.
    pub kzg_params: Option<PathBuf>,
    /// How long shutdown waits for running jobs before requeueing them.
    pub shutdown_grace: Duration,
    /// Largest request or response message, in bytes.
    pub max_message_bytes: usize,
    /// API keys and their tenants; empty: no authentication (tenant from `x-bulwark-tenant`).
    pub api_keys: Vec<ApiKey>,
    /// Serve without API keys on a non-loopback address (refused otherwise).
    pub allow_unauthenticated: bool,
    /// TLS (and mTLS with a client CA); `None`: plaintext.
    pub tls: Option<TlsFiles>,
    /// Queue-depth and per-tenant limits.
    pub limits: Limits,
    /// Where to serve Prometheus metrics (`GET /metrics`); `None`: not served.
    pub metrics_listen: Option<SocketAddr>,
    /// How long finished jobs are kept; `None`: forever.
    pub retention: Option<Duration>,
}

/// PEM files of the server's TLS identity and, for mTLS, the CA that signs client certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The server's certificate chain.
    pub cert: PathBuf,
    /// The server's private key.
    pub key: PathBuf,
    /// With it, clients must present a certificate this CA signed (mTLS).
    pub client_ca: Option<PathBuf>,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The job store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The proving key could not be loaded or created.
    #[error("proving key: {0}")]
    Keys(#[from] KeyError),
    /// Key loading panicked.
    #[error("loading the proving key panicked: {0}")]
    KeysPanicked(#[from] tokio::task::JoinError),
    /// The reflection service could not be built.
    #[error("reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The gRPC transport failed (or rejected the TLS configuration).
    #[error("gRPC transport: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// A TLS file could not be read.
    #[error("TLS file {path}: {source}")]
    TlsFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No API keys, on an address other hosts can reach.
    #[error(
        "refusing to serve on {0} without API keys: configure api_keys, listen on a loopback \
         address, or allow unauthenticated access explicitly"
    )]
    Unauthenticated(SocketAddr),
    /// The metrics address could not be bound.
    #[error("metrics address {addr}: {source}")]
    Metrics {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Serves on `listener` until `shutdown` resolves, then drains (see the module docs).
pub async fn serve(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let metrics = pool::bind_metrics(config.metrics_listen).await?;
    serve_with_metrics(listener, metrics, config, shutdown).await
}

/// [`serve`] with the metrics endpoint on an already bound listener (`config.metrics_listen`
/// is ignored).
pub async fn serve_with_metrics(
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr = listener
        .local_addr()
        .map_err(|source| ServeError::Metrics {
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            source,
        })?;
    if config.api_keys.is_empty() {
        if !addr.ip().is_loopback() && !config.allow_unauthenticated {
            return Err(ServeError::Unauthenticated(addr));
        }
        tracing::warn!(%addr, "no API keys configured: authentication is off");
    }
    let tls = config.tls.as_ref().map(tls_config).transpose()?;
    let url = (config.store.clone()).unwrap_or_else(|| store::default_url(&config.data_dir));
    let store = store::open(&url).await?;
    let keys = pool::load_keys(
        config.keys_dir.clone(),
        config.params,
        config.dev_setup_seed,
    )
    .await?;
    let plonk = Arc::new(LazyPlonkKeys::new(
        &config.keys_dir,
        config.params,
        config.kzg_params.clone(),
        config.dev_setup_seed,
    ));

    let events = Events::new();
    let metrics = Metrics::new();
    let poll = pool::poll_interval(config.lease);
    // Turns true when `shutdown` resolves: workers stop claiming, WatchJob streams end (a
    // graceful shutdown waits for open streams), the metrics endpoint stops.
    let (stop_tx, stop_rx) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    let shutdown = {
        let stop_tx = stop_tx.clone();
        async move {
            shutdown.await;
            // Receivers live in the tasks; a send error only means they are all gone.
            let _ = stop_tx.send(true);
        }
    };
    let workers = pool::Workers::start(
        pool::Shared {
            store: store.clone(),
            keys: keys.clone(),
            plonk: plonk.clone(),
            events: events.clone(),
            metrics: metrics.clone(),
        },
        config.workers,
        config.lease,
        stop_rx.clone(),
    );
    let sweeper = config
        .retention
        .map(|keep| tokio::spawn(sweep(store.clone(), keep)));
    let metrics_task = metrics_listener.map(|listener| {
        pool::spawn_metrics(listener, metrics.clone(), store.clone(), stop_rx.clone())
    });

    let (health, health_service) = tonic_health::server::health_reporter();
    let health_task = tokio::spawn(report_health(store.clone(), health));
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(bulwark_proto::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let prover = ProverServer::new(service::ProverService {
        store: store.clone(),
        keys,
        plonk,
        events,
        max_attempts: config.max_attempts,
        poll,
        limits: config.limits,
        metrics: metrics.clone(),
        stopping: stop_rx.clone(),
    })
    .max_decoding_message_size(config.max_message_bytes)
    .max_encoding_message_size(config.max_message_bytes);
    let prover = InterceptedService::new(
        prover,
        auth::Authenticator::new(config.api_keys.clone(), metrics),
    );

    tracing::info!(
        %addr,
        workers = config.workers,
        tls = tls.is_some(),
        api_keys = config.api_keys.len(),
        "serving bulwark.prover.v1"
    );
    let mut builder = tonic::transport::Server::builder();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls)?;
    }
    let served = builder
        .add_service(health_service)
        .add_service(reflection)
        .add_service(prover)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await;

    tracing::info!("shutting down: draining workers");
    health_task.abort();
    if let Some(sweeper) = sweeper {
        sweeper.abort();
    }
    let _ = stop_tx.send(true);
    let requeued = workers.drain(config.shutdown_grace).await?;
    if let Some(task) = metrics_task {
        task.abort();
    }
    tracing::info!(requeued, "shutdown complete");
    served.map_err(Into::into)
}

/// Deletes finished jobs older than `keep`, every quarter of `keep` (between 100 ms and 10
/// minutes).
async fn sweep(store: Arc<dyn JobStore>, keep: Duration) {
    let every = (keep / 4).clamp(Duration::from_millis(100), Duration::from_secs(600));
    let keep_ms = u64::try_from(keep.as_millis()).unwrap_or(u64::MAX);
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match store.purge_finished(now_ms().saturating_sub(keep_ms)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "retention: deleted finished jobs"),
            Err(e) => tracing::error!(error = %e, "retention sweep failed"),
        }
    }
}

/// The server's TLS settings from PEM files.
fn tls_config(files: &TlsFiles) -> Result<ServerTlsConfig, ServeError> {
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|source| ServeError::TlsFile {
            path: path.clone(),
            source,
        })
    };
    let mut tls =
        ServerTlsConfig::new().identity(Identity::from_pem(read(&files.cert)?, read(&files.key)?));
    if let Some(ca) = &files.client_ca {
        tls = tls.client_ca_root(Certificate::from_pem(read(ca)?));
    }
    Ok(tls)
}

/// SERVING while the store answers, NOT_SERVING otherwise; checked every second.
async fn report_health(store: Arc<dyn JobStore>, health: tonic_health::server::HealthReporter) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let status = match store.ping().await {
            Ok(()) => tonic_health::ServingStatus::Serving,
            Err(e) => {
                tracing::error!(error = %e, "job store unreachable");
                tonic_health::ServingStatus::NotServing
            }
        };
        health
            .set_service_status(bulwark_proto::SERVICE_NAME, status)
            .await;
        health.set_service_status("", status).await;
    }
}
