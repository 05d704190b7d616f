//! Multi-scalar multiplication (MSM) engines: `Σ kᵢ·Pᵢ` over BN254's G1 and G2.
//!
//! Every engine implements [`MsmEngine`], modelled on halo2's `MsmAccel` (PSE
//! `halo2_middleware/src/zal.rs`) and arkworks' `VariableBaseMSM`: bases that repeat across proofs
//! (proving-key queries) are [prepared](MsmEngine::prepare) once and then multiplied by fresh
//! scalars many times. Engines:
//!
//! - [`ArkworksMsm`]: the baseline, `ark_ec::VariableBaseMSM::msm`.
//! - [`Pippenger`]: our CPU engine (optional GLV scalar split, signed-digit windows, batch-affine
//!   bucket accumulation, eight additions at a time in AVX-512 IFMA lanes where the CPU has
//!   them, else with MULX/ADX field products where it has those, rayon, optional fixed-base
//!   precomputation). It is the CPU default ([`DefaultMsmEngine`]).
//! - `GpuMsm` (cargo feature `gpu`): G1 on a wgpu device with bases resident, the CPU engine
//!   for G2, small inputs and machines without an adapter.

mod arkworks;
mod batch_affine;
mod buckets;
mod digits;
mod field;
mod glv;
#[cfg(feature = "gpu")]
mod gpu;
#[cfg(target_arch = "x86_64")]
mod ifma;
mod pippenger;

use ark_bn254::{g1, g2};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};

pub use arkworks::ArkworksMsm;
pub use field::FieldMul;
#[cfg(feature = "gpu")]
pub use gpu::{
    FieldPath, GpuBases, GpuConfig, GpuError, GpuMsm, GpuReport, ResidentCache, ResidentStats,
    gpu_info,
};
pub use pippenger::{GlvTerms, Pippenger, PippengerBases, PippengerCurve};

/// The CPU engine the prover uses when the caller picks none.
pub type DefaultMsmEngine = Pippenger;

/// Why an MSM could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MsmError {
    /// The number of scalars differs from the number of prepared bases.
    #[error("MSM length mismatch: {bases} bases but {scalars} scalars")]
    LengthMismatch {
        /// Number of bases the engine holds.
        bases: usize,
        /// Number of scalars the caller passed.
        scalars: usize,
    },
}

/// An engine computing multi-scalar multiplications on the short-Weierstrass curve `C`.
///
/// Implementations must return exactly `Σ scalars[i]·bases[i]` for every input, including zero
/// scalars, identity bases, repeated bases and empty inputs (the identity).
pub trait MsmEngine<C: SWCurveConfig>: Send + Sync {
    /// Bases in the engine's own layout, kept across calls (e.g. a proving key's query).
    type Bases: Send + Sync;

    /// Converts `bases` into the engine's layout; may precompute, so call it once per key.
    fn prepare(&self, bases: Vec<Affine<C>>) -> Self::Bases;

    /// Number of bases held by a prepared set (the scalar count [`MsmEngine::msm`] expects).
    fn len(&self, bases: &Self::Bases) -> usize;

    /// Computes `Σ scalars[i]·bases[i]`.
    ///
    /// # Errors
    /// [`MsmError::LengthMismatch`] if `scalars.len()` differs from the number of bases.
    fn msm(
        &self,
        bases: &Self::Bases,
        scalars: &[C::ScalarField],
    ) -> Result<Projective<C>, MsmError>;

    /// One-off MSM on bases that will not be reused: checks lengths, prepares, multiplies.
    ///
    /// # Errors
    /// [`MsmError::LengthMismatch`] if the slices differ in length.
    fn msm_unprepared(
        &self,
        bases: &[Affine<C>],
        scalars: &[C::ScalarField],
    ) -> Result<Projective<C>, MsmError> {
        check_lengths(bases.len(), scalars.len())?;
        self.msm(&self.prepare(bases.to_vec()), scalars)
    }
}

/// An engine serving both BN254 groups, which is what Groth16 needs (G1 and G2 queries).
pub trait Bn254MsmEngine: MsmEngine<g1::Config> + MsmEngine<g2::Config> {}

impl<E: MsmEngine<g1::Config> + MsmEngine<g2::Config>> Bn254MsmEngine for E {}

fn check_lengths(bases: usize, scalars: usize) -> Result<(), MsmError> {
    if bases == scalars {
        Ok(())
    } else {
        Err(MsmError::LengthMismatch { bases, scalars })
    }
}
