//! The native sum tree: leaves, nodes, the tree and its inclusion paths.

use rayon::prelude::*;

use super::SumTreeError;
use super::hash::{hash_user_id, leaf_hash, node_hash};
use crate::Fr;
use crate::merkle::{SparseTree, TreeHasher, check_depth, check_index, parent_hashes};
use crate::poseidon::PoseidonError;
use crate::progress::{CHUNK, Counter, Progress};

/// Bits of a leaf balance.
pub const BALANCE_BITS: usize = 64;

/// The bound on a sum at `height` (0 = leaf): `64 + height` bits, since a subtree of that
/// height holds at most `2^height` balances below `2^64`.
pub fn sum_bits(height: usize) -> usize {
    BALANCE_BITS + height
}

/// A user entry: the hash of the user's id and one balance per asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLeaf {
    id_hash: Fr,
    balances: Vec<u64>,
}

impl SumLeaf {
    /// An entry for the user `id` (any bytes), hashed with [`hash_user_id`].
    pub fn new(id: &[u8], balances: Vec<u64>) -> Result<Self, SumTreeError> {
        Ok(Self::from_id_hash(hash_user_id(id)?, balances))
    }

    /// An entry from an already hashed id.
    pub fn from_id_hash(id_hash: Fr, balances: Vec<u64>) -> Self {
        Self { id_hash, balances }
    }

    /// The hashed user id.
    pub fn id_hash(&self) -> Fr {
        self.id_hash
    }

    /// The balances, one per asset.
    pub fn balances(&self) -> &[u64] {
        &self.balances
    }

    /// The leaf node: `leaf_hash(id_hash, balances)` with the balances as sums.
    pub fn node(&self) -> Result<SumNode, PoseidonError> {
        Ok(SumNode {
            hash: leaf_hash(self.id_hash, &self.balances)?,
            sums: self.balances.iter().map(|b| u128::from(*b)).collect(),
        })
    }
}

/// A node: its hash and its per-asset sums.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SumNode {
    /// The node hash.
    pub hash: Fr,
    /// The per-asset sums of the leaves below.
    pub sums: Vec<u128>,
}

impl SumNode {
    /// The parent of two nodes: the node hash binds both children's hashes and sums, and the
    /// parent's sums are the children's sums added per asset.
    pub fn parent(left: &SumNode, right: &SumNode) -> Result<SumNode, PoseidonError> {
        Ok(SumNode {
            hash: node_hash(left.hash, &left.sums, right.hash, &right.sums)?,
            sums: left
                .sums
                .iter()
                .zip(&right.sums)
                .map(|(l, r)| l + r)
                .collect(),
        })
    }
}

/// Combines sum-tree nodes; the empty leaf is hash `0` with zero sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SumHasher {
    assets: usize,
}

impl TreeHasher for SumHasher {
    type Node = SumNode;

    fn empty_leaf(&self) -> SumNode {
        SumNode {
            hash: Fr::from(0u64),
            sums: vec![0; self.assets],
        }
    }

    fn combine(&self, left: &SumNode, right: &SumNode) -> Result<SumNode, PoseidonError> {
        SumNode::parent(left, right)
    }
}

/// A Merkle sum tree over `K` assets. Sums cannot overflow: leaves are `u64` and the depth
/// is at most 32, so every sum stays below `2^96`.
#[derive(Debug, Clone)]
pub struct SumTree {
    inner: SparseTree<SumHasher>,
}

fn check_assets(expected: usize, found: usize) -> Result<(), SumTreeError> {
    if expected == found {
        Ok(())
    } else {
        Err(SumTreeError::AssetCountMismatch { expected, found })
    }
}

impl SumTree {
    /// An empty tree of `depth` (`1..=32`) over `assets` (`>= 1`) assets.
    pub fn new(depth: usize, assets: usize) -> Result<Self, SumTreeError> {
        if assets == 0 {
            return Err(SumTreeError::NoAssets);
        }
        Ok(Self {
            inner: SparseTree::new(SumHasher { assets }, depth)?,
        })
    }

    /// Builds a tree from `(index, entry)` pairs, hashing leaves and levels in parallel.
    pub fn build(
        depth: usize,
        assets: usize,
        entries: Vec<(u64, SumLeaf)>,
    ) -> Result<Self, SumTreeError> {
        Self::build_with_progress(depth, assets, entries, &crate::progress::NoProgress)
    }

    /// [`SumTree::build`], reporting node hashes done (leaves and inner nodes) of the
    /// [`SumTree::build_hashes`] it will do, once per chunk of hashes.
    pub fn build_with_progress(
        depth: usize,
        assets: usize,
        entries: Vec<(u64, SumLeaf)>,
        progress: &dyn Progress,
    ) -> Result<Self, SumTreeError> {
        let mut indices: Vec<u64> = entries.iter().map(|(index, _)| *index).collect();
        indices.par_sort_unstable();
        indices.dedup();
        let counter = Counter::new(
            progress,
            Self::build_hashes(entries.len() as u64, &indices, depth),
        );
        let tree = Self::build_counted(depth, assets, entries, &counter)?;
        counter.finish();
        Ok(tree)
    }

    /// The node hashes a build of `entries` leaves at the sorted, distinct `indices` does:
    /// one per leaf and at most one per distinct parent at each height.
    pub(crate) fn build_hashes(entries: u64, indices: &[u64], depth: usize) -> u64 {
        entries + parent_hashes(indices, depth)
    }

    /// [`SumTree::build`], adding one unit to `counter` per node hash.
    pub(crate) fn build_counted(
        depth: usize,
        assets: usize,
        entries: Vec<(u64, SumLeaf)>,
        counter: &Counter<'_>,
    ) -> Result<Self, SumTreeError> {
        if assets == 0 {
            return Err(SumTreeError::NoAssets);
        }
        let leaves: Vec<Vec<(u64, SumNode)>> = entries
            .par_chunks(CHUNK)
            .map(|chunk| {
                let nodes = chunk
                    .iter()
                    .map(|(index, leaf)| {
                        check_assets(assets, leaf.balances.len())?;
                        Ok((*index, leaf.node()?))
                    })
                    .collect::<Result<Vec<_>, SumTreeError>>();
                counter.add(chunk.len() as u64);
                nodes
            })
            .collect::<Result<_, SumTreeError>>()?;
        Ok(Self {
            inner: SparseTree::from_leaves_counted(
                SumHasher { assets },
                depth,
                leaves.into_iter().flatten().collect(),
                counter,
            )?,
        })
    }

    /// Sets the entry at `index` (`depth` node hashes).
    pub fn set(&mut self, index: u64, leaf: &SumLeaf) -> Result<(), SumTreeError> {
        check_assets(self.assets(), leaf.balances.len())?;
        Ok(self.inner.set(index, leaf.node()?)?)
    }

    /// The root: hash and per-asset totals.
    pub fn root(&self) -> &SumNode {
        self.inner.root()
    }

    /// The inclusion path of `index`.
    pub fn path(&self, index: u64) -> Result<SumPath, SumTreeError> {
        SumPath::new(index, self.inner.siblings(index)?)
    }

    /// The leaf node at `index` (hash `0`, zero sums if unset).
    pub fn leaf(&self, index: u64) -> Result<&SumNode, SumTreeError> {
        Ok(self.inner.leaf(index)?)
    }

    /// The node at `height` (0 = leaves, `depth` = root) and `index` (`< 2^(depth - height)`):
    /// the root of the subtree over leaves `index * 2^height ..`.
    pub fn node_at(&self, height: usize, index: u64) -> Result<&SumNode, SumTreeError> {
        Ok(self.inner.node_at(height, index)?)
    }

    /// The number of assets `K`.
    pub fn assets(&self) -> usize {
        self.inner.hasher().assets
    }

    /// The depth.
    pub fn depth(&self) -> usize {
        self.inner.depth()
    }

    /// The number of non-empty leaves.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether no leaf is set.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

/// An inclusion path: the leaf index and the sibling nodes (hash and sums), leaf level first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumPath {
    index: u64,
    siblings: Vec<SumNode>,
}

impl SumPath {
    /// A path; errors unless `1 <= siblings.len() <= 32` and `index < 2^siblings.len()`.
    pub fn new(index: u64, siblings: Vec<SumNode>) -> Result<Self, SumTreeError> {
        check_depth(siblings.len())?;
        check_index(index, siblings.len())?;
        Ok(Self { index, siblings })
    }

    /// The leaf index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The siblings, leaf level first.
    pub fn siblings(&self) -> &[SumNode] {
        &self.siblings
    }

    /// The index bits, least significant first (`true`: the node at that level is a right child).
    pub fn index_bits(&self) -> Vec<bool> {
        (0..self.siblings.len())
            .map(|h| (self.index >> h) & 1 == 1)
            .collect()
    }

    /// Recomputes the root from `leaf`, checking what the circuit checks: every sibling has
    /// `K` sums and each sibling sum at height `h` is below `2^(64 + h)`.
    pub fn compute_root(&self, leaf: &SumLeaf) -> Result<SumNode, SumTreeError> {
        let assets = leaf.balances.len();
        let hasher = SumHasher { assets };
        let mut node = leaf.node()?;
        for (height, (sibling, is_right)) in self.siblings.iter().zip(self.index_bits()).enumerate()
        {
            check_assets(assets, sibling.sums.len())?;
            for (asset, sum) in sibling.sums.iter().enumerate() {
                if sum >> sum_bits(height) != 0 {
                    return Err(SumTreeError::SumOutOfRange { height, asset });
                }
            }
            node = if is_right {
                hasher.combine(sibling, &node)?
            } else {
                hasher.combine(&node, sibling)?
            };
        }
        Ok(node)
    }

    /// Checks that `leaf` at this path yields `root` (hash and every sum).
    pub fn verify(&self, leaf: &SumLeaf, root: &SumNode) -> Result<(), SumTreeError> {
        if &self.compute_root(leaf)? == root {
            Ok(())
        } else {
            Err(SumTreeError::RootMismatch)
        }
    }
}
