//! The queue's rules on an in-memory database, with an explicit clock.

use super::*;

const LEASE: u64 = 1_000;

fn new_job(tenant: &str, key: Option<&str>, priority: i32) -> NewJob {
    NewJob {
        tenant: tenant.into(),
        idempotency_key: key.map(Into::into),
        statement: "rollup".into(),
        backend: "groth16".into(),
        payload: b"{}".to_vec(),
        priority,
        deadline_ms: None,
        max_attempts: 2,
    }
}

async fn store() -> SqliteStore {
    SqliteStore::in_memory().await.expect("in-memory store")
}

async fn submit(store: &SqliteStore, priority: i32, now: u64) -> String {
    store
        .submit(new_job("t", None, priority), now)
        .await
        .expect("submit")
        .job
        .id
}

async fn claim(store: &SqliteStore, owner: &str, now: u64) -> Option<Job> {
    store
        .claim(owner, now + LEASE, now)
        .await
        .expect("claim")
        .map(|c| c.job)
}

#[tokio::test]
async fn claims_by_priority_then_age() {
    let store = store().await;
    let low = submit(&store, 0, 1).await;
    let high_old = submit(&store, 5, 2).await;
    let high_new = submit(&store, 5, 3).await;
    let order: Vec<String> = [
        claim(&store, "w", 10).await,
        claim(&store, "w", 10).await,
        claim(&store, "w", 10).await,
    ]
    .into_iter()
    .map(|job| job.expect("a queued job").id)
    .collect();
    assert_eq!(order, [high_old, high_new, low]);
    assert!(claim(&store, "w", 10).await.is_none(), "queue is empty");
}

#[tokio::test]
async fn claim_marks_running_and_counts_the_attempt() {
    let store = store().await;
    let id = submit(&store, 0, 1).await;
    let job = claim(&store, "w", 10).await.expect("claimed");
    assert_eq!(
        (job.id.as_str(), job.state, job.attempts),
        (id.as_str(), JobState::Running, 1)
    );
    assert_eq!(job.started_ms, Some(10));
}

#[tokio::test]
async fn expired_lease_is_requeued_then_fails_after_max_attempts() {
    let store = store().await;
    let id = submit(&store, 0, 1).await;
    claim(&store, "dead", 10).await.expect("first claim");
    assert_eq!(
        store.requeue_expired(10 + LEASE - 1).await.expect("reap"),
        0,
        "lease alive"
    );
    assert_eq!(
        store.requeue_expired(10 + LEASE + 1).await.expect("reap"),
        1
    );
    let job = store.get("t", &id).await.expect("get").expect("job");
    assert_eq!((job.state, job.stage), (JobState::Queued, Stage::Queued));

    // The dead worker's late heartbeat and result are refused.
    assert!(
        !store
            .heartbeat(&id, "dead", None, 99_999)
            .await
            .expect("hb")
    );

    let now = 20 + LEASE;
    claim(&store, "dead-too", now).await.expect("second claim");
    assert_eq!(
        store.requeue_expired(now + LEASE + 1).await.expect("reap"),
        1
    );
    let job = store.get("t", &id).await.expect("get").expect("job");
    assert_eq!((job.state, job.attempts), (JobState::Failed, 2));
    assert!(
        job.error
            .as_deref()
            .is_some_and(|e| e.contains("lease expired")),
        "{job:?}"
    );
    assert!(
        claim(&store, "w", now + 2 * LEASE).await.is_none(),
        "not requeued a third time"
    );
}

#[tokio::test]
async fn heartbeat_extends_the_lease_and_records_the_stage() {
    let store = store().await;
    let id = submit(&store, 0, 1).await;
    claim(&store, "w", 10).await.expect("claimed");
    assert!(
        store
            .heartbeat(&id, "w", Some(Stage::Prove), 10 + 5 * LEASE)
            .await
            .expect("hb")
    );
    assert!(
        !store
            .heartbeat(&id, "other", None, 10 + 5 * LEASE)
            .await
            .expect("hb")
    );
    assert_eq!(
        store.requeue_expired(10 + 2 * LEASE).await.expect("reap"),
        0
    );
    let job = store.get("t", &id).await.expect("get").expect("job");
    assert_eq!((job.state, job.stage), (JobState::Running, Stage::Prove));
}

#[tokio::test]
async fn deterministic_failure_is_not_retried() {
    let store = store().await;
    let id = submit(&store, 0, 1).await;
    claim(&store, "w", 10).await.expect("claimed");
    assert!(
        store
            .fail(&id, "w", "operation 0: bad", false, 11)
            .await
            .expect("fail")
    );
    let job = store.get("t", &id).await.expect("get").expect("job");
    assert_eq!((job.state, job.attempts), (JobState::Failed, 1));
    assert_eq!(job.error.as_deref(), Some("operation 0: bad"));
    assert!(claim(&store, "w", 12).await.is_none());
}

#[tokio::test]
async fn transient_failure_is_retried_while_attempts_remain() {
    let store = store().await;
    let id = submit(&store, 0, 1).await;
    claim(&store, "w", 10).await.expect("claimed");
    assert!(
        store
            .fail(&id, "w", "panicked", true, 11)
            .await
            .expect("fail")
    );
    assert_eq!(claim(&store, "w", 12).await.expect("requeued").id, id);
    assert!(
        store
            .fail(&id, "w", "panicked", true, 13)
            .await
            .expect("fail")
    );
    let job = store.get("t", &id).await.expect("get").expect("job");
    assert_eq!((job.state, job.attempts), (JobState::Failed, 2));
}

#[tokio::test]
async fn idempotency_key_returns_the_same_job_per_tenant() {
    let store = store().await;
    let first = store
        .submit(new_job("a", Some("k"), 0), 1)
        .await
        .expect("submit");
    let again = store
        .submit(new_job("a", Some("k"), 0), 2)
        .await
        .expect("submit");
    let other = store
        .submit(new_job("b", Some("k"), 0), 3)
        .await
        .expect("submit");
    assert!(first.created && !again.created && other.created);
    assert_eq!(first.job.id, again.job.id);
    assert_ne!(first.job.id, other.job.id);
    assert!(
        store.get("b", &first.job.id).await.expect("get").is_none(),
        "tenants are apart"
    );
}

#[tokio::test]
async fn cancel_discards_a_running_jobs_late_result() {
    let store = store().await;
    let queued = submit(&store, 0, 1).await;
    let running = submit(&store, 9, 2).await;
    claim(&store, "w", 10).await.expect("claimed");
    for id in [&queued, &running] {
        let job = store
            .cancel("t", id, 11)
            .await
            .expect("cancel")
            .expect("job");
        assert_eq!(job.state, JobState::Cancelled);
    }
    assert!(
        !store
            .heartbeat(&running, "w", Some(Stage::Prove), 99)
            .await
            .expect("hb")
    );
    let output = ProofOutput {
        proof: vec![1],
        public_inputs: vec![],
        timings: vec![],
    };
    assert!(
        !store
            .complete(&running, "w", &output, 12)
            .await
            .expect("complete")
    );
    let job = store.get("t", &running).await.expect("get").expect("job");
    assert_eq!((job.state, job.proof), (JobState::Cancelled, None));
    assert!(
        claim(&store, "w", 13).await.is_none(),
        "cancelled jobs are not claimed"
    );
}

#[tokio::test]
async fn release_requeues_without_spending_an_attempt() {
    let store = store().await;
    let id = submit(&store, 0, 1).await;
    claim(&store, "w", 10).await.expect("claimed");
    assert_eq!(store.release("w").await.expect("release"), 1);
    let job = claim(&store, "w2", 11).await.expect("requeued");
    assert_eq!((job.id, job.attempts), (id, 1));
}

#[tokio::test]
async fn complete_stores_the_proof() {
    let store = store().await;
    let id = submit(&store, 0, 1).await;
    claim(&store, "w", 10).await.expect("claimed");
    let output = ProofOutput {
        proof: vec![1, 2, 3],
        public_inputs: vec!["7".into()],
        timings: vec![StageTiming {
            stage: Stage::Prove,
            seconds: 0.5,
        }],
    };
    assert!(
        store
            .complete(&id, "w", &output, 20)
            .await
            .expect("complete")
    );
    let job = store.get("t", &id).await.expect("get").expect("job");
    assert_eq!(job.state, JobState::Succeeded);
    assert_eq!(job.proof, Some(vec![1, 2, 3]));
    assert_eq!(job.public_inputs, ["7"]);
    assert_eq!(job.timings, output.timings);
    assert_eq!(job.finished_ms, Some(20));
}

#[tokio::test]
async fn list_pages_newest_first_and_filters_by_state() {
    let store = store().await;
    let ids: Vec<String> = futures_ids(&store, 5).await;
    claim(&store, "w", 10).await.expect("claimed");
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list(&ListQuery {
                tenant: "t".into(),
                state: None,
                limit: 2,
                after,
            })
            .await
            .expect("list");
        seen.extend(page.jobs.into_iter().map(|j| j.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ids.iter().rev().cloned().collect::<Vec<_>>());
    let running = store
        .list(&ListQuery {
            tenant: "t".into(),
            state: Some(JobState::Running),
            limit: 10,
            after: None,
        })
        .await
        .expect("list");
    assert_eq!(running.jobs.len(), 1);
    assert_eq!(running.jobs[0].id, ids[0]);
}

async fn futures_ids(store: &SqliteStore, n: u64) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(submit(store, 0, i).await);
    }
    ids
}

#[tokio::test]
async fn file_store_survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = {
        let store = SqliteStore::open(dir.path()).await.expect("open");
        store
            .submit(new_job("t", None, 0), 1)
            .await
            .expect("submit")
            .job
            .id
    };
    let store = SqliteStore::open(dir.path()).await.expect("reopen");
    let job = store
        .get("t", &id)
        .await
        .expect("get")
        .expect("job survived");
    assert_eq!(job.state, JobState::Queued);
}

#[tokio::test]
async fn counts_are_per_tenant_and_purge_deletes_only_old_finished_jobs() {
    let store = store().await;
    let done = submit(&store, 0, 1).await;
    let running = submit(&store, 0, 2).await;
    let queued = submit(&store, 0, 3).await;
    store
        .submit(new_job("u", None, 0), 4)
        .await
        .expect("submit");
    assert_eq!(
        claim(&store, "w", 10).await.map(|j| j.id),
        Some(done.clone())
    );
    let output = ProofOutput {
        proof: vec![1],
        public_inputs: vec![],
        timings: vec![],
    };
    assert!(
        store
            .complete(&done, "w", &output, 20)
            .await
            .expect("complete")
    );
    assert_eq!(
        claim(&store, "w", 30).await.map(|j| j.id),
        Some(running.clone())
    );

    let all = store.counts(None).await.expect("counts");
    assert_eq!((all.queued, all.running), (2, 1));
    let t = store.counts(Some("t")).await.expect("counts");
    assert_eq!((t.queued, t.running), (1, 1));
    let nobody = store.counts(Some("nobody")).await.expect("counts");
    assert_eq!((nobody.queued, nobody.running), (0, 0));

    assert_eq!(
        store.purge_finished(20).await.expect("purge"),
        0,
        "finished at 20"
    );
    assert_eq!(store.purge_finished(21).await.expect("purge"), 1);
    assert!(store.get("t", &done).await.expect("get").is_none());
    for id in [running, queued] {
        assert!(
            store.get("t", &id).await.expect("get").is_some(),
            "unfinished kept"
        );
    }
}
