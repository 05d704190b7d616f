//! Merkle sum tree: native behaviour, gadget soundness (including the known solvency
//! attacks), gadget-vs-native properties, costs.

use ark_ff::{BigInteger, Field, PrimeField};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystem, SynthesisError};
use bulwark_circuits::Fr;
use bulwark_circuits::merkle::MerkleError;
use bulwark_circuits::sum_tree::{
    SumLeaf, SumLeafVar, SumNode, SumNodeVar, SumPath, SumPathVar, SumTree, SumTreeError,
    hash_user_id, node_hash,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn random_entries(
    rng: &mut ChaCha8Rng,
    depth: usize,
    assets: usize,
    count: usize,
) -> Vec<(u64, SumLeaf)> {
    let mut indices = std::collections::BTreeSet::new();
    while indices.len() < count {
        indices.insert(rng.gen_range(0..1u64 << depth));
    }
    indices
        .into_iter()
        .map(|i| {
            let balances = (0..assets)
                .map(|_| rng.r#gen::<u64>() >> rng.gen_range(0..64))
                .collect();
            (i, SumLeaf::from_id_hash(Fr::from(i + 1_000), balances))
        })
        .collect()
}

/// A tree with a few users; returns (tree, index, entry).
fn sample(depth: usize, assets: usize, seed: u64) -> Result<(SumTree, u64, SumLeaf), SumTreeError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let entries = random_entries(&mut rng, depth, assets, 6);
    let (index, leaf) = entries[2].clone();
    Ok((SumTree::build(depth, assets, entries)?, index, leaf))
}

/// Synthesises the path check from raw field values; reports (satisfied, constraints).
fn satisfied(
    leaf: &SumLeafVar,
    path: &SumPath,
    root: &SumNode,
) -> Result<(bool, usize), SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let leaf = SumLeafVar {
        id_hash: FpVar::new_witness(cs.clone(), || leaf.id_hash.value())?,
        balances: leaf
            .balances
            .iter()
            .map(|b| FpVar::new_witness(cs.clone(), || b.value()))
            .collect::<Result<_, _>>()?,
    };
    let path = SumPathVar::new_witness(cs.clone(), || Ok(path))?;
    let root = SumNodeVar::new_input(cs.clone(), || Ok(root))?;
    path.enforce_root(&leaf, &root)?;
    Ok((cs.is_satisfied()?, cs.num_constraints()))
}

/// A constant leaf description (values only) for [`satisfied`].
fn leaf_values(id_hash: Fr, balances: &[Fr]) -> SumLeafVar {
    SumLeafVar {
        id_hash: FpVar::constant(id_hash),
        balances: balances.iter().map(|b| FpVar::constant(*b)).collect(),
    }
}

fn honest(leaf: &SumLeaf) -> SumLeafVar {
    let balances: Vec<Fr> = leaf.balances().iter().map(|b| Fr::from(*b)).collect();
    leaf_values(leaf.id_hash(), &balances)
}

/// Synthesises a path check against the root the gadget itself computes, so the hashes are
/// consistent and only a range check can fail.
fn self_consistent(leaf: &SumLeafVar, path: &SumPathVar) -> Result<bool, SynthesisError> {
    let cs = leaf.id_hash.cs().or(path.siblings[0].hash.cs());
    let root = path.compute_root(leaf)?;
    let claimed = SumNodeVar {
        hash: FpVar::new_input(cs.clone(), || root.hash.value())?,
        sums: root
            .sums
            .iter()
            .map(|s| FpVar::new_input(cs.clone(), || s.value()))
            .collect::<Result<_, _>>()?,
    };
    root.enforce_equal(&claimed)?;
    cs.is_satisfied()
}

#[test]
fn bulk_build_equals_incremental_sets() -> TestResult {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for (depth, assets, count) in [
        (1, 1, 2),
        (4, 3, 9),
        (12, 4, 200),
        (20, 2, 100),
        (8, 33, 20),
    ] {
        let entries = random_entries(&mut rng, depth, assets, count);
        let bulk = SumTree::build(depth, assets, entries.clone())?;
        let mut incremental = SumTree::new(depth, assets)?;
        for (index, leaf) in &entries {
            incremental.set(*index, leaf)?;
        }
        assert_eq!(bulk.root(), incremental.root());
        for asset in 0..assets {
            let total: u128 = entries
                .iter()
                .map(|(_, l)| u128::from(l.balances()[asset]))
                .sum();
            assert_eq!(bulk.root().sums[asset], total);
        }
        for (index, leaf) in entries.iter().take(10) {
            bulk.path(*index)?.verify(leaf, bulk.root())?;
        }
    }
    Ok(())
}

#[test]
fn empty_tree_and_shape() -> TestResult {
    for assets in [1, 4, 32, 40] {
        let tree = SumTree::new(32, assets)?;
        assert_eq!(tree.root().sums, vec![0u128; assets]);
        assert_eq!(
            tree.path(7)?.siblings().len(),
            32,
            "more assets never change the shape"
        );
    }
    let mut expected = SumNode {
        hash: Fr::from(0u64),
        sums: vec![0; 2],
    };
    for _ in 0..5 {
        expected.hash = node_hash(expected.hash, &expected.sums, expected.hash, &expected.sums)?;
    }
    assert_eq!(SumTree::new(5, 2)?.root(), &expected);
    Ok(())
}

#[test]
fn shape_errors() -> TestResult {
    assert!(matches!(SumTree::new(4, 0), Err(SumTreeError::NoAssets)));
    assert!(matches!(
        SumTree::new(0, 1),
        Err(SumTreeError::Tree(MerkleError::InvalidDepth { depth: 0 }))
    ));
    assert!(matches!(
        SumTree::new(33, 1),
        Err(SumTreeError::Tree(MerkleError::InvalidDepth { depth: 33 }))
    ));
    let mut tree = SumTree::new(4, 2)?;
    let leaf = SumLeaf::new(b"alice", vec![1, 2])?;
    assert!(matches!(
        tree.set(16, &leaf),
        Err(SumTreeError::Tree(MerkleError::IndexOutOfRange { .. }))
    ));
    assert!(matches!(
        tree.path(16),
        Err(SumTreeError::Tree(MerkleError::IndexOutOfRange { .. }))
    ));
    let wrong = SumLeaf::new(b"bob", vec![1])?;
    assert!(matches!(
        tree.set(1, &wrong),
        Err(SumTreeError::AssetCountMismatch {
            expected: 2,
            found: 1
        })
    ));
    assert!(matches!(
        SumTree::build(4, 2, vec![(1, wrong)]),
        Err(SumTreeError::AssetCountMismatch {
            expected: 2,
            found: 1
        })
    ));
    Ok(())
}

#[test]
fn user_ids_do_not_alias() -> TestResult {
    // Issue 289: ids read as integers and reduced mod p alias when they differ by p.
    let p = Fr::MODULUS.to_bytes_le();
    let mut id_plus_p = p.clone();
    id_plus_p.push(0);
    let mut id = vec![0u8; p.len()];
    id.push(0);
    assert_eq!(
        Fr::from_le_bytes_mod_order(&id),
        Fr::from_le_bytes_mod_order(&id_plus_p)
    );
    assert_ne!(hash_user_id(&id)?, hash_user_id(&id_plus_p)?);
    // Length is bound: trailing zero bytes give a different id.
    assert_ne!(hash_user_id(b"alice")?, hash_user_id(b"alice\0")?);
    assert_ne!(hash_user_id(b"")?, hash_user_id(b"\0")?);
    Ok(())
}

#[test]
fn native_verify_rejects_tampering() -> TestResult {
    let (tree, index, leaf) = sample(6, 2, 12)?;
    let path = tree.path(index)?;
    path.verify(&leaf, tree.root())?;
    let mut siblings = path.siblings().to_vec();
    siblings[1].sums[0] ^= 1;
    let bad = SumPath::new(index, siblings)?;
    assert!(matches!(
        bad.verify(&leaf, tree.root()),
        Err(SumTreeError::RootMismatch)
    ));
    let mut siblings = path.siblings().to_vec();
    siblings[0].sums[1] = 1 << 64;
    let bad = SumPath::new(index, siblings)?;
    assert!(matches!(
        bad.verify(&leaf, tree.root()),
        Err(SumTreeError::SumOutOfRange {
            height: 0,
            asset: 1
        })
    ));
    let mut richer = leaf.balances().to_vec();
    richer[0] += 1;
    let richer = SumLeaf::from_id_hash(leaf.id_hash(), richer);
    assert!(matches!(
        path.verify(&richer, tree.root()),
        Err(SumTreeError::RootMismatch)
    ));
    Ok(())
}

#[test]
fn gadget_accepts_honest_paths() -> TestResult {
    for assets in [1, 4, 20] {
        let (tree, index, leaf) = sample(8, assets, 13)?;
        assert!(
            satisfied(&honest(&leaf), &tree.path(index)?, tree.root())?.0,
            "K = {assets}"
        );
    }
    Ok(())
}

#[test]
fn gadget_rejects_wrong_sibling_bit_leaf_root() -> TestResult {
    let (tree, index, leaf) = sample(8, 2, 14)?;
    let path = tree.path(index)?;
    let root = tree.root();
    let one = Fr::from(1u64);

    let mut siblings = path.siblings().to_vec();
    siblings[3].hash += one;
    assert!(
        !satisfied(&honest(&leaf), &SumPath::new(index, siblings)?, root)?.0,
        "wrong sibling"
    );

    let flipped = SumPath::new(index ^ 1, path.siblings().to_vec())?;
    assert!(!satisfied(&honest(&leaf), &flipped, root)?.0, "flipped bit");

    let balances: Vec<Fr> = leaf.balances().iter().map(|b| Fr::from(*b) + one).collect();
    assert!(
        !satisfied(&leaf_values(leaf.id_hash(), &balances), &path, root)?.0,
        "wrong balance"
    );
    let other_id = SumLeafVar {
        id_hash: FpVar::constant(leaf.id_hash() + one),
        ..honest(&leaf)
    };
    assert!(!satisfied(&other_id, &path, root)?.0, "wrong id");

    let wrong_hash = SumNode {
        hash: root.hash + one,
        sums: root.sums.clone(),
    };
    assert!(
        !satisfied(&honest(&leaf), &path, &wrong_hash)?.0,
        "wrong root hash"
    );
    let mut sums = root.sums.clone();
    sums[1] += 1;
    assert!(
        !satisfied(
            &honest(&leaf),
            &path,
            &SumNode {
                hash: root.hash,
                sums
            }
        )?
        .0,
        "wrong root sum"
    );
    Ok(())
}

#[test]
fn gadget_rejects_sibling_sum_tampered_with_hash_kept() -> TestResult {
    let (tree, index, leaf) = sample(8, 3, 15)?;
    let path = tree.path(index)?;
    for level in [0, 5] {
        let mut siblings = path.siblings().to_vec();
        siblings[level].sums[2] ^= 1;
        let bad = SumPath::new(index, siblings)?;
        assert!(
            !satisfied(&honest(&leaf), &bad, tree.root())?.0,
            "level {level}"
        );
    }
    Ok(())
}

#[test]
fn gadget_rejects_max_instead_of_sum_parent() -> TestResult {
    // Summa issue 166: a prover reports max(l, r) at a parent to hide liabilities. The
    // parent hash binds both children's sums, so the lie cannot verify.
    let alice = SumLeaf::new(b"alice", vec![5])?;
    let bob = SumLeaf::new(b"bob", vec![7])?;
    let (a, b) = (alice.node()?, bob.node()?);
    let cheat_root = SumNode {
        hash: node_hash(a.hash, &a.sums, b.hash, &b.sums)?,
        sums: vec![7],
    };
    let path = SumPath::new(0, vec![b.clone()])?;
    assert!(!satisfied(&honest(&alice), &path, &cheat_root)?.0);
    assert!(path.verify(&alice, &cheat_root).is_err());
    // Hiding alice's 5 by lowering her sum inside the hash input does not help either.
    let hidden = SumNode {
        hash: node_hash(a.hash, &[0], b.hash, &b.sums)?,
        sums: vec![7],
    };
    assert!(!satisfied(&honest(&alice), &path, &hidden)?.0);
    // The honest root verifies.
    let honest_root = SumTree::build(1, 1, vec![(0, alice.clone()), (1, bob)])?
        .root()
        .clone();
    assert!(satisfied(&honest(&alice), &path, &honest_root)?.0);
    Ok(())
}

/// A range-check scenario: name, leaf balances, optional tampered sibling sum.
type Case = (&'static str, Vec<Fr>, Option<(usize, Fr)>);

#[test]
fn gadget_range_checks_balances_and_sums() -> TestResult {
    let (tree, index, leaf) = sample(6, 2, 16)?;
    let path = tree.path(index)?;
    let cases: [Case; 4] = [
        ("honest", vec![Fr::from(3u64), Fr::from(4u64)], None),
        (
            "balance 2^64",
            vec![Fr::from(u64::MAX) + Fr::from(1u64), Fr::from(4u64)],
            None,
        ),
        (
            "negative balance p-1",
            vec![-Fr::from(1u64), Fr::from(4u64)],
            None,
        ),
        (
            "negative sibling sum",
            vec![Fr::from(3u64), Fr::from(4u64)],
            Some((2, -Fr::from(10u64))),
        ),
    ];
    for (name, balances, sibling_sum) in cases {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf_var = SumLeafVar {
            id_hash: FpVar::new_witness(cs.clone(), || Ok(leaf.id_hash()))?,
            balances: balances
                .iter()
                .map(|b| FpVar::new_witness(cs.clone(), || Ok(*b)))
                .collect::<Result<_, _>>()?,
        };
        let mut path_var = SumPathVar::new_witness(cs.clone(), || Ok(&path))?;
        if let Some((level, sum)) = sibling_sum {
            path_var.siblings[level].sums[0] = FpVar::new_witness(cs.clone(), || Ok(sum))?;
        }
        // The root is whatever the gadget computes, so only a range check can fail.
        assert_eq!(
            self_consistent(&leaf_var, &path_var)?,
            name == "honest",
            "{name}"
        );
    }
    Ok(())
}

#[test]
fn gadget_sum_bound_is_64_plus_height() -> TestResult {
    let (tree, index, leaf) = sample(6, 1, 17)?;
    let path = tree.path(index)?;
    for (height, limit, ok) in [
        (0, 64u64, false),
        (0, 64, true),
        (3, 67, false),
        (3, 67, true),
    ] {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf_var = SumLeafVar::new_witness(cs.clone(), || Ok(&leaf))?;
        let mut path_var = SumPathVar::new_witness(cs.clone(), || Ok(&path))?;
        let value = Fr::from(2u64).pow([limit]) - Fr::from(u64::from(ok));
        path_var.siblings[height].sums[0] = FpVar::new_witness(cs.clone(), || Ok(value))?;
        assert_eq!(
            self_consistent(&leaf_var, &path_var)?,
            ok,
            "height {height}, 2^{limit}"
        );
    }
    Ok(())
}

#[test]
fn gadget_roots_equal_native_roots() -> TestResult {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5a11_7ee5);
    for _ in 0..12 {
        let depth = rng.gen_range(1..=12);
        let assets = rng.gen_range(1..=18);
        let count = rng.gen_range(1..=20usize.min(1 << depth));
        let entries = random_entries(&mut rng, depth, assets, count);
        let tree = SumTree::build(depth, assets, entries.clone())?;
        let (index, leaf) = entries[rng.gen_range(0..entries.len())].clone();
        let path = tree.path(index)?;
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf_var = SumLeafVar::new_witness(cs.clone(), || Ok(&leaf))?;
        let path_var = SumPathVar::new_witness(cs.clone(), || Ok(&path))?;
        let root = path_var.compute_root(&leaf_var)?;
        assert_eq!(root.hash.value()?, tree.root().hash);
        let sums: Vec<Fr> = root
            .sums
            .iter()
            .map(|s| s.value())
            .collect::<Result<_, _>>()?;
        assert_eq!(
            sums,
            tree.root()
                .sums
                .iter()
                .map(|s| Fr::from(*s))
                .collect::<Vec<_>>()
        );
        assert!(cs.is_satisfied()?);
    }
    Ok(())
}

#[test]
fn constraint_counts() -> TestResult {
    let mut report = Vec::new();
    for assets in [1, 4] {
        let (tree, index, leaf) = sample(20, assets, 19)?;
        let (ok, n) = satisfied(&honest(&leaf), &tree.path(index)?, tree.root())?;
        assert!(ok);
        report.push(format!("sum-tree path depth 20 K={assets} = {n}"));
    }
    eprintln!("constraints: {}", report.join("; "));
    Ok(())
}
