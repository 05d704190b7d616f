//! A generic gRPC client that knows none of bulwark's generated stubs: it lists the services
//! through gRPC server reflection, fetches their file descriptors, resolves the SubmitJob
//! method descriptor, builds the request as a dynamic message from the descriptors alone, and
//! submits it with tonic's generic unary call (what grpcurl does).

mod common;

use std::{collections::HashSet, path::Path, str::FromStr};

use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, ReflectMessage, Value};
use prost_types::FileDescriptorProto;
use tonic::{
    Status,
    codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
    codegen::http::uri::PathAndQuery,
    transport::Channel,
};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
};

use bulwark_circuits::rollup::RollupParams;
use bulwark_service::proto::v1 as pb;

/// Encodes and decodes dynamic messages of known descriptors.
struct DynamicCodec(MessageDescriptor);
struct DynamicEncoder;
struct DynamicDecoder(MessageDescriptor);

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicEncoder;
    type Decoder = DynamicDecoder;

    fn encoder(&mut self) -> DynamicEncoder {
        DynamicEncoder
    }

    fn decoder(&mut self) -> DynamicDecoder {
        DynamicDecoder(self.0.clone())
    }
}

impl Encoder for DynamicEncoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst)
            .map_err(|e| Status::internal(format!("encode: {e}")))
    }
}

impl Decoder for DynamicDecoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        DynamicMessage::decode(self.0.clone(), src)
            .map(Some)
            .map_err(|e| Status::internal(format!("decode: {e}")))
    }
}

/// One reflection request, its one reply.
async fn reflect(channel: &Channel, request: MessageRequest) -> MessageResponse {
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(request),
    };
    let mut replies = ServerReflectionClient::new(channel.clone())
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let reply = replies.message().await.expect("reply").expect("one reply");
    reply.message_response.expect("a response")
}

/// The descriptors of `symbol`'s file and every file it imports, fetched by reflection.
async fn descriptors(channel: &Channel, symbol: &str) -> DescriptorPool {
    let mut files: Vec<FileDescriptorProto> = Vec::new();
    let mut request = MessageRequest::FileContainingSymbol(symbol.to_owned());
    loop {
        let MessageResponse::FileDescriptorResponse(found) = reflect(channel, request).await else {
            panic!("no file descriptors for {symbol}");
        };
        for bytes in found.file_descriptor_proto {
            let file = FileDescriptorProto::decode(&bytes[..]).expect("a file descriptor");
            if !files.iter().any(|f| f.name == file.name) {
                files.push(file);
            }
        }
        let known: HashSet<&str> = files.iter().map(|f| f.name()).collect();
        let missing = files
            .iter()
            .flat_map(|f| f.dependency.iter())
            .find(|d| !known.contains(d.as_str()));
        match missing {
            Some(name) => request = MessageRequest::FileByFilename(name.clone()),
            None => break,
        }
    }
    // Dependencies first.
    let mut pool = DescriptorPool::new();
    while !files.is_empty() {
        let ready = files
            .iter()
            .position(|f| {
                f.dependency
                    .iter()
                    .all(|d| pool.get_file_by_name(d).is_some())
            })
            .expect("imports resolve");
        pool.add_file_descriptor_proto(files.remove(ready))
            .expect("a valid descriptor");
    }
    pool
}

/// Sets an enum field by the value's name, as a generic client reading user input would.
fn set_enum(message: &mut DynamicMessage, field: &str, value: &str) {
    let descriptor = message.descriptor().get_field_by_name(field).expect(field);
    let kind = descriptor.kind();
    let number = kind
        .as_enum()
        .and_then(|e| e.get_value_by_name(value))
        .unwrap_or_else(|| panic!("{field} has no value {value}"))
        .number();
    message.set_field(&descriptor, Value::EnumNumber(number));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generic_client_lists_services_and_submits_a_job_through_reflection() {
    let params = RollupParams::new(4, 2).expect("shape");
    let dir = common::scratch("bulwark-reflection", "run");
    let keys = dir.join("keys");
    common::make_keys(&keys, params);
    let server = common::start(common::config(&dir, Path::new(&keys), params, 0)).await;
    let channel = tonic::transport::Endpoint::from_shared(server.url())
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");

    let MessageResponse::ListServicesResponse(list) =
        reflect(&channel, MessageRequest::ListServices(String::new())).await
    else {
        panic!("expected the service list");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    let prover = names
        .iter()
        .find(|n| n.ends_with(".Prover"))
        .unwrap_or_else(|| panic!("no Prover service in {names:?}"));
    assert!(
        names
            .iter()
            .any(|n| n == "grpc.reflection.v1.ServerReflection"),
        "{names:?}"
    );

    let pool = descriptors(&channel, prover).await;
    let service = pool
        .get_service_by_name(prover)
        .expect("the service resolves");
    let method = service
        .methods()
        .find(|m| m.name() == "SubmitJob")
        .expect("SubmitJob");
    let (input, output) = (method.input(), method.output());

    let (state_json, batch_json) = common::witness(params, 1);
    let mut request = DynamicMessage::new(input.clone());
    set_enum(&mut request, "statement", "STATEMENT_KIND_ROLLUP");
    set_enum(&mut request, "backend", "BACKEND_GROTH16");
    let rollup_field = input.get_field_by_name("rollup").expect("rollup witness");
    let mut rollup =
        DynamicMessage::new(rollup_field.kind().as_message().expect("message").clone());
    rollup.set_field_by_name("state_json", Value::String(state_json));
    rollup.set_field_by_name("batch_json", Value::String(batch_json));
    request.set_field(&rollup_field, Value::Message(rollup));
    request.set_field_by_name("idempotency_key", Value::String("generic-1".into()));

    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let path = PathAndQuery::from_str(&format!("/{}/{}", service.full_name(), method.name()))
        .expect("method path");
    let reply = grpc
        .unary(tonic::Request::new(request), path, DynamicCodec(output))
        .await
        .expect("SubmitJob")
        .into_inner();
    let job_id = reply
        .get_field_by_name("job_id")
        .and_then(|v| v.as_str().map(str::to_owned))
        .expect("a job id");
    assert_eq!(
        reply.get_field_by_name("created").and_then(|v| v.as_bool()),
        Some(true)
    );

    // The typed client sees the job the generic one queued.
    let mut client = server.client().await;
    let job = client.get(&job_id).await.expect("the submitted job exists");
    assert_eq!(job.state(), pb::JobState::Queued);
    assert_eq!(job.idempotency_key, "generic-1");
    server.stop().await;
}
