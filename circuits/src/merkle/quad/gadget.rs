//! R1CS gadgets: verify a 4-ary inclusion path, and update a leaf along one path.

use std::borrow::Borrow;

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{Namespace, SynthesisError};

use super::QuadPath;
use super::path::checked_depth;
use crate::Fr;
use crate::merkle::{MerkleError, order_pair};
use crate::poseidon;

/// A 4-ary inclusion path in the constraint system: `D` index bits (least significant first),
/// per quad level the three siblings in slot order without ours, and for odd `D` the sibling
/// at the binary top level.
///
/// Allocation costs one booleanity constraint per index bit. Each root computation then costs,
/// per quad level, one Poseidon(4) plus three constraints to place the node among its
/// siblings, and one Poseidon(2) plus one constraint at a binary top level. The product of each
/// quad level's two bits (one constraint per level) is computed once per [`compute_root`],
/// [`enforce_root`] or [`update`] call.
///
/// [`compute_root`]: Self::compute_root
/// [`enforce_root`]: Self::enforce_root
/// [`update`]: Self::update
#[derive(Debug, Clone)]
pub struct QuadPathVar {
    index_bits: Vec<Boolean<Fr>>,
    siblings: Vec<[FpVar<Fr>; 3]>,
    top: Option<FpVar<Fr>>,
}

/// The children `[c0, c1, c2, c3]` of a quad node with `node` in slot `low + 2·high` and
/// `siblings` in the other three slots, in order; `both` must be `low ∧ high`.
///
/// Three constraints. With `p = low + 2·high`:
/// * `c0 = s0 + (1 − low)(1 − high) · (node − s0)`, where `(1 − low)(1 − high)` is the
///   linear `1 − low − high + both`;
/// * `c3 = s2 + both · (node − s2)`;
/// * `c0 + c1 = s0 + node + high · (s1 − node)` (slots 0 and 1 hold `{node, s0}` when
///   `high = 0` and `{s0, s1}` otherwise);
/// * `c2` is linear: the children are a permutation of `{node, s0, s1, s2}`.
///
/// A lower bound: each of `c0`, `c3` is cubic in (bits, values), and no three products can
/// yield `c0`, `c1`, `c3` from the bits and values alone, so with siblings in slot order one
/// bit product per level is unavoidable; it is shared by every computation on the path.
fn place(
    low: &Boolean<Fr>,
    high: &Boolean<Fr>,
    both: &Boolean<Fr>,
    node: &FpVar<Fr>,
    [s0, s1, s2]: &[FpVar<Fr>; 3],
) -> [FpVar<Fr>; 4] {
    let high = FpVar::from(high.clone());
    let both = FpVar::from(both.clone());
    let neither = FpVar::one() - FpVar::from(low.clone()) - &high + &both;
    let c0 = s0 + neither * (node - s0);
    let c3 = s2 + both * (node - s2);
    let c1 = s0 + node + high * (s1 - node) - &c0;
    let c2 = node + s0 + s1 + s2 - &c0 - &c1 - &c3;
    [c0, c1, c2, c3]
}

impl QuadPathVar {
    /// A path from already-allocated index bits (least significant first) and siblings, so a
    /// circuit can bind the index to other values. Errors unless the binary depth
    /// `2 · siblings.len() + top.is_some()` is in `1..=32` and there are that many bits.
    ///
    /// The bits must be constrained boolean, as [`Boolean`] variables are by construction.
    pub fn new(
        index_bits: Vec<Boolean<Fr>>,
        siblings: Vec<[FpVar<Fr>; 3]>,
        top: Option<FpVar<Fr>>,
    ) -> Result<Self, MerkleError> {
        let depth = checked_depth(siblings.len(), top.is_some())?;
        if index_bits.len() != depth {
            return Err(MerkleError::BitCountMismatch {
                bits: index_bits.len(),
                depth,
            });
        }
        Ok(Self {
            index_bits,
            siblings,
            top,
        })
    }

    /// The binary depth `D`.
    pub fn depth(&self) -> usize {
        self.index_bits.len()
    }

    /// The `D` index bits, least significant first; bits `2i` and `2i + 1` pick the slot at
    /// quad level `i`, and for odd `D` the last bit says whether the top-level node is a
    /// right child.
    pub fn index_bits(&self) -> &[Boolean<Fr>] {
        &self.index_bits
    }

    /// Per quad level, leaf level first: the three siblings in slot order without ours.
    pub fn siblings(&self) -> &[[FpVar<Fr>; 3]] {
        &self.siblings
    }

    /// The sibling at the binary top level; `Some` exactly when `D` is odd.
    pub fn top_sibling(&self) -> Option<&FpVar<Fr>> {
        self.top.as_ref()
    }

    /// The leaf index as a field element (a linear combination of the bits; free).
    pub fn index(&self) -> Result<FpVar<Fr>, SynthesisError> {
        Boolean::le_bits_to_fp(&self.index_bits)
    }

    /// `bit 2i ∧ bit 2i + 1` for each quad level `i`: one constraint each.
    fn slot_products(&self) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
        self.index_bits
            .chunks_exact(2)
            .map(Boolean::kary_and)
            .collect()
    }

    /// The root over `leaf`, given the [`slot_products`](Self::slot_products).
    fn root_with(
        &self,
        products: &[Boolean<Fr>],
        leaf: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let mut node = leaf.clone();
        for ((bits, both), siblings) in self
            .index_bits
            .chunks_exact(2)
            .zip(products)
            .zip(&self.siblings)
        {
            node = poseidon::r1cs::hash(&place(&bits[0], &bits[1], both, &node, siblings))?;
        }
        if let (Some(sibling), Some(is_right)) = (&self.top, self.index_bits.last()) {
            let (left, right) = order_pair(is_right, &node, sibling);
            node = poseidon::r1cs::hash(&[left, right])?;
        }
        Ok(node)
    }

    /// The root of the tree holding `leaf` at this path.
    pub fn compute_root(&self, leaf: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
        self.root_with(&self.slot_products()?, leaf)
    }

    /// Enforces that `leaf` at this path yields `root`.
    pub fn enforce_root(&self, leaf: &FpVar<Fr>, root: &FpVar<Fr>) -> Result<(), SynthesisError> {
        self.compute_root(leaf)?.enforce_equal(root)
    }

    /// Enforces that `old_leaf` at this path yields `old_root` and returns the root after
    /// replacing it with `new_leaf`; both computations share the index bits, their products
    /// and the siblings.
    pub fn update(
        &self,
        old_leaf: &FpVar<Fr>,
        new_leaf: &FpVar<Fr>,
        old_root: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let products = self.slot_products()?;
        self.root_with(&products, old_leaf)?
            .enforce_equal(old_root)?;
        self.root_with(&products, new_leaf)
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

impl AllocVar<QuadPath, Fr> for QuadPathVar {
    fn new_variable<T: Borrow<QuadPath>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let path = f()?;
        let path = path.borrow();
        let fp = |value: &Fr| FpVar::new_variable(cs.clone(), || Ok(*value), mode);
        let index_bits = path
            .index_bits()
            .into_iter()
            .map(|bit| Boolean::new_variable(cs.clone(), || Ok(bit), mode))
            .collect::<Result<_, _>>()?;
        let siblings = path
            .siblings()
            .iter()
            .map(|[s0, s1, s2]| Ok([fp(s0)?, fp(s1)?, fp(s2)?]))
            .collect::<Result<_, SynthesisError>>()?;
        let top = path.top_sibling().map(fp).transpose()?;
        Ok(Self {
            index_bits,
            siblings,
            top,
        })
    }
}
