use ark_bn254::Fr;
use ark_relations::gr1cs::ConstraintSynthesizer;
use rand::{CryptoRng, RngCore};

use crate::groth16::prove_with_queries;
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
    prove_with_queries(pk, &engine, pk.default_queries(), circuit, rng)
}
