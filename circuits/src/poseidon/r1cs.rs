//! The Poseidon R1CS gadget: 3 constraints per S-box (x², x⁴, x⁵) and none for the linear
//! layers, so `Poseidon(2)` costs 240 constraints, circomlib's count (the first round's S-box on
//! the constant capacity lane is free).

use ark_r1cs_std::fields::{FieldVar, fp::FpVar};
use ark_relations::gr1cs::SynthesisError;

use super::{PermutationField, check_arity, permutation};
use crate::Fr;

impl PermutationField for FpVar<Fr> {
    type Error = SynthesisError;

    fn add_constant(&self, c: Fr) -> Self {
        self + c
    }

    fn pow5(&self) -> Result<Self, SynthesisError> {
        let x4 = self.square()?.square()?;
        Ok(x4 * self)
    }

    fn dot(row: &[Fr], state: &[Self]) -> Self {
        row.iter()
            .zip(state)
            .fold(FpVar::zero(), |acc, (m, s)| acc + s * *m)
    }
}

/// Constrains and returns circomlib's `Poseidon(n)` of `inputs`.
///
/// Fails with [`SynthesisError::ArityMismatch`] unless there are 1..=16 inputs.
pub fn hash(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    check_arity(inputs.len()).map_err(|_| SynthesisError::ArityMismatch)?;
    let mut state = Vec::with_capacity(inputs.len() + 1);
    state.push(FpVar::zero());
    state.extend_from_slice(inputs);
    permutation(state)
}
