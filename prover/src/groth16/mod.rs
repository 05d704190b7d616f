//! Groth16 proving with the MSMs on an [`MsmEngine`](crate::msm::MsmEngine): arkworks'
//! R1CS→QAP witness map, then the five query MSMs (`A`, `B` in G1 and G2, `H`, `L`) run
//! concurrently on bases the engine prepared once per key.

mod cancel;
mod queries;
mod witness;

use std::time::Instant;

use ark_bn254::Fr;
use ark_ec::CurveGroup;
use ark_ff::UniformRand;
use ark_relations::gr1cs::ConstraintSynthesizer;
use rand::{CryptoRng, RngCore};

pub(crate) use cancel::Chunked;
pub use cancel::{CANCEL_CHUNK, CancelToken, ProveTimings};
pub(crate) use queries::PreparedQueries;

use crate::msm::Bn254MsmEngine;
use crate::{Proof, ProofWithInputs, ProverError, ProvingKey, verify};

/// A proving key bound to an MSM engine, its query vectors prepared in the engine's layout.
///
/// Build it once per key ([`ProvingKey::with_engine`]) and prove many times; [`crate::prove`]
/// is the same with the [default engine](crate::msm::DefaultMsmEngine), whose preparation the
/// key caches itself.
pub struct EngineProver<'k, E: Bn254MsmEngine> {
    pk: &'k ProvingKey,
    engine: E,
    queries: PreparedQueries<E>,
}

impl<E: Bn254MsmEngine> std::fmt::Debug for EngineProver<'_, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineProver").finish_non_exhaustive()
    }
}

impl ProvingKey {
    /// Prepares this key's queries for `engine` (copies them into its layout, possibly with
    /// precomputation), for [`EngineProver::prove`].
    pub fn with_engine<E: Bn254MsmEngine>(&self, engine: E) -> EngineProver<'_, E> {
        let queries = PreparedQueries::new(&engine, &self.pk);
        EngineProver {
            pk: self,
            engine,
            queries,
        }
    }
}

impl<E: Bn254MsmEngine> EngineProver<'_, E> {
    /// [`crate::prove`] with this prover's engine: same checks, same errors, same proofs up
    /// to the blinding drawn from `rng`.
    pub fn prove<C: ConstraintSynthesizer<Fr>>(
        &self,
        circuit: C,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<ProofWithInputs, ProverError> {
        prove_with_queries(self.pk, &self.engine, &self.queries, circuit, rng, None)
            .map(|(proved, _)| proved)
    }
}

/// Synthesizes and checks the witness, runs the MSMs on `queries`, assembles and self-verifies
/// the proof. With `cancel`, stops with [`ProverError::Cancelled`] at the first check after the
/// token is cancelled: before and after synthesis, after the witness map and after the MSMs
/// (whose engine, for prompt cancellation, is a [`Chunked`] engine watching the same token).
pub(crate) fn prove_with_queries<E: Bn254MsmEngine, C: ConstraintSynthesizer<Fr>>(
    pk: &ProvingKey,
    engine: &E,
    queries: &PreparedQueries<E>,
    circuit: C,
    rng: &mut (impl RngCore + CryptoRng),
    cancel: Option<&CancelToken>,
) -> Result<(ProofWithInputs, ProveTimings), ProverError> {
    let check = || cancel.map_or(Ok(()), CancelToken::check);
    check()?;
    let start = Instant::now();
    let witness = witness::synthesize(pk, circuit, &check)?;
    check()?;
    let witnessed = Instant::now();
    let full = &witness.full_assignment;
    let aux = &full[witness.num_inputs..];
    let msms = {
        let _span = tracing::debug_span!("msms").entered();
        queries.msms(engine, full, aux, &witness.h)?
    };
    check()?;
    let timings = ProveTimings {
        witness: witnessed - start,
        msm: witnessed.elapsed(),
    };
    drop(witness.h);

    // Groth16 (Groth 2016, §3.2) with the key's δ-scaled queries:
    // A = α + Σ zᵢAᵢ + rδ,  B = β + Σ zᵢBᵢ + sδ,  C = Σ aᵢLᵢ + Σ hⱼHⱼ + sA + rB − rsδ.
    let r = Fr::rand(rng);
    let s = Fr::rand(rng);
    let key = &pk.pk;
    let a = msms.a + key.vk.alpha_g1 + key.delta_g1 * r;
    let b_g1 = msms.b_g1 + key.beta_g1 + key.delta_g1 * s;
    let b_g2 = msms.b_g2 + key.vk.beta_g2 + key.vk.delta_g2 * s;
    let c = msms.l + msms.h + a * s + b_g1 * r - key.delta_g1 * (r * s);
    let proof = Proof(ark_groth16::Proof {
        a: a.into_affine(),
        b: b_g2.into_affine(),
        c: c.into_affine(),
    });
    let public_inputs = full[1..witness.num_inputs].to_vec();

    match verify(&pk.vk, &public_inputs, &proof) {
        Ok(()) => Ok((
            ProofWithInputs {
                proof,
                public_inputs,
            },
            timings,
        )),
        Err(ProverError::InvalidProof) => Err(ProverError::ProofSelfCheckFailed),
        Err(other) => Err(other),
    }
}
