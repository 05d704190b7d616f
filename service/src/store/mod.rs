//! Durable job queue: one [`JobStore`] trait, with [`SqliteStore`] as the embedded default and
//! [`PgStore`] (cargo feature `postgres`) for many worker processes sharing one queue.
//! [`open`] picks one by URL. Both apply their schema migrations when they connect.
//!
//! Lifecycle: `queued → running → succeeded | failed | cancelled`. A worker *claims* the
//! highest-priority, oldest queued job under a lease (`owner`, expiry) and extends it with
//! heartbeats; a lease that expires puts the job back in the queue ([`JobStore::requeue_expired`])
//! until `max_attempts` claims have been spent. Every write that changes a running job names
//! the lease owner and only applies while the job is still running under that lease, so a
//! cancelled job's or a lost lease's late result is discarded.
//!
//! Times are Unix milliseconds passed in by the caller, so tests can move the clock.

mod error;
mod group;
#[cfg(feature = "postgres")]
mod postgres;
mod row;
mod sqlite;
mod types;

pub use error::StoreError;
#[cfg(feature = "postgres")]
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use types::{
    Claimed, Counts, Job, JobState, Limits, ListQuery, NewJob, Page, ProofOutput, Stage,
    StageTiming, Submitted,
};

use std::{path::Path, sync::Arc};

use async_trait::async_trait;

/// A durable queue of proving jobs shared by the gRPC front end and the workers.
///
/// Implementations must make [`submit`](JobStore::submit) durable before returning and make
/// [`claim`](JobStore::claim) safe under concurrent workers (one claim per job per lease).
#[async_trait]
pub trait JobStore: Send + Sync + 'static {
    /// Stores a queued job, or returns the tenant's existing job with the same idempotency key
    /// (`created: false`); no limits.
    async fn submit(&self, job: NewJob, now_ms: u64) -> Result<Submitted, StoreError> {
        self.submit_limited(job, &Limits::default(), now_ms).await
    }

    /// [`submit`](JobStore::submit) within `limits`, checked atomically with the insert
    /// (concurrent submissions never pass them): [`StoreError::QueueFull`] or
    /// [`StoreError::TenantLimit`] when a new job would exceed one. A resubmission with a
    /// stored idempotency key returns its job whatever the limits.
    async fn submit_limited(
        &self,
        job: NewJob,
        limits: &Limits,
        now_ms: u64,
    ) -> Result<Submitted, StoreError>;

    /// One of the tenant's jobs.
    async fn get(&self, tenant: &str, id: &str) -> Result<Option<Job>, StoreError>;

    /// A page of the tenant's jobs, newest first, without proofs.
    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError>;

    /// Cancels a queued or running job; a finished job is returned unchanged.
    async fn cancel(&self, tenant: &str, id: &str, now_ms: u64) -> Result<Option<Job>, StoreError>;

    /// Claims the next queued job (priority, then age) for `owner` until `lease_until_ms`,
    /// counting one attempt.
    async fn claim(
        &self,
        owner: &str,
        lease_until_ms: u64,
        now_ms: u64,
    ) -> Result<Option<Claimed>, StoreError>;

    /// Extends `owner`'s lease on a running job and, if given, records its stage. `false`:
    /// the job is no longer running under this lease (cancelled, or the lease expired and was
    /// taken back); the worker must stop and discard its work.
    async fn heartbeat(
        &self,
        id: &str,
        owner: &str,
        stage: Option<Stage>,
        lease_until_ms: u64,
    ) -> Result<bool, StoreError>;

    /// Records a proof; `false` (result discarded) unless the job still runs under `owner`.
    async fn complete(
        &self,
        id: &str,
        owner: &str,
        output: &ProofOutput,
        now_ms: u64,
    ) -> Result<bool, StoreError>;

    /// Records a failure. `retry`: a transient failure, requeued while attempts remain;
    /// otherwise (an invalid witness, a missed deadline) the job fails at once.
    async fn fail(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        retry: bool,
        now_ms: u64,
    ) -> Result<bool, StoreError>;

    /// Requeues every job `owner` is running without counting the attempt (graceful
    /// shutdown); returns how many.
    async fn release(&self, owner: &str) -> Result<u64, StoreError>;

    /// Requeues running jobs whose lease expired before `now_ms`, or fails those that used up
    /// their attempts; returns how many jobs changed.
    async fn requeue_expired(&self, now_ms: u64) -> Result<u64, StoreError>;

    /// Queued and running jobs: every tenant's (`None`) or one tenant's (queue-depth and
    /// per-tenant limits, metrics).
    async fn counts(&self, tenant: Option<&str>) -> Result<Counts, StoreError>;

    /// Deletes succeeded, failed and cancelled jobs that finished before `before_ms`
    /// (retention); returns how many.
    async fn purge_finished(&self, before_ms: u64) -> Result<u64, StoreError>;

    /// Checks that the store is reachable (health checks).
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Opens the store a URL names: `sqlite://PATH` (a database file, created if missing) or
/// `postgres://…` / `postgresql://…` (needs the `postgres` feature).
pub async fn open(url: &str) -> Result<Arc<dyn JobStore>, StoreError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(StoreError::Url(format!("{url}: no database file")));
        }
        return Ok(Arc::new(SqliteStore::open_file(Path::new(path)).await?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(Arc::new(PgStore::connect(url).await?));
        #[cfg(not(feature = "postgres"))]
        return Err(StoreError::Unsupported("postgres"));
    }
    let scheme = url.split_once("://").map_or(url, |(scheme, _)| scheme);
    Err(StoreError::Url(format!(
        "{scheme}: unknown store (expected sqlite://PATH or postgres://…)"
    )))
}

/// The default store URL: the SQLite file in `data_dir`.
pub fn default_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}",
        data_dir.join(SqliteStore::FILE_NAME).display()
    )
}
