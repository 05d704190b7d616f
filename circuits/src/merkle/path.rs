//! Native inclusion paths.

use super::{MerkleError, check_depth, check_index};
use crate::Fr;
use crate::poseidon;

/// The siblings from a leaf to the root (leaf level first) and the leaf's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerklePath {
    index: u64,
    siblings: Vec<Fr>,
}

impl MerklePath {
    /// A path; errors unless `1 <= siblings.len() <= 32` and `index < 2^siblings.len()`.
    pub fn new(index: u64, siblings: Vec<Fr>) -> Result<Self, MerkleError> {
        check_depth(siblings.len())?;
        check_index(index, siblings.len())?;
        Ok(Self { index, siblings })
    }

    /// The leaf index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The siblings, leaf level first.
    pub fn siblings(&self) -> &[Fr] {
        &self.siblings
    }

    /// The depth of the tree this path belongs to.
    pub fn depth(&self) -> usize {
        self.siblings.len()
    }

    /// Bit `h` of the index, least significant first: whether the level-`h` node is a right child.
    pub fn index_bits(&self) -> Vec<bool> {
        (0..self.depth())
            .map(|h| (self.index >> h) & 1 == 1)
            .collect()
    }

    /// The root of the tree holding `leaf` at this path.
    pub fn compute_root(&self, leaf: Fr) -> Fr {
        self.siblings
            .iter()
            .zip(self.index_bits())
            .fold(leaf, |node, (sibling, is_right)| {
                if is_right {
                    poseidon::hash_array([*sibling, node])
                } else {
                    poseidon::hash_array([node, *sibling])
                }
            })
    }

    /// Whether `leaf` at this path yields `root`.
    pub fn verify(&self, leaf: Fr, root: Fr) -> bool {
        self.compute_root(leaf) == root
    }
}
