//! Poseidon: circomlib's published vectors, the circomlibjs fixture for every width, the R1CS
//! gadget against the native hash, its constraint budget and its soundness.

mod common;

use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use bulwark_circuits::{
    Fr,
    poseidon::{self, MAX_INPUTS, PoseidonError},
};
use common::{assert_every_witness_is_bound, fr, read_fixture};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    inputs: Vec<String>,
    output: String,
}

#[derive(Deserialize)]
struct Fixture {
    vectors: Vec<Vector>,
}

fn vectors() -> Vec<(Vec<Fr>, Fr)> {
    let fixture: Fixture = read_fixture("poseidon_circomlibjs.json");
    fixture
        .vectors
        .iter()
        .map(|v| (v.inputs.iter().map(|s| fr(s)).collect(), fr(&v.output)))
        .collect()
}

#[test]
fn circomlib_published_vectors() {
    let cases = [
        (
            [1u64, 2],
            "7853200120776062878684798364095072458815029376092732009249414926327459813530",
        ),
        (
            [3, 4],
            "14763215145315200506921711489642608356394854266165572616578112107564877678998",
        ),
    ];
    for (inputs, expected) in cases {
        assert_eq!(poseidon::hash_array(inputs.map(Fr::from)), fr(expected));
    }
}

#[test]
fn circomlibjs_fixture_every_width() {
    let vectors = vectors();
    let widths: std::collections::BTreeSet<usize> = vectors.iter().map(|(i, _)| i.len()).collect();
    assert_eq!(
        widths,
        (1..=MAX_INPUTS).collect(),
        "fixture covers every width"
    );
    for (inputs, expected) in &vectors {
        assert_eq!(poseidon::hash(inputs), Ok(*expected), "inputs {inputs:?}");
    }
}

#[test]
fn arity_is_checked() {
    assert_eq!(poseidon::hash(&[]), Err(PoseidonError::InputCount(0)));
    assert_eq!(
        poseidon::hash(&[Fr::from(1u8); 17]),
        Err(PoseidonError::InputCount(17))
    );
    let cs = ConstraintSystem::<Fr>::new_ref();
    let x = FpVar::new_witness(cs, || Ok(Fr::from(1u8))).expect("alloc");
    assert!(poseidon::r1cs::hash(&vec![x; 17]).is_err());
}

/// Inputs as witnesses, the expected output as a public input, enforced equal.
fn hash_circuit(inputs: &[Fr], claimed: Fr) -> ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let vars: Vec<FpVar<Fr>> = inputs
        .iter()
        .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).expect("alloc"))
        .collect();
    let out = FpVar::new_input(cs.clone(), || Ok(claimed)).expect("alloc");
    poseidon::r1cs::hash(&vars)
        .expect("synthesis")
        .enforce_equal(&out)
        .expect("enforce");
    cs
}

#[test]
fn gadget_matches_fixture_every_width() {
    let vectors = vectors();
    for n in 1..=MAX_INPUTS {
        let (inputs, expected) = vectors
            .iter()
            .rev()
            .find(|(i, _)| i.len() == n)
            .expect("width");
        let cs = hash_circuit(inputs, *expected);
        assert!(cs.is_satisfied().expect("assigned"), "width {n}");
    }
}

#[test]
fn constraint_budget_two_inputs() {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let vars: Vec<FpVar<Fr>> = (1..=2u8)
        .map(|x| FpVar::new_witness(cs.clone(), || Ok(Fr::from(x))).expect("alloc"))
        .collect();
    let _out = poseidon::r1cs::hash(&vars).expect("synthesis");
    assert!(
        cs.num_constraints() <= 240,
        "Poseidon(2) costs {}",
        cs.num_constraints()
    );
}

#[test]
fn wrong_output_is_rejected() {
    for n in [1, 2, 5, 16] {
        let inputs: Vec<Fr> = (0..n as u64).map(Fr::from).collect();
        let honest = poseidon::hash(&inputs).expect("arity");
        assert!(
            hash_circuit(&inputs, honest)
                .is_satisfied()
                .expect("assigned")
        );
        let cs = hash_circuit(&inputs, honest + Fr::from(1u8));
        assert!(!cs.is_satisfied().expect("assigned"), "width {n}");
    }
}

#[test]
fn every_intermediate_witness_is_bound() {
    for n in [1, 2, 4] {
        let inputs: Vec<Fr> = (10..10 + n as u64).map(Fr::from).collect();
        let cs = hash_circuit(&inputs, poseidon::hash(&inputs).expect("arity"));
        let checked = assert_every_witness_is_bound(&cs);
        assert!(checked >= 3 * 60, "width {n}: only {checked} witnesses");
    }
}

#[test]
#[should_panic(expected = "is not bound by any constraint")]
fn sweep_detects_an_unbound_witness() {
    let inputs = [Fr::from(3u8), Fr::from(4u8)];
    let cs = hash_circuit(&inputs, poseidon::hash(&inputs).expect("arity"));
    let _free = FpVar::new_witness(cs.clone(), || Ok(Fr::from(9u8))).expect("alloc a free witness");
    assert_every_witness_is_bound(&cs);
}

mod properties {
    use super::*;
    use ark_ff::PrimeField;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    #[test]
    fn gadget_equals_native_on_random_inputs() {
        let config = Config {
            cases: 24,
            ..Config::default()
        };
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let strategy = prop::collection::vec(any::<[u64; 4]>(), 1..=MAX_INPUTS);
        runner
            .run(&strategy, |limbs| {
                let inputs: Vec<Fr> = limbs
                    .iter()
                    .map(|l| {
                        let bytes: Vec<u8> = l.iter().flat_map(|x| x.to_le_bytes()).collect();
                        Fr::from_le_bytes_mod_order(&bytes)
                    })
                    .collect();
                let expected = poseidon::hash(&inputs).expect("arity");
                prop_assert!(
                    hash_circuit(&inputs, expected)
                        .is_satisfied()
                        .expect("assigned")
                );
                Ok(())
            })
            .expect("property holds");
    }
}
