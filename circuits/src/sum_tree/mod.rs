//! Merkle sum tree over `K` assets, natively and in R1CS (solvency proofs).
//!
//! The tree is binary with depth `1..=32` for every `K ≥ 1`: more assets widen the nodes,
//! never the shape. Each node carries a hash and `K` sums.
//!
//! # Formulas
//!
//! `P(x_1..x_n)` is circomlib Poseidon (`n ≤ 16`); `chain` extends it to any length:
//!
//! ```text
//! chain(x_1..x_n)  = P(x_1..x_n)                                   if n ≤ 16
//!                  = a_m  with a_1 = P(x_1..x_16), a_{j+1} = P(a_j, next ≤ 15 inputs)
//! id_hash(id)      = chain(len(id), c_0, c_1, ...)   c_j = 31-byte chunk j of id, little-endian
//! leaf.hash        = chain(id_hash, b_1, ..., b_K)                  leaf.sums = (b_1..b_K)
//! node.hash        = chain(L.hash, L.s_1..L.s_K, R.hash, R.s_1..R.s_K)
//! node.sums        = (L.s_i + R.s_i)_i
//! empty leaf       = hash 0, sums 0
//! ```
//!
//! # Why it binds
//!
//! * A node hash commits to both children's hashes **and** both children's sums, so a
//!   parent sum that is not the children's sum (the "max instead of sum" attack,
//!   summa-solvency issue 166) changes a hash input the verifier recomputes.
//! * `chain` over a fixed number of inputs is a Merkle–Damgård iteration of the
//!   collision-resistant `P`: a collision of two equal-length inputs yields a collision of
//!   `P` at the last block where they differ. Leaves (`1 + K` inputs) and nodes (`2 + 2K`)
//!   never share a length, and in a fixed-depth tree a leaf cannot pose as a node anyway.
//! * User ids are arbitrary bytes packed 31 bytes per element (`2^248 < p`, injective) after
//!   their length, so two distinct ids never reach the same field element except by a
//!   Poseidon collision (summa-solvency issue 289: ids reduced modulo `p` aliased).
//! * The empty leaf's hash `0` has no known Poseidon preimage, so no user entry can claim it.
//! * For `K ≤ 7` a node is one `P(2 + 2K)`; for larger `K` the chain costs
//!   `⌈(2K − 14) / 15⌉` more permutations, all of the same circuit-friendly shape.
//!
//! # Range checks (in R1CS)
//!
//! Balances are `< 2^64`; a sibling sum at height `h` is range-checked to `64 + h` bits
//! ([`sum_bits`]); parent sums are additions of range-checked values, so by induction every
//! sum at height `h` is `< 2^(64+h) ≤ 2^96` and nothing wraps the field (`p > 2^253`).

mod gadget;
mod hash;
mod tree;

pub use gadget::{SumLeafVar, SumNodeVar, SumPathVar};
pub use hash::{
    chain, chain_var, chain_with, hash_user_id, leaf_hash, leaf_hash_var, node_hash, node_hash_var,
};
pub use tree::{BALANCE_BITS, SumHasher, SumLeaf, SumNode, SumPath, SumTree, sum_bits};

use crate::merkle::MerkleError;
use crate::poseidon::PoseidonError;

/// Errors of the native sum tree and its paths.
#[derive(Debug, thiserror::Error)]
pub enum SumTreeError {
    /// The tree shape or an index is invalid.
    #[error(transparent)]
    Tree(#[from] MerkleError),
    /// A tree needs at least one asset.
    #[error("a sum tree needs at least one asset")]
    NoAssets,
    /// An entry or node has a different number of assets than the tree.
    #[error("expected {expected} assets, found {found}")]
    AssetCountMismatch {
        /// The tree's asset count.
        expected: usize,
        /// The count found.
        found: usize,
    },
    /// A sibling sum exceeds what a subtree of its height can hold.
    #[error("sibling sum of asset {asset} at height {height} is not below 2^(64 + {height})")]
    SumOutOfRange {
        /// Height of the sibling (0 = leaf level).
        height: usize,
        /// The asset.
        asset: usize,
    },
    /// The recomputed root differs from the expected one.
    #[error("the path does not lead to the expected root")]
    RootMismatch,
    /// Hashing failed.
    #[error(transparent)]
    Poseidon(#[from] PoseidonError),
}
