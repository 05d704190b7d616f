//! The L1 data commitment (public input 3): what a contract recomputes from calldata.
//!
//! Every slot `i` (no-op padding included) publishes three field elements:
//!
//! * `w0 = kind + from·2^2 + to·2^34 + amount·2^66 + fee·2^130` (194 bits), with `kind` 2 bits
//!   (0 no-op, 1 transfer, 2 deposit, 3 withdrawal), `from` and `to` 32 bits each (account
//!   indices, always `< 2^depth ≤ 2^32`), `amount` and `fee` 64 bits each. Fields a kind does
//!   not use are zero: a no-op publishes `w0 = 0`; a deposit has `from = fee = 0`; a
//!   withdrawal has `to = 0`.
//! * `w1`: the deposit key's `x`, or the withdrawal's `l1_address` (`< 2^160`), else `0`.
//! * `w2`: the deposit key's `y`, else `0`.
//!
//! The chain is `c_0 = 0`, `c_{i+1} = Poseidon(c_i, w0, w1, w2)` over all `B` slots and
//! `commitment = Poseidon(c_B, operator)`. Every limb is range-bounded in the circuit, so
//! `w0` determines its five fields uniquely and the contract can both recompute the
//! commitment and read deposits and withdrawals back out of the same calldata.

use ark_ff::{AdditiveGroup, Field};

use super::ops::OpKind;
use super::{Deposit, Operation, Transfer, Withdrawal};
use crate::Fr;
use crate::poseidon;

/// Bit offset of `from` in `w0`.
pub const FROM_SHIFT: u64 = 2;
/// Bit offset of `to` in `w0`.
pub const TO_SHIFT: u64 = 34;
/// Bit offset of `amount` in `w0`.
pub const AMOUNT_SHIFT: u64 = 66;
/// Bit offset of `fee` in `w0`.
pub const FEE_SHIFT: u64 = 130;

/// `2^k` in the field.
pub(crate) fn pow2(k: u64) -> Fr {
    Fr::from(2u64).pow([k])
}

/// `w0 = kind + from·2^2 + to·2^34 + amount·2^66 + fee·2^130`.
pub fn pack_w0(kind: OpKind, from: u64, to: u64, amount: u64, fee: u64) -> Fr {
    Fr::from(kind as u64)
        + Fr::from(from) * pow2(FROM_SHIFT)
        + Fr::from(to) * pow2(TO_SHIFT)
        + Fr::from(amount) * pow2(AMOUNT_SHIFT)
        + Fr::from(fee) * pow2(FEE_SHIFT)
}

/// The pubdata `[w0, w1, w2]` of a slot: an operation, or `None` for a no-op.
pub fn pubdata(op: Option<&Operation>) -> [Fr; 3] {
    match op {
        None => [Fr::ZERO; 3],
        Some(Operation::Transfer(Transfer {
            from,
            to,
            amount,
            fee,
            ..
        })) => [
            pack_w0(OpKind::Transfer, *from, *to, *amount, *fee),
            Fr::ZERO,
            Fr::ZERO,
        ],
        Some(Operation::Deposit(Deposit {
            to,
            public_key,
            amount,
        })) => [
            pack_w0(OpKind::Deposit, 0, *to, *amount, 0),
            public_key.x,
            public_key.y,
        ],
        Some(Operation::Withdrawal(Withdrawal {
            from,
            l1_address,
            amount,
            fee,
            ..
        })) => [
            pack_w0(OpKind::Withdrawal, *from, 0, *amount, *fee),
            *l1_address,
            Fr::ZERO,
        ],
    }
}

/// One link of the chain: `Poseidon(c, w0, w1, w2)`.
pub fn chain(c: Fr, [w0, w1, w2]: [Fr; 3]) -> Fr {
    poseidon::hash_array([c, w0, w1, w2])
}

/// `Poseidon(c_B, operator)` over the slots' pubdata (padding included).
pub fn commitment(slots: &[[Fr; 3]], operator: u64) -> Fr {
    let c = slots.iter().fold(Fr::ZERO, |c, w| chain(c, *w));
    poseidon::hash_array([c, Fr::from(operator)])
}
