//! bulwark's gRPC prover service and the `bulwark` command-line tool.
//!
//! - [`server::serve`] — the `bulwark.prover.v1.Prover` service with in-process workers,
//!   health and reflection, API keys with tenants, optional TLS/mTLS, limits, Prometheus
//!   metrics ([`server::Metrics`]), retention and a draining shutdown;
//! - [`store`] — the durable job queue ([`store::JobStore`], [`store::SqliteStore`]);
//! - [`client::Client`] — a typed client;
//! - [`engine`] — the MSM engine proofs run on (`--gpu`);
//! - [`backend`] — the proof systems (Groth16, PLONK/KZG) and KZG parameters.

pub mod backend;
pub mod client;
pub mod engine;
pub mod server;
pub mod store;
mod worker;

pub use bulwark_proto as proto;
