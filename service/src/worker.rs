//! In-process workers: claim a job, run its stages on the blocking pool, heartbeat the lease,
//! and stop between stages when the job was cancelled, its lease was lost, its deadline
//! passed or the server is shutting down.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use bulwark_circuits::rollup::{self, Batch, RollupCircuit, State};
use bulwark_prover::{ProofWithInputs, snarkjs_public};

use crate::engine::prove;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tracing::Instrument;

use crate::{
    server::RollupKeys,
    store::{Claimed, JobStore, ProofOutput, Stage, StageTiming, now_ms},
};

/// The stored payload of a rollup job.
#[derive(Serialize, Deserialize)]
pub(crate) struct RollupPayload {
    pub(crate) state: State,
    pub(crate) batch: Batch,
}

/// A signal that some job changed: workers wait on it for new jobs, watchers for updates.
#[derive(Clone)]
pub(crate) struct Events(Arc<watch::Sender<u64>>);

impl Events {
    pub(crate) fn new() -> Self {
        Self(Arc::new(watch::channel(0).0))
    }

    pub(crate) fn bump(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

/// What every worker of one process shares.
pub(crate) struct WorkerContext {
    pub(crate) store: Arc<dyn JobStore>,
    pub(crate) keys: Arc<RollupKeys>,
    pub(crate) events: Events,
    /// The lease owner: one per server process.
    pub(crate) owner: String,
    pub(crate) lease: Duration,
    pub(crate) poll: Duration,
}

impl WorkerContext {
    fn lease_until(&self) -> u64 {
        now_ms().saturating_add(u64::try_from(self.lease.as_millis()).unwrap_or(u64::MAX))
    }
}

/// Why a job stopped before its result was stored.
enum Stop {
    /// Cancelled, or the lease was lost: the result is discarded.
    Lost,
    /// Shutting down: the job is released back to the queue by the server.
    Shutdown,
    /// The job failed; `retry` when the failure is transient.
    Failed { error: String, retry: bool },
}

/// Runs one worker until `shutdown` turns true.
pub(crate) async fn run(
    ctx: Arc<WorkerContext>,
    index: usize,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut events = ctx.events.subscribe();
    while !*shutdown.borrow() {
        match ctx
            .store
            .claim(&ctx.owner, ctx.lease_until(), now_ms())
            .await
        {
            Ok(Some(claimed)) => {
                ctx.events.bump();
                let span = tracing::info_span!(
                    "job",
                    id = %claimed.job.id,
                    worker = index,
                    attempt = claimed.job.attempts
                );
                run_job(&ctx, claimed, &shutdown).instrument(span).await;
                ctx.events.bump();
            }
            Ok(None) => {
                tokio::select! {
                    _ = events.changed() => {}
                    _ = tokio::time::sleep(ctx.poll) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::error!(worker = index, error = %e, "claiming a job failed");
                tokio::time::sleep(ctx.poll).await;
            }
        }
    }
    tracing::debug!(worker = index, "worker stopped");
}

async fn run_job(ctx: &Arc<WorkerContext>, claimed: Claimed, shutdown: &watch::Receiver<bool>) {
    let id = claimed.job.id.clone();
    tracing::info!("job started");
    let heartbeat = tokio::spawn(heartbeat(ctx.clone(), id.clone()));
    let result = prove_job(ctx, &claimed, shutdown).await;
    heartbeat.abort();
    let now = now_ms();
    let outcome = match result {
        Ok(output) => match ctx.store.complete(&id, &ctx.owner, &output, now).await {
            Ok(true) => {
                tracing::info!("job succeeded");
                return;
            }
            Ok(false) => Ok(false),
            Err(e) => Err(e),
        },
        Err(Stop::Failed { error, retry }) => {
            tracing::warn!(%error, retry, "job failed");
            ctx.store.fail(&id, &ctx.owner, &error, retry, now).await
        }
        Err(Stop::Lost) => Ok(false),
        Err(Stop::Shutdown) => {
            tracing::info!("shutting down: job left for requeueing");
            return;
        }
    };
    match outcome {
        Ok(true) => {}
        Ok(false) => tracing::info!("job cancelled or lease lost: result discarded"),
        Err(e) => tracing::error!(error = %e, "recording the job's outcome failed"),
    }
}

/// Extends the lease every third of its length while the job runs.
async fn heartbeat(ctx: Arc<WorkerContext>, id: String) {
    loop {
        tokio::time::sleep(ctx.lease / 3).await;
        match ctx
            .store
            .heartbeat(&id, &ctx.owner, None, ctx.lease_until())
            .await
        {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => tracing::warn!(error = %e, "heartbeat failed"),
        }
    }
}

/// Runs the stages, checking between them that the job should go on.
async fn prove_job(
    ctx: &Arc<WorkerContext>,
    claimed: &Claimed,
    shutdown: &watch::Receiver<bool>,
) -> Result<ProofOutput, Stop> {
    let job = &claimed.job;
    let mut timings = Vec::new();
    let gate = |stage: Stage| async move {
        if *shutdown.borrow() {
            return Err(Stop::Shutdown);
        }
        if job.deadline_ms.is_some_and(|deadline| now_ms() > deadline) {
            return Err(Stop::Failed {
                error: format!("deadline exceeded before stage {}", stage.as_str()),
                retry: false,
            });
        }
        match ctx
            .store
            .heartbeat(&job.id, &ctx.owner, Some(stage), ctx.lease_until())
            .await
        {
            Ok(true) => {
                ctx.events.bump();
                Ok(())
            }
            Ok(false) => Err(Stop::Lost),
            Err(e) => Err(Stop::Failed {
                error: format!("job store: {e}"),
                retry: true,
            }),
        }
    };

    gate(Stage::Check).await?;
    let payload = claimed.payload.clone();
    let params = ctx.keys.params;
    let (state, batch) = stage(&mut timings, Stage::Check, move || {
        let payload: RollupPayload = serde_json::from_slice(&payload)
            .map_err(|e| format!("stored payload is not a rollup witness: {e}"))?;
        rollup::check(&payload.state, &payload.batch, &params)
            .map_err(|e| format!("invalid witness: {e}"))?;
        Ok((payload.state, payload.batch))
    })
    .await?;

    gate(Stage::Witness).await?;
    let circuit = stage(&mut timings, Stage::Witness, move || {
        let mut state = state;
        let witness = rollup::build_witness(&mut state, &batch, &params)
            .map_err(|e| format!("building the witness: {e}"))?;
        RollupCircuit::new(params, witness).map_err(|e| format!("building the circuit: {e}"))
    })
    .await?;

    gate(Stage::Prove).await?;
    let keys = ctx.keys.clone();
    let proved: ProofWithInputs = stage(&mut timings, Stage::Prove, move || {
        prove(&keys.pk, circuit, &mut rand::thread_rng()).map_err(|e| format!("proving: {e}"))
    })
    .await?;
    let mut proof = Vec::new();
    proved
        .proof
        .write_to(&mut proof)
        .map_err(|e| Stop::Failed {
            error: format!("encoding the proof: {e}"),
            retry: false,
        })?;
    Ok(ProofOutput {
        proof,
        public_inputs: snarkjs_public(&proved.public_inputs),
        timings,
    })
}

/// Runs one CPU-bound stage on the blocking pool and times it. Its own errors are
/// deterministic (the same witness fails the same way): not retried. A panic is retried.
async fn stage<T: Send + 'static>(
    timings: &mut Vec<StageTiming>,
    stage: Stage,
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, Stop> {
    let start = Instant::now();
    let result = tokio::task::spawn_blocking(f).await;
    let seconds = start.elapsed().as_secs_f64();
    tracing::debug!(stage = stage.as_str(), seconds, "stage done");
    timings.push(StageTiming { stage, seconds });
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Stop::Failed {
            error,
            retry: false,
        }),
        Err(e) => Err(Stop::Failed {
            error: format!("stage {} panicked: {e}", stage.as_str()),
            retry: true,
        }),
    }
}
