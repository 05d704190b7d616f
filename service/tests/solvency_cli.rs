//! `bulwark solvency ...` end to end with the real binary, on the tiniest shape (2 assets,
//! batches of 2^2 users, 2^1 batches) so the suite stays quick.

// The EVM harness of bulwark-prover's tests; this file uses only part of it.
#[allow(dead_code)]
#[path = "../../prover/tests/evm/support.rs"]
mod support;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::OnceLock,
};

use bulwark_circuits::{Fr, solvency::InclusionClaim};
use bulwark_prover::plonk::PlonkProof;
use bulwark_prover::solidity::{SoliditySource, plonk_calldata};

const USERS: &str = "user_id,BTC,ETH\n\
                     alice,100,5\n\
                     bob,0,7\n\
                     carol,250,0\n\
                     dave,1,1\n\
                     erin,42,3\n";
const RESERVES: &str = r#"{"BTC": "1000", "ETH": "16"}"#;

/// Runs `bulwark --quiet ARGS` and returns its output.
fn bulwark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .arg("--quiet")
        .args(args)
        .output()
        .expect("spawn bulwark")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `bulwark ARGS`, asserts success and returns stdout.
fn ok(args: &[&str]) -> String {
    let out = bulwark(args);
    assert!(
        out.status.success(),
        "bulwark {args:?} failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs `bulwark ARGS`, asserts failure and returns stderr.
fn fails(args: &[&str]) -> String {
    let out = bulwark(args);
    assert!(
        !out.status.success(),
        "bulwark {args:?} succeeded:\n{}",
        text(&out.stdout)
    );
    text(&out.stderr)
}

/// A fresh, empty directory for one test under cargo's per-target scratch space.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bulwark-solvency-cli")
        .join(name);
    // Left over from an earlier run, if anything.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Writes the users CSV and reserves JSON into `dir`.
fn inputs(dir: &Path, users: &str, reserves: &str) -> (PathBuf, PathBuf) {
    let (u, r) = (dir.join("users.csv"), dir.join("reserves.json"));
    std::fs::write(&u, users).expect("write users.csv");
    std::fs::write(&r, reserves).expect("write reserves.json");
    (u, r)
}

/// The custodian's whole flow, run once and shared: inputs, commit, setup, prove, and
/// alice's inclusion proof.
struct Flow {
    reserves: PathBuf,
    committed: PathBuf,
    keys: PathBuf,
    proofs: PathBuf,
    alice: PathBuf,
}

fn flow() -> &'static Flow {
    static FLOW: OnceLock<Flow> = OnceLock::new();
    FLOW.get_or_init(|| {
        let root = scratch("flow");
        let (users, reserves) = inputs(&root, USERS, RESERVES);
        let (committed, keys, proofs) = (
            root.join("committed"),
            root.join("keys"),
            root.join("proofs"),
        );
        let alice = root.join("inclusion").join("alice.bin");

        let out = ok(&[
            "solvency",
            "commit",
            "--users",
            s(&users),
            "--reserves",
            s(&reserves),
            "--batch-bits",
            "2",
            "--top-bits",
            "1",
            "--out",
            s(&committed),
        ]);
        for expected in [
            "5 users",
            "2 assets",
            "2 batches of 4",
            "total 393",
            "SECRET",
        ] {
            assert!(
                out.contains(expected),
                "no {expected:?} in commit output:\n{out}"
            );
        }
        let statement = committed.join("statement.json");
        let seed = committed.join("secret_seed.json");

        let setup = bulwark(&[
            "solvency",
            "setup",
            "--statement",
            s(&statement),
            "--seed",
            "7",
            "--out",
            s(&keys),
        ]);
        assert!(
            setup.status.success(),
            "setup failed:\n{}",
            text(&setup.stderr)
        );
        assert!(
            text(&setup.stderr).contains("INSECURE DEV SETUP"),
            "setup must warn loudly:\n{}",
            text(&setup.stderr)
        );

        let out = ok(&[
            "solvency",
            "prove",
            "--users",
            s(&users),
            "--reserves",
            s(&reserves),
            "--seed-file",
            s(&seed),
            "--keys",
            s(&keys),
            "--statement",
            s(&statement),
            "--out",
            s(&proofs),
        ]);
        // The summary: users, assets, batches, totals, time.
        for needle in [
            "proved 5 users, 2 assets: 2 batches of 4",
            "ETH  total 16 <= reserve 16",
            "prove batches",
            "total: ",
        ] {
            assert!(
                out.contains(needle),
                "prove output lacks {needle:?}:\n{out}"
            );
        }

        let out = ok(&[
            "solvency",
            "inclusion",
            "--users",
            s(&users),
            "--reserves",
            s(&reserves),
            "--seed-file",
            s(&seed),
            "--keys",
            s(&keys),
            "--id",
            "alice",
            "--out",
            s(&alice),
        ]);
        assert!(out.contains("--balances 100,5"), "inclusion output:\n{out}");
        Flow {
            reserves,
            committed,
            keys,
            proofs,
            alice,
        }
    })
}

impl Flow {
    fn statement(&self) -> PathBuf {
        self.committed.join("statement.json")
    }

    fn verify(&self, statement: &Path) -> Output {
        bulwark(&[
            "solvency",
            "verify",
            "--statement",
            s(statement),
            "--keys",
            s(&self.keys),
            "--proofs",
            s(&self.proofs),
        ])
    }

    fn verify_inclusion(&self, id: &str, balances: &str) -> Output {
        bulwark(&[
            "solvency",
            "verify-inclusion",
            "--statement",
            s(&self.statement()),
            "--key",
            s(&self.keys.join("inclusion_verifying_key.bin")),
            "--proof",
            s(&self.alice),
            "--id",
            id,
            "--balances",
            balances,
        ])
    }
}

#[test]
fn commit_setup_prove_verify_end_to_end() {
    let f = flow();
    let statement: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.statement()).expect("read statement.json"))
            .expect("statement.json is JSON");
    assert_eq!(statement["assets"][0]["asset"], "BTC");
    assert_eq!(statement["assets"][1]["reserve"], "16");
    assert_eq!(
        statement["batch_commitments"]
            .as_array()
            .expect("a list")
            .len(),
        2
    );
    for file in ["batch_0.bin", "batch_1.bin", "top.bin"] {
        assert!(f.proofs.join(file).is_file(), "prove did not write {file}");
    }
    let out = f.verify(&f.statement());
    assert!(
        out.status.success() && text(&out.stdout).contains("OK"),
        "verify failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn a_user_verifies_their_inclusion_and_a_wrong_balance_fails() {
    let f = flow();
    let claim: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(f.alice.with_extension("claim.json")).expect("read claim"),
    )
    .expect("the claim is JSON");
    assert_eq!(claim["id"], "alice");
    assert_eq!(claim["balances"][0]["balance"], "100");

    let out = f.verify_inclusion("alice", "100,5");
    assert!(
        out.status.success() && text(&out.stdout).contains("OK"),
        "verify-inclusion failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    for (id, balances) in [("alice", "100,6"), ("alice", "99,5"), ("bob", "100,5")] {
        let out = f.verify_inclusion(id, balances);
        let err = text(&out.stderr);
        assert!(
            !out.status.success() && err.contains("does NOT verify"),
            "{id} {balances} accepted:\n{err}"
        );
    }
    let out = f.verify_inclusion("alice", "100,x");
    assert!(
        !out.status.success() && text(&out.stderr).contains("value 2 (ETH)"),
        "stderr:\n{}",
        text(&out.stderr)
    );
}

/// `statement` with the ETH reserve lowered to 15 (below the total), written into `dir`.
fn lowered_reserve(statement: &Path, dir: &Path) -> PathBuf {
    let mut statement: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(statement).expect("read statement.json"))
            .expect("statement.json is JSON");
    statement["assets"][1]["reserve"] = "15".into();
    std::fs::create_dir_all(dir).expect("create dir");
    let tampered = dir.join("statement.json");
    std::fs::write(&tampered, statement.to_string()).expect("write tampered statement");
    tampered
}

#[test]
fn a_lowered_reserve_in_the_statement_fails_verify() {
    let f = flow();
    let tampered = lowered_reserve(&f.statement(), &scratch("tampered"));
    let out = f.verify(&tampered);
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("top proof") && err.contains("does NOT verify"),
        "stderr:\n{err}"
    );
    assert!(
        !err.contains("batch proof"),
        "batch proofs should still verify:\n{err}"
    );
}

#[test]
fn prove_refuses_a_book_that_does_not_match_the_statement() {
    let f = flow();
    let dir = scratch("mismatch");
    let (users, _) = inputs(&dir, &USERS.replace("erin,42,3", "erin,41,3"), RESERVES);
    let err = fails(&[
        "solvency",
        "prove",
        "--users",
        s(&users),
        "--reserves",
        s(&f.reserves),
        "--seed-file",
        s(&f.committed.join("secret_seed.json")),
        "--keys",
        s(&f.keys),
        "--statement",
        s(&f.statement()),
        "--out",
        s(&dir.join("proofs")),
    ]);
    assert!(err.contains("does not match"), "stderr:\n{err}");
}

#[test]
fn an_insolvent_book_fails_at_commit_naming_the_asset() {
    let dir = scratch("insolvent");
    let (users, reserves) = inputs(&dir, USERS, r#"{"BTC": "1000", "ETH": "15"}"#);
    let out = dir.join("out");
    let err = fails(&[
        "solvency",
        "commit",
        "--users",
        s(&users),
        "--reserves",
        s(&reserves),
        "--batch-bits",
        "2",
        "--top-bits",
        "1",
        "--out",
        s(&out),
    ]);
    assert!(
        err.contains("INSOLVENT") && err.contains("16 ETH") && err.contains("reserve is 15"),
        "stderr:\n{err}"
    );
    assert!(!err.contains("BTC:"), "BTC is solvent:\n{err}");
    assert!(
        !out.join("statement.json").exists(),
        "a statement was written"
    );
}

#[test]
fn a_malformed_csv_row_names_the_line_and_column() {
    let dir = scratch("malformed");
    let (users, reserves) = inputs(
        &dir,
        &USERS.replace("carol,250,0", "carol,250,-3"),
        RESERVES,
    );
    let err = fails(&[
        "solvency",
        "commit",
        "--users",
        s(&users),
        "--reserves",
        s(&reserves),
        "--batch-bits",
        "2",
        "--top-bits",
        "1",
        "--out",
        s(&dir.join("out")),
    ]);
    assert!(
        err.contains(s(&users))
            && err.contains("line 4, column 3 (ETH)")
            && err.contains("negative"),
        "stderr:\n{err}"
    );
}

/// `bulwark solvency verify-inclusion --backend plonk` for `proof` against the flow's statement.
fn verify_inclusion_plonk(keys: &Path, proof: &Path, id: &str, balances: &str) -> Output {
    bulwark(&[
        "solvency",
        "verify-inclusion",
        "--statement",
        s(&flow().statement()),
        "--backend",
        "plonk",
        "--key",
        s(&keys.join("inclusion_plonk_verifying_key.bin")),
        "--kzg-params",
        s(&keys.join("kzg_params.bin")),
        "--proof",
        s(proof),
        "--id",
        id,
        "--balances",
        balances,
    ])
}

/// Deploys the exported `SolvencyInclusionPlonkVerifier` (its parts, on a chain that enforces
/// EIP-170) and checks alice's proof (and a wrong balance) with it.
fn plonk_inclusion_verifies_in_the_evm(contracts: &Path, alice: &Path) {
    let claim: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(alice.with_extension("claim.json")).expect("read claim"),
    )
    .expect("claim JSON");
    let commitment: Fr = claim["book_commitment"]
        .as_str()
        .expect("a string")
        .parse()
        .expect("a field element");
    let public = |balances| {
        InclusionClaim::new(commitment, "alice", balances)
            .expect("claim")
            .public_inputs()
    };
    let proof = PlonkProof::read_from(std::fs::File::open(alice).expect("open")).expect("proof");
    // The entry part and its later parts, deployed on a chain that enforces EIP-170.
    let name = "SolvencyInclusionPlonkVerifier";
    let read = |name: &str| SoliditySource {
        contract_name: name.into(),
        source: std::fs::read_to_string(contracts.join(format!("{name}.sol"))).expect("read"),
    };
    let mut parts = vec![read(name)];
    while contracts
        .join(format!("{name}Part{}.sol", parts.len() + 1))
        .exists()
    {
        parts.push(read(&format!("{name}Part{}", parts.len() + 1)));
    }
    let mut evm = support::Evm::new();
    let verifier = support::deploy_plonk(&mut evm, &parts)[0];
    let out = evm.call(verifier, plonk_calldata(&public(vec![100, 5]), &proof));
    assert!(
        out.success,
        "alice's PLONK proof rejected in the EVM: {out:?}"
    );
    let out = evm.call(verifier, plonk_calldata(&public(vec![100, 6]), &proof));
    assert!(!out.success, "a wrong balance accepted in the EVM");
}

/// Copies every file of `from` into a new directory `to`.
fn files_copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("dir entry").path();
        std::fs::copy(&path, to.join(path.file_name().expect("file name"))).expect("copy");
    }
}

#[test]
fn plonk_backend_setup_prove_verify_and_inclusion() {
    let f = flow();
    let root = scratch("plonk");
    let (keys, proofs) = (root.join("keys"), root.join("proofs"));
    let users = f.reserves.with_file_name("users.csv");
    let seed = f.committed.join("secret_seed.json");
    let statement = f.statement();
    let setup = |out: &Path, seed: &str, extra: &[&str]| {
        let mut args = vec![
            "solvency",
            "setup",
            "--statement",
            s(&statement),
            "--seed",
            seed,
            "--out",
            s(out),
        ];
        args.extend_from_slice(extra);
        bulwark(&args)
    };
    let out = setup(&keys, "7", &["--backend", "plonk"]);
    assert!(out.status.success(), "setup: {}", text(&out.stderr));
    for file in [
        "kzg_params.bin",
        "batch_plonk_proving_key.bin",
        "inclusion_plonk_verifying_key.bin",
        "top_plonk_proving_key.bin",
        "top_plonk_verifying_key.bin",
    ] {
        assert!(keys.join(file).is_file(), "setup did not write {file}");
    }
    for groth16 in ["batch_proving_key.bin", "top_proving_key.bin"] {
        assert!(!keys.join(groth16).exists(), "setup wrote {groth16}");
    }

    let common = [
        "--users",
        s(&users),
        "--reserves",
        s(&f.reserves),
        "--seed-file",
        s(&seed),
        "--keys",
        s(&keys),
    ];
    let mut prove = vec!["solvency", "prove", "--out", s(&proofs)];
    prove.extend_from_slice(&common);
    ok(&prove);
    let verify_against = |statement: &Path, proofs: &Path| {
        bulwark(&[
            "solvency",
            "verify",
            "--statement",
            s(statement),
            "--keys",
            s(&keys),
            "--proofs",
            s(proofs),
        ])
    };
    let verify = |proofs: &Path| verify_against(&statement, proofs);
    let out = verify(&proofs);
    assert!(
        out.status.success() && text(&out.stdout).contains("OK"),
        "verify: {}",
        text(&out.stderr)
    );
    // The PLONK top proof binds the reserves: a lowered one fails it, and only it.
    let out = verify_against(&lowered_reserve(&statement, &root.join("lowered")), &proofs);
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("top proof") && err.contains("does NOT verify"),
        "{err}"
    );
    assert!(
        !err.contains("batch proof"),
        "batch proofs should verify:\n{err}"
    );
    // The top proof is a PLONK proof too: the Groth16 one in its place is refused.
    let mixed = root.join("mixed");
    files_copy(&proofs, &mixed);
    std::fs::copy(f.proofs.join("top.bin"), mixed.join("top.bin")).expect("copy top.bin");
    let out = verify(&mixed);
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("top.bin is not a valid PLONK proof"),
        "{err}"
    );
    assert!(
        !err.contains("batch proof"),
        "batch proofs should verify:\n{err}"
    );
    // The Groth16 batch proofs are refused by the PLONK keys.
    let out = verify(&f.proofs);
    assert!(
        !out.status.success()
            && text(&out.stderr).contains("batch_0.bin is not a valid PLONK proof"),
        "{}",
        text(&out.stderr)
    );

    let alice = root.join("alice.bin");
    let mut inclusion = vec!["solvency", "inclusion", "--id", "alice", "--out", s(&alice)];
    inclusion.extend_from_slice(&common);
    let out = ok(&inclusion);
    assert!(out.contains("--backend plonk"), "inclusion output:\n{out}");
    let out = verify_inclusion_plonk(&keys, &alice, "alice", "100,5");
    assert!(
        out.status.success() && text(&out.stdout).contains("OK"),
        "verify-inclusion: {}",
        text(&out.stderr)
    );
    for (id, balances) in [("alice", "100,6"), ("bob", "100,5")] {
        let out = verify_inclusion_plonk(&keys, &alice, id, balances);
        assert!(
            !out.status.success() && text(&out.stderr).contains("does NOT verify"),
            "{id} {balances} accepted: {}",
            text(&out.stderr)
        );
    }
    // A Groth16 inclusion proof is not a PLONK proof.
    let out = verify_inclusion_plonk(&keys, &f.alice, "alice", "100,5");
    assert!(!out.status.success());

    // The exported PLONK verifier accepts alice's proof in the EVM, and not another balance.
    let contracts = root.join("contracts");
    ok(&[
        "export",
        "solidity",
        "--plonk-verifiers",
        s(&keys),
        "--out",
        s(&contracts),
    ]);
    if support::js_available() {
        plonk_inclusion_verifies_in_the_evm(&contracts, &alice);
    }

    // KZG parameters from a file (another seed): the file's parameters are used, not the seed's.
    let from_file = root.join("keys_from_file");
    let kzg = keys.join("kzg_params.bin");
    let out = setup(
        &from_file,
        "8",
        &["--backend", "plonk", "--kzg-params", s(&kzg)],
    );
    assert!(out.status.success(), "setup: {}", text(&out.stderr));
    assert_eq!(
        std::fs::read(from_file.join("kzg_params.bin")).expect("read"),
        std::fs::read(&kzg).expect("read")
    );
    let err = fails(&[
        "solvency",
        "setup",
        "--statement",
        s(&statement),
        "--kzg-params",
        s(&kzg),
        "--out",
        s(&root.join("no")),
    ]);
    assert!(err.contains("--kzg-params is for --backend plonk"), "{err}");
}
