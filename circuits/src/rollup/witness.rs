//! The witness builder: applies a valid batch to the state and records everything the
//! circuit consumes.

use ark_ff::AdditiveGroup;

use super::check::{Credit, Debit, plan};
use super::commitment::{commitment, pubdata};
use super::ops::{OpKind, noop_signature};
use super::tree::blank_path;
use super::{AccountFields, AccountPath, Batch, Operation, RollupError, RollupParams, State};
use crate::Fr;
use crate::eddsa::Signature;

/// One leaf update: the account before and after, the old leaf and its path (taken in the
/// tree as it stands just before this update).
///
/// A slot half that does not touch an account (the sender half of a deposit or a no-op, the
/// receiver half of a withdrawal or a no-op) is a no-change update at index 0 with zero
/// account fields; `leaf` is then whatever leaf 0 holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateWitness {
    /// The account's fields before the update.
    pub before: AccountFields,
    /// The account's fields after the update.
    pub after: AccountFields,
    /// The leaf before the update (`0` for an account a deposit creates).
    pub leaf: Fr,
    /// The path of the updated leaf.
    pub path: AccountPath,
}

/// One batch slot: an operation or no-op padding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotWitness {
    /// The slot kind.
    pub kind: OpKind,
    /// The amount (`0` for a no-op).
    pub amount: Fr,
    /// The fee (`0` for deposits and no-ops).
    pub fee: Fr,
    /// The withdrawal's L1 address (`0` for the other kinds).
    pub l1_address: Fr,
    /// The sender half: debit of `from` (transfers, withdrawals) or no change.
    pub sender: UpdateWitness,
    /// The receiver half: credit of `to` (transfers, deposits) or no change. For a deposit
    /// its `before.public_key` is the deposit's key.
    pub receiver: UpdateWitness,
    /// Whether a deposit creates the receiver's account (its leaf was empty).
    pub receiver_is_new: bool,
    /// The sender's signature, or [`noop_signature`] for unsigned slots.
    pub signature: Signature,
}

/// Everything the rollup circuit consumes for one batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchWitness {
    /// Exactly `B` slots, operations first, then no-op padding.
    pub slots: Vec<SlotWitness>,
    /// The operator's fee credit, after all slots.
    pub operator: UpdateWitness,
    /// The root before the batch.
    pub old_root: Fr,
    /// The root after the batch.
    pub new_root: Fr,
    /// The L1 data commitment (see [`super::commitment`]).
    pub commitment: Fr,
}

impl BatchWitness {
    /// The circuit's public inputs, in order: `[old_root, new_root, commitment]`.
    pub fn public_inputs(&self) -> [Fr; 3] {
        [self.old_root, self.new_root, self.commitment]
    }

    /// A witness of the circuit's shape with zero values (for key generation).
    pub fn blank(params: &RollupParams) -> Result<Self, RollupError> {
        let update = || -> Result<UpdateWitness, RollupError> {
            Ok(UpdateWitness {
                before: AccountFields::ZERO,
                after: AccountFields::ZERO,
                leaf: Fr::ZERO,
                path: blank_path(params.depth())?,
            })
        };
        let slot = SlotWitness {
            kind: OpKind::Noop,
            amount: Fr::ZERO,
            fee: Fr::ZERO,
            l1_address: Fr::ZERO,
            sender: update()?,
            receiver: update()?,
            receiver_is_new: false,
            signature: noop_signature(),
        };
        Ok(Self {
            slots: vec![slot; params.batch_size()],
            operator: update()?,
            old_root: Fr::ZERO,
            new_root: Fr::ZERO,
            commitment: Fr::ZERO,
        })
    }
}

/// Checks `batch` (see [`super::check()`]), applies it to `state` and returns the witness.
/// On error `state` is unchanged.
pub fn build_witness(
    state: &mut State,
    batch: &Batch,
    params: &RollupParams,
) -> Result<BatchWitness, RollupError> {
    let plan = plan(state, batch, params)?;
    let old_root = state.root();
    let mut slots = Vec::with_capacity(params.batch_size());
    let mut data = Vec::with_capacity(params.batch_size());
    for step in &plan.steps {
        let sender = match &step.debit {
            Some(d) => debit(state, d)?,
            None => unchanged(state)?,
        };
        let receiver = match &step.credit {
            Some(c) => credit(state, c)?,
            None => unchanged(state)?,
        };
        let (amount, fee, l1_address, signature) = match step.op {
            Operation::Transfer(t) => (t.amount, t.fee, Fr::ZERO, t.signature),
            Operation::Deposit(d) => (d.amount, 0, Fr::ZERO, noop_signature()),
            Operation::Withdrawal(w) => (w.amount, w.fee, w.l1_address, w.signature),
        };
        slots.push(SlotWitness {
            kind: step.op.kind(),
            amount: Fr::from(amount),
            fee: Fr::from(fee),
            l1_address,
            sender,
            receiver,
            receiver_is_new: step.credit.is_some_and(|c| c.before.is_none()),
            signature,
        });
        data.push(pubdata(Some(&step.op)));
    }
    while slots.len() < params.batch_size() {
        slots.push(SlotWitness {
            kind: OpKind::Noop,
            amount: Fr::ZERO,
            fee: Fr::ZERO,
            l1_address: Fr::ZERO,
            sender: unchanged(state)?,
            receiver: unchanged(state)?,
            receiver_is_new: false,
            signature: noop_signature(),
        });
        data.push(pubdata(None));
    }
    let operator = debit(state, &plan.operator)?;
    Ok(BatchWitness {
        slots,
        operator,
        old_root,
        new_root: state.root(),
        commitment: commitment(&data, batch.operator),
    })
}

/// Records and applies the update of an existing account.
fn debit(state: &mut State, d: &Debit) -> Result<UpdateWitness, RollupError> {
    let path = state.path(d.index)?;
    state.insert(d.index, d.after)?;
    Ok(UpdateWitness {
        before: d.before.into(),
        after: d.after.into(),
        leaf: d.before.leaf(),
        path,
    })
}

/// Records and applies a credit, creating the account if new.
fn credit(state: &mut State, c: &Credit) -> Result<UpdateWitness, RollupError> {
    let path = state.path(c.index)?;
    let (before, leaf) = match c.before {
        Some(a) => (a.into(), a.leaf()),
        None => (
            AccountFields {
                public_key: c.after.public_key,
                ..AccountFields::ZERO
            },
            Fr::ZERO,
        ),
    };
    state.insert(c.index, c.after)?;
    Ok(UpdateWitness {
        before,
        after: c.after.into(),
        leaf,
        path,
    })
}

/// A no-change update at index 0.
fn unchanged(state: &State) -> Result<UpdateWitness, RollupError> {
    Ok(UpdateWitness {
        before: AccountFields::ZERO,
        after: AccountFields::ZERO,
        leaf: state.leaf(0)?,
        path: state.path(0)?,
    })
}
