//! What both SQL backends share: the column list, job ids, integer conversions, reading a
//! [`Job`] from a row, and the embedded migrations.

use std::{future::Future, pin::Pin};

use sqlx::{
    ColumnIndex, Database, Decode, Row, Type,
    error::BoxDynError,
    migrate::{Migration, MigrationSource, MigrationType, Migrator},
};

use super::{Job, JobState, Stage, StageTiming, StoreError};

/// Every column but the payload.
pub(super) const COLUMNS: &str = "id, tenant, idempotency_key, statement, backend, state, stage, \
    priority, attempts, max_attempts, error, proof, public_inputs, timings, created_ms, \
    started_ms, finished_ms, deadline_ms";

/// The listing's columns: the cursor, and no proof.
pub(super) const LIST_COLUMNS: &str = "seq, id, tenant, idempotency_key, statement, backend, \
    state, stage, priority, attempts, max_attempts, error, NULL AS proof, public_inputs, timings, \
    created_ms, started_ms, finished_ms, deadline_ms";

/// A fresh job id: 128 random bits.
pub(super) fn new_id() -> String {
    format!("job_{:032x}", rand::random::<u128>())
}

/// Unix ms into a signed SQL integer (saturating).
pub(super) fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A SQL integer (a count, Unix ms) into `u64` (negative: 0).
pub(super) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// An attempt count into a SQL `INTEGER` (saturating).
pub(super) fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn count(column: &str, v: i32) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{column} is negative: {v}")))
}

/// Reads a [`Job`] from a row holding [`COLUMNS`] (or [`LIST_COLUMNS`]). Integers are read
/// as `INTEGER`/`BIGINT` so one reader serves SQLite and PostgreSQL.
pub(super) fn job_from_row<'r, R>(row: &'r R) -> Result<Job, StoreError>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i32: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
{
    let state: String = row.try_get("state")?;
    let stage: String = row.try_get("stage")?;
    let public_inputs: Option<String> = row.try_get("public_inputs")?;
    let timings: Option<String> = row.try_get("timings")?;
    let json = |what: &str, e: serde_json::Error| StoreError::Corrupt(format!("{what}: {e}"));
    let time = |column: &str| -> Result<Option<u64>, StoreError> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(to_u64))
    };
    Ok(Job {
        id: row.try_get("id")?,
        tenant: row.try_get("tenant")?,
        idempotency_key: row.try_get("idempotency_key")?,
        statement: row.try_get("statement")?,
        backend: row.try_get("backend")?,
        state: JobState::parse(&state)?,
        stage: Stage::parse(&stage)?,
        priority: row.try_get("priority")?,
        attempts: count("attempts", row.try_get("attempts")?)?,
        max_attempts: count("max_attempts", row.try_get("max_attempts")?)?,
        error: row.try_get("error")?,
        proof: row.try_get("proof")?,
        public_inputs: public_inputs
            .map(|s| serde_json::from_str(&s).map_err(|e| json("public_inputs", e)))
            .transpose()?
            .unwrap_or_default(),
        timings: timings
            .map(|s| serde_json::from_str::<Vec<StageTiming>>(&s).map_err(|e| json("timings", e)))
            .transpose()?
            .unwrap_or_default(),
        created_ms: to_u64(row.try_get("created_ms")?),
        started_ms: time("started_ms")?,
        finished_ms: time("finished_ms")?,
        deadline_ms: time("deadline_ms")?,
    })
}

/// Reads the listing cursor of a [`LIST_COLUMNS`] row.
pub(super) fn cursor<'r, R>(row: &'r R) -> Result<i64, StoreError>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(row.try_get("seq")?)
}

/// One backend's migrations, compiled into the binary: `(version, description, SQL)`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Embedded(pub(super) &'static [(i64, &'static str, &'static str)]);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|&(version, description, sql)| {
                    Migration::new(
                        version,
                        description.into(),
                        MigrationType::Simple,
                        sql.into(),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Applies `migrations` not yet applied to the database behind `pool` (tracked in
/// `_sqlx_migrations`; PostgreSQL serialises concurrent runs with an advisory lock).
pub(super) async fn migrate<DB>(
    pool: &sqlx::Pool<DB>,
    migrations: Embedded,
) -> Result<(), StoreError>
where
    DB: Database,
    DB::Connection: sqlx::migrate::Migrate,
{
    Migrator::new(migrations).await?.run(pool).await?;
    Ok(())
}
