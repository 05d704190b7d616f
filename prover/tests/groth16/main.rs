//! Integration tests for bulwark-prover's Groth16 layer, run against small circuits defined
//! in `circuits.rs`.

mod circuits;
mod fixtures;
mod prove_verify;
mod serialization;
mod snarkjs;
