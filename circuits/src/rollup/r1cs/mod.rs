//! The rollup circuit: `B` uniform slots, then the operator's fee credit.
//!
//! Public inputs, in order: `old_root`, `new_root`, `commitment`. Each slot (see [`slot`])
//! performs two leaf updates — `A` at `from`, `B` at `to` — gated by one-hot kind flags,
//! verifies one EdDSA signature, range-checks every amount and new balance to 64 bits and
//! extends the L1 data chain. After the slots, the fee total is credited to the operator with
//! a third kind of update and the chain is closed with the operator's index.
//!
//! Costs are measured by `rollup_circuit::constraint_counts` (ignored test; run it with
//! `--ignored --nocapture`).

mod slot;

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::tree::{AccountPathVar, path_depth};
use super::{BatchWitness, RollupError, RollupParams};
use crate::Fr;
use crate::poseidon;
use crate::range::{RangeBits, enforce};
use slot::{AccountVar, Running};

/// The rollup state-transition circuit for parameters `(D, B)`.
#[derive(Clone, Debug)]
pub struct RollupCircuit {
    params: RollupParams,
    witness: BatchWitness,
}

impl RollupCircuit {
    /// A circuit over `witness`; errors unless it has exactly `B` slots and depth-`D` paths.
    pub fn new(params: RollupParams, witness: BatchWitness) -> Result<Self, RollupError> {
        if witness.slots.len() != params.batch_size() {
            return Err(RollupError::WitnessShape(
                "slot count differs from the batch size",
            ));
        }
        let depth_ok = std::iter::once(&witness.operator)
            .chain(witness.slots.iter().flat_map(|s| [&s.sender, &s.receiver]))
            .all(|u| path_depth(&u.path) == params.depth());
        if !depth_ok {
            return Err(RollupError::WitnessShape(
                "a path's depth differs from the tree depth",
            ));
        }
        Ok(Self { params, witness })
    }

    /// A circuit of the same shape with zero values, for key generation.
    pub fn blank(params: RollupParams) -> Result<Self, RollupError> {
        Self::new(params, BatchWitness::blank(&params)?)
    }

    /// The parameters.
    pub fn params(&self) -> &RollupParams {
        &self.params
    }

    /// The public inputs `[old_root, new_root, commitment]`.
    pub fn public_inputs(&self) -> [Fr; 3] {
        self.witness.public_inputs()
    }
}

impl ConstraintSynthesizer<Fr> for RollupCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let w = &self.witness;
        let old_root = FpVar::new_input(cs.clone(), || Ok(w.old_root))?;
        let new_root = FpVar::new_input(cs.clone(), || Ok(w.new_root))?;
        let commitment = FpVar::new_input(cs.clone(), || Ok(w.commitment))?;

        let mut run = Running {
            root: old_root,
            chain: FpVar::zero(),
            fees: FpVar::zero(),
        };
        for s in &w.slots {
            slot::synthesize(cs.clone(), s, &mut run)?;
        }

        // The operator exists (its old leaf is a Poseidon image, never the empty leaf 0)
        // and receives the fee total; the sum of B fees below 2^64 each cannot wrap.
        let operator = AccountVar::new_witness(cs.clone(), &w.operator.before)?;
        let path = AccountPathVar::new_witness(cs.clone(), || Ok(&w.operator.path))?;
        let balance = &operator.balance + &run.fees;
        enforce(&balance, RangeBits::U64)?;
        let old_leaf = operator.leaf()?;
        let new_leaf = operator.leaf_with(&balance, &operator.nonce)?;
        path.update(&old_leaf, &new_leaf, &run.root)?
            .enforce_equal(&new_root)?;

        let index = Boolean::le_bits_to_fp(path.index_bits())?;
        poseidon::r1cs::hash(&[run.chain, index])?.enforce_equal(&commitment)
    }
}
