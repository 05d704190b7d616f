//! Solvency batch and inclusion on both backends' constraint systems: every honest witness
//! satisfies the R1CS circuit and halo2's `MockProver` with the same public inputs, and every
//! mutated witness is rejected by both.

mod common;

use ark_ff::Field;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use bulwark_circuits::Fr;
use bulwark_circuits::halo2::halo2_proofs::dev::MockProver;
use bulwark_circuits::halo2::{SolvencyBatchCircuit, SolvencyInclusionCircuit, fitting_k};
use bulwark_circuits::solvency::{BatchCircuit, InclusionCircuit, SolvencyParams, commit_node};
use bulwark_circuits::sum_tree::{SumLeaf, SumNode, SumPath, hash_user_id};
use common::{committed, committed_with, fr_batch_commitment};

type TestResult = Result<(), Box<dyn std::error::Error>>;
type Mutation<C> = (&'static str, Box<dyn Fn(&mut C)>);

fn r1cs_accepts(circuit: impl ConstraintSynthesizer<Fr>) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    circuit
        .generate_constraints(cs.clone())
        .map(|()| cs.is_satisfied().unwrap_or(false))
        .unwrap_or(false)
}

fn halo2_batch_accepts(circuit: BatchCircuit, k: u32) -> bool {
    let circuit = SolvencyBatchCircuit(circuit);
    let public = circuit.public_inputs();
    MockProver::run(k, &circuit, vec![public]).is_ok_and(|p| p.verify().is_ok())
}

fn halo2_inclusion_accepts(circuit: InclusionCircuit, k: u32) -> bool {
    let circuit = SolvencyInclusionCircuit(circuit);
    let public = circuit.public_inputs();
    MockProver::run(k, &circuit, vec![public]).is_ok_and(|p| p.verify().is_ok())
}

fn batch_k(circuit: &BatchCircuit) -> Result<u32, Box<dyn std::error::Error>> {
    let circuit = SolvencyBatchCircuit(circuit.clone());
    Ok(fitting_k(&circuit)?)
}

fn inclusion_k(circuit: &InclusionCircuit) -> Result<u32, Box<dyn std::error::Error>> {
    let circuit = SolvencyInclusionCircuit(circuit.clone());
    Ok(fitting_k(&circuit)?)
}

/// Asserts both backends accept (`expected`) or both reject.
fn both(batch_or_inclusion: (bool, bool), expected: bool, what: &str) {
    let (r1cs, halo2) = batch_or_inclusion;
    assert_eq!(r1cs, expected, "R1CS on {what}");
    assert_eq!(halo2, expected, "halo2 on {what}");
}

#[test]
fn honest_batches_and_inclusions_pass_both_backends() -> TestResult {
    for p in [common::params()?, SolvencyParams::new(2, 1, 3)?] {
        let book = committed_with(p)?;
        let k = batch_k(&book.batch_circuit(0)?)?;
        for j in 0..p.batches() {
            let c = book.batch_circuit(j)?;
            both(
                (r1cs_accepts(c.clone()), halo2_batch_accepts(c, k)),
                true,
                "honest batch",
            );
        }
        let k = inclusion_k(&book.inclusion_circuit("alice")?)?;
        for id in ["alice", "bob", "carol", "dave", "erin"] {
            let c = book.inclusion_circuit(id)?;
            both(
                (r1cs_accepts(c.clone()), halo2_inclusion_accepts(c, k)),
                true,
                id,
            );
        }
    }
    Ok(())
}

fn mutate_slot(circuit: &mut BatchCircuit, slot: usize, f: impl FnOnce(&mut Vec<Fr>, &mut Fr)) {
    if let Some(values) = circuit.witness.slots[slot].as_mut() {
        f(&mut values.balances, &mut values.id_hash);
    }
}

#[test]
fn batch_mutations_are_rejected_by_both() -> TestResult {
    let book = committed()?;
    let p = *book.params();
    let honest = book.batch_circuit(0)?;
    let k = batch_k(&honest)?;
    let recommitted = move |c: &mut BatchCircuit| {
        c.commitment = fr_batch_commitment(&c.witness, p.assets());
    };
    let mutations: Vec<Mutation<BatchCircuit>> = vec![
        (
            "a balance",
            Box::new(|c| mutate_slot(c, 1, |b, _| b[0] += Fr::ONE)),
        ),
        (
            "an id hash",
            Box::new(|c| mutate_slot(c, 2, |_, id| *id += Fr::ONE)),
        ),
        ("the blinding", Box::new(|c| c.witness.blinding += Fr::ONE)),
        ("the commitment", Box::new(|c| c.commitment += Fr::ONE)),
        ("a user dropped", Box::new(|c| c.witness.slots[3] = None)),
        (
            "a negative balance, recommitted",
            Box::new(move |c| {
                mutate_slot(c, 0, |b, _| b[1] = -Fr::ONE);
                recommitted(c);
            }),
        ),
        (
            "a balance of 2^64, recommitted",
            Box::new(move |c| {
                mutate_slot(c, 0, |b, _| b[1] = Fr::from(1u128 << 64));
                recommitted(c);
            }),
        ),
    ];
    for (what, mutate) in mutations {
        let mut c = honest.clone();
        mutate(&mut c);
        both(
            (r1cs_accepts(c.clone()), halo2_batch_accepts(c, k)),
            false,
            what,
        );
    }
    // Control: the largest balance, recommitted, is accepted by both.
    let mut c = honest.clone();
    mutate_slot(&mut c, 0, |b, _| b[1] = Fr::from(u64::MAX));
    recommitted(&mut c);
    both(
        (r1cs_accepts(c.clone()), halo2_batch_accepts(c, k)),
        true,
        "2^64 - 1",
    );
    // Control: a batch with one user fewer, recommitted, is a different valid batch.
    let mut c = honest.clone();
    c.witness.slots[3] = None;
    c.commitment = fr_batch_commitment(&c.witness, p.assets());
    both(
        (r1cs_accepts(c.clone()), halo2_batch_accepts(c, k)),
        true,
        "a truly empty slot",
    );
    Ok(())
}

fn with_sibling(c: &mut InclusionCircuit, level: usize, f: impl FnOnce(&mut SumNode)) {
    let mut siblings = c.witness.path.siblings().to_vec();
    f(&mut siblings[level]);
    if let Ok(path) = SumPath::new(c.witness.path.index(), siblings) {
        c.witness.path = path;
    }
}

#[test]
fn inclusion_mutations_are_rejected_by_both() -> TestResult {
    let book = committed()?;
    let honest = book.inclusion_circuit("dave")?;
    let k = inclusion_k(&honest)?;
    let other_id = hash_user_id(b"carol")?;
    let mutations: Vec<Mutation<InclusionCircuit>> = vec![
        ("a wrong balance", Box::new(|c| c.claim.balances[0] += 1)),
        ("a wrong id", Box::new(move |c| c.claim.id_hash = other_id)),
        (
            "a wrong commitment",
            Box::new(|c| c.claim.book_commitment += Fr::ONE),
        ),
        (
            "the blinding",
            Box::new(|c| c.witness.book_blinding += Fr::ONE),
        ),
        (
            "a sibling hash",
            Box::new(|c| with_sibling(c, 1, |s| s.hash += Fr::ONE)),
        ),
        (
            "a sibling sum",
            Box::new(|c| with_sibling(c, 2, |s| s.sums[0] -= 1)),
        ),
        (
            "another position",
            Box::new(|c| {
                if let Ok(path) = SumPath::new(2, c.witness.path.siblings().to_vec()) {
                    c.witness.path = path;
                }
            }),
        ),
    ];
    for (what, mutate) in mutations {
        let mut c = honest.clone();
        mutate(&mut c);
        assert!(c.check().is_err(), "native check accepts {what}");
        both(
            (r1cs_accepts(c.clone()), halo2_inclusion_accepts(c, k)),
            false,
            what,
        );
    }
    Ok(())
}

#[test]
fn inclusion_range_checks_sibling_sums_on_both() -> TestResult {
    // A sibling at height 0 claims a sum of 2^64 (more than one balance can hold), and the
    // commitment is recomputed to match: only the range check can object.
    let book = committed()?;
    let honest = book.inclusion_circuit("alice")?;
    let k = inclusion_k(&honest)?;
    for (sum, expected) in [((1u128 << 64) - 1, true), (1u128 << 64, false)] {
        let mut c = honest.clone();
        with_sibling(&mut c, 0, |s| s.sums[0] = sum);
        // The attacker's root: the published node formula, no range checks.
        let leaf = SumLeaf::from_id_hash(c.claim.id_hash, c.claim.balances.clone());
        let path = &c.witness.path;
        let root = path.siblings().iter().zip(path.index_bits()).try_fold(
            leaf.node()?,
            |node, (sibling, is_right)| match is_right {
                true => SumNode::parent(sibling, &node),
                false => SumNode::parent(&node, sibling),
            },
        )?;
        c.claim.book_commitment = commit_node(&root, c.witness.book_blinding)?;
        both(
            (r1cs_accepts(c.clone()), halo2_inclusion_accepts(c, k)),
            expected,
            &format!("sibling sum {sum}"),
        );
    }
    Ok(())
}

#[test]
fn public_inputs_are_the_r1cs_ones() -> TestResult {
    let book = committed()?;
    let batch = book.batch_circuit(1)?;
    let inclusion = book.inclusion_circuit("carol")?;
    let convert = |xs: Vec<Fr>| bulwark_circuits::halo2::to_halo2_vec(&xs);
    assert_eq!(
        SolvencyBatchCircuit(batch.clone()).public_inputs(),
        convert(batch.public_inputs())
    );
    assert_eq!(
        SolvencyInclusionCircuit(inclusion.clone()).public_inputs(),
        convert(inclusion.claim.public_inputs())
    );
    Ok(())
}

/// `cargo test -p bulwark-circuits --test halo2_solvency rows -- --nocapture` prints the halo2
/// rows (and `k`) of each solvency circuit next to its R1CS constraint count.
#[test]
fn rows_next_to_r1cs_constraints() -> TestResult {
    use bulwark_circuits::halo2::rows_needed;
    let constraints = |circuit: &dyn Fn(ark_relations::gr1cs::ConstraintSystemRef<Fr>) -> bool| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        assert!(circuit(cs.clone()), "synthesis");
        cs.num_constraints()
    };
    for p in [
        common::params()?,
        SolvencyParams::new(2, 4, 1)?,
        SolvencyParams::new(2, 2, 8)?,
    ] {
        let book = committed_with(p)?;
        let batch = book.batch_circuit(0)?;
        let inclusion = book.inclusion_circuit("alice")?;
        let halo2_batch = SolvencyBatchCircuit(batch.clone());
        let halo2_inclusion = SolvencyInclusionCircuit(inclusion.clone());
        let rows = [rows_needed(&halo2_batch)?, rows_needed(&halo2_inclusion)?];
        let ks = [fitting_k(&halo2_batch)?, fitting_k(&halo2_inclusion)?];
        let r1cs = [
            constraints(&|cs| batch.clone().generate_constraints(cs).is_ok()),
            constraints(&|cs| inclusion.clone().generate_constraints(cs).is_ok()),
        ];
        for (i, name) in ["batch", "inclusion"].into_iter().enumerate() {
            assert!(rows[i] < 1 << ks[i], "{name}: rows fit 2^k");
            eprintln!(
                "K = {}, b = {}, t = {}: {name:9} halo2 {:6} rows (k = {:2}), R1CS {:7} constraints",
                p.assets(),
                p.batch_bits(),
                p.top_bits(),
                rows[i],
                ks[i],
                r1cs[i]
            );
        }
    }
    Ok(())
}
