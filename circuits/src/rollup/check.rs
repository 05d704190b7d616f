//! Native validation: [`check`] replays a batch over an overlay of the touched accounts and
//! names the first broken rule; the witness builder applies the same [`Plan`] to the tree.

use std::collections::BTreeMap;

use ark_ff::{BigInteger, PrimeField};

use super::ops::{Deposit, L1_ADDRESS_BITS, Transfer, Withdrawal, noop_public_key};
use super::{Account, Batch, Operation, RollupError, RollupParams, Rule, State};
use crate::Fr;
use crate::babyjubjub::Point;
use crate::eddsa::{Signature, verify_poseidon};

/// An account debited by a signed operation: its state before and after.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Debit {
    pub(crate) index: u64,
    pub(crate) before: Account,
    pub(crate) after: Account,
}

/// An account credited by a transfer or a deposit; `before` is `None` for a new account.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Credit {
    pub(crate) index: u64,
    pub(crate) before: Option<Account>,
    pub(crate) after: Account,
}

/// The effect of one valid operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Step {
    pub(crate) op: Operation,
    pub(crate) debit: Option<Debit>,
    pub(crate) credit: Option<Credit>,
}

/// The effects of a valid batch, in order, and the operator's fee credit.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) steps: Vec<Step>,
    pub(crate) operator: Debit,
}

/// Checks a batch against a state without touching it: the first broken rule is returned
/// with the operation's index; `Ok` means the witness builder will succeed.
pub fn check(state: &State, batch: &Batch, params: &RollupParams) -> Result<(), RollupError> {
    plan(state, batch, params).map(drop)
}

/// Validates a batch and computes its effects.
pub(crate) fn plan(
    state: &State,
    batch: &Batch,
    params: &RollupParams,
) -> Result<Plan, RollupError> {
    if state.depth() != params.depth() {
        return Err(RollupError::DepthMismatch {
            state: state.depth(),
            params: params.depth(),
        });
    }
    if batch.operations.len() > params.batch_size() {
        return Err(RollupError::BatchTooLarge {
            len: batch.operations.len(),
            max: params.batch_size(),
        });
    }
    let mut view = View {
        state,
        touched: BTreeMap::new(),
    };
    let mut fees = 0u128;
    let mut steps = Vec::with_capacity(batch.operations.len());
    for (index, op) in batch.operations.iter().enumerate() {
        let step = view
            .step(op)
            .map_err(|rule| RollupError::Operation { index, rule })?;
        if let Operation::Transfer(Transfer { fee, .. })
        | Operation::Withdrawal(Withdrawal { fee, .. }) = op
        {
            fees += u128::from(*fee);
        }
        steps.push(step);
    }
    let operator = batch.operator;
    if operator >> state.depth() != 0 {
        return Err(RollupError::OperatorOutOfRange {
            operator,
            depth: state.depth(),
        });
    }
    let before = view
        .get(operator)
        .ok_or(RollupError::UnknownOperator { operator })?;
    let balance = u64::try_from(u128::from(before.balance) + fees).map_err(|_| {
        RollupError::OperatorOverflow {
            balance: before.balance,
            fees,
        }
    })?;
    Ok(Plan {
        steps,
        operator: Debit {
            index: operator,
            before,
            after: Account { balance, ..before },
        },
    })
}

/// The state seen through the accounts the batch has already changed.
struct View<'a> {
    state: &'a State,
    touched: BTreeMap<u64, Account>,
}

impl View<'_> {
    fn get(&self, index: u64) -> Option<Account> {
        self.touched
            .get(&index)
            .or_else(|| self.state.get(index))
            .copied()
    }

    fn in_range(&self, index: u64) -> Result<(), Rule> {
        let depth = self.state.depth();
        if index >> depth == 0 {
            Ok(())
        } else {
            Err(Rule::IndexOutOfRange { index, depth })
        }
    }

    fn existing(&self, index: u64) -> Result<Account, Rule> {
        self.in_range(index)?;
        self.get(index).ok_or(Rule::UnknownAccount { index })
    }

    fn step(&mut self, op: &Operation) -> Result<Step, Rule> {
        let (debit, credit) = match *op {
            Operation::Transfer(t) => {
                self.in_range(t.to)?;
                let msg = Transfer::message(t.from, t.to, t.amount, t.fee, t.nonce);
                let debit = self.debit(t.from, t.nonce, t.amount, t.fee, msg, &t.signature)?;
                // The receiver sees the debit: `from = to` is a self-transfer.
                self.touched.insert(debit.index, debit.after);
                let receiver = self.existing(t.to)?;
                (Some(debit), Some(credit(t.to, Some(receiver), t.amount)?))
            }
            Operation::Deposit(Deposit {
                to,
                public_key,
                amount,
            }) => {
                self.in_range(to)?;
                let before = self.get(to);
                match before {
                    Some(a) if a.public_key != public_key => {
                        return Err(Rule::DepositToAnotherKey { index: to });
                    }
                    None if public_key == noop_public_key() => return Err(Rule::ReservedKey),
                    _ => {}
                }
                let start = before.unwrap_or(Account::new(public_key));
                let mut c = credit(to, Some(start), amount)?;
                c.before = before;
                (None, Some(c))
            }
            Operation::Withdrawal(w) => {
                if !fits_bits(&w.l1_address, L1_ADDRESS_BITS) {
                    return Err(Rule::L1AddressTooLarge);
                }
                let msg = Withdrawal::message(w.from, w.l1_address, w.amount, w.fee, w.nonce);
                let debit = self.debit(w.from, w.nonce, w.amount, w.fee, msg, &w.signature)?;
                (Some(debit), None)
            }
        };
        if let Some(d) = &debit {
            self.touched.insert(d.index, d.after);
        }
        if let Some(c) = &credit {
            self.touched.insert(c.index, c.after);
        }
        Ok(Step {
            op: *op,
            debit,
            credit,
        })
    }

    /// Validates a signed debit of `amount + fee` from `from`.
    fn debit(
        &self,
        from: u64,
        nonce: u64,
        amount: u64,
        fee: u64,
        msg: Fr,
        signature: &Signature,
    ) -> Result<Debit, Rule> {
        let before = self.existing(from)?;
        if nonce != before.nonce {
            return Err(Rule::WrongNonce {
                expected: before.nonce,
                got: nonce,
            });
        }
        verify(&before.public_key, msg, signature)?;
        let needed = u128::from(amount) + u128::from(fee);
        let balance = u128::from(before.balance)
            .checked_sub(needed)
            .and_then(|b| u64::try_from(b).ok())
            .ok_or(Rule::InsufficientBalance {
                balance: before.balance,
                needed,
            })?;
        let nonce = before
            .nonce
            .checked_add(1)
            .ok_or(Rule::NonceOverflow { nonce })?;
        Ok(Debit {
            index: from,
            before,
            after: Account {
                balance,
                nonce,
                ..before
            },
        })
    }
}

fn verify(key: &Point, msg: Fr, signature: &Signature) -> Result<(), Rule> {
    verify_poseidon(key, msg, signature).map_err(Rule::BadSignature)
}

/// Credits `amount` to `before` (which the caller has resolved).
fn credit(index: u64, before: Option<Account>, amount: u64) -> Result<Credit, Rule> {
    let start = before.ok_or(Rule::UnknownAccount { index })?;
    let balance = start
        .balance
        .checked_add(amount)
        .ok_or(Rule::BalanceOverflow {
            balance: start.balance,
            amount,
        })?;
    Ok(Credit {
        index,
        before,
        after: Account { balance, ..start },
    })
}

/// Whether `value < 2^bits`.
fn fits_bits(value: &Fr, bits: usize) -> bool {
    value.into_bigint().num_bits() as usize <= bits
}
