//! bulwark's gRPC protocol (`bulwark.prover.v1`), generated from `proto/` at build time by
//! protox and tonic-prost-build (no system `protoc`).
//!
//! [`v1`] holds the messages, [`v1::prover_client::ProverClient`] and
//! [`v1::prover_server::ProverServer`]; [`FILE_DESCRIPTOR_SET`] feeds gRPC reflection.

/// `bulwark.prover.v1`: generated code.
pub mod v1 {
    #![allow(missing_docs, clippy::all)]
    tonic::include_proto!("bulwark.prover.v1");
}

/// The encoded `FileDescriptorSet` of `bulwark.prover.v1`, for `tonic-reflection`.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(
    env!("OUT_DIR"),
    "/bulwark_prover_v1_descriptor.bin"
));

/// The fully qualified gRPC service name, as health checks name it.
pub const SERVICE_NAME: &str = "bulwark.prover.v1.Prover";
