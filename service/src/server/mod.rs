//! `bulwark serve`: the gRPC prover service with its in-process workers.
//!
//! [`serve`] opens the [`SqliteStore`](crate::store::SqliteStore) under the data directory,
//! loads (or creates once) the proving key for the configured rollup shape, starts the
//! workers, a lease reaper and the health reporter (SERVING only while the store answers),
//! and serves `bulwark.prover.v1.Prover`, `grpc.health.v1.Health` and gRPC reflection until
//! `shutdown` resolves. Shutdown stops accepting RPCs, lets running jobs reach their next
//! stage boundary for up to the grace period, and requeues whatever this process still holds:
//! no accepted job is lost.

mod convert;
mod error;
mod keys;
mod service;

pub use error::ServiceError;
pub use keys::{KeyError, RollupKeys, key_path, load_or_create};
pub use service::TENANT_HEADER;

use std::{future::Future, path::PathBuf, sync::Arc, time::Duration};

use bulwark_circuits::rollup::RollupParams;
use bulwark_proto::v1::prover_server::ProverServer;
use tokio::{net::TcpListener, sync::watch};
use tokio_stream::wrappers::TcpListenerStream;

use crate::{
    store::{JobStore, SqliteStore, StoreError, now_ms},
    worker::{self, Events, WorkerContext},
};

/// What `bulwark serve` runs with.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Where the job database lives.
    pub data_dir: PathBuf,
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
    let store: Arc<dyn JobStore> = Arc::new(SqliteStore::open(&config.data_dir).await?);
    let (keys_dir, params, seed) = (
        config.keys_dir.clone(),
        config.params,
        config.dev_setup_seed,
    );
    let keys = Arc::new(
        tokio::task::spawn_blocking(move || load_or_create(&keys_dir, params, seed)).await??,
    );
    tracing::info!(
        depth = params.depth(),
        batch_size = params.batch_size(),
        "proving key ready"
    );

    let events = Events::new();
    let poll = Duration::from_millis(250).min(config.lease / 4);
    let ctx = Arc::new(WorkerContext {
        store: store.clone(),
        keys: keys.clone(),
        events: events.clone(),
        owner: format!("pid{}-{:016x}", std::process::id(), rand::random::<u64>()),
        lease: config.lease,
        poll,
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let workers: Vec<_> = (0..config.workers)
        .map(|i| tokio::spawn(worker::run(ctx.clone(), i, stop_rx.clone())))
        .collect();
    let reaper = tokio::spawn(reap(store.clone(), events.clone(), config.lease / 2));

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
    tracing::info!(%addr, workers = workers.len(), "serving bulwark.prover.v1");
    let served = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(reflection)
        .add_service(prover)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await;

    tracing::info!("shutting down: draining workers");
    health_task.abort();
    reaper.abort();
    // Receivers live in the workers; a send error only means they are all gone.
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(config.shutdown_grace, async {
        for w in workers {
            let _ = w.await;
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(grace = ?config.shutdown_grace, "running jobs did not stop in time");
    }
    let requeued = store.release(&ctx.owner).await?;
    tracing::info!(requeued, "shutdown complete");
    served.map_err(Into::into)
}

/// Requeues jobs whose worker stopped heartbeating.
async fn reap(store: Arc<dyn JobStore>, events: Events, every: Duration) {
    let mut tick = tokio::time::interval(every.max(Duration::from_millis(100)));
    loop {
        tick.tick().await;
        match store.requeue_expired(now_ms()).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::warn!(jobs = n, "requeued jobs whose lease expired");
                events.bump();
            }
            Err(e) => tracing::error!(error = %e, "requeueing expired leases failed"),
        }
    }
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
