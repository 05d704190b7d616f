//! `SolvencyExample`: a publication is accepted only with the top proof for exactly its book
//! commitment, batch digest and reserves; users' inclusion proofs verify in a `view` call
//! against the published commitment and against nothing else.

use std::sync::OnceLock;

use ark_ff::One;
use bulwark_circuits::solvency::{
    BlindingSeed, Book, CommittedBook, InclusionCircuit, Reserves, SolvencyParams, TopCircuit,
};
use bulwark_prover::{
    Fr, ProofWithInputs, ProvingKey, dev_setup_insecure, prove,
    solidity::{field_word, proof_calldata},
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use revm::primitives::Address;

use crate::chain::Solvency;
use crate::support::{Word, js_available, word};
use crate::{add_words, modulus_word};

/// 2 assets, batches of 2^2 users, 2^1 batches: depth 3, room for 8 users.
pub fn params() -> SolvencyParams {
    SolvencyParams::new(2, 2, 1).expect("params")
}

pub const USERS: &str = "user_id,BTC,ETH\n\
                     alice,100,5\n\
                     bob,0,7\n\
                     carol,250,0\n\
                     dave,1,1\n\
                     erin,18446744073709551615,3\n";
pub const RESERVES: &str = r#"{"BTC": "18446744073709552000", "ETH": "16"}"#;
/// A second book on the same keys (alice holds one ETH more there).
const OTHER_USERS: &str = "user_id,BTC,ETH\nalice,100,6\nfrank,3,3\n";

/// One committed book, its top proof and every user's inclusion proof.
pub struct ProvenBook {
    /// The top proof and its public inputs `[C, digest, R_1..R_K]`.
    pub top: ProofWithInputs,
    /// Per user (CSV order): the inclusion proof and its public inputs `[C, id_hash, b..]`.
    pub inclusions: Vec<ProofWithInputs>,
}

/// Dev keys for the top and inclusion circuits, and two proven books.
pub struct Sample {
    /// The top circuit's key.
    pub top_pk: ProvingKey,
    /// The inclusion circuit's key.
    pub inclusion_pk: ProvingKey,
    /// The book `USERS`.
    pub book: ProvenBook,
    /// The book `OTHER_USERS`.
    pub other: ProvenBook,
}

fn prove_book(
    csv: &str,
    top_pk: &ProvingKey,
    inclusion_pk: &ProvingKey,
    rng: &mut ChaCha20Rng,
) -> ProvenBook {
    let book = Book::from_csv(csv.as_bytes()).expect("csv");
    let reserves = Reserves::from_json(RESERVES.as_bytes()).expect("reserves");
    let committed = CommittedBook::new(&book, &reserves, params(), BlindingSeed::random(rng))
        .expect("solvent book");
    let top = prove(top_pk, committed.top_circuit(), rng).expect("top proof");
    let inclusions = book
        .entries()
        .iter()
        .map(|e| {
            let circuit = committed.inclusion_circuit(e.id()).expect("user");
            prove(inclusion_pk, circuit, rng).expect("inclusion proof")
        })
        .collect();
    ProvenBook { top, inclusions }
}

/// The sample, generated once per test binary.
pub fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let top_pk = dev_setup_insecure(TopCircuit::blank(params()), 12).expect("top setup");
        let inclusion_pk =
            dev_setup_insecure(InclusionCircuit::blank(params()), 13).expect("inclusion setup");
        let mut rng = ChaCha20Rng::seed_from_u64(14);
        let book = prove_book(USERS, &top_pk, &inclusion_pk, &mut rng);
        let other = prove_book(OTHER_USERS, &top_pk, &inclusion_pk, &mut rng);
        Sample {
            top_pk,
            inclusion_pk,
            book,
            other,
        }
    })
}

/// Fresh contracts for the sample's keys.
pub fn deploy() -> Solvency {
    let s = sample();
    Solvency::deploy(
        s.top_pk.verifying_key(),
        s.inclusion_pk.verifying_key(),
        &params(),
    )
}

fn words(inputs: &[Fr]) -> Vec<Word> {
    inputs.iter().map(field_word).collect()
}

/// `(public inputs as words, proof calldata)`.
fn calldata_of(p: &ProofWithInputs) -> (Vec<Word>, Vec<u8>) {
    (words(&p.public_inputs), proof_calldata(&p.proof).to_vec())
}

/// `publish` with the public inputs of `p`, asserting success.
fn publish_ok(c: &mut Solvency, p: &ProofWithInputs) {
    let (inputs, proof) = calldata_of(p);
    let out = c.publish(&inputs, &proof);
    assert!(out.success, "valid publication reverted: {out:?}");
}

/// `verifyInclusion` with `p`'s claim (its public inputs after `C`).
fn included(c: &mut Solvency, claim: &[Word], proof: &[u8]) -> bool {
    c.verify_inclusion(claim, proof).returned_bool()
}

#[test]
fn every_contract_fits_eip170() {
    if !js_available() {
        return;
    }
    let c = deploy();
    for (name, address) in [
        ("SolvencyExample", c.contract),
        ("SolvencyTopVerifier", c.top_verifier),
        ("SolvencyInclusionVerifier", c.inclusion_verifier),
    ] {
        let size = c.evm.code_size(address);
        assert!(size > 0, "{name} has no code");
        assert!(
            size <= 24_576,
            "{name} is {size} bytes, over EIP-170's 24,576"
        );
    }
}

#[test]
fn publish_accepts_only_the_top_proof_for_its_statement() {
    if !js_available() {
        return;
    }
    let s = sample();
    let mut c = deploy();
    let (inputs, proof) = calldata_of(&s.book.top);
    let public = &s.book.top.public_inputs;

    // A and C swapped; one bit of C.y flipped; a byte short.
    let mut swapped = proof.clone();
    swapped[..64].copy_from_slice(&proof[192..]);
    swapped[192..].copy_from_slice(&proof[..64]);
    let mut flipped = proof.clone();
    flipped[255] ^= 1;
    for (what, bad) in [
        ("A and C swapped", swapped),
        ("C.y flipped", flipped),
        ("short proof", proof[..255].to_vec()),
        (
            "the other book's proof",
            proof_calldata(&s.other.top.proof).to_vec(),
        ),
    ] {
        assert!(!c.publish(&inputs, &bad).success, "{what}");
    }

    // Every public input changed: C (+1, + r, the other book's C), the digest, each reserve
    // up and down by one.
    let mut tampered: Vec<(String, Vec<Word>)> = Vec::new();
    for i in 0..public.len() {
        for (sign, delta) in [("+", Fr::one()), ("-", -Fr::one())] {
            let mut t = inputs.clone();
            t[i] = field_word(&(public[i] + delta));
            tampered.push((format!("input {i} {sign} 1"), t));
        }
    }
    let mut plus_r = inputs.clone();
    plus_r[0] = add_words(&inputs[0], &modulus_word());
    tampered.push(("C + r".into(), plus_r));
    let mut other_c = inputs.clone();
    other_c[0] = field_word(&s.other.top.public_inputs[0]);
    tampered.push(("the other book's C".into(), other_c));
    for (what, bad) in tampered {
        assert!(!c.publish(&bad, &proof).success, "{what}");
    }

    // Only the custodian publishes, even with a valid proof.
    let data = c.publish_calldata(inputs[0], inputs[1], &inputs[2..], &proof);
    let stranger = Address::repeat_byte(0x5e);
    assert!(
        !c.evm.call_from(stranger, c.contract, data).success,
        "stranger"
    );
    assert_eq!(c.publication_count(), word(0));

    publish_ok(&mut c, &s.book.top);
    assert_eq!(c.publication_count(), word(1));
    // The stored publication is the statement (C, digest, reserves) and a timestamp.
    let out = c.evm.view(
        c.contract,
        crate::support::calldata(
            "publication(uint256)",
            &[crate::support::Arg::Word(word(0))],
        ),
    );
    assert!(out.success);
    assert_eq!(out.output[..32 * inputs.len()], inputs.concat());
}

#[test]
fn inclusion_view_accepts_each_user_and_rejects_tampering() {
    if !js_available() {
        return;
    }
    let s = sample();
    let mut c = deploy();
    let alice = calldata_of(&s.book.inclusions[0]);
    // Nothing published yet: the view reverts.
    assert!(!c.verify_inclusion(&alice.0[1..], &alice.1).success);

    publish_ok(&mut c, &s.book.top);
    for (i, p) in s.book.inclusions.iter().enumerate() {
        let (inputs, proof) = calldata_of(p);
        assert_eq!(
            inputs[0],
            field_word(&s.book.top.public_inputs[0]),
            "user {i}'s C"
        );
        assert!(included(&mut c, &inputs[1..], &proof), "user {i}");
    }

    let (inputs, proof) = alice;
    let claim = &inputs[1..];
    // Each balance off by one; bob's id hash with alice's balances; id hash + r.
    for k in 1..claim.len() {
        let mut more = claim.to_vec();
        more[k] = word(u64::from_be_bytes(claim[k][24..].try_into().expect("u64")) + 1);
        assert!(!included(&mut c, &more, &proof), "balance {k} + 1");
    }
    let mut bob = claim.to_vec();
    bob[0] = field_word(&s.book.inclusions[1].public_inputs[1]);
    assert!(!included(&mut c, &bob, &proof), "bob's id");
    let mut plus_r = claim.to_vec();
    plus_r[0] = add_words(&claim[0], &modulus_word());
    assert!(!included(&mut c, &plus_r, &proof), "id hash + r");
    // Another user's proof for alice's claim; the other book's proof for alice.
    let bob_proof = proof_calldata(&s.book.inclusions[1].proof);
    assert!(!included(&mut c, claim, &bob_proof), "bob's proof");
    let (other_inputs, other_proof) = calldata_of(&s.other.inclusions[0]);
    assert!(
        !included(&mut c, &other_inputs[1..], &other_proof),
        "other book's alice"
    );
    // A balance that is not a uint64 is malformed calldata: the call reverts.
    let mut wide = claim.to_vec();
    wide[1][23] = 1; // + 2^64
    assert!(
        !c.verify_inclusion(&wide, &proof).success,
        "balance >= 2^64"
    );

    // After the other book is published, its proofs verify against the latest publication
    // and the first book's only against publication 0.
    publish_ok(&mut c, &s.other.top);
    assert!(included(&mut c, &other_inputs[1..], &other_proof), "latest");
    assert!(!included(&mut c, claim, &proof), "first book vs latest");
    assert!(
        c.verify_inclusion_at(0, claim, &proof).returned_bool(),
        "first book vs publication 0"
    );
    assert!(
        !c.verify_inclusion_at(1, claim, &proof).returned_bool(),
        "first book vs publication 1"
    );
    assert!(
        !c.verify_inclusion_at(2, claim, &proof).success,
        "no publication 2"
    );
}
