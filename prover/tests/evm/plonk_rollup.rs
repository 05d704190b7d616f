//! The PLONK/KZG verifier of the halo2 rollup batch circuit ([`RollupBatchCircuit`]) for a
//! demo batch of [`crate::params`] (D = 4, five operations in batches of B = 2 slots): it
//! accepts the honest proof, refuses every changed public input and costs at most
//! [`PLONK_GAS_GOAL`] (issue #9).
//! `CI=true cargo test -p bulwark-prover --test evm plonk_rollup -- --nocapture` prints the
//! row: gas, part sizes, the key's shape, rows and prove time.

use std::sync::OnceLock;

use bulwark_circuits::halo2::RollupBatchCircuit;
use bulwark_circuits::rollup::{RollupCircuit, build_witness, sample};
use bulwark_prover::Fr;
use bulwark_prover::plonk::kzg_dev_params_insecure;
use bulwark_prover::solidity::{plonk_calldata, plonk_verifier_shape};

use crate::gas::PLONK_GAS_GOAL;
use crate::params;
use crate::plonk::{PlonkCase, case, deploy, part_sizes, verify_call};
use crate::support::js_available;

/// The rollup's PLONK artifacts and an honest proof of the demo's first batch, made once.
pub fn rollup_case() -> &'static PlonkCase {
    static CASE: OnceLock<PlonkCase> = OnceLock::new();
    CASE.get_or_init(|| {
        let mut s = sample::demo(&params(), 5, 1).expect("sample");
        let witness = build_witness(&mut s.state, &s.batch, &params()).expect("valid batch");
        let circuit = RollupCircuit::new(params(), witness).expect("shape");
        let public_inputs = circuit.public_inputs().to_vec();
        let blank = RollupCircuit::blank(params()).expect("blank");
        let k =
            bulwark_circuits::halo2::fitting_k(&RollupBatchCircuit(circuit.clone())).expect("k");
        let all = kzg_dev_params_insecure(k, 34).expect("params");
        case(
            "RollupPlonkVerifier",
            &all,
            RollupBatchCircuit(blank),
            RollupBatchCircuit(circuit),
            public_inputs,
        )
    })
}

#[test]
fn plonk_rollup_verifier_gas_and_shape() {
    if !js_available() {
        return;
    }
    let case = rollup_case();
    let shape =
        plonk_verifier_shape(&case.params, &case.vk, case.public_inputs.len()).expect("shape");
    let (mut evm, parts) = deploy(case);
    let out = verify_call(&mut evm, parts[0], &case.public_inputs, &case.proof);
    assert!(out.success, "honest rollup proof rejected: {out:?}");
    for i in 0..case.public_inputs.len() {
        let mut inputs = case.public_inputs.clone();
        inputs[i] += Fr::from(1u64);
        let refused = verify_call(&mut evm, parts[0], &inputs, &case.proof);
        assert!(!refused.success, "public input {i} + 1 accepted");
    }
    eprintln!(
        "{}: {} gas, {}, calldata {} B; advice {}, fixed {}, permutation {}, lookups {}, \
         degree {}: key {} + proof {} commitments, {} evaluations; {} rows, k = {}, PLONK prove \
         {:.2?}",
        case.name,
        out.gas_used,
        part_sizes(&evm, case.name, &parts),
        plonk_calldata(&case.public_inputs, &case.proof).len(),
        shape.advice_columns,
        shape.fixed_columns,
        shape.permutation_columns,
        shape.lookups,
        shape.degree,
        shape.key_commitments,
        shape.proof_commitments,
        shape.evaluations,
        case.rows,
        case.params.k(),
        case.prove_time,
    );
    assert!(
        out.gas_used <= PLONK_GAS_GOAL,
        "{}: {} gas exceeds the PLONK goal {PLONK_GAS_GOAL}",
        case.name,
        out.gas_used
    );
}
