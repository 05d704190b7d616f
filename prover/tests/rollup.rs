//! The rollup statement through Groth16: a sample batch proves and verifies, each tampered
//! public input is rejected, and a stored verifying key and proof (`tests/fixtures/rollup_*`)
//! still load and verify, so a change to the circuit's shape or to the file format is noticed.
//!
//! The fixtures are for D = 4, B = 2 from dev seed [`SEED`]. After a deliberate change to the
//! rollup circuit or the file format, regenerate them with
//! `BULWARK_REGENERATE_FIXTURES=1 cargo test -p bulwark-prover --test rollup`.

use std::path::PathBuf;

use ark_ff::One;
use bulwark_circuits::rollup::{RollupCircuit, RollupParams, build_witness, sample};
use bulwark_prover::{Fr, Proof, ProvingKey, VerifyingKey, dev_setup_insecure, prove, verify};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

const SEED: u64 = 2026;

fn params() -> RollupParams {
    RollupParams::new(4, 2).expect("params")
}

fn key() -> ProvingKey {
    dev_setup_insecure(RollupCircuit::blank(params()).expect("blank"), SEED).expect("setup")
}

/// The sample batch's circuit and its public inputs.
fn sample_circuit() -> (RollupCircuit, [Fr; 3]) {
    let mut s = sample::demo(&params(), 5, 1).expect("sample");
    let witness = build_witness(&mut s.state, &s.batch, &params()).expect("valid batch");
    let inputs = witness.public_inputs();
    (
        RollupCircuit::new(params(), witness).expect("shape"),
        inputs,
    )
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn sample_batch_proves_and_tampered_inputs_fail() {
    let pk = key();
    let (circuit, inputs) = sample_circuit();
    let out = prove(&pk, circuit, &mut ChaCha20Rng::seed_from_u64(3)).expect("prove");
    assert_eq!(out.public_inputs, inputs.to_vec());
    let vk = pk.verifying_key();
    verify(vk, &out.public_inputs, &out.proof).expect("verifies");
    for (i, name) in ["old_root", "new_root", "commitment"].iter().enumerate() {
        let mut tampered = out.public_inputs.clone();
        tampered[i] += Fr::one();
        assert!(
            verify(vk, &tampered, &out.proof).is_err(),
            "tampered {name} must not verify"
        );
    }

    if std::env::var_os("BULWARK_REGENERATE_FIXTURES").is_some() {
        std::fs::write(fixture("rollup_d4_b2_vk.bin"), vk.to_bytes().expect("vk")).expect("write");
        std::fs::write(
            fixture("rollup_d4_b2_proof.bin"),
            out.proof.to_bytes().expect("proof"),
        )
        .expect("write");
    }
}

#[test]
fn stored_rollup_key_and_proof_still_verify() {
    let vk_bytes = std::fs::read(fixture("rollup_d4_b2_vk.bin")).expect("vk fixture");
    let proof_bytes = std::fs::read(fixture("rollup_d4_b2_proof.bin")).expect("proof fixture");
    let vk = VerifyingKey::from_bytes(&vk_bytes).expect("stored vk loads");
    let proof = Proof::from_bytes(&proof_bytes).expect("stored proof loads");
    let (_, inputs) = sample_circuit();
    verify(&vk, &inputs, &proof).expect("stored proof verifies against today's sample batch");
    assert_eq!(
        &vk,
        key().verifying_key(),
        "the dev setup of today's circuit differs from the stored key: the circuit changed"
    );
}
