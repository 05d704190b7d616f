//! circom and snarkjs interoperability: `.r1cs` / `.wtns` both ways, Powers of Tau, the
//! phase-2 ceremony, and proofs crossing between snarkjs and bulwark.
//!
//! Tests that need snarkjs make a small `.ptau` with it once per run (`support.rs`); without
//! node they skip, except under `CI=true`, where they fail.

#[allow(dead_code)]
#[path = "../groth16/circuits.rs"]
mod circuits;
mod files;
#[path = "../js_support/mod.rs"]
mod js_support;
mod phase2;
mod ptau;
mod roundtrip;
mod support;
