//! The prover service on both backends (D = 4, B = 2): a rollup job submitted with backend
//! PLONK is proved by a worker with halo2, GetJob returns the proof and its public inputs,
//! GetVerifyingKey the PLONK key with its KZG parameters, and the proof verifies natively and
//! in revm under the KZG verifier contract generated from that key, for at most 350k gas; the same witness with
//! backend GROTH16 still proves and verifies under the Groth16 key, and the PLONK proof is
//! refused by the Groth16 key path with an error naming the proof system. An unknown backend
//! value is INVALID_ARGUMENT naming the field.

mod common;

// The EVM harness of bulwark-prover's tests; this file uses only part of it.
#[allow(dead_code)]
#[path = "../../prover/tests/evm/support.rs"]
mod support;

use std::str::FromStr;

use bulwark_circuits::halo2::RollupBatchCircuit;
use bulwark_circuits::rollup::RollupParams;
use bulwark_prover::plonk::{KzgParams, PlonkProof, PlonkVerifyingKey, plonk_verify};
use bulwark_prover::solidity::{plonk_calldata, plonk_verifier};
use bulwark_prover::{Fr, ProverError};
use bulwark_service::{backend::Backend, client::SubmitOptions, proto::v1 as pb};
use common::{LIMIT, config, make_keys, scratch, start, wait, witness};
use support::{Evm, deploy_plonk, js_available};
use tonic::Code;

fn params() -> RollupParams {
    RollupParams::new(4, 2).expect("valid shape")
}

fn inputs(job: &pb::Job) -> Vec<Fr> {
    job.public_inputs
        .iter()
        .map(|s| Fr::from_str(s).expect("decimal input"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plonk_job_verifies_in_the_evm_and_groth16_still_works() {
    let keys = scratch("service-plonk", "keys");
    make_keys(&keys, params());
    let mut cfg = config(&scratch("service-plonk", "data"), &keys, params(), 1);
    cfg.dev_setup_seed = Some(11);
    let server = start(cfg).await;
    let mut client = server.client().await;
    let (state, batch) = witness(params(), 3);

    let plonk = SubmitOptions {
        backend: Backend::Plonk,
        ..SubmitOptions::default()
    };
    let submitted = client
        .submit_rollup(state.clone(), batch.clone(), plonk)
        .await
        .expect("submit PLONK");
    // The first PLONK job also makes the server's PLONK keys: allow for a slow debug build.
    let job = tokio::time::timeout(10 * LIMIT, client.wait(&submitted.job_id, |_| {}))
        .await
        .expect("the PLONK job finishes in time")
        .expect("watch");
    assert_eq!(job.state(), pb::JobState::Succeeded, "{}", job.error);
    assert_eq!(job.backend(), pb::Backend::Plonk);
    let public = inputs(&job);
    assert_eq!(public.len(), 3);

    // The PLONK key and its KZG parameters, as a verifier gets them.
    let key = tokio::time::timeout(LIMIT, client.verifying_key_for(Backend::Plonk))
        .await
        .expect("in time")
        .expect("PLONK verifying key");
    assert_eq!((key.depth, key.batch_size), (4, 2));
    let vk = PlonkVerifyingKey::read_from::<RollupBatchCircuit>(&key.verifying_key[..], ())
        .expect("PLONK key bytes");
    let kzg = KzgParams::read_from(&key.kzg_params[..]).expect("KZG parameter bytes");
    let proof = PlonkProof::read_from(&job.proof[..]).expect("PLONK proof bytes");
    plonk_verify(&kzg, &vk, &public, &proof).expect("verifies natively");
    let mut tampered = public.clone();
    tampered[1] += Fr::from(1u64);
    assert!(matches!(
        plonk_verify(&kzg, &vk, &tampered, &proof),
        Err(ProverError::InvalidProof)
    ));

    // The same witness on Groth16: proved, verified under the Groth16 key, same inputs.
    let submitted = client
        .submit_rollup(state, batch, SubmitOptions::default())
        .await
        .expect("submit Groth16");
    let (groth, _) = wait(&mut client, &submitted.job_id).await;
    assert_eq!(groth.state(), pb::JobState::Succeeded, "{}", groth.error);
    assert_eq!(groth.backend(), pb::Backend::Groth16);
    assert_eq!(common::assert_verifies(&mut client, &groth).await, public);

    // The Groth16 key path refuses the PLONK proof, naming the proof system.
    let err = bulwark_prover::Proof::read_from(&job.proof[..]).expect_err("not a Groth16 proof");
    assert!(err.to_string().contains("proof system"), "{err}");
    let groth_key = client.verifying_key().await.expect("Groth16 key");
    assert!(groth_key.kzg_params.is_empty());
    let err = bulwark_prover::VerifyingKey::read_from(&key.verifying_key[..])
        .expect_err("the PLONK key is not a Groth16 key");
    assert!(err.to_string().contains("proof system"), "{err}");

    // Unknown backend values are INVALID_ARGUMENT naming the field.
    let mut raw = pb::prover_client::ProverClient::connect(server.url())
        .await
        .expect("connect");
    let (state, batch) = witness(params(), 4);
    let err = raw
        .submit_job(pb::SubmitJobRequest {
            statement: pb::StatementKind::Rollup as i32,
            backend: 7,
            witness: Some(pb::submit_job_request::Witness::Rollup(pb::RollupWitness {
                state_json: state,
                batch_json: batch,
            })),
            ..pb::SubmitJobRequest::default()
        })
        .await
        .expect_err("backend 7");
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("backend"), "{}", err.message());
    let err = raw
        .get_verifying_key(pb::GetVerifyingKeyRequest {
            statement: pb::StatementKind::Rollup as i32,
            backend: 9,
        })
        .await
        .expect_err("backend 9");
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("backend"), "{}", err.message());
    server.stop().await;

    // The KZG verifier contract for the served key accepts the served proof in the EVM.
    if !js_available() {
        return;
    }
    let verifier =
        plonk_verifier(&kzg, &vk, public.len(), "RollupPlonkVerifier").expect("generate");
    // Its parts, each within EIP-170, on a chain that enforces the limit.
    let mut evm = Evm::new();
    let parts = deploy_plonk(&mut evm, verifier.parts());
    let sizes: Vec<usize> = parts.iter().map(|a| evm.code_size(*a)).collect();
    eprintln!("RollupPlonkVerifier (D = 4, B = 2): parts of {sizes:?} bytes");
    let verifier = parts[0];
    let out = evm.call(verifier, plonk_calldata(&public, &proof));
    assert!(out.success, "the served PLONK proof is rejected: {out:?}");
    eprintln!("RollupPlonkVerifier (D = 4, B = 2): {} gas", out.gas_used);
    // Issue #9's goal for one verification, here for the proof the service made.
    assert!(
        out.gas_used <= 350_000,
        "the served PLONK proof costs {} gas to verify, above 350k",
        out.gas_used
    );
    for i in 0..public.len() {
        let mut tampered = public.clone();
        tampered[i] += Fr::from(1u64);
        let out = evm.call(verifier, plonk_calldata(&tampered, &proof));
        assert!(!out.success, "public input {i} + 1 accepted");
    }
}
