//! [`JobStore`] on PostgreSQL: one queue shared by any number of server and `bulwark worker`
//! processes on any number of machines.
//!
//! Claims pick the next queued job with `FOR UPDATE SKIP LOCKED`, so concurrent workers never
//! wait on each other's row and never take the same job. Every other state change is one
//! conditional `UPDATE` that only applies under the expected state and lease owner. Submissions
//! are group-committed (see `group`). Idempotent submission relies on the
//! `(tenant, idempotency_key)` unique constraint: of two racing inserts, the second waits for
//! the first to commit and then inserts nothing. A submission is committed
//! (`synchronous_commit` as the server sets it, `on` by default) before
//! [`JobStore::submit_limited`] returns.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::{
    Row,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
};

use super::{
    Claimed, Counts, Job, JobState, JobStore, Limits, ListQuery, NewJob, Page, ProofOutput, Stage,
    StoreError, Submitted,
    group::{self, BatchSql, GroupCommit, Writer},
    row::{COLUMNS, Embedded, LIST_COLUMNS, cursor, job_from_row, migrate, to_i64},
};

/// The PostgreSQL schema's migrations, in order.
const MIGRATIONS: Embedded = Embedded(&[(
    1,
    "jobs",
    include_str!("../../migrations/postgres/0001_jobs.sql"),
)]);

/// Submission batches that check limits first take a transaction-scoped advisory lock (the
/// key spells "bulwark" in ASCII), so the writers of all processes sharing the queue check
/// and insert one batch at a time; batches without limits run side by side.
const SUBMIT_BATCH: BatchSql = BatchSql {
    begin: "BEGIN",
    serialise: Some("SELECT pg_advisory_xact_lock(27713656437437035)"),
};

/// The PostgreSQL job store.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    group: GroupCommit,
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database?options=…`) and applies
    /// pending migrations. Tables live in the connection's `search_path` schema.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url
            .parse()
            .map_err(|e| StoreError::Url(format!("{}: {e}", redact(url))))?;
        Self::connect_with(options).await
    }

    /// Connects with explicit options and applies pending migrations.
    pub async fn connect_with(options: PgConnectOptions) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        migrate(&pool, MIGRATIONS).await?;
        let (group, batches) = group::channel();
        tokio::spawn(Writer::new(pool.clone(), SUBMIT_BATCH).run(batches));
        Ok(Self { pool, group })
    }

    async fn job_where(&self, condition: &str, a: &str, b: Option<&str>) -> QueryJob {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE {condition}");
        let row = sqlx::query(&sql)
            .bind(a)
            .bind(b)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }
}

type QueryJob = Result<Option<Job>, StoreError>;

/// `url` without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            match user_info.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &user_info[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[async_trait]
impl JobStore for PgStore {
    async fn submit_limited(
        &self,
        job: NewJob,
        limits: &Limits,
        now_ms: u64,
    ) -> Result<Submitted, StoreError> {
        self.group.submit(job, limits, now_ms).await
    }

    async fn get(&self, tenant: &str, id: &str) -> Result<Option<Job>, StoreError> {
        self.job_where("id = $1 AND tenant = $2", id, Some(tenant))
            .await
    }

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM jobs WHERE tenant = $1 \
             AND ($2::text IS NULL OR state = $2) AND ($3::bigint IS NULL OR seq < $3) \
             ORDER BY seq DESC LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(&query.tenant)
            .bind(query.state.map(JobState::as_str))
            .bind(query.after)
            .bind(i64::from(query.limit) + 1)
            .fetch_all(&self.pool)
            .await?;
        let more = rows.len() > query.limit as usize;
        let rows = &rows[..rows.len().min(query.limit as usize)];
        let next = match rows.last() {
            Some(last) if more => Some(cursor(last)?),
            _ => None,
        };
        let jobs = rows.iter().map(job_from_row).collect::<Result<_, _>>()?;
        Ok(Page { jobs, next })
    }

    async fn cancel(&self, tenant: &str, id: &str, now_ms: u64) -> Result<Option<Job>, StoreError> {
        sqlx::query(
            "UPDATE jobs SET state = 'cancelled', stage = 'done', error = 'cancelled by client', \
             lease_owner = NULL, lease_until_ms = NULL, finished_ms = $1 \
             WHERE id = $2 AND tenant = $3 AND state IN ('queued', 'running')",
        )
        .bind(to_i64(now_ms))
        .bind(id)
        .bind(tenant)
        .execute(&self.pool)
        .await?;
        self.get(tenant, id).await
    }

    async fn claim(
        &self,
        owner: &str,
        lease_until_ms: u64,
        now_ms: u64,
    ) -> Result<Option<Claimed>, StoreError> {
        let sql = format!(
            "UPDATE jobs SET state = 'running', stage = 'check', lease_owner = $1, \
             lease_until_ms = $2, attempts = attempts + 1, \
             started_ms = COALESCE(started_ms, $3), timings = NULL \
             FROM (SELECT seq FROM jobs WHERE state = 'queued' \
                   ORDER BY priority DESC, seq LIMIT 1 FOR UPDATE SKIP LOCKED) AS next \
             WHERE jobs.seq = next.seq \
             RETURNING {COLUMNS}, payload"
        );
        let row = sqlx::query(&sql)
            .bind(owner)
            .bind(to_i64(lease_until_ms))
            .bind(to_i64(now_ms))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(Claimed {
                job: job_from_row(&row)?,
                payload: row.try_get("payload")?,
            })
        })
        .transpose()
    }

    async fn heartbeat(
        &self,
        id: &str,
        owner: &str,
        stage: Option<Stage>,
        lease_until_ms: u64,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE jobs SET lease_until_ms = $1, stage = COALESCE($2, stage) \
             WHERE id = $3 AND lease_owner = $4 AND state = 'running'",
        )
        .bind(to_i64(lease_until_ms))
        .bind(stage.map(Stage::as_str))
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    async fn complete(
        &self,
        id: &str,
        owner: &str,
        output: &ProofOutput,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        let json = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
        let updated = sqlx::query(
            "UPDATE jobs SET state = 'succeeded', stage = 'done', proof = $1, public_inputs = $2, \
             timings = $3, error = NULL, lease_owner = NULL, lease_until_ms = NULL, \
             finished_ms = $4 WHERE id = $5 AND lease_owner = $6 AND state = 'running'",
        )
        .bind(&output.proof)
        .bind(serde_json::to_string(&output.public_inputs).map_err(json)?)
        .bind(serde_json::to_string(&output.timings).map_err(json)?)
        .bind(to_i64(now_ms))
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    async fn fail(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        retry: bool,
        now_ms: u64,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE jobs SET \
               state = CASE WHEN $1 AND attempts < max_attempts THEN 'queued' ELSE 'failed' END, \
               stage = CASE WHEN $1 AND attempts < max_attempts THEN 'queued' ELSE 'done' END, \
               finished_ms = CASE WHEN $1 AND attempts < max_attempts THEN NULL ELSE $2::bigint END, \
               error = $3, lease_owner = NULL, lease_until_ms = NULL \
             WHERE id = $4 AND lease_owner = $5 AND state = 'running'",
        )
        .bind(retry)
        .bind(to_i64(now_ms))
        .bind(error)
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    async fn release(&self, owner: &str) -> Result<u64, StoreError> {
        let updated = sqlx::query(
            "UPDATE jobs SET state = 'queued', stage = 'queued', attempts = attempts - 1, \
             lease_owner = NULL, lease_until_ms = NULL \
             WHERE lease_owner = $1 AND state = 'running'",
        )
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected())
    }

    async fn requeue_expired(&self, now_ms: u64) -> Result<u64, StoreError> {
        let updated = sqlx::query(
            "UPDATE jobs SET \
               state = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END, \
               stage = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'done' END, \
               error = 'worker lease expired (attempt ' || attempts || ' of ' \
                       || max_attempts || ')', \
               finished_ms = CASE WHEN attempts < max_attempts THEN NULL ELSE $1::bigint END, \
               lease_owner = NULL, lease_until_ms = NULL \
             WHERE state = 'running' AND lease_until_ms < $1",
        )
        .bind(to_i64(now_ms))
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected())
    }

    async fn counts(&self, tenant: Option<&str>) -> Result<Counts, StoreError> {
        group::counts(&self.pool, tenant).await
    }

    async fn purge_finished(&self, before_ms: u64) -> Result<u64, StoreError> {
        let deleted = sqlx::query(
            "DELETE FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') \
             AND finished_ms < $1",
        )
        .bind(to_i64(before_ms))
        .execute(&self.pool)
        .await?;
        Ok(deleted.rows_affected())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
