//! Range gadget and native helpers: costs, boundaries, soundness.

use ark_ff::{Field, PrimeField};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystem, SynthesisError};
use bulwark_circuits::Fr;
use bulwark_circuits::range::{self, MAX_RANGE_BITS, RangeBits, RangeError};

fn two_pow(n: u64) -> Fr {
    Fr::from(2u64).pow([n])
}

/// Allocates `value` as a witness, range-checks it and reports (satisfied, constraints).
fn check_witness(value: Fr, bits: RangeBits) -> Result<(bool, usize), SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let var = FpVar::new_witness(cs.clone(), || Ok(value))?;
    let out = range::enforce(&var, bits)?;
    assert_eq!(out.len(), bits.get());
    Ok((cs.is_satisfied()?, cs.num_constraints()))
}

#[test]
fn range_64_costs_at_most_65_constraints() -> Result<(), SynthesisError> {
    let (ok, constraints) = check_witness(Fr::from(u64::MAX), RangeBits::U64)?;
    eprintln!("constraints: 64-bit range check = {constraints}");
    assert!(ok);
    assert!(constraints <= 65);
    Ok(())
}

#[test]
fn range_rejects_two_pow_64() -> Result<(), SynthesisError> {
    assert!(!check_witness(two_pow(64), RangeBits::U64)?.0);
    Ok(())
}

#[test]
fn range_rejects_negative_one() -> Result<(), SynthesisError> {
    // p − 1 is "−1": it has no 64-bit (or even 252-bit) decomposition.
    assert!(!check_witness(-Fr::from(1u64), RangeBits::U64)?.0);
    assert!(
        !check_witness(
            -Fr::from(1u64),
            RangeBits::new(MAX_RANGE_BITS).map_err(|_| SynthesisError::Unsatisfiable)?
        )?
        .0
    );
    Ok(())
}

#[test]
fn range_252_bits_boundary() -> Result<(), SynthesisError> {
    let bits = RangeBits::new(252).map_err(|_| SynthesisError::Unsatisfiable)?;
    assert!(check_witness(two_pow(252) - Fr::from(1u64), bits)?.0);
    assert!(!check_witness(two_pow(252), bits)?.0);
    Ok(())
}

#[test]
fn range_bits_beyond_252_is_a_typed_error() {
    assert_eq!(
        RangeBits::new(253),
        Err(RangeError::TooManyBits { bits: 253 })
    );
    assert!(RangeBits::new(0).is_ok());
}

#[test]
fn range_returned_bits_match_value() -> Result<(), SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let value = 0b1011_0001u64;
    let var = FpVar::new_witness(cs.clone(), || Ok(Fr::from(value)))?;
    let bits = range::enforce(
        &var,
        RangeBits::new(8).map_err(|_| SynthesisError::Unsatisfiable)?,
    )?;
    let got: Vec<bool> = bits.iter().map(|b| b.value()).collect::<Result<_, _>>()?;
    let want: Vec<bool> = (0..8).map(|i| (value >> i) & 1 == 1).collect();
    assert_eq!(got, want);
    assert!(cs.is_satisfied()?);
    Ok(())
}

#[test]
fn range_constant_input() -> Result<(), SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let bits = range::enforce(&FpVar::constant(Fr::from(5u64)), RangeBits::U64)?;
    assert_eq!(bits.len(), 64);
    assert_eq!(cs.num_constraints(), 0);
    assert!(matches!(
        range::enforce(&FpVar::constant(two_pow(64)), RangeBits::U64),
        Err(SynthesisError::Unsatisfiable)
    ));
    Ok(())
}

#[test]
fn native_helpers() -> Result<(), RangeError> {
    assert!(range::fits(&Fr::from(u64::MAX), RangeBits::U64));
    assert!(!range::fits(&two_pow(64), RangeBits::U64));
    assert_eq!(
        range::check(&two_pow(64), RangeBits::U64),
        Err(RangeError::OutOfRange { bits: 64 })
    );
    assert_eq!(
        range::to_bits_le(&Fr::from(6u64), RangeBits::new(3)?)?,
        vec![false, true, true]
    );
    assert!(range::to_bits_le(&Fr::from(8u64), RangeBits::new(3)?).is_err());
    assert!(!range::fits(
        &-Fr::from(1u64),
        RangeBits::new(MAX_RANGE_BITS)?
    ));
    assert_eq!(Fr::MODULUS_BIT_SIZE, 254);
    Ok(())
}
