//! What the service test binaries share: scratch directories, dev keys, an in-process server
//! on loopback, sample witnesses.

#![allow(dead_code)] // each test binary uses part of it

#[cfg(feature = "postgres")]
pub mod postgres;
pub mod process;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use bulwark_circuits::rollup::{RollupParams, sample};
use bulwark_service::{
    client::{Client, SubmitOptions},
    proto::v1 as pb,
    server::{Limits, ServeConfig, load_or_create, serve_with_metrics},
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

/// Every wait in these tests ends well within this.
pub const LIMIT: Duration = Duration::from_secs(120);

/// A fresh, empty directory under the test target's tmp dir.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Dev keys for `params` under `dir` (made once per directory; seed 7).
pub fn make_keys(dir: &Path, params: RollupParams) {
    load_or_create(dir, params, Some(7)).expect("dev keys");
}

/// The default rollup shape (D = 24, B = 4: about 91,000 constraints, several seconds to
/// prove on two cores).
pub fn big_params() -> RollupParams {
    RollupParams::new(24, 4).expect("valid shape")
}

/// Dev keys for [`big_params`], kept across runs and test binaries (the setup takes a while).
pub fn big_keys() -> PathBuf {
    static KEYS: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bulwark-keys-d24-b4");
        make_keys(&dir, big_params());
        dir
    })
    .clone()
}

/// The configuration the tests start from: no auth (loopback), no TLS, no limits.
pub fn config(
    data_dir: &Path,
    keys_dir: &Path,
    params: RollupParams,
    workers: usize,
) -> ServeConfig {
    ServeConfig {
        data_dir: data_dir.to_owned(),
        store: None,
        keys_dir: keys_dir.to_owned(),
        params,
        workers,
        lease: Duration::from_secs(5),
        max_attempts: 2,
        dev_setup_seed: None,
        kzg_params: None,
        shutdown_grace: Duration::from_secs(30),
        max_message_bytes: 16 << 20,
        api_keys: Vec::new(),
        allow_unauthenticated: false,
        tls: None,
        limits: Limits::default(),
        metrics_listen: None,
        retention: None,
    }
}

/// An in-process server.
pub struct Running {
    /// `http://127.0.0.1:port` (or `https://` is up to the caller).
    pub addr: SocketAddr,
    /// Its metrics endpoint.
    pub metrics: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A plaintext client.
    pub async fn client(&self) -> Client {
        Client::connect(self.url()).await.expect("connect")
    }

    /// Shuts the server down and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(LIMIT, &mut self.task)
            .await
            .expect("server stops")
            .expect("server task");
    }
}

/// Starts `config` on loopback with a metrics endpoint; returns once the server answers (the
/// listeners are bound before this returns, so requests wait for it anyway).
pub async fn start(config: ServeConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let metrics = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind metrics");
    let addr = listener.local_addr().expect("local addr");
    let metrics_addr = metrics.local_addr().expect("metrics addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        serve_with_metrics(listener, Some(metrics), config, async {
            let _ = stopped.await;
        })
        .await
        .expect("serve");
    });
    let running = Running {
        addr,
        metrics: metrics_addr,
        stop: Some(stop),
        task,
    };
    // Ready once the proving key is loaded: the metrics endpoint starts after that.
    let deadline = tokio::time::Instant::now() + LIMIT;
    while scrape(running.metrics).await.is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    running
}

/// `GET /metrics`, or `None` when nothing answers.
pub async fn scrape(addr: SocketAddr) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await.ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_owned())
}

/// The value of one sample line (`name{labels} value`) of a scrape, if present.
pub fn sample_value(scrape: &str, series: &str) -> Option<f64> {
    scrape.lines().find_map(|line| {
        let (name, value) = line.rsplit_once(' ')?;
        (name == series).then(|| value.parse().ok())?
    })
}

/// A valid sample state and batch as JSON for `params`.
pub fn witness(params: RollupParams, seed: u64) -> (String, String) {
    let s = sample::demo(&params, 3, seed).expect("sample");
    (
        serde_json::to_string(&s.state).expect("state json"),
        serde_json::to_string(&s.batch).expect("batch json"),
    )
}

/// Submits a sample witness.
pub async fn submit(
    client: &mut Client,
    params: RollupParams,
    seed: u64,
    options: SubmitOptions,
) -> pb::SubmitJobResponse {
    let (state, batch) = witness(params, seed);
    client
        .submit_rollup(state, batch, options)
        .await
        .expect("submit")
}

/// Watches a job until it finishes; returns it and every stage seen.
pub async fn wait(client: &mut Client, id: &str) -> (pb::Job, Vec<pb::Stage>) {
    let mut stages = Vec::new();
    let job = tokio::time::timeout(LIMIT, client.wait(id, |job| stages.push(job.stage())))
        .await
        .expect("job finishes in time")
        .expect("watch");
    (job, stages)
}

/// Checks that a succeeded job's proof verifies under the server's verifying key; returns the
/// public inputs.
pub async fn assert_verifies(client: &mut Client, job: &pb::Job) -> Vec<bulwark_prover::Fr> {
    use std::str::FromStr;
    let vk = client.verifying_key().await.expect("vk");
    let vk = bulwark_prover::VerifyingKey::read_from(&vk.verifying_key[..]).expect("vk bytes");
    let proof = bulwark_prover::Proof::read_from(&job.proof[..]).expect("proof bytes");
    let inputs: Vec<bulwark_prover::Fr> = job
        .public_inputs
        .iter()
        .map(|s| bulwark_prover::Fr::from_str(s).expect("decimal input"))
        .collect();
    bulwark_prover::verify(&vk, &inputs, &proof).expect("the proof verifies");
    inputs
}
