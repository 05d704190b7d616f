//! The gas table: every call of the generated contracts, as transaction gas (21,000 base and
//! calldata included); each Groth16 verification next to its floor.
//!
//! `cargo test -p bulwark-prover --test evm gas_table -- --nocapture`

use bulwark_prover::{
    Fr, Proof,
    solidity::{field_word, proof_calldata, rollup_l1_data},
};
use revm::primitives::Address;

use crate::chain::{Rollup, verify_proof};
use crate::support::{Evm, calldata_gas, js_available};
use crate::{params, plonk, rollup_key, sample_batch, solvency};

/// The gas goal of a PLONK/KZG verification (Summa v1's solvency verifier: 404k): the table
/// fails when a PLONK verifier costs more.
const PLONK_GAS_GOAL: u64 = 350_000;

/// One line of the table.
struct Row {
    call: String,
    gas: u64,
    /// For a Groth16 verification: 21,000 + 181,000 (4 pairings) + 6,150 per public input +
    /// its calldata (EIP-2028: 16 per non-zero byte, 4 per zero byte).
    floor: Option<u64>,
}

/// Calls `verifyProof` on `verifier` (panics unless it returns true) and returns its row.
fn verify_row(evm: &mut Evm, verifier: Address, name: &str, proof: &Proof, inputs: &[Fr]) -> Row {
    let (out, data) = verify_proof(evm, verifier, proof, inputs);
    assert!(out.returned_bool(), "{name}: valid proof rejected");
    let n = inputs.len() as u64;
    Row {
        call: format!("{name}.verifyProof ({n} public inputs)"),
        gas: out.gas_used,
        floor: Some(21_000 + 181_000 + 6_150 * n + calldata_gas(&data)),
    }
}

fn print(rows: &[Row]) {
    eprintln!(
        "{:<72} {:>9} {:>9} {:>10}",
        "call (transaction gas)", "gas", "floor", "gas/floor"
    );
    for r in rows {
        match r.floor {
            Some(floor) => eprintln!(
                "{:<72} {:>9} {:>9} {:>10.4}",
                r.call,
                r.gas,
                floor,
                r.gas as f64 / floor as f64
            ),
            None => eprintln!("{:<72} {:>9} {:>9} {:>10}", r.call, r.gas, "", ""),
        }
    }
}

/// Prints the table (with `--nocapture`); fails if a Groth16 verifier costs more than 1.05 x its
/// floor or a PLONK verifier more than [`PLONK_GAS_GOAL`].
#[test]
fn gas_table() {
    if !js_available() {
        return;
    }
    let mut rows = Vec::new();

    // Rollup, D = 4, B = 2: the sample batch (a transfer and a deposit).
    let (proven, _, _) = sample_batch();
    let inputs = &proven.out.public_inputs;
    let mut r = Rollup::deploy(rollup_key().verifying_key(), &params(), inputs[0]);
    rows.push(verify_row(
        &mut r.evm,
        r.rollup,
        "RollupVerifier",
        &proven.out.proof,
        inputs,
    ));
    for n in [2, 4] {
        rows.push(Row {
            call: format!("circomlib Poseidon poseidon(uint256[{n}])"),
            gas: r.poseidon(n).gas_used,
            floor: None,
        });
    }
    let l1_data = rollup_l1_data(&proven.batch, &params()).expect("l1 data");
    let submit = r.submit(
        field_word(&inputs[1]),
        l1_data.iter().map(field_word).collect(),
        proof_calldata(&proven.out.proof).to_vec(),
    );
    assert!(submit.success, "valid batch rejected: {submit:?}");
    rows.push(Row {
        call: format!(
            "RollupExample.submitBatch (B = {}, transfer + deposit)",
            params().batch_size()
        ),
        gas: submit.gas_used,
        floor: None,
    });

    // Solvency, 2 assets: the sample book's top proof and alice's inclusion proof.
    let s = solvency::sample();
    let mut c = solvency::deploy();
    let top = &s.book.top;
    let alice = &s.book.inclusions[0];
    rows.push(verify_row(
        &mut c.evm,
        c.top_verifier,
        "SolvencyTopVerifier",
        &top.proof,
        &top.public_inputs,
    ));
    rows.push(verify_row(
        &mut c.evm,
        c.inclusion_verifier,
        "SolvencyInclusionVerifier",
        &alice.proof,
        &alice.public_inputs,
    ));
    let words = |inputs: &[Fr]| inputs.iter().map(field_word).collect::<Vec<_>>();
    let publish = c.publish(&words(&top.public_inputs), &proof_calldata(&top.proof));
    assert!(publish.success, "valid publication rejected: {publish:?}");
    rows.push(Row {
        call: "SolvencyExample.publish (first publication)".into(),
        gas: publish.gas_used,
        floor: None,
    });
    let view = c.verify_inclusion(
        &words(&alice.public_inputs[1..]),
        &proof_calldata(&alice.proof),
    );
    assert!(view.returned_bool(), "alice's inclusion proof rejected");
    rows.push(Row {
        call: "SolvencyExample.verifyInclusion (eth_call)".into(),
        gas: view.gas_used,
        floor: None,
    });

    // PLONK/KZG (SHPLONK, snark-verifier's Yul cut into EIP-170-sized parts, deployed on a
    // chain that enforces the limit): the same statements on halo2.
    let mut plonk_gas = Vec::new();
    for case in plonk::all_cases() {
        let (mut evm, parts) = plonk::deploy(case);
        let out = plonk::verify_call(&mut evm, parts[0], &case.public_inputs, &case.proof);
        assert!(out.success, "{}: valid proof rejected: {out:?}", case.name);
        rows.push(Row {
            call: format!(
                "{} ({} inputs, k = {}, {})",
                case.name,
                case.public_inputs.len(),
                case.params.k(),
                plonk::part_sizes(&evm, case.name, &parts)
            ),
            gas: out.gas_used,
            floor: None,
        });
        eprintln!(
            "{}: {} gas, {} the goal {PLONK_GAS_GOAL}; proved in {:.2?}",
            case.name,
            out.gas_used,
            if out.gas_used <= PLONK_GAS_GOAL {
                "within"
            } else {
                "ABOVE"
            },
            case.prove_time
        );
        plonk_gas.push((case.name, out.gas_used));
    }

    print(&rows);
    for row in &rows {
        if let Some(floor) = row.floor {
            assert!(
                row.gas * 100 <= floor * 105,
                "{}: {} gas exceeds 1.05 x floor {floor}",
                row.call,
                row.gas
            );
        }
    }
    for (name, gas) in plonk_gas {
        assert!(
            gas <= PLONK_GAS_GOAL,
            "{name}: {gas} gas exceeds the PLONK goal {PLONK_GAS_GOAL}"
        );
    }
}
