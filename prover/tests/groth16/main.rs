//! Integration tests for bulwark-prover's Groth16 layer, run against small circuits defined
//! in `circuits.rs`.

mod circuits;
mod fixtures;
#[path = "../js_support/mod.rs"]
mod js_support;
mod prove_verify;
mod serialization;
mod snarkjs;
