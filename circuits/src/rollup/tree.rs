//! The account tree behind one thin wrapper, so the tree type changes in one place.

use ark_ff::AdditiveGroup;

use super::RollupError;
use crate::Fr;
use crate::merkle::{MerklePath, MerklePathVar, MerkleTree};

/// An inclusion path in the account tree (native).
pub type AccountPath = MerklePath;

/// An inclusion path in the account tree (R1CS): index bits and update.
pub(crate) type AccountPathVar = MerklePathVar;

/// The account tree: leaves are account hashes, the empty leaf is `0`.
#[derive(Debug, Clone)]
pub(crate) struct AccountTree(MerkleTree);

impl AccountTree {
    /// An empty tree.
    pub(crate) fn new(depth: usize) -> Result<Self, RollupError> {
        Ok(Self(MerkleTree::with_depth(depth)?))
    }

    /// A tree from `(index, leaf)` pairs.
    pub(crate) fn build(depth: usize, leaves: Vec<(u64, Fr)>) -> Result<Self, RollupError> {
        Ok(Self(MerkleTree::build(depth, leaves)?))
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
    Ok(MerklePath::new(0, vec![Fr::ZERO; depth])?)
}

/// The depth of a path.
pub(crate) fn path_depth(path: &AccountPath) -> usize {
    path.depth()
}
