//! The top circuit and the published statement: batch nodes open the batch commitments,
//! hash to the book root, which opens the book commitment; totals are below the reserves.

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::commit::{batches_digest, commit_node_var, fold_var};
use super::{SolvencyError, SolvencyParams};
use crate::Fr;
use crate::range::{self, RangeBits};
use crate::sum_tree::{SumNode, SumNodeVar, chain_var, sum_bits};

/// Width of the `reserve − total` range check: reserves are below `2^128`, totals below
/// `2^96`, so `total + δ < 2^129 < p` and the check cannot wrap.
pub const RESERVE_BITS: usize = 128;

/// What a custodian publishes: the shape, the book commitment `C`, the batch commitments
/// `c_0..c_{2^t−1}` and the reserves `R_1..R_K` (in the book's asset order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolvencyStatement {
    /// The shape the keys were generated for.
    pub params: SolvencyParams,
    /// `C = commit(root, r_book)`; users check inclusion against it.
    pub book_commitment: Fr,
    /// `c_j = commit(batch node j, r_j)`, one per batch.
    pub batch_commitments: Vec<Fr>,
    /// The declared reserves, one per asset, each `< 2^128`.
    pub reserves: Vec<u128>,
}

impl SolvencyStatement {
    fn check_shape(&self) -> Result<(), SolvencyError> {
        if self.batch_commitments.len() != self.params.batches() {
            return Err(SolvencyError::ShapeMismatch {
                what: "batch commitments",
                expected: self.params.batches(),
                found: self.batch_commitments.len(),
            });
        }
        if self.reserves.len() != self.params.assets() {
            return Err(SolvencyError::AssetCountMismatch {
                expected: self.params.assets(),
                found: self.reserves.len(),
            });
        }
        Ok(())
    }

    /// The public inputs of batch `j`'s proof: `[c_j]`.
    pub fn batch_public_inputs(&self, batch: usize) -> Result<Vec<Fr>, SolvencyError> {
        self.batch_commitments
            .get(batch)
            .map(|c| vec![*c])
            .ok_or(SolvencyError::NoSuchBatch {
                batch,
                batches: self.batch_commitments.len(),
            })
    }

    /// The public inputs of the top proof: `[C, digest, R_1, ..., R_K]`, with
    /// `digest = chain(c_0, ..., c_{2^t−1})` recomputed here.
    pub fn top_public_inputs(&self) -> Result<Vec<Fr>, SolvencyError> {
        self.check_shape()?;
        let mut inputs = Vec::with_capacity(2 + self.reserves.len());
        inputs.push(self.book_commitment);
        inputs.push(batches_digest(&self.batch_commitments)?);
        inputs.extend(self.reserves.iter().map(|r| Fr::from(*r)));
        Ok(inputs)
    }
}

/// The top proof's private witness: the `2^t` batch nodes and every blinding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopWitness {
    /// The batch subtree nodes (hash and sums), in tree order.
    pub batch_nodes: Vec<SumNode>,
    /// The batch commitments' blindings `r_j`.
    pub batch_blindings: Vec<Fr>,
    /// The book commitment's blinding `r_book`.
    pub book_blinding: Fr,
}

/// The top of the book: public `[C, digest, R_1..R_K]`; proves that private batch nodes with
/// sums `< 2^(64+b)` open the batch commitments hashed into `digest`, hash (the sum tree's node
/// formula, sums added) to a root `N` with `C = commit(N, r_book)`, and `N.s_k ≤ R_k` for
/// every asset (`R_k − N.s_k` is range-checked to 128 bits).
#[derive(Debug, Clone)]
pub struct TopCircuit {
    /// The public statement the proof is for.
    pub statement: SolvencyStatement,
    /// The private witness.
    pub witness: TopWitness,
}

impl TopCircuit {
    /// A circuit of the right shape with dummy values, for key generation.
    pub fn blank(params: SolvencyParams) -> Self {
        let zero = Fr::from(0u64);
        Self {
            statement: SolvencyStatement {
                params,
                book_commitment: zero,
                batch_commitments: vec![zero; params.batches()],
                reserves: vec![0; params.assets()],
            },
            witness: TopWitness {
                batch_nodes: vec![
                    SumNode {
                        hash: zero,
                        sums: vec![0; params.assets()],
                    };
                    params.batches()
                ],
                batch_blindings: vec![zero; params.batches()],
                book_blinding: zero,
            },
        }
    }

    /// Checks that the statement and the witness have the shape of `statement.params`:
    /// `2^t` batch commitments, nodes and blindings, `K` reserves and `K` sums per node.
    pub(crate) fn check_shape(&self) -> Result<(), SolvencyError> {
        self.statement.check_shape()?;
        let params = &self.statement.params;
        let w = &self.witness;
        for (what, found) in [
            ("batch nodes", w.batch_nodes.len()),
            ("batch blindings", w.batch_blindings.len()),
        ] {
            if found != params.batches() {
                return Err(SolvencyError::ShapeMismatch {
                    what,
                    expected: params.batches(),
                    found,
                });
            }
        }
        match w
            .batch_nodes
            .iter()
            .find(|n| n.sums.len() != params.assets())
        {
            Some(n) => Err(SolvencyError::AssetCountMismatch {
                expected: params.assets(),
                found: n.sums.len(),
            }),
            None => Ok(()),
        }
    }
}

impl ConstraintSynthesizer<Fr> for TopCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.check_shape()
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        let public = self
            .statement
            .top_public_inputs()
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        let public = public
            .into_iter()
            .map(|x| FpVar::new_input(cs.clone(), || Ok(x)))
            .collect::<Result<Vec<_>, _>>()?;
        let (book_commitment, digest, reserves) = (&public[0], &public[1], &public[2..]);

        let sum_range = RangeBits::new(sum_bits(self.statement.params.batch_bits()))
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        let mut nodes = Vec::with_capacity(self.witness.batch_nodes.len());
        let mut commitments = Vec::with_capacity(self.witness.batch_nodes.len());
        for (node, blinding) in self
            .witness
            .batch_nodes
            .iter()
            .zip(&self.witness.batch_blindings)
        {
            let node = SumNodeVar::new_witness(cs.clone(), || Ok(node))?;
            for sum in &node.sums {
                range::enforce(sum, sum_range)?;
            }
            let blinding = FpVar::new_witness(cs.clone(), || Ok(*blinding))?;
            commitments.push(commit_node_var(&node, &blinding)?);
            nodes.push(node);
        }
        chain_var(&commitments)?.enforce_equal(digest)?;

        let root = fold_var(nodes)?;
        let book_blinding = FpVar::new_witness(cs, || Ok(self.witness.book_blinding))?;
        commit_node_var(&root, &book_blinding)?.enforce_equal(book_commitment)?;

        let reserve_range =
            RangeBits::new(RESERVE_BITS).map_err(|_| SynthesisError::Unsatisfiable)?;
        for (reserve, total) in reserves.iter().zip(&root.sums) {
            range::enforce(&(reserve - total), reserve_range)?;
        }
        Ok(())
    }
}
