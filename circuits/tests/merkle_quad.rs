//! 4-ary sparse Merkle tree: native behaviour against a dense reference, gadget soundness,
//! gadget-vs-native properties, costs.

mod common;

use ark_ff::{PrimeField, Zero};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError};
use bulwark_circuits::Fr;
use bulwark_circuits::merkle::{MerkleError, QuadPath, QuadPathVar, QuadTree};
use bulwark_circuits::poseidon;
use common::assert_every_witness_is_bound;
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

/// Every leaf set (random values): all siblings differ, so any misplacement changes a root.
fn dense(depth: usize, seed: u64) -> Result<(QuadTree, Vec<(u64, Fr)>), MerkleError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let leaves: Vec<(u64, Fr)> = (0..1u64 << depth)
        .map(|i| (i, random_fr(&mut rng)))
        .collect();
    Ok((QuadTree::build(depth, leaves.clone())?, leaves))
}

/// The root of `2^depth` leaves hashed level by level, straight from the specification.
fn dense_root(depth: usize, leaves: &[(u64, Fr)]) -> Fr {
    let mut level = vec![Fr::zero(); 1 << depth];
    for (index, leaf) in leaves {
        level[*index as usize] = *leaf;
    }
    for _ in 0..depth / 2 {
        level = level
            .chunks_exact(4)
            .map(|c| poseidon::hash_array([c[0], c[1], c[2], c[3]]))
            .collect();
    }
    if depth % 2 == 1 {
        level = vec![poseidon::hash_array([level[0], level[1]])];
    }
    level[0]
}

fn witness(cs: &ConstraintSystemRef<Fr>, value: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs.clone(), || Ok(value))
}

/// Synthesises path verification of `leaf` at `path` against `root` (an input).
fn path_system(
    path: &QuadPath,
    leaf: Fr,
    root: Fr,
) -> Result<ConstraintSystemRef<Fr>, SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let path = QuadPathVar::new_witness(cs.clone(), || Ok(path))?;
    let root = FpVar::new_input(cs.clone(), || Ok(root))?;
    path.enforce_root(&witness(&cs, leaf)?, &root)?;
    Ok(cs)
}

fn path_satisfied(path: &QuadPath, leaf: Fr, root: Fr) -> Result<bool, SynthesisError> {
    path_system(path, leaf, root)?.is_satisfied()
}

/// Synthesises the update `old_leaf → new_leaf` at `path` from `old_root` to `new_root`.
fn update_system(
    path: &QuadPath,
    (old_leaf, new_leaf): (Fr, Fr),
    (old_root, new_root): (Fr, Fr),
) -> Result<ConstraintSystemRef<Fr>, SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let path = QuadPathVar::new_witness(cs.clone(), || Ok(path))?;
    let old_root = FpVar::new_input(cs.clone(), || Ok(old_root))?;
    let new_root = FpVar::new_input(cs.clone(), || Ok(new_root))?;
    path.enforce_update(
        &witness(&cs, old_leaf)?,
        &witness(&cs, new_leaf)?,
        &old_root,
        &new_root,
    )?;
    Ok(cs)
}

fn update_satisfied(
    path: &QuadPath,
    leaves: (Fr, Fr),
    roots: (Fr, Fr),
) -> Result<bool, SynthesisError> {
    update_system(path, leaves, roots)?.is_satisfied()
}

/// An update at `index` of a dense tree: (path, (old, new leaf), (old, new root)).
type Update = (QuadPath, (Fr, Fr), (Fr, Fr));

fn sample_update(depth: usize, seed: u64, index: u64) -> Result<Update, MerkleError> {
    let (mut tree, _) = dense(depth, seed)?;
    let path = tree.path(index)?;
    let old_leaf = *tree.leaf(index)?;
    let old_root = *tree.root();
    let new_leaf = Fr::from(424242u64);
    tree.set(index, new_leaf)?;
    Ok((path, (old_leaf, new_leaf), (old_root, *tree.root())))
}

#[test]
fn empty_root_per_depth() -> TestResult {
    let mut quad = Fr::zero();
    for depth in 1..=32 {
        if depth % 2 == 0 {
            quad = poseidon::hash_array([quad; 4]);
        }
        let expected = if depth % 2 == 1 {
            poseidon::hash_array([quad; 2])
        } else {
            quad
        };
        let tree = QuadTree::with_depth(depth)?;
        assert_eq!(*tree.root(), expected, "depth {depth}");
        assert!(tree.is_empty());
        assert_eq!(tree.depth(), depth);
    }
    Ok(())
}

#[test]
fn roots_match_a_dense_reference() -> TestResult {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for depth in 1..=8 {
        for count in [1, (1 << depth) / 3 + 1, 1 << depth] {
            let leaves = random_leaves(&mut rng, depth, count);
            let tree = QuadTree::build(depth, leaves.clone())?;
            assert_eq!(*tree.root(), dense_root(depth, &leaves), "depth {depth}");
        }
    }
    Ok(())
}

#[test]
fn invalid_depths_are_errors() {
    for depth in [0, 33, 64] {
        assert!(matches!(
            QuadTree::with_depth(depth),
            Err(MerkleError::InvalidDepth { .. })
        ));
        assert!(matches!(
            QuadTree::build(depth, vec![]),
            Err(MerkleError::InvalidDepth { .. })
        ));
    }
    assert!(matches!(
        QuadPath::new(0, vec![], None),
        Err(MerkleError::InvalidDepth { depth: 0 })
    ));
    assert!(matches!(
        QuadPath::new(0, vec![[Fr::zero(); 3]; 16], Some(Fr::zero())),
        Err(MerkleError::InvalidDepth { depth: 33 })
    ));
}

#[test]
fn index_out_of_range_is_an_error() -> TestResult {
    for depth in [4, 5] {
        let mut tree = QuadTree::with_depth(depth)?;
        let bad = 1u64 << depth;
        let out = |r: Result<(), MerkleError>| matches!(r, Err(MerkleError::IndexOutOfRange { index, depth: d }) if index == bad && d == depth);
        assert!(out(tree.set(bad, Fr::from(1u64))));
        assert!(out(tree.path(bad).map(|_| ())));
        assert!(out(tree.leaf(bad).map(|_| ())));
        assert!(out(QuadTree::build(
            depth,
            vec![(3, Fr::from(1u64)), (bad, Fr::from(1u64))]
        )
        .map(|_| ())));
        let top = (depth % 2 == 1).then(Fr::zero);
        assert!(out(QuadPath::new(
            bad,
            vec![[Fr::zero(); 3]; depth / 2],
            top
        )
        .map(|_| ())));
        assert!(tree.set(bad - 1, Fr::from(1u64)).is_ok());
    }
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
        QuadTree::build(8, leaves),
        Err(MerkleError::DuplicateIndex { index: 5 })
    ));
}

#[test]
fn bulk_build_equals_incremental_sets() -> TestResult {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (depth, count) in [(1, 2), (2, 3), (3, 8), (7, 100), (20, 500), (32, 300)] {
        let mut leaves = random_leaves(&mut rng, depth, count);
        if depth == 32 {
            leaves.push((u64::from(u32::MAX), Fr::from(9u64)));
            leaves.push((0, Fr::from(7u64)));
        }
        let bulk = QuadTree::build(depth, leaves.clone())?;
        let mut incremental = QuadTree::with_depth(depth)?;
        for (index, leaf) in &leaves {
            incremental.set(*index, *leaf)?;
        }
        assert_eq!(bulk.root(), incremental.root(), "depth {depth}");
        assert_eq!(bulk.len(), leaves.len());
        for (index, leaf) in leaves.iter().rev().take(20) {
            let path = bulk.path(*index)?;
            assert_eq!(path, incremental.path(*index)?);
            assert_eq!(path.depth(), depth);
            assert_eq!(path.siblings().len(), depth / 2);
            assert_eq!(path.top_sibling().is_some(), depth % 2 == 1);
            assert!(path.verify(*leaf, *bulk.root()));
            assert!(!path.verify(*leaf + Fr::from(1u64), *bulk.root()));
            assert_eq!(bulk.leaf(*index)?, leaf);
        }
    }
    Ok(())
}

#[test]
fn clearing_leaves_restores_empty_tree() -> TestResult {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for depth in [11, 12] {
        let leaves = random_leaves(&mut rng, depth, 50);
        let mut tree = QuadTree::build(depth, leaves.clone())?;
        for (index, _) in &leaves {
            tree.set(*index, Fr::zero())?;
        }
        assert!(tree.is_empty());
        assert_eq!(tree.root(), QuadTree::with_depth(depth)?.root());
    }
    Ok(())
}

#[test]
fn path_siblings_are_in_slot_order() -> TestResult {
    // Depth 2: one quad level, siblings are the other three leaves in index order.
    let leaves: Vec<(u64, Fr)> = (0..4).map(|i| (i, Fr::from(10 + i))).collect();
    let tree = QuadTree::build(2, leaves)?;
    for index in 0..4u64 {
        let expected: Vec<Fr> = (0..4)
            .filter(|i| *i != index)
            .map(|i| Fr::from(10 + i))
            .collect();
        assert_eq!(
            tree.path(index)?.siblings()[0].to_vec(),
            expected,
            "index {index}"
        );
    }
    Ok(())
}

#[test]
fn gadget_roots_equal_native_roots() -> TestResult {
    // Property test with a fixed seed: random trees, random paths, random leaves.
    let mut rng = ChaCha8Rng::seed_from_u64(0x0b01_7a4c);
    for _ in 0..32 {
        let depth = rng.gen_range(1..=18);
        let count = rng.gen_range(1..=40usize.min(1 << depth));
        let leaves = random_leaves(&mut rng, depth, count);
        let tree = QuadTree::build(depth, leaves.clone())?;
        let index = if rng.r#gen() {
            leaves[0].0
        } else {
            rng.gen_range(0..1u64 << depth)
        };
        let path = tree.path(index)?;
        assert!(path.verify(*tree.leaf(index)?, *tree.root()));
        let leaf = random_fr(&mut rng);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let path_var = QuadPathVar::new_witness(cs.clone(), || Ok(&path))?;
        let root = path_var.compute_root(&witness(&cs, leaf)?)?;
        assert_eq!(root.value()?, path.compute_root(leaf), "depth {depth}");
        assert_eq!(path_var.index()?.value()?, Fr::from(index));
        assert_eq!(path_var.depth(), depth);
        assert!(cs.is_satisfied()?);
    }
    Ok(())
}

#[test]
fn gadget_rejects_wrong_sibling_in_each_slot() -> TestResult {
    for depth in [7, 8] {
        let (tree, leaves) = dense(depth, 4)?;
        for index in [0, 5, (1 << depth) - 1] {
            let (_, leaf) = leaves[index as usize];
            let path = tree.path(index)?;
            assert!(path_satisfied(&path, leaf, *tree.root())?);
            for level in 0..depth / 2 {
                for slot in 0..3 {
                    let mut siblings = path.siblings().to_vec();
                    siblings[level][slot] += Fr::from(1u64);
                    let bad = QuadPath::new(index, siblings, path.top_sibling().copied())?;
                    assert!(
                        !path_satisfied(&bad, leaf, *tree.root())?,
                        "depth {depth} index {index} level {level} slot {slot}"
                    );
                }
            }
            if let Some(top) = path.top_sibling() {
                let bad =
                    QuadPath::new(index, path.siblings().to_vec(), Some(*top + Fr::from(1u64)))?;
                assert!(!path_satisfied(&bad, leaf, *tree.root())?);
            }
        }
    }
    Ok(())
}

#[test]
fn gadget_rejects_each_flipped_bit() -> TestResult {
    for depth in [7, 8] {
        let (tree, leaves) = dense(depth, 5)?;
        for index in [0, 0b1011001 % (1 << depth)] {
            let (_, leaf) = leaves[index as usize];
            let path = tree.path(index)?;
            for bit in 0..depth {
                let bad = QuadPath::new(
                    index ^ (1 << bit),
                    path.siblings().to_vec(),
                    path.top_sibling().copied(),
                )?;
                assert!(
                    !path_satisfied(&bad, leaf, *tree.root())?,
                    "depth {depth} index {index} bit {bit}"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn gadget_rejects_wrong_leaf_and_wrong_root() -> TestResult {
    let (tree, leaves) = dense(8, 6)?;
    let (index, leaf) = leaves[77];
    let path = tree.path(index)?;
    let one = Fr::from(1u64);
    assert!(path_satisfied(&path, leaf, *tree.root())?);
    assert!(!path_satisfied(&path, leaf + one, *tree.root())?);
    assert!(!path_satisfied(&path, leaf, *tree.root() + one)?);
    Ok(())
}

#[test]
fn update_gadget_matches_native_set() -> TestResult {
    for depth in [9, 10] {
        let (path, leaves, roots) = sample_update(depth, 7, 300)?;
        assert!(update_satisfied(&path, leaves, roots)?);
    }
    // Filling an empty slot (old leaf 0) of a sparse tree.
    let mut tree = QuadTree::build(9, vec![(1, Fr::from(3u64)), (300, Fr::from(4u64))])?;
    let path = tree.path(2)?;
    let before = *tree.root();
    tree.set(2, Fr::from(5u64))?;
    assert!(update_satisfied(
        &path,
        (Fr::zero(), Fr::from(5u64)),
        (before, *tree.root())
    )?);
    Ok(())
}

#[test]
fn update_gadget_rejects_wrong_leaves_or_roots() -> TestResult {
    let (path, (old_leaf, new_leaf), (old_root, new_root)) = sample_update(9, 8, 137)?;
    let one = Fr::from(1u64);
    assert!(!update_satisfied(
        &path,
        (old_leaf + one, new_leaf),
        (old_root, new_root)
    )?);
    assert!(!update_satisfied(
        &path,
        (old_leaf, new_leaf + one),
        (old_root, new_root)
    )?);
    assert!(!update_satisfied(
        &path,
        (old_leaf, new_leaf),
        (old_root + one, new_root)
    )?);
    assert!(!update_satisfied(
        &path,
        (old_leaf, new_leaf),
        (old_root, new_root + one)
    )?);
    let flipped = QuadPath::new(
        137 ^ 4,
        path.siblings().to_vec(),
        path.top_sibling().copied(),
    )?;
    assert!(!update_satisfied(
        &flipped,
        (old_leaf, new_leaf),
        (old_root, new_root)
    )?);
    Ok(())
}

#[test]
fn every_witness_is_bound() -> TestResult {
    let (tree, leaves) = dense(9, 12)?;
    let (index, leaf) = leaves[0b1_1011_0110];
    let checked =
        assert_every_witness_is_bound(&path_system(&tree.path(index)?, leaf, *tree.root())?);
    assert!(checked > 0);
    let (path, leaves, roots) = sample_update(8, 13, 201)?;
    assert!(assert_every_witness_is_bound(&update_system(&path, leaves, roots)?) > 0);
    Ok(())
}

#[test]
fn path_var_from_caller_bits_binds_the_index() -> TestResult {
    let (tree, leaves) = dense(5, 14)?;
    let (index, leaf) = leaves[22];
    let path = tree.path(index)?;
    let cs = ConstraintSystem::<Fr>::new_ref();
    // The caller owns the index: allocates it and decomposes it into 5 bits itself.
    let index_var = witness(&cs, Fr::from(index))?;
    let bits = (0..5)
        .map(|bit| Boolean::new_witness(cs.clone(), || Ok((index >> bit) & 1 == 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Boolean::le_bits_to_fp(&bits)?.enforce_equal(&index_var)?;
    let fp = |v: &Fr| witness(&cs, *v);
    let siblings = path
        .siblings()
        .iter()
        .map(|[a, b, c]| Ok([fp(a)?, fp(b)?, fp(c)?]))
        .collect::<Result<Vec<_>, SynthesisError>>()?;
    let top = path.top_sibling().map(fp).transpose()?;
    let path_var = QuadPathVar::new(bits.clone(), siblings.clone(), top.clone())?;
    assert_eq!(path_var.index_bits().len(), 5);
    assert_eq!(path_var.siblings().len(), 2);
    assert!(path_var.top_sibling().is_some());
    let root = FpVar::new_input(cs.clone(), || Ok(*tree.root()))?;
    path_var.enforce_root(&witness(&cs, leaf)?, &root)?;
    assert!(cs.is_satisfied()?);

    assert!(matches!(
        QuadPathVar::new(bits[..4].to_vec(), siblings.clone(), top.clone()),
        Err(MerkleError::BitCountMismatch { bits: 4, depth: 5 })
    ));
    assert!(matches!(
        QuadPathVar::new(bits.clone(), siblings, None),
        Err(MerkleError::BitCountMismatch { bits: 5, depth: 4 })
    ));
    assert!(matches!(
        QuadPathVar::new(vec![], vec![], None),
        Err(MerkleError::InvalidDepth { depth: 0 })
    ));
    Ok(())
}

#[test]
fn constraint_counts() -> TestResult {
    let mut report = Vec::new();
    for depth in [24, 32] {
        let (tree, index, leaf) = {
            let mut rng = ChaCha8Rng::seed_from_u64(9);
            let leaves = random_leaves(&mut rng, depth, 8);
            let (index, leaf) = leaves[3];
            (QuadTree::build(depth, leaves)?, index, leaf)
        };
        let path = tree.path(index)?;
        let cs = path_system(&path, leaf, *tree.root())?;
        assert!(cs.is_satisfied()?);
        let levels = depth / 2;
        // Bits, then per level AND + placement + Poseidon(4), then the root equality.
        assert_eq!(cs.num_constraints(), depth + levels * (1 + 3 + 297) + 1);
        report.push(format!("quad path D={depth}: {}", cs.num_constraints()));

        let mut updated = tree.clone();
        updated.set(index, Fr::from(1u64))?;
        let cs = update_system(
            &path,
            (leaf, Fr::from(1u64)),
            (*tree.root(), *updated.root()),
        )?;
        assert!(cs.is_satisfied()?);
        assert_eq!(
            cs.num_constraints(),
            depth + levels * (1 + 2 * (3 + 297)) + 2
        );
        report.push(format!("quad update D={depth}: {}", cs.num_constraints()));
    }
    eprintln!("constraints: {}", report.join("; "));
    Ok(())
}

#[test]
#[ignore = "2^20 leaves: run with --release --ignored"]
fn bulk_build_two_pow_20_leaves() -> TestResult {
    let depth = 24;
    let leaves: Vec<(u64, Fr)> = (0..1u64 << 20)
        .map(|i| (i * 13 % (1 << depth), Fr::from(i + 1)))
        .collect();
    let start = std::time::Instant::now();
    let tree = QuadTree::build(depth, leaves.clone())?;
    eprintln!(
        "built 2^20 leaves at depth {depth} in {:?}",
        start.elapsed()
    );
    assert_eq!(tree.len(), 1 << 20);
    let (index, leaf) = leaves[12345];
    assert!(tree.path(index)?.verify(leaf, *tree.root()));
    Ok(())
}
