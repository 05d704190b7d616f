//! R1CS gadgets: verify an inclusion path, and update a leaf along one path.

use std::borrow::Borrow;

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{Namespace, SynthesisError};

use super::{MerkleError, MerklePath, check_depth};
use crate::Fr;
use crate::poseidon;

/// An inclusion path in the constraint system: index bits (least significant first) and
/// siblings (leaf level first).
///
/// Allocation costs one booleanity constraint per index bit. Each level then costs one
/// Poseidon(2) and one constraint to order the pair (see [`order_pair`]).
#[derive(Debug, Clone)]
pub struct MerklePathVar {
    index_bits: Vec<Boolean<Fr>>,
    siblings: Vec<FpVar<Fr>>,
}

/// Orders `(node, sibling)` into `(left, right)`: `node` is the right child iff `is_right`.
///
/// One constraint: `d = is_right · (sibling − node)`, then `left = node + d` and
/// `right = sibling − d` are linear.
pub fn order_pair(
    is_right: &Boolean<Fr>,
    node: &FpVar<Fr>,
    sibling: &FpVar<Fr>,
) -> (FpVar<Fr>, FpVar<Fr>) {
    let d = FpVar::from(is_right.clone()) * (sibling - node);
    (node + &d, sibling - &d)
}

impl MerklePathVar {
    /// A path from already-allocated index bits and siblings; errors unless there are as
    /// many bits as siblings and between 1 and 32 of each.
    pub fn new(
        index_bits: Vec<Boolean<Fr>>,
        siblings: Vec<FpVar<Fr>>,
    ) -> Result<Self, MerkleError> {
        check_depth(siblings.len())?;
        if index_bits.len() != siblings.len() {
            return Err(MerkleError::BitCountMismatch {
                bits: index_bits.len(),
                depth: siblings.len(),
            });
        }
        Ok(Self {
            index_bits,
            siblings,
        })
    }

    /// The index bits, least significant first.
    pub fn index_bits(&self) -> &[Boolean<Fr>] {
        &self.index_bits
    }

    /// The siblings, leaf level first.
    pub fn siblings(&self) -> &[FpVar<Fr>] {
        &self.siblings
    }

    /// The leaf index as a field element (a linear combination of the bits; free).
    pub fn index(&self) -> Result<FpVar<Fr>, SynthesisError> {
        Boolean::le_bits_to_fp(&self.index_bits)
    }

    /// The root of the tree holding `leaf` at this path.
    pub fn compute_root(&self, leaf: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
        let mut node = leaf.clone();
        for (is_right, sibling) in self.index_bits.iter().zip(&self.siblings) {
            let (left, right) = order_pair(is_right, &node, sibling);
            node = poseidon::r1cs::hash(&[left, right])?;
        }
        Ok(node)
    }

    /// Enforces that `leaf` at this path yields `root`.
    pub fn enforce_root(&self, leaf: &FpVar<Fr>, root: &FpVar<Fr>) -> Result<(), SynthesisError> {
        self.compute_root(leaf)?.enforce_equal(root)
    }

    /// Enforces that `old_leaf` at this path yields `old_root` and returns the root after
    /// replacing it with `new_leaf`; both computations share the index bits and siblings.
    pub fn update(
        &self,
        old_leaf: &FpVar<Fr>,
        new_leaf: &FpVar<Fr>,
        old_root: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        self.enforce_root(old_leaf, old_root)?;
        self.compute_root(new_leaf)
    }

    /// Enforces the update `old_leaf → new_leaf` at this path takes `old_root` to `new_root`.
    pub fn enforce_update(
        &self,
        old_leaf: &FpVar<Fr>,
        new_leaf: &FpVar<Fr>,
        old_root: &FpVar<Fr>,
        new_root: &FpVar<Fr>,
    ) -> Result<(), SynthesisError> {
        self.update(old_leaf, new_leaf, old_root)?
            .enforce_equal(new_root)
    }
}

impl AllocVar<MerklePath, Fr> for MerklePathVar {
    fn new_variable<T: Borrow<MerklePath>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let path = f()?;
        let path = path.borrow();
        let index_bits = path
            .index_bits()
            .into_iter()
            .map(|bit| Boolean::new_variable(cs.clone(), || Ok(bit), mode))
            .collect::<Result<_, _>>()?;
        let siblings = path
            .siblings()
            .iter()
            .map(|sibling| FpVar::new_variable(cs.clone(), || Ok(*sibling), mode))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            index_bits,
            siblings,
        })
    }
}
