//! Helpers shared by the circuit test suites.
#![allow(dead_code)]

use ark_ff::{AdditiveGroup, One, PrimeField};
use ark_relations::gr1cs::ConstraintSystemRef;
use bulwark_circuits::Fr;
use bulwark_circuits::babyjubjub::Point;
use bulwark_circuits::eddsa::Signature;
use bulwark_circuits::solvency::{
    BatchWitness, BlindingSeed, Book, CommittedBook, Reserves, SolvencyError, SolvencyParams,
};
use bulwark_circuits::sum_tree::chain;
use num_bigint::BigUint;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Deserialize;
use std::path::PathBuf;

/// Parses a decimal string (snarkjs convention) into a field element below the modulus.
pub fn fr(decimal: &str) -> Fr {
    let n = BigUint::parse_bytes(decimal.as_bytes(), 10).expect("decimal string");
    assert!(
        n < Fr::MODULUS.into(),
        "{decimal} is not below the field modulus"
    );
    Fr::from(n)
}

/// Path of a committed fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Reads and parses a committed JSON fixture.
pub fn read_fixture<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture present");
    serde_json::from_str(&text).expect("fixture parses")
}

/// Soundness sweep: the system is satisfied as built, and perturbing any single witness
/// variable (the honest value plus one) makes it unsatisfied. Returns how many were checked.
///
/// Works on the finalized R1CS matrices, so every constraint is written over allocated
/// variables only, and re-checks just the rows that mention the perturbed variable (a
/// perturbation can only break those), which keeps the sweep linear in the matrix size.
pub fn assert_every_witness_is_bound(cs: &ConstraintSystemRef<Fr>) -> usize {
    cs.finalize();
    assert!(
        cs.is_satisfied().expect("assigned"),
        "honest witness must satisfy"
    );
    let matrices = cs.to_matrices().expect("matrices");
    assert_eq!(matrices.len(), 1, "only R1CS constraints are expected");
    let [a, b, c] = <[_; 3]>::try_from(matrices.into_values().next().expect("R1CS"))
        .unwrap_or_else(|_| panic!("R1CS has three matrices"));
    let inner = cs.borrow().expect("constraint system");
    let instance = &inner.assignments.instance_assignment;
    let witness = &inner.assignments.witness_assignment;
    let num_instance = instance.len();
    let mut z: Vec<Fr> = instance.iter().chain(witness).copied().collect();

    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); witness.len()];
    for (row, ((ra, rb), rc)) in a.iter().zip(&b).zip(&c).enumerate() {
        for &(_, col) in ra.iter().chain(rb).chain(rc) {
            if col >= num_instance && rows_of[col - num_instance].last() != Some(&row) {
                rows_of[col - num_instance].push(row);
            }
        }
    }
    let eval =
        |z: &[Fr], row: &[(Fr, usize)]| -> Fr { row.iter().map(|(k, col)| *k * z[*col]).sum() };
    let holds = |z: &[Fr], r: usize| eval(z, &a[r]) * eval(z, &b[r]) == eval(z, &c[r]);

    for (w, rows) in rows_of.iter().enumerate() {
        let col = num_instance + w;
        z[col] += Fr::one();
        let broken = rows.iter().any(|&r| !holds(&z, r));
        z[col] -= Fr::one();
        assert!(
            broken,
            "witness variable {w} of {} is not bound by any constraint",
            witness.len()
        );
    }
    witness.len()
}

/// Size of the large-tree build tests: `2^BULWARK_TREE_LOG_LEAVES` leaves, or `2^default_log`
/// (CI-sized) when unset. `BULWARK_TREE_LOG_LEAVES=20 cargo test --release ... -- --nocapture`
/// measures the 2^20 build.
pub fn large_tree_log_leaves(default_log: u32) -> u32 {
    std::env::var("BULWARK_TREE_LOG_LEAVES")
        .map(|v| v.parse().expect("BULWARK_TREE_LOG_LEAVES is a number"))
        .unwrap_or(default_log)
}

/// An attacker's own commitment to a batch of arbitrary field values (no range checks), with
/// the published formulas: leaves, nodes and the commitment in `Fr`.
pub fn fr_batch_commitment(witness: &BatchWitness, assets: usize) -> Fr {
    let ok = |x: Result<Fr, _>| x.expect("inputs within Poseidon's arity");
    let mut level: Vec<(Fr, Vec<Fr>)> = witness
        .slots
        .iter()
        .map(|slot| match slot {
            None => (Fr::ZERO, vec![Fr::ZERO; assets]),
            Some(v) => {
                let inputs: Vec<Fr> = [v.id_hash].into_iter().chain(v.balances.clone()).collect();
                (ok(chain(&inputs)), v.balances.clone())
            }
        })
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| {
                let inputs: Vec<Fr> = [p[0].0]
                    .into_iter()
                    .chain(p[0].1.clone())
                    .chain([p[1].0])
                    .chain(p[1].1.clone())
                    .collect();
                let sums = p[0].1.iter().zip(&p[1].1).map(|(a, b)| *a + b).collect();
                (ok(chain(&inputs)), sums)
            })
            .collect();
    }
    let (hash, sums) = level.swap_remove(0);
    let inputs: Vec<Fr> = [hash]
        .into_iter()
        .chain(sums)
        .chain([witness.blinding])
        .collect();
    ok(chain(&inputs))
}

// ---------------------------------------------------------------- the solvency test book

pub const CSV: &str = "user_id,BTC,ETH\n\
                   alice,100,5\n\
                   bob,0,7\n\
                   carol,250,0\n\
                   dave,1,1\n\
                   erin,18446744073709551615,3\n";
/// BTC total `2^64 + 350`; ETH total 16, reserve exactly 16.
pub const RESERVES: &str = r#"{"ETH": "16", "BTC": "18446744073709552000"}"#;

pub fn params() -> Result<SolvencyParams, SolvencyError> {
    SolvencyParams::new(2, 2, 1)
}

pub fn seed() -> BlindingSeed {
    BlindingSeed::random(&mut ChaCha20Rng::seed_from_u64(5))
}

pub fn committed() -> Result<CommittedBook, Box<dyn std::error::Error>> {
    committed_with(params()?)
}

pub fn committed_with(params: SolvencyParams) -> Result<CommittedBook, Box<dyn std::error::Error>> {
    let book = Book::from_csv(CSV.as_bytes())?;
    let reserves = Reserves::from_json(RESERVES.as_bytes())?;
    Ok(CommittedBook::new(&book, &reserves, params, seed())?)
}

/// One circomlibjs vector: private key, public key, message, signature.
pub struct Vector {
    /// The 32-byte private key.
    pub private_key: [u8; 32],
    /// circomlibjs `prv2pub`.
    pub public_key: Point,
    /// The signed message.
    pub msg: Fr,
    /// circomlibjs `signPoseidon`.
    pub signature: Signature,
}

fn json_fr(v: &serde_json::Value) -> Fr {
    fr(v.as_str().expect("decimal string"))
}

fn point(v: &serde_json::Value) -> Point {
    Point::new(json_fr(&v[0]), json_fr(&v[1]))
}

/// circomlibjs's EdDSA-Poseidon vectors (`fixtures/eddsa_circomlibjs.json`).
pub fn vectors() -> Vec<Vector> {
    let text = include_str!("../fixtures/eddsa_circomlibjs.json");
    let json: serde_json::Value = serde_json::from_str(text).expect("fixture is JSON");
    let vectors = json["vectors"].as_array().expect("vectors array");
    assert!(vectors.len() >= 20, "fixture unexpectedly small");
    vectors
        .iter()
        .map(|v| {
            let hex = v["private_key"].as_str().expect("hex key");
            let mut private_key = [0u8; 32];
            for (i, byte) in private_key.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
            }
            Vector {
                private_key,
                public_key: point(&v["public_key"]),
                msg: json_fr(&v["msg"]),
                signature: Signature {
                    r8: point(&v["signature"]["R8"]),
                    s: json_fr(&v["signature"]["S"]),
                },
            }
        })
        .collect()
}
