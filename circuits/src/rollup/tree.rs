//! The account tree behind one thin wrapper, so the tree type changes in one place.
//!
//! It is the 4-ary sparse Poseidon tree ([`QuadTree`]): `⌊D/2⌋` levels of
//! `Poseidon(c0, c1, c2, c3)` and, for odd `D`, a binary top level `Poseidon(l, r)`. A path
//! costs about 300 constraints per two binary levels instead of 482 in the binary tree, which
//! is what brings a slot's four path computations at `D = 32` under budget.

use ark_ff::AdditiveGroup;

use super::RollupError;
use crate::Fr;
use crate::merkle::{QuadPath, QuadPathVar, QuadTree};

/// An inclusion path in the account tree (native).
pub type AccountPath = QuadPath;

/// An inclusion path in the account tree (R1CS): index bits and update.
pub(crate) type AccountPathVar = QuadPathVar;

/// The account tree: leaves are account hashes, the empty leaf is `0`.
#[derive(Debug, Clone)]
pub(crate) struct AccountTree(QuadTree);

impl AccountTree {
    /// An empty tree.
    pub(crate) fn new(depth: usize) -> Result<Self, RollupError> {
        Ok(Self(QuadTree::with_depth(depth)?))
    }

    /// A tree from `(index, leaf)` pairs.
    pub(crate) fn build(depth: usize, leaves: Vec<(u64, Fr)>) -> Result<Self, RollupError> {
        Ok(Self(QuadTree::build(depth, leaves)?))
    }

    /// Sets one leaf.
    pub(crate) fn set(&mut self, index: u64, leaf: Fr) -> Result<(), RollupError> {
        Ok(self.0.set(index, leaf)?)
    }

    /// The leaf at `index`.
    pub(crate) fn leaf(&self, index: u64) -> Result<Fr, RollupError> {
        Ok(*self.0.leaf(index)?)
    }

    /// The path of leaf `index`.
    pub(crate) fn path(&self, index: u64) -> Result<AccountPath, RollupError> {
        Ok(self.0.path(index)?)
    }

    /// The root.
    pub(crate) fn root(&self) -> Fr {
        *self.0.root()
    }

    /// The depth.
    pub(crate) fn depth(&self) -> usize {
        self.0.depth()
    }
}

/// A path of the right shape for `depth` with index 0 and zero siblings (setup filler).
pub(crate) fn blank_path(depth: usize) -> Result<AccountPath, RollupError> {
    let top = (depth % 2 == 1).then_some(Fr::ZERO);
    Ok(QuadPath::new(0, vec![[Fr::ZERO; 3]; depth / 2], top)?)
}

/// The depth of a path.
pub(crate) fn path_depth(path: &AccountPath) -> usize {
    path.depth()
}
