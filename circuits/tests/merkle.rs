//! Sparse Merkle tree: native behaviour, gadget soundness, gadget-vs-native properties, costs.

use ark_ff::PrimeField;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError};
use bulwark_circuits::Fr;
use bulwark_circuits::merkle::{MerkleError, MerklePath, MerklePathVar, MerkleTree};
use bulwark_circuits::poseidon;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn random_fr(rng: &mut ChaCha8Rng) -> Fr {
    Fr::from_le_bytes_mod_order(&rng.r#gen::<[u8; 32]>())
}

fn random_leaves(rng: &mut ChaCha8Rng, depth: usize, count: usize) -> Vec<(u64, Fr)> {
    let mut indices = std::collections::BTreeSet::new();
    while indices.len() < count {
        indices.insert(rng.gen_range(0..1u64 << depth));
    }
    indices.into_iter().map(|i| (i, random_fr(rng))).collect()
}

/// Tree with a few leaves; returns (tree, index, leaf).
fn sample(depth: usize, seed: u64) -> Result<(MerkleTree, u64, Fr), MerkleError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let leaves = random_leaves(&mut rng, depth, 8);
    let (index, leaf) = leaves[3];
    Ok((MerkleTree::build(depth, leaves)?, index, leaf))
}

fn witness(cs: &ConstraintSystemRef<Fr>, value: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs.clone(), || Ok(value))
}

/// Synthesises path verification of `leaf` at `path` against `root`.
fn path_satisfied(path: &MerklePath, leaf: Fr, root: Fr) -> Result<(bool, usize), SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let path = MerklePathVar::new_witness(cs.clone(), || Ok(path))?;
    let root = FpVar::new_input(cs.clone(), || Ok(root))?;
    path.enforce_root(&witness(&cs, leaf)?, &root)?;
    Ok((cs.is_satisfied()?, cs.num_constraints()))
}

fn update_satisfied(
    path: &MerklePath,
    (old_leaf, new_leaf): (Fr, Fr),
    (old_root, new_root): (Fr, Fr),
) -> Result<(bool, usize), SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let path = MerklePathVar::new_witness(cs.clone(), || Ok(path))?;
    let old_root = FpVar::new_input(cs.clone(), || Ok(old_root))?;
    let new_root = FpVar::new_input(cs.clone(), || Ok(new_root))?;
    path.enforce_update(
        &witness(&cs, old_leaf)?,
        &witness(&cs, new_leaf)?,
        &old_root,
        &new_root,
    )?;
    Ok((cs.is_satisfied()?, cs.num_constraints()))
}

#[test]
fn empty_root_per_depth() -> TestResult {
    let mut expected = Fr::from(0u64);
    for depth in 1..=32 {
        expected = poseidon::hash_array([expected, expected]);
        let tree = MerkleTree::with_depth(depth)?;
        assert_eq!(*tree.root(), expected, "depth {depth}");
        assert_eq!(tree.empty_root(depth), Some(&expected));
        assert!(tree.is_empty());
    }
    Ok(())
}

#[test]
fn invalid_depths_are_errors() {
    for depth in [0, 33, 64] {
        assert!(matches!(
            MerkleTree::with_depth(depth),
            Err(MerkleError::InvalidDepth { .. })
        ));
        assert!(matches!(
            MerkleTree::build(depth, vec![]),
            Err(MerkleError::InvalidDepth { .. })
        ));
    }
    assert!(matches!(
        MerklePath::new(0, vec![]),
        Err(MerkleError::InvalidDepth { depth: 0 })
    ));
}

#[test]
fn index_out_of_range_is_an_error() -> TestResult {
    let mut tree = MerkleTree::with_depth(4)?;
    let out = |r| {
        matches!(
            r,
            Err(MerkleError::IndexOutOfRange {
                index: 16,
                depth: 4
            })
        )
    };
    assert!(out(tree.set(16, Fr::from(1u64))));
    assert!(out(tree.path(16).map(|_| ())));
    assert!(out(tree.leaf(16).map(|_| ())));
    assert!(out(MerkleTree::build(
        4,
        vec![(3, Fr::from(1u64)), (16, Fr::from(1u64))]
    )
    .map(|_| ())));
    assert!(out(MerklePath::new(16, vec![Fr::from(0u64); 4]).map(|_| ())));
    assert!(tree.set(15, Fr::from(1u64)).is_ok());
    Ok(())
}

#[test]
fn duplicate_index_is_an_error() {
    let leaves = vec![
        (5, Fr::from(1u64)),
        (2, Fr::from(2u64)),
        (5, Fr::from(3u64)),
    ];
    assert!(matches!(
        MerkleTree::build(8, leaves),
        Err(MerkleError::DuplicateIndex { index: 5 })
    ));
}

#[test]
fn bulk_build_equals_incremental_sets() -> TestResult {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (depth, count) in [(1, 2), (3, 5), (10, 300), (20, 500)] {
        let leaves = random_leaves(&mut rng, depth, count);
        let bulk = MerkleTree::build(depth, leaves.clone())?;
        let mut incremental = MerkleTree::with_depth(depth)?;
        for (index, leaf) in &leaves {
            incremental.set(*index, *leaf)?;
        }
        assert_eq!(bulk.root(), incremental.root(), "depth {depth}");
        assert_eq!(bulk.len(), count);
        for (index, leaf) in leaves.iter().take(20) {
            let path = bulk.path(*index)?;
            assert_eq!(path, incremental.path(*index)?);
            assert!(path.verify(*leaf, *bulk.root()));
            assert_eq!(bulk.leaf(*index)?, leaf);
        }
    }
    Ok(())
}

#[test]
fn clearing_leaves_restores_empty_tree() -> TestResult {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let leaves = random_leaves(&mut rng, 12, 50);
    let mut tree = MerkleTree::build(12, leaves.clone())?;
    for (index, _) in &leaves {
        tree.set(*index, Fr::from(0u64))?;
    }
    assert!(tree.is_empty());
    assert_eq!(tree.root(), MerkleTree::with_depth(12)?.root());
    Ok(())
}

#[test]
fn depth_32_works() -> TestResult {
    let last = (1u64 << 32) - 1;
    let leaves = vec![
        (0, Fr::from(7u64)),
        (last, Fr::from(9u64)),
        (1 << 31, Fr::from(11u64)),
    ];
    let tree = MerkleTree::build(32, leaves.clone())?;
    for (index, leaf) in leaves {
        assert!(tree.path(index)?.verify(leaf, *tree.root()));
    }
    Ok(())
}

#[test]
fn gadget_accepts_honest_path() -> TestResult {
    let (tree, index, leaf) = sample(8, 3)?;
    assert!(path_satisfied(&tree.path(index)?, leaf, *tree.root())?.0);
    Ok(())
}

#[test]
fn gadget_rejects_wrong_sibling() -> TestResult {
    let (tree, index, leaf) = sample(8, 4)?;
    let path = tree.path(index)?;
    for level in [0, 4, 7] {
        let mut siblings = path.siblings().to_vec();
        siblings[level] += Fr::from(1u64);
        let bad = MerklePath::new(index, siblings)?;
        assert!(
            !path_satisfied(&bad, leaf, *tree.root())?.0,
            "level {level}"
        );
    }
    Ok(())
}

#[test]
fn gadget_rejects_flipped_path_bit() -> TestResult {
    let (tree, index, leaf) = sample(8, 5)?;
    let path = tree.path(index)?;
    for level in 0..8 {
        let bad = MerklePath::new(index ^ (1 << level), path.siblings().to_vec())?;
        assert!(
            !path_satisfied(&bad, leaf, *tree.root())?.0,
            "level {level}"
        );
    }
    Ok(())
}

#[test]
fn gadget_rejects_wrong_leaf_and_wrong_root() -> TestResult {
    let (tree, index, leaf) = sample(8, 6)?;
    let path = tree.path(index)?;
    assert!(!path_satisfied(&path, leaf + Fr::from(1u64), *tree.root())?.0);
    assert!(!path_satisfied(&path, leaf, *tree.root() + Fr::from(1u64))?.0);
    Ok(())
}

#[test]
fn update_gadget_matches_native_set() -> TestResult {
    let (mut tree, index, old_leaf) = sample(10, 7)?;
    let path = tree.path(index)?;
    let old_root = *tree.root();
    let new_leaf = Fr::from(424242u64);
    tree.set(index, new_leaf)?;
    let new_root = *tree.root();
    assert!(update_satisfied(&path, (old_leaf, new_leaf), (old_root, new_root))?.0);
    // An empty slot can be filled too (old leaf 0).
    let empty_index = (0..1u64 << 10).find(|i| tree.leaf(*i).is_ok_and(|l| *l == Fr::from(0u64)));
    let empty_index = empty_index.ok_or("no empty slot")?;
    let path = tree.path(empty_index)?;
    let before = *tree.root();
    tree.set(empty_index, Fr::from(5u64))?;
    assert!(
        update_satisfied(
            &path,
            (Fr::from(0u64), Fr::from(5u64)),
            (before, *tree.root())
        )?
        .0
    );
    Ok(())
}

#[test]
fn update_gadget_rejects_wrong_old_leaf_or_roots() -> TestResult {
    let (mut tree, index, old_leaf) = sample(10, 8)?;
    let path = tree.path(index)?;
    let old_root = *tree.root();
    let new_leaf = Fr::from(99u64);
    tree.set(index, new_leaf)?;
    let new_root = *tree.root();
    let one = Fr::from(1u64);
    assert!(!update_satisfied(&path, (old_leaf + one, new_leaf), (old_root, new_root))?.0);
    assert!(!update_satisfied(&path, (old_leaf, new_leaf + one), (old_root, new_root))?.0);
    assert!(!update_satisfied(&path, (old_leaf, new_leaf), (old_root + one, new_root))?.0);
    assert!(!update_satisfied(&path, (old_leaf, new_leaf), (old_root, new_root + one))?.0);
    let flipped = MerklePath::new(index ^ 2, path.siblings().to_vec())?;
    assert!(!update_satisfied(&flipped, (old_leaf, new_leaf), (old_root, new_root))?.0);
    Ok(())
}

#[test]
fn gadget_roots_equal_native_roots() -> TestResult {
    // Property test with a fixed seed: random trees, random paths, random leaves.
    let mut rng = ChaCha8Rng::seed_from_u64(0xb01_7a4c);
    for _ in 0..24 {
        let depth = rng.gen_range(1..=16);
        let count = rng.gen_range(1..=40usize.min(1 << depth));
        let leaves = random_leaves(&mut rng, depth, count);
        let tree = MerkleTree::build(depth, leaves.clone())?;
        let index = if rng.r#gen() {
            leaves[0].0
        } else {
            rng.gen_range(0..1u64 << depth)
        };
        let path = tree.path(index)?;
        let leaf = random_fr(&mut rng);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let path_var = MerklePathVar::new_witness(cs.clone(), || Ok(&path))?;
        let root = path_var.compute_root(&witness(&cs, leaf)?)?;
        assert_eq!(root.value()?, path.compute_root(leaf));
        assert_eq!(path_var.index()?.value()?, Fr::from(index));
        assert!(cs.is_satisfied()?);
        let leaf_now = *tree.leaf(index)?;
        assert_eq!(path.compute_root(leaf_now), *tree.root());
    }
    Ok(())
}

#[test]
fn constraint_counts() -> TestResult {
    let mut report = Vec::new();
    for depth in [20, 32] {
        let (tree, index, leaf) = sample(depth, 9)?;
        let (ok, n) = path_satisfied(&tree.path(index)?, leaf, *tree.root())?;
        assert!(ok);
        report.push(format!("merkle path depth {depth} = {n}"));
    }
    let (mut tree, index, leaf) = sample(32, 10)?;
    let path = tree.path(index)?;
    let old_root = *tree.root();
    tree.set(index, Fr::from(1u64))?;
    let (ok, n) = update_satisfied(&path, (leaf, Fr::from(1u64)), (old_root, *tree.root()))?;
    assert!(ok);
    report.push(format!("merkle update depth 32 = {n}"));
    eprintln!("constraints: {}", report.join("; "));
    Ok(())
}

/// Bulk build of a large sparse tree: 2^16 leaves by default (CI), spread 13 apart so almost
/// no two share a parent near the bottom (the most hashing per leaf). Set
/// `BULWARK_TREE_LOG_LEAVES=20` for the 2^20 measurement (`--release -- --nocapture`).
#[test]
fn bulk_build_large_sparse_tree() -> TestResult {
    let log_leaves: u32 = std::env::var("BULWARK_TREE_LOG_LEAVES")
        .map(|v| v.parse().expect("BULWARK_TREE_LOG_LEAVES is a number"))
        .unwrap_or(16);
    let depth = 24;
    let leaves: Vec<(u64, Fr)> = (0..1u64 << log_leaves)
        .map(|i| (i * 13 % (1 << depth), Fr::from(i + 1)))
        .collect();
    let start = std::time::Instant::now();
    let tree = MerkleTree::build(depth, leaves.clone())?;
    eprintln!(
        "built 2^{log_leaves} leaves at depth {depth} in {:?} on {} threads",
        start.elapsed(),
        rayon::current_num_threads()
    );
    assert_eq!(tree.len(), 1 << log_leaves);
    for &(index, leaf) in leaves.iter().step_by(leaves.len() / 64) {
        assert!(tree.path(index)?.verify(leaf, *tree.root()));
        assert!(!tree.path(index)?.verify(leaf + Fr::from(1u8), *tree.root()));
    }
    Ok(())
}

#[test]
fn path_var_from_parts_checks_shape() -> TestResult {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let bits = vec![Boolean::new_witness(cs.clone(), || Ok(true))?; 3];
    let siblings = vec![witness(&cs, Fr::from(1u64))?; 3];
    let path = MerklePathVar::new(bits.clone(), siblings.clone())?;
    assert_eq!(path.index()?.value()?, Fr::from(7u64));
    assert!(matches!(
        MerklePathVar::new(bits[..2].to_vec(), siblings),
        Err(MerkleError::BitCountMismatch { bits: 2, depth: 3 })
    ));
    assert!(matches!(
        MerklePathVar::new(vec![], vec![]),
        Err(MerkleError::InvalidDepth { depth: 0 })
    ));
    Ok(())
}
