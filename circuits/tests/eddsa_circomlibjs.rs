//! The other direction of the cross-check: signatures made by our Rust signer are verified
//! by circomlibjs (`node circuits/js/verify_eddsa.mjs`), which also re-derives each public key
//! and signature from the private key and demands they be identical.
//!
//! Needs `node` and `circuits/js/node_modules` (`npm ci` in `circuits/js`). Without them the
//! tests print why and pass, except under `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use ark_ff::{AdditiveGroup, Field, PrimeField};
use bulwark_circuits::Fr;
use bulwark_circuits::eddsa::{Signature, public_key, sign_poseidon};
use rand::{Rng, SeedableRng};

fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Whether node and circomlibjs are available; panics under `CI=true` when they are not.
fn node_available(test: &str) -> bool {
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let modules_ok = js_dir().join("node_modules/circomlibjs").is_dir();
    if node_ok && modules_ok {
        return true;
    }
    let why = if node_ok {
        "circuits/js/node_modules is missing (run `npm ci` there)"
    } else {
        "`node` is not on PATH"
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: {why}; required when CI=true"
    );
    eprintln!("SKIPPED {test}: {why}");
    false
}

fn vector(key: &[u8; 32], msg: Fr, sig: &Signature) -> serde_json::Value {
    let a = public_key(key);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    serde_json::json!({
        "private_key": hex,
        "public_key": [a.x.to_string(), a.y.to_string()],
        "msg": msg.to_string(),
        "signature": { "R8": [sig.r8.x.to_string(), sig.r8.y.to_string()], "S": sig.s.to_string() },
    })
}

/// Writes `vectors` to a temporary file and runs the circomlibjs verifier on it.
fn run_verifier(name: &str, vectors: Vec<serde_json::Value>) -> std::process::Output {
    let path = std::env::temp_dir().join(format!("bulwark-{name}-{}.json", std::process::id()));
    let text =
        serde_json::to_string_pretty(&serde_json::json!({ "vectors": vectors })).expect("json");
    std::fs::write(&path, text).expect("write temp fixture");
    let out = Command::new("node")
        .arg(js_dir().join("verify_eddsa.mjs"))
        .arg(&path)
        .output()
        .expect("run node");
    let _ = std::fs::remove_file(&path);
    out
}

fn our_signatures() -> Vec<([u8; 32], Fr, Signature)> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0x5167);
    let mut out = Vec::new();
    for i in 0..8 {
        let key: [u8; 32] = rng.r#gen();
        let msg = match i {
            0 => Fr::ZERO,
            1 => Fr::ONE,
            2 => -Fr::ONE,
            _ => Fr::from_le_bytes_mod_order(&rng.r#gen::<[u8; 32]>()),
        };
        out.push((key, msg, sign_poseidon(&key, msg)));
    }
    out
}

#[test]
fn circomlibjs_accepts_and_reproduces_our_signatures() {
    if !node_available("circomlibjs_accepts_and_reproduces_our_signatures") {
        return;
    }
    let vectors = our_signatures()
        .iter()
        .map(|(k, m, s)| vector(k, *m, s))
        .collect();
    let out = run_verifier("eddsa-ours", vectors);
    assert!(
        out.status.success(),
        "circomlibjs rejected our signatures:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn circomlibjs_cross_check_catches_a_tampered_signature() {
    if !node_available("circomlibjs_cross_check_catches_a_tampered_signature") {
        return;
    }
    let mut vectors: Vec<_> = our_signatures()
        .iter()
        .map(|(k, m, s)| vector(k, *m, s))
        .collect();
    let (key, msg, mut sig) = our_signatures()[4];
    sig.s += Fr::ONE;
    vectors[4] = vector(&key, msg, &sig);
    let out = run_verifier("eddsa-tampered", vectors);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("4: verifyPoseidon rejected"));
}
