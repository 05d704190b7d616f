//! Reading and checking snarkjs Powers of Tau files.

use std::io::Cursor;

use ark_ec::AffineRepr;
use bulwark_prover::circom::R1cs;
use bulwark_prover::{BinFileKind, CircomError, Phase2, ProverError, Ptau};

use crate::support::{CONTRIBUTOR, POWER, Squarings, ceremony, read};

fn open(bytes: Vec<u8>) -> Result<Ptau<Cursor<Vec<u8>>>, CircomError> {
    Ptau::read_from(Cursor::new(bytes))
}

/// Byte offset of the contents of section `id` (walking the section table).
fn section_offset(bytes: &[u8], id: u32) -> usize {
    let u32_at = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().expect("4 bytes"));
    let count = u32_at(8);
    let mut pos = 12;
    for _ in 0..count {
        let size = u64::from_le_bytes(bytes[pos + 4..pos + 12].try_into().expect("8 bytes"));
        if u32_at(pos) == id {
            return pos + 12;
        }
        pos += 12 + size as usize;
    }
    panic!("no section {id}");
}

#[test]
fn snarkjs_ptau_reads_and_checks() {
    let Some(c) = ceremony() else { return };
    let mut ptau = Ptau::open(&c.ptau).expect("open ptau");
    assert_eq!(ptau.power(), POWER);
    assert!(ptau.is_prepared());
    ptau.check(1 << POWER).expect("consistent");
    ptau.check(8).expect("consistent prefix");

    // The raw powers a KZG setup takes: τ^i·G1 and τ·G2.
    let g1 = ptau.tau_g1(4).expect("tau g1");
    let g2 = ptau.tau_g2(2).expect("tau g2");
    assert_eq!(g1[0], ark_bn254::G1Affine::generator());
    assert_eq!(g2[0], ark_bn254::G2Affine::generator());
    assert_ne!(g1[1], g1[0]);

    let contributions = ptau.contributions().expect("contributions");
    assert_eq!(contributions.len(), 1);
    assert_eq!(contributions[0].name.as_deref(), Some(CONTRIBUTOR));
    assert_eq!(contributions[0].tau_g1, g1[1]);

    let mut unprepared = Ptau::open(&c.unprepared).expect("open unprepared");
    assert!(!unprepared.is_prepared());
    unprepared.check(8).expect("powers are consistent");
    let r1cs = R1cs::from_circuit(Squarings {
        k: 3,
        x: 2u64.into(),
    })
    .expect("r1cs");
    let err = Phase2::new(&mut unprepared, &r1cs).expect_err("not prepared");
    assert!(
        matches!(err, ProverError::Circom(CircomError::PtauNotPrepared)),
        "{err}"
    );
}

#[test]
fn swapped_powers_fail_the_pairing_checks() {
    let Some(c) = ceremony() else { return };
    let good = read(&c.ptau);
    // Swap two points of a sequence: every point stays valid, the sequence is no longer
    // geometric (or no longer the Lagrange basis).
    // Points 3 and 4 of the powers; points 0 and 1 of the size-8 Lagrange level (which
    // starts after the levels of size 1, 2 and 4).
    for (id, size, first, name) in [
        (2, 64, 3, "tauG1"),
        (3, 128, 3, "tauG2"),
        (4, 64, 3, "alphaTauG1"),
        (5, 64, 3, "betaTauG1"),
        (12, 64, 7, "Lagrange tauG1"),
        (13, 128, 7, "Lagrange tauG2"),
        (14, 64, 7, "Lagrange alphaTauG1"),
        (15, 64, 7, "Lagrange betaTauG1"),
    ] {
        let mut bytes = good.clone();
        let at = section_offset(&bytes, id) + first * size;
        let (a, b) = bytes[at..at + 2 * size].split_at_mut(size);
        a.swap_with_slice(b);
        let mut ptau = open(bytes).expect("still parses");
        let err = ptau.check(8).expect_err(name);
        assert!(
            matches!(err, CircomError::PtauInconsistent { .. }),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_point_off_the_curve_is_named() {
    let Some(c) = ceremony() else { return };
    let mut bytes = read(&c.ptau);
    let at = section_offset(&bytes, 2) + 64 * 5;
    bytes[at] ^= 1;
    let mut ptau = open(bytes).expect("header still fine");
    let err = ptau.tau_g1(8).expect_err("bad point");
    assert!(
        matches!(&err, CircomError::InvalidPoint { what, .. } if what == "tauG1 point 5"),
        "{err}"
    );
}

#[test]
fn bad_headers_and_truncation_are_typed_errors() {
    let Some(c) = ceremony() else { return };
    let good = read(&c.ptau);
    let mut b = good.clone();
    b[..4].copy_from_slice(b"zkey");
    assert!(matches!(
        open(b).expect_err("magic"),
        CircomError::BadMagic {
            kind: BinFileKind::Ptau,
            ..
        }
    ));
    let mut b = good.clone();
    b[4] = 7;
    assert!(matches!(
        open(b).expect_err("version"),
        CircomError::UnsupportedVersion { found: 7, .. }
    ));
    // Header: section id + size at 12, n8 at 24, the base-field prime at 28.
    let mut b = good.clone();
    b[28] ^= 2;
    assert!(matches!(
        open(b).expect_err("curve"),
        CircomError::WrongCurve {
            what: "base field prime",
            ..
        }
    ));
    let err = open(good[..good.len() / 2].to_vec()).expect_err("truncated");
    assert!(
        matches!(
            err,
            CircomError::Truncated {
                kind: BinFileKind::Ptau,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_circuit_too_big_for_the_ptau_is_named() {
    let Some(c) = ceremony() else { return };
    let mut ptau = Ptau::open(&c.ptau).expect("open");
    // 64 squarings + the constant + 1 public input = 66 rows: needs a domain of 2^7.
    let r1cs = R1cs::from_circuit(Squarings {
        k: 64,
        x: 3u64.into(),
    })
    .expect("r1cs");
    let err = Phase2::new(&mut ptau, &r1cs).expect_err("too small");
    assert!(
        matches!(
            err,
            ProverError::Circom(CircomError::PtauTooSmall {
                needed: 7,
                power: POWER
            })
        ),
        "{err}"
    );
    assert!(matches!(
        ptau.check(128),
        Err(CircomError::PtauTooSmall { needed: 7, .. })
    ));
}
