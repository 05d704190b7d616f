//! A binary sparse Merkle tree generic over its node type.
//!
//! Only non-empty nodes are stored, one hash map per level; every absent node equals the
//! empty subtree of its height, precomputed once. Height 0 holds the leaves, height `depth`
//! the root.

use std::collections::HashMap;

use rayon::prelude::*;

use super::MerkleError;
use crate::poseidon::PoseidonError;
use crate::progress::{CHUNK, Counter, NoProgress};

/// The smallest supported depth.
pub const MIN_DEPTH: usize = 1;
/// The largest supported depth (indices are `u64`, so `2^32` leaves fit comfortably).
pub const MAX_DEPTH: usize = 32;

/// How leaves combine into parents; the empty leaf is the default of an unset index.
pub trait TreeHasher: Sync {
    /// A node: a hash, or a hash with sums.
    type Node: Clone + PartialEq + Send + Sync;

    /// The value of an unset leaf.
    fn empty_leaf(&self) -> Self::Node;

    /// The parent of `left` and `right`.
    fn combine(&self, left: &Self::Node, right: &Self::Node) -> Result<Self::Node, PoseidonError>;
}

/// The node hashes [`SparseTree::from_leaves`] does for leaves at the sorted, distinct
/// `indices`: one per distinct parent at every height (fewer only where a parent equals the
/// empty subtree).
pub(crate) fn parent_hashes(indices: &[u64], depth: usize) -> u64 {
    let mut level: Vec<u64> = indices.to_vec();
    let mut hashes = 0;
    for _ in 0..depth {
        level = level.into_iter().map(|i| i >> 1).collect();
        level.dedup();
        hashes += level.len() as u64;
    }
    hashes
}

/// A sparse binary Merkle tree of fixed depth over the nodes of `H`.
#[derive(Debug, Clone)]
pub struct SparseTree<H: TreeHasher> {
    hasher: H,
    depth: usize,
    /// `empty[h]`: the root of an empty subtree of height `h`, for `h` in `0..=depth`.
    empty: Vec<H::Node>,
    /// `levels[h]`: the non-empty nodes at height `h`, by index within the level.
    levels: Vec<HashMap<u64, H::Node>>,
}

/// Checks `MIN_DEPTH <= depth <= MAX_DEPTH`.
pub(crate) fn check_depth(depth: usize) -> Result<(), MerkleError> {
    if (MIN_DEPTH..=MAX_DEPTH).contains(&depth) {
        Ok(())
    } else {
        Err(MerkleError::InvalidDepth { depth })
    }
}

/// Checks `index < 2^depth` for a depth already validated.
pub(crate) fn check_index(index: u64, depth: usize) -> Result<(), MerkleError> {
    if index >> depth == 0 {
        Ok(())
    } else {
        Err(MerkleError::IndexOutOfRange { index, depth })
    }
}

impl<H: TreeHasher> SparseTree<H> {
    /// An empty tree of the given depth (`1..=32`).
    pub fn new(hasher: H, depth: usize) -> Result<Self, MerkleError> {
        check_depth(depth)?;
        let mut empty = Vec::with_capacity(depth + 1);
        let mut node = hasher.empty_leaf();
        for _ in 0..depth {
            let parent = hasher.combine(&node, &node)?;
            empty.push(std::mem::replace(&mut node, parent));
        }
        empty.push(node);
        Ok(Self {
            hasher,
            depth,
            empty,
            levels: vec![HashMap::new(); depth + 1],
        })
    }

    /// Builds a tree from `(index, leaf)` pairs, hashing each level in parallel.
    ///
    /// Errors on an index `>= 2^depth` or an index given twice. Leaves equal to the empty
    /// leaf are not stored, so the result equals setting each pair one by one.
    pub fn from_leaves(
        hasher: H,
        depth: usize,
        leaves: Vec<(u64, H::Node)>,
    ) -> Result<Self, MerkleError> {
        let counter = Counter::new(&NoProgress, 0);
        Self::from_leaves_counted(hasher, depth, leaves, &counter)
    }

    /// [`SparseTree::from_leaves`], adding one unit to `counter` per node hash (at most
    /// [`parent_hashes`] of them).
    pub(crate) fn from_leaves_counted(
        hasher: H,
        depth: usize,
        mut leaves: Vec<(u64, H::Node)>,
        counter: &Counter<'_>,
    ) -> Result<Self, MerkleError> {
        let mut tree = Self::new(hasher, depth)?;
        leaves.par_sort_unstable_by_key(|(index, _)| *index);
        for pair in leaves.windows(2) {
            if pair[0].0 == pair[1].0 {
                return Err(MerkleError::DuplicateIndex { index: pair[0].0 });
            }
        }
        if let Some((index, _)) = leaves.last() {
            check_index(*index, depth)?;
        }
        let empty_leaf = &tree.empty[0];
        let mut level: Vec<(u64, H::Node)> = leaves
            .into_par_iter()
            .filter(|(_, leaf)| leaf != empty_leaf)
            .collect();
        for height in 0..depth {
            let parents = tree.parents(height, &level, counter)?;
            tree.levels[height] = level.into_par_iter().collect();
            level = parents;
        }
        tree.levels[depth] = level.into_iter().collect();
        Ok(tree)
    }

    /// The non-empty parents of the sorted, non-empty nodes `level` at `height`.
    fn parents(
        &self,
        height: usize,
        level: &[(u64, H::Node)],
        counter: &Counter<'_>,
    ) -> Result<Vec<(u64, H::Node)>, PoseidonError> {
        // Sibling pairs are adjacent in sorted order: group them, then hash groups in parallel.
        let mut groups = Vec::with_capacity(level.len());
        let mut i = 0;
        while i < level.len() {
            let paired = i + 1 < level.len() && level[i + 1].0 == level[i].0 ^ 1;
            let len = if paired { 2 } else { 1 };
            groups.push(&level[i..i + len]);
            i += len;
        }
        let empty = &self.empty[height];
        let parent_empty = &self.empty[height + 1];
        let hash = |group: &&[(u64, H::Node)]| {
            let (index, node) = &group[0];
            let (left, right) = match group.get(1) {
                Some((_, right)) => (node, right),
                None if index & 1 == 0 => (node, empty),
                None => (empty, node),
            };
            Ok((index >> 1, self.hasher.combine(left, right)?))
        };
        let parents: Vec<Vec<(u64, H::Node)>> = groups
            .par_chunks(CHUNK)
            .map(|chunk| {
                let parents = chunk.iter().map(hash).collect::<Result<Vec<_>, _>>();
                counter.add(chunk.len() as u64);
                parents
            })
            .collect::<Result<_, PoseidonError>>()?;
        Ok(parents
            .into_iter()
            .flatten()
            .filter(|(_, node)| node != parent_empty)
            .collect())
    }

    /// Sets one leaf and rehashes its path: `depth` hashes.
    pub fn set(&mut self, index: u64, leaf: H::Node) -> Result<(), MerkleError> {
        check_index(index, self.depth)?;
        let mut node = leaf;
        let mut index = index;
        for height in 0..self.depth {
            let sibling = self.node(height, index ^ 1).clone();
            let parent = if index & 1 == 0 {
                self.hasher.combine(&node, &sibling)?
            } else {
                self.hasher.combine(&sibling, &node)?
            };
            self.store(height, index, node);
            node = parent;
            index >>= 1;
        }
        self.store(self.depth, 0, node);
        Ok(())
    }

    /// Stores `node`, or forgets it if it is the empty subtree of its height.
    fn store(&mut self, height: usize, index: u64, node: H::Node) {
        if node == self.empty[height] {
            self.levels[height].remove(&index);
        } else {
            self.levels[height].insert(index, node);
        }
    }

    /// The node at `height` and `index`, which the caller has checked is in range.
    fn node(&self, height: usize, index: u64) -> &H::Node {
        self.levels[height]
            .get(&index)
            .unwrap_or(&self.empty[height])
    }

    /// The node at `height` (`0..=depth`, 0 = leaves) and `index` (`< 2^(depth - height)`):
    /// the root of the subtree over leaves `index * 2^height ..`, the empty subtree if unset.
    pub fn node_at(&self, height: usize, index: u64) -> Result<&H::Node, MerkleError> {
        if height > self.depth {
            return Err(MerkleError::InvalidHeight {
                height,
                depth: self.depth,
            });
        }
        if index >> (self.depth - height) != 0 {
            return Err(MerkleError::IndexOutOfRange {
                index,
                depth: self.depth - height,
            });
        }
        Ok(self.node(height, index))
    }

    /// The leaf at `index`: the empty leaf if unset.
    pub fn leaf(&self, index: u64) -> Result<&H::Node, MerkleError> {
        check_index(index, self.depth)?;
        Ok(self.node(0, index))
    }

    /// The siblings of the path from leaf `index` to the root, leaf level first.
    pub fn siblings(&self, index: u64) -> Result<Vec<H::Node>, MerkleError> {
        check_index(index, self.depth)?;
        Ok((0..self.depth)
            .map(|height| self.node(height, (index >> height) ^ 1).clone())
            .collect())
    }

    /// The root.
    pub fn root(&self) -> &H::Node {
        self.node(self.depth, 0)
    }

    /// The root of an empty subtree of `height` (`0..=depth`), if in range.
    pub fn empty_root(&self, height: usize) -> Option<&H::Node> {
        self.empty.get(height)
    }

    /// The depth: the number of levels above the leaves.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The number of non-empty leaves.
    pub fn len(&self) -> usize {
        self.levels[0].len()
    }

    /// Whether every leaf is empty.
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The hasher.
    pub fn hasher(&self) -> &H {
        &self.hasher
    }
}
