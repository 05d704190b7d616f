//! `.r1cs` and `.wtns`: export, import, round trips, malformed input, and snarkjs' opinion.

use std::io::Cursor;

use bulwark_prover::circom::{CircomCircuit, R1cs, read_wtns, witness_of, write_wtns};
use bulwark_prover::{
    BinFileKind, CircomError, Fr, ProverError, dev_setup_insecure, prove, verify,
};

use crate::circuits::{Demo, rng};
use crate::js_support::run;
use crate::support::{ceremony, work_dir};

fn demo_files() -> (R1cs, Vec<Fr>, Vec<u8>, Vec<u8>) {
    let r1cs = R1cs::from_circuit(Demo::default()).expect("r1cs of Demo");
    let witness = witness_of(Demo::honest(3, 5)).expect("witness of Demo");
    let mut r1cs_bytes = Vec::new();
    r1cs.write_to(&mut r1cs_bytes).expect("write r1cs");
    let mut wtns_bytes = Vec::new();
    write_wtns(&witness, &mut wtns_bytes).expect("write wtns");
    (r1cs, witness, r1cs_bytes, wtns_bytes)
}

#[test]
fn demo_exports_in_circom_numbering() {
    let (r1cs, witness, _, _) = demo_files();
    // Demo: 3 public inputs, 3 private wires (x, y, x²), 4 constraints.
    assert_eq!(r1cs.num_wires, 7);
    assert_eq!(r1cs.num_public(), 3);
    assert_eq!(r1cs.constraints.len(), 4);
    assert_eq!(r1cs.domain_size(), 8);
    assert_eq!(witness.len(), 7);
    assert_eq!(witness[0], Fr::from(1u64));
    assert_eq!(witness[1..4], Demo::public(3, 5)[..]);
    r1cs.check_witness(&witness)
        .expect("honest witness satisfies");
}

#[test]
fn r1cs_and_wtns_round_trip() {
    let (r1cs, witness, r1cs_bytes, wtns_bytes) = demo_files();
    let back = R1cs::read_from(Cursor::new(&r1cs_bytes)).expect("read r1cs");
    assert_eq!(back, r1cs);
    assert_eq!(
        read_wtns(Cursor::new(&wtns_bytes)).expect("read wtns"),
        witness
    );
    assert_eq!(&r1cs_bytes[..8], b"r1cs\x01\x00\x00\x00");
    assert_eq!(&wtns_bytes[..8], b"wtns\x02\x00\x00\x00");
}

#[test]
fn imported_r1cs_and_wtns_prove_and_verify() {
    let (_, _, r1cs_bytes, wtns_bytes) = demo_files();
    let r1cs = R1cs::read_from(Cursor::new(&r1cs_bytes)).expect("read r1cs");
    let witness = read_wtns(Cursor::new(&wtns_bytes)).expect("read wtns");
    let pk = dev_setup_insecure(CircomCircuit::setup(&r1cs), 3).expect("setup");
    let circuit = CircomCircuit::new(&r1cs, &witness).expect("circuit");
    assert_eq!(circuit.public_inputs(), Some(Demo::public(3, 5)));
    let out = prove(&pk, circuit, &mut rng(30)).expect("prove imported circuit");
    assert_eq!(out.public_inputs, Demo::public(3, 5));
    verify(pk.verifying_key(), &out.public_inputs, &out.proof).expect("verifies");

    // A witness that breaks row 2 (x · x = x²) is caught before proving.
    let mut bad = witness.clone();
    bad[6] += Fr::from(1u64);
    assert!(matches!(
        r1cs.check_witness(&bad),
        Err(CircomError::Unsatisfied { index: 2 })
    ));
    let circuit = CircomCircuit::new(&r1cs, &bad).expect("shape is fine");
    let err = prove(&pk, circuit, &mut rng(31)).expect_err("unsatisfied");
    assert!(matches!(err, ProverError::Unsatisfied { .. }), "{err}");
}

#[test]
fn witness_of_the_wrong_shape_is_a_typed_error() {
    let (r1cs, witness, _, _) = demo_files();
    let err = CircomCircuit::new(&r1cs, &witness[..6]).expect_err("short");
    assert!(
        matches!(
            err,
            CircomError::WitnessLength {
                expected: 7,
                found: 6
            }
        ),
        "{err}"
    );
    let mut not_one = witness.clone();
    not_one[0] = Fr::from(2u64);
    let err = CircomCircuit::new(&r1cs, &not_one).expect_err("wire 0");
    assert!(matches!(err, CircomError::WitnessOne { .. }), "{err}");
}

#[test]
fn malformed_files_are_named() {
    let (_, _, r1cs_bytes, wtns_bytes) = demo_files();
    let read_r1cs = |b: &[u8]| R1cs::read_from(Cursor::new(b.to_vec())).expect_err("malformed");

    let mut b = r1cs_bytes.clone();
    b[0] = b'x';
    assert!(matches!(
        read_r1cs(&b),
        CircomError::BadMagic {
            kind: BinFileKind::R1cs,
            ..
        }
    ));
    let mut b = r1cs_bytes.clone();
    b[4] = 2;
    assert!(matches!(
        read_r1cs(&b),
        CircomError::UnsupportedVersion {
            found: 2,
            max: 1,
            ..
        }
    ));
    let err = read_r1cs(&r1cs_bytes[..r1cs_bytes.len() - 5]);
    assert!(matches!(err, CircomError::Truncated { .. }), "{err}");
    // Header section: id (4) + size (8) at offset 12, then n8 (4), then the prime.
    let mut b = r1cs_bytes.clone();
    b[28] ^= 1;
    let err = read_r1cs(&b);
    assert!(
        matches!(
            err,
            CircomError::WrongCurve {
                kind: BinFileKind::R1cs,
                ..
            }
        ),
        "{err}"
    );
    // The first term of constraint 0: after the header section (12 + 64 bytes), the
    // constraints section's id and size (12), A's term count (4): its wire index.
    let mut b = r1cs_bytes.clone();
    let wire = 12 + 12 + 64 + 12 + 4;
    b[wire..wire + 4].copy_from_slice(&99u32.to_le_bytes());
    let err = read_r1cs(&b);
    assert!(
        matches!(&err, CircomError::Malformed { what, .. } if what.contains("wire 99")),
        "{err}"
    );
    // Its coefficient set to 2^256 − 1: not canonical.
    let mut b = r1cs_bytes.clone();
    b[wire + 4..wire + 36].fill(0xff);
    assert!(matches!(read_r1cs(&b), CircomError::NonCanonical { .. }));

    let err = read_wtns(Cursor::new(wtns_bytes[..wtns_bytes.len() - 1].to_vec()))
        .expect_err("short wtns");
    assert!(
        matches!(
            err,
            CircomError::Truncated {
                kind: BinFileKind::Wtns,
                ..
            }
        ),
        "{err}"
    );
    let err = read_wtns(Cursor::new(r1cs_bytes)).expect_err("r1cs as wtns");
    assert!(
        matches!(
            err,
            CircomError::BadMagic {
                kind: BinFileKind::Wtns,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn snarkjs_reads_our_r1cs_and_checks_our_wtns() {
    let Some(c) = ceremony() else { return };
    let dir = work_dir(c, "files");
    let (_, mut witness, r1cs_bytes, wtns_bytes) = demo_files();
    std::fs::write(dir.join("demo.r1cs"), &r1cs_bytes).expect("write");
    std::fs::write(dir.join("demo.wtns"), &wtns_bytes).expect("write");
    let (out, text) = run(std::process::Command::new(&c.snarkjs)
        .current_dir(&dir)
        .args(["r1cs", "info", "demo.r1cs"]));
    assert!(out.status.success(), "{text}");
    for line in [
        "Curve: bn-128",
        "# of Wires: 7",
        "# of Constraints: 4",
        "# of Public Inputs: 3",
        "# of Outputs: 0",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    let (_, text) = run(std::process::Command::new(&c.snarkjs)
        .current_dir(&dir)
        .args(["wtns", "check", "demo.r1cs", "demo.wtns"]));
    assert!(text.contains("WITNESS IS CORRECT"), "{text}");

    witness[5] += Fr::from(1u64);
    let mut bad = Vec::new();
    write_wtns(&witness, &mut bad).expect("write");
    std::fs::write(dir.join("bad.wtns"), bad).expect("write");
    let (_, text) = run(std::process::Command::new(&c.snarkjs)
        .current_dir(&dir)
        .args(["wtns", "check", "demo.r1cs", "bad.wtns"]));
    assert!(text.contains("WITNESS IS NOT CORRECT"), "{text}");
}
