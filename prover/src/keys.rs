use std::sync::{Arc, OnceLock};

use ark_bn254::{Bn254, Fr};
use ark_groth16::PreparedVerifyingKey;

use crate::groth16::{CANCEL_CHUNK, Chunked, PreparedQueries};
use crate::msm::DefaultMsmEngine;

/// A Groth16 proving key for one circuit, together with its prepared verifying key.
///
/// Load or generate it once and prove many times with [`crate::prove`]: proving only borrows
/// it. The verifying key is prepared (pairing `e(alpha, beta)` and negated, line-prepared
/// `gamma`/`delta`) when the key is built or read, so every proof can be checked against it
/// before it is returned.
///
/// The first proof also prepares the key's query vectors for the
/// [default MSM engine](DefaultMsmEngine) and keeps them (clones share them): a copy of the
/// G1 and G2 queries, so a key that proves holds about twice its serialized-point memory.
#[derive(Clone, Debug)]
pub struct ProvingKey {
    pub(crate) pk: ark_groth16::ProvingKey<Bn254>,
    pub(crate) vk: VerifyingKey,
    default_queries: OnceLock<Arc<PreparedQueries<DefaultMsmEngine>>>,
    chunked_queries: OnceLock<Arc<PreparedQueries<Chunked<DefaultMsmEngine>>>>,
}

impl PartialEq for ProvingKey {
    /// Keys are equal when their arkworks keys are (prepared queries are derived data).
    fn eq(&self, other: &Self) -> bool {
        self.pk == other.pk
    }
}

impl ProvingKey {
    pub(crate) fn from_ark(pk: ark_groth16::ProvingKey<Bn254>) -> Self {
        let vk = VerifyingKey::from_ark(pk.vk.clone());
        Self::from_parts(pk, vk)
    }

    pub(crate) fn from_parts(pk: ark_groth16::ProvingKey<Bn254>, vk: VerifyingKey) -> Self {
        Self {
            pk,
            vk,
            default_queries: OnceLock::new(),
            chunked_queries: OnceLock::new(),
        }
    }

    /// The queries prepared for the default engine, prepared on first use.
    pub(crate) fn default_queries(&self) -> &PreparedQueries<DefaultMsmEngine> {
        self.default_queries
            .get_or_init(|| Arc::new(PreparedQueries::new(&DefaultMsmEngine::default(), &self.pk)))
    }

    /// The sliced engine of [`crate::prove_cancellable`] (without a token).
    pub(crate) fn chunked_engine(&self) -> Chunked<DefaultMsmEngine> {
        Chunked::new(DefaultMsmEngine::default(), CANCEL_CHUNK)
    }

    /// Prepares the sliced queries of [`crate::prove_cancellable`] now instead of at its first
    /// call, which could not be cancelled while it prepares them (a server does this at start).
    pub fn prepare_cancellable(&self) {
        self.chunked_queries();
    }

    /// The queries prepared in slices for [`crate::prove_cancellable`], on first use.
    pub(crate) fn chunked_queries(&self) -> &PreparedQueries<Chunked<DefaultMsmEngine>> {
        self.chunked_queries
            .get_or_init(|| Arc::new(PreparedQueries::new(&self.chunked_engine(), &self.pk)))
    }

    /// The underlying arkworks proving key (for baselines and other tooling).
    pub fn as_ark(&self) -> &ark_groth16::ProvingKey<Bn254> {
        &self.pk
    }

    /// The verifying key that matches this proving key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.vk
    }
}

/// A Groth16 verifying key, kept in prepared form for fast repeated verification.
///
/// Invariant: the key has at least one `gamma_abc_g1` element (the constant term), so
/// [`VerifyingKey::num_public_inputs`] cannot underflow; deserialization enforces it.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifyingKey {
    pub(crate) pvk: PreparedVerifyingKey<Bn254>,
}

impl VerifyingKey {
    pub(crate) fn from_ark(vk: ark_groth16::VerifyingKey<Bn254>) -> Self {
        Self {
            pvk: ark_groth16::prepare_verifying_key(&vk),
        }
    }

    /// How many public inputs a proof for this key is verified against (the circuit's instance
    /// variables, not counting the constant one).
    pub fn num_public_inputs(&self) -> usize {
        self.pvk.vk.gamma_abc_g1.len() - 1
    }

    /// The underlying arkworks verifying key (for verifier-contract export and other tooling).
    pub fn as_ark(&self) -> &ark_groth16::VerifyingKey<Bn254> {
        &self.pvk.vk
    }
}

/// A Groth16 proof: two G1 points and one G2 point (128 bytes compressed).
#[derive(Clone, Debug, PartialEq)]
pub struct Proof(pub(crate) ark_groth16::Proof<Bn254>);

impl Proof {
    /// The underlying arkworks proof.
    pub fn as_ark(&self) -> &ark_groth16::Proof<Bn254> {
        &self.0
    }
}

/// What [`crate::prove`] returns: the proof and the public inputs it was made for, in the
/// order the circuit allocated them.
#[derive(Clone, Debug, PartialEq)]
pub struct ProofWithInputs {
    /// The proof.
    pub proof: Proof,
    /// The circuit's public inputs (instance assignment without the leading constant 1).
    pub public_inputs: Vec<Fr>,
}
