//! Stored verifying key and proof (`tests/fixtures/`). If a change to the file format or the
//! encoding makes these tests fail, that change breaks every stored key and proof: bump
//! `FORMAT_VERSION` (and keep a reader for the old one) rather than regenerating silently.
//! Regenerate deliberately with
//! `cargo test -p bulwark-prover --test groth16 -- --ignored regenerate_fixtures`.

use std::path::PathBuf;

use bulwark_prover::{Proof, VerifyingKey, prove, verify};

use crate::circuits::{Demo, demo_key, rng};

/// The fixture proves `Demo` for `x = 3, y = 5`.
const WITNESS: (u64, u64) = (3, 5);

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("read fixture {name}: {e}"))
}

#[test]
fn stored_verifying_key_and_proof_still_load_and_verify() {
    let vk_bytes = read("demo_vk.bin");
    let proof_bytes = read("demo_proof.bin");
    let vk = VerifyingKey::from_bytes(&vk_bytes).expect("stored vk loads");
    let proof = Proof::from_bytes(&proof_bytes).expect("stored proof loads");
    verify(&vk, &Demo::public(WITNESS.0, WITNESS.1), &proof).expect("stored proof verifies");

    // Writing what was read gives the stored bytes back: the writer has not changed either.
    assert_eq!(vk.to_bytes().expect("encode vk"), vk_bytes);
    assert_eq!(proof.to_bytes().expect("encode proof"), proof_bytes);
}

#[test]
fn stored_verifying_key_matches_the_dev_setup() {
    let vk = VerifyingKey::from_bytes(&read("demo_vk.bin")).expect("stored vk loads");
    assert_eq!(
        &vk,
        demo_key().verifying_key(),
        "dev setup from SEED is reproducible"
    );
}

#[test]
#[ignore = "writes tests/fixtures; run deliberately after a conscious format change"]
fn regenerate_fixtures() {
    let pk = demo_key();
    let out = prove(&pk, Demo::honest(WITNESS.0, WITNESS.1), &mut rng(0)).expect("prove");
    let vk_bytes = pk.verifying_key().to_bytes().expect("encode vk");
    std::fs::write(fixture("demo_vk.bin"), vk_bytes).expect("write vk fixture");
    std::fs::write(
        fixture("demo_proof.bin"),
        out.proof.to_bytes().expect("encode proof"),
    )
    .expect("write proof fixture");
}
