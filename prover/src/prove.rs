use ark_bn254::Fr;
use ark_relations::gr1cs::ConstraintSynthesizer;
use rand::{CryptoRng, RngCore};

use crate::groth16::{CancelToken, ProveTimings, prove_with_queries};
use crate::msm::DefaultMsmEngine;
use crate::{ProofWithInputs, ProverError, ProvingKey};

/// Proves that the witness assigned by `circuit` satisfies it, using `pk` (borrowed, so one
/// loaded key serves many proofs) and `rng` for the zero-knowledge blinding `r`, `s`.
///
/// The circuit is synthesized once. Before any MSM runs, the witness is checked: an
/// unsatisfied constraint is [`ProverError::Unsatisfied`] naming the first one, and a circuit
/// whose shape differs from the key's is [`ProverError::KeyMismatch`]. The MSMs run on the
/// [default engine](DefaultMsmEngine), on the key's queries prepared at the first proof and
/// kept with the key ([`ProvingKey::with_engine`] picks another engine). The finished proof is
/// verified against the key's prepared verifying key (three pairings, negligible next to
/// proving), so a circuit that has the key's shape but other constraints is
/// [`ProverError::ProofSelfCheckFailed`] rather than a bogus proof.
#[tracing::instrument(level = "debug", skip_all)]
pub fn prove<C: ConstraintSynthesizer<Fr>>(
    pk: &ProvingKey,
    circuit: C,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<ProofWithInputs, ProverError> {
    let engine = DefaultMsmEngine::default();
    prove_with_queries(pk, &engine, pk.default_queries(), circuit, rng, None)
        .map(|(proved, _)| proved)
}

/// [`prove`] that stops with [`ProverError::Cancelled`] soon after `cancel` is cancelled from
/// another thread: the token is checked before and after synthesis, after the witness map, and
/// between slices of [`CANCEL_CHUNK`](crate::CANCEL_CHUNK) bases of every query MSM (so a
/// cancelled proof stops within one slice, not one whole MSM). Uncancelled, it returns the
/// same kind of proof as [`prove`], and the wall times of its two phases.
///
/// The MSMs run on the default engine over the key's queries prepared in slices, prepared at
/// the first call and kept with the key (separately from [`prove`]'s).
#[tracing::instrument(level = "debug", skip_all)]
pub fn prove_cancellable<C: ConstraintSynthesizer<Fr>>(
    pk: &ProvingKey,
    circuit: C,
    rng: &mut (impl RngCore + CryptoRng),
    cancel: &CancelToken,
) -> Result<(ProofWithInputs, ProveTimings), ProverError> {
    let engine = pk.chunked_engine().watching(cancel.clone());
    prove_with_queries(
        pk,
        &engine,
        pk.chunked_queries(),
        circuit,
        rng,
        Some(cancel),
    )
}
