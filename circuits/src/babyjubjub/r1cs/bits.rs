//! Bit decomposition of field elements and comparison of bits with a constant.

use ark_ff::{AdditiveGroup, BigInteger, PrimeField};
use ark_r1cs_std::{
    GR1CSVar, alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::FieldVar, fields::fp::FpVar,
};
use ark_relations::gr1cs::SynthesisError;
use num_bigint::BigUint;

use crate::Fr;

/// Decomposes `x` into `n ≤ 254` little-endian bits (`n` booleanity constraints and one
/// packing constraint). For `n < 254` the packing cannot wrap the field (`2ⁿ < p`), so the
/// bits are unique; for `n = 254` the caller must bound them with [`enforce_le_constant`].
pub(crate) fn to_bits_le(x: &FpVar<Fr>, n: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    let value = x.value().map(|v| v.into_bigint().to_bits_le());
    let bits = (0..n)
        .map(|i| Boolean::new_witness(x.cs(), || value.as_ref().map(|b| b[i]).map_err(|e| *e)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut packed = FpVar::zero();
    let mut power = Fr::from(1u64);
    for bit in &bits {
        packed += FpVar::from(bit.clone()) * power;
        power.double_in_place();
    }
    packed.enforce_equal(x)?;
    Ok(bits)
}

/// Enforces that the integer with little-endian `bits` is at most `bound`.
///
/// Walking from the most significant bit, `eq` is 1 while the bits seen equal `bound`'s; at
/// every 0 bit of `bound` the bit must be 0 while `eq` holds (one constraint), and at every
/// 1 bit `eq` takes the bit as a factor (one constraint, skipped below `bound`'s lowest 0
/// bit, where nothing is left to check). About one constraint per bit.
pub(crate) fn enforce_le_constant(
    bits: &[Boolean<Fr>],
    bound: &BigUint,
) -> Result<(), SynthesisError> {
    let len = bits.len() as u64;
    let Some(lowest_zero) = (0..len)
        .find(|&i| !bound.bit(i))
        .filter(|_| bound.bits() <= len)
    else {
        return Ok(()); // bound ≥ 2^len − 1: every bit pattern is allowed
    };
    // `None` stands for the constant 1 (no bits seen yet).
    let mut eq: Option<FpVar<Fr>> = None;
    for (i, bit) in bits.iter().enumerate().rev() {
        let i = i as u64;
        if i < lowest_zero {
            break;
        }
        let bit = FpVar::from(bit.clone());
        if bound.bit(i) {
            eq = Some(match eq {
                None => bit,
                Some(e) => e * bit,
            });
        } else {
            match &eq {
                None => bit.enforce_equal(&FpVar::zero())?,
                Some(e) => e.mul_equals(&bit, &FpVar::zero())?,
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn le_constant_agrees_with_integer_comparison_exhaustively() {
        for bound in 0u32..40 {
            for x in 0u32..32 {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let bits = (0..5)
                    .map(|i| Boolean::new_witness(cs.clone(), || Ok((x >> i) & 1 == 1)))
                    .collect::<Result<Vec<_>, _>>()
                    .expect("alloc");
                enforce_le_constant(&bits, &BigUint::from(bound)).expect("synthesis");
                assert_eq!(
                    cs.is_satisfied().expect("assigned"),
                    x <= bound,
                    "{x} ≤ {bound}"
                );
            }
        }
    }

    #[test]
    fn to_bits_le_rejects_values_that_do_not_fit() {
        for (value, fits) in [(255u64, true), (256, false)] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(value))).expect("alloc");
            to_bits_le(&x, 8).expect("synthesis");
            assert_eq!(
                cs.is_satisfied().expect("assigned"),
                fits,
                "{value} in 8 bits"
            );
        }
    }
}
