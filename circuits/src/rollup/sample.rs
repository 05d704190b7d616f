//! Deterministic sample states and batches (the CLI's `bulwark demo`, benches, tests).
//!
//! Account `i` of seed `s` is owned by [`private_key`]`(s, i)` and starts with
//! [`INITIAL_BALANCE`]; account 0 is the operator. [`demo`] fills all `B` slots: slot 0 a
//! transfer, slot 1 a deposit that creates account `accounts`, slot 2 a withdrawal, the rest
//! transfers between consecutive accounts; every operation is signed and valid.

use std::collections::HashMap;

use super::{
    Account, Batch, Deposit, Operation, RollupError, RollupParams, State, Transfer, Withdrawal,
};
use crate::Fr;
use crate::eddsa::public_key;

/// Every sample account's starting balance.
pub const INITIAL_BALANCE: u64 = 1_000_000;

/// A sample state, a valid batch over it and the private keys of its accounts.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The state before the batch.
    pub state: State,
    /// A valid batch of exactly `B` operations.
    pub batch: Batch,
    /// `private_keys[i]` owns account `i` (one more key for the account the deposit creates).
    pub private_keys: Vec<[u8; 32]>,
}

/// The deterministic private key of account `index` under `seed`.
pub fn private_key(seed: u64, index: u64) -> [u8; 32] {
    let mut key = *b"........bulwark sample.key......";
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[24..].copy_from_slice(&index.to_le_bytes());
    key
}

/// A state of `accounts` accounts (indices `0..accounts`) with [`INITIAL_BALANCE`] each.
pub fn state(depth: usize, accounts: u64, seed: u64) -> Result<State, RollupError> {
    State::from_accounts(
        depth,
        (0..accounts).map(|i| {
            let mut a = Account::new(public_key(&private_key(seed, i)));
            a.balance = INITIAL_BALANCE;
            (i, a)
        }),
    )
}

/// A sample state of `accounts` accounts and a full batch of `params.batch_size()` signed
/// operations; errors unless `2 <= accounts < 2^depth` (the deposit needs a free index).
pub fn demo(params: &RollupParams, accounts: u64, seed: u64) -> Result<Sample, RollupError> {
    if accounts < 2 || (accounts >> params.depth()) != 0 {
        return Err(RollupError::SampleSize {
            accounts,
            depth: params.depth(),
        });
    }
    let state = state(params.depth(), accounts, seed)?;
    let private_keys: Vec<[u8; 32]> = (0..=accounts).map(|i| private_key(seed, i)).collect();
    let mut nonces: HashMap<u64, u64> = HashMap::new();
    let mut next_nonce = |from: u64| {
        let n = nonces.entry(from).or_insert(0);
        *n += 1;
        *n - 1
    };
    let sender_count = accounts - 1;
    let operations = (0..params.batch_size() as u64)
        .map(|k| {
            let from = 1 + k % sender_count;
            let key = &private_keys[from as usize];
            match k {
                1 => Operation::Deposit(Deposit::for_key(
                    &private_keys[accounts as usize],
                    accounts,
                    5_000,
                )),
                2 => Operation::Withdrawal(Withdrawal::signed(
                    key,
                    from,
                    Fr::from(0xdead_beef_u64),
                    700,
                    3,
                    next_nonce(from),
                )),
                _ => {
                    let to = (from + 1) % accounts;
                    Operation::Transfer(Transfer::signed(
                        key,
                        from,
                        to,
                        10 + k,
                        1,
                        next_nonce(from),
                    ))
                }
            }
        })
        .collect();
    Ok(Sample {
        state,
        batch: Batch {
            operator: 0,
            operations,
        },
        private_keys,
    })
}
