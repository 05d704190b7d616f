//! Compiles `proto/` with protox (pure Rust: no system `protoc`) and generates the tonic
//! client and server plus a file-descriptor set for gRPC reflection.

use std::{env, io, path::PathBuf};

fn main() -> io::Result<()> {
    let proto = "proto/bulwark/prover/v1/prover.proto";
    println!("cargo:rerun-if-changed={proto}");
    let fds = protox::compile([proto], ["proto"]).map_err(io::Error::other)?;
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or_else(|| io::Error::other("OUT_DIR"))?);
    std::fs::write(
        out.join("bulwark_prover_v1_descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;
    tonic_prost_build::configure().compile_fds(fds)
}
