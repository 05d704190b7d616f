//! Process-level durability with the real `bulwark serve` binary: killed with SIGKILL and
//! restarted on the same data dir, the accepted job still completes; stopped with SIGTERM, it
//! lets a running proof finish within the grace period, or requeues it after the grace period.

mod common;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use bulwark_circuits::rollup::{RollupParams, sample};
use bulwark_service::{
    client::{Client, SubmitOptions},
    proto::v1 as pb,
    server::load_or_create,
};

use common::{LIMIT, process::Bulwark};

fn scratch(name: &str) -> PathBuf {
    common::scratch("bulwark-service-restart", name)
}

/// A running `bulwark serve` and the address it reported.
struct Server {
    process: Bulwark,
    addr: String,
}

impl Server {
    fn start(data: &Path, keys: &Path, workers: usize) -> Self {
        Self::start_with(data, keys, workers, &["--depth", "4", "--batch-size", "2"])
    }

    fn start_with(data: &Path, keys: &Path, workers: usize, extra: &[&str]) -> Self {
        let workers = workers.to_string();
        let (data, keys) = (data.to_str().expect("utf-8"), keys.to_str().expect("utf-8"));
        let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--lease-secs", "1"];
        args.extend(extra);
        args.extend([
            "--workers",
            &workers,
            "--data-dir",
            data,
            "--keys-dir",
            keys,
        ]);
        let process = Bulwark::spawn(&args);
        let addr = format!("http://{}", process.address("serving bulwark.prover.v1"));
        Self { process, addr }
    }

    fn kill(self) {
        self.process.kill();
    }

    /// Sends SIGTERM and waits for the process to exit; returns how long that took.
    fn terminate(self) -> Duration {
        self.process.terminate()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_job_survives_kill_9_and_completes_after_restart() {
    let params = RollupParams::new(4, 2).expect("shape");
    let (data, keys) = (scratch("data"), scratch("keys"));
    load_or_create(&keys, params, Some(7)).expect("dev keys");

    // API only: the job is accepted and stored, nothing proves it.
    let server = Server::start(&data, &keys, 0);
    let mut client = Client::connect(server.addr.clone()).await.expect("connect");
    let s = sample::demo(&params, 3, 5).expect("sample");
    let id = client
        .submit_rollup(
            serde_json::to_string(&s.state).expect("json"),
            serde_json::to_string(&s.batch).expect("json"),
            SubmitOptions::default(),
        )
        .await
        .expect("submit")
        .job_id;
    server.kill();

    let server = Server::start(&data, &keys, 1);
    let mut client = Client::connect(server.addr.clone()).await.expect("connect");
    let job = tokio::time::timeout(LIMIT, client.wait(&id, |_| {}))
        .await
        .expect("job finishes in time")
        .expect("watch");
    assert_eq!(job.state(), pb::JobState::Succeeded, "{job:?}");
    assert!(!job.proof.is_empty());
    server.kill();
}

/// The default rollup shape (several seconds per proof on two cores), keys kept across runs.
const BIG: [&str; 4] = ["--depth", "24", "--batch-size", "4"];

/// Submits a big job to `server` (one worker) and returns its id once it is half a second
/// into the proving stage.
async fn big_job_proving(server: &Server) -> String {
    let mut client = Client::connect(server.addr.clone()).await.expect("connect");
    let params = common::big_params();
    let s = sample::demo(&params, 3, 9).expect("sample");
    let id = client
        .submit_rollup(
            serde_json::to_string(&s.state).expect("json"),
            serde_json::to_string(&s.batch).expect("json"),
            SubmitOptions::default(),
        )
        .await
        .expect("submit")
        .job_id;
    let mut watch = client.watch(&id).await.expect("watch");
    while let Some(job) = watch.message().await.expect("watch") {
        if job.stage() == pb::Stage::Prove {
            break;
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_proof_then_restart_completes_the_job() {
    let (data, keys) = (scratch("kill-mid-proof"), common::big_keys());
    let server = Server::start_with(&data, &keys, 1, &BIG);
    let id = big_job_proving(&server).await;
    server.kill();

    // The dead process's lease expires (1 s); the new server's reaper requeues the job.
    let server = Server::start_with(&data, &keys, 1, &BIG);
    let mut client = Client::connect(server.addr.clone()).await.expect("connect");
    let job = tokio::time::timeout(LIMIT, client.wait(&id, |_| {}))
        .await
        .expect("job finishes in time")
        .expect("watch");
    assert_eq!(job.state(), pb::JobState::Succeeded, "{job:?}");
    assert_eq!(job.attempts, 2, "the killed attempt counts");
    common::assert_verifies(&mut client, &job).await;
    server.kill();
}

/// Starts a big proof on a one-worker server with `grace`, sends SIGTERM once it is proving,
/// and returns the job as a fresh API-only server on the same data dir sees it, and how long
/// the process took to exit.
async fn sigterm_during_a_proof(name: &str, grace: &str) -> (pb::Job, Duration) {
    let (data, keys) = (scratch(name), common::big_keys());
    let mut args = BIG.to_vec();
    args.extend(["--shutdown-grace-secs", grace]);
    let server = Server::start_with(&data, &keys, 1, &args);
    let id = big_job_proving(&server).await;
    let exited = server.terminate();

    let server = Server::start_with(&data, &keys, 0, &BIG);
    let mut client = Client::connect(server.addr.clone()).await.expect("connect");
    let job = client.get(&id).await.expect("the job is still there");
    server.kill();
    (job, exited)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_running_proof_finish_within_the_grace_period() {
    let (job, exited) = sigterm_during_a_proof("sigterm-drain", "120").await;
    assert_eq!(job.state(), pb::JobState::Succeeded, "{job:?}");
    assert!(!job.proof.is_empty());
    eprintln!("drained in {exited:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_requeues_a_proof_that_outlasts_the_grace_period() {
    let (job, exited) = sigterm_during_a_proof("sigterm-requeue", "0.2").await;
    assert_eq!(job.state(), pb::JobState::Queued, "{job:?}");
    assert_eq!(job.attempts, 0, "a released job does not count the attempt");
    // Grace, then the cancelled proof stops within a second.
    assert!(exited < Duration::from_secs(5), "exited after {exited:?}");
    eprintln!("stopped and requeued in {exited:?}");
}
