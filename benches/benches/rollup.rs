//! Rollup proving time at D = 24 for B ∈ {4, 16}: `bulwark_prover::prove` next to plain
//! `ark_groth16::Groth16::<Bn254>::prove` on the same key, circuit and witness, in the same run
//! (the baseline the MSM work must beat).
//!
//! `cargo bench -p bulwark-benches --bench rollup`. Key generation and witness building happen
//! before the timed region; each iteration clones the prepared circuit outside the timing.
//! Both provers synthesize the circuit inside the timed region; ours also checks the witness
//! and verifies the proof it made (three pairings). Both use the same key (`as_ark`). The
//! first iteration of ours (criterion's warm-up) prepares the key's queries for its engine.
//! `bulwark bench prove` is the one-shot table version.

#![allow(missing_docs)] // criterion_group! / criterion_main! generate undocumented items

use std::{cell::OnceCell, time::Duration};

use ark_bn254::Bn254;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use bulwark_circuits::rollup::{RollupCircuit, RollupParams, build_witness, sample};
use bulwark_prover::{dev_setup_insecure, prove};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

const DEPTH: usize = 24;
const BATCH_SIZES: [usize; 2] = [4, 16];
const SEED: u64 = 2024;

/// A valid full batch for `params`, as a ready-to-prove circuit.
fn circuit(params: RollupParams) -> RollupCircuit {
    let accounts = params.batch_size() as u64 + 1;
    let mut s = sample::demo(&params, accounts, SEED).expect("sample batch");
    let witness = build_witness(&mut s.state, &s.batch, &params).expect("valid sample batch");
    RollupCircuit::new(params, witness).expect("witness has the circuit's shape")
}

/// One batch size's keys and circuit.
struct Prepared {
    pk: bulwark_prover::ProvingKey,
    circuit: RollupCircuit,
}

fn prepare(batch_size: usize) -> Prepared {
    let params = RollupParams::new(DEPTH, batch_size).expect("valid params");
    let blank = RollupCircuit::blank(params).expect("blank circuit");
    let pk = dev_setup_insecure(blank, SEED).expect("dev setup");
    Prepared {
        pk,
        circuit: circuit(params),
    }
}

fn rollup_prove(c: &mut Criterion) {
    let mut group = c.benchmark_group("rollup_prove_d24");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    for batch_size in BATCH_SIZES {
        // Prepared on first use, outside the timed region, so a filter that skips this batch
        // size skips its (slow) key generation too.
        let prepared = OnceCell::new();
        let prepared = || prepared.get_or_init(|| prepare(batch_size));

        group.bench_function(BenchmarkId::new("bulwark_prover", batch_size), |b| {
            let p = prepared();
            let mut rng = ChaCha20Rng::seed_from_u64(1);
            b.iter_batched(
                || p.circuit.clone(),
                |circuit| prove(&p.pk, circuit, &mut rng).expect("prove"),
                BatchSize::PerIteration,
            );
        });
        group.bench_function(BenchmarkId::new("ark_groth16", batch_size), |b| {
            let p = prepared();
            let mut rng = ChaCha20Rng::seed_from_u64(1);
            b.iter_batched(
                || p.circuit.clone(),
                |circuit| Groth16::<Bn254>::prove(p.pk.as_ark(), circuit, &mut rng).expect("prove"),
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, rollup_prove);
criterion_main!(benches);
