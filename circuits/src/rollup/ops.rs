//! Operations, the messages their owners sign, and batches.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::Fr;
use crate::babyjubjub::Point;
use crate::eddsa::{Signature, public_key, sign_poseidon};
use crate::poseidon;

/// Domain tag of transfer messages (first Poseidon input).
pub const TRANSFER_TAG: u64 = 1;
/// Domain tag of withdrawal messages (first Poseidon input).
pub const WITHDRAW_TAG: u64 = 2;
/// Bits of an L1 address: a withdrawal's `l1_address` is below `2^160`.
pub const L1_ADDRESS_BITS: usize = 160;

/// The kind of a batch slot; the discriminant is the `kind` field of the pubdata.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// Padding: touches nothing.
    Noop = 0,
    /// A signed L2 transfer.
    Transfer = 1,
    /// A deposit from L1.
    Deposit = 2,
    /// A signed withdrawal to L1.
    Withdrawal = 3,
}

/// Moves `amount` from `from` to `to`, paying `fee` to the batch's operator; signed by the
/// owner of `from` over [`Transfer::message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Sender account index.
    pub from: u64,
    /// Receiver account index (must exist; may equal `from`).
    pub to: u64,
    /// Amount credited to the receiver.
    pub amount: u64,
    /// Fee paid to the operator.
    pub fee: u64,
    /// The sender's current nonce.
    pub nonce: u64,
    /// The sender's signature.
    #[serde(with = "super::json::signature")]
    pub signature: Signature,
}

/// Credits `amount` from L1 to account `to`, creating it under `public_key` if empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    /// The credited account index.
    pub to: u64,
    /// The owner key; must equal the existing account's key.
    #[serde(with = "super::json::point")]
    pub public_key: Point,
    /// Amount credited.
    pub amount: u64,
}

/// Debits `amount + fee` from `from` and exports `amount` to `l1_address`; signed by the owner
/// of `from` over [`Withdrawal::message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// The debited account index.
    pub from: u64,
    /// The L1 recipient, below `2^160`.
    #[serde(with = "super::json::fr")]
    pub l1_address: Fr,
    /// Amount exported to L1.
    pub amount: u64,
    /// Fee paid to the operator.
    pub fee: u64,
    /// The sender's current nonce.
    pub nonce: u64,
    /// The sender's signature.
    #[serde(with = "super::json::signature")]
    pub signature: Signature,
}

/// One L2 operation; JSON is tagged by `"type"`: `"transfer"`, `"deposit"`, `"withdrawal"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Operation {
    /// See [`Transfer`].
    Transfer(Transfer),
    /// See [`Deposit`].
    Deposit(Deposit),
    /// See [`Withdrawal`].
    Withdrawal(Withdrawal),
}

impl Operation {
    /// The slot kind.
    pub fn kind(&self) -> OpKind {
        match self {
            Self::Transfer(_) => OpKind::Transfer,
            Self::Deposit(_) => OpKind::Deposit,
            Self::Withdrawal(_) => OpKind::Withdrawal,
        }
    }
}

/// A batch: up to `B` operations and the operator account that collects their fees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// The fee recipient's account index (must exist).
    pub operator: u64,
    /// The operations, applied in order.
    pub operations: Vec<Operation>,
}

impl Transfer {
    /// `Poseidon(TRANSFER_TAG, from, to, amount, fee, nonce)`.
    pub fn message(from: u64, to: u64, amount: u64, fee: u64, nonce: u64) -> Fr {
        poseidon::hash_array([TRANSFER_TAG, from, to, amount, fee, nonce].map(Fr::from))
    }

    /// A transfer signed with the sender's 32-byte private key.
    pub fn signed(
        private_key: &[u8; 32],
        from: u64,
        to: u64,
        amount: u64,
        fee: u64,
        nonce: u64,
    ) -> Self {
        let signature = sign_poseidon(private_key, Self::message(from, to, amount, fee, nonce));
        Self {
            from,
            to,
            amount,
            fee,
            nonce,
            signature,
        }
    }
}

impl Withdrawal {
    /// `Poseidon(WITHDRAW_TAG, from, l1_address, amount, fee, nonce)`.
    pub fn message(from: u64, l1_address: Fr, amount: u64, fee: u64, nonce: u64) -> Fr {
        poseidon::hash_array([
            Fr::from(WITHDRAW_TAG),
            Fr::from(from),
            l1_address,
            Fr::from(amount),
            Fr::from(fee),
            Fr::from(nonce),
        ])
    }

    /// A withdrawal signed with the sender's 32-byte private key.
    pub fn signed(
        private_key: &[u8; 32],
        from: u64,
        l1_address: Fr,
        amount: u64,
        fee: u64,
        nonce: u64,
    ) -> Self {
        let msg = Self::message(from, l1_address, amount, fee, nonce);
        Self {
            from,
            l1_address,
            amount,
            fee,
            nonce,
            signature: sign_poseidon(private_key, msg),
        }
    }
}

impl Deposit {
    /// A deposit of `amount` to account `to` owned by the holder of `private_key`.
    pub fn for_key(private_key: &[u8; 32], to: u64, amount: u64) -> Self {
        Self {
            to,
            public_key: public_key(private_key),
            amount,
        }
    }
}

/// The private key of the no-op signer: public on purpose, see [`noop_signature`].
const NOOP_PRIVATE_KEY: [u8; 32] = *b"bulwark rollup: no-op slot signr";

/// The fixed public key under which unsigned slots (no-ops, deposits) verify a signature on
/// message `0`. Its private key is public: this is sound because unsigned slots never debit
/// an account, so a signature under this key authorises nothing.
pub fn noop_public_key() -> Point {
    static KEY: LazyLock<Point> = LazyLock::new(|| public_key(&NOOP_PRIVATE_KEY));
    *KEY
}

/// The no-op signer's signature on message `0` (what unsigned slots carry).
pub fn noop_signature() -> Signature {
    static SIG: LazyLock<Signature> =
        LazyLock::new(|| sign_poseidon(&NOOP_PRIVATE_KEY, Fr::from(0u64)));
    *SIG
}
