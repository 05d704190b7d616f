//! Sparse binary Merkle tree over Poseidon, natively and in R1CS.
//!
//! * Node: `Poseidon(left, right)` (circomlib Poseidon, 2 inputs); empty leaf: `0`.
//! * Depth `1..=32`; leaf `i` sits at index `i` with bit `h` of `i` (least significant
//!   first) saying whether the level-`h` node on its path is a right child.
//! * Storage holds only non-empty nodes ([`SparseTree`]); empty subtrees are precomputed
//!   per height. [`MerkleTree::from_leaves`] hashes level by level in parallel;
//!   [`MerkleTree::set`] rehashes one path (`depth` hashes).
//! * [`MerklePath`] recomputes a root natively; [`MerklePathVar`] does so in R1CS for one
//!   Poseidon(2) plus one constraint per level (a multiplication that orders the pair).
//! * [`QuadTree`], [`QuadPath`], [`QuadPathVar`]: the 4-ary variant. For a binary depth `D`
//!   (`2^D` leaves): `⌊D/2⌋` levels of `Poseidon(c0, c1, c2, c3)`, then for odd `D` a top
//!   `Poseidon(l, r)`. At quad level `i` (leaves' parents: `i = 0`) the path's node is child
//!   `(index >> 2i) & 3`; at the binary top it is the right child iff bit `D − 1` is set.
//!   Costs about 301 constraints per two binary levels against 482 for the binary tree.

mod gadget;
mod path;
mod quad;
mod sparse;

pub use gadget::{MerklePathVar, order_pair};
pub use path::MerklePath;
pub use quad::{QuadPath, QuadPathVar, QuadTree};
pub(crate) use sparse::parent_hashes;
pub use sparse::{MAX_DEPTH, MIN_DEPTH, SparseTree, TreeHasher};
pub(crate) use sparse::{check_depth, check_index};

use crate::Fr;
use crate::poseidon::{self, PoseidonError};

/// Errors of the Merkle trees and paths.
#[derive(Debug, thiserror::Error)]
pub enum MerkleError {
    /// The depth is outside `1..=32`.
    #[error("tree depth {depth} is outside {MIN_DEPTH}..={MAX_DEPTH}")]
    InvalidDepth {
        /// The requested depth.
        depth: usize,
    },
    /// An index does not address a leaf of a tree of this depth.
    #[error("leaf index {index} is out of range for depth {depth} (must be < 2^{depth})")]
    IndexOutOfRange {
        /// The offending index.
        index: u64,
        /// The tree depth.
        depth: usize,
    },
    /// A height above the root.
    #[error("height {height} is above the root of a tree of depth {depth}")]
    InvalidHeight {
        /// The requested height.
        height: usize,
        /// The tree depth.
        depth: usize,
    },
    /// A bulk build received two leaves for one index.
    #[error("leaf index {index} given more than once")]
    DuplicateIndex {
        /// The repeated index.
        index: u64,
    },
    /// A path was given a different number of index bits than siblings.
    #[error("{bits} index bits for a path of depth {depth}")]
    BitCountMismatch {
        /// The number of index bits.
        bits: usize,
        /// The number of siblings.
        depth: usize,
    },
    /// Hashing failed.
    #[error(transparent)]
    Poseidon(#[from] PoseidonError),
}

/// Combines nodes with `Poseidon(left, right)`; the empty leaf is `0`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoseidonHasher;

impl TreeHasher for PoseidonHasher {
    type Node = Fr;

    fn empty_leaf(&self) -> Fr {
        Fr::from(0u64)
    }

    fn combine(&self, left: &Fr, right: &Fr) -> Result<Fr, PoseidonError> {
        Ok(poseidon::hash_array([*left, *right]))
    }
}

/// The sparse Poseidon Merkle tree.
pub type MerkleTree = SparseTree<PoseidonHasher>;

impl SparseTree<PoseidonHasher> {
    /// An empty Poseidon Merkle tree of `depth` (`1..=32`).
    pub fn with_depth(depth: usize) -> Result<Self, MerkleError> {
        Self::new(PoseidonHasher, depth)
    }

    /// Builds a Poseidon Merkle tree from `(index, leaf)` pairs in parallel.
    pub fn build(depth: usize, leaves: Vec<(u64, Fr)>) -> Result<Self, MerkleError> {
        Self::from_leaves(PoseidonHasher, depth, leaves)
    }

    /// The inclusion path of leaf `index`.
    pub fn path(&self, index: u64) -> Result<MerklePath, MerkleError> {
        MerklePath::new(index, self.siblings(index)?)
    }
}
