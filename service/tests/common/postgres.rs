//! A fresh PostgreSQL schema per test, on the server `BULWARK_TEST_POSTGRES_URL` names.
//!
//! Without that variable the PostgreSQL tests skip with a printed reason, except under
//! `CI=true`, where they fail.

use sqlx::{Connection, Executor, PgConnection};

/// Where the PostgreSQL tests run.
const URL_VAR: &str = "BULWARK_TEST_POSTGRES_URL";
/// Test schemas older than this (from crashed or interrupted runs) are dropped.
const STALE_SECS: u64 = 3600;

/// A URL whose connections use a new, empty schema (tables of earlier tests are not seen),
/// or `None` when no server is configured and this is not CI.
pub async fn fresh_schema_url(test: &str) -> Option<String> {
    let Ok(base) = std::env::var(URL_VAR) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{URL_VAR} is not set: the PostgreSQL tests need a server under CI=true"
        );
        eprintln!("skipping {test}: set {URL_VAR}=postgres://… to run the PostgreSQL tests");
        return None;
    };
    let mut admin = PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("{URL_VAR}: cannot connect: {e}"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let stale: Vec<(String,)> = sqlx::query_as(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'bulwark_test_%'",
    )
    .fetch_all(&mut admin)
    .await
    .expect("list test schemas");
    for (name,) in stale {
        let born = name.split('_').nth(2).and_then(|s| s.parse::<u64>().ok());
        if born.is_some_and(|born| born + STALE_SECS < now) {
            // Another run may be dropping it too.
            let _ = admin
                .execute(format!("DROP SCHEMA IF EXISTS {name} CASCADE").as_str())
                .await;
        }
    }
    let schema = format!("bulwark_test_{now}_{:016x}", rand::random::<u64>());
    admin
        .execute(format!("CREATE SCHEMA {schema}").as_str())
        .await
        .expect("create test schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!(
        "{base}{separator}options=-c%20search_path%3D{schema}"
    ))
}
