//! The batch circuit: `2^b` leaves in range hash to a subtree node that opens the public
//! batch commitment.

use ark_ff::PrimeField;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::commit::{commit_node, commit_node_var, fold, fold_var};
use super::{SolvencyError, SolvencyParams};
use crate::Fr;
use crate::range::{self, RangeBits};
use crate::sum_tree::{SumLeaf, SumNode, SumNodeVar, leaf_hash, leaf_hash_var};

/// A user leaf as the circuit sees it: field elements, which the circuit range-checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafValues {
    /// The hashed user id.
    pub id_hash: Fr,
    /// One balance per asset.
    pub balances: Vec<Fr>,
}

impl From<&SumLeaf> for LeafValues {
    fn from(leaf: &SumLeaf) -> Self {
        Self {
            id_hash: leaf.id_hash(),
            balances: leaf.balances().iter().map(|b| Fr::from(*b)).collect(),
        }
    }
}

/// The private witness of one batch: `2^b` slots (`None`: the empty leaf, hash `0` and zero
/// balances) and the commitment's blinding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchWitness {
    /// The leaves, in tree order.
    pub slots: Vec<Option<LeafValues>>,
    /// The blinding `r_j` of the batch commitment.
    pub blinding: Fr,
}

impl BatchWitness {
    /// Checks the shape against `params`: `2^b` slots of `K` balances each.
    pub(crate) fn check_shape(&self, params: &SolvencyParams) -> Result<(), SolvencyError> {
        if self.slots.len() != params.batch_size() {
            return Err(SolvencyError::ShapeMismatch {
                what: "leaves in a batch",
                expected: params.batch_size(),
                found: self.slots.len(),
            });
        }
        match self
            .slots
            .iter()
            .flatten()
            .find(|s| s.balances.len() != params.assets())
        {
            Some(s) => Err(SolvencyError::AssetCountMismatch {
                expected: params.assets(),
                found: s.balances.len(),
            }),
            None => Ok(()),
        }
    }

    /// The batch's subtree node, natively; errors on a wrong shape or a balance `>= 2^64`.
    pub fn node(&self, params: &SolvencyParams) -> Result<SumNode, SolvencyError> {
        self.check_shape(params)?;
        let empty = SumNode {
            hash: Fr::from(0u64),
            sums: vec![0; params.assets()],
        };
        let leaves = self
            .slots
            .iter()
            .enumerate()
            .map(|(slot, values)| {
                let Some(values) = values else {
                    return Ok(empty.clone());
                };
                let balances = values
                    .balances
                    .iter()
                    .enumerate()
                    .map(|(asset, b)| {
                        let limbs = b.into_bigint().0;
                        match limbs {
                            [low, 0, 0, 0] => Ok(low),
                            _ => Err(SolvencyError::BalanceOutOfRange { slot, asset }),
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(SumNode {
                    hash: leaf_hash(values.id_hash, &balances)?,
                    sums: balances.into_iter().map(u128::from).collect(),
                })
            })
            .collect::<Result<Vec<_>, SolvencyError>>()?;
        Ok(fold(leaves, empty)?)
    }

    /// The batch commitment `c_j = commit(node, r_j)`, natively.
    pub fn commitment(&self, params: &SolvencyParams) -> Result<Fr, SolvencyError> {
        Ok(commit_node(&self.node(params)?, self.blinding)?)
    }
}

/// One batch: public input `c_j`; proves that the `2^b` private slots, each an empty leaf or
/// a user with every balance `< 2^64`, hash to a subtree node `N` with `c_j = commit(N, r_j)`.
///
/// Per slot: one booleanity constraint for the empty flag; per balance a 64-bit range check
/// (65) and one constraint forcing it to zero in an empty slot; the leaf hash and one
/// constraint to replace it by `0` in an empty slot. Then `2^b − 1` node hashes and the
/// commitment. Sums are additions of range-checked values: a batch sum is `< 2^(64+b)`.
#[derive(Debug, Clone)]
pub struct BatchCircuit {
    params: SolvencyParams,
    /// The public batch commitment `c_j` the proof is for.
    pub commitment: Fr,
    /// The private witness.
    pub witness: BatchWitness,
}

impl BatchCircuit {
    /// The honest circuit for `witness`: its commitment is computed natively.
    pub fn new(params: SolvencyParams, witness: BatchWitness) -> Result<Self, SolvencyError> {
        Ok(Self {
            params,
            commitment: witness.commitment(&params)?,
            witness,
        })
    }

    /// A circuit from a commitment already computed (by [`CommittedBook`](super::CommittedBook)).
    pub(super) fn from_parts(
        params: SolvencyParams,
        commitment: Fr,
        witness: BatchWitness,
    ) -> Self {
        Self {
            params,
            commitment,
            witness,
        }
    }

    /// A circuit of the right shape with dummy values, for key generation.
    pub fn blank(params: SolvencyParams) -> Self {
        Self {
            params,
            commitment: Fr::from(0u64),
            witness: BatchWitness {
                slots: vec![None; params.batch_size()],
                blinding: Fr::from(0u64),
            },
        }
    }

    /// The parameters.
    pub fn params(&self) -> &SolvencyParams {
        &self.params
    }

    /// The public inputs: `[c_j]`.
    pub fn public_inputs(&self) -> Vec<Fr> {
        vec![self.commitment]
    }
}

impl ConstraintSynthesizer<Fr> for BatchCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.witness
            .check_shape(&self.params)
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        let commitment = FpVar::new_input(cs.clone(), || Ok(self.commitment))?;
        let zero = FpVar::zero();
        let zeros = vec![Fr::from(0u64); self.params.assets()];
        let mut leaves = Vec::with_capacity(self.witness.slots.len());
        for slot in &self.witness.slots {
            let is_empty = Boolean::new_witness(cs.clone(), || Ok(slot.is_none()))?;
            let (id_hash, balances) = match slot {
                Some(v) => (v.id_hash, v.balances.as_slice()),
                None => (Fr::from(0u64), zeros.as_slice()),
            };
            let id_hash = FpVar::new_witness(cs.clone(), || Ok(id_hash))?;
            let balances = balances
                .iter()
                .map(|b| FpVar::new_witness(cs.clone(), || Ok(*b)))
                .collect::<Result<Vec<_>, _>>()?;
            let empty = FpVar::from(is_empty.clone());
            for balance in &balances {
                range::enforce(balance, RangeBits::U64)?;
                empty.mul_equals(balance, &zero)?;
            }
            let hash = leaf_hash_var(&id_hash, &balances)?;
            leaves.push(SumNodeVar {
                hash: is_empty.select(&zero, &hash)?,
                sums: balances,
            });
        }
        let blinding = FpVar::new_witness(cs, || Ok(self.witness.blinding))?;
        commit_node_var(&fold_var(leaves)?, &blinding)?.enforce_equal(&commitment)
    }
}
