//! Criterion: our MSM engines against arkworks' `VariableBaseMSM` and halo2curves' `msm_best`
//! on identical inputs. Bases are prepared (and converted to halo2curves types) outside the
//! timed region; each iteration is one MSM including the engine's scalar conversion.
//!
//! `cargo bench -p bulwark-benches --bench msm`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::time::Duration;

use ark_bn254::{Fr, g1, g2};
use ark_ec::short_weierstrass::SWCurveConfig;
use bulwark_benches::{
    ARKWORKS, HALO2CURVES, PIPPENGER, PIPPENGER_GLV, PIPPENGER_PRECOMPUTED, halo2_g1_bases,
    halo2_scalars, random_bases, random_scalars,
};
use bulwark_prover::msm::{ArkworksMsm, MsmEngine, Pippenger, PippengerCurve};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};

fn bench_engine<C: SWCurveConfig<ScalarField = Fr>, E: MsmEngine<C>>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    log_size: u32,
    engine: &E,
    bases: &[ark_ec::short_weierstrass::Affine<C>],
    scalars: &[Fr],
) {
    let prepared = engine.prepare(bases.to_vec());
    group.bench_function(BenchmarkId::new(name, format!("2^{log_size}")), |b| {
        b.iter(|| engine.msm(&prepared, scalars))
    });
}

fn ours_and_arkworks<C: PippengerCurve>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    log_size: u32,
    bases: &[ark_ec::short_weierstrass::Affine<C>],
    scalars: &[Fr],
) {
    bench_engine(group, ARKWORKS, log_size, &ArkworksMsm, bases, scalars);
    bench_engine(
        group,
        PIPPENGER,
        log_size,
        &Pippenger::new(),
        bases,
        scalars,
    );
    bench_engine(
        group,
        PIPPENGER_GLV,
        log_size,
        &Pippenger::new().with_glv(true),
        bases,
        scalars,
    );
    let precomputed = Pippenger::new().with_precomputation(true);
    bench_engine(
        group,
        PIPPENGER_PRECOMPUTED,
        log_size,
        &precomputed,
        bases,
        scalars,
    );
}

fn msm_g1(c: &mut Criterion) {
    let mut group = c.benchmark_group("msm_g1");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for log_size in [12, 16, 18] {
        let n = 1 << log_size;
        let bases = random_bases::<g1::Config>(n, u64::from(log_size));
        let scalars = random_scalars(n, 7);
        ours_and_arkworks(&mut group, log_size, &bases, &scalars);
        let h2_bases = halo2_g1_bases(&bases);
        let h2_scalars = halo2_scalars(&scalars);
        group.bench_function(
            BenchmarkId::new(HALO2CURVES, format!("2^{log_size}")),
            |b| b.iter(|| halo2curves::msm::msm_best(&h2_scalars, &h2_bases)),
        );
    }
    group.finish();
}

fn msm_g2(c: &mut Criterion) {
    let mut group = c.benchmark_group("msm_g2");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let log_size = 16;
    let n = 1 << log_size;
    let bases = random_bases::<g2::Config>(n, u64::from(log_size));
    let scalars = random_scalars(n, 7);
    ours_and_arkworks(&mut group, log_size, &bases, &scalars);
    group.finish();
}

criterion_group!(benches, msm_g1, msm_g2);
criterion_main!(benches);
