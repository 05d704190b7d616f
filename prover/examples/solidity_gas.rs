//! Gas of the generated contracts for the rollup at depth 4, batch size 2 (dev key, sample
//! batch): the Groth16 verifier against its floor, circomlib's Poseidon contracts and
//! `RollupExample.submitBatch`. Needs `node` and `npm ci` in `prover/js`.
//!
//! `cargo run -p bulwark-prover --example solidity_gas`

#[allow(dead_code)] // shared with tests/evm, which use all of it
#[path = "../tests/evm/chain.rs"]
mod chain;
#[allow(dead_code)]
#[path = "../tests/evm/support.rs"]
mod support;

use bulwark_circuits::rollup::{RollupCircuit, RollupParams, build_witness, sample};
use bulwark_prover::{dev_setup_insecure, prove, solidity::rollup_l1_data};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if !support::js_available() {
        return Ok(());
    }
    let params = RollupParams::new(4, 2)?;
    let pk = dev_setup_insecure(RollupCircuit::blank(params)?, 2026)?;
    let mut s = sample::demo(&params, 5, 1)?;
    let witness = build_witness(&mut s.state, &s.batch, &params)?;
    let out = prove(
        &pk,
        RollupCircuit::new(params, witness)?,
        &mut ChaCha20Rng::seed_from_u64(3),
    )?;
    let report = chain::GasReport::measure(
        pk.verifying_key(),
        &params,
        &out.public_inputs,
        &rollup_l1_data(&s.batch, &params)?,
        &out.proof,
    );
    report.print(params.batch_size());
    Ok(())
}
