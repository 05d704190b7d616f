//! Proving workers and the lease reaper, as `bulwark serve` and `bulwark worker` run them.

use std::{future::Future, path::PathBuf, sync::Arc, time::Duration};

use bulwark_circuits::rollup::RollupParams;
use tokio::{sync::watch, task::JoinHandle};

use super::{RollupKeys, ServeError, load_or_create};
use crate::{
    store::{self, JobStore, now_ms},
    worker::{self, Events, WorkerContext},
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
    /// Seed of the INSECURE dev setup when no key exists (random when `None`).
    pub dev_setup_seed: Option<u64>,
    /// How long shutdown waits for running jobs before requeueing them.
    pub shutdown_grace: Duration,
}

/// Runs workers against the store at `config.store_url` until `shutdown` resolves, then lets
/// running jobs reach a stage boundary (up to the grace period) and requeues the rest.
pub async fn work(
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let store = store::open(&config.store_url).await?;
    let keys = load_keys(config.keys_dir, config.params, config.dev_setup_seed).await?;
    let pool = Workers::start(store, keys, Events::new(), config.workers, config.lease);
    tracing::info!(workers = config.workers, owner = %pool.owner(), "workers started");
    shutdown.await;
    tracing::info!("shutting down: draining workers");
    let requeued = pool.drain(config.shutdown_grace).await?;
    tracing::info!(requeued, "shutdown complete");
    Ok(())
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

/// Running workers and their lease reaper.
pub(super) struct Workers {
    ctx: Arc<WorkerContext>,
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
    reaper: JoinHandle<()>,
}

impl Workers {
    /// Starts `count` workers under one lease owner named after this process.
    pub(super) fn start(
        store: Arc<dyn JobStore>,
        keys: Arc<RollupKeys>,
        events: Events,
        count: usize,
        lease: Duration,
    ) -> Self {
        let ctx = Arc::new(WorkerContext {
            store: store.clone(),
            keys,
            events: events.clone(),
            owner: format!("pid{}-{:016x}", std::process::id(), rand::random::<u64>()),
            lease,
            poll: poll_interval(lease),
        });
        let (stop, stop_rx) = watch::channel(false);
        let handles = (0..count)
            .map(|i| tokio::spawn(worker::run(ctx.clone(), i, stop_rx.clone())))
            .collect();
        let reaper = tokio::spawn(reap(store, events, lease / 2));
        Self {
            ctx,
            stop,
            handles,
            reaper,
        }
    }

    /// The lease owner the workers claim as.
    pub(super) fn owner(&self) -> &str {
        &self.ctx.owner
    }

    /// Stops the workers, waits up to `grace` for running jobs to reach a stage boundary,
    /// and requeues whatever they still hold; returns how many jobs were requeued.
    pub(super) async fn drain(self, grace: Duration) -> Result<u64, ServeError> {
        self.reaper.abort();
        // Receivers live in the workers; a send error only means they are all gone.
        let _ = self.stop.send(true);
        let drained = tokio::time::timeout(grace, async {
            for w in self.handles {
                let _ = w.await;
            }
        })
        .await;
        if drained.is_err() {
            tracing::warn!(?grace, "running jobs did not stop in time");
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
