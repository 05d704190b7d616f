//! The native model: the book, its solvency check, and the committed book that produces
//! every witness.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use rayon::prelude::*;

use super::batch::{BatchCircuit, BatchWitness, LeafValues};
use super::commit::{BlindingSeed, commit_node, fold};
use super::inclusion::{InclusionCircuit, InclusionClaim, InclusionWitness};
use super::input::{InputError, Reserves, read_csv};
use super::top::{SolvencyStatement, TopCircuit, TopWitness};
use super::{SolvencyError, SolvencyParams};
use crate::Fr;
use crate::sum_tree::{SumLeaf, SumNode, SumTree};

/// One user: an id (hashed as its UTF-8 bytes) and one balance per asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    id: String,
    balances: Vec<u64>,
}

impl Entry {
    /// An entry; balances in the book's asset order, in each asset's smallest unit.
    pub fn new(id: String, balances: Vec<u64>) -> Self {
        Self { id, balances }
    }

    /// The user id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The balances.
    pub fn balances(&self) -> &[u64] {
        &self.balances
    }
}

/// The users' balances over named assets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    assets: Vec<String>,
    entries: Vec<Entry>,
}

/// One asset whose users hold more than its reserve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The asset.
    pub asset: String,
    /// The users' total.
    pub total: u128,
    /// The declared reserve.
    pub reserve: u128,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "users hold {} {} in total but the reserve is {} (short by {})",
            self.total,
            self.asset,
            self.reserve,
            self.total - self.reserve
        )
    }
}

impl Book {
    /// A book; errors on no assets, an entry with another number of balances, or an empty or
    /// repeated id.
    pub fn new(assets: Vec<String>, entries: Vec<Entry>) -> Result<Self, SolvencyError> {
        if assets.is_empty() {
            return Err(SolvencyError::NoAssets);
        }
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        for entry in &entries {
            if entry.balances.len() != assets.len() {
                return Err(SolvencyError::AssetCountMismatch {
                    expected: assets.len(),
                    found: entry.balances.len(),
                });
            }
            if entry.id.is_empty() || !seen.insert(entry.id.as_str()) {
                return Err(SolvencyError::BadUserId {
                    id: entry.id.clone(),
                });
            }
        }
        Ok(Self { assets, entries })
    }

    /// Reads the CSV described in the [module docs](super).
    pub fn from_csv(reader: impl Read) -> Result<Self, InputError> {
        let (assets, entries) = read_csv(reader)?;
        Ok(Self { assets, entries })
    }

    /// The asset names, in column order.
    pub fn assets(&self) -> &[String] {
        &self.assets
    }

    /// The entries, in row order (user `i` sits at leaf `i`).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The per-asset totals (exact: `2^32` users of `< 2^64` stay below `2^96`).
    pub fn totals(&self) -> Vec<u128> {
        (0..self.assets.len())
            .map(|k| self.entries.iter().map(|e| u128::from(e.balances[k])).sum())
            .collect()
    }

    /// The totals if every one is within its reserve; otherwise
    /// [`SolvencyError::Insolvent`] listing each short asset with its total and reserve.
    /// Reserves must name exactly the book's assets.
    pub fn check(&self, reserves: &Reserves) -> Result<Vec<u128>, SolvencyError> {
        let reserves = reserves.for_assets(&self.assets)?;
        let totals = self.totals();
        let shortfalls: Vec<Shortfall> = self
            .assets
            .iter()
            .zip(&totals)
            .zip(&reserves)
            .filter(|((_, total), reserve)| total > reserve)
            .map(|((asset, total), reserve)| Shortfall {
                asset: asset.clone(),
                total: *total,
                reserve: *reserve,
            })
            .collect();
        if shortfalls.is_empty() {
            Ok(totals)
        } else {
            Err(SolvencyError::Insolvent(shortfalls))
        }
    }
}

/// A solvent book placed in its sum tree, with every blinding: the custodian's private state,
/// from which the statement and every witness come.
#[derive(Debug, Clone)]
pub struct CommittedBook {
    params: SolvencyParams,
    assets: Vec<String>,
    leaves: Vec<SumLeaf>,
    index_of: HashMap<String, u64>,
    tree: SumTree,
    batch_nodes: Vec<SumNode>,
    seed: BlindingSeed,
    statement: SolvencyStatement,
}

impl CommittedBook {
    /// Checks the book against the reserves and the parameters' shape, then builds the sum
    /// tree (in parallel), the batch nodes and the commitments.
    pub fn new(
        book: &Book,
        reserves: &Reserves,
        params: SolvencyParams,
        seed: BlindingSeed,
    ) -> Result<Self, SolvencyError> {
        if book.assets.len() != params.assets() {
            return Err(SolvencyError::AssetCountMismatch {
                expected: params.assets(),
                found: book.assets.len(),
            });
        }
        if book.entries.len() as u64 > params.capacity() {
            return Err(SolvencyError::TooManyUsers {
                users: book.entries.len(),
                capacity: params.capacity(),
            });
        }
        book.check(reserves)?;
        let reserves = reserves.for_assets(&book.assets)?;

        let leaves = book
            .entries
            .par_iter()
            .map(|e| SumLeaf::new(e.id.as_bytes(), e.balances.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let tree = SumTree::build(
            params.depth(),
            params.assets(),
            leaves
                .iter()
                .cloned()
                .zip(0..)
                .map(|(l, i)| (i, l))
                .collect(),
        )?;
        let index_of = book.entries.iter().map(|e| e.id.clone()).zip(0..).collect();

        let empty = SumNode {
            hash: Fr::from(0u64),
            sums: vec![0; params.assets()],
        };
        let size = params.batch_size();
        let empty_batch = fold(vec![empty.clone(); size], empty.clone())?;
        // Users fill leaves 0..n: batches past the last user are the empty subtree.
        let batch_nodes = (0..params.batches())
            .into_par_iter()
            .map(|j| {
                if j * size >= leaves.len() {
                    return Ok(empty_batch.clone());
                }
                let nodes = (j * size..(j + 1) * size)
                    .map(|i| tree.leaf(i as u64).cloned())
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(fold(nodes, empty.clone())?)
            })
            .collect::<Result<Vec<_>, SolvencyError>>()?;
        let batch_commitments = batch_nodes
            .par_iter()
            .enumerate()
            .map(|(j, node)| commit_node(node, seed.batch_blinding(j)))
            .collect::<Result<Vec<_>, _>>()?;
        let statement = SolvencyStatement {
            params,
            book_commitment: commit_node(tree.root(), seed.book_blinding())?,
            batch_commitments,
            reserves,
        };
        Ok(Self {
            params,
            assets: book.assets.clone(),
            leaves,
            index_of,
            tree,
            batch_nodes,
            seed,
            statement,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &SolvencyParams {
        &self.params
    }

    /// The asset names, in the order of the reserves and balances everywhere.
    pub fn assets(&self) -> &[String] {
        &self.assets
    }

    /// What to publish.
    pub fn statement(&self) -> &SolvencyStatement {
        &self.statement
    }

    /// The per-asset totals (private: committed in `C`).
    pub fn totals(&self) -> &[u128] {
        &self.tree.root().sums
    }

    /// Batch `j`'s witness: its `2^b` leaves and blinding.
    pub fn batch_witness(&self, batch: usize) -> Result<BatchWitness, SolvencyError> {
        if batch >= self.params.batches() {
            return Err(SolvencyError::NoSuchBatch {
                batch,
                batches: self.params.batches(),
            });
        }
        let start = batch * self.params.batch_size();
        Ok(BatchWitness {
            slots: (start..start + self.params.batch_size())
                .map(|i| self.leaves.get(i).map(LeafValues::from))
                .collect(),
            blinding: self.seed.batch_blinding(batch),
        })
    }

    /// Batch `j`'s circuit, for proving.
    pub fn batch_circuit(&self, batch: usize) -> Result<BatchCircuit, SolvencyError> {
        let witness = self.batch_witness(batch)?;
        Ok(BatchCircuit::from_parts(
            self.params,
            self.statement.batch_commitments[batch],
            witness,
        ))
    }

    /// The top witness: batch nodes and blindings.
    pub fn top_witness(&self) -> TopWitness {
        TopWitness {
            batch_nodes: self.batch_nodes.clone(),
            batch_blindings: (0..self.params.batches())
                .map(|j| self.seed.batch_blinding(j))
                .collect(),
            book_blinding: self.seed.book_blinding(),
        }
    }

    /// The top circuit, for proving.
    pub fn top_circuit(&self) -> TopCircuit {
        TopCircuit {
            statement: self.statement.clone(),
            witness: self.top_witness(),
        }
    }

    /// The inclusion circuit for user `id`, for proving; the user verifies it against
    /// [`InclusionClaim::new`]`(C, id, balances)`.
    pub fn inclusion_circuit(&self, id: &str) -> Result<InclusionCircuit, SolvencyError> {
        let index = *self
            .index_of
            .get(id)
            .ok_or_else(|| SolvencyError::UnknownUser { id: id.to_owned() })?;
        let leaf = &self.leaves[index as usize];
        let claim = InclusionClaim {
            book_commitment: self.statement.book_commitment,
            id_hash: leaf.id_hash(),
            balances: leaf.balances().to_vec(),
        };
        let witness = InclusionWitness {
            path: self.tree.path(index)?,
            book_blinding: self.seed.book_blinding(),
        };
        Ok(InclusionCircuit::new(self.params, claim, witness))
    }
}
