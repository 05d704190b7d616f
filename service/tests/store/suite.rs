//! The conformance suite every `JobStore` must pass, with an explicit clock.
//!
//! A backend runs it with `job_store_suite!`, given an expression that opens a fresh, empty
//! store (or `None` to skip, having said why).

use std::{collections::HashSet, sync::Arc};

use bulwark_service::store::{
    Job, JobState, JobStore, Limits, ListQuery, NewJob, ProofOutput, Stage, StageTiming, StoreError,
};

const LEASE: u64 = 1_000;

/// Declares one `#[tokio::test]` per suite case for the store that `$open` makes.
macro_rules! job_store_suite {
    ($open:expr) => {
        crate::suite::job_store_suite!(@cases $open;
            claims_by_priority_then_age,
            claim_marks_running_and_counts_the_attempt,
            expired_lease_is_requeued_then_fails_after_max_attempts,
            heartbeat_extends_the_lease_and_records_the_stage,
            deterministic_failure_is_not_retried,
            transient_failure_is_retried_while_attempts_remain,
            idempotency_key_returns_the_same_job_per_tenant,
            concurrent_submits_with_one_key_make_one_job,
            concurrent_submits_never_pass_the_queue_depth,
            concurrent_submits_never_pass_a_tenants_limit,
            concurrent_claims_take_each_job_once,
            cancel_discards_a_running_jobs_late_result,
            release_requeues_without_spending_an_attempt,
            complete_stores_the_proof,
            list_pages_newest_first_and_filters_by_state,
            counts_are_per_tenant_and_purge_deletes_only_old_finished_jobs,
        );
    };
    (@cases $open:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if let Some(store) = $open {
                    crate::suite::$case(std::sync::Arc::new(store)).await;
                }
            }
        )*
    };
}
pub(crate) use job_store_suite;

type Store = Arc<dyn JobStore>;

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

async fn submit(store: &dyn JobStore, priority: i32, now: u64) -> String {
    store
        .submit(new_job("t", None, priority), now)
        .await
        .expect("submit")
        .job
        .id
}

async fn claim(store: &dyn JobStore, owner: &str, now: u64) -> Option<Job> {
    store
        .claim(owner, now + LEASE, now)
        .await
        .expect("claim")
        .map(|c| c.job)
}

async fn get(store: &dyn JobStore, id: &str) -> Job {
    store.get("t", id).await.expect("get").expect("job exists")
}

/// Submits one job (tenant `t`) and returns its id.
pub(crate) async fn submit_one(store: &dyn JobStore) -> String {
    submit(store, 0, 1).await
}

/// Asserts that job `id` of tenant `t` is queued.
pub(crate) async fn assert_queued(store: &dyn JobStore, id: &str) {
    assert_eq!(get(store, id).await.state, JobState::Queued);
}

pub(crate) async fn claims_by_priority_then_age(store: Store) {
    let store = &*store;
    let low = submit(store, 0, 1).await;
    let high_old = submit(store, 5, 2).await;
    let high_new = submit(store, 5, 3).await;
    let mut order = Vec::new();
    for _ in 0..3 {
        order.push(claim(store, "w", 10).await.expect("a queued job").id);
    }
    assert_eq!(order, [high_old, high_new, low]);
    assert!(claim(store, "w", 10).await.is_none(), "queue is empty");
}

pub(crate) async fn claim_marks_running_and_counts_the_attempt(store: Store) {
    let store = &*store;
    let id = submit(store, 0, 1).await;
    let job = claim(store, "w", 10).await.expect("claimed");
    assert_eq!(
        (job.id.as_str(), job.state, job.stage, job.attempts),
        (id.as_str(), JobState::Running, Stage::Check, 1)
    );
    assert_eq!(job.started_ms, Some(10));
}

pub(crate) async fn expired_lease_is_requeued_then_fails_after_max_attempts(store: Store) {
    let store = &*store;
    let id = submit(store, 0, 1).await;
    claim(store, "dead", 10).await.expect("first claim");
    let reap = |now| async move { store.requeue_expired(now).await.expect("reap") };
    assert_eq!(reap(10 + LEASE - 1).await, 0, "lease alive");
    assert_eq!(reap(10 + LEASE + 1).await, 1);
    let job = get(store, &id).await;
    assert_eq!((job.state, job.stage), (JobState::Queued, Stage::Queued));

    // The dead worker's late heartbeat and result are refused.
    let hb = store.heartbeat(&id, "dead", None, 99_999).await;
    assert!(!hb.expect("heartbeat"));

    let now = 20 + LEASE;
    claim(store, "dead-too", now).await.expect("second claim");
    assert_eq!(reap(now + LEASE + 1).await, 1);
    let job = get(store, &id).await;
    assert_eq!((job.state, job.attempts), (JobState::Failed, 2));
    assert!(
        job.error
            .as_deref()
            .is_some_and(|e| e.contains("lease expired")),
        "{job:?}"
    );
    assert!(
        claim(store, "w", now + 2 * LEASE).await.is_none(),
        "not requeued a third time"
    );
}

pub(crate) async fn heartbeat_extends_the_lease_and_records_the_stage(store: Store) {
    let store = &*store;
    let id = submit(store, 0, 1).await;
    claim(store, "w", 10).await.expect("claimed");
    let later = 10 + 5 * LEASE;
    let hb = store.heartbeat(&id, "w", Some(Stage::Prove), later).await;
    assert!(hb.expect("heartbeat"));
    let hb = store.heartbeat(&id, "other", None, later).await;
    assert!(!hb.expect("heartbeat"), "not the lease owner");
    assert_eq!(
        store.requeue_expired(10 + 2 * LEASE).await.expect("reap"),
        0
    );
    let job = get(store, &id).await;
    assert_eq!((job.state, job.stage), (JobState::Running, Stage::Prove));
}

pub(crate) async fn deterministic_failure_is_not_retried(store: Store) {
    let store = &*store;
    let id = submit(store, 0, 1).await;
    claim(store, "w", 10).await.expect("claimed");
    let failed = store.fail(&id, "w", "operation 0: bad", false, 11).await;
    assert!(failed.expect("fail"));
    let job = get(store, &id).await;
    assert_eq!((job.state, job.attempts), (JobState::Failed, 1));
    assert_eq!(job.error.as_deref(), Some("operation 0: bad"));
    assert_eq!(job.finished_ms, Some(11));
    assert!(claim(store, "w", 12).await.is_none());
}

pub(crate) async fn transient_failure_is_retried_while_attempts_remain(store: Store) {
    let store = &*store;
    let id = submit(store, 0, 1).await;
    claim(store, "w", 10).await.expect("claimed");
    assert!(
        store
            .fail(&id, "w", "panicked", true, 11)
            .await
            .expect("fail")
    );
    assert_eq!(claim(store, "w", 12).await.expect("requeued").id, id);
    assert!(
        store
            .fail(&id, "w", "panicked", true, 13)
            .await
            .expect("fail")
    );
    let job = get(store, &id).await;
    assert_eq!((job.state, job.attempts), (JobState::Failed, 2));
}

pub(crate) async fn idempotency_key_returns_the_same_job_per_tenant(store: Store) {
    let store = &*store;
    let first = store.submit(new_job("a", Some("k"), 0), 1).await;
    let again = store.submit(new_job("a", Some("k"), 0), 2).await;
    let other = store.submit(new_job("b", Some("k"), 0), 3).await;
    let (first, again, other) = (
        first.expect("submit"),
        again.expect("submit"),
        other.expect("submit"),
    );
    assert!(first.created && !again.created && other.created);
    assert_eq!(first.job.id, again.job.id);
    assert_eq!(again.job.created_ms, 1, "the first submission's job");
    assert_ne!(first.job.id, other.job.id);
    let seen_by_b = store.get("b", &first.job.id).await.expect("get");
    assert!(seen_by_b.is_none(), "tenants are apart");
}

pub(crate) async fn concurrent_submits_with_one_key_make_one_job(store: Store) {
    let mut tasks = tokio::task::JoinSet::new();
    for now in 0..16 {
        let store = store.clone();
        tasks.spawn(async move { store.submit(new_job("t", Some("race"), 0), now).await });
    }
    let mut ids = HashSet::new();
    let mut created = 0;
    while let Some(result) = tasks.join_next().await {
        let submitted = result.expect("task").expect("submit");
        created += usize::from(submitted.created);
        ids.insert(submitted.job.id);
    }
    assert_eq!((ids.len(), created), (1, 1), "one job, created once");
}

/// Submits `count` jobs per tenant at once within `limits`; returns, per tenant, how many
/// were stored, and checks that every other one was refused by a limit.
async fn burst(store: &Store, tenants: &[&str], count: usize, limits: Limits) -> Vec<usize> {
    let mut tasks = tokio::task::JoinSet::new();
    for (t, tenant) in tenants.iter().enumerate() {
        for i in 0..count {
            let (store, tenant) = (store.clone(), tenant.to_string());
            tasks.spawn(async move {
                let job = new_job(&tenant, None, 0);
                (t, store.submit_limited(job, &limits, i as u64).await)
            });
        }
    }
    let mut stored = vec![0; tenants.len()];
    while let Some(result) = tasks.join_next().await {
        match result.expect("task") {
            (t, Ok(submitted)) => {
                assert!(submitted.created);
                stored[t] += 1;
            }
            (
                _,
                Err(StoreError::QueueFull { limit, .. } | StoreError::TenantLimit { limit, .. }),
            ) => {
                assert!(
                    limits.max_queued == Some(limit) || limits.max_active_per_tenant == Some(limit)
                );
            }
            (_, Err(e)) => panic!("a submission failed: {e}"),
        }
    }
    stored
}

/// A burst of submissions all checked against the same count would each see room: the check
/// must be atomic with the insert.
pub(crate) async fn concurrent_submits_never_pass_the_queue_depth(store: Store) {
    let limits = Limits {
        max_queued: Some(5),
        max_active_per_tenant: None,
    };
    assert_eq!(burst(&store, &["t"], 40, limits).await, [5]);
    assert_eq!(store.counts(None).await.expect("counts").queued, 5);
    // A claimed job leaves room for one more.
    claim(&*store, "w", 100).await.expect("claimed");
    assert_eq!(burst(&store, &["t"], 8, limits).await, [1]);
    let refused = store
        .submit_limited(new_job("t", None, 0), &limits, 200)
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::QueueFull {
                queued: 5,
                limit: 5
            })
        ),
        "{refused:?}"
    );
    // A resubmission of a stored key still gets its job back.
    let unlimited = Limits::default();
    store
        .cancel("t", &submit(&*store, 0, 300).await, 301)
        .await
        .expect("cancel");
    let kept = store
        .submit_limited(new_job("t", Some("k"), 0), &unlimited, 302)
        .await;
    let again = store
        .submit_limited(new_job("t", Some("k"), 0), &limits, 303)
        .await;
    assert_eq!(
        again.expect("resubmission").job.id,
        kept.expect("submit").job.id
    );
}

pub(crate) async fn concurrent_submits_never_pass_a_tenants_limit(store: Store) {
    let limits = Limits {
        max_queued: None,
        max_active_per_tenant: Some(3),
    };
    assert_eq!(burst(&store, &["a", "b"], 20, limits).await, [3, 3]);
    // Running jobs count too: a claim leaves the tenant at its limit.
    claim(&*store, "w", 100).await.expect("claimed");
    let refused = store
        .submit_limited(new_job("a", None, 0), &limits, 200)
        .await;
    let refused_b = store
        .submit_limited(new_job("b", None, 0), &limits, 200)
        .await;
    assert!(
        [&refused, &refused_b].iter().all(|r| matches!(
            r,
            Err(StoreError::TenantLimit {
                active: 3,
                limit: 3,
                ..
            })
        )),
        "{refused:?} {refused_b:?}"
    );
    assert_eq!(
        burst(&store, &["c"], 5, limits).await,
        [3],
        "other tenants are apart"
    );
}

pub(crate) async fn concurrent_claims_take_each_job_once(store: Store) {
    let mut submitted = HashSet::new();
    for i in 0..40 {
        submitted.insert(submit(&*store, i % 3, i.unsigned_abs().into()).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) = claim(&*store, &format!("w{w}"), 100).await {
                mine.push(job.id);
            }
            mine
        });
    }
    let mut claimed = Vec::new();
    while let Some(result) = tasks.join_next().await {
        claimed.extend(result.expect("task"));
    }
    let unique: HashSet<String> = claimed.iter().cloned().collect();
    assert_eq!(claimed.len(), unique.len(), "a job was claimed twice");
    assert_eq!(unique, submitted, "every job claimed");
}

pub(crate) async fn cancel_discards_a_running_jobs_late_result(store: Store) {
    let store = &*store;
    let queued = submit(store, 0, 1).await;
    let running = submit(store, 9, 2).await;
    claim(store, "w", 10).await.expect("claimed");
    for id in [&queued, &running] {
        let job = store.cancel("t", id, 11).await.expect("cancel");
        assert_eq!(job.expect("job").state, JobState::Cancelled);
    }
    let hb = store.heartbeat(&running, "w", Some(Stage::Prove), 99).await;
    assert!(!hb.expect("heartbeat"));
    let output = ProofOutput {
        proof: vec![1],
        public_inputs: vec![],
        timings: vec![],
    };
    let completed = store.complete(&running, "w", &output, 12).await;
    assert!(!completed.expect("complete"));
    let job = get(store, &running).await;
    assert_eq!((job.state, job.proof), (JobState::Cancelled, None));
    assert!(
        claim(store, "w", 13).await.is_none(),
        "cancelled jobs are not claimed"
    );
}

pub(crate) async fn release_requeues_without_spending_an_attempt(store: Store) {
    let store = &*store;
    let id = submit(store, 0, 1).await;
    claim(store, "w", 10).await.expect("claimed");
    assert_eq!(store.release("w").await.expect("release"), 1);
    let job = claim(store, "w2", 11).await.expect("requeued");
    assert_eq!((job.id, job.attempts), (id, 1));
}

pub(crate) async fn complete_stores_the_proof(store: Store) {
    let store = &*store;
    let id = submit(store, 0, 1).await;
    claim(store, "w", 10).await.expect("claimed");
    let output = ProofOutput {
        proof: vec![1, 2, 3],
        public_inputs: vec!["7".into()],
        timings: vec![StageTiming {
            stage: Stage::Prove,
            seconds: 0.5,
        }],
    };
    let completed = store.complete(&id, "w", &output, 20).await;
    assert!(completed.expect("complete"));
    let job = get(store, &id).await;
    assert_eq!((job.state, job.stage), (JobState::Succeeded, Stage::Done));
    assert_eq!(job.proof, Some(vec![1, 2, 3]));
    assert_eq!(job.public_inputs, ["7"]);
    assert_eq!(job.timings, output.timings);
    assert_eq!(job.finished_ms, Some(20));
    let again = store.complete(&id, "w", &output, 21).await;
    assert!(!again.expect("complete"), "a job completes once");
}

pub(crate) async fn list_pages_newest_first_and_filters_by_state(store: Store) {
    let store = &*store;
    let mut ids = Vec::new();
    for now in 0..5 {
        ids.push(submit(store, 0, now).await);
    }
    claim(store, "w", 10).await.expect("claimed");
    let query = |state, limit, after| ListQuery {
        tenant: "t".into(),
        state,
        limit,
        after,
    };
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.list(&query(None, 2, after)).await.expect("list");
        assert!(page.jobs.iter().all(|job| job.proof.is_none()));
        seen.extend(page.jobs.into_iter().map(|j| j.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ids.iter().rev().cloned().collect::<Vec<_>>());
    let running = store
        .list(&query(Some(JobState::Running), 10, None))
        .await
        .expect("list");
    let running: Vec<String> = running.jobs.into_iter().map(|j| j.id).collect();
    assert_eq!(running, [ids[0].clone()]);
}

pub(crate) async fn counts_are_per_tenant_and_purge_deletes_only_old_finished_jobs(store: Store) {
    let store = &*store;
    let done = submit(store, 3, 1).await;
    let failed = submit(store, 2, 2).await;
    let running = submit(store, 1, 3).await;
    let cancelled = submit(store, 0, 4).await;
    let queued = submit(store, 0, 5).await;
    store
        .submit(new_job("u", None, 0), 6)
        .await
        .expect("submit");
    assert_eq!(
        claim(store, "w", 10).await.map(|j| j.id),
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
        claim(store, "w", 21).await.map(|j| j.id),
        Some(failed.clone())
    );
    assert!(
        store
            .fail(&failed, "w", "bad", false, 25)
            .await
            .expect("fail")
    );
    assert_eq!(
        claim(store, "w", 26).await.map(|j| j.id),
        Some(running.clone())
    );
    let cancel = store.cancel("t", &cancelled, 15).await.expect("cancel");
    assert_eq!(cancel.map(|j| j.state), Some(JobState::Cancelled));

    let counts = |tenant| async move {
        let c = store.counts(tenant).await.expect("counts");
        (c.queued, c.running)
    };
    assert_eq!(counts(None).await, (2, 1), "all tenants");
    assert_eq!(counts(Some("t")).await, (1, 1));
    assert_eq!(counts(Some("u")).await, (1, 0));
    assert_eq!(counts(Some("nobody")).await, (0, 0));

    assert_eq!(
        store.purge_finished(15).await.expect("purge"),
        0,
        "none before 15"
    );
    assert_eq!(
        store.purge_finished(21).await.expect("purge"),
        2,
        "cancelled, succeeded"
    );
    assert_eq!(
        store.purge_finished(1_000).await.expect("purge"),
        1,
        "failed"
    );
    for gone in [&done, &failed, &cancelled] {
        assert!(
            store.get("t", gone).await.expect("get").is_none(),
            "{gone} purged"
        );
    }
    assert_eq!(get(store, &running).await.state, JobState::Running);
    assert_eq!(get(store, &queued).await.state, JobState::Queued);
    assert_eq!(counts(None).await, (2, 1), "unfinished jobs are kept");
}
