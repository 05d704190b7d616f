//! Our Pippenger alone, repeated, for a profiler (`perf record -g`).
//!
//! `cargo run --release -p bulwark-benches --example msm_profile -- g1 18 20` runs G1 at 2^18
//! twenty times (`g2` for G2; an optional `cN` fixes the window width) after checking one result
//! against arkworks, and prints each run's wall and CPU time (all threads).

use ark_bn254::{g1, g2};
use bulwark_benches::{random_bases, random_scalars, timed};
use bulwark_prover::msm::{ArkworksMsm, MsmEngine, Pippenger, PippengerCurve};

fn run<C: PippengerCurve>(log_size: u32, repetitions: usize, engine: Pippenger) {
    let n = 1usize << log_size;
    let bases = random_bases::<C>(n, u64::from(log_size));
    let scalars = random_scalars(n, 7);
    let prepared = MsmEngine::<C>::prepare(&engine, bases.clone());
    let expected = ArkworksMsm.msm_unprepared(&bases, &scalars);
    assert_eq!(
        engine.msm(&prepared, &scalars),
        expected,
        "result differs from arkworks"
    );
    for _ in 0..repetitions {
        let (_, wall, cpu) = timed(|| std::hint::black_box(engine.msm(&prepared, &scalars)));
        eprintln!(
            "2^{log_size} wall {:>8.2} ms cpu {:>8.2} ms",
            wall.as_secs_f64() * 1e3,
            cpu.unwrap_or_default().as_secs_f64() * 1e3
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let log_size = numbers.first().map_or(16, |&s| s as u32);
    let repetitions = numbers.get(1).copied().unwrap_or(10);
    let mut engine = Pippenger::new();
    if let Some(c) = args.iter().find_map(|a| a.strip_prefix('c')?.parse().ok()) {
        engine = engine.with_window_bits(c);
    }
    if args.iter().any(|a| a == "g2") {
        run::<g2::Config>(log_size, repetitions, engine);
    } else {
        run::<g1::Config>(log_size, repetitions, engine);
    }
}
