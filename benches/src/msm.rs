//! One-process comparison of MSM engines on identical inputs.

use std::time::Duration;

use ark_bn254::{g1, g2};
use ark_ec::CurveGroup;
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ff::{BigInteger, PrimeField};
use bulwark_prover::msm::{ArkworksMsm, MsmEngine, MsmError, Pippenger, PippengerCurve};
use halo2curves::group::Curve;

use crate::cpu::{Samples, cpu_ratio};
use crate::inputs::{MsmInputs, halo2_g1_bases, halo2_scalars, random_bases, random_scalars};
use crate::memory::PeakMemory;

/// Which BN254 group an MSM ran in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// G1, over Fq.
    G1,
    /// G2, over Fq2.
    G2,
}

/// One engine on one input size.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Group of the MSM.
    pub group: Group,
    /// The MSM had `2^log_size` terms.
    pub log_size: u32,
    /// Engine name.
    pub engine: &'static str,
    /// Median wall time of one MSM (prepared bases; scalar conversion included).
    pub time: Duration,
    /// arkworks' median time on the same inputs divided by this engine's.
    pub speedup_vs_arkworks: f64,
    /// Median CPU time of one MSM, all threads together (Linux only): on a shared machine it
    /// depends less on other load than the wall time.
    pub cpu_time: Option<Duration>,
    /// arkworks' median CPU time divided by this engine's, where both are known.
    pub cpu_speedup_vs_arkworks: Option<f64>,
    /// Peak resident memory added by one MSM, where the platform can tell.
    pub peak_extra_bytes: Option<u64>,
}

/// Why a comparison could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum ComparisonError {
    /// An engine's result differs from arkworks' on the same inputs.
    #[error("{engine} disagrees with arkworks on {group:?} at 2^{log_size}")]
    Mismatch {
        /// The disagreeing engine.
        engine: &'static str,
        /// Group of the MSM.
        group: Group,
        /// `2^log_size` terms.
        log_size: u32,
    },
    /// An engine rejected the inputs.
    #[error(transparent)]
    Msm(#[from] MsmError),
}

/// Engine names as they appear in [`Row::engine`].
pub const ARKWORKS: &str = "arkworks VariableBaseMSM";
/// Our engine with default settings.
pub const PIPPENGER: &str = "bulwark Pippenger";
/// Our engine with arkworks' portable field multiplication instead of the CPU's fastest
/// (identical to [`PIPPENGER`] on CPUs without BMI2/ADX).
pub const PIPPENGER_PORTABLE: &str = "bulwark Pippenger, portable field ops";
/// Our engine with every bucket addition on the scalar field products, even where the CPU has
/// AVX-512 IFMA (identical to [`PIPPENGER`] on G2 and on CPUs without IFMA).
pub const PIPPENGER_SCALAR: &str = "bulwark Pippenger, no IFMA lanes";
/// Our engine with the GLV split.
pub const PIPPENGER_GLV: &str = "bulwark Pippenger, GLV";
/// Our engine with precomputed `2^(c·j)·P` tables (built outside the timing).
pub const PIPPENGER_PRECOMPUTED: &str = "bulwark Pippenger, precomputed bases";
/// halo2curves' `msm_best`.
pub const HALO2CURVES: &str = "halo2curves msm_best";

/// Times every engine on the same seeded inputs, for G1 at `2^g1_log_sizes` and G2 at
/// `2^g2_log_sizes`. Each engine first runs once (its result checked against arkworks', its peak
/// memory measured); then `repetitions` rounds each run every engine once, interleaved so that
/// load from other processes hits all engines alike, and each row reports its medians (wall
/// and CPU time). Bases are
/// prepared, and converted to halo2curves types, outside the timing.
///
/// # Errors
/// [`ComparisonError::Mismatch`] if an engine's result differs from arkworks'.
pub fn msm_comparison(
    g1_log_sizes: &[u32],
    g2_log_sizes: &[u32],
    repetitions: usize,
) -> Result<Vec<Row>, ComparisonError> {
    let mut rows = Vec::new();
    for &log_size in g1_log_sizes {
        let inputs = inputs::<g1::Config>(log_size);
        let bases = halo2_g1_bases(&inputs.bases);
        let scalars = halo2_scalars(&inputs.scalars);
        let halo2 = || halo2curves::msm::msm_best(&scalars, &bases);
        let mut runs = ours::<g1::Config>(Group::G1, log_size, &inputs)?;
        let (out, peak) = PeakMemory::measure(halo2);
        if !same_point(&runs[0].expected, &out.to_affine()) {
            return Err(ComparisonError::Mismatch {
                engine: HALO2CURVES,
                group: Group::G1,
                log_size,
            });
        }
        runs.push(Run {
            name: HALO2CURVES,
            expected: runs[0].expected,
            peak,
            run: Box::new(move || {
                std::hint::black_box(halo2());
            }),
        });
        rows.extend(time_interleaved(Group::G1, log_size, runs, repetitions));
    }
    for &log_size in g2_log_sizes {
        let inputs = inputs::<g2::Config>(log_size);
        let runs = ours::<g2::Config>(Group::G2, log_size, &inputs)?;
        rows.extend(time_interleaved(Group::G2, log_size, runs, repetitions));
    }
    Ok(rows)
}

fn same_point(expected: &ark_bn254::G1Affine, got: &halo2curves::bn256::G1Affine) -> bool {
    match ark_ec::AffineRepr::xy(expected) {
        Some((x, y)) => {
            got.x.to_bytes() == x.into_bigint().to_bytes_le()[..]
                && got.y.to_bytes() == y.into_bigint().to_bytes_le()[..]
        }
        None => bool::from(halo2curves::group::prime::PrimeCurveAffine::is_identity(
            got,
        )),
    }
}

fn inputs<C: SWCurveConfig<ScalarField = ark_bn254::Fr>>(log_size: u32) -> MsmInputs<C> {
    let n = 1usize << log_size;
    MsmInputs {
        bases: random_bases(n, u64::from(log_size)),
        scalars: random_scalars(n, 7),
    }
}

/// One engine, ready to run on prepared inputs.
struct Run<'a, C: SWCurveConfig> {
    name: &'static str,
    /// Result of the checked warm-up run.
    expected: Affine<C>,
    peak: Option<PeakMemory>,
    run: Box<dyn FnMut() + 'a>,
}

/// arkworks first (the reference), then our engines, each warmed up and checked.
fn ours<C: PippengerCurve>(
    group: Group,
    log_size: u32,
    inputs: &MsmInputs<C>,
) -> Result<Vec<Run<'_, C>>, ComparisonError> {
    let mut runs = vec![run(ARKWORKS, ArkworksMsm, inputs)?];
    for (name, engine) in [
        (PIPPENGER, Pippenger::new()),
        (PIPPENGER_SCALAR, Pippenger::new().with_ifma(false)),
        (
            PIPPENGER_PORTABLE,
            Pippenger::new().with_portable_field(true),
        ),
        (PIPPENGER_GLV, Pippenger::new().with_glv(true)),
        (
            PIPPENGER_PRECOMPUTED,
            Pippenger::new().with_precomputation(true),
        ),
    ] {
        let r = run(name, engine, inputs)?;
        if r.expected != runs[0].expected {
            return Err(ComparisonError::Mismatch {
                engine: name,
                group,
                log_size,
            });
        }
        runs.push(r);
    }
    Ok(runs)
}

fn run<'a, C: SWCurveConfig<ScalarField = ark_bn254::Fr>, E: MsmEngine<C> + 'a>(
    name: &'static str,
    engine: E,
    inputs: &'a MsmInputs<C>,
) -> Result<Run<'a, C>, MsmError> {
    let prepared = engine.prepare(inputs.bases.clone());
    let (out, peak) = PeakMemory::measure(|| engine.msm(&prepared, &inputs.scalars));
    let expected = out?.into_affine();
    let run = Box::new(move || {
        std::hint::black_box(engine.msm(&prepared, &inputs.scalars).ok());
    });
    Ok(Run {
        name,
        expected,
        peak,
        run,
    })
}

fn time_interleaved<C: SWCurveConfig>(
    group: Group,
    log_size: u32,
    mut runs: Vec<Run<'_, C>>,
    repetitions: usize,
) -> Vec<Row> {
    let mut samples = vec![Samples::new(); runs.len()];
    for _ in 0..repetitions.max(1) {
        for (r, sample) in runs.iter_mut().zip(&mut samples) {
            sample.time(&mut r.run);
        }
    }
    let (walls, cpus): (Vec<Duration>, Vec<Option<Duration>>) =
        samples.into_iter().map(Samples::medians).unzip();
    let (wall_base, cpu_base) = (walls[0].as_secs_f64(), cpus[0]);
    runs.iter()
        .zip(walls)
        .zip(cpus)
        .map(|((r, time), cpu_time)| Row {
            group,
            log_size,
            engine: r.name,
            time,
            speedup_vs_arkworks: wall_base / time.as_secs_f64(),
            cpu_time,
            cpu_speedup_vs_arkworks: cpu_ratio(cpu_base, cpu_time),
            peak_extra_bytes: r.peak.map(|p| p.extra_bytes),
        })
        .collect()
}
