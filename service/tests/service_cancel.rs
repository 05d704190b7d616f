//! Cancelling a running proof stops the work, not just the result: on the default rollup shape
//! (D = 24, B = 4, about 91,000 constraints, about 10 s to prove on two busy cores) the
//! worker is free for the next job soon after CancelJob (goal: within a second).

mod common;

use std::time::{Duration, Instant};

use bulwark_circuits::rollup::RollupParams;
use bulwark_service::{client::SubmitOptions, proto::v1 as pb};
use common::{LIMIT, submit, wait};

fn params() -> RollupParams {
    common::big_params()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_running_proof_frees_the_worker_at_once() {
    let data = common::scratch("bulwark-service-cancel", "data");
    let server = common::start(common::config(&data, &common::big_keys(), params(), 1)).await;
    let mut client = server.client().await;
    let first = submit(&mut client, params(), 1, SubmitOptions::default())
        .await
        .job_id;
    let next = submit(&mut client, params(), 2, SubmitOptions::default())
        .await
        .job_id;

    // Wait until the first job is a second into its prove stage (the MSMs are running).
    let mut watch = client.watch(&first).await.expect("watch");
    loop {
        let job = tokio::time::timeout(LIMIT, watch.message())
            .await
            .expect("progress in time")
            .expect("watch")
            .expect("job not finished");
        if job.stage() == pb::Stage::Prove {
            break;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    let cancelled_at = Instant::now();
    let job = client.cancel(&first).await.expect("cancel");
    assert_eq!(
        job.state(),
        pb::JobState::Cancelled,
        "the proof was still running when cancelled: {job:?}"
    );
    // The worker is free once it claims the next job.
    let mut watch = client.watch(&next).await.expect("watch");
    loop {
        let job = tokio::time::timeout(LIMIT, watch.message())
            .await
            .expect("the next job starts")
            .expect("watch")
            .expect("job not finished");
        if job.state() == pb::JobState::Running {
            break;
        }
    }
    let freed = cancelled_at.elapsed();
    eprintln!(
        "worker free {:.0} ms after CancelJob",
        freed.as_secs_f64() * 1e3
    );
    // The goal is 1 s (measured 1.4 s on two cores shared with other builds); the bound here
    // fails whenever the proof is not stopped (it takes about 10 s) without flaking on load.
    assert!(freed < Duration::from_secs(3), "worker busy for {freed:?}");

    client.cancel(&next).await.expect("cancel the next job");
    let (job, _) = wait(&mut client, &first).await;
    assert_eq!(job.state(), pb::JobState::Cancelled);
    assert!(job.proof.is_empty(), "no late result");
    server.stop().await;
}
