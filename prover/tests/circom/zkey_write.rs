//! `.zkey` files written by us, read by snarkjs (and by us).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use bulwark_prover::circom::{R1cs, witness_of};
use bulwark_prover::{
    Phase2, Ptau, SnarkjsProof, SnarkjsVerificationKey, parse_snarkjs_public, verify,
};

use crate::circuits::{Demo, rng};
use crate::js_support::{run, snarkjs_ok};
use crate::roundtrip::{json, snarkjs_accepts, snarkjs_keys, write_r1cs, write_witness, zkey};
use crate::support::{Ceremony, ceremony, read, section, work_dir};

/// A ceremony for [`Demo`] with `contributors`, its `.r1cs` written to `dir/circuit.r1cs`.
fn demo_phase2(c: &Ceremony, dir: &Path, contributors: &[&str]) -> (Phase2, R1cs) {
    let r1cs = R1cs::from_circuit(Demo::default()).expect("r1cs");
    write_r1cs(&r1cs, &dir.join("circuit.r1cs"));
    let mut p2 = Phase2::new(&mut Ptau::open(&c.ptau).expect("open"), &r1cs).expect("phase 2");
    for (i, name) in contributors.iter().enumerate() {
        p2.contribute(name, &mut rng(200 + i as u64))
            .expect("contribute");
    }
    (p2, r1cs)
}

fn write_our_zkey(c: &Ceremony, p2: &Phase2, r1cs: &R1cs, path: &Path) {
    let file = BufWriter::new(File::create(path).expect("create zkey"));
    p2.write_zkey(&mut Ptau::open(&c.ptau).expect("open"), r1cs, file)
        .expect("write zkey");
}

/// `snarkjs zkey verify circuit.r1cs <ptau> <zkey>` in `dir`: accepted, and the output.
fn snarkjs_zkey_verify(c: &Ceremony, dir: &Path, zkey: &str) -> (bool, String) {
    let ptau = c.ptau.to_str().expect("utf-8 path");
    let (out, text) = run(std::process::Command::new(&c.snarkjs)
        .current_dir(dir)
        .args(["zkey", "verify", "circuit.r1cs", ptau, zkey]));
    (out.status.success() && text.contains("ZKey Ok!"), text)
}

#[test]
fn our_initial_zkey_passes_snarkjs_zkey_verify_and_reads_back() {
    let Some(c) = ceremony() else { return };
    let dir = work_dir(c, "zkey-write-initial");
    let (p2, r1cs) = demo_phase2(c, &dir, &[]);
    write_our_zkey(c, &p2, &r1cs, &dir.join("ours.zkey"));
    assert_eq!(zkey(&dir, "ours.zkey"), p2.proving_key(), "read back");

    let (ok, text) = snarkjs_zkey_verify(c, &dir, "ours.zkey");
    assert!(ok, "snarkjs zkey verify rejected our zkey:\n{text}");
    // The circuit hash and coefficients are snarkjs' own (groth16 setup on the same files).
    snarkjs_keys(c, &dir);
    let (ours, theirs) = (read(&dir.join("ours.zkey")), read(&dir.join("c0.zkey")));
    for id in [1, 2, 3, 4, 5, 6, 7, 8, 10] {
        assert_eq!(
            ours[section(&ours, id)],
            theirs[section(&theirs, id)],
            "section {id} differs from snarkjs' initial zkey"
        );
    }

    // Two A points swapped: snarkjs rejects the file.
    let mut bad = ours.clone();
    let a = section(&bad, 5);
    let (x, y) = bad[a.start + 64..a.start + 192].split_at_mut(64);
    assert_ne!(x, y, "distinct A points");
    x.swap_with_slice(y);
    std::fs::write(dir.join("bad.zkey"), &bad).expect("write");
    let (ok, text) = snarkjs_zkey_verify(c, &dir, "bad.zkey");
    assert!(!ok, "snarkjs accepted a tampered zkey:\n{text}");
}

#[test]
fn snarkjs_proves_with_our_contributed_zkey() {
    let Some(c) = ceremony() else { return };
    let dir = work_dir(c, "zkey-write-contributed");
    let (p2, r1cs) = demo_phase2(c, &dir, &["alice", "bob"]);
    let pk = p2.proving_key();
    write_our_zkey(c, &p2, &r1cs, &dir.join("ours.zkey"));
    assert_eq!(zkey(&dir, "ours.zkey"), pk, "read back");

    snarkjs_ok(
        &c.snarkjs,
        &dir,
        &["zkey", "export", "verificationkey", "ours.zkey", "vk.json"],
    );
    let vk = json::<SnarkjsVerificationKey>(&dir.join("vk.json"))
        .to_verifying_key()
        .expect("vk");
    assert_eq!(&vk, pk.verifying_key(), "snarkjs exports our verifying key");

    write_witness(
        &witness_of(Demo::honest(3, 5)).expect("witness"),
        &dir.join("w.wtns"),
    );
    snarkjs_ok(
        &c.snarkjs,
        &dir,
        &[
            "groth16",
            "prove",
            "ours.zkey",
            "w.wtns",
            "proof.json",
            "public.json",
        ],
    );
    let (ok, text) = snarkjs_accepts(c, &dir);
    assert!(ok, "snarkjs rejected its proof with our zkey:\n{text}");
    let proof = json::<SnarkjsProof>(&dir.join("proof.json"))
        .to_proof()
        .expect("proof");
    let public =
        parse_snarkjs_public(&json::<Vec<String>>(&dir.join("public.json"))).expect("public");
    assert_eq!(public, Demo::public(3, 5));
    verify(pk.verifying_key(), &public, &proof).expect("we accept snarkjs' proof");
}

#[test]
fn a_zkey_for_another_circuit_is_refused() {
    let Some(c) = ceremony() else { return };
    let dir = work_dir(c, "zkey-write-wrong");
    let (p2, _) = demo_phase2(c, &dir, &["alice"]);
    let other = R1cs::from_circuit(crate::circuits::Square(2u64.into())).expect("r1cs");
    let err = p2
        .write_zkey(&mut Ptau::open(&c.ptau).expect("open"), &other, Vec::new())
        .expect_err("other circuit");
    assert!(
        matches!(
            err,
            bulwark_prover::ProverError::Setup(bulwark_prover::SetupError::WrongStart)
        ),
        "{err}"
    );
}
