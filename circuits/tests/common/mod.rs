//! Helpers shared by the circuit test suites.
#![allow(dead_code)]

use ark_ff::{One, PrimeField};
use ark_relations::gr1cs::ConstraintSystemRef;
use bulwark_circuits::Fr;
use num_bigint::BigUint;
use serde::Deserialize;
use std::path::PathBuf;

/// Parses a decimal string (snarkjs convention) into a field element below the modulus.
pub fn fr(decimal: &str) -> Fr {
    let n = BigUint::parse_bytes(decimal.as_bytes(), 10).expect("decimal string");
    assert!(
        n < Fr::MODULUS.into(),
        "{decimal} is not below the field modulus"
    );
    Fr::from(n)
}

/// Path of a committed fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Reads and parses a committed JSON fixture.
pub fn read_fixture<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture present");
    serde_json::from_str(&text).expect("fixture parses")
}

/// Soundness sweep: the system is satisfied as built, and perturbing any single witness
/// variable (the honest value plus one) makes it unsatisfied. Returns how many were checked.
///
/// The system is finalized first (every linear combination inlined into the constraints) and
/// the cached linear-combination values are dropped, so each check re-evaluates the
/// constraints from the perturbed allocated variables.
pub fn assert_every_witness_is_bound(cs: &ConstraintSystemRef<Fr>) -> usize {
    cs.finalize();
    cs.borrow_mut()
        .expect("constraint system")
        .assignments
        .lc_assignment
        .clear();
    assert!(
        cs.is_satisfied().expect("assigned"),
        "honest witness must satisfy"
    );
    let n = cs.num_witness_variables();
    for i in 0..n {
        let set = |delta: Fr| {
            let mut inner = cs.borrow_mut().expect("constraint system");
            inner.assignments.witness_assignment[i] += delta;
        };
        set(Fr::one());
        let satisfied = cs.is_satisfied().expect("assigned");
        set(-Fr::one());
        assert!(
            !satisfied,
            "witness variable {i} of {n} is not bound by any constraint"
        );
    }
    assert!(cs.is_satisfied().expect("assigned"));
    n
}
