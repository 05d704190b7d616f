//! Poseidon over BN254 with circomlib's parameters (α = 5, 8 full rounds, circomlib's partial
//! rounds per width), for 1..=16 inputs.
//!
//! `hash([a, b])` equals circomlibjs' `poseidon([a, b])` and circom's `Poseidon(2)`, so wallets
//! and indexers written against circomlib compute the same leaves and messages.
//! The native hash and the R1CS gadget share one permutation schedule, so they
//! cannot drift apart.

mod native;
pub(crate) mod params;
pub mod r1cs;

pub use native::{hash, hash_array};

use thiserror::Error;

/// The most inputs one Poseidon call takes (circomlib's widest instance, t = 17).
pub const MAX_INPUTS: usize = 16;

/// Why a Poseidon call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PoseidonError {
    /// circomlib's Poseidon is defined for 1..=16 inputs.
    #[error("poseidon takes 1..={MAX_INPUTS} inputs, got {0}")]
    InputCount(usize),
}

/// The arithmetic a permutation needs, implemented for native field elements and for
/// constraint-system variables.
trait PermutationField: Clone {
    type Error;
    /// `self + c` for a round constant.
    fn add_constant(&self, c: crate::Fr) -> Self;
    /// `x^5`.
    fn pow5(&self) -> Result<Self, Self::Error>;
    /// `Σ_j row[j] * state[j]`.
    fn dot(row: &[crate::Fr], state: &[Self]) -> Self;
}

/// circomlib's permutation of a width-`t` state (`t = inputs + 1`), returning the first lane.
fn permutation<F: PermutationField>(mut state: Vec<F>) -> Result<F, F::Error> {
    let p = params::params(state.len());
    let mut mixed = state.clone();
    let t = p.t;
    let half_full = params::FULL_ROUNDS / 2;
    for round in 0..params::FULL_ROUNDS + p.partial_rounds {
        let constants = &p.round_constants[round * t..(round + 1) * t];
        for (lane, c) in state.iter_mut().zip(constants) {
            *lane = lane.add_constant(*c);
        }
        let full = round < half_full || round >= half_full + p.partial_rounds;
        let sboxed = if full { t } else { 1 };
        for lane in &mut state[..sboxed] {
            *lane = lane.pow5()?;
        }
        for (out, row) in mixed.iter_mut().zip(&p.mds) {
            *out = F::dot(row, &state);
        }
        std::mem::swap(&mut state, &mut mixed);
    }
    Ok(state.swap_remove(0))
}

fn check_arity(n: usize) -> Result<(), PoseidonError> {
    if (1..=MAX_INPUTS).contains(&n) {
        Ok(())
    } else {
        Err(PoseidonError::InputCount(n))
    }
}
