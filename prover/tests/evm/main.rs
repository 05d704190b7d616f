//! Generated contracts in an EVM: the Groth16 and PLONK/KZG verifiers and the rollup and solvency examples,
//! compiled with the pinned npm `solc` and run in revm (in-memory, no network). The gas table:
//! `cargo test -p bulwark-prover --test evm gas_table -- --nocapture`.

mod chain;
mod gas;
mod generate;
mod groth16;
mod plonk;
mod plonk_rollup;
mod rollup;
mod solvency;
mod support;

use std::sync::OnceLock;

use bulwark_circuits::rollup::{Batch, RollupCircuit, RollupParams, State, build_witness, sample};
use bulwark_prover::{Fr, ProofWithInputs, ProvingKey, dev_setup_insecure, prove};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// The dev seed of the rollup key (the one `tests/rollup.rs` stores as a fixture).
const SEED: u64 = 2026;

fn params() -> RollupParams {
    RollupParams::new(4, 2).expect("params")
}

/// The D = 4, B = 2 rollup key, generated once per test binary.
fn rollup_key() -> &'static ProvingKey {
    static KEY: OnceLock<ProvingKey> = OnceLock::new();
    KEY.get_or_init(|| {
        dev_setup_insecure(RollupCircuit::blank(params()).expect("blank"), SEED).expect("setup")
    })
}

/// A proven batch: the state it applies to is implied by the proof's old root.
struct ProvenBatch {
    batch: Batch,
    out: ProofWithInputs,
}

/// Proves `batch` over `state` (which it advances).
fn prove_batch(state: &mut State, batch: Batch, rng_seed: u64) -> ProvenBatch {
    let witness = build_witness(state, &batch, &params()).expect("valid batch");
    let circuit = RollupCircuit::new(params(), witness).expect("shape");
    let out = prove(
        rollup_key(),
        circuit,
        &mut ChaCha20Rng::seed_from_u64(rng_seed),
    )
    .expect("prove");
    ProvenBatch { batch, out }
}

/// The sample batch (a transfer and a deposit) and the state after it.
fn sample_batch() -> (ProvenBatch, State, sample::Sample) {
    let s = sample::demo(&params(), 5, 1).expect("sample");
    let mut state = s.state.clone();
    let proven = prove_batch(&mut state, s.batch.clone(), 3);
    (proven, state, s)
}

/// `r` as a 256-bit big-endian word.
fn modulus_word() -> [u8; 32] {
    use ark_ff::{BigInteger, PrimeField};
    let bytes = Fr::MODULUS.to_bytes_be();
    bytes.try_into().expect("32 bytes")
}

/// `a + b` on big-endian words (no overflow for the values used here: both below 2^254).
fn add_words(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = s as u8;
        carry = s >> 8;
    }
    assert_eq!(carry, 0, "overflow");
    out
}
