//! End-to-end solvency proving (commit, every batch proof, the top proof, the auditor's
//! verification) for 2^12 users at 1 and 8 assets, batches of 2^10.
//!
//! `cargo bench -p bulwark-benches --bench solvency`. The keys (INSECURE dev setup, one per
//! shape) and the synthetic book are made before the timed region, so each iteration times
//! exactly what `bulwark bench solvency` reports as `total`. The 2^14-user shapes take minutes
//! per iteration on 2 cores: run them with `bulwark bench solvency`.

#![allow(missing_docs)] // criterion_group! / criterion_main! generate undocumented items

use std::time::Duration;

use bulwark_benches::{SolvencyConfig, SolvencyKeys, solvency_end_to_end};
use bulwark_circuits::progress::NoProgress;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const LOG_USERS: u32 = 12;
const ASSETS: [usize; 2] = [1, 8];
const BATCH_BITS: usize = 10;

fn solvency(c: &mut Criterion) {
    let mut group = c.benchmark_group("solvency_end_to_end_2^12_users");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    let mut keys = SolvencyKeys::default();
    for assets in ASSETS {
        let config = SolvencyConfig {
            log_users: LOG_USERS,
            assets,
            batch_bits: BATCH_BITS,
        };
        // Keys outside the timed region (the first call makes them).
        solvency_end_to_end(config, &mut keys, &NoProgress, &|_, _| {}).expect("solvency run");
        group.bench_function(BenchmarkId::new("assets", assets), |b| {
            b.iter_custom(|iterations| {
                (0..iterations)
                    .map(|_| {
                        solvency_end_to_end(config, &mut keys, &NoProgress, &|_, _| {})
                            .expect("solvency run")
                            .total()
                    })
                    .sum()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, solvency);
criterion_main!(benches);
