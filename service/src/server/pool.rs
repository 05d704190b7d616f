//! Proving workers and the lease reaper, as `bulwark serve` and `bulwark worker` run them.

use std::{future::Future, net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use bulwark_circuits::rollup::RollupParams;
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

use super::{LazyPlonkKeys, Metrics, RollupKeys, ServeError, load_or_create, metrics};
use crate::{
    store::{self, JobStore, now_ms},
    worker::{self, Events, RunningJobs, WorkerContext},
};

/// What `bulwark worker` runs with: proving workers on a shared store, no gRPC front end.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// The job store's URL (`postgres://…`, or `sqlite://PATH` on the same machine).
    pub store_url: String,
    /// Where proving keys are loaded from or created in.
    pub keys_dir: PathBuf,
    /// The rollup shape jobs are proved for.
    pub params: RollupParams,
    /// Workers (jobs proved at once).
    pub workers: usize,
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// Seed of the INSECURE dev setup when no key exists (random when `None`); also of the
    /// dev KZG parameters of new PLONK keys.
    pub dev_setup_seed: Option<u64>,
    /// KZG parameters (bulwark's file) for new PLONK keys; `None`: INSECURE dev parameters.
    pub kzg_params: Option<PathBuf>,
    /// How long shutdown waits for running jobs before stopping and requeueing them.
    pub shutdown_grace: Duration,
    /// Where to serve Prometheus metrics (`GET /metrics`); `None`: not served.
    pub metrics_listen: Option<SocketAddr>,
}

/// Runs workers against the store at `config.store_url` until `shutdown` resolves, then lets
/// running jobs finish for up to the grace period, stops the rest and requeues them.
pub async fn work(
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let metrics_listener = bind_metrics(config.metrics_listen).await?;
    let store = store::open(&config.store_url).await?;
    let plonk = Arc::new(LazyPlonkKeys::new(
        &config.keys_dir,
        config.params,
        config.kzg_params.clone(),
        config.dev_setup_seed,
    ));
    let keys = load_keys(config.keys_dir, config.params, config.dev_setup_seed).await?;
    let metrics = Metrics::new();
    let (stop_tx, stop_rx) = watch::channel(false);
    let pool = Workers::start(
        Shared {
            store: store.clone(),
            keys,
            plonk,
            events: Events::new(),
            metrics: metrics.clone(),
        },
        config.workers,
        config.lease,
        stop_rx.clone(),
    );
    let metrics_task =
        metrics_listener.map(|listener| spawn_metrics(listener, metrics, store, stop_rx));
    tracing::info!(workers = config.workers, owner = %pool.ctx.owner, "workers started");
    shutdown.await;
    tracing::info!("shutting down: draining workers");
    // Receivers live in the tasks; a send error only means they are all gone.
    let _ = stop_tx.send(true);
    let requeued = pool.drain(config.shutdown_grace).await?;
    if let Some(task) = metrics_task {
        task.abort();
    }
    tracing::info!(requeued, "shutdown complete");
    Ok(())
}

/// Binds the metrics address, if one is configured.
pub(super) async fn bind_metrics(
    addr: Option<SocketAddr>,
) -> Result<Option<TcpListener>, ServeError> {
    let Some(addr) = addr else {
        return Ok(None);
    };
    TcpListener::bind(addr)
        .await
        .map(Some)
        .map_err(|source| ServeError::Metrics { addr, source })
}

/// Serves `GET /metrics` on `listener` until `stop` turns true.
pub(super) fn spawn_metrics(
    listener: TcpListener,
    metrics: Metrics,
    store: Arc<dyn JobStore>,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    if let Ok(at) = listener.local_addr() {
        tracing::info!(addr = %at, "serving Prometheus metrics on /metrics");
    }
    tokio::spawn(metrics::serve_metrics(listener, metrics, store, stop))
}

/// Loads (or creates once, INSECURE dev setup) the proving key on the blocking pool.
pub(super) async fn load_keys(
    keys_dir: PathBuf,
    params: RollupParams,
    seed: Option<u64>,
) -> Result<Arc<RollupKeys>, ServeError> {
    let keys =
        tokio::task::spawn_blocking(move || load_or_create(&keys_dir, params, seed)).await??;
    tracing::info!(
        depth = params.depth(),
        batch_size = params.batch_size(),
        "proving key ready"
    );
    Ok(Arc::new(keys))
}

/// The claim poll interval for a lease: workers also wake on in-process events, so this
/// only bounds how late they see jobs submitted through other processes.
pub(super) fn poll_interval(lease: Duration) -> Duration {
    Duration::from_millis(250).min(lease / 4)
}

/// What the workers share with the rest of the process.
pub(super) struct Shared {
    pub(super) store: Arc<dyn JobStore>,
    pub(super) keys: Arc<RollupKeys>,
    pub(super) plonk: Arc<LazyPlonkKeys>,
    pub(super) events: Events,
    pub(super) metrics: Metrics,
}

/// Running workers and their lease reaper.
pub(super) struct Workers {
    ctx: Arc<WorkerContext>,
    handles: Vec<JoinHandle<()>>,
    reaper: JoinHandle<()>,
}

impl Workers {
    /// Starts `count` workers under one lease owner named after this process; they stop
    /// claiming when `stop` turns true.
    pub(super) fn start(
        shared: Shared,
        count: usize,
        lease: Duration,
        stop: watch::Receiver<bool>,
    ) -> Self {
        let Shared {
            store,
            keys,
            plonk,
            events,
            metrics,
        } = shared;
        let ctx = Arc::new(WorkerContext {
            store: store.clone(),
            keys,
            plonk,
            events: events.clone(),
            owner: format!("pid{}-{:016x}", std::process::id(), rand::random::<u64>()),
            lease,
            poll: poll_interval(lease),
            metrics,
            running: RunningJobs::default(),
        });
        let handles = (0..count)
            .map(|i| tokio::spawn(worker::run(ctx.clone(), i, stop.clone())))
            .collect();
        let reaper = tokio::spawn(reap(store, events, lease / 2));
        Self {
            ctx,
            handles,
            reaper,
        }
    }

    /// After the stop signal: waits up to `grace` for running jobs to finish, then cancels
    /// them (each stops within a second), and requeues whatever this process still holds
    /// without counting the attempt; returns how many jobs were requeued.
    pub(super) async fn drain(self, grace: Duration) -> Result<u64, ServeError> {
        self.reaper.abort();
        let mut workers = std::pin::pin!(async {
            for worker in self.handles {
                // A worker that panicked has logged it; its job is requeued below.
                let _ = worker.await;
            }
        });
        if tokio::time::timeout(grace, &mut workers).await.is_err() {
            let cancelled = self.ctx.running.cancel_all();
            tracing::warn!(
                ?grace,
                jobs = cancelled,
                "running jobs did not finish in time: stopping them for requeueing"
            );
            if tokio::time::timeout(Duration::from_secs(5), &mut workers)
                .await
                .is_err()
            {
                tracing::warn!("workers did not stop; requeueing their jobs anyway");
            }
        }
        Ok(self.ctx.store.release(&self.ctx.owner).await?)
    }
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
