//! Cancelling a running proof stops the work, not just the result: on the default rollup shape
//! (D = 24, B = 4, about 91,000 constraints, about 10 s to prove on two busy cores) the
//! worker is free for the next job soon after CancelJob (goal: within a second).

mod common;

use std::time::{Duration, Instant};

use bulwark_circuits::rollup::{self, RollupCircuit, RollupParams, sample};
use bulwark_prover::{CancelToken, ProverError, ProvingKey, Validate, prove, prove_cancellable};
use bulwark_service::{client::SubmitOptions, proto::v1 as pb, server::key_path};
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

/// Proves the sample batch for `seed` with `f`, returning its wall time.
fn time_proof(seed: u64, f: impl FnOnce(RollupCircuit) -> Result<(), ProverError>) -> Duration {
    let params = params();
    let mut s = sample::demo(&params, 3, seed).expect("sample");
    let witness = rollup::build_witness(&mut s.state, &s.batch, &params).expect("witness");
    let circuit = RollupCircuit::new(params, witness).expect("circuit");
    let start = Instant::now();
    f(circuit).expect("proof");
    start.elapsed()
}

/// What slicing the MSMs for cancellation costs: `prove_cancellable` against `prove` on the
/// same key and witnesses, alternating, medians of 3. Run with
/// `cargo test -p bulwark-service --release --test service_cancel -- --ignored --nocapture`.
#[test]
#[ignore = "timing run"]
fn cancel_overhead() {
    let file = std::fs::File::open(key_path(&common::big_keys(), params())).expect("key file");
    let pk = ProvingKey::read_from(std::io::BufReader::new(file), Validate::No).expect("key");
    let token = CancelToken::new();
    let plain = |c: RollupCircuit| prove(&pk, c, &mut rand::thread_rng()).map(drop);
    let sliced =
        |c: RollupCircuit| prove_cancellable(&pk, c, &mut rand::thread_rng(), &token).map(drop);
    // The first call of each prepares its queries.
    time_proof(1, plain);
    time_proof(1, sliced);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for seed in 2..5 {
        a.push(time_proof(seed, plain));
        b.push(time_proof(seed, sliced));
    }
    a.sort();
    b.sort();
    let (a, b) = (a[1].as_secs_f64(), b[1].as_secs_f64());
    eprintln!(
        "prove {a:.3} s, prove_cancellable {b:.3} s: ratio {:.3} ({} threads)",
        b / a,
        rayon::current_num_threads()
    );
}
