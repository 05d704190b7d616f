//! Real `bulwark worker` processes sharing one queue with an in-process API server (no local
//! workers), on SQLite (same machine, WAL) and on PostgreSQL: a worker killed with SIGKILL
//! mid-proof loses its lease and the other worker proves the job, once; CancelJob stops a
//! running proof in another process (goal 1 s, not met yet) and the worker's metrics count it;
//! concurrent duplicate submissions make one job.

mod common;

use std::{path::Path, time::Duration};

use bulwark_circuits::rollup::RollupParams;
use bulwark_service::{client::SubmitOptions, proto::v1 as pb};
use common::{LIMIT, Running, process::Bulwark};

/// Big enough that a proof on one thread outlasts the claim-to-kill delay.
const DEPTH: usize = 10;
const BATCH: usize = 4;
/// Short, so a killed worker's job is requeued quickly; long enough for heartbeats (every
/// third of it) on busy CI cores.
const LEASE_SECS: u64 = 2;

fn params() -> RollupParams {
    RollupParams::new(DEPTH, BATCH).expect("valid shape")
}

/// Dev keys for (D, B), made once per test binary run.
fn keys_dir() -> &'static Path {
    static KEYS: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = common::scratch("bulwark-worker-fault", "keys");
        common::make_keys(&dir, params());
        dir
    })
}

/// The API server (and lease reaper) on `store`, without local workers.
async fn server(name: &str, store: &str, params: RollupParams, keys: &Path) -> Running {
    let dir = common::scratch("bulwark-worker-fault", name);
    let mut config = common::config(&dir, keys, params, 0);
    config.store = Some(store.to_owned());
    config.lease = Duration::from_secs(LEASE_SECS);
    config.max_attempts = 3;
    common::start(config).await
}

/// A `bulwark worker` process with one worker on one proving thread, and a metrics endpoint.
fn worker(store: &str, params: RollupParams, keys: &Path) -> Bulwark {
    let (depth, batch) = (params.depth().to_string(), params.batch_size().to_string());
    let lease = LEASE_SECS.to_string();
    let keys = keys.to_str().expect("utf-8");
    let process = Bulwark::spawn(&[
        "--threads",
        "1",
        "worker",
        "--workers",
        "1",
        "--store",
        store,
        "--keys-dir",
        keys,
        "--depth",
        &depth,
        "--batch-size",
        &batch,
        "--lease-secs",
        &lease,
        "--metrics-listen",
        "127.0.0.1:0",
    ]);
    process.wait_for("workers started", LIMIT);
    process
}

/// Waits until one of `workers` logs that it started a job; returns its index.
fn claimer(workers: &[Bulwark]) -> usize {
    let deadline = std::time::Instant::now() + LIMIT;
    loop {
        if let Some(i) = workers.iter().position(|w| w.count("job started") > 0) {
            return i;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no worker claimed the job"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

async fn killed_worker_job_is_finished_by_the_other_worker_once(name: &str, store: &str) {
    let server = server(name, store, params(), keys_dir()).await;
    let mut workers = vec![
        worker(store, params(), keys_dir()),
        worker(store, params(), keys_dir()),
    ];
    let mut client = server.client().await;
    let id = common::submit(&mut client, params(), 3, SubmitOptions::default())
        .await
        .job_id;

    let victim = claimer(&workers);
    workers.remove(victim).kill();
    let job = client.get(&id).await.expect("get");
    assert_eq!(
        (job.state(), job.attempts),
        (pb::JobState::Running, 1),
        "killed mid-proof"
    );

    let (job, _) = common::wait(&mut client, &id).await;
    assert_eq!(job.state(), pb::JobState::Succeeded, "{job:?}");
    assert_eq!(job.attempts, 2, "requeued once when the lease expired");
    let survivor = &mut workers[0];
    assert_eq!(survivor.count("job succeeded"), 1, "{}", survivor.log());
    assert!(survivor.running());
    common::assert_verifies(&mut client, &job).await;
    server.stop().await;
}

async fn cancel_stops_a_proof_in_a_worker_process(name: &str, store: &str) {
    // The default shape: seconds of proving, so the cancel lands mid-proof.
    let (params, keys) = (common::big_params(), common::big_keys());
    let server = server(name, store, params, &keys).await;
    let worker = worker(store, params, &keys);
    let metrics: std::net::SocketAddr = worker
        .address("serving Prometheus metrics")
        .parse()
        .expect("metrics address");
    let mut client = server.client().await;
    let id = common::submit(&mut client, params, 4, SubmitOptions::default())
        .await
        .job_id;
    let mut watch = client.watch(&id).await.expect("watch");
    while let Some(job) = watch.message().await.expect("watch") {
        if job.stage() == pb::Stage::Prove {
            break;
        }
    }
    // Into the MSMs.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cancelled = client.cancel(&id).await.expect("cancel");
    let asked = std::time::Instant::now();
    assert_eq!(cancelled.state(), pb::JobState::Cancelled);
    worker.wait_for("result discarded", Duration::from_secs(20));
    let stopped = asked.elapsed();
    eprintln!("worker process free {stopped:?} after CancelJob");
    // The supervisor saw the cancellation while the job ran (polling every 50 ms) and
    // stopped the proof: a proof that ran to the end would only have its result discarded.
    assert_eq!(
        worker.count("job cancelled or lease lost: stopping the proof"),
        1,
        "{}",
        worker.log()
    );
    assert_eq!(worker.count("job succeeded"), 0);
    // Goal 1 s, not met here: on one proving thread of busy cores the current 2^14-base MSM
    // slice takes seconds (measured 5 s to 12 s). The bound only catches a proof run to its end.
    assert!(
        stopped < Duration::from_secs(30),
        "stopped after {stopped:?}"
    );
    let scrape = common::scrape(metrics).await.expect("scrape the worker");
    assert_eq!(
        common::sample_value(
            &scrape,
            "bulwark_jobs_finished_total{outcome=\"discarded\"}"
        ),
        Some(1.0),
        "{scrape}"
    );
    assert_eq!(
        client.get(&id).await.expect("get").state(),
        pb::JobState::Cancelled
    );
    server.stop().await;
}

async fn concurrent_duplicate_submissions_make_one_job(name: &str, store: &str) {
    let server = server(name, store, params(), keys_dir()).await;
    let client = server.client().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let mut client = client.clone();
        tasks.spawn(async move {
            let options = SubmitOptions {
                idempotency_key: Some("same-batch".into()),
                ..SubmitOptions::default()
            };
            common::submit(&mut client, params(), 5, options).await
        });
    }
    let mut responses = Vec::new();
    while let Some(response) = tasks.join_next().await {
        responses.push(response.expect("task"));
    }
    let created = responses.iter().filter(|r| r.created).count();
    assert_eq!(created, 1, "{responses:?}");
    assert!(responses.iter().all(|r| r.job_id == responses[0].job_id));
    let mut client = client;
    let listed = client.list(None, 100, String::new()).await.expect("list");
    assert_eq!(listed.jobs.len(), 1);
    server.stop().await;
}

/// One `#[tokio::test]` per scenario on the store `$open(name).await` names (`None`: skipped,
/// having said why).
macro_rules! scenarios {
    ($store:ident, $open:path; $($scenario:ident),* $(,)?) => {
        mod $store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let name = concat!(stringify!($store), "-", stringify!($scenario));
                    if let Some(url) = $open(name).await {
                        super::$scenario(name, &url).await;
                    }
                }
            )*
        }
    };
}

/// A fresh SQLite file shared by the server and the worker processes.
async fn sqlite_url(test: &str) -> Option<String> {
    let dir = common::scratch("bulwark-worker-fault-db", test);
    Some(bulwark_service::store::default_url(&dir))
}

scenarios!(sqlite, super::sqlite_url;
    killed_worker_job_is_finished_by_the_other_worker_once,
    cancel_stops_a_proof_in_a_worker_process,
    concurrent_duplicate_submissions_make_one_job,
);
#[cfg(feature = "postgres")]
scenarios!(postgres, crate::common::postgres::fresh_schema_url;
    killed_worker_job_is_finished_by_the_other_worker_once,
    cancel_stops_a_proof_in_a_worker_process,
    concurrent_duplicate_submissions_make_one_job,
);
