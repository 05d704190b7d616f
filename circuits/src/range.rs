//! Range checks by bit decomposition: prove `0 <= x < 2^n` for a field element `x`.
//!
//! The gadget allocates `n` boolean witnesses `b_i` (one booleanity constraint each) and
//! enforces `x = Σ b_i·2^i` (one more constraint), so an `n`-bit check costs `n + 1`
//! constraints; 64 bits cost 65. The decomposition is unique because `n ≤ 252` keeps
//! `2^n` below the BN254 scalar modulus `p ≈ 2^253.6`: the sum can never wrap, so a
//! "negative" value such as `p − 1` has no `n`-bit decomposition. The bits are returned
//! so callers can reuse them (for example as Merkle path bits) at no extra cost.

use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::SynthesisError;

use crate::Fr;

/// The widest range check supported: `2^252 < p`, so decompositions of this width are unique.
pub const MAX_RANGE_BITS: usize = 252;

/// Errors of the range helpers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// More bits were requested than a unique decomposition allows.
    #[error("range check of {bits} bits requested; at most {MAX_RANGE_BITS} bits are supported")]
    TooManyBits {
        /// The requested width.
        bits: usize,
    },
    /// A native value does not fit in the requested width.
    #[error("value does not fit in {bits} bits")]
    OutOfRange {
        /// The width it was checked against.
        bits: usize,
    },
}

/// A validated range-check width `n` with `n ≤ 252`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RangeBits(usize);

impl RangeBits {
    /// 64 bits: the width of balances and amounts.
    pub const U64: Self = Self(64);

    /// Validates a width; errors if `bits > 252`.
    pub fn new(bits: usize) -> Result<Self, RangeError> {
        if bits > MAX_RANGE_BITS {
            return Err(RangeError::TooManyBits { bits });
        }
        Ok(Self(bits))
    }

    /// The number of bits.
    pub fn get(self) -> usize {
        self.0
    }
}

/// Whether `value < 2^bits` (as an integer in `[0, p)`).
pub fn fits(value: &Fr, bits: RangeBits) -> bool {
    value.into_bigint().num_bits() as usize <= bits.0
}

/// Checks `value < 2^bits`, with a typed error otherwise.
pub fn check(value: &Fr, bits: RangeBits) -> Result<(), RangeError> {
    if fits(value, bits) {
        Ok(())
    } else {
        Err(RangeError::OutOfRange { bits: bits.0 })
    }
}

/// The `bits` low bits of `value`, least significant first, after checking `value < 2^bits`.
pub fn to_bits_le(value: &Fr, bits: RangeBits) -> Result<Vec<bool>, RangeError> {
    check(value, bits)?;
    let big = value.into_bigint();
    Ok((0..bits.0).map(|i| big.get_bit(i)).collect())
}

/// Enforces `value < 2^bits` and returns its bits, least significant first.
///
/// Costs `bits + 1` constraints (none for a constant `value`, which must then be in range
/// or synthesis fails with [`SynthesisError::Unsatisfiable`]).
pub fn enforce(value: &FpVar<Fr>, bits: RangeBits) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    if let FpVar::Constant(c) = value {
        let bits = to_bits_le(c, bits).map_err(|_| SynthesisError::Unsatisfiable)?;
        return Ok(bits.into_iter().map(Boolean::constant).collect());
    }
    let (bits, _rest) = value.to_bits_le_with_top_bits_zero(bits.0)?;
    Ok(bits)
}
