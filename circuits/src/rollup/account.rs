//! Accounts and their leaves.

use ark_ff::AdditiveGroup;
use serde::{Deserialize, Serialize};

use crate::Fr;
use crate::babyjubjub::Point;
use crate::poseidon;

/// An account: the owner's Baby Jubjub key, a 64-bit balance and the next expected nonce.
///
/// The account's index is its leaf position in the tree; the leaf is
/// `Poseidon(pk_x, pk_y, balance, nonce)` and an absent account is the empty leaf `0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The owner's EdDSA-Poseidon public key.
    #[serde(with = "super::json::point")]
    pub public_key: Point,
    /// The balance, in the rollup's smallest unit.
    pub balance: u64,
    /// The nonce the owner's next signed operation must carry.
    pub nonce: u64,
}

impl Account {
    /// A fresh account: balance and nonce zero.
    pub fn new(public_key: Point) -> Self {
        Self {
            public_key,
            balance: 0,
            nonce: 0,
        }
    }

    /// The tree leaf `Poseidon(pk_x, pk_y, balance, nonce)`.
    pub fn leaf(&self) -> Fr {
        AccountFields::from(*self).leaf()
    }
}

/// An account's fields as field elements, the form the circuit consumes.
///
/// Honest witnesses hold 64-bit values; the fields are `Fr` so that tests can force any
/// field element into a witness and watch the circuit reject it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountFields {
    /// The owner's key.
    pub public_key: Point,
    /// The balance.
    pub balance: Fr,
    /// The nonce.
    pub nonce: Fr,
}

impl AccountFields {
    /// All zero: the filler for an update slot that does not touch an account.
    pub const ZERO: Self = Self {
        public_key: Point {
            x: Fr::ZERO,
            y: Fr::ZERO,
        },
        balance: Fr::ZERO,
        nonce: Fr::ZERO,
    };

    /// `Poseidon(pk_x, pk_y, balance, nonce)`.
    pub fn leaf(&self) -> Fr {
        poseidon::hash_array([
            self.public_key.x,
            self.public_key.y,
            self.balance,
            self.nonce,
        ])
    }
}

impl From<Account> for AccountFields {
    fn from(a: Account) -> Self {
        Self {
            public_key: a.public_key,
            balance: Fr::from(a.balance),
            nonce: Fr::from(a.nonce),
        }
    }
}
