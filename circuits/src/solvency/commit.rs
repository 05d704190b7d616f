//! Hiding commitments to sum-tree nodes, the batch digest, the blinding seed, and subtree
//! folding shared by the batch and top levels (natively and in R1CS).

use ark_ff::UniformRand;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;
use ark_std::rand::{CryptoRng, RngCore};

use crate::Fr;
use crate::poseidon::{self, PoseidonError};
use crate::sum_tree::{SumNode, SumNodeVar, chain, chain_var, node_hash_var};

/// `commit(node, r) = chain(node.hash, node.s_1, ..., node.s_K, r)`: binding to the node (hash
/// and sums) and, for a uniformly random `r`, hiding.
pub fn commit_node(node: &SumNode, blinding: Fr) -> Result<Fr, PoseidonError> {
    let mut inputs = Vec::with_capacity(node.sums.len() + 2);
    inputs.push(node.hash);
    inputs.extend(node.sums.iter().map(|s| Fr::from(*s)));
    inputs.push(blinding);
    chain(&inputs)
}

/// [`commit_node`] in R1CS.
pub fn commit_node_var(
    node: &SumNodeVar,
    blinding: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    let mut inputs = Vec::with_capacity(node.sums.len() + 2);
    inputs.push(node.hash.clone());
    inputs.extend_from_slice(&node.sums);
    inputs.push(blinding.clone());
    chain_var(&inputs)
}

/// `digest = chain(c_0, ..., c_{n-1})`: the top proof's one public input for all batch
/// commitments.
pub fn batches_digest(commitments: &[Fr]) -> Result<Fr, PoseidonError> {
    chain(commitments)
}

/// The custodian's one secret: every blinding is derived from it, `r_book = P(seed, 0)` and
/// `r_j = P(seed, j + 1)`, so `commit`, `prove` and `inclusion` runs agree without storing
/// `2^t + 1` blindings. Keep it as secret as the balances: it opens every commitment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BlindingSeed(Fr);

impl std::fmt::Debug for BlindingSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlindingSeed(..)")
    }
}

impl BlindingSeed {
    /// A fresh uniformly random seed.
    pub fn random(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        Self(Fr::rand(rng))
    }

    /// A seed from a stored field element (it must have been drawn uniformly at random).
    pub fn from_fr(seed: Fr) -> Self {
        Self(seed)
    }

    /// The seed, for storing it.
    pub fn to_fr(self) -> Fr {
        self.0
    }

    /// The book commitment's blinding, `P(seed, 0)`.
    pub fn book_blinding(&self) -> Fr {
        poseidon::hash_array([self.0, Fr::from(0u64)])
    }

    /// Batch `j`'s blinding, `P(seed, j + 1)`.
    pub fn batch_blinding(&self, batch: usize) -> Fr {
        poseidon::hash_array([self.0, Fr::from(batch as u64 + 1)])
    }
}

/// The root of the complete subtree over `nodes` (callers pass a power of two, at least
/// one), level by level; where both children are the empty subtree `empty` of their height,
/// the parent is reused instead of hashed again.
pub(super) fn fold(mut nodes: Vec<SumNode>, empty: SumNode) -> Result<SumNode, PoseidonError> {
    debug_assert!(nodes.len().is_power_of_two());
    let mut empty = empty;
    while nodes.len() > 1 {
        let parent_empty = SumNode::parent(&empty, &empty)?;
        nodes = nodes
            .chunks_exact(2)
            .map(|pair| {
                if pair[0] == empty && pair[1] == empty {
                    Ok(parent_empty.clone())
                } else {
                    SumNode::parent(&pair[0], &pair[1])
                }
            })
            .collect::<Result<_, _>>()?;
        empty = parent_empty;
    }
    Ok(nodes.swap_remove(0))
}

/// [`fold`] in R1CS: the root of the complete subtree over `nodes` (a power of two, at least
/// one); each level costs one node hash per pair, the sums are additions.
pub(super) fn fold_var(mut nodes: Vec<SumNodeVar>) -> Result<SumNodeVar, SynthesisError> {
    if !nodes.len().is_power_of_two() {
        return Err(SynthesisError::Unsatisfiable);
    }
    while nodes.len() > 1 {
        nodes = nodes
            .chunks_exact(2)
            .map(|pair| {
                let (l, r) = (&pair[0], &pair[1]);
                Ok(SumNodeVar {
                    hash: node_hash_var(&l.hash, &l.sums, &r.hash, &r.sums)?,
                    sums: l.sums.iter().zip(&r.sums).map(|(a, b)| a + b).collect(),
                })
            })
            .collect::<Result<_, SynthesisError>>()?;
    }
    Ok(nodes.swap_remove(0))
}
