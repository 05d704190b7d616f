//! bulwark's gRPC prover service and the `bulwark` command-line tool.
