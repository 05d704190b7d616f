//! Groth16 keys from the Powers of Tau, and the phase-2 ceremony's transcript.

use ark_ec::AffineRepr;
use bulwark_prover::circom::R1cs;
use bulwark_prover::{Phase2, ProverError, Ptau, SetupError, prove, verify};

use crate::circuits::{Demo, Square, rng};
use crate::support::{Ceremony, ceremony};

fn demo_ceremony(c: &Ceremony, contributors: &[&str]) -> (Phase2, R1cs) {
    let r1cs = R1cs::from_circuit(Demo::default()).expect("r1cs");
    let mut ptau = Ptau::open(&c.ptau).expect("open ptau");
    let mut p2 = Phase2::new(&mut ptau, &r1cs).expect("phase 2 start");
    for (i, name) in contributors.iter().enumerate() {
        p2.contribute(name, &mut rng(100 + i as u64))
            .expect("contribute");
    }
    (p2, r1cs)
}

fn bytes_of(p2: &Phase2) -> Vec<u8> {
    let mut out = Vec::new();
    p2.write_to(&mut out).expect("write phase 2");
    out
}

fn verify_bytes(c: &Ceremony, bytes: &[u8], r1cs: &R1cs) -> Result<Vec<[u8; 64]>, ProverError> {
    let p2 = Phase2::read_from(bytes)?;
    p2.verify(&mut Ptau::open(&c.ptau).expect("open"), r1cs)
}

#[test]
fn keys_from_the_ptau_prove_and_verify_before_and_after_contributions() {
    let Some(c) = ceremony() else { return };
    let (mut p2, r1cs) = demo_ceremony(c, &[]);
    for round in 0..3 {
        let pk = p2.proving_key();
        let out = prove(&pk, Demo::honest(3, 5), &mut rng(40 + round)).expect("prove");
        verify(pk.verifying_key(), &out.public_inputs, &out.proof).expect("verifies");
        let hashes = p2
            .verify(&mut Ptau::open(&c.ptau).expect("open"), &r1cs)
            .expect("transcript verifies");
        assert_eq!(hashes.len(), round as usize);
        p2.contribute(&format!("round {round}"), &mut rng(50 + round))
            .expect("contribute");
    }
    let delta = p2.proving_key().as_ark().delta_g1;
    assert_ne!(delta, ark_bn254::G1Affine::generator(), "delta moved");
}

#[test]
fn the_ceremony_file_round_trips_and_verifies() {
    let Some(c) = ceremony() else { return };
    let (p2, r1cs) = demo_ceremony(c, &["alice", "bob"]);
    let bytes = bytes_of(&p2);
    let back = Phase2::read_from(&bytes[..]).expect("read");
    assert_eq!(back.contributions(), p2.contributions());
    assert_eq!(back.proving_key(), p2.proving_key());
    let hashes = verify_bytes(c, &bytes, &r1cs).expect("verifies");
    assert_eq!(hashes.len(), 2);
    assert_ne!(hashes[0], hashes[1]);
    assert_eq!(back.contributions()[1].name, "bob");
}

/// Offsets in the file: header (9), initial hash (64), record count (8), then records.
const RECORDS: usize = 9 + 64 + 8;
/// One record with a 5-byte name: name length (8) + name + δ G1 (32) + δ G2 (64) + T (32) +
/// z (32).
const RECORD: usize = 8 + 5 + 32 + 64 + 32 + 32;

#[test]
fn a_tampered_contribution_fails_verification() {
    let Some(c) = ceremony() else { return };
    let (p2, r1cs) = demo_ceremony(c, &["alice", "bobby"]);
    let good = bytes_of(&p2);

    // The second record's response z (its last 32 bytes), changed in its low byte.
    let mut b = good.clone();
    b[RECORDS + 2 * RECORD - 32] ^= 1;
    let err = verify_bytes(c, &b, &r1cs).expect_err("bad response");
    assert!(
        matches!(&err, ProverError::Setup(SetupError::BadProofOfKnowledge { index: 1, name }) if name == "bobby"),
        "{err}"
    );

    // The first record's name: the challenge changes, so its proof no longer verifies.
    let mut b = good.clone();
    b[RECORDS + 8] = b'A';
    let err = verify_bytes(c, &b, &r1cs).expect_err("renamed");
    assert!(
        matches!(
            err,
            ProverError::Setup(SetupError::BadProofOfKnowledge { index: 0, .. })
        ),
        "{err}"
    );

    // The last two L-query points swapped (the key ends with the L query).
    let mut b = good.clone();
    let n = b.len();
    let (x, y) = b[n - 64..].split_at_mut(32);
    x.swap_with_slice(y);
    let err = verify_bytes(c, &b, &r1cs).expect_err("swapped L");
    assert!(
        matches!(err, ProverError::Setup(SetupError::QueriesNotScaled)),
        "{err}"
    );
}

#[test]
fn a_forged_delta_without_knowledge_of_the_secret_fails() {
    let Some(c) = ceremony() else { return };
    let (honest, r1cs) = demo_ceremony(c, &["alice"]);
    let (mut other, _) = demo_ceremony(c, &[]);
    // Someone runs their own contribution from scratch (their δ ignores alice's) and splices
    // alice's record in front: the chain breaks at their record.
    other.contribute("mallo", &mut rng(7)).expect("contribute");
    let hb = bytes_of(&honest);
    let ob = bytes_of(&other);
    let mut spliced = ob[..RECORDS - 8].to_vec();
    spliced.extend_from_slice(&2u64.to_le_bytes());
    spliced.extend_from_slice(&hb[RECORDS..RECORDS + RECORD]);
    spliced.extend_from_slice(&ob[RECORDS..]);
    let err = verify_bytes(c, &spliced, &r1cs).expect_err("spliced");
    assert!(
        matches!(
            err,
            ProverError::Setup(SetupError::BadProofOfKnowledge { index: 1, .. })
        ),
        "{err}"
    );
}

#[test]
fn a_ceremony_for_another_circuit_does_not_verify() {
    let Some(c) = ceremony() else { return };
    let (p2, _) = demo_ceremony(c, &["alice"]);
    let square = R1cs::from_circuit(Square(2u64.into())).expect("r1cs");
    let err = p2
        .verify(&mut Ptau::open(&c.ptau).expect("open"), &square)
        .expect_err("other circuit");
    assert!(
        matches!(err, ProverError::Setup(SetupError::WrongStart)),
        "{err}"
    );
}
