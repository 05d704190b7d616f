//! `bulwark export solidity` with the real binary: the verifier for a rollup key verifies a
//! proof made by `bulwark rollup prove` in revm (Groth16, and PLONK with `--backend plonk`),
//! the example contracts compile with the pinned npm `solc`, and bad key files fail with
//! messages that name them.

// The EVM harness of bulwark-prover's tests; this file uses only part of it.
#[allow(dead_code)]
#[path = "../../prover/tests/evm/support.rs"]
mod support;

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use bulwark_prover::{
    Proof,
    plonk::PlonkProof,
    solidity::{SoliditySource, field_word, plonk_calldata, proof_calldata},
};
use support::{Arg, Evm, calldata, compile, deploy_plonk, js_available};

/// `bulwark --quiet ARGS`: (exit success, stdout, stderr).
fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .arg("--quiet")
        .args(args)
        .output()
        .expect("spawn bulwark");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

fn must(args: &[&str]) -> String {
    let (ok, stdout, stderr) = run(args);
    assert!(ok, "bulwark {args:?} failed:\n{stdout}{stderr}");
    stdout
}

fn must_fail(args: &[&str]) -> String {
    let (ok, stdout, stderr) = run(args);
    assert!(!ok, "bulwark {args:?} succeeded:\n{stdout}");
    stderr
}

/// A fresh directory for one test under cargo's per-target scratch space.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bulwark-export-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Rollup keys (D = 4, B = 2) with a proof of the sample batch, and solvency keys (2 assets,
/// 2^1 batches of 2^1 users): made once by the binary, shared by the tests.
struct Keys {
    rollup: PathBuf,
    proved: PathBuf,
    solvency: PathBuf,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let root = fresh_dir("keys");
        let (rollup, sample, proved, solvency) = (
            root.join("rollup"),
            root.join("sample"),
            root.join("proved"),
            root.join("solvency"),
        );
        let with_shape = |args: &[&str]| {
            let mut all = args.to_vec();
            all.extend(["--depth", "4", "--batch-size", "2"]);
            must(&all)
        };
        with_shape(&["rollup", "setup", "--seed", "7", "--out", p(&rollup)]);
        with_shape(&["rollup", "sample", "--out", p(&sample)]);
        must(&[
            "rollup",
            "prove",
            "--pk",
            p(&rollup.join("proving_key.bin")),
            "--state",
            p(&sample.join("state.json")),
            "--batch",
            p(&sample.join("batch.json")),
            "--out",
            p(&proved),
        ]);
        must(&[
            "solvency",
            "setup",
            "--assets",
            "2",
            "--batch-bits",
            "1",
            "--top-bits",
            "1",
            "--seed",
            "7",
            "--out",
            p(&solvency),
        ]);
        Keys {
            rollup,
            proved,
            solvency,
        }
    })
}

/// Reads back the `.sol` files `export` reported writing, in order.
fn written(stdout: &str) -> Vec<SoliditySource> {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("wrote "))
        .map(|path| {
            let path = Path::new(path);
            SoliditySource {
                contract_name: path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .expect("file stem")
                    .to_owned(),
                source: std::fs::read_to_string(path).expect("written file"),
            }
        })
        .collect()
}

#[test]
fn exported_verifier_accepts_the_cli_proof() {
    let k = keys();
    let out = fresh_dir("vk");
    let stdout = must(&[
        "export",
        "solidity",
        "--vk",
        p(&k.rollup.join("verifying_key.bin")),
        "--name",
        "MyRollupVerifier",
        "--out",
        p(&out),
    ]);
    let sources = written(&stdout);
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].contract_name, "MyRollupVerifier");
    assert!(sources[0].source.contains("contract MyRollupVerifier {"));
    if !js_available() {
        return;
    }
    let mut evm = Evm::new();
    let verifier = evm.deploy(
        compile(&sources)
            .remove("MyRollupVerifier")
            .expect("bytecode"),
    );
    let proof =
        Proof::read_from(std::fs::File::open(k.proved.join("proof.bin")).expect("proof.bin"))
            .expect("valid proof file");
    let public: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(k.proved.join("public.json")).expect("public.json"),
    )
    .expect("public.json");
    let mut inputs: Vec<[u8; 32]> = public
        .iter()
        .map(|s| field_word(&s.parse::<ark_bn254::Fr>().expect("field element")))
        .collect();
    let mut accepts = |inputs: &[[u8; 32]]| {
        let data = calldata(
            "verifyProof(bytes,uint256[3])",
            &[
                Arg::Bytes(proof_calldata(&proof).to_vec()),
                Arg::Fixed(inputs.to_vec()),
            ],
        );
        evm.call(verifier, data).returned_bool()
    };
    assert!(accepts(&inputs), "the CLI's proof");
    inputs[1][31] ^= 1;
    assert!(!accepts(&inputs), "new root changed");
}

#[test]
fn example_contracts_compile() {
    let k = keys();
    for (flag, dir, expected) in [
        (
            "--rollup-example",
            &k.rollup,
            &["RollupVerifier", "RollupExample"][..],
        ),
        (
            "--solvency-example",
            &k.solvency,
            &[
                "SolvencyTopVerifier",
                "SolvencyInclusionVerifier",
                "SolvencyExample",
            ][..],
        ),
    ] {
        let out = fresh_dir(flag.trim_start_matches('-'));
        let stdout = must(&["export", "solidity", flag, p(dir), "--out", p(&out)]);
        let sources = written(&stdout);
        let names: Vec<&str> = sources.iter().map(|s| s.contract_name.as_str()).collect();
        assert_eq!(names, expected);
        if js_available() {
            let bytecode = compile(&sources);
            for name in expected {
                assert!(
                    bytecode.get(*name).is_some_and(|b| !b.is_empty()),
                    "{name} did not compile"
                );
            }
        }
    }
}

#[test]
fn bad_key_files_fail_naming_the_file() {
    let k = keys();
    let dir = fresh_dir("bad");
    let out = dir.join("out");
    let missing = dir.join("nope.bin");
    let err = must_fail(&["export", "solidity", "--vk", p(&missing), "--out", p(&out)]);
    assert!(
        err.contains("opening verifying key") && err.contains(p(&missing)),
        "{err}"
    );

    let garbled = dir.join("garbled.bin");
    std::fs::write(&garbled, b"not a verifying key").expect("write");
    let err = must_fail(&["export", "solidity", "--vk", p(&garbled), "--out", p(&out)]);
    assert!(
        err.contains(&format!(
            "{} is not a valid verifying key file",
            p(&garbled)
        )),
        "{err}"
    );
    // The first half of a real key.
    let real = std::fs::read(k.rollup.join("verifying_key.bin")).expect("vk");
    std::fs::write(&garbled, &real[..real.len() / 2]).expect("write");
    let err = must_fail(&["export", "solidity", "--vk", p(&garbled), "--out", p(&out)]);
    assert!(err.contains("is not a valid verifying key file"), "{err}");

    let vk = k.rollup.join("verifying_key.bin");
    let err = must_fail(&[
        "export",
        "solidity",
        "--vk",
        p(&vk),
        "--name",
        "my-verifier",
        "--out",
        p(&out),
    ]);
    assert!(err.contains("not a valid Solidity contract name"), "{err}");

    // A solvency key directory is not a rollup one, and the reverse.
    let err = must_fail(&[
        "export",
        "solidity",
        "--rollup-example",
        p(&k.solvency),
        "--out",
        p(&out),
    ]);
    assert!(err.contains("verifying_key.bin"), "{err}");
    let err = must_fail(&[
        "export",
        "solidity",
        "--solvency-example",
        p(&k.rollup),
        "--out",
        p(&out),
    ]);
    assert!(err.contains("solvency"), "{err}");

    // A rollup key directory without params.json.
    let no_params = dir.join("no_params");
    std::fs::create_dir_all(&no_params).expect("mkdir");
    std::fs::copy(&vk, no_params.join("verifying_key.bin")).expect("copy");
    let err = must_fail(&[
        "export",
        "solidity",
        "--rollup-example",
        p(&no_params),
        "--out",
        p(&out),
    ]);
    assert!(err.contains("params.json"), "{err}");

    // Exactly one key source.
    must_fail(&["export", "solidity", "--out", p(&out)]);
    must_fail(&[
        "export",
        "solidity",
        "--vk",
        p(&vk),
        "--rollup-example",
        p(&k.rollup),
        "--out",
        p(&out),
    ]);
    assert!(!out.exists(), "a failed export wrote {}", out.display());
}

#[test]
fn rollup_plonk_proof_from_the_cli_verifies_natively_and_in_the_evm() {
    let k = keys();
    let sample = k.rollup.parent().expect("keys root").join("sample");
    // PLONK keys need only the shape (params.json); they are made by the first proof.
    let dir = fresh_dir("plonk");
    let keys_dir = dir.join("keys");
    std::fs::create_dir_all(&keys_dir).expect("mkdir");
    std::fs::copy(k.rollup.join("params.json"), keys_dir.join("params.json")).expect("copy");
    let prove = |out: &Path| {
        must(&[
            "rollup",
            "prove",
            "--backend",
            "plonk",
            "--keys",
            p(&keys_dir),
            "--state",
            p(&sample.join("state.json")),
            "--batch",
            p(&sample.join("batch.json")),
            "--out",
            p(out),
        ])
    };
    let proved = dir.join("proved");
    prove(&proved);
    let made = std::fs::metadata(keys_dir.join("plonk_proving_key.bin"))
        .and_then(|m| m.modified())
        .expect("PLONK proving key written");
    // A second proof reuses the keys.
    let again = dir.join("again");
    prove(&again);
    assert_eq!(
        std::fs::metadata(keys_dir.join("plonk_proving_key.bin"))
            .and_then(|m| m.modified())
            .expect("still there"),
        made
    );
    // Both backends prove the same public inputs from one witness.
    assert_eq!(
        std::fs::read_to_string(proved.join("public.json")).expect("public"),
        std::fs::read_to_string(k.proved.join("public.json")).expect("public")
    );

    let verify = |backend: &str, vk: &Path, proof: &Path| {
        run(&[
            "rollup",
            "verify",
            "--backend",
            backend,
            "--vk",
            p(vk),
            "--proof",
            p(proof),
            "--public",
            p(&proved.join("public.json")),
        ])
    };
    let plonk_vk = keys_dir.join("plonk_verifying_key.bin");
    let (ok, stdout, stderr) = verify("plonk", &plonk_vk, &proved.join("proof.bin"));
    assert!(ok && stdout.contains("OK"), "{stdout}{stderr}");
    // The PLONK proof on the Groth16 key path, and the reverse: refused, naming the system.
    let (ok, _, stderr) = verify(
        "groth16",
        &k.rollup.join("verifying_key.bin"),
        &proved.join("proof.bin"),
    );
    assert!(!ok && stderr.contains("proof system"), "{stderr}");
    let (ok, _, stderr) = verify("plonk", &plonk_vk, &k.proved.join("proof.bin"));
    assert!(!ok && stderr.contains("proof system"), "{stderr}");
    // A tampered public input is refused.
    let mut public: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(proved.join("public.json")).expect("public.json"),
    )
    .expect("public.json");
    public[0] = "1".into();
    let bad_public = dir.join("bad_public.json");
    std::fs::write(&bad_public, serde_json::to_string(&public).expect("json")).expect("write");
    let (ok, _, stderr) = run(&[
        "rollup",
        "verify",
        "--backend",
        "plonk",
        "--vk",
        p(&plonk_vk),
        "--proof",
        p(&proved.join("proof.bin")),
        "--public",
        p(&bad_public),
    ]);
    assert!(!ok && stderr.contains("does NOT verify"), "{stderr}");
    // --kzg-params belongs to PLONK.
    let err = must_fail(&[
        "rollup",
        "prove",
        "--keys",
        p(&k.rollup),
        "--kzg-params",
        p(&keys_dir.join("kzg_params.bin")),
        "--state",
        p(&sample.join("state.json")),
        "--batch",
        p(&sample.join("batch.json")),
        "--out",
        p(&dir.join("no")),
    ]);
    assert!(err.contains("--kzg-params is for --backend plonk"), "{err}");

    // The exported KZG verifier accepts the CLI's proof in the EVM.
    let contracts = dir.join("contracts");
    let err = must_fail(&[
        "export",
        "solidity",
        "--plonk-verifiers",
        p(&k.rollup),
        "--out",
        p(&contracts),
    ]);
    assert!(err.contains("has no PLONK keys"), "{err}");
    let stdout = must(&[
        "export",
        "solidity",
        "--plonk-verifiers",
        p(&keys_dir),
        "--out",
        p(&contracts),
    ]);
    let sources = written(&stdout);
    // The entry part first, then its later parts, and how to deploy them.
    assert_eq!(sources[0].contract_name, "RollupPlonkVerifier");
    for (i, part) in sources.iter().enumerate().skip(1) {
        assert_eq!(
            part.contract_name,
            format!("RollupPlonkVerifierPart{}", i + 1)
        );
    }
    let last = &sources[sources.len() - 1].contract_name;
    assert!(
        sources.len() == 1 || stdout.contains(&format!("deploy in this order: {last} ()")),
        "{stdout}"
    );
    if !js_available() {
        return;
    }
    let proof = PlonkProof::read_from(std::fs::File::open(proved.join("proof.bin")).expect("open"))
        .expect("PLONK proof file");
    let inputs: Vec<ark_bn254::Fr> = serde_json::from_str::<Vec<String>>(
        &std::fs::read_to_string(proved.join("public.json")).expect("public.json"),
    )
    .expect("public.json")
    .iter()
    .map(|s| s.parse().expect("field element"))
    .collect();
    // A chain that enforces EIP-170.
    let mut evm = Evm::new();
    let verifier = deploy_plonk(&mut evm, &sources)[0];
    assert!(evm.call(verifier, plonk_calldata(&inputs, &proof)).success);
    let mut tampered = inputs.clone();
    tampered[2] += ark_bn254::Fr::from(1u64);
    assert!(
        !evm.call(verifier, plonk_calldata(&tampered, &proof))
            .success
    );
}
