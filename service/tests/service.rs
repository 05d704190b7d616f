//! The prover service end to end over loopback gRPC, on a tiny rollup (D = 4, B = 2).

mod common;

use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
    time::Duration,
};

use bulwark_circuits::rollup::{RollupParams, sample};
use bulwark_service::{
    client::{Client, ClientError, SubmitOptions},
    proto::v1 as pb,
};
use common::{LIMIT, Running, wait};

const DEPTH: usize = 4;
const BATCH: usize = 2;

fn params() -> RollupParams {
    RollupParams::new(DEPTH, BATCH).expect("valid shape")
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("bulwark-service", name)
}

/// Dev keys for (D, B), made once for the whole binary.
fn keys_dir() -> &'static Path {
    static KEYS: OnceLock<PathBuf> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = scratch("keys");
        common::make_keys(&dir, params());
        dir
    })
}

async fn start(data_dir: &Path, workers: usize) -> Running {
    common::start(common::config(data_dir, keys_dir(), params(), workers)).await
}

fn witness(seed: u64) -> (String, String) {
    common::witness(params(), seed)
}

async fn submit(client: &mut Client, seed: u64, options: SubmitOptions) -> pb::SubmitJobResponse {
    common::submit(client, params(), seed, options).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_watch_succeeds_with_a_proof_that_verifies() {
    let dir = scratch("succeeds");
    let server = start(&dir, 1).await;
    let mut client = server.client().await;
    let id = submit(&mut client, 1, SubmitOptions::default())
        .await
        .job_id;
    let (job, stages) = wait(&mut client, &id).await;
    assert_eq!(job.state(), pb::JobState::Succeeded, "{job:?}");
    assert_eq!(stages.last(), Some(&pb::Stage::Done));
    assert!(
        stages.windows(2).all(|w| w[0] as i32 <= w[1] as i32),
        "{stages:?}"
    );
    assert_eq!(job.attempts, 1);
    assert_eq!(job.timings.len(), 3, "check, witness, prove");

    let vk = client.verifying_key().await.expect("vk");
    assert_eq!((vk.depth, vk.batch_size), (DEPTH as u32, BATCH as u32));
    let inputs = common::assert_verifies(&mut client, &job).await;
    let s = sample::demo(&params(), 3, 1).expect("sample");
    assert_eq!(
        inputs[0],
        s.state.root(),
        "old root is the submitted state's"
    );

    // GetJob returns the same result.
    let again = client.get(&id).await.expect("get");
    assert_eq!(
        (again.proof, again.public_inputs),
        (job.proof, job.public_inputs)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_witness_is_rejected_with_the_operation_and_rule() {
    let dir = scratch("invalid");
    let server = start(&dir, 0).await;
    let mut client = server.client().await;
    let (state, batch) = witness(1);
    let mut batch: serde_json::Value = serde_json::from_str(&batch).expect("json");
    batch["operations"][0]["amount"] = serde_json::json!(u64::MAX);
    let err = client
        .submit_rollup(state.clone(), batch.to_string(), SubmitOptions::default())
        .await
        .expect_err("rejected");
    let ClientError::Rpc(status) = err else {
        panic!("expected a gRPC status, got {err:?}");
    };
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    assert!(
        status.message().contains("operation 0:"),
        "{}",
        status.message()
    );

    let err = client
        .submit_rollup(state, "{".into(), SubmitOptions::default())
        .await
        .expect_err("rejected");
    assert!(
        matches!(&err, ClientError::Rpc(s) if s.code() == tonic::Code::InvalidArgument
            && s.message().contains("batch JSON")),
        "{err:?}"
    );
    let listed = client.list(None, 10, String::new()).await.expect("list");
    assert!(listed.jobs.is_empty(), "nothing was queued");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_idempotency_key_returns_the_same_job() {
    let dir = scratch("idempotent");
    let server = start(&dir, 0).await;
    let mut client = server.client().await;
    let options = SubmitOptions {
        idempotency_key: Some("batch-17".into()),
        ..SubmitOptions::default()
    };
    let first = submit(&mut client, 1, options.clone()).await;
    let second = submit(&mut client, 1, options.clone()).await;
    assert!(first.created && !second.created);
    assert_eq!(first.job_id, second.job_id);

    let mut other = server.client().await.with_tenant("other").expect("tenant");
    let theirs = submit(&mut other, 1, options).await;
    assert!(theirs.created, "keys are per tenant");
    assert_ne!(theirs.job_id, first.job_id);
    let err = other.get(&first.job_id).await.expect_err("not theirs");
    assert!(matches!(err, ClientError::Rpc(s) if s.code() == tonic::Code::NotFound));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_while_queued_and_list_by_state() {
    let dir = scratch("cancel");
    let server = start(&dir, 0).await;
    let mut client = server.client().await;
    let id = submit(&mut client, 1, SubmitOptions::default())
        .await
        .job_id;
    let kept = submit(&mut client, 2, SubmitOptions::default())
        .await
        .job_id;
    let job = client.cancel(&id).await.expect("cancel");
    assert_eq!(job.state(), pb::JobState::Cancelled);
    let (job, _) = wait(&mut client, &id).await;
    assert_eq!(job.state(), pb::JobState::Cancelled);
    assert!(job.proof.is_empty());

    let queued = client
        .list(Some(pb::JobState::Queued), 10, String::new())
        .await
        .expect("list");
    let ids: Vec<_> = queued.jobs.iter().map(|j| j.job_id.as_str()).collect();
    assert_eq!(ids, [kept.as_str()]);
    let first = client.list(None, 1, String::new()).await.expect("list");
    assert_eq!(first.jobs[0].job_id, kept, "newest first");
    let second = client
        .list(None, 1, first.next_page_token)
        .await
        .expect("list");
    assert_eq!(second.jobs[0].job_id, id);
    assert!(second.next_page_token.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_job_survives_a_graceful_restart() {
    let dir = scratch("restart-graceful");
    let server = start(&dir, 0).await;
    let mut client = server.client().await;
    let id = submit(&mut client, 3, SubmitOptions::default())
        .await
        .job_id;
    server.stop().await;

    let server = start(&dir, 1).await;
    let mut client = server.client().await;
    let (job, _) = wait(&mut client, &id).await;
    assert_eq!(job.state(), pb::JobState::Succeeded, "{job:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_serving_and_reflection_lists_the_service() {
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };

    let dir = scratch("health");
    let server = start(&dir, 0).await;
    let channel = tonic::transport::Endpoint::from_shared(server.url())
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut health = HealthClient::new(channel.clone());
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let status = health
            .check(HealthCheckRequest {
                service: bulwark_service::proto::SERVICE_NAME.into(),
            })
            .await
            .map(|r| r.into_inner().status);
        if status.as_ref().is_ok_and(|s| *s == 1) {
            break; // SERVING
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never SERVING: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut reflection = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut replies = reflection
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let reply = replies.message().await.expect("reply").expect("one reply");
    let Some(MessageResponse::ListServicesResponse(list)) = reply.message_response else {
        panic!("unexpected reflection reply {reply:?}");
    };
    let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names
            .iter()
            .any(|n| n == bulwark_service::proto::SERVICE_NAME),
        "{names:?}"
    );
    server.stop().await;
}
