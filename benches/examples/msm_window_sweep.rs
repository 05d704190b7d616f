//! Window-width sweep of our Pippenger against arkworks, in one process on the same inputs.
//!
//! `cargo run --release -p bulwark-benches --example msm_window_sweep -- g1 16 18 c10-18`
//! (`g2` for G2; `cA-B` the window widths, 10 to 18 by default). For every size and window
//! width it prints the median wall and CPU time (all threads) of our engine, with and without
//! precomputed bases, and arkworks' medians over the same rounds (every engine once per round,
//! interleaved), as speed-ups. On a busy machine the CPU-time ratio is the steadier one.

use std::ops::RangeInclusive;
use std::time::Duration;

use ark_bn254::{g1, g2};
use ark_ec::short_weierstrass::SWCurveConfig;
use bulwark_benches::{random_bases, random_scalars, timed};
use bulwark_prover::msm::{ArkworksMsm, MsmEngine, Pippenger, PippengerCurve};

const ROUNDS: usize = 5;

fn median(mut t: Vec<Duration>) -> f64 {
    t.sort_unstable();
    t[t.len() / 2].as_secs_f64()
}

fn sweep<C: PippengerCurve>(log_size: u32, widths: RangeInclusive<u32>) {
    let n = 1usize << log_size;
    let bases = random_bases::<C>(n, u64::from(log_size));
    let scalars = random_scalars(n, 7);
    let ark = ArkworksMsm.prepare(bases.clone());
    let expected = ArkworksMsm.msm(&ark, &scalars);
    let auto = Pippenger::new();
    let mut engines: Vec<(String, Pippenger)> = vec![("auto".into(), auto)];
    for c in widths {
        engines.push((format!("c = {c}"), auto.with_window_bits(c)));
        engines.push((
            format!("c = {c}, precomputed"),
            auto.with_window_bits(c).with_precomputation(true),
        ));
    }
    for (name, engine) in engines {
        let prepared = MsmEngine::<C>::prepare(&engine, bases.clone());
        assert_eq!(engine.msm(&prepared, &scalars), expected, "{name}");
        // Wall and CPU times, ours then arkworks'.
        let mut t: [Vec<Duration>; 4] = Default::default();
        for _ in 0..ROUNDS {
            let (_, wall, cpu) = timed(|| std::hint::black_box(engine.msm(&prepared, &scalars)));
            t[0].push(wall);
            t[1].push(cpu.unwrap_or_default());
            let (_, wall, cpu) = timed(|| std::hint::black_box(ArkworksMsm.msm(&ark, &scalars)));
            t[2].push(wall);
            t[3].push(cpu.unwrap_or_default());
        }
        let [wall, cpu, ark_wall, ark_cpu] = t.map(median);
        eprintln!(
            "2^{log_size} {name:<22} wall {:>8.2} ms (arkworks {:>8.2}) {:>5.2}x   \
             cpu {:>8.2} ms (arkworks {:>8.2}) {:>5.2}x",
            wall * 1e3,
            ark_wall * 1e3,
            ark_wall / wall,
            cpu * 1e3,
            ark_cpu * 1e3,
            ark_cpu / cpu
        );
    }
}

fn run<C: PippengerCurve + SWCurveConfig>(sizes: &[u32], widths: RangeInclusive<u32>) {
    for &s in sizes {
        sweep::<C>(s, widths.clone());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<u32> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let widths = args
        .iter()
        .find_map(|a| {
            let (lo, hi) = a.strip_prefix('c')?.split_once('-')?;
            Some(lo.parse().ok()?..=hi.parse().ok()?)
        })
        .unwrap_or(10..=18);
    if args.iter().any(|a| a == "g2") {
        run::<g2::Config>(&sizes, widths);
    } else {
        run::<g1::Config>(&sizes, widths);
    }
}
