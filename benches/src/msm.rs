//! One-process comparison of MSM engines on identical inputs.

use std::time::{Duration, Instant};

use ark_bn254::{g1, g2};
use ark_ec::CurveGroup;
use ark_ec::short_weierstrass::{Projective, SWCurveConfig};
use ark_ff::{BigInteger, PrimeField};
use bulwark_prover::msm::{ArkworksMsm, MsmEngine, MsmError, Pippenger};
use halo2curves::group::Curve;

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
/// Our engine with precomputed `2^(c·j)·P` tables (built outside the timing).
pub const PIPPENGER_PRECOMPUTED: &str = "bulwark Pippenger, precomputed bases";
/// halo2curves' `msm_best`.
pub const HALO2CURVES: &str = "halo2curves msm_best";

/// Times every engine on the same seeded inputs, `repetitions` runs each after one warm-up run
/// (whose result is checked against arkworks), for G1 at `2^g1_log_sizes` and G2 at
/// `2^g2_log_sizes`. Bases are prepared, and converted to halo2curves types, outside the timing.
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
        let mut group = compare_ours::<g1::Config>(Group::G1, log_size, &inputs, repetitions)?;
        let bases = halo2_g1_bases(&inputs.bases);
        let scalars = halo2_scalars(&inputs.scalars);
        let (time, out, peak) =
            time_runs(repetitions, || halo2curves::msm::msm_best(&scalars, &bases));
        let expected = group[0].1.into_affine();
        let out = out.to_affine();
        let same = match ark_ec::AffineRepr::xy(&expected) {
            Some((x, y)) => {
                out.x.to_bytes() == x.into_bigint().to_bytes_le()[..]
                    && out.y.to_bytes() == y.into_bigint().to_bytes_le()[..]
            }
            None => bool::from(halo2curves::group::prime::PrimeCurveAffine::is_identity(
                &out,
            )),
        };
        if !same {
            return Err(ComparisonError::Mismatch {
                engine: HALO2CURVES,
                group: Group::G1,
                log_size,
            });
        }
        group.push((HALO2CURVES, group[0].1, time, peak));
        rows.extend(to_rows(Group::G1, log_size, group));
    }
    for &log_size in g2_log_sizes {
        let inputs = inputs::<g2::Config>(log_size);
        let group = compare_ours::<g2::Config>(Group::G2, log_size, &inputs, repetitions)?;
        rows.extend(to_rows(Group::G2, log_size, group));
    }
    Ok(rows)
}

fn inputs<C: SWCurveConfig<ScalarField = ark_bn254::Fr>>(log_size: u32) -> MsmInputs<C> {
    let n = 1usize << log_size;
    MsmInputs {
        bases: random_bases(n, u64::from(log_size)),
        scalars: random_scalars(n, 7),
    }
}

type Timed<C> = (&'static str, Projective<C>, Duration, Option<PeakMemory>);

fn compare_ours<C: SWCurveConfig<ScalarField = ark_bn254::Fr>>(
    group: Group,
    log_size: u32,
    inputs: &MsmInputs<C>,
    repetitions: usize,
) -> Result<Vec<Timed<C>>, ComparisonError> {
    let mut timed = vec![time_engine(ARKWORKS, &ArkworksMsm, inputs, repetitions)?];
    let ours = [
        (PIPPENGER, Pippenger::new()),
        (
            PIPPENGER_PRECOMPUTED,
            Pippenger::new().with_precomputation(true),
        ),
    ];
    for (name, engine) in ours {
        let t = time_engine(name, &engine, inputs, repetitions)?;
        if t.1 != timed[0].1 {
            return Err(ComparisonError::Mismatch {
                engine: name,
                group,
                log_size,
            });
        }
        timed.push(t);
    }
    Ok(timed)
}

fn time_engine<C: SWCurveConfig<ScalarField = ark_bn254::Fr>, E: MsmEngine<C>>(
    name: &'static str,
    engine: &E,
    inputs: &MsmInputs<C>,
    repetitions: usize,
) -> Result<Timed<C>, MsmError> {
    let prepared = engine.prepare(inputs.bases.clone());
    let (time, out, peak) = time_runs(repetitions, || engine.msm(&prepared, &inputs.scalars));
    Ok((name, out?, time, peak))
}

/// One warm-up run (returned, with its peak memory), then the median of `repetitions` runs.
fn time_runs<T>(repetitions: usize, mut f: impl FnMut() -> T) -> (Duration, T, Option<PeakMemory>) {
    let (out, peak) = PeakMemory::measure(&mut f);
    let mut times: Vec<Duration> = (0..repetitions.max(1))
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort_unstable();
    (times[times.len() / 2], out, peak)
}

fn to_rows<C: SWCurveConfig>(group: Group, log_size: u32, timed: Vec<Timed<C>>) -> Vec<Row> {
    let baseline = timed[0].2.as_secs_f64();
    timed
        .into_iter()
        .map(|(engine, _, time, peak)| Row {
            group,
            log_size,
            engine,
            time,
            speedup_vs_arkworks: baseline / time.as_secs_f64(),
            peak_extra_bytes: peak.map(|p| p.extra_bytes),
        })
        .collect()
}
