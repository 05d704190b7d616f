//! The sum tree's hash formulas, natively and in R1CS (see the module docs for why they bind).

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::Fr;
use crate::poseidon::{self, PoseidonError};

/// Inputs per Poseidon call.
const WIDTH: usize = poseidon::MAX_INPUTS;
/// Bytes of a user id per field element: `2^248 < p`, so the packing is injective.
const ID_CHUNK_BYTES: usize = 31;

/// `chain(x_1..x_n)`: `Poseidon(x_1..x_n)` if `n ≤ 16`; otherwise `a = Poseidon(x_1..x_16)`
/// and then `a = Poseidon(a, next ≤ 15 inputs)` until the inputs are used up.
pub fn chain(inputs: &[Fr]) -> Result<Fr, PoseidonError> {
    chain_with(inputs, poseidon::hash)
}

/// [`chain`] in R1CS.
pub fn chain_var(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    chain_with(inputs, poseidon::r1cs::hash)
}

/// [`chain`]'s block schedule over any value type: `hash` is called on the first `≤ 16`
/// inputs, then on `[acc, next ≤ 15 inputs]` until the inputs are used up. An empty input is
/// one call on an empty block.
pub fn chain_with<T: Clone, E>(
    inputs: &[T],
    mut hash: impl FnMut(&[T]) -> Result<T, E>,
) -> Result<T, E> {
    let (first, mut rest) = inputs.split_at(inputs.len().min(WIDTH));
    let mut acc = hash(first)?;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(rest.len().min(WIDTH - 1));
        let mut block = Vec::with_capacity(WIDTH);
        block.push(acc);
        block.extend_from_slice(chunk);
        acc = hash(&block)?;
        rest = tail;
    }
    Ok(acc)
}

/// `id_hash = chain(len, c_0, c_1, …)`: `len` the id's length in bytes, `c_j` its `j`-th
/// 31-byte chunk read little-endian (the last one shorter).
pub fn hash_user_id(id: &[u8]) -> Result<Fr, PoseidonError> {
    let mut inputs = Vec::with_capacity(1 + id.len().div_ceil(ID_CHUNK_BYTES));
    inputs.push(Fr::from(id.len() as u64));
    inputs.extend(id.chunks(ID_CHUNK_BYTES).map(|chunk| {
        let mut bytes = [0u8; 32];
        bytes[..chunk.len()].copy_from_slice(chunk);
        <Fr as ark_ff::PrimeField>::from_le_bytes_mod_order(&bytes)
    }));
    chain(&inputs)
}

/// `leaf_hash = chain(id_hash, b_1, …, b_K)`.
pub fn leaf_hash(id_hash: Fr, balances: &[u64]) -> Result<Fr, PoseidonError> {
    let mut inputs = Vec::with_capacity(1 + balances.len());
    inputs.push(id_hash);
    inputs.extend(balances.iter().map(|b| Fr::from(*b)));
    chain(&inputs)
}

/// [`leaf_hash`] in R1CS.
pub fn leaf_hash_var(
    id_hash: &FpVar<Fr>,
    balances: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    let mut inputs = Vec::with_capacity(1 + balances.len());
    inputs.push(id_hash.clone());
    inputs.extend_from_slice(balances);
    chain_var(&inputs)
}

/// `node_hash = chain(h_L, s_L1, …, s_LK, h_R, s_R1, …, s_RK)`.
pub fn node_hash(
    left_hash: Fr,
    left_sums: &[u128],
    right_hash: Fr,
    right_sums: &[u128],
) -> Result<Fr, PoseidonError> {
    let mut inputs = Vec::with_capacity(2 + left_sums.len() + right_sums.len());
    inputs.push(left_hash);
    inputs.extend(left_sums.iter().map(|s| Fr::from(*s)));
    inputs.push(right_hash);
    inputs.extend(right_sums.iter().map(|s| Fr::from(*s)));
    chain(&inputs)
}

/// [`node_hash`] in R1CS.
pub fn node_hash_var(
    left_hash: &FpVar<Fr>,
    left_sums: &[FpVar<Fr>],
    right_hash: &FpVar<Fr>,
    right_sums: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    let mut inputs = Vec::with_capacity(2 + left_sums.len() + right_sums.len());
    inputs.push(left_hash.clone());
    inputs.extend_from_slice(left_sums);
    inputs.push(right_hash.clone());
    inputs.extend_from_slice(right_sums);
    chain_var(&inputs)
}
