//! The rollup state-transition statement: a batch of signed L2 operations moves the account
//! tree from `old_root` to `new_root`, and nothing else could have.
//!
//! * **Accounts** ([`Account`]): leaf `Poseidon(pk_x, pk_y, balance, nonce)` at the account's
//!   index; an empty leaf is `0`. Balances, amounts, fees and nonces are `u64`.
//! * **Operations** ([`Operation`]): a [`Transfer`] (signed by the sender over
//!   `Poseidon(TRANSFER_TAG, from, to, amount, fee, nonce)`), a [`Deposit`] from L1 (credits
//!   `to`, creating it with nonce 0 when empty; an existing account's key must match) and a
//!   [`Withdrawal`] (signed over `Poseidon(WITHDRAW_TAG, from, l1_address, amount, fee,
//!   nonce)`; debits `amount + fee`, exports `amount`). A signed operation carries the
//!   sender's current nonce, which then increments. Fees accumulate over the batch and are
//!   credited to the batch's `operator` account once, at the end.
//! * **Native model**: [`check`] explains why a batch is invalid before any proving time is
//!   spent; [`build_witness`] applies a valid batch to a [`State`] and returns the
//!   [`BatchWitness`]; [`sample`] builds deterministic demo batches.
//! * **Public inputs**: `[old_root, new_root, commitment]`, the last being the L1 data
//!   commitment of [`commitment`].
//! * **Circuit**: [`RollupCircuit`], one uniform slot per operation (see [`r1cs`]).

mod account;
mod check;
pub mod commitment;
mod error;
mod json;
mod ops;
pub mod r1cs;
pub mod sample;
mod state;
mod tree;
mod witness;

pub use account::{Account, AccountFields};
pub use check::check;
pub use error::{RollupError, Rule};
pub use ops::{
    Batch, Deposit, L1_ADDRESS_BITS, OpKind, Operation, TRANSFER_TAG, Transfer, WITHDRAW_TAG,
    Withdrawal, noop_public_key, noop_signature,
};
pub use r1cs::RollupCircuit;
pub use state::State;
pub use tree::AccountPath;
pub use witness::{BatchWitness, SlotWitness, UpdateWitness, build_witness};

/// The default tree depth: `2^24` accounts.
pub const DEFAULT_DEPTH: usize = 24;

/// The circuit's shape: tree depth `D` and slots per batch `B` (fixed per proving key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RollupParams {
    depth: usize,
    batch_size: usize,
}

impl RollupParams {
    /// Validates `1 <= depth <= 32` and `batch_size >= 1`.
    pub fn new(depth: usize, batch_size: usize) -> Result<Self, RollupError> {
        if !(crate::merkle::MIN_DEPTH..=crate::merkle::MAX_DEPTH).contains(&depth) {
            return Err(RollupError::InvalidDepth { depth });
        }
        if batch_size == 0 {
            return Err(RollupError::ZeroBatchSize);
        }
        Ok(Self { depth, batch_size })
    }

    /// [`DEFAULT_DEPTH`] with `batch_size` slots.
    pub fn with_batch_size(batch_size: usize) -> Result<Self, RollupError> {
        Self::new(DEFAULT_DEPTH, batch_size)
    }

    /// The tree depth `D`.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The slots per batch `B`.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }
}
