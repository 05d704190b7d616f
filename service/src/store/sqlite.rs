//! [`JobStore`] on an embedded SQLite file (WAL, `synchronous = FULL`): one process, any
//! number of in-process workers. Submissions are group-committed (see `group`); every other
//! state change is one statement, so claims are atomic without explicit transactions.

use std::{path::Path, str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    Row,
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};

use super::{
    Claimed, Counts, Job, JobState, JobStore, Limits, ListQuery, NewJob, Page, ProofOutput, Stage,
    StoreError, Submitted,
    group::{self, BatchSql, GroupCommit, Writer},
    row::{COLUMNS, Embedded, LIST_COLUMNS, cursor, job_from_row, migrate, to_i64},
};

/// The SQLite schema's migrations, in order.
const MIGRATIONS: Embedded = Embedded(&[(
    1,
    "jobs",
    include_str!("../../migrations/sqlite/0001_jobs.sql"),
)]);

/// Submission batches take the write lock at once: the limits they check stay true until
/// they commit, and a reader's snapshot never has to be upgraded.
const SUBMIT_BATCH: BatchSql = BatchSql {
    begin: "BEGIN IMMEDIATE",
    serialise: None,
};

/// The SQLite job store.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    group: GroupCommit,
}

impl SqliteStore {
    /// The database file [`SqliteStore::open`] uses in a data directory.
    pub const FILE_NAME: &str = "jobs.sqlite3";

    /// Opens (creating if missing) `dir/jobs.sqlite3`.
    pub async fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_file(&dir.join(Self::FILE_NAME)).await
    }

    /// Opens (creating it and its directory if missing) the database file `path`.
    pub async fn open_file(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
                path: dir.to_owned(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // An accepted job survives power loss, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        Self::connect(options, 4).await
    }

    /// A private in-memory store (tests).
    pub async fn in_memory() -> Result<Self, StoreError> {
        // One connection: every connection to `:memory:` is its own database.
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        Self::connect(options, 1).await
    }

    async fn connect(options: SqliteConnectOptions, max: u32) -> Result<Self, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .connect_with(options)
            .await?;
        migrate(&pool, MIGRATIONS).await?;
        let (group, batches) = group::channel();
        tokio::spawn(Writer::new(pool.clone(), SUBMIT_BATCH).run(batches));
        Ok(Self { pool, group })
    }

    async fn job_by_id(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }
}

#[async_trait]
impl JobStore for SqliteStore {
    async fn submit_limited(
        &self,
        job: NewJob,
        limits: &Limits,
        now_ms: u64,
    ) -> Result<Submitted, StoreError> {
        self.group.submit(job, limits, now_ms).await
    }

    async fn get(&self, tenant: &str, id: &str) -> Result<Option<Job>, StoreError> {
        Ok(self.job_by_id(id).await?.filter(|job| job.tenant == tenant))
    }

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM jobs WHERE tenant = ? AND (? IS NULL OR state = ?) \
             AND (? IS NULL OR seq < ?) ORDER BY seq DESC LIMIT ?"
        );
        let state = query.state.map(JobState::as_str);
        let rows = sqlx::query(&sql)
            .bind(&query.tenant)
            .bind(state)
            .bind(state)
            .bind(query.after)
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
             lease_owner = NULL, lease_until_ms = NULL, finished_ms = ? \
             WHERE id = ? AND tenant = ? AND state IN ('queued', 'running')",
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
            "UPDATE jobs SET state = 'running', stage = 'check', lease_owner = ?, \
             lease_until_ms = ?, attempts = attempts + 1, \
             started_ms = COALESCE(started_ms, ?), timings = NULL \
             WHERE seq = (SELECT seq FROM jobs WHERE state = 'queued' \
                          ORDER BY priority DESC, seq LIMIT 1) \
             AND state = 'queued' \
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
            "UPDATE jobs SET lease_until_ms = ?, stage = COALESCE(?, stage) \
             WHERE id = ? AND lease_owner = ? AND state = 'running'",
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
            "UPDATE jobs SET state = 'succeeded', stage = 'done', proof = ?, public_inputs = ?, \
             timings = ?, error = NULL, lease_owner = NULL, lease_until_ms = NULL, \
             finished_ms = ? WHERE id = ? AND lease_owner = ? AND state = 'running'",
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
               state = CASE WHEN ? AND attempts < max_attempts THEN 'queued' ELSE 'failed' END, \
               stage = CASE WHEN ? AND attempts < max_attempts THEN 'queued' ELSE 'done' END, \
               finished_ms = CASE WHEN ? AND attempts < max_attempts THEN NULL ELSE ? END, \
               error = ?, lease_owner = NULL, lease_until_ms = NULL \
             WHERE id = ? AND lease_owner = ? AND state = 'running'",
        )
        .bind(retry)
        .bind(retry)
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
             WHERE lease_owner = ? AND state = 'running'",
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
               finished_ms = CASE WHEN attempts < max_attempts THEN NULL ELSE ? END, \
               lease_owner = NULL, lease_until_ms = NULL \
             WHERE state = 'running' AND lease_until_ms < ?",
        )
        .bind(to_i64(now_ms))
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
             AND finished_ms < ?",
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
