//! The `bulwark` binary end to end, on small trees (depth 4) so the suite stays quick.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::OnceLock,
};

const DEPTH: &str = "4";
const BATCH: &str = "4";

/// Runs `bulwark --quiet ARGS` and returns its output.
fn bulwark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .arg("--quiet")
        .args(args)
        .output()
        .expect("spawn bulwark")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `bulwark ARGS`, asserts success and returns stdout.
fn ok(args: &[&str]) -> String {
    let out = bulwark(args);
    assert!(
        out.status.success(),
        "bulwark {args:?} failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// Runs `bulwark ARGS`, asserts failure and returns stderr.
fn fails(args: &[&str]) -> String {
    let out = bulwark(args);
    assert!(
        !out.status.success(),
        "bulwark {args:?} succeeded:\n{}",
        stdout(&out)
    );
    stderr(&out)
}

/// A fresh, empty directory for one test under cargo's per-target scratch space.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bulwark-cli")
        .join(name);
    // Left over from an earlier run, if anything.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Keys, a sample state and batch, and a proof of it: made once, shared by the tests.
struct Fixture {
    keys: PathBuf,
    sample: PathBuf,
    proved: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = scratch("fixture");
        let (keys, sample, proved) = (root.join("keys"), root.join("sample"), root.join("proved"));
        let setup = bulwark(&[
            "rollup",
            "setup",
            "--depth",
            DEPTH,
            "--batch-size",
            BATCH,
            "--seed",
            "7",
            "--out",
            s(&keys),
        ]);
        assert!(setup.status.success(), "setup failed:\n{}", stderr(&setup));
        assert!(
            stderr(&setup).contains("INSECURE DEV SETUP"),
            "setup must warn loudly:\n{}",
            stderr(&setup)
        );
        ok(&[
            "rollup",
            "sample",
            "--depth",
            DEPTH,
            "--batch-size",
            BATCH,
            "--out",
            s(&sample),
        ]);
        let printed = ok(&[
            "rollup",
            "prove",
            "--pk",
            s(&keys.join("proving_key.bin")),
            "--state",
            s(&sample.join("state.json")),
            "--batch",
            s(&sample.join("batch.json")),
            "--out",
            s(&proved),
        ]);
        assert!(printed.contains("new_root"), "prove output:\n{printed}");
        Fixture {
            keys,
            sample,
            proved,
        }
    })
}

#[test]
fn demo_runs_end_to_end_at_a_small_depth() {
    let out = ok(&[
        "--threads",
        "2",
        "demo",
        "--depth",
        DEPTH,
        "--batch-size",
        "2",
    ]);
    for expected in [
        "constraints:",
        "old_root",
        "new_root",
        "verified OK",
        "prove",
    ] {
        assert!(out.contains(expected), "no {expected:?} in:\n{out}");
    }
}

#[test]
fn setup_prove_verify_export_round_trip() {
    let f = fixture();
    for file in ["proof.bin", "public.json", "state.out.json"] {
        assert!(f.proved.join(file).is_file(), "prove did not write {file}");
    }
    let vk = f.keys.join("verifying_key.bin");
    let proof = f.proved.join("proof.bin");
    let public = f.proved.join("public.json");
    let out = ok(&[
        "rollup",
        "verify",
        "--vk",
        s(&vk),
        "--proof",
        s(&proof),
        "--public",
        s(&public),
    ]);
    assert!(out.contains("OK"), "verify output:\n{out}");

    // The updated state is a valid input for the next batch's state.
    let next: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(f.proved.join("state.out.json")).expect("read state.out.json"),
    )
    .expect("state.out.json is JSON");
    assert_eq!(next["depth"], 4);

    // Swapping old and new root must not verify.
    let dir = scratch("tampered");
    let mut inputs: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&public).expect("read public.json"))
            .expect("public.json is a list of strings");
    assert_eq!(inputs.len(), 3);
    inputs.swap(0, 1);
    let tampered = dir.join("public.json");
    std::fs::write(&tampered, serde_json::to_string(&inputs).expect("encode"))
        .expect("write tampered public.json");
    let err = fails(&[
        "rollup",
        "verify",
        "--vk",
        s(&vk),
        "--proof",
        s(&proof),
        "--public",
        s(&tampered),
    ]);
    assert!(err.contains("does NOT verify"), "stderr:\n{err}");

    let export = scratch("export");
    ok(&[
        "rollup",
        "export",
        "--vk",
        s(&vk),
        "--proof",
        s(&proof),
        "--public",
        s(&public),
        "--out",
        s(&export),
    ]);
    for file in ["proof.json", "verification_key.json", "public.json"] {
        assert!(export.join(file).is_file(), "export did not write {file}");
    }
}

/// The snarkjs CLI from `npm ci --prefix prover/js`, or `None` after a skip message when node
/// or the install is missing (a failure under `CI=true`).
fn snarkjs() -> Option<PathBuf> {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("../prover/js");
    let bin = js.join("node_modules/.bin/snarkjs");
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if node_ok && bin.exists() {
        return Some(bin);
    }
    let why = format!(
        "snarkjs test needs `node` on PATH (found: {node_ok}) and `npm ci --prefix prover/js` \
         ({} exists: {})",
        bin.display(),
        bin.exists()
    );
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
    eprintln!("SKIPPED: {why}");
    None
}

#[test]
fn snarkjs_accepts_the_exported_rollup_proof() {
    let Some(snarkjs) = snarkjs() else { return };
    let f = fixture();
    let export = scratch("snarkjs");
    ok(&[
        "rollup",
        "export",
        "--vk",
        s(&f.keys.join("verifying_key.bin")),
        "--proof",
        s(&f.proved.join("proof.bin")),
        "--public",
        s(&f.proved.join("public.json")),
        "--out",
        s(&export),
    ]);
    let out = Command::new(&snarkjs)
        .current_dir(&export)
        .args([
            "groth16",
            "verify",
            "verification_key.json",
            "public.json",
            "proof.json",
        ])
        .output()
        .expect("spawn snarkjs");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        out.status.success() && text.contains("OK!"),
        "snarkjs rejected the rollup proof:\n{text}"
    );
}

#[test]
fn invalid_batch_names_the_operation_and_rule_and_writes_no_proof() {
    let f = fixture();
    let dir = scratch("bad-nonce");
    let mut batch: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(f.sample.join("batch.json")).expect("read batch.json"),
    )
    .expect("batch.json is JSON");
    // Operation 2 is the sample's withdrawal, signed with nonce 0.
    assert_eq!(batch["operations"][2]["type"], "withdrawal");
    batch["operations"][2]["nonce"] = 5.into();
    let bad = dir.join("batch.json");
    std::fs::write(&bad, batch.to_string()).expect("write batch");
    let out = dir.join("out");
    let err = fails(&[
        "rollup",
        "prove",
        "--pk",
        s(&f.keys.join("proving_key.bin")),
        "--state",
        s(&f.sample.join("state.json")),
        "--batch",
        s(&bad),
        "--out",
        s(&out),
    ]);
    assert!(
        err.contains("operation 2") && err.contains("wrong nonce: expected 0, got 5"),
        "stderr:\n{err}"
    );
    assert!(!out.join("proof.bin").exists(), "a proof was written");
}

#[test]
fn malformed_json_names_the_file_line_and_column() {
    let f = fixture();
    let dir = scratch("malformed");
    let state = dir.join("state.json");
    std::fs::write(&state, "{\n  \"depth\": 4,\n  \"accounts\": [,]\n}\n").expect("write state");
    let err = fails(&[
        "rollup",
        "prove",
        "--pk",
        s(&f.keys.join("proving_key.bin")),
        "--state",
        s(&state),
        "--batch",
        s(&f.sample.join("batch.json")),
        "--out",
        s(&dir.join("out")),
    ]);
    let at = format!("{}:3:16", state.display());
    assert!(
        err.contains(&at) && err.contains("invalid state JSON"),
        "expected {at:?} in:\n{err}"
    );
}

#[test]
fn a_verifying_key_passed_as_the_proving_key_names_the_wrong_kind() {
    let f = fixture();
    let vk = f.keys.join("verifying_key.bin");
    let err = fails(&[
        "rollup",
        "prove",
        "--pk",
        s(&vk),
        "--params",
        s(&f.keys.join("params.json")),
        "--state",
        s(&f.sample.join("state.json")),
        "--batch",
        s(&f.sample.join("batch.json")),
        "--out",
        s(&scratch("vk-as-pk")),
    ]);
    assert!(
        err.contains("is not a valid proving key file")
            && err.contains("expected ProvingKey, header says VerifyingKey"),
        "stderr:\n{err}"
    );
    assert!(err.contains(s(&vk)), "the file is not named:\n{err}");
}

/// `rollup setup --backend plonk` makes PLONK keys only (a universal setup needs no Groth16
/// keys), `prove` and `verify --backend plonk` use them, a Groth16 proof from that directory
/// fails naming the missing key, and bad PLONK setup arguments fail naming what was wrong.
#[test]
fn plonk_setup_makes_keys_that_prove_and_verify() {
    let root = scratch("plonk-setup");
    let (keys, sample, proved) = (root.join("keys"), root.join("sample"), root.join("proved"));
    let shape = ["--depth", DEPTH, "--batch-size", "2"];
    let setup = bulwark(
        &[
            &[
                "rollup",
                "setup",
                "--backend",
                "plonk",
                "--seed",
                "5",
                "--out",
                s(&keys),
            ][..],
            &shape,
        ]
        .concat(),
    );
    assert!(setup.status.success(), "setup failed:\n{}", stderr(&setup));
    assert!(
        stderr(&setup).contains("INSECURE DEV SETUP"),
        "dev KZG parameters must warn loudly:\n{}",
        stderr(&setup)
    );
    assert!(stdout(&setup).contains("PLONK keys"), "{}", stdout(&setup));
    for file in [
        "plonk_proving_key.bin",
        "plonk_verifying_key.bin",
        "kzg_params.bin",
        "params.json",
    ] {
        assert!(keys.join(file).exists(), "setup did not write {file}");
    }
    assert!(!keys.join("proving_key.bin").exists(), "Groth16 keys made");
    let pk_bytes = std::fs::read(keys.join("plonk_proving_key.bin")).expect("read pk");

    ok(&[&["rollup", "sample", "--out", s(&sample)][..], &shape].concat());
    let prove = |backend: &str| {
        bulwark(&[
            "rollup",
            "prove",
            "--backend",
            backend,
            "--keys",
            s(&keys),
            "--state",
            s(&sample.join("state.json")),
            "--batch",
            s(&sample.join("batch.json")),
            "--out",
            s(&proved),
        ])
    };
    let plonk = prove("plonk");
    assert!(plonk.status.success(), "prove failed:\n{}", stderr(&plonk));
    assert_eq!(
        std::fs::read(keys.join("plonk_proving_key.bin")).expect("read pk"),
        pk_bytes,
        "prove replaced the keys setup made"
    );
    ok(&[
        "rollup",
        "verify",
        "--backend",
        "plonk",
        "--vk",
        s(&keys.join("plonk_verifying_key.bin")),
        "--proof",
        s(&proved.join("proof.bin")),
        "--public",
        s(&proved.join("public.json")),
    ]);
    let groth16 = prove("groth16");
    assert!(!groth16.status.success(), "Groth16 proved without a key");
    assert!(
        stderr(&groth16).contains("proving_key.bin"),
        "{}",
        stderr(&groth16)
    );

    let other = root.join("other");
    let err = fails(
        &[
            &[
                "rollup",
                "setup",
                "--kzg-params",
                s(&keys.join("kzg_params.bin")),
            ][..],
            &["--out", s(&other)],
            &shape,
        ]
        .concat(),
    );
    assert!(err.contains("--kzg-params is for --backend plonk"), "{err}");
    let missing = root.join("missing.bin");
    let err = fails(
        &[
            &["rollup", "setup", "--backend", "plonk"][..],
            &["--kzg-params", s(&missing), "--out", s(&other)],
            &shape,
        ]
        .concat(),
    );
    assert!(err.contains("missing.bin"), "{err}");
}
