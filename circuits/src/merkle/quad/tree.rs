//! The native sparse 4-ary tree.
//!
//! Level 0 holds the leaves and level `⌈D/2⌉` the root; the node on leaf `i`'s path at level
//! `h` has index `i >> min(2h, D)` within its level. Only non-empty nodes are stored, one hash
//! map per level; every absent node equals the empty subtree of its level, precomputed once.

use std::collections::HashMap;

use ark_ff::Zero;
use rayon::prelude::*;

use super::path::{place, siblings_of};
use super::{QuadPath, has_binary_top, quad_levels};
use crate::Fr;
use crate::merkle::{MerkleError, check_depth, check_index};
use crate::poseidon;

/// A sparse 4-ary Poseidon Merkle tree with `2^D` leaves for a binary depth `D` in `1..=32`.
#[derive(Debug, Clone)]
pub struct QuadTree {
    depth: usize,
    /// `empty[h]`: the root of an empty subtree at level `h`, for `h` in `0..=levels`.
    empty: Vec<Fr>,
    /// `nodes[h]`: the non-empty nodes at level `h`, by index within the level.
    nodes: Vec<HashMap<u64, Fr>>,
}

impl QuadTree {
    /// An empty tree of binary depth `depth` (`1..=32`).
    pub fn with_depth(depth: usize) -> Result<Self, MerkleError> {
        check_depth(depth)?;
        let mut empty = vec![Fr::zero()];
        let mut node = Fr::zero();
        for level in 0..levels(depth) {
            node = hash_children(fan_out_bits(depth, level), [node; 4]);
            empty.push(node);
        }
        Ok(Self {
            depth,
            nodes: vec![HashMap::new(); empty.len()],
            empty,
        })
    }

    /// Builds a tree from `(index, leaf)` pairs, hashing each level in parallel.
    ///
    /// Errors on an index `>= 2^depth` or an index given twice. Zero leaves are not stored,
    /// so the result equals setting each pair one by one.
    pub fn build(depth: usize, mut leaves: Vec<(u64, Fr)>) -> Result<Self, MerkleError> {
        let mut tree = Self::with_depth(depth)?;
        leaves.par_sort_unstable_by_key(|(index, _)| *index);
        if let Some(pair) = leaves.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(MerkleError::DuplicateIndex { index: pair[0].0 });
        }
        if let Some((index, _)) = leaves.last() {
            check_index(*index, depth)?;
        }
        let mut level: Vec<(u64, Fr)> = leaves
            .into_par_iter()
            .filter(|(_, leaf)| !leaf.is_zero())
            .collect();
        for height in 0..levels(depth) {
            let parents = tree.parents(height, &level);
            tree.nodes[height] = level.into_par_iter().collect();
            level = parents;
        }
        tree.nodes[levels(depth)] = level.into_iter().collect();
        Ok(tree)
    }

    /// The non-empty parents of the sorted, non-empty nodes `level` at `height`.
    fn parents(&self, height: usize, level: &[(u64, Fr)]) -> Vec<(u64, Fr)> {
        let bits = fan_out_bits(self.depth, height);
        // Siblings are adjacent in sorted order: group them, then hash groups in parallel.
        let groups: Vec<&[(u64, Fr)]> = level.chunk_by(|a, b| a.0 >> bits == b.0 >> bits).collect();
        let parent_empty = self.empty[height + 1];
        groups
            .into_par_iter()
            .filter_map(|group| {
                let mut children = [self.empty[height]; 4];
                for (index, node) in group {
                    children[(index & 3) as usize] = *node;
                }
                let (index, _) = group.first()?;
                let parent = hash_children(bits, children);
                (parent != parent_empty).then_some((index >> bits, parent))
            })
            .collect()
    }

    /// Sets one leaf and rehashes its path: `⌈D/2⌉` hashes.
    pub fn set(&mut self, index: u64, leaf: Fr) -> Result<(), MerkleError> {
        check_index(index, self.depth)?;
        let mut node = leaf;
        let mut index = index;
        for height in 0..levels(self.depth) {
            let bits = fan_out_bits(self.depth, height);
            let parent = hash_children(bits, place(node, index, self.siblings(height, index)));
            self.store(height, index, node);
            node = parent;
            index >>= bits;
        }
        self.store(levels(self.depth), 0, node);
        Ok(())
    }

    /// The siblings of node `index` at `height` in slot order; at the binary top level
    /// only the first is meaningful (the other two are absent, hence empty).
    fn siblings(&self, height: usize, index: u64) -> [Fr; 3] {
        let first = index & !3;
        siblings_of(
            std::array::from_fn(|slot| *self.node(height, first | slot as u64)),
            index,
        )
    }

    /// Stores `node`, or forgets it if it is the empty subtree of its level.
    fn store(&mut self, height: usize, index: u64, node: Fr) {
        if node == self.empty[height] {
            self.nodes[height].remove(&index);
        } else {
            self.nodes[height].insert(index, node);
        }
    }

    /// The node at `height` and `index`, which the caller has checked is in range.
    fn node(&self, height: usize, index: u64) -> &Fr {
        self.nodes[height]
            .get(&index)
            .unwrap_or(&self.empty[height])
    }

    /// The leaf at `index`: zero if unset.
    pub fn leaf(&self, index: u64) -> Result<&Fr, MerkleError> {
        check_index(index, self.depth)?;
        Ok(self.node(0, index))
    }

    /// The inclusion path of leaf `index`.
    pub fn path(&self, index: u64) -> Result<QuadPath, MerkleError> {
        check_index(index, self.depth)?;
        let siblings = (0..quad_levels(self.depth))
            .map(|height| self.siblings(height, index >> (2 * height)))
            .collect();
        let top = has_binary_top(self.depth).then(|| {
            let height = quad_levels(self.depth);
            *self.node(height, (index >> (2 * height)) ^ 1)
        });
        QuadPath::new(index, siblings, top)
    }

    /// The root.
    pub fn root(&self) -> &Fr {
        self.node(levels(self.depth), 0)
    }

    /// The binary depth `D`: the tree has `2^D` leaves.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The number of non-zero leaves.
    pub fn len(&self) -> usize {
        self.nodes[0].len()
    }

    /// Whether every leaf is zero.
    pub fn is_empty(&self) -> bool {
        self.nodes[0].is_empty()
    }
}

/// The number of node levels above the leaves.
fn levels(depth: usize) -> usize {
    quad_levels(depth) + usize::from(has_binary_top(depth))
}

/// The index bits consumed at `height`: 2 at a quad level, 1 at the binary top level.
fn fan_out_bits(depth: usize, height: usize) -> u32 {
    if height < quad_levels(depth) { 2 } else { 1 }
}

/// The parent of `children`: all four at a quad level, the first two at the binary top.
fn hash_children(fan_out_bits: u32, children: [Fr; 4]) -> Fr {
    if fan_out_bits == 2 {
        poseidon::hash_array(children)
    } else {
        poseidon::hash_array([children[0], children[1]])
    }
}
