//! The native model: the book, its solvency check, and the committed book that produces
//! every witness.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use rayon::prelude::*;

use super::batch::{BatchCircuit, BatchWitness, LeafValues};
use super::commit::{BlindingSeed, commit_node};
use super::inclusion::{InclusionCircuit, InclusionClaim, InclusionWitness};
use super::input::{InputError, Reserves, read_csv};
use super::top::{SolvencyStatement, TopCircuit, TopWitness};
use super::{SolvencyError, SolvencyParams};
use crate::progress::{CHUNK, Counter, NoProgress, Progress};
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
        Self::new_with_progress(book, reserves, params, seed, &NoProgress)
    }

    /// [`CommittedBook::new`], reporting Poseidon-based hashes done of those it will do
    /// (user ids, leaves, inner nodes, commitments), once per chunk of hashes.
    pub fn new_with_progress(
        book: &Book,
        reserves: &Reserves,
        params: SolvencyParams,
        seed: BlindingSeed,
        progress: &dyn Progress,
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

        // User i sits at leaf i.
        let users = book.entries.len() as u64;
        let indices: Vec<u64> = (0..users).collect();
        let counter = Counter::new(
            progress,
            users
                + SumTree::build_hashes(users, &indices, params.depth())
                + params.batches() as u64
                + 1,
        );
        let leaves: Vec<Vec<SumLeaf>> = book
            .entries
            .par_chunks(CHUNK)
            .map(|chunk| {
                let leaves = chunk
                    .iter()
                    .map(|e| SumLeaf::new(e.id.as_bytes(), e.balances.clone()))
                    .collect::<Result<Vec<_>, _>>();
                counter.add(chunk.len() as u64);
                leaves
            })
            .collect::<Result<_, _>>()?;
        let leaves: Vec<SumLeaf> = leaves.into_iter().flatten().collect();
        let tree = SumTree::build_counted(
            params.depth(),
            params.assets(),
            indices.into_iter().zip(leaves.iter().cloned()).collect(),
            &counter,
        )?;
        let index_of = book.entries.iter().map(|e| e.id.clone()).zip(0..).collect();

        // Batch j is the subtree at height b, index j (the empty subtree past the last user).
        let batch_nodes = (0..params.batches() as u64)
            .map(|j| tree.node_at(params.batch_bits(), j).cloned())
            .collect::<Result<Vec<_>, _>>()?;
        let batch_commitments = batch_nodes
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let commitments = (c * CHUNK..)
                    .zip(chunk)
                    .map(|(j, node)| commit_node(node, seed.batch_blinding(j)))
                    .collect::<Result<Vec<_>, _>>();
                counter.add(chunk.len() as u64);
                commitments
            })
            .collect::<Result<Vec<_>, _>>()?
            .concat();
        let statement = SolvencyStatement {
            params,
            book_commitment: commit_node(tree.root(), seed.book_blinding())?,
            batch_commitments,
            reserves,
        };
        counter.add(1);
        counter.finish();
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

    /// The number of users in the book (leaves `0..users` of the tree).
    pub fn users(&self) -> usize {
        self.leaves.len()
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
