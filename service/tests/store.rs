//! The job-store conformance suite, run against every backend.

#[path = "store/suite.rs"]
mod suite;

mod sqlite {
    use bulwark_service::store::SqliteStore;

    crate::suite::job_store_suite!(Some(
        SqliteStore::in_memory().await.expect("in-memory store")
    ));

    #[tokio::test]
    async fn file_store_survives_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("q.sqlite3");
        let store = SqliteStore::open_file(&path).await.expect("open");
        let id = crate::suite::submit_one(&store).await;
        drop(store);
        let store = SqliteStore::open_file(&path).await.expect("reopen");
        crate::suite::assert_queued(&store, &id).await;
    }

    #[tokio::test]
    async fn store_urls_pick_the_backend_or_say_what_is_wrong() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = bulwark_service::store::default_url(dir.path());
        let store = bulwark_service::store::open(&url).await.expect("open");
        crate::suite::submit_one(&*store).await;
        assert!(dir.path().join(SqliteStore::FILE_NAME).exists());
        for (bad, why) in [
            ("mysql://x", "unknown store"),
            ("sqlite://", "no database file"),
            ("jobs.db", "unknown store"),
        ] {
            let err = bulwark_service::store::open(bad).await.err().expect(bad);
            assert!(err.to_string().contains(why), "{bad}: {err}");
        }
    }
}

mod common;

#[cfg(feature = "postgres")]
mod postgres {
    use bulwark_service::store::PgStore;

    use crate::common::postgres as common;

    async fn fresh(test: &str) -> Option<PgStore> {
        let url = common::fresh_schema_url(test).await?;
        Some(PgStore::connect(&url).await.expect("connect"))
    }

    crate::suite::job_store_suite!(fresh(module_path!()).await);

    #[tokio::test]
    async fn migrations_apply_once_when_processes_race() {
        let Some(url) = common::fresh_schema_url("migrations_apply_once").await else {
            return;
        };
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let url = url.clone();
            tasks.spawn(async move { PgStore::connect(&url).await.map(|_| ()) });
        }
        while let Some(result) = tasks.join_next().await {
            result.expect("task").expect("connect and migrate");
        }
        let store = PgStore::connect(&url).await.expect("reconnect");
        crate::suite::submit_one(&store).await;
    }

    /// A row PostgreSQL refuses (text with a NUL byte) fails alone; the submissions sharing
    /// its batch are stored.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bad_row_fails_alone_in_its_batch() {
        use bulwark_service::store::{JobStore, NewJob};
        let Some(store) = fresh("a_bad_row_fails_alone").await else {
            return;
        };
        let store = std::sync::Arc::new(store);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..32 {
            let store = store.clone();
            tasks.spawn(async move {
                let tenant = if i == 7 { "bad\0tenant" } else { "t" };
                let job = NewJob {
                    tenant: tenant.into(),
                    idempotency_key: None,
                    statement: "rollup".into(),
                    backend: "groth16".into(),
                    payload: b"{}".to_vec(),
                    priority: 0,
                    deadline_ms: None,
                    max_attempts: 1,
                };
                (i, store.submit(job, 1).await)
            });
        }
        while let Some(result) = tasks.join_next().await {
            match result.expect("task") {
                (7, result) => assert!(result.is_err(), "NUL byte accepted: {result:?}"),
                (i, result) => assert!(result.expect("a good row").created, "job {i}"),
            }
        }
        assert_eq!(store.counts(None).await.expect("counts").queued, 31);
    }
}
