//! The MSM engine this process proves with: the CPU default, or after [`use_gpu`] (the
//! `--gpu` flag of `rollup prove`, `solvency prove`, `bench msm` and `serve`) the GPU engine of
//! cargo feature `gpu` (on by default). The choice is made once per process; without an adapter
//! the GPU engine logs why and runs on the CPU.

use ark_relations::gr1cs::ConstraintSynthesizer;
use bulwark_prover::{CancelToken, Fr, ProofWithInputs, ProveTimings, ProverError, ProvingKey};
use rand::{CryptoRng, RngCore};

/// Why `--gpu` could not be honoured.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// This binary was built without the `gpu` cargo feature.
    #[error("this bulwark was built without the `gpu` cargo feature; rebuild with --features gpu")]
    NotBuilt,
}

#[cfg(feature = "gpu")]
static GPU: std::sync::OnceLock<bulwark_prover::msm::GpuMsm> = std::sync::OnceLock::new();

/// Switches this process's proofs to the GPU engine (opening the adapter now, so its log line
/// comes first). [`EngineError::NotBuilt`] without the `gpu` feature.
pub fn use_gpu() -> Result<(), EngineError> {
    #[cfg(feature = "gpu")]
    {
        GPU.get_or_init(|| {
            bulwark_prover::msm::GpuMsm::new()
                .with_resident_cache(bulwark_prover::msm::ResidentCache::default())
        });
        Ok(())
    }
    #[cfg(not(feature = "gpu"))]
    {
        Err(EngineError::NotBuilt)
    }
}

/// [`bulwark_prover::prove`] on this process's engine. With the GPU engine the key's G1
/// queries are uploaded by its first proof and stay resident for later ones (a cache bounded
/// at `bulwark_gpu::DEFAULT_RESIDENT_LIMIT` bytes, least recently used key out first).
pub fn prove<C: ConstraintSynthesizer<Fr>>(
    pk: &ProvingKey,
    circuit: C,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<ProofWithInputs, ProverError> {
    #[cfg(feature = "gpu")]
    if let Some(engine) = GPU.get() {
        return pk.with_engine(engine.clone()).prove(circuit, rng);
    }
    bulwark_prover::prove(pk, circuit, rng)
}

/// Runs `work`, which cannot observe `cancel`, with a check of `cancel` before and after
/// ([`ProverError::Cancelled`]): a proof cancelled while it runs is discarded.
pub fn uninterruptible<T>(
    cancel: &CancelToken,
    work: impl FnOnce() -> Result<T, ProverError>,
) -> Result<T, ProverError> {
    let check = || {
        if cancel.is_cancelled() {
            Err(ProverError::Cancelled)
        } else {
            Ok(())
        }
    };
    check()?;
    let value = work()?;
    check()?;
    Ok(value)
}

/// [`bulwark_prover::prove_cancellable`] on this process's engine: the CPU engine observes
/// `cancel` between stages and between slices of every MSM and returns its stage timings. The
/// GPU engine checks `cancel` only before and after the proof (its MSMs are not sliced) and
/// returns no stage timings.
pub fn prove_cancellable<C: ConstraintSynthesizer<Fr>>(
    pk: &ProvingKey,
    circuit: C,
    rng: &mut (impl RngCore + CryptoRng),
    cancel: &CancelToken,
) -> Result<(ProofWithInputs, Option<ProveTimings>), ProverError> {
    #[cfg(feature = "gpu")]
    if let Some(engine) = GPU.get() {
        let proved = uninterruptible(cancel, || {
            pk.with_engine(engine.clone()).prove(circuit, rng)
        })?;
        return Ok((proved, None));
    }
    bulwark_prover::prove_cancellable(pk, circuit, rng, cancel)
        .map(|(proved, timings)| (proved, Some(timings)))
}
