//! R1CS gadget: sum-tree inclusion with range-checked balances and sums.

use std::borrow::Borrow;

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{Namespace, SynthesisError};

use super::hash::{leaf_hash_var, node_hash_var};
use super::tree::{SumLeaf, SumNode, SumPath, sum_bits};
use crate::Fr;
use crate::merkle::{MAX_DEPTH, MIN_DEPTH, order_pair};
use crate::range::{self, RangeBits};

/// A user entry in the constraint system.
#[derive(Debug, Clone)]
pub struct SumLeafVar {
    /// The hashed user id.
    pub id_hash: FpVar<Fr>,
    /// One balance per asset; range-checked to 64 bits by [`SumPathVar::compute_root`].
    pub balances: Vec<FpVar<Fr>>,
}

/// A node (hash and per-asset sums) in the constraint system.
#[derive(Debug, Clone)]
pub struct SumNodeVar {
    /// The node hash.
    pub hash: FpVar<Fr>,
    /// The per-asset sums.
    pub sums: Vec<FpVar<Fr>>,
}

/// A sum-tree inclusion path: index bits (least significant first) and sibling nodes.
#[derive(Debug, Clone)]
pub struct SumPathVar {
    /// The index bits, least significant first; allocated with booleanity constraints.
    pub index_bits: Vec<Boolean<Fr>>,
    /// The siblings, leaf level first.
    pub siblings: Vec<SumNodeVar>,
}

impl SumNodeVar {
    /// Enforces equal hashes and equal sums; fails to synthesize on differing asset counts.
    pub fn enforce_equal(&self, other: &Self) -> Result<(), SynthesisError> {
        if self.sums.len() != other.sums.len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        self.hash.enforce_equal(&other.hash)?;
        self.sums.enforce_equal(&other.sums)
    }
}

impl SumPathVar {
    /// Recomputes the root from `leaf`.
    ///
    /// Enforces: each leaf balance `< 2^64` (65 constraints each); each sibling sum at
    /// height `h` `< 2^(64+h)` (`65 + h` constraints each), so every parent sum, a plain
    /// addition, stays below `2^(64+h+1) ≤ 2^96` and never wraps the field; per level,
    /// `1 + K` constraints to order hashes and sums, and the node hash.
    ///
    /// Fails to synthesize ([`SynthesisError::Unsatisfiable`]) when the shape is wrong:
    /// depth outside `1..=32`, fewer or more index bits than siblings, or a sibling whose
    /// number of sums differs from the leaf's number of balances.
    pub fn compute_root(&self, leaf: &SumLeafVar) -> Result<SumNodeVar, SynthesisError> {
        let depth = self.siblings.len();
        let assets = leaf.balances.len();
        if !(MIN_DEPTH..=MAX_DEPTH).contains(&depth)
            || self.index_bits.len() != depth
            || self.siblings.iter().any(|s| s.sums.len() != assets)
        {
            return Err(SynthesisError::Unsatisfiable);
        }
        for balance in &leaf.balances {
            range::enforce(balance, RangeBits::U64)?;
        }
        let mut node = SumNodeVar {
            hash: leaf_hash_var(&leaf.id_hash, &leaf.balances)?,
            sums: leaf.balances.clone(),
        };
        for (height, (is_right, sibling)) in self.index_bits.iter().zip(&self.siblings).enumerate()
        {
            let bits =
                RangeBits::new(sum_bits(height)).map_err(|_| SynthesisError::Unsatisfiable)?;
            for sum in &sibling.sums {
                range::enforce(sum, bits)?;
            }
            let (left_hash, right_hash) = order_pair(is_right, &node.hash, &sibling.hash);
            let (left_sums, right_sums): (Vec<_>, Vec<_>) = node
                .sums
                .iter()
                .zip(&sibling.sums)
                .map(|(n, s)| order_pair(is_right, n, s))
                .unzip();
            node = SumNodeVar {
                hash: node_hash_var(&left_hash, &left_sums, &right_hash, &right_sums)?,
                sums: node
                    .sums
                    .iter()
                    .zip(&sibling.sums)
                    .map(|(n, s)| n + s)
                    .collect(),
            };
        }
        Ok(node)
    }

    /// Enforces that `leaf` at this path yields `root`: its hash and every total.
    pub fn enforce_root(&self, leaf: &SumLeafVar, root: &SumNodeVar) -> Result<(), SynthesisError> {
        self.compute_root(leaf)?.enforce_equal(root)
    }
}

impl AllocVar<SumLeaf, Fr> for SumLeafVar {
    fn new_variable<T: Borrow<SumLeaf>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let leaf = f()?;
        let leaf = leaf.borrow();
        Ok(Self {
            id_hash: FpVar::new_variable(cs.clone(), || Ok(leaf.id_hash()), mode)?,
            balances: leaf
                .balances()
                .iter()
                .map(|b| FpVar::new_variable(cs.clone(), || Ok(Fr::from(*b)), mode))
                .collect::<Result<_, _>>()?,
        })
    }
}

impl AllocVar<SumNode, Fr> for SumNodeVar {
    fn new_variable<T: Borrow<SumNode>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let node = f()?;
        let node = node.borrow();
        Ok(Self {
            hash: FpVar::new_variable(cs.clone(), || Ok(node.hash), mode)?,
            sums: node
                .sums
                .iter()
                .map(|s| FpVar::new_variable(cs.clone(), || Ok(Fr::from(*s)), mode))
                .collect::<Result<_, _>>()?,
        })
    }
}

impl AllocVar<SumPath, Fr> for SumPathVar {
    fn new_variable<T: Borrow<SumPath>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let path = f()?;
        let path = path.borrow();
        Ok(Self {
            index_bits: path
                .index_bits()
                .into_iter()
                .map(|bit| Boolean::new_variable(cs.clone(), || Ok(bit), mode))
                .collect::<Result<_, _>>()?,
            siblings: path
                .siblings()
                .iter()
                .map(|s| SumNodeVar::new_variable(cs.clone(), || Ok(s), mode))
                .collect::<Result<_, _>>()?,
        })
    }
}
