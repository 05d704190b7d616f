//! The constraint-count report: every gadget's cost next to its budget or reference.
//!
//! `cargo test -p bulwark-circuits --test constraint_report -- --nocapture` prints the table;
//! the test fails if a budget is exceeded. Each row synthesises the gadget over honest
//! witnesses in a fresh constraint system and checks it is satisfied, so the counts are of
//! working circuits.

use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError};
use bulwark_circuits::{
    Fr,
    babyjubjub::r1cs::PointVar,
    eddsa::{
        self,
        r1cs::{SignatureVar, verify_poseidon},
    },
    merkle::{MerklePathVar, MerkleTree},
    poseidon, range,
    sum_tree::{SumLeaf, SumLeafVar, SumNodeVar, SumPathVar, SumTree},
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Row {
    gadget: String,
    constraints: usize,
    budget: Option<usize>,
    reference: &'static str,
}

/// Runs `build` in a fresh constraint system; returns its constraint count once satisfied.
fn count(
    build: impl FnOnce(&ConstraintSystemRef<Fr>) -> std::result::Result<(), SynthesisError>,
) -> Result<usize> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    build(&cs)?;
    assert!(cs.is_satisfied()?, "honest witness must satisfy the gadget");
    Ok(cs.num_constraints())
}

fn witnesses(
    cs: &ConstraintSystemRef<Fr>,
    values: &[Fr],
) -> std::result::Result<Vec<FpVar<Fr>>, SynthesisError> {
    values
        .iter()
        .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)))
        .collect()
}

fn poseidon_rows(rows: &mut Vec<Row>) -> Result<()> {
    for n in 2..=5u64 {
        let inputs: Vec<Fr> = (1..=n).map(Fr::from).collect();
        let constraints = count(|cs| {
            let out = poseidon::r1cs::hash(&witnesses(cs, &inputs)?)?;
            drop(out);
            Ok(())
        })?;
        rows.push(Row {
            gadget: format!("Poseidon({n})"),
            constraints,
            budget: (n == 2).then_some(240),
            reference: if n == 2 {
                "circomlib Poseidon(2): 240"
            } else {
                "3 per S-box, as circomlib"
            },
        });
    }
    Ok(())
}

fn eddsa_row(rows: &mut Vec<Row>) -> Result<()> {
    let key = [7u8; 32];
    let msg = Fr::from(42u64);
    let (a, sig) = (eddsa::public_key(&key), eddsa::sign_poseidon(&key, msg));
    let constraints = count(|cs| {
        let a = PointVar::new_witness(cs.clone(), || Ok(a))?;
        let msg = FpVar::new_witness(cs.clone(), || Ok(msg))?;
        let sig = SignatureVar {
            r8: PointVar::new_witness(cs.clone(), || Ok(sig.r8))?,
            s: FpVar::new_witness(cs.clone(), || Ok(sig.s))?,
        };
        verify_poseidon(&a, &msg, &sig)
    })?;
    rows.push(Row {
        gadget: "EdDSA-Poseidon verify".into(),
        constraints,
        budget: Some(4_217),
        reference: "circomlib EdDSAPoseidonVerifier --O2: 4,217",
    });
    Ok(())
}

fn merkle_rows(rows: &mut Vec<Row>) -> Result<()> {
    for depth in [20, 32] {
        let leaves: Vec<(u64, Fr)> = (0..8u64).map(|i| (i * 977 + 5, Fr::from(i + 1))).collect();
        let tree = MerkleTree::build(depth, leaves.clone())?;
        let (index, leaf) = leaves[3];
        let path = tree.path(index)?;
        let root = *tree.root();
        let verify = count(|cs| {
            let path = MerklePathVar::new_witness(cs.clone(), || Ok(&path))?;
            let root = FpVar::new_input(cs.clone(), || Ok(root))?;
            path.enforce_root(&FpVar::new_witness(cs.clone(), || Ok(leaf))?, &root)
        })?;
        rows.push(Row {
            gadget: format!("Merkle path, depth {depth}"),
            constraints: verify,
            budget: None,
            reference: "≈ depth × (Poseidon(2) + 2)",
        });
        let new_leaf = Fr::from(1_000u64);
        let mut updated = tree.clone();
        updated.set(index, new_leaf)?;
        let new_root = *updated.root();
        let update = count(|cs| {
            let path = MerklePathVar::new_witness(cs.clone(), || Ok(&path))?;
            let old_root = FpVar::new_input(cs.clone(), || Ok(root))?;
            let new_root = FpVar::new_input(cs.clone(), || Ok(new_root))?;
            let old_leaf = FpVar::new_witness(cs.clone(), || Ok(leaf))?;
            let new_leaf = FpVar::new_witness(cs.clone(), || Ok(new_leaf))?;
            path.enforce_update(&old_leaf, &new_leaf, &old_root, &new_root)
        })?;
        rows.push(Row {
            gadget: format!("Merkle update, depth {depth}"),
            constraints: update,
            budget: None,
            reference: "two root computations over shared bits",
        });
    }
    Ok(())
}

fn sum_tree_rows(rows: &mut Vec<Row>) -> Result<()> {
    for assets in [1usize, 4] {
        let depth = 20;
        let entries: Vec<(u64, SumLeaf)> = (0..6u64)
            .map(|i| {
                let balances = (0..assets as u64).map(|k| 1_000 * i + k).collect();
                (
                    i * 4_099 + 3,
                    SumLeaf::from_id_hash(Fr::from(i + 10), balances),
                )
            })
            .collect();
        let (index, leaf) = entries[2].clone();
        let tree = SumTree::build(depth, assets, entries)?;
        let path = tree.path(index)?;
        let root = tree.root().clone();
        let constraints = count(|cs| {
            let leaf = SumLeafVar::new_witness(cs.clone(), || Ok(&leaf))?;
            let path = SumPathVar::new_witness(cs.clone(), || Ok(&path))?;
            let root = SumNodeVar::new_input(cs.clone(), || Ok(&root))?;
            path.enforce_root(&leaf, &root)
        })?;
        rows.push(Row {
            gadget: format!("Sum-tree path, depth {depth}, K = {assets}"),
            constraints,
            budget: None,
            reference: "hashes + 64-bit leaf and (64+h)-bit sibling-sum range checks",
        });
    }
    Ok(())
}

fn range_row(rows: &mut Vec<Row>) -> Result<()> {
    let constraints = count(|cs| {
        let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(u64::MAX)))?;
        range::enforce(&x, range::RangeBits::U64).map(drop)
    })?;
    rows.push(Row {
        gadget: "Range check, 64 bits".into(),
        constraints,
        budget: Some(65),
        reference: "n bits + 1 recomposition",
    });
    Ok(())
}

#[test]
fn constraint_report() -> Result<()> {
    let mut rows = Vec::new();
    poseidon_rows(&mut rows)?;
    eddsa_row(&mut rows)?;
    merkle_rows(&mut rows)?;
    sum_tree_rows(&mut rows)?;
    range_row(&mut rows)?;

    let mut table = format!(
        "\n{:<36} {:>11} {:>8}  {}\n",
        "gadget", "constraints", "budget", "reference"
    );
    for row in &rows {
        let budget = row.budget.map_or("-".to_string(), |b| b.to_string());
        table += &format!(
            "{:<36} {:>11} {:>8}  {}\n",
            row.gadget, row.constraints, budget, row.reference
        );
    }
    eprintln!("{table}");
    let over: Vec<&Row> = rows
        .iter()
        .filter(|r| r.budget.is_some_and(|b| r.constraints > b))
        .collect();
    assert!(
        over.is_empty(),
        "over budget: {:?}",
        over.iter().map(|r| &r.gadget).collect::<Vec<_>>()
    );
    Ok(())
}
