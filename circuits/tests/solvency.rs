//! Solvency: the native model, honest circuits, and soundness (the shared mutation lists of
//! `solvency_support`: each witness field mutated, out-of-range balances and sums with
//! consistent commitments, insolvency, the "max instead of sum" attack; id aliasing), the
//! witness sweep, and constraint counts.

mod common;
mod solvency_support;

use ark_ff::{BigInteger, Field, PrimeField};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef};
use bulwark_circuits::Fr;
use bulwark_circuits::solvency::{
    BatchCircuit, BlindingSeed, Book, CommittedBook, InclusionCircuit, InclusionClaim, Reserves,
    SolvencyError, SolvencyParams, TopCircuit,
};
use bulwark_circuits::sum_tree::hash_user_id;

type TestResult = Result<(), Box<dyn std::error::Error>>;

use common::{CSV, RESERVES, committed, committed_with, params, seed};

/// Synthesizes `circuit`; `None` if synthesis refuses (a wrong shape).
fn synthesize(circuit: impl ConstraintSynthesizer<Fr>) -> Option<ConstraintSystemRef<Fr>> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    circuit.generate_constraints(cs.clone()).ok()?;
    Some(cs)
}

/// Whether the witness satisfies the circuit. Every mutation in these tests keeps the shape,
/// so synthesis must succeed: a rejection is the constraints' doing.
fn satisfied(circuit: impl ConstraintSynthesizer<Fr>) -> bool {
    let cs = synthesize(circuit).expect("the shape is right, synthesis succeeds");
    cs.is_satisfied().expect("every variable is assigned")
}

// ---------------------------------------------------------------- native model

#[test]
fn check_explains_insolvency_in_words() -> TestResult {
    let book = Book::from_csv(CSV.as_bytes())?;
    assert_eq!(
        book.check(&Reserves::from_json(RESERVES.as_bytes())?)?,
        [(1u128 << 64) + 350, 16]
    );
    let short = Reserves::from_json(r#"{"BTC": "18446744073709552000", "ETH": "10"}"#.as_bytes())?;
    let err = book.check(&short).err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("insolvent: users hold 16 ETH in total but the reserve is 10 (short by 6)")
    );
    // No proving state is built for an insolvent book.
    assert!(matches!(
        CommittedBook::new(&book, &short, params()?, seed()),
        Err(SolvencyError::Insolvent(s)) if s.len() == 1 && s[0].asset == "ETH"
    ));
    Ok(())
}

#[test]
fn committed_book_rejects_wrong_shapes() -> TestResult {
    let book = Book::from_csv(CSV.as_bytes())?;
    let reserves = Reserves::from_json(RESERVES.as_bytes())?;
    assert!(matches!(
        CommittedBook::new(&book, &reserves, SolvencyParams::new(2, 1, 1)?, seed()),
        Err(SolvencyError::TooManyUsers {
            users: 5,
            capacity: 4
        })
    ));
    assert!(matches!(
        CommittedBook::new(&book, &reserves, SolvencyParams::new(3, 2, 1)?, seed()),
        Err(SolvencyError::AssetCountMismatch { .. })
    ));
    assert!(SolvencyParams::new(0, 2, 1).is_err());
    assert!(SolvencyParams::new(1, 0, 1).is_err());
    assert!(SolvencyParams::new(1, 20, 13).is_err());
    assert!(Book::new(vec!["BTC".into()], vec![]).is_ok());
    Ok(())
}

#[test]
fn commitments_are_consistent_and_hide_the_totals() -> TestResult {
    // Batches of 2 over 8 batches: three partly or fully used, five empty.
    for p in [params()?, SolvencyParams::new(2, 1, 3)?] {
        let book = committed_with(p)?;
        assert_eq!(book.totals(), [(1u128 << 64) + 350, 16]);
        for j in 0..p.batches() {
            let witness = book.batch_witness(j)?;
            assert_eq!(
                witness.commitment(&p)?,
                book.statement().batch_commitments[j]
            );
        }
    }
    let book = committed()?;
    let p = *book.params();
    // A different seed: same book, unrelated commitments.
    let other = CommittedBook::new(
        &Book::from_csv(CSV.as_bytes())?,
        &Reserves::from_json(RESERVES.as_bytes())?,
        p,
        BlindingSeed::from_fr(Fr::from(99u64)),
    )?;
    assert_ne!(
        other.statement().book_commitment,
        book.statement().book_commitment
    );
    assert_eq!(other.totals(), book.totals());
    assert_eq!(book.statement().top_public_inputs()?.len(), 2 + p.assets());
    Ok(())
}

// ---------------------------------------------------------------- honest circuits

#[test]
fn honest_book_satisfies_every_circuit() -> TestResult {
    for p in [params()?, SolvencyParams::new(2, 1, 3)?] {
        let book = committed_with(p)?;
        for j in 0..p.batches() {
            assert!(satisfied(book.batch_circuit(j)?), "batch {j} of {p:?}");
        }
        assert!(satisfied(book.top_circuit()), "top of {p:?}");
        for id in ["alice", "bob", "carol", "dave", "erin"] {
            let circuit = book.inclusion_circuit(id)?;
            circuit.check()?;
            assert!(satisfied(circuit), "inclusion of {id} in {p:?}");
        }
    }
    let book = committed()?;
    assert!(matches!(
        book.inclusion_circuit("mallory"),
        Err(SolvencyError::UnknownUser { .. })
    ));
    Ok(())
}

#[test]
fn public_inputs_are_what_the_circuits_allocate() -> TestResult {
    let book = committed()?;
    let count = |circuit: Option<ConstraintSystemRef<Fr>>| {
        circuit.map(|cs| cs.num_instance_variables() - 1)
    };
    let statement = book.statement();
    assert_eq!(
        count(synthesize(book.batch_circuit(1)?)),
        Some(statement.batch_public_inputs(1)?.len())
    );
    assert_eq!(
        count(synthesize(book.top_circuit())),
        Some(statement.top_public_inputs()?.len())
    );
    let inclusion = book.inclusion_circuit("carol")?;
    let claim = InclusionClaim::new(statement.book_commitment, "carol", vec![250, 0])?;
    assert_eq!(claim, inclusion.claim);
    let cs = synthesize(inclusion).ok_or("synthesis")?;
    let inputs = &cs.borrow().ok_or("cs")?.assignments.instance_assignment;
    assert_eq!(inputs[1..], claim.public_inputs()[..]);
    Ok(())
}

// ---------------------------------------------------------------- soundness (shared lists)

#[test]
fn batch_rejects_each_mutation_and_accepts_each_control() -> TestResult {
    let book = committed()?;
    let assets = book.params().assets();
    let honest = book.batch_circuit(0)?;
    assert_eq!(
        common::fr_batch_commitment(&honest.witness, assets),
        honest.commitment,
        "the attacker's formula is the published one"
    );
    for (cases, expected) in [
        (solvency_support::batch_mutations(assets), false),
        (solvency_support::batch_controls(assets), true),
    ] {
        for (what, mutate) in cases {
            let mut circuit = honest.clone();
            mutate(&mut circuit);
            assert_eq!(satisfied(circuit), expected, "{what}");
        }
    }
    Ok(())
}

#[test]
fn top_rejects_each_mutation_and_accepts_each_control() -> TestResult {
    let book = committed()?;
    let batch_bits = book.params().batch_bits();
    let honest = book.top_circuit();
    assert!(satisfied(honest.clone()));
    for (cases, expected) in [
        (solvency_support::top_mutations(batch_bits), false),
        (solvency_support::top_controls(batch_bits), true),
    ] {
        for (what, mutate) in cases {
            let mut circuit = honest.clone();
            mutate(&mut circuit);
            assert_eq!(satisfied(circuit), expected, "{what}");
        }
    }
    Ok(())
}

#[test]
fn inclusion_rejects_each_mutation_and_accepts_each_control() -> TestResult {
    let book = committed()?;
    let honest = book.inclusion_circuit("dave")?;
    assert_eq!(honest.witness.path.index(), 3);
    for (cases, expected) in [
        (solvency_support::inclusion_mutations(), false),
        (solvency_support::inclusion_controls(), true),
    ] {
        for (what, mutate) in cases {
            let mut circuit = honest.clone();
            mutate(&mut circuit);
            assert_eq!(circuit.check().is_ok(), expected, "native check on {what}");
            assert_eq!(satisfied(circuit), expected, "{what}");
        }
    }
    Ok(())
}

#[test]
fn user_ids_do_not_alias() -> TestResult {
    let book = committed()?;
    let honest = book.inclusion_circuit("alice")?;
    // Packing ids modulo p would alias the bytes of p + 1 with [1]; lengths are hashed too.
    let mut p_plus_one = Fr::MODULUS.to_bytes_le();
    p_plus_one[0] += 1;
    assert_eq!(Fr::from_le_bytes_mod_order(&p_plus_one), Fr::ONE);
    assert_ne!(hash_user_id(&p_plus_one)?, hash_user_id(&[1])?);
    assert_ne!(hash_user_id(b"\x01")?, hash_user_id(b"\x01\0")?);
    // Another id that a careless packing could confuse with alice cannot use her entry.
    let aliases: [&[u8]; 3] = [b"alice\0", b"\0alice", b"ALICE"];
    for alias in aliases {
        assert_ne!(hash_user_id(alias)?, honest.claim.id_hash);
        let mut circuit = honest.clone();
        circuit.claim.id_hash = hash_user_id(alias)?;
        assert!(!satisfied(circuit), "alias {alias:?} accepted");
    }
    // Duplicate ids never enter a book.
    assert!(Book::from_csv("user_id,BTC\nalice,1\nalice,2\n".as_bytes()).is_err());
    Ok(())
}

// ---------------------------------------------------------------- sweep and counts

#[test]
fn every_witness_is_bound() -> TestResult {
    let book = committed()?;
    for circuit in [book.batch_circuit(0)?, book.batch_circuit(1)?] {
        let cs = synthesize(circuit).ok_or("synthesis")?;
        assert!(common::assert_every_witness_is_bound(&cs) > 0);
    }
    let cs = synthesize(book.inclusion_circuit("erin")?).ok_or("synthesis")?;
    common::assert_every_witness_is_bound(&cs);
    let cs = synthesize(book.top_circuit()).ok_or("synthesis")?;
    common::assert_every_witness_is_bound(&cs);
    Ok(())
}

#[test]
#[allow(clippy::print_stdout)]
fn constraint_counts() -> TestResult {
    for assets in [1usize, 2, 4] {
        let p = SolvencyParams::new(assets, 3, 1)?;
        let cs = synthesize(BatchCircuit::blank(p)).ok_or("synthesis")?;
        let per_user = cs.num_constraints() / p.batch_size();
        println!(
            "solvency batch circuit, K = {assets}, 2^{} users: {} constraints, {per_user} per user",
            p.batch_bits(),
            cs.num_constraints()
        );
        assert!(per_user < 700 + 140 * assets, "{per_user} per user");
    }
    // Inclusion at depth 20, with a real book and a satisfied witness.
    let p = SolvencyParams::new(2, 10, 10)?;
    let book = Book::from_csv(CSV.as_bytes())?;
    let reserves = Reserves::from_json(RESERVES.as_bytes())?;
    let book = CommittedBook::new(&book, &reserves, p, seed())?;
    let cs = synthesize(book.inclusion_circuit("bob")?).ok_or("synthesis")?;
    assert!(cs.is_satisfied()?);
    println!(
        "solvency inclusion circuit, K = 2, depth 20: {} constraints",
        cs.num_constraints()
    );
    let cs = synthesize(TopCircuit::blank(SolvencyParams::new(2, 10, 4)?)).ok_or("synthesis")?;
    println!(
        "solvency top circuit, K = 2, 2^4 batches of 2^10: {} constraints",
        cs.num_constraints()
    );
    Ok(())
}

#[test]
fn blank_circuits_have_the_honest_shape() -> TestResult {
    let book = committed()?;
    let p = *book.params();
    let shape = |cs: ConstraintSystemRef<Fr>| {
        (
            cs.num_constraints(),
            cs.num_instance_variables(),
            cs.num_witness_variables(),
        )
    };
    let pairs = [
        (
            synthesize(BatchCircuit::blank(p)),
            synthesize(book.batch_circuit(0)?),
        ),
        (
            synthesize(TopCircuit::blank(p)),
            synthesize(book.top_circuit()),
        ),
        (
            synthesize(InclusionCircuit::blank(p)),
            synthesize(book.inclusion_circuit("bob")?),
        ),
    ];
    for (blank, honest) in pairs {
        assert_eq!(blank.map(shape), honest.map(shape));
    }
    Ok(())
}
