//! The halo2 rollup batch circuit's ([`RollupBatchCircuit`]) PLONK case for the verifier tests
//! of [`crate::plonk`] and the gas table: a demo batch of [`crate::params`] (D = 4, five
//! operations in batches of B = 2 slots). `CI=true cargo test -p bulwark-prover --test evm
//! plonk_cost -- --nocapture` prints its row (gas, part sizes, the key's shape, rows, prove
//! time); `gas_table` fails above 350k gas.

use std::sync::OnceLock;

use bulwark_circuits::halo2::RollupBatchCircuit;
use bulwark_circuits::rollup::{RollupCircuit, build_witness, sample};
use bulwark_prover::plonk::kzg_dev_params_insecure;

use crate::params;
use crate::plonk::{PlonkCase, case};

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
