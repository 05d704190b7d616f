//! In-process workers: claim a job, run its stages on the blocking pool, heartbeat the lease,
//! and stop when the job is cancelled, its lease is lost or its deadline passes. A supervisor
//! task per job notices a cancellation (at once for this process's CancelJob, within
//! [`CANCEL_POLL`] for another's) and cancels the proof's [`CancelToken`], which the prover
//! checks between stages and between MSM slices, so the worker is free again within a second.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use bulwark_circuits::rollup::{self, Batch, RollupCircuit, State};
use bulwark_prover::{CancelToken, ProverError, snarkjs_public};

use crate::engine::{prove_cancellable, uninterruptible};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tracing::Instrument;

use crate::{
    backend::Backend,
    server::{LazyPlonkKeys, Metrics, RollupKeys},
    store::{Claimed, Job, JobState, JobStore, ProofOutput, Stage, StageTiming, now_ms},
};

/// How often a running job's supervisor re-reads the job when no in-process event arrives: a
/// CancelJob served by another process is seen within this (one indexed read per running job).
const CANCEL_POLL: Duration = Duration::from_millis(50);

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

/// The cancel tokens of the jobs this process is proving, by job id.
#[derive(Clone, Default)]
pub(crate) struct RunningJobs(Arc<Mutex<HashMap<String, CancelToken>>>);

impl RunningJobs {
    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, CancelToken>) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Cancels every running proof (shutdown after the grace period); returns how many.
    pub(crate) fn cancel_all(&self) -> usize {
        self.with(|jobs| {
            jobs.values().for_each(CancelToken::cancel);
            jobs.len()
        })
    }
}

/// What every worker of one process shares.
pub(crate) struct WorkerContext {
    pub(crate) store: Arc<dyn JobStore>,
    pub(crate) keys: Arc<RollupKeys>,
    /// The PLONK keys, made on the first PLONK job.
    pub(crate) plonk: Arc<LazyPlonkKeys>,
    pub(crate) events: Events,
    /// The lease owner: one per server process.
    pub(crate) owner: String,
    pub(crate) lease: Duration,
    pub(crate) poll: Duration,
    pub(crate) metrics: Metrics,
    pub(crate) running: RunningJobs,
}

impl WorkerContext {
    fn lease_until(&self) -> u64 {
        now_ms().saturating_add(u64::try_from(self.lease.as_millis()).unwrap_or(u64::MAX))
    }
}

/// Why a job stopped before its result was stored.
enum Stop {
    /// Cancelled, or the lease was lost (or, at shutdown, stopped for requeueing): nothing is
    /// stored; the result, if any, is discarded.
    Lost,
    /// The job failed; `retry` when the failure is transient. `reason` labels the metric.
    Failed {
        error: String,
        retry: bool,
        reason: &'static str,
    },
}

/// A deterministic failure (the same job fails the same way again): not retried.
fn failed<E: std::fmt::Display>(reason: &'static str, what: &str) -> impl FnOnce(E) -> Stop {
    move |e| Stop::Failed {
        error: format!("{what}: {e}"),
        retry: false,
        reason,
    }
}

/// A prove stage's result: a cancellation stops the job, any other error fails it.
fn prove_outcome<T>(result: Result<T, ProverError>) -> Result<T, Stop> {
    match result {
        Err(ProverError::Cancelled) => Err(Stop::Lost),
        other => other.map_err(failed("prove", "proving")),
    }
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
    let token = CancelToken::new();
    ctx.running
        .with(|jobs| jobs.insert(id.clone(), token.clone()));
    let supervisor = tokio::spawn(supervise(ctx.clone(), claimed.job.clone(), token.clone()));
    let result = prove_job(ctx, &claimed, &token).await;
    supervisor.abort();
    ctx.running.with(|jobs| jobs.remove(&id));
    let now = now_ms();
    let outcome = match result {
        Ok(output) => match ctx.store.complete(&id, &ctx.owner, &output, now).await {
            Ok(true) => {
                tracing::info!("job succeeded");
                ctx.metrics.finished("succeeded");
                return;
            }
            Ok(false) => Ok(false),
            Err(e) => Err(e),
        },
        Err(Stop::Failed {
            error,
            retry,
            reason,
        }) => {
            tracing::warn!(%error, retry, reason, "job failed");
            ctx.metrics.failure(reason);
            ctx.store.fail(&id, &ctx.owner, &error, retry, now).await
        }
        Err(Stop::Lost) if *shutdown.borrow() => {
            tracing::info!("shutting down: job stopped, left for requeueing");
            ctx.metrics.finished("requeued");
            return;
        }
        Err(Stop::Lost) => Ok(false),
    };
    match outcome {
        Ok(true) => ctx.metrics.finished("failed"),
        Ok(false) => {
            tracing::info!("job cancelled or lease lost: result discarded");
            ctx.metrics.finished("discarded");
        }
        Err(e) => tracing::error!(error = %e, "recording the job's outcome failed"),
    }
}

/// Keeps the lease alive (every third of its length) and cancels `token` as soon as the job
/// is no longer running under this process's lease: woken by in-process events (this
/// process's CancelJob) or every [`CANCEL_POLL`].
async fn supervise(ctx: Arc<WorkerContext>, job: Job, token: CancelToken) {
    let mut events = ctx.events.subscribe();
    let beat_every = ctx.lease / 3;
    let mut last_beat = Instant::now();
    loop {
        tokio::select! {
            _ = events.changed() => {}
            () = tokio::time::sleep(CANCEL_POLL) => {}
        }
        let ours = if last_beat.elapsed() >= beat_every {
            last_beat = Instant::now();
            ctx.store
                .heartbeat(&job.id, &ctx.owner, None, ctx.lease_until())
                .await
        } else {
            ctx.store
                .get(&job.tenant, &job.id)
                .await
                .map(|now| now.is_some_and(|now| now.state == JobState::Running))
        };
        match ours {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!("job cancelled or lease lost: stopping the proof");
                token.cancel();
                return;
            }
            Err(e) => tracing::warn!(error = %e, "checking the job's lease failed"),
        }
    }
}

/// Runs the stages, checking between them that the job should go on.
async fn prove_job(
    ctx: &Arc<WorkerContext>,
    claimed: &Claimed,
    token: &CancelToken,
) -> Result<ProofOutput, Stop> {
    let job = &claimed.job;
    let mut timings = Vec::new();
    let gate = |stage: Stage| async move {
        if token.is_cancelled() {
            return Err(Stop::Lost);
        }
        if job.deadline_ms.is_some_and(|deadline| now_ms() > deadline) {
            return Err(Stop::Failed {
                error: format!("deadline exceeded before stage {}", stage.as_str()),
                retry: false,
                reason: "deadline",
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
                reason: "store",
            }),
        }
    };

    gate(Stage::Check).await?;
    let payload = claimed.payload.clone();
    let params = ctx.keys.params;
    let (state, batch) = stage(ctx, &mut timings, Stage::Check, move || {
        let payload: RollupPayload = serde_json::from_slice(&payload)
            .map_err(failed("payload", "stored payload is not a rollup witness"))?;
        rollup::check(&payload.state, &payload.batch, &params)
            .map_err(failed("invalid_witness", "invalid witness"))?;
        Ok((payload.state, payload.batch))
    })
    .await?;

    gate(Stage::Witness).await?;
    let circuit = stage(ctx, &mut timings, Stage::Witness, move || {
        let mut state = state;
        let witness = rollup::build_witness(&mut state, &batch, &params)
            .map_err(failed("witness", "building the witness"))?;
        RollupCircuit::new(params, witness).map_err(failed("witness", "building the circuit"))
    })
    .await?;

    gate(Stage::Prove).await?;
    match Backend::from_name(&job.backend) {
        Some(Backend::Groth16) => prove_groth16(ctx, circuit, token, timings).await,
        Some(Backend::Plonk) => prove_plonk(ctx, circuit, token, timings).await,
        None => Err(Stop::Failed {
            error: format!("unknown backend {:?} in the stored job", job.backend),
            retry: false,
            reason: "payload",
        }),
    }
}

/// The Groth16 prove stage: cancellable between stages and MSM slices.
async fn prove_groth16(
    ctx: &Arc<WorkerContext>,
    circuit: RollupCircuit,
    token: &CancelToken,
    mut timings: Vec<StageTiming>,
) -> Result<ProofOutput, Stop> {
    let (keys, cancel) = (ctx.keys.clone(), token.clone());
    let (proved, prove_timings) = stage(ctx, &mut timings, Stage::Prove, move || {
        prove_outcome(prove_cancellable(
            &keys.pk,
            circuit,
            &mut rand::thread_rng(),
            &cancel,
        ))
    })
    .await?;
    if let Some(prove_timings) = prove_timings {
        ctx.metrics.msm(prove_timings.msm);
    }
    let mut proof = Vec::new();
    proved
        .proof
        .write_to(&mut proof)
        .map_err(failed("encode", "encoding the proof"))?;
    Ok(ProofOutput {
        proof,
        public_inputs: snarkjs_public(&proved.public_inputs),
        timings,
    })
}

/// The PLONK prove stage (halo2): the keys are made first if this is the first PLONK job
/// (not part of the stage's time); halo2 cannot be interrupted, so a cancellation is seen
/// before and after the proof.
async fn prove_plonk(
    ctx: &Arc<WorkerContext>,
    circuit: RollupCircuit,
    token: &CancelToken,
    mut timings: Vec<StageTiming>,
) -> Result<ProofOutput, Stop> {
    let keys = ctx
        .plonk
        .get()
        .await
        .map_err(failed("keys", "PLONK keys"))?;
    let cancel = token.clone();
    let proved = stage(ctx, &mut timings, Stage::Prove, move || {
        prove_outcome(uninterruptible(&cancel, || keys.prove(circuit)))
    })
    .await?;
    Ok(ProofOutput {
        proof: proved.proof,
        public_inputs: snarkjs_public(&proved.public_inputs),
        timings,
    })
}

/// Runs one CPU-bound stage on the blocking pool and times it (and records it in the metrics).
/// A panic is retried.
async fn stage<T: Send + 'static>(
    ctx: &WorkerContext,
    timings: &mut Vec<StageTiming>,
    stage: Stage,
    f: impl FnOnce() -> Result<T, Stop> + Send + 'static,
) -> Result<T, Stop> {
    let start = Instant::now();
    let result = tokio::task::spawn_blocking(f).await;
    let seconds = start.elapsed().as_secs_f64();
    tracing::debug!(stage = stage.as_str(), seconds, "stage done");
    timings.push(StageTiming { stage, seconds });
    ctx.metrics.stage(stage, seconds);
    result.unwrap_or_else(|e| {
        Err(Stop::Failed {
            error: format!("stage {} panicked: {e}", stage.as_str()),
            retry: true,
            reason: "panic",
        })
    })
}
