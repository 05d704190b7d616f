//! Proofs crossing between snarkjs and bulwark, on files made during the test.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use ark_ff::Field;
use bulwark_prover::circom::{CircomCircuit, R1cs, R1csConstraint, witness_of, write_wtns};
use bulwark_prover::{
    Fr, Phase2, Proof, ProverError, ProvingKey, Ptau, SnarkjsProof, SnarkjsVerificationKey,
    parse_snarkjs_public, prove, verify, write_snarkjs_files,
};
use serde::de::DeserializeOwned;

use crate::circuits::{Demo, rng};
use crate::js_support::{run, snarkjs_ok};
use crate::support::{Ceremony, ceremony, work_dir};

fn json<T: DeserializeOwned>(path: &Path) -> T {
    let file = File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    serde_json::from_reader(BufReader::new(file)).expect("parse snarkjs JSON")
}

fn write_r1cs(r1cs: &R1cs, path: &Path) {
    r1cs.write_to(File::create(path).expect("create"))
        .expect("write r1cs");
}

fn write_witness(witness: &[Fr], path: &Path) {
    write_wtns(witness, File::create(path).expect("create")).expect("write wtns");
}

/// `groth16 setup`, one `zkey contribute`, `zkey export verificationkey` in `dir`.
fn snarkjs_keys(c: &Ceremony, dir: &Path) {
    let ptau = c.ptau.to_str().expect("utf-8 path");
    snarkjs_ok(
        &c.snarkjs,
        dir,
        &["groth16", "setup", "circuit.r1cs", ptau, "c0.zkey"],
    );
    snarkjs_ok(
        &c.snarkjs,
        dir,
        &[
            "zkey",
            "contribute",
            "c0.zkey",
            "c1.zkey",
            "--name=z",
            "-e=zkey entropy",
        ],
    );
    snarkjs_ok(
        &c.snarkjs,
        dir,
        &["zkey", "export", "verificationkey", "c1.zkey", "vk.json"],
    );
}

/// `snarkjs groth16 verify` on `vk.json`, `public.json`, `proof.json` in `dir`.
fn snarkjs_accepts(c: &Ceremony, dir: &Path) -> (bool, String) {
    let (out, text) = run(std::process::Command::new(&c.snarkjs)
        .current_dir(dir)
        .args(["groth16", "verify", "vk.json", "public.json", "proof.json"]));
    (out.status.success() && text.contains("OK!"), text)
}

fn zkey(dir: &Path, name: &str) -> ProvingKey {
    ProvingKey::from_zkey(BufReader::new(
        File::open(dir.join(name)).expect("open zkey"),
    ))
    .expect("read zkey")
}

#[test]
fn a_snarkjs_proof_of_our_export_verifies_with_us() {
    let Some(c) = ceremony() else { return };
    let dir = work_dir(c, "snarkjs-proves");
    write_r1cs(
        &R1cs::from_circuit(Demo::default()).expect("r1cs"),
        &dir.join("circuit.r1cs"),
    );
    write_witness(
        &witness_of(Demo::honest(3, 5)).expect("witness"),
        &dir.join("w.wtns"),
    );
    snarkjs_keys(c, &dir);
    snarkjs_ok(
        &c.snarkjs,
        &dir,
        &[
            "groth16",
            "prove",
            "c1.zkey",
            "w.wtns",
            "proof.json",
            "public.json",
        ],
    );
    let vk = json::<SnarkjsVerificationKey>(&dir.join("vk.json"))
        .to_verifying_key()
        .expect("vk");
    let proof = json::<SnarkjsProof>(&dir.join("proof.json"))
        .to_proof()
        .expect("proof");
    let public =
        parse_snarkjs_public(&json::<Vec<String>>(&dir.join("public.json"))).expect("public");
    assert_eq!(public, Demo::public(3, 5));
    verify(&vk, &public, &proof).expect("our verifier accepts snarkjs' proof");
    let mut wrong = public.clone();
    wrong[0] += Fr::ONE;
    assert!(matches!(
        verify(&vk, &wrong, &proof),
        Err(ProverError::InvalidProof)
    ));
    // The zkey's own verifying key is the one snarkjs exported.
    assert_eq!(zkey(&dir, "c1.zkey").verifying_key(), &vk);
}

#[test]
fn our_proof_with_a_snarkjs_zkey_verifies_in_snarkjs() {
    let Some(c) = ceremony() else { return };
    let dir = work_dir(c, "we-prove-zkey");
    write_r1cs(
        &R1cs::from_circuit(Demo::default()).expect("r1cs"),
        &dir.join("circuit.r1cs"),
    );
    snarkjs_keys(c, &dir);
    let pk = zkey(&dir, "c1.zkey");
    let out = prove(&pk, Demo::honest(4, 7), &mut rng(60)).expect("prove with zkey key");
    // Write proof and public inputs; keep snarkjs' own vk.json.
    write_snarkjs_files(&dir, pk.verifying_key(), &out.public_inputs, &out.proof).expect("write");
    let (ok, text) = snarkjs_accepts(c, &dir);
    assert!(ok, "snarkjs rejected our proof:\n{text}");
}

#[test]
fn the_initial_zkey_is_the_key_our_phase2_derives() {
    let Some(c) = ceremony() else { return };
    let dir = work_dir(c, "same-initial-key");
    let r1cs = R1cs::from_circuit(Demo::default()).expect("r1cs");
    write_r1cs(&r1cs, &dir.join("circuit.r1cs"));
    snarkjs_keys(c, &dir);
    let ours = Phase2::new(&mut Ptau::open(&c.ptau).expect("open"), &r1cs)
        .expect("phase 2")
        .proving_key();
    // Every query (H after conversion to arkworks' form) is equal.
    assert_eq!(ours.as_ark(), zkey(&dir, "c0.zkey").as_ark());
}

/// A circom-style circuit written by hand: `out = a·b + c` with `a`, `b` private and `c`
/// public, through an internal wire `t = a·b`. Wires (circom order): 0 one, 1 out (output),
/// 2 c (public input), 3 a, 4 b (private inputs), 5 t (internal); labels are not the wire
/// numbers, as in circom output where optimised-away signals leave gaps.
fn hand_written() -> (R1cs, Vec<Fr>) {
    let one = Fr::ONE;
    let r1cs = R1cs {
        num_wires: 6,
        num_outputs: 1,
        num_public_inputs: 1,
        num_private_inputs: 2,
        num_labels: 9,
        constraints: vec![
            // a · b = t
            R1csConstraint {
                a: vec![(3, one)],
                b: vec![(4, one)],
                c: vec![(5, one)],
            },
            // (t + c) · 1 = out
            R1csConstraint {
                a: vec![(5, one), (2, one)],
                b: vec![(0, one)],
                c: vec![(1, one)],
            },
        ],
        wire_labels: vec![0, 1, 2, 3, 4, 8],
    };
    let (a, b, cc) = (Fr::from(6u64), Fr::from(7u64), Fr::from(5u64));
    (r1cs, vec![one, a * b + cc, cc, a, b, a * b])
}

#[test]
fn a_users_r1cs_and_wtns_proved_by_us_verify_in_snarkjs() {
    let Some(c) = ceremony() else { return };
    let dir = work_dir(c, "user-circuit");
    let (r1cs, witness) = hand_written();
    write_r1cs(&r1cs, &dir.join("circuit.r1cs"));
    write_witness(&witness, &dir.join("w.wtns"));
    let text = snarkjs_ok(
        &c.snarkjs,
        &dir,
        &["wtns", "check", "circuit.r1cs", "w.wtns"],
    );
    assert!(text.contains("WITNESS IS CORRECT"), "{text}");

    // The user's files, read back as a user would bring them.
    let r1cs = R1cs::read_from(BufReader::new(
        File::open(dir.join("circuit.r1cs")).expect("open"),
    ))
    .expect("read r1cs");
    let witness = bulwark_prover::circom::read_wtns(BufReader::new(
        File::open(dir.join("w.wtns")).expect("open"),
    ))
    .expect("read wtns");
    let circuit = CircomCircuit::new(&r1cs, &witness).expect("circuit");

    // Keys from snarkjs' zkey: snarkjs verifies with its own vk.
    snarkjs_keys(c, &dir);
    let out = prove(&zkey(&dir, "c1.zkey"), circuit, &mut rng(70)).expect("prove");
    assert_eq!(out.public_inputs, vec![Fr::from(47u64), Fr::from(5u64)]);
    let vk = zkey(&dir, "c1.zkey");
    write_snarkjs_files(&dir, vk.verifying_key(), &out.public_inputs, &out.proof).expect("write");
    let (ok, text) = snarkjs_accepts(c, &dir);
    assert!(
        ok,
        "snarkjs rejected our proof of the user's circuit:\n{text}"
    );

    // Keys from our own ceremony on the same ptau: snarkjs verifies with our exported vk.
    let mut p2 = Phase2::new(&mut Ptau::open(&c.ptau).expect("open"), &r1cs).expect("phase 2");
    p2.contribute("bulwark", &mut rng(71)).expect("contribute");
    let pk = p2.proving_key();
    let out = prove(&pk, circuit, &mut rng(72)).expect("prove");
    let ours = dir.join("ours");
    std::fs::create_dir_all(&ours).expect("dir");
    write_snarkjs_files(&ours, pk.verifying_key(), &out.public_inputs, &out.proof).expect("write");
    std::fs::rename(ours.join("verification_key.json"), ours.join("vk.json")).expect("rename");
    let (ok, text) = snarkjs_accepts(c, &ours);
    assert!(ok, "snarkjs rejected our ceremony's proof:\n{text}");

    // A proof for a different `c` does not pass as this one.
    let proof = Proof::from_bytes(&out.proof.to_bytes().expect("bytes")).expect("proof");
    let wrong = vec![Fr::from(48u64), Fr::from(5u64)];
    assert!(verify(pk.verifying_key(), &wrong, &proof).is_err());
}
