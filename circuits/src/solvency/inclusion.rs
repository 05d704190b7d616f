//! The per-user inclusion proof: a user's entry is a leaf of the book committed in `C`,
//! zero-knowledge of the position, the siblings' hashes and sums, and the totals.

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::commit::{commit_node, commit_node_var};
use super::{SolvencyError, SolvencyParams};
use crate::Fr;
use crate::sum_tree::{SumLeaf, SumLeafVar, SumNode, SumPath, SumPathVar, hash_user_id};

/// What a user checks: the published book commitment, their own hashed id and balances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionClaim {
    /// The published `C`.
    pub book_commitment: Fr,
    /// `hash_user_id(id)`.
    pub id_hash: Fr,
    /// The user's balances, in the book's asset order.
    pub balances: Vec<u64>,
}

impl InclusionClaim {
    /// The claim a user makes from their own id (bytes as in the CSV) and balances.
    pub fn new(book_commitment: Fr, id: &str, balances: Vec<u64>) -> Result<Self, SolvencyError> {
        Ok(Self {
            book_commitment,
            id_hash: hash_user_id(id.as_bytes())?,
            balances,
        })
    }

    /// The public inputs the proof is verified against: `[C, id_hash, b_1, ..., b_K]`.
    pub fn public_inputs(&self) -> Vec<Fr> {
        let mut inputs = Vec::with_capacity(2 + self.balances.len());
        inputs.push(self.book_commitment);
        inputs.push(self.id_hash);
        inputs.extend(self.balances.iter().map(|b| Fr::from(*b)));
        inputs
    }

    fn leaf(&self) -> SumLeaf {
        SumLeaf::from_id_hash(self.id_hash, self.balances.clone())
    }
}

/// The custodian's private part of an inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionWitness {
    /// The user's path in the book's sum tree (depth `d`).
    pub path: SumPath,
    /// The book commitment's blinding `r_book`.
    pub book_blinding: Fr,
}

/// Public `[C, id_hash, b_1..b_K]`; proves the leaf `(id_hash, b_1..b_K)` lies at a private
/// position of a sum tree of depth `d` whose root `N` (recomputed with range-checked sibling
/// sums, see [`SumPathVar::compute_root`]) satisfies `C = commit(N, r_book)`.
#[derive(Debug, Clone)]
pub struct InclusionCircuit {
    params: SolvencyParams,
    /// The public claim.
    pub claim: InclusionClaim,
    /// The private witness.
    pub witness: InclusionWitness,
}

impl InclusionCircuit {
    /// A circuit for `claim` and `witness` (checked only when proving or by [`Self::check`]).
    pub fn new(params: SolvencyParams, claim: InclusionClaim, witness: InclusionWitness) -> Self {
        Self {
            params,
            claim,
            witness,
        }
    }

    /// A circuit of the right shape with dummy values, for key generation.
    pub fn blank(params: SolvencyParams) -> Self {
        let zero = Fr::from(0u64);
        let sibling = SumNode {
            hash: zero,
            sums: vec![0; params.assets()],
        };
        let path = SumPath::new(0, vec![sibling; params.depth()])
            .expect("SolvencyParams keeps the depth in 1..=32 and index 0 is in range");
        Self {
            params,
            claim: InclusionClaim {
                book_commitment: zero,
                id_hash: zero,
                balances: vec![0; params.assets()],
            },
            witness: InclusionWitness {
                path,
                book_blinding: zero,
            },
        }
    }

    /// The parameters.
    pub fn params(&self) -> &SolvencyParams {
        &self.params
    }

    /// Checks natively what the circuit enforces.
    pub fn check(&self) -> Result<(), SolvencyError> {
        self.check_shape()?;
        let root = self.witness.path.compute_root(&self.claim.leaf())?;
        if commit_node(&root, self.witness.book_blinding)? == self.claim.book_commitment {
            Ok(())
        } else {
            Err(SolvencyError::NotIncluded)
        }
    }

    pub(crate) fn check_shape(&self) -> Result<(), SolvencyError> {
        let depth = self.witness.path.siblings().len();
        if depth != self.params.depth() {
            return Err(SolvencyError::ShapeMismatch {
                what: "path levels",
                expected: self.params.depth(),
                found: depth,
            });
        }
        if self.claim.balances.len() != self.params.assets() {
            return Err(SolvencyError::AssetCountMismatch {
                expected: self.params.assets(),
                found: self.claim.balances.len(),
            });
        }
        Ok(())
    }
}

impl ConstraintSynthesizer<Fr> for InclusionCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.check_shape()
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        let book_commitment = FpVar::new_input(cs.clone(), || Ok(self.claim.book_commitment))?;
        let leaf = SumLeafVar::new_input(cs.clone(), || Ok(self.claim.leaf()))?;
        let path = SumPathVar::new_witness(cs.clone(), || Ok(&self.witness.path))?;
        let blinding = FpVar::new_witness(cs, || Ok(self.witness.book_blinding))?;
        let root = path.compute_root(&leaf)?;
        commit_node_var(&root, &blinding)?.enforce_equal(&book_commitment)
    }
}
