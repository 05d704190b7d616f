//! The records a [`JobStore`](super::JobStore) keeps.

use serde::{Deserialize, Serialize};

use super::StoreError;

/// Where a job is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Claimed by a worker under a lease.
    Running,
    /// Proved.
    Succeeded,
    /// Failed for good (see the job's error).
    Failed,
    /// Cancelled by a client.
    Cancelled,
}

impl JobState {
    /// Every state, in lifecycle order.
    pub const ALL: [JobState; 5] = [
        Self::Queued,
        Self::Running,
        Self::Succeeded,
        Self::Failed,
        Self::Cancelled,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses [`JobState::as_str`].
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown job state {s:?}")))
    }

    /// Succeeded, failed or cancelled: nothing will change any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

/// The proving stage a job is in (or last reached).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for a worker.
    Queued,
    /// Native validation of the witness.
    Check,
    /// Building the circuit witness.
    Witness,
    /// Proving and self-verifying.
    Prove,
    /// Finished.
    Done,
}

impl Stage {
    const ALL: [Stage; 5] = [
        Self::Queued,
        Self::Check,
        Self::Witness,
        Self::Prove,
        Self::Done,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Check => "check",
            Self::Witness => "witness",
            Self::Prove => "prove",
            Self::Done => "done",
        }
    }

    /// Parses [`Stage::as_str`].
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        Self::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown stage {s:?}")))
    }
}

/// The wall time of one finished stage.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageTiming {
    /// The stage.
    pub stage: Stage,
    /// Its wall time in seconds.
    pub seconds: f64,
}

/// A job to queue.
#[derive(Clone, Debug)]
pub struct NewJob {
    /// Whose job it is: jobs, idempotency keys and listings are per tenant.
    pub tenant: String,
    /// A retried submission with the same key (same tenant) returns the same job.
    pub idempotency_key: Option<String>,
    /// What is proved (`"rollup"`).
    pub statement: String,
    /// The proof system (`"groth16"`).
    pub backend: String,
    /// The statement's witness, as the worker will read it.
    pub payload: Vec<u8>,
    /// Higher runs first.
    pub priority: i32,
    /// No stage starts after this time (Unix ms).
    pub deadline_ms: Option<u64>,
    /// Claims allowed before an expiring lease fails the job.
    pub max_attempts: u32,
}

/// A stored job (without its payload).
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// The job's id.
    pub id: String,
    /// Whose job it is.
    pub tenant: String,
    /// The submission's idempotency key, if any.
    pub idempotency_key: Option<String>,
    /// What is proved.
    pub statement: String,
    /// The proof system.
    pub backend: String,
    /// Lifecycle state.
    pub state: JobState,
    /// Progress stage.
    pub stage: Stage,
    /// Higher runs first.
    pub priority: i32,
    /// Claims so far.
    pub attempts: u32,
    /// Claims allowed.
    pub max_attempts: u32,
    /// Why it failed or was cancelled.
    pub error: Option<String>,
    /// The proof file's bytes, once succeeded (omitted by listings).
    pub proof: Option<Vec<u8>>,
    /// Public inputs as decimal strings, once succeeded.
    pub public_inputs: Vec<String>,
    /// Wall time of each finished stage of the successful attempt.
    pub timings: Vec<StageTiming>,
    /// Submission time (Unix ms).
    pub created_ms: u64,
    /// First claim (Unix ms).
    pub started_ms: Option<u64>,
    /// Finish time (Unix ms).
    pub finished_ms: Option<u64>,
    /// Deadline (Unix ms).
    pub deadline_ms: Option<u64>,
}

/// The result of [`JobStore::submit`](super::JobStore::submit).
#[derive(Clone, Debug)]
pub struct Submitted {
    /// The new job, or the existing one with the same idempotency key.
    pub job: Job,
    /// `false` when the idempotency key matched an existing job.
    pub created: bool,
}

/// A job claimed by a worker, with its payload.
#[derive(Clone, Debug)]
pub struct Claimed {
    /// The job (state running).
    pub job: Job,
    /// Its witness payload.
    pub payload: Vec<u8>,
}

/// What a successful job produced.
#[derive(Clone, Debug)]
pub struct ProofOutput {
    /// The proof file's bytes.
    pub proof: Vec<u8>,
    /// Public inputs as decimal strings.
    pub public_inputs: Vec<String>,
    /// Stage wall times.
    pub timings: Vec<StageTiming>,
}

/// A listing request.
#[derive(Clone, Debug)]
pub struct ListQuery {
    /// Whose jobs.
    pub tenant: String,
    /// Only jobs in this state.
    pub state: Option<JobState>,
    /// At most this many.
    pub limit: u32,
    /// Continue after this cursor (from [`Page::next`]).
    pub after: Option<i64>,
}

/// One page of a listing.
#[derive(Clone, Debug)]
pub struct Page {
    /// The jobs, newest first.
    pub jobs: Vec<Job>,
    /// Cursor of the next page; `None` on the last.
    pub next: Option<i64>,
}

/// How many jobs wait and run (all tenants', or one tenant's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Jobs in state queued.
    pub queued: u64,
    /// Jobs in state running.
    pub running: u64,
}

/// Limits on what the queue accepts; [`JobStore::submit_limited`](super::JobStore::submit_limited)
/// checks them in the transaction that inserts the job, so concurrent submissions never pass
/// them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Most jobs queued at once (all tenants); `None`: unlimited.
    pub max_queued: Option<u64>,
    /// Most queued plus running jobs per tenant; `None`: unlimited.
    pub max_active_per_tenant: Option<u64>,
}

impl Limits {
    /// Whether any limit is set.
    pub fn any(&self) -> bool {
        self.max_queued.is_some() || self.max_active_per_tenant.is_some()
    }
}
