//! The rollup batch on halo2's constraint system: the honest witness satisfies `MockProver`
//! with the R1CS circuit's public inputs, and every mutant of the rollup soundness suite
//! (the same list the R1CS suite iterates) is rejected.

mod mock_reference;
mod rollup_support;

use bulwark_circuits::halo2::halo2_proofs::dev::MockProver;
use bulwark_circuits::halo2::{RollupBatchCircuit, fitting_k, rows_needed, to_halo2_vec};
use bulwark_circuits::rollup::{BatchWitness, RollupCircuit};
use mock_reference::Reference;
use rollup_support::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn circuit(w: BatchWitness) -> Result<RollupBatchCircuit, Box<dyn std::error::Error>> {
    let slots = w.slots.len();
    Ok(RollupBatchCircuit(RollupCircuit::new(params(slots), w)?))
}

/// Whether `MockProver` accepts the circuit over `w` with `w`'s own public inputs.
fn accepts(k: u32, w: BatchWitness) -> Result<bool, Box<dyn std::error::Error>> {
    let c = circuit(w)?;
    let public = c.public_inputs();
    Ok(MockProver::run(k, &c, vec![public]).is_ok_and(|p| p.verify().is_ok()))
}

#[test]
fn honest_batch_satisfies_with_the_r1cs_public_inputs() -> TestResult {
    let w = honest();
    let c = circuit(w.clone())?;
    assert_eq!(c.public_inputs(), to_halo2_vec(&w.public_inputs()));
    let k = fitting_k(&c)?;
    eprintln!(
        "halo2 rollup, D = {DEPTH}, B = {B}: {} rows, k = {k}",
        rows_needed(&c)?
    );
    assert!(accepts(k, w.clone())?);
    // The same witness against other public inputs is refused.
    let mut other = to_halo2_vec(&w.public_inputs());
    other[1] += bulwark_circuits::halo2::Fp::from(1u64);
    let refused = MockProver::run(k, &c, vec![other])?.verify();
    assert!(refused.is_err());
    Ok(())
}

/// The honest batch, checked in full by `MockProver`, as the reference for its mutants.
fn reference() -> Result<Reference, Box<dyn std::error::Error>> {
    let c = circuit(honest())?;
    Reference::honest(fitting_k(&c)?, &c, vec![c.public_inputs()])
}

#[test]
fn every_soundness_mutant_is_rejected() -> TestResult {
    let reference = reference()?;
    let mutants = all_mutants();
    assert!(mutants.len() > 100, "only {} mutants", mutants.len());
    for (name, w) in mutants {
        let c = circuit(w)?;
        let accepted = reference.accepts(&c, vec![c.public_inputs()]);
        assert!(!accepted, "halo2 accepts the mutant: {name}");
    }
    Ok(())
}

/// Every 20th mutant: the check on the rows a mutation can reach reports exactly the
/// failures of `MockProver`'s full `verify`.
#[test]
fn reachable_rows_report_what_the_full_check_reports() -> TestResult {
    let reference = reference()?;
    let k = fitting_k(&circuit(honest())?)?;
    for (name, w) in all_mutants().into_iter().step_by(20) {
        let c = circuit(w)?;
        let full = MockProver::run(k, &c, vec![c.public_inputs()]).map(|p| p.verify());
        let fast = reference.verify(&c, vec![c.public_inputs()]);
        assert_eq!(format!("{fast:?}"), format!("{full:?}"), "mutant {name}");
        assert!(
            !matches!(full, Ok(Ok(()))),
            "halo2 accepts the mutant: {name}"
        );
    }
    Ok(())
}

#[test]
fn blank_circuit_lays_out_like_a_real_one() -> TestResult {
    let real = circuit(honest())?;
    let blank = RollupBatchCircuit(RollupCircuit::blank(params(B))?);
    assert_eq!(rows_needed(&real)?, rows_needed(&blank)?);
    Ok(())
}
