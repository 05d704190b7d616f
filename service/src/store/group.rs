//! Group commit of submissions, shared by both SQL backends.
//!
//! A durable commit (an `fsync` of SQLite's WAL, a PostgreSQL WAL flush) costs far more than
//! the insert it makes durable, so one writer task per store takes every submission waiting
//! at the time, stores them in one transaction, commits once and only then answers each
//! submitter: a job is still durable before its `submit` returns, and a burst of submissions
//! shares one commit. Each submission runs under its own savepoint, so one that fails (a
//! limit, a bad row) is rolled back alone and the rest of its batch is stored.
//!
//! The queue-depth and per-tenant limits are checked inside that transaction, which holds
//! the only right to insert jobs (SQLite: `BEGIN IMMEDIATE` takes the write lock; PostgreSQL:
//! a transaction-scoped advisory lock shared by every process's writer), so concurrent
//! submissions cannot pass a limit. Claims and cancellations only ever lower the counts.
//!
//! The statements use `$N` parameters, which SQLite accepts as well.

use sqlx::{
    ColumnIndex, Connection, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type,
};
use tokio::sync::{mpsc, oneshot};

use super::{
    Counts, Limits, NewJob, StoreError, Submitted,
    row::{COLUMNS, job_from_row, new_id, to_i32, to_i64, to_u64},
};

/// Most submissions stored by one transaction.
const MAX_BATCH: usize = 512;

/// Submissions waiting for the writer, at most (further submitters wait to enqueue).
const QUEUE: usize = 4 * MAX_BATCH;

/// How a backend opens the transaction of a batch.
#[derive(Clone, Copy, Debug)]
pub(super) struct BatchSql {
    /// The statement that begins it.
    pub(super) begin: &'static str,
    /// Run first when a submission in the batch has limits, to serialise limit checks with
    /// every other writer (`None`: `begin` already does).
    pub(super) serialise: Option<&'static str>,
}

/// One submission waiting for its batch.
struct Pending {
    job: NewJob,
    limits: Limits,
    now_ms: u64,
    reply: oneshot::Sender<Result<Submitted, StoreError>>,
}

/// The submitting side of a store's writer task.
#[derive(Clone, Debug)]
pub(super) struct GroupCommit(mpsc::Sender<Pending>);

/// What the writer task reads.
pub(super) struct Batches(mpsc::Receiver<Pending>);

/// A writer's channel: the store keeps the [`GroupCommit`] and runs [`Writer::run`] on the
/// [`Batches`] in a task; the task ends when the last clone of the store is dropped.
pub(super) fn channel() -> (GroupCommit, Batches) {
    let (sender, receiver) = mpsc::channel(QUEUE);
    (GroupCommit(sender), Batches(receiver))
}

impl GroupCommit {
    /// Queues `job` for the next batch and waits until that batch is committed.
    pub(super) async fn submit(
        &self,
        job: NewJob,
        limits: &Limits,
        now_ms: u64,
    ) -> Result<Submitted, StoreError> {
        let stopped = || StoreError::Commit("the store's writer task stopped".into());
        let (reply, answer) = oneshot::channel();
        self.0
            .send(Pending {
                job,
                limits: *limits,
                now_ms,
                reply,
            })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Queued and running jobs (all tenants', or `tenant`'s).
pub(super) async fn counts<'e, DB, E>(
    executor: E,
    tenant: Option<&'e str>,
) -> Result<Counts, StoreError>
where
    DB: Database,
    E: Executor<'e, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    let row = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0) AS queued, \
                COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) AS running \
         FROM jobs WHERE state IN ('queued', 'running') \
         AND (CAST($1 AS TEXT) IS NULL OR tenant = $1)",
    )
    .bind(tenant)
    .fetch_one(executor)
    .await?;
    Ok(Counts {
        queued: to_u64(row.try_get("queued")?),
        running: to_u64(row.try_get("running")?),
    })
}

/// The writer task of one store: run it with [`Writer::run`].
pub(super) struct Writer<DB: Database> {
    pool: Pool<DB>,
    sql: BatchSql,
}

impl<DB: Database> Writer<DB> {
    /// A writer storing batches in `pool`, opening their transactions as `sql` says.
    pub(super) fn new(pool: Pool<DB>, sql: BatchSql) -> Self {
        Self { pool, sql }
    }
}

impl<DB> Writer<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> i32: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> i32: Decode<'r, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    /// Stores whatever submissions wait, one transaction per batch, until every
    /// [`GroupCommit`] is dropped.
    pub(super) async fn run(self, mut batches: Batches) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while batches.0.recv_many(&mut batch, MAX_BATCH).await > 0 {
            match self.store_batch(&batch).await {
                Ok(results) => {
                    for (pending, result) in batch.drain(..).zip(results) {
                        // A submitter that gave up waiting no longer needs its answer.
                        let _ = pending.reply.send(result);
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, jobs = batch.len(), "storing a batch of jobs failed");
                    let message = e.to_string();
                    for pending in batch.drain(..) {
                        let _ = pending.reply.send(Err(StoreError::Commit(message.clone())));
                    }
                }
            }
        }
    }

    /// Stores `batch` in one transaction: one result per submission, or the error that lost
    /// the whole transaction.
    async fn store_batch(
        &self,
        batch: &[Pending],
    ) -> Result<Vec<Result<Submitted, StoreError>>, StoreError> {
        let mut tx = self.pool.begin_with(self.sql.begin).await?;
        if let Some(serialise) = self.sql.serialise
            && batch.iter().any(|pending| pending.limits.any())
        {
            sqlx::query(serialise).execute(&mut *tx).await?;
        }
        let mut results = Vec::with_capacity(batch.len());
        for pending in batch {
            let mut savepoint = Connection::begin(&mut *tx).await?;
            let result = Self::submit_one(&mut savepoint, pending).await;
            if result.is_ok() {
                savepoint.commit().await?;
            } else {
                savepoint.rollback().await?;
            }
            results.push(result);
        }
        tx.commit().await?;
        Ok(results)
    }

    /// One submission inside the batch's transaction: the tenant's job with the same key, or
    /// (within the limits) a new job.
    async fn submit_one(
        conn: &mut DB::Connection,
        pending: &Pending,
    ) -> Result<Submitted, StoreError> {
        let Pending {
            job,
            limits,
            now_ms,
            ..
        } = pending;
        let by_key =
            format!("SELECT {COLUMNS} FROM jobs WHERE tenant = $1 AND idempotency_key = $2");
        if let Some(key) = &job.idempotency_key {
            // A retry of an accepted submission gets its job back even when the queue is full.
            let existing = sqlx::query(&by_key)
                .bind(job.tenant.as_str())
                .bind(Some(key.as_str()))
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = existing {
                return job_from_row(&row).map(|job| Submitted {
                    job,
                    created: false,
                });
            }
        }
        if let Some(limit) = limits.max_queued {
            let queued = counts::<DB, _>(&mut *conn, None).await?.queued;
            if queued >= limit {
                return Err(StoreError::QueueFull { queued, limit });
            }
        }
        if let Some(limit) = limits.max_active_per_tenant {
            let tenant = counts::<DB, _>(&mut *conn, Some(job.tenant.as_str())).await?;
            let active = tenant.queued + tenant.running;
            if active >= limit {
                return Err(StoreError::TenantLimit {
                    tenant: job.tenant.clone(),
                    active,
                    limit,
                });
            }
        }
        let insert = format!(
            "INSERT INTO jobs (id, tenant, idempotency_key, statement, backend, payload, \
             priority, deadline_ms, state, stage, max_attempts, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 'queued', $9, $10) \
             ON CONFLICT (tenant, idempotency_key) DO NOTHING RETURNING {COLUMNS}"
        );
        let inserted = sqlx::query(&insert)
            .bind(new_id().as_str())
            .bind(job.tenant.as_str())
            .bind(job.idempotency_key.as_deref())
            .bind(job.statement.as_str())
            .bind(job.backend.as_str())
            .bind(job.payload.as_slice())
            .bind(job.priority)
            .bind(job.deadline_ms.map(to_i64))
            .bind(to_i32(job.max_attempts))
            .bind(to_i64(*now_ms))
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = inserted {
            return job_from_row(&row).map(|job| Submitted { job, created: true });
        }
        // Another process inserted the key after the look-up above and committed.
        let existing = sqlx::query(&by_key)
            .bind(job.tenant.as_str())
            .bind(job.idempotency_key.as_deref())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::Corrupt("idempotent job vanished".into()))?;
        Ok(Submitted {
            job: job_from_row(&existing)?,
            created: false,
        })
    }
}
