//! Sparse 4-ary Merkle tree over Poseidon, natively and in R1CS.
//!
//! A tree of binary depth `D` (`1..=32`) holds `2^D` leaves in `⌈D/2⌉` node levels:
//!
//! * `⌊D/2⌋` quad levels, node `Poseidon(c0, c1, c2, c3)` (circomlib Poseidon, 4 inputs);
//! * when `D` is odd, one binary top level, root `Poseidon(l, r)` (2 inputs).
//!
//! Leaf index bits are consumed least significant first, two per quad level: at quad level
//! `i` (the leaves' parents are level 0) the path's node sits in child slot
//! `(index >> 2i) & 3`, and at the binary top level it is the right child iff bit `D − 1` is
//! set. The empty leaf is `0`; empty subtrees are precomputed per level, and only non-empty
//! nodes are stored. [`QuadTree::build`] hashes level by level in parallel; [`QuadTree::set`]
//! rehashes one path (`⌈D/2⌉` hashes).
//!
//! A [`QuadPath`] lists, per quad level, the three siblings in slot order with the path's own
//! slot left out (slot `1`: `[c0, c2, c3]`), then the binary top sibling if `D` is odd.
//! [`QuadPathVar`] recomputes the root in R1CS: per quad level one Poseidon(4) (297
//! constraints), three constraints to place the node among its siblings and one to multiply
//! the level's two index bits; the binary top level costs one Poseidon(2) and one constraint.
//! [`QuadPathVar::update`] shares the bits, their products and the siblings between the old
//! and the new root.
//!
//! Against the binary tree of the same depth this halves the Poseidon count per path at a
//! slightly wider hash (297 rather than 2 × 240 constraints per two binary levels).

mod gadget;
mod path;
mod tree;

pub use gadget::QuadPathVar;
pub use path::QuadPath;
pub use tree::QuadTree;

/// The number of quad levels of a tree of binary depth `depth`.
fn quad_levels(depth: usize) -> usize {
    depth / 2
}

/// Whether a tree of binary depth `depth` ends in a binary top level.
fn has_binary_top(depth: usize) -> bool {
    depth % 2 == 1
}
