//! `bulwark serve`: the gRPC prover service with its in-process workers.
//!
//! [`serve`] opens the job store (by URL, default the [`SqliteStore`](crate::store::SqliteStore)
//! under the data directory), loads (or creates once) the proving key for the configured rollup shape, starts the
//! workers, a lease reaper and the health reporter (SERVING only while the store answers),
//! and serves `bulwark.prover.v1.Prover`, `grpc.health.v1.Health` and gRPC reflection until
//! `shutdown` resolves. Shutdown stops accepting RPCs, lets running jobs reach their next
//! stage boundary for up to the grace period, and requeues whatever this process still holds:
//! no accepted job is lost.

mod convert;
mod error;
mod keys;
mod pool;
mod service;

pub use error::ServiceError;
pub use keys::{KeyError, RollupKeys, key_path, load_or_create};
pub use pool::{WorkerConfig, work};
pub use service::TENANT_HEADER;

use std::{future::Future, path::PathBuf, sync::Arc, time::Duration};

use bulwark_circuits::rollup::RollupParams;
use bulwark_proto::v1::prover_server::ProverServer;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

use crate::{
    store::{self, JobStore, StoreError},
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
    /// Seed of the INSECURE dev setup when no key exists (random when `None`).
    pub dev_setup_seed: Option<u64>,
    /// How long shutdown waits for running jobs before requeueing them.
    pub shutdown_grace: Duration,
    /// Largest request or response message, in bytes.
    pub max_message_bytes: usize,
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
    /// The gRPC transport failed.
    #[error("gRPC transport: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Serves on `listener` until `shutdown` resolves, then drains (see the module docs).
pub async fn serve(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let url = (config.store.clone()).unwrap_or_else(|| store::default_url(&config.data_dir));
    let store = store::open(&url).await?;
    let keys = pool::load_keys(
        config.keys_dir.clone(),
        config.params,
        config.dev_setup_seed,
    )
    .await?;
    let events = Events::new();
    let poll = pool::poll_interval(config.lease);
    let workers = pool::Workers::start(
        store.clone(),
        keys.clone(),
        events.clone(),
        config.workers,
        config.lease,
    );

    let (health, health_service) = tonic_health::server::health_reporter();
    let health_task = tokio::spawn(report_health(store.clone(), health));
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(bulwark_proto::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let prover = ProverServer::new(service::ProverService {
        store: store.clone(),
        keys,
        events,
        max_attempts: config.max_attempts,
        poll,
    })
    .max_decoding_message_size(config.max_message_bytes)
    .max_encoding_message_size(config.max_message_bytes);

    let addr = listener
        .local_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    tracing::info!(%addr, workers = config.workers, "serving bulwark.prover.v1");
    let served = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(reflection)
        .add_service(prover)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await;

    tracing::info!("shutting down: draining workers");
    health_task.abort();
    let requeued = workers.drain(config.shutdown_grace).await?;
    tracing::info!(requeued, "shutdown complete");
    served.map_err(Into::into)
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
