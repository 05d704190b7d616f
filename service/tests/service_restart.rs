//! Process-level durability: the real `bulwark serve` binary is killed with SIGKILL and
//! restarted on the same data dir; the accepted job still completes.

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

const LIMIT: Duration = Duration::from_secs(120);

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bulwark-service-restart")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// A running `bulwark serve` and the address it reported.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(data: &Path, keys: &Path, workers: usize) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark"))
            .args(["--quiet", "serve", "--listen", "127.0.0.1:0"])
            .args(["--depth", "4", "--batch-size", "2", "--lease-secs", "1"])
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
