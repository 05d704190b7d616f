//! Process-level durability with the real `bulwark serve` binary: killed with SIGKILL and
//! restarted on the same data dir, the accepted job still completes; stopped with SIGTERM, it
//! lets a running proof finish within the grace period, or requeues it after the grace period.

mod common;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use bulwark_circuits::rollup::{RollupParams, sample};
use bulwark_service::{
    client::{Client, SubmitOptions},
    proto::v1 as pb,
    server::load_or_create,
};

use common::LIMIT;

fn scratch(name: &str) -> PathBuf {
    common::scratch("bulwark-service-restart", name)
}

/// A running `bulwark serve` and the address it reported.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(data: &Path, keys: &Path, workers: usize) -> Self {
        Self::start_with(data, keys, workers, &["--depth", "4", "--batch-size", "2"])
    }

    fn start_with(data: &Path, keys: &Path, workers: usize, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark"))
            .args(["--quiet", "serve", "--listen", "127.0.0.1:0"])
            .args(["--lease-secs", "1"])
            .args(extra)
            .arg("--workers")
            .arg(workers.to_string())
            .arg("--data-dir")
            .arg(data)
            .arg("--keys-dir")
            .arg(keys)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn bulwark serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the log until the listening address appears, then drains it.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent && line.contains("serving bulwark.prover.v1") {
                    if let Some(at) = line.find("127.0.0.1:") {
                        let port: String = line[at + 10..]
                            .chars()
                            .take_while(char::is_ascii_digit)
                            .collect();
                        sent = tx.send(format!("http://127.0.0.1:{port}")).is_ok();
                    }
                }
            }
        });
        let addr = rx.recv_timeout(LIMIT).expect("server reports its address");
        Self { child, addr }
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    /// Sends SIGTERM and waits for the process to exit; returns how long that took.
    fn terminate(mut self) -> Duration {
        let start = std::time::Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "bulwark serve exited with {status}");
                return start.elapsed();
            }
            assert!(start.elapsed() < LIMIT, "bulwark serve did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

/// Starts a big proof on a one-worker server with `grace`, sends SIGTERM once it is proving,
/// and returns the job as a fresh API-only server on the same data dir sees it, and how long
/// the process took to exit.
async fn sigterm_during_a_proof(name: &str, grace: &str) -> (pb::Job, Duration) {
    let (data, keys) = (scratch(name), common::big_keys());
    let mut args = BIG.to_vec();
    args.extend(["--shutdown-grace-secs", grace]);
    let server = Server::start_with(&data, &keys, 1, &args);
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
