//! bulwark's gRPC protocol (`bulwark.prover.v1`).
