//! The rollup circuit: `B` uniform slots, then the operator's fee credit.
//!
//! Public inputs, in order: `old_root`, `new_root`, `commitment`. Each slot performs two leaf
//! updates — `A` at `from`, `B` at `to` — gated by one-hot kind flags, verifies one EdDSA
//! signature, range-checks every amount and new balance to 64 bits and extends the L1 data
//! chain. After the slots, the fee total is credited to the operator with
//! a third kind of update and the chain is closed with the operator's index.
//!
//! # A slot
//!
//! Kind flags `{noop, transfer, deposit, withdrawal}` are booleans summing to 1;
//! `signed = transfer + withdrawal`, `credits = transfer + deposit`.
//!
//! * **Update A** (at `from`): if `signed`, the old leaf is `Poseidon(sender)` and the new
//!   leaf `Poseidon(pk, balance − amount − fee, nonce + 1)`; otherwise old = new = a free leaf
//!   at any index (pubdata forces `from = 0` for deposits and no-ops).
//! * **Update B** (at `to`, against the root after A, so `from = to` is a self-transfer that
//!   pays only the fee): if `credits`, the old leaf is `Poseidon(receiver)` — or `0` when a
//!   deposit creates the account (`is_new`, which forces balance and nonce 0) — and the new
//!   leaf `Poseidon(pk, balance + amount, nonce)`; otherwise no change. A transfer's receiver
//!   therefore exists (no Poseidon preimage of 0 is known); a deposit's key is the receiver's
//!   key and is published, so the L1 contract checks it.
//! * **Signature**: one EdDSA verification per slot. Signed slots verify the sender's key on
//!   `Poseidon(tag, from, to | l1_address, amount, fee, nonce)`; unsigned slots verify
//!   [`noop_public_key`](super::noop_public_key) on message `0`. Sound because an unsigned
//!   slot never debits: A is a no-change update and B only credits, which for a deposit L1
//!   authorises through the commitment. (The no-op key's private key is public; `check`
//!   refuses deposits that would create an account under it.)
//! * **Ranges**: amount, fee, both new balances and `nonce + 1` below `2^64` (so no underflow
//!   wraps into a large balance and no credit overflows); `l1_address` below `2^160` and zero
//!   unless a withdrawal; `from`, `to` are the path index bits.
//!
//! Costs (4-ary account tree), measured by `cargo test -p bulwark-circuits --test
//! rollup_circuit constraint_count -- --include-ignored --nocapture`:
//!
//! | | D = 24 | D = 32 |
//! |---|---|---|
//! | per slot, `count(B = 2) − count(B = 1)` | 20,721 | 25,545 |
//! | total, B = 1 | 28,856 | 36,092 |
//! | total, B = 4 / B = 16 | 91,019 / 339,671 | |
//!
//! A slot at `D = 32`: four quad-path root computations ≈ 19,300 (16 × Poseidon(4) + placing
//! each), EdDSA ≈ 3,900, five Poseidon(4) (four leaves, one chain link) ≈ 1,500, the message
//! Poseidon(6) ≈ 350, range checks ≈ 490, the rest a few dozen. The fixed part (operator
//! credit, commitment) is ≈ 10,500.

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

    /// The witness (the halo2 circuit consumes the same one).
    pub fn witness(&self) -> &BatchWitness {
        &self.witness
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
