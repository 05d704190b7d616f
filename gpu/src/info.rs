//! `bulwark gpu info`: adapter description plus a self-test MSM checked against arkworks.

use std::fmt;
use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::PrimeField;

use crate::{FieldPath, GpuError, GpuInfo, GpuMsm, MsmConfig};

/// Points in the self-test MSM.
pub const SELF_TEST_POINTS: usize = 256;

/// Result of [`gpu_info`].
#[derive(Clone, Debug)]
pub struct GpuReport {
    /// Adapter, features, limits.
    pub info: GpuInfo,
    /// Points in the self-test MSM.
    pub self_test_points: usize,
    /// Each field path tested, with the wall time of its self-test MSM (upload excluded,
    /// readback included).
    pub self_tests: Vec<(FieldPath, Duration)>,
}

impl fmt::Display for GpuReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.info)?;
        for (field, time) in &self.self_tests {
            write!(
                f,
                "\nself-test ({field}): {}-point MSM matches arkworks ({:.1} ms)",
                self.self_test_points,
                time.as_secs_f64() * 1e3
            )?;
        }
        Ok(())
    }
}

/// Deterministic self-test inputs: multiples of the generator and scalars from splitmix64.
fn self_test_inputs(n: usize) -> (Vec<G1Affine>, Vec<Fr>) {
    let g = G1Projective::generator();
    let mut p = g;
    let mut bases = Vec::with_capacity(n);
    for _ in 0..n {
        bases.push(p);
        p += g;
    }
    let mut state: u64 = 0x0123_4567_89ab_cdef;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let scalars = (0..n)
        .map(|_| {
            let bytes: Vec<u8> = (0..4).flat_map(|_| next().to_le_bytes()).collect();
            Fr::from_le_bytes_mod_order(&bytes)
        })
        .collect();
    (G1Projective::normalize_batch(&bases), scalars)
}

impl GpuMsm {
    /// Runs a [`SELF_TEST_POINTS`]-point MSM on the device and compares it with arkworks.
    pub fn self_test(&self) -> Result<Duration, GpuError> {
        let (bases, scalars) = self_test_inputs(SELF_TEST_POINTS);
        let resident = self.upload_bases(&bases)?;
        let start = Instant::now();
        let got = self.msm_any_size(&resident, &scalars)?;
        let elapsed = start.elapsed();
        let want = G1Projective::msm_unchecked(&bases, &scalars);
        if got != want {
            return Err(GpuError::SelfTest {
                len: SELF_TEST_POINTS,
            });
        }
        Ok(elapsed)
    }
}

/// Opens the default adapter, describes it and runs the self-test (what `bulwark gpu info`
/// prints) on `field`, or on every field path the adapter offers when `None`.
/// [`GpuError::NoAdapter`] when there is no adapter.
pub fn gpu_info(field: Option<FieldPath>) -> Result<GpuReport, GpuError> {
    let config = |field| MsmConfig {
        field,
        ..MsmConfig::default()
    };
    let mut engine = GpuMsm::with_config(config(field))?;
    // The engine's own path first, so kernels are compiled once per path.
    let mut paths = vec![engine.field()];
    if field.is_none() {
        paths.extend(FieldPath::ALL.into_iter().filter(|p| {
            *p != engine.field() && engine.info().features.contains(p.required_features())
        }));
    }
    let mut self_tests = Vec::with_capacity(paths.len());
    for path in paths {
        engine.set_config(config(Some(path)))?;
        self_tests.push((path, engine.self_test()?));
    }
    Ok(GpuReport {
        info: engine.info().clone(),
        self_test_points: SELF_TEST_POINTS,
        self_tests,
    })
}
