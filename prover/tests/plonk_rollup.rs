//! The rollup batch on both backends from one native witness: it proves and verifies with
//! Groth16 and with PLONK/KZG (SHPLONK) under the same public inputs, and a tampered public
//! input or witness is refused by both.

use std::time::Instant;

use ark_ff::Field;
use bulwark_circuits::halo2::{RollupBatchCircuit, fitting_k, rows_needed};
use bulwark_circuits::rollup::{RollupCircuit, RollupParams, build_witness, sample};
use bulwark_prover::plonk::{kzg_dev_params_insecure, plonk_keygen, plonk_prove, plonk_verify};
use bulwark_prover::{Fr, ProverError, dev_setup_insecure, prove, verify};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A sample batch at D = 4, B = 2.
fn circuit() -> Result<RollupCircuit, Box<dyn std::error::Error>> {
    let params = RollupParams::new(4, 2)?;
    let mut s = sample::demo(&params, 5, 1)?;
    let witness = build_witness(&mut s.state, &s.batch, &params)?;
    Ok(RollupCircuit::new(params, witness)?)
}

#[test]
fn rollup_batch_proves_and_verifies_on_both_backends() -> TestResult {
    let circuit = circuit()?;
    let params = *circuit.params();
    let public = circuit.public_inputs();
    let mut rng = ChaCha20Rng::seed_from_u64(9);

    let groth_pk = dev_setup_insecure(RollupCircuit::blank(params)?, 5)?;
    let started = Instant::now();
    let groth = prove(&groth_pk, circuit.clone(), &mut rng)?;
    let groth_time = started.elapsed();
    assert_eq!(groth.public_inputs, public.to_vec());
    verify(groth_pk.verifying_key(), &public, &groth.proof)?;

    let halo2 = RollupBatchCircuit(circuit.clone());
    let k = fitting_k(&halo2)?;
    let kzg = kzg_dev_params_insecure(k, 6)?;
    let pk = plonk_keygen(&kzg, &RollupBatchCircuit(RollupCircuit::blank(params)?))?;
    let started = Instant::now();
    let proof = plonk_prove(&kzg, &pk, &halo2, &public, &mut rng)?;
    let plonk_time = started.elapsed();
    let vk = pk.verifying_key();
    plonk_verify(&kzg, &vk, &public, &proof)?;
    eprintln!(
        "rollup D = 4, B = 2: Groth16 prove {groth_time:?}; PLONK ({} rows, k = {k}) prove \
         {plonk_time:?}, proof {} bytes",
        rows_needed(&halo2)?,
        proof.as_bytes().len()
    );

    for i in 0..public.len() {
        let mut tampered = public;
        tampered[i] += Fr::ONE;
        assert!(matches!(
            plonk_verify(&kzg, &vk, &tampered, &proof),
            Err(ProverError::InvalidProof)
        ));
        assert!(verify(groth_pk.verifying_key(), &tampered, &groth.proof).is_err());
    }

    // A witness with a bumped transfer amount is refused by both provers.
    let mut bad = circuit.witness().clone();
    bad.slots[0].amount += Fr::ONE;
    let bad = RollupCircuit::new(params, bad)?;
    assert!(matches!(
        prove(&groth_pk, bad.clone(), &mut rng),
        Err(ProverError::Unsatisfied { .. })
    ));
    let refused = plonk_prove(&kzg, &pk, &RollupBatchCircuit(bad), &public, &mut rng);
    assert!(
        matches!(&refused, Err(ProverError::Unsatisfied { .. })),
        "{refused:?}"
    );
    Ok(())
}
