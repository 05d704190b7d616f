//! What slicing the MSMs for cancellation costs: `bulwark_prover::prove_cancellable` (an
//! uncancelled token, MSMs in slices of `CANCEL_CHUNK` bases) next to `bulwark_prover::prove`
//! on the same key and witness, in the same run, on the service's default rollup shape
//! (D = 24, B = 4).
//!
//! `cargo bench -p bulwark-benches --bench cancel`. Key generation and witness building happen
//! before the timed region; each iteration clones the prepared circuit outside the timing.
//! The first iteration of each (criterion's warm-up) prepares the key's queries for its
//! engine (`prove` and `prove_cancellable` keep separate ones).

#![allow(missing_docs)] // criterion_group! / criterion_main! generate undocumented items

use std::time::Duration;

use bulwark_circuits::rollup::{RollupCircuit, RollupParams, build_witness, sample};
use bulwark_prover::{CANCEL_CHUNK, CancelToken, dev_setup_insecure, prove, prove_cancellable};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

const SEED: u64 = 2024;

fn cancel_overhead(c: &mut Criterion) {
    let params = RollupParams::new(24, 4).expect("valid params");
    let pk = dev_setup_insecure(RollupCircuit::blank(params).expect("blank circuit"), SEED)
        .expect("dev setup");
    let mut s = sample::demo(&params, params.batch_size() as u64 + 1, SEED).expect("sample");
    let witness = build_witness(&mut s.state, &s.batch, &params).expect("valid sample batch");
    let circuit = RollupCircuit::new(params, witness).expect("witness has the circuit's shape");
    let token = CancelToken::new();

    let mut group = c.benchmark_group(format!(
        "prove_d24_b4_cancel_chunk_2^{}",
        CANCEL_CHUNK.ilog2()
    ));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("prove", |b| {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        b.iter_batched(
            || circuit.clone(),
            |circuit| prove(&pk, circuit, &mut rng).expect("prove"),
            BatchSize::PerIteration,
        );
    });
    group.bench_function("prove_cancellable", |b| {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        b.iter_batched(
            || circuit.clone(),
            |circuit| prove_cancellable(&pk, circuit, &mut rng, &token).expect("prove"),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, cancel_overhead);
criterion_main!(benches);
