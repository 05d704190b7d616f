//! Solvency batch proving time, Groth16 next to PLONK/KZG, on the same witness and public
//! inputs in the same run: `bulwark_prover::prove` and `bulwark_prover::plonk::plonk_prove`
//! (SHPLONK, halo2-axiom's own multithreaded MSM).
//!
//! `cargo bench -p bulwark-benches --bench backends`. Keys (insecure dev setups) and the
//! witness are made before the timed region; both provers synthesize their circuit and
//! verify the proof they made inside it. The R1CS constraint count and the halo2 row count
//! are printed once per size. The `rollup_batch_prove` group does the same for a rollup batch
//! (`bulwark bench backends` prints its rows and constraints per slot next to the times).
//!
//! One run on this project's shared 2-core machines (K = 2 assets, release build):
//!
//! | batch | R1CS constraints | halo2 rows (k) | Groth16 | PLONK/KZG | PLONK / Groth16 |
//! |---|---|---|---|---|---|
//! | 2^4 users | 11,928 | 2,556 (12) | 3.27 s | 7.07 s | 2.16× |
//! | 2^6 users | 47,880 | 10,236 (14) | 5.98 s | 13.34 s | 2.23× |

#![allow(missing_docs)] // criterion_group! / criterion_main! generate undocumented items

use std::time::Duration;

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use bulwark_benches::RollupBackends;
use bulwark_circuits::Fr;
use bulwark_circuits::halo2::{SolvencyBatchCircuit, fitting_k, rows_needed};
use bulwark_circuits::solvency::{
    BatchCircuit, BlindingSeed, Book, CommittedBook, Entry, Reserves, SolvencyParams,
};
use bulwark_prover::plonk::{kzg_dev_params_insecure, plonk_keygen, plonk_prove};
use bulwark_prover::{dev_setup_insecure, prove};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// Batches of `2^b` users, two assets.
const BATCH_BITS: [usize; 2] = [4, 6];

/// Batch 0 of a full book of `2^b` users.
fn batch(batch_bits: usize) -> BatchCircuit {
    let params = SolvencyParams::new(2, batch_bits, 1).expect("valid params");
    let users = 1u64 << batch_bits;
    let entries = (0..users)
        .map(|i| Entry::new(format!("user{i}"), vec![i * 1000 + 7, i % 5]))
        .collect();
    let book = Book::new(vec!["USD".into(), "ETH".into()], entries).expect("valid book");
    let reserves = Reserves::from_json(r#"{"USD": "100000000", "ETH": "100000"}"#.as_bytes())
        .expect("valid reserves");
    let seed = BlindingSeed::from_fr(Fr::from(17u64));
    let book = CommittedBook::new(&book, &reserves, params, seed).expect("solvent book");
    book.batch_circuit(0).expect("batch 0")
}

fn backends(c: &mut Criterion) {
    let mut group = c.benchmark_group("solvency_batch_prove");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for batch_bits in BATCH_BITS {
        let circuit = batch(batch_bits);
        let params = *circuit.params();
        let public = circuit.public_inputs();
        let cs = ConstraintSystem::<Fr>::new_ref();
        circuit
            .clone()
            .generate_constraints(cs.clone())
            .expect("synthesis");
        let halo2 = SolvencyBatchCircuit(circuit.clone());
        let k = fitting_k(&halo2).expect("layout");
        eprintln!(
            "batch of 2^{batch_bits}: R1CS {} constraints, halo2 {} rows (k = {k})",
            cs.num_constraints(),
            rows_needed(&halo2).expect("layout"),
        );
        let groth_pk = dev_setup_insecure(BatchCircuit::blank(params), 1).expect("setup");
        let kzg = kzg_dev_params_insecure(k, 1).expect("params");
        let plonk_pk = plonk_keygen(&kzg, &halo2).expect("keygen");

        group.bench_function(BenchmarkId::new("groth16", batch_bits), |b| {
            let mut rng = ChaCha20Rng::seed_from_u64(1);
            b.iter_batched(
                || circuit.clone(),
                |circuit| prove(&groth_pk, circuit, &mut rng).expect("prove"),
                BatchSize::PerIteration,
            );
        });
        group.bench_function(BenchmarkId::new("plonk_kzg", batch_bits), |b| {
            let mut rng = ChaCha20Rng::seed_from_u64(1);
            b.iter(|| plonk_prove(&kzg, &plonk_pk, &halo2, &public, &mut rng).expect("prove"));
        });
    }
    group.finish();
}

/// The rollup batch (D = 8, B = 2): `RollupBackends` builds both keys up front.
fn rollup(c: &mut Criterion) {
    let mut group = c.benchmark_group("rollup_batch_prove");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    let backends = RollupBackends::new(8, 2).expect("setup");
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    backends.check(&mut rng).expect("both proofs verify");
    group.bench_function("groth16", |b| {
        b.iter(|| backends.prove_groth16(&mut rng).expect("prove"));
    });
    group.bench_function(BenchmarkId::new("plonk_kzg", backends.k()), |b| {
        b.iter(|| backends.prove_plonk(&mut rng).expect("prove"));
    });
    group.finish();
}

criterion_group!(benches, backends, rollup);
criterion_main!(benches);
