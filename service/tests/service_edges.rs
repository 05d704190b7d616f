//! The service's edges over loopback gRPC on a tiny rollup (D = 4, B = 2): API keys and
//! tenants, limits, malformed and oversized requests, metrics, TLS and mTLS, retention.

mod common;

use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
    time::Duration,
};

use bulwark_circuits::rollup::RollupParams;
use bulwark_service::{
    client::{Client, ClientError, ClientTls, SubmitOptions},
    proto::v1 as pb,
    server::{ApiKey, Limits, ServeConfig, ServeError, TlsFiles, serve},
};
use common::{LIMIT, sample_value, scrape, submit, wait};
use tonic::Code;

fn params() -> RollupParams {
    RollupParams::new(4, 2).expect("valid shape")
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("bulwark-service-edges", name)
}

fn keys_dir() -> &'static Path {
    static KEYS: OnceLock<PathBuf> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = scratch("keys");
        common::make_keys(&dir, params());
        dir
    })
}

fn config(name: &str, workers: usize) -> ServeConfig {
    common::config(&scratch(name), keys_dir(), params(), workers)
}

fn code(err: &ClientError) -> Code {
    match err {
        ClientError::Rpc(status) => status.code(),
        other => panic!("expected a gRPC status, got {other:?}"),
    }
}

const KEY_A: &str = "key-of-tenant-a";
const KEY_B: &str = "key-of-tenant-b";

fn with_keys(mut config: ServeConfig) -> ServeConfig {
    config.api_keys = vec![
        ApiKey::for_key("a", KEY_A).expect("key"),
        ApiKey::for_key("b", KEY_B).expect("key"),
    ];
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_decide_the_tenant_and_tenants_never_see_each_others_jobs() {
    let server = common::start(with_keys(config("auth", 0))).await;
    let mut anonymous = server.client().await;
    let err = anonymous
        .list(None, 10, String::new())
        .await
        .expect_err("no key");
    assert_eq!(code(&err), Code::Unauthenticated, "{err}");
    let mut wrong = server
        .client()
        .await
        .with_api_key("not-a-key")
        .expect("ascii");
    let (state, batch) = common::witness(params(), 1);
    let err = wrong
        .submit_rollup(state, batch, SubmitOptions::default())
        .await
        .expect_err("wrong key");
    assert_eq!(code(&err), Code::Unauthenticated, "{err}");
    // The tenant header cannot override the key's tenant.
    let mut a = server
        .client()
        .await
        .with_api_key(KEY_A)
        .expect("ascii")
        .with_tenant("b")
        .expect("ascii");
    let mut b = server.client().await.with_api_key(KEY_B).expect("ascii");

    let options = SubmitOptions {
        idempotency_key: Some("batch-1".into()),
        ..SubmitOptions::default()
    };
    let mine = submit(&mut a, params(), 1, options.clone()).await;
    let again = submit(&mut a, params(), 1, options.clone()).await;
    assert!(mine.created && !again.created && mine.job_id == again.job_id);
    let theirs = submit(&mut b, params(), 1, options).await;
    assert!(theirs.created, "idempotency keys are per tenant");

    for err in [
        b.get(&mine.job_id).await.expect_err("get"),
        b.cancel(&mine.job_id).await.expect_err("cancel"),
        b.wait(&mine.job_id, |_| {}).await.expect_err("watch"),
    ] {
        assert_eq!(code(&err), Code::NotFound, "{err}");
    }
    let listed = b.list(None, 10, String::new()).await.expect("list");
    let ids: Vec<_> = listed.jobs.iter().map(|j| j.job_id.as_str()).collect();
    assert_eq!(ids, [theirs.job_id.as_str()]);
    assert_eq!(
        a.get(&mine.job_id).await.expect("own job").state(),
        pb::JobState::Queued,
        "b's cancel did not touch a's job"
    );

    let metrics = scrape(server.metrics).await.expect("scrape");
    assert_eq!(
        sample_value(
            &metrics,
            "bulwark_requests_rejected_total{reason=\"unauthenticated\"}"
        ),
        Some(2.0),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_keys_a_non_loopback_address_is_refused() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
        .await
        .expect("bind");
    let err = serve(listener, config("open", 0), async {})
        .await
        .expect_err("refused");
    assert!(matches!(err, ServeError::Unauthenticated(_)), "{err}");
}

async fn try_submit(client: &mut Client) -> Result<pb::SubmitJobResponse, ClientError> {
    let (state, batch) = common::witness(params(), 1);
    client
        .submit_rollup(state, batch, SubmitOptions::default())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_depth_and_tenant_limits_are_resource_exhausted() {
    let mut config = config("limits", 0);
    config.limits = Limits {
        max_queued: Some(3),
        max_active_per_tenant: Some(2),
    };
    let server = common::start(config).await;
    let mut a = server.client().await.with_tenant("a").expect("tenant");
    let mut b = server.client().await.with_tenant("b").expect("tenant");
    try_submit(&mut a).await.expect("a's first");
    try_submit(&mut a).await.expect("a's second");
    let err = try_submit(&mut a).await.expect_err("a's third");
    assert_eq!(code(&err), Code::ResourceExhausted, "{err}");
    assert!(err.to_string().contains("tenant \"a\""), "{err}");
    try_submit(&mut b)
        .await
        .expect("b's first: the queue holds 3");
    let err = try_submit(&mut b).await.expect_err("queue full");
    assert_eq!(code(&err), Code::ResourceExhausted, "{err}");
    assert!(err.to_string().contains("queue is full"), "{err}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_requests_get_clear_errors() {
    let mut config = config("limits-size", 0);
    config.max_message_bytes = 64 << 10;
    let server = common::start(config).await;
    let mut client = server.client().await;
    let (state, batch) = common::witness(params(), 1);
    let padded = format!("{state}{}", " ".repeat(100 << 10));
    let err = client
        .submit_rollup(padded, batch.clone(), SubmitOptions::default())
        .await
        .expect_err("too large");
    assert_eq!(code(&err), Code::OutOfRange, "{err}");
    assert!(err.to_string().contains("65536"), "names the limit: {err}");

    let err = client
        .submit_rollup("[1, 2".into(), batch, SubmitOptions::default())
        .await
        .expect_err("malformed state");
    assert_eq!(code(&err), Code::InvalidArgument, "{err}");
    assert!(err.to_string().contains("state JSON"), "{err}");
    let err = client
        .list(None, 10, "not-a-token".into())
        .await
        .expect_err("page token");
    assert_eq!(code(&err), Code::InvalidArgument, "{err}");

    // Bytes that are not a SubmitJobRequest at all.
    let channel = tonic::transport::Endpoint::from_shared(server.url())
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let err = grpc
        .unary::<Vec<u8>, Vec<u8>, _>(
            tonic::Request::new(vec![0xff; 16]),
            "/bulwark.prover.v1.Prover/SubmitJob".parse().expect("path"),
            RawCodec,
        )
        .await
        .expect_err("garbage");
    assert_eq!(err.code(), Code::Internal, "{err:?}");
    assert!(err.message().contains("decode"), "{err:?}");
    server.stop().await;
}

/// Sends and receives raw bytes (to send what no generated client would).
#[derive(Clone, Copy, Default)]
struct RawCodec;

impl tonic::codec::Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> Self::Encoder {
        RawCodec
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawCodec
    }
}

impl tonic::codec::Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(
        &mut self,
        item: Vec<u8>,
        dst: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), tonic::Status> {
        use bytes::BufMut;
        dst.put_slice(&item);
        Ok(())
    }
}

impl tonic::codec::Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(
        &mut self,
        src: &mut tonic::codec::DecodeBuf<'_>,
    ) -> Result<Option<Vec<u8>>, tonic::Status> {
        use bytes::Buf;
        let mut bytes = vec![0; src.remaining()];
        src.copy_to_slice(&mut bytes);
        Ok(Some(bytes))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_stages_msm_time_queue_depth_and_failures() {
    let server = common::start(config("metrics", 1)).await;
    let mut client = server.client().await;
    let id = submit(&mut client, params(), 1, SubmitOptions::default())
        .await
        .job_id;
    let (job, _) = wait(&mut client, &id).await;
    assert_eq!(job.state(), pb::JobState::Succeeded, "{job:?}");
    let metrics = scrape(server.metrics).await.expect("scrape");
    for (series, value) in [
        ("bulwark_stage_seconds_count{stage=\"check\"}", 1.0),
        ("bulwark_stage_seconds_count{stage=\"witness\"}", 1.0),
        ("bulwark_stage_seconds_count{stage=\"prove\"}", 1.0),
        ("bulwark_msm_seconds_count", 1.0),
        ("bulwark_jobs_finished_total{outcome=\"succeeded\"}", 1.0),
        ("bulwark_jobs_queued", 0.0),
        ("bulwark_jobs_running", 0.0),
    ] {
        assert_eq!(
            sample_value(&metrics, series),
            Some(value),
            "{series}\n{metrics}"
        );
    }
    let msm = sample_value(&metrics, "bulwark_msm_seconds_sum").expect("msm sum");
    let prove =
        sample_value(&metrics, "bulwark_stage_seconds_sum{stage=\"prove\"}").expect("prove sum");
    assert!(
        msm > 0.0 && msm <= prove,
        "MSM time {msm} s within prove {prove} s"
    );
    server.stop().await;

    // Queue depth is read from the store: two queued jobs, no worker.
    let server = common::start(config("metrics-queue", 0)).await;
    let mut client = server.client().await;
    for seed in [1, 2] {
        submit(&mut client, params(), seed, SubmitOptions::default()).await;
    }
    let metrics = scrape(server.metrics).await.expect("scrape");
    assert_eq!(
        sample_value(&metrics, "bulwark_jobs_queued"),
        Some(2.0),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_finished_jobs_and_keeps_queued_ones() {
    let mut config = config("retention", 0);
    config.retention = Some(Duration::from_secs(1));
    let server = common::start(config).await;
    let mut client = server.client().await;
    let done = submit(&mut client, params(), 1, SubmitOptions::default())
        .await
        .job_id;
    let kept = submit(&mut client, params(), 2, SubmitOptions::default())
        .await
        .job_id;
    client.cancel(&done).await.expect("cancel");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match client.get(&done).await {
            Err(err) if code(&err) == Code::NotFound => break,
            Ok(job) => assert_eq!(job.state(), pb::JobState::Cancelled),
            Err(err) => panic!("{err}"),
        }
        assert!(tokio::time::Instant::now() < deadline, "never swept");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let job = client.get(&kept).await.expect("queued job kept");
    assert_eq!(job.state(), pb::JobState::Queued);
    server.stop().await;
}

/// A CA, a server certificate for `localhost` and a client certificate, as PEM files.
struct Pki {
    ca: Vec<u8>,
    client: (Vec<u8>, Vec<u8>),
    files: TlsFiles,
}

fn pki(dir: &Path) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().expect("key");
    let mut ca_params = CertificateParams::new(Vec::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("CA");
    let leaf = |name: &str| {
        let key = KeyPair::generate().expect("key");
        let cert = CertificateParams::new(vec![name.to_owned()])
            .expect("params")
            .signed_by(&key, &ca, &ca_key)
            .expect("signed");
        (cert.pem().into_bytes(), key.serialize_pem().into_bytes())
    };
    let (server_cert, server_key) = leaf("localhost");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write PEM");
        path
    };
    let ca = ca.pem().into_bytes();
    Pki {
        files: TlsFiles {
            cert: write("server.pem", &server_cert),
            key: write("server.key", &server_key),
            client_ca: Some(write("ca.pem", &ca)),
        },
        client: leaf("client"),
        ca,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_serves_and_mtls_refuses_clients_without_a_certificate() {
    let dir = scratch("tls-pki");
    let pki = pki(&dir);
    let url = |server: &common::Running| format!("https://localhost:{}", server.addr.port());
    let tls = |identity: bool| ClientTls {
        ca_pem: Some(pki.ca.clone()),
        identity_pem: identity.then(|| pki.client.clone()),
        domain: Some("localhost".into()),
    };

    // TLS without client certificates.
    let mut config = config("tls", 0);
    config.tls = Some(TlsFiles {
        client_ca: None,
        ..pki.files.clone()
    });
    let server = common::start(config).await;
    let mut client = Client::connect_tls(url(&server), tls(false))
        .await
        .expect("TLS connect");
    client.verifying_key().await.expect("over TLS");
    let mut plain = server.client().await;
    plain
        .verifying_key()
        .await
        .expect_err("plaintext to a TLS server");
    server.stop().await;

    // mTLS.
    let mut config = self::config("mtls", 0);
    config.tls = Some(pki.files.clone());
    let server = common::start(config).await;
    let mut client = Client::connect_tls(url(&server), tls(true))
        .await
        .expect("mTLS connect");
    client
        .verifying_key()
        .await
        .expect("with a client certificate");
    let refused = match Client::connect_tls(url(&server), tls(false)).await {
        Err(err) => err.to_string(),
        Ok(mut client) => {
            let err = tokio::time::timeout(LIMIT, client.verifying_key())
                .await
                .expect("answers")
                .expect_err("no client certificate");
            err.to_string()
        }
    };
    assert!(!refused.is_empty());
    server.stop().await;
}
