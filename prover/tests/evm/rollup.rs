//! `RollupExample`: batches advance the root only with a valid proof for the stored root and
//! the commitment recomputed from calldata; deposits and withdrawals come out as events.

use ark_ff::{Field, One};
use bulwark_circuits::{
    poseidon,
    rollup::{Batch, Operation, Transfer, Withdrawal},
};
use bulwark_prover::{
    Fr,
    solidity::{field_word, proof_calldata, rollup_l1_data},
};
use revm::primitives::keccak256;

use crate::chain::Rollup;
use crate::support::{Arg, Word, calldata, js_available, word};
use crate::{ProvenBatch, add_words, modulus_word, params, prove_batch, rollup_key, sample_batch};

fn l1_words(batch: &Batch) -> Vec<Word> {
    rollup_l1_data(batch, &params())
        .expect("l1 data")
        .iter()
        .map(field_word)
        .collect()
}

/// `(newRoot, l1Data, proof)` of a proven batch.
fn submission(p: &ProvenBatch) -> (Word, Vec<Word>, Vec<u8>) {
    (
        field_word(&p.out.public_inputs[1]),
        l1_words(&p.batch),
        proof_calldata(&p.out.proof).to_vec(),
    )
}

fn topic(signature: &str) -> [u8; 32] {
    keccak256(signature.as_bytes()).0
}

#[test]
fn poseidon_contracts_match_circomlib() {
    if !js_available() {
        return;
    }
    let mut r = Rollup::deploy(rollup_key().verifying_key(), &params(), Fr::from(0u64));
    let two = [Fr::from(1u64), Fr::from(2u64)];
    let out = r.evm.call(
        r.poseidon2,
        calldata(
            "poseidon(uint256[2])",
            &[Arg::Fixed(two.iter().map(field_word).collect())],
        ),
    );
    assert_eq!(out.returned_word(), field_word(&poseidon::hash_array(two)));
    let four = [1u64, 2, 3, 4].map(Fr::from);
    let out = r.evm.call(
        r.poseidon4,
        calldata(
            "poseidon(uint256[4])",
            &[Arg::Fixed(four.iter().map(field_word).collect())],
        ),
    );
    assert_eq!(out.returned_word(), field_word(&poseidon::hash_array(four)));
}

#[test]
fn contract_recomputes_the_circuits_commitment() {
    if !js_available() {
        return;
    }
    let (proven, _, _) = sample_batch();
    let mut r = Rollup::deploy(
        rollup_key().verifying_key(),
        &params(),
        proven.out.public_inputs[0],
    );
    let data = calldata(
        "l1DataCommitment(uint256[])",
        &[Arg::Array(l1_words(&proven.batch))],
    );
    let out = r.evm.call(r.rollup, data);
    assert_eq!(
        out.returned_word(),
        field_word(&proven.out.public_inputs[2])
    );
}

#[test]
fn valid_batches_advance_the_root_and_tampered_ones_revert() {
    if !js_available() {
        return;
    }
    let (first, mut state, s) = sample_batch();
    let old_root = first.out.public_inputs[0];
    let mut r = Rollup::deploy(rollup_key().verifying_key(), &params(), old_root);
    let (new_root, l1_data, proof) = submission(&first);

    // Tampered proof, new root, L1 data (the deposit's amount), L1 data length, and a proof of
    // the wrong length: each reverts and leaves the root alone.
    let mut bad_proof = proof.clone();
    bad_proof[..64].copy_from_slice(&proof[192..]);
    assert!(
        !r.submit(new_root, l1_data.clone(), bad_proof).success,
        "tampered proof"
    );
    let bumped_root = field_word(&(first.out.public_inputs[1] + Fr::one()));
    assert!(
        !r.submit(bumped_root, l1_data.clone(), proof.clone())
            .success,
        "new root"
    );
    let mut bad_data = l1_data.clone();
    let w0 = rollup_l1_data(&first.batch, &params()).expect("data")[3];
    bad_data[3] = field_word(&(w0 + Fr::from(2u64).pow([66])));
    assert!(
        !r.submit(new_root, bad_data, proof.clone()).success,
        "deposit amount"
    );
    // w0 + r hashes like w0 (Poseidon works mod r) but decodes to other fields.
    let mut unreduced = l1_data.clone();
    unreduced[3] = add_words(&l1_data[3], &modulus_word());
    assert!(
        !r.submit(new_root, unreduced, proof.clone()).success,
        "w0 + r"
    );
    assert!(
        !r.submit(new_root, l1_data[1..].to_vec(), proof.clone())
            .success,
        "short data"
    );
    assert!(
        !r.submit(new_root, l1_data.clone(), proof[..255].to_vec())
            .success,
        "short proof"
    );
    assert_eq!(r.state_root(), field_word(&old_root));

    // The valid batch passes and emits its deposit.
    let out = r.submit(new_root, l1_data.clone(), proof.clone());
    assert!(out.success, "valid batch reverted: {out:?}");
    assert_eq!(r.state_root(), new_root);
    let deposit = out
        .logs
        .iter()
        .find(|l| l.data.topics()[0].0 == topic("Deposit(uint256,uint256,uint256,uint256,uint256)"))
        .expect("deposit event");
    let Operation::Deposit(d) = &s.batch.operations[1] else {
        panic!("the sample's slot 1 is a deposit");
    };
    let expected: Vec<u8> = [
        word(d.to),
        word(d.amount),
        field_word(&d.public_key.x),
        field_word(&d.public_key.y),
    ]
    .concat();
    assert_eq!(deposit.data.data.to_vec(), expected);

    // Replaying it fails: the stored root moved on.
    assert!(!r.submit(new_root, l1_data, proof).success, "replay");

    // A second batch on the new root: a withdrawal and a transfer.
    let l1_address = Fr::from(0x00c0_ffee_u64);
    let second = prove_batch(
        &mut state,
        Batch {
            operator: 0,
            operations: vec![
                Operation::Withdrawal(Withdrawal::signed(
                    &s.private_keys[2],
                    2,
                    l1_address,
                    700,
                    3,
                    0,
                )),
                Operation::Transfer(Transfer::signed(&s.private_keys[1], 1, 3, 40, 1, 1)),
            ],
        },
        4,
    );
    assert_eq!(second.out.public_inputs[0], first.out.public_inputs[1]);
    let (new_root, l1_data, proof) = submission(&second);
    let out = r.submit(new_root, l1_data, proof);
    assert!(out.success, "second batch reverted: {out:?}");
    assert_eq!(r.state_root(), new_root);
    let withdrawal = out
        .logs
        .iter()
        .find(|l| l.data.topics()[0].0 == topic("Withdrawal(uint256,uint256,address,uint256)"))
        .expect("withdrawal event");
    let expected: Vec<u8> = [word(2), field_word(&l1_address), word(700)].concat();
    assert_eq!(withdrawal.data.data.to_vec(), expected);
}

#[test]
fn a_wrong_old_root_is_rejected() {
    if !js_available() {
        return;
    }
    let (proven, _, _) = sample_batch();
    let (new_root, l1_data, proof) = submission(&proven);
    let mut right = Rollup::deploy(
        rollup_key().verifying_key(),
        &params(),
        proven.out.public_inputs[0],
    );
    assert!(
        right
            .submit(new_root, l1_data.clone(), proof.clone())
            .success,
        "right root"
    );
    let mut wrong = Rollup::deploy(
        rollup_key().verifying_key(),
        &params(),
        proven.out.public_inputs[0] + Fr::one(),
    );
    assert!(
        !wrong.submit(new_root, l1_data, proof).success,
        "wrong root"
    );
}
