use ark_ff::{Field, Zero};
use std::convert::Infallible;

use super::{PermutationField, PoseidonError, check_arity, permutation};
use crate::Fr;

impl PermutationField for Fr {
    type Error = Infallible;

    fn add_constant(&self, c: Fr) -> Self {
        *self + c
    }

    fn pow5(&self) -> Result<Self, Infallible> {
        Ok(self.square().square() * self)
    }

    fn dot(row: &[Fr], state: &[Self]) -> Self {
        row.iter()
            .zip(state)
            .fold(Fr::zero(), |acc, (m, s)| acc + *m * s)
    }
}

/// circomlib's `Poseidon(n)` of `inputs` (1..=16 of them).
pub fn hash(inputs: &[Fr]) -> Result<Fr, PoseidonError> {
    check_arity(inputs.len())?;
    let mut state = Vec::with_capacity(inputs.len() + 1);
    state.push(Fr::zero());
    state.extend_from_slice(inputs);
    match permutation(state) {
        Ok(out) => Ok(out),
        Err(never) => match never {},
    }
}

/// [`hash`] for a fixed number of inputs, checked at compile time.
pub fn hash_array<const N: usize>(inputs: [Fr; N]) -> Fr {
    const {
        assert!(
            N >= 1 && N <= super::MAX_INPUTS,
            "poseidon takes 1..=16 inputs"
        )
    };
    match hash(&inputs) {
        Ok(out) => out,
        Err(PoseidonError::InputCount(_)) => unreachable!("arity checked at compile time"),
    }
}
