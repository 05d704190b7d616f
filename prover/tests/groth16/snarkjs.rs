//! Our JSON export checked by snarkjs itself (`prover/js`, pinned in package.json).
//!
//! Needs `node` and `npm ci` in `prover/js`. Without them the tests print a skip message and
//! pass, except under `CI=true`, where they fail.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use bulwark_prover::{Fr, prove, snarkjs_public, write_snarkjs_files};

use crate::circuits::{Demo, demo_key, rng};
use crate::js_support::{js_dir, run, snarkjs};

fn export_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("create export dir");
    dir
}

fn snarkjs_verify(bin: &Path, dir: &Path) -> (bool, String) {
    let (out, text) = run(Command::new(bin).current_dir(dir).args([
        "groth16",
        "verify",
        "verification_key.json",
        "public.json",
        "proof.json",
    ]));
    (out.status.success() && text.contains("OK!"), text)
}

#[test]
fn snarkjs_verifies_our_export_and_rejects_a_tampered_public_input() {
    let Some(bin) = snarkjs() else { return };
    let pk = demo_key();
    let out = prove(&pk, Demo::honest(3, 5), &mut rng(20)).expect("prove");
    let dir = export_dir("snarkjs-export");
    write_snarkjs_files(&dir, pk.verifying_key(), &out.public_inputs, &out.proof)
        .expect("write snarkjs files");

    let (ok, text) = snarkjs_verify(&bin, &dir);
    assert!(ok, "snarkjs rejected our export:\n{text}");

    let mut tampered = out.public_inputs.clone();
    tampered[2] += Fr::from(1u64);
    let public = serde_json::to_string(&snarkjs_public(&tampered)).expect("encode public");
    std::fs::write(dir.join("public.json"), public).expect("write tampered public.json");
    let (ok, text) = snarkjs_verify(&bin, &dir);
    assert!(!ok, "snarkjs accepted a tampered public input:\n{text}");
    assert!(
        text.contains("Invalid proof"),
        "unexpected snarkjs output:\n{text}"
    );
}

#[test]
fn vk_alphabeta_12_equals_the_pairing_ffjavascript_computes() {
    if snarkjs().is_none() {
        return;
    }
    let pk = demo_key();
    let out = prove(&pk, Demo::honest(3, 5), &mut rng(21)).expect("prove");
    let dir = export_dir("snarkjs-alphabeta");
    write_snarkjs_files(&dir, pk.verifying_key(), &out.public_inputs, &out.proof)
        .expect("write snarkjs files");
    let (status, text) = run(Command::new("node")
        .arg(js_dir().join("check_alphabeta.mjs"))
        .arg(dir.join("verification_key.json")));
    assert!(
        status.status.success() && text.contains("alphabeta OK"),
        "vk_alphabeta_12 differs from ffjavascript's e(alpha, beta):\n{text}"
    );
}

#[test]
fn json_layout_matches_snarkjs() {
    let pk = demo_key();
    let out = prove(&pk, Demo::honest(3, 5), &mut rng(22)).expect("prove");
    let vk = serde_json::to_value(bulwark_prover::SnarkjsVerificationKey::new(
        pk.verifying_key(),
    ))
    .expect("vk json");
    assert_eq!(vk["protocol"], "groth16");
    assert_eq!(vk["curve"], "bn128");
    assert_eq!(vk["nPublic"], 3);
    assert_eq!(vk["IC"].as_array().map(Vec::len), Some(4));
    assert_eq!(vk["vk_alpha_1"][2], "1");
    assert_eq!(vk["vk_beta_2"][2], serde_json::json!(["1", "0"]));
    assert_eq!(vk["vk_alphabeta_12"].as_array().map(Vec::len), Some(2));
    assert_eq!(vk["vk_alphabeta_12"][1].as_array().map(Vec::len), Some(3));

    let proof =
        serde_json::to_value(bulwark_prover::SnarkjsProof::new(&out.proof)).expect("proof json");
    assert_eq!(proof["protocol"], "groth16");
    assert_eq!(proof["pi_a"][2], "1");
    assert_eq!(proof["pi_b"][2], serde_json::json!(["1", "0"]));
    assert_eq!(
        snarkjs_public(&out.public_inputs),
        vec!["15".to_string(), "8".to_string(), "27".to_string()]
    );
}
