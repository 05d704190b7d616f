//! Native 4-ary inclusion paths.

use crate::Fr;
use crate::merkle::{MerkleError, check_depth, check_index};
use crate::poseidon;

/// The siblings from a leaf to the root of a [`QuadTree`](super::QuadTree) and the leaf's
/// index.
///
/// Per quad level (leaf level first) the three siblings in slot order without the path's own
/// slot; then, for an odd binary depth, the sibling at the binary top level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuadPath {
    index: u64,
    siblings: Vec<[Fr; 3]>,
    top: Option<Fr>,
}

/// The children of a quad node with `node` in `slot` (`0..4`, taken mod 4) and `siblings`
/// in the other slots, in order.
pub(super) fn place(node: Fr, slot: u64, [s0, s1, s2]: [Fr; 3]) -> [Fr; 4] {
    match slot & 3 {
        0 => [node, s0, s1, s2],
        1 => [s0, node, s1, s2],
        2 => [s0, s1, node, s2],
        _ => [s0, s1, s2, node],
    }
}

/// The siblings of slot `slot` (`0..4`, taken mod 4) among `children`, in slot order.
pub(super) fn siblings_of([c0, c1, c2, c3]: [Fr; 4], slot: u64) -> [Fr; 3] {
    match slot & 3 {
        0 => [c1, c2, c3],
        1 => [c0, c2, c3],
        2 => [c0, c1, c3],
        _ => [c0, c1, c2],
    }
}

/// The binary depth of a path with `quad` quad levels and a binary top level iff `top`;
/// errors unless it is in `1..=32`.
pub(super) fn checked_depth(quad: usize, top: bool) -> Result<usize, MerkleError> {
    let depth = quad
        .checked_mul(2)
        .and_then(|d| d.checked_add(usize::from(top)))
        .unwrap_or(usize::MAX);
    check_depth(depth)?;
    Ok(depth)
}

impl QuadPath {
    /// A path of binary depth `2 · siblings.len() + top.is_some()`; errors unless that depth
    /// is in `1..=32` and `index < 2^depth`.
    pub fn new(index: u64, siblings: Vec<[Fr; 3]>, top: Option<Fr>) -> Result<Self, MerkleError> {
        let depth = checked_depth(siblings.len(), top.is_some())?;
        check_index(index, depth)?;
        Ok(Self {
            index,
            siblings,
            top,
        })
    }

    /// The leaf index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The binary depth `D` of the tree this path belongs to (`2^D` leaves).
    pub fn depth(&self) -> usize {
        2 * self.siblings.len() + usize::from(self.top.is_some())
    }

    /// Per quad level, leaf level first: the three siblings in slot order without ours.
    pub fn siblings(&self) -> &[[Fr; 3]] {
        &self.siblings
    }

    /// The sibling at the binary top level; `Some` exactly when the depth is odd.
    pub fn top_sibling(&self) -> Option<&Fr> {
        self.top.as_ref()
    }

    /// The `depth` index bits, least significant first.
    pub fn index_bits(&self) -> Vec<bool> {
        (0..self.depth())
            .map(|bit| (self.index >> bit) & 1 == 1)
            .collect()
    }

    /// The root of the tree holding `leaf` at this path.
    pub fn compute_root(&self, leaf: Fr) -> Fr {
        let node = self
            .siblings
            .iter()
            .enumerate()
            .fold(leaf, |node, (level, siblings)| {
                poseidon::hash_array(place(node, self.index >> (2 * level), *siblings))
            });
        match self.top {
            Some(sibling) if (self.index >> (self.depth() - 1)) & 1 == 1 => {
                poseidon::hash_array([sibling, node])
            }
            Some(sibling) => poseidon::hash_array([node, sibling]),
            None => node,
        }
    }

    /// Whether `leaf` at this path yields `root`.
    pub fn verify(&self, leaf: Fr, root: Fr) -> bool {
        self.compute_root(leaf) == root
    }
}
