//! PLONK with KZG commitments over BN254 and SHPLONK multi-openings (halo2, Axiom's fork),
//! for any halo2 circuit of [`bulwark_circuits::halo2`].
//!
//! - [`kzg_dev_params_insecure`]: **insecure** KZG parameters from a seeded toxic secret, for
//!   tests and development (production parameters come from a ceremony);
//!   [`KzgParams::downsized`] gives the parameters for a smaller circuit; [`params_from_ptau`]
//!   builds real ones from a snarkjs Powers of Tau file;
//! - [`plonk_keygen`], [`plonk_prove`] (self-verifies; a witness that does not satisfy the
//!   circuit is reported with `MockProver`'s first failure), [`plonk_verify`];
//! - files with the same 9-byte header as the Groth16 ones (proof system 2 = PLONK, kind 4 =
//!   KZG parameters), then halo2's `RawBytes` encoding (points checked on the curve on
//!   read); a proof body is the transcript's bytes.
//!
//! Every proof uses the EVM transcript (snark-verifier's `EvmTranscript`: Keccak-256
//! challenges, points as uncompressed big-endian `x ‖ y`, scalars as big-endian words), so the
//! same proof verifies natively here and in the contract of
//! [`crate::solidity::plonk_verifier`].
//!
//! Public inputs are [`crate::Fr`] values, the same vectors the Groth16 circuits take.

mod files;
mod ptau_params;

use bulwark_circuits::halo2::{Fp, to_halo2_vec};
use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_proofs::plonk::{self, Circuit, create_proof, keygen_pk, keygen_vk_custom, verify_proof};
use halo2_proofs::poly::commitment::{Params, ParamsProver};
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::transcript::{TranscriptReadBuffer, TranscriptWriterBuffer};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::{ChallengeEvm, EvmTranscript};

pub use ptau_params::params_from_ptau;

use crate::{Fr, ProverError};

/// The Keccak transcript the EVM verifier recomputes, writing to or reading from `S`.
type KeccakTranscript<S> = EvmTranscript<G1Affine, NativeLoader, S, Vec<u8>>;

/// The largest `k` BN254's two-adicity allows (`2^28` rows).
const MAX_K: u32 = 28;

/// KZG parameters: `[τ^i]G1` for `i < 2^k` and `[τ]G2`.
#[derive(Debug, Clone)]
pub struct KzgParams {
    pub(crate) inner: ParamsKZG<Bn256>,
}

impl KzgParams {
    /// The size exponent: these parameters commit to polynomials of `2^k` coefficients.
    pub fn k(&self) -> u32 {
        self.inner.k()
    }

    /// The parameters for circuits of `2^k` rows (`k` at most [`Self::k`]).
    pub fn downsized(&self, k: u32) -> Result<Self, ProverError> {
        if k > self.k() {
            return Err(ProverError::ParamsTooSmall {
                needed: k,
                available: self.k(),
            });
        }
        if k == 0 {
            return Err(ProverError::InvalidParamsSize { k });
        }
        let mut inner = self.inner.clone();
        inner.downsize(k);
        Ok(Self { inner })
    }
}

/// KZG parameters of size `2^k` from a toxic secret derived from `seed`.
///
/// **INSECURE**: anyone who knows the seed knows `τ` and can forge proofs for every circuit
/// using these parameters. For tests and local runs only; every call logs a `tracing`
/// warning.
pub fn kzg_dev_params_insecure(k: u32, seed: u64) -> Result<KzgParams, ProverError> {
    if k == 0 || k > MAX_K {
        return Err(ProverError::InvalidParamsSize { k });
    }
    tracing::warn!(
        k,
        seed,
        "INSECURE dev KZG parameters: tau is derived from a known seed; anyone can forge \
         proofs for circuits using them. Never use them in production."
    );
    Ok(KzgParams {
        inner: ParamsKZG::<Bn256>::setup(k, ChaCha20Rng::seed_from_u64(seed)),
    })
}

/// A PLONK proving key (it carries its verifying key).
#[derive(Debug)]
pub struct PlonkProvingKey {
    pk: plonk::ProvingKey<G1Affine>,
}

/// A PLONK verifying key.
#[derive(Debug, Clone)]
pub struct PlonkVerifyingKey {
    pub(crate) vk: plonk::VerifyingKey<G1Affine>,
}

/// A PLONK proof: the bytes of its Keccak (EVM) transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlonkProof {
    bytes: Vec<u8>,
}

impl PlonkProvingKey {
    /// The verifying key.
    pub fn verifying_key(&self) -> PlonkVerifyingKey {
        PlonkVerifyingKey {
            vk: self.pk.get_vk().clone(),
        }
    }
}

impl PlonkVerifyingKey {
    /// The circuit size exponent `k` the key was generated for.
    pub fn k(&self) -> u32 {
        self.vk.get_domain().k()
    }
}

/// Errors unless `params` have the size the key was generated for.
pub(crate) fn check_size(
    params: &KzgParams,
    vk: &plonk::VerifyingKey<G1Affine>,
) -> Result<(), ProverError> {
    let key = vk.get_domain().k();
    if params.k() == key {
        Ok(())
    } else {
        Err(ProverError::KeyMismatch {
            what: "the KZG parameters' size exponent k",
            circuit: params.k() as usize,
            key: key as usize,
        })
    }
}

impl PlonkProof {
    /// The proof's bytes (the transcript).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

fn plonk_error(stage: &'static str) -> impl FnOnce(plonk::Error) -> ProverError {
    move |e| ProverError::Plonk {
        stage,
        message: e.to_string(),
    }
}

/// Generates the proving key of `circuit`'s shape (its witness is not used) for circuits of
/// `2^params.k()` rows.
pub fn plonk_keygen<C: Circuit<Fp>>(
    params: &KzgParams,
    circuit: &C,
) -> Result<PlonkProvingKey, ProverError> {
    let blank = circuit.without_witnesses();
    // Selector compression (off by default in halo2-axiom) folds the selectors of gates that
    // never share a row into a few fixed columns: fewer commitments in the key, fewer
    // evaluations in the proof.
    let vk = keygen_vk_custom(&params.inner, &blank, true).map_err(plonk_error("keygen"))?;
    let pk = keygen_pk(&params.inner, vk, &blank).map_err(plonk_error("keygen"))?;
    Ok(PlonkProvingKey { pk })
}

/// Proves `circuit` with public inputs `public_inputs` (its instance column, in order),
/// then verifies the proof. If it does not verify, the witness is run through halo2's
/// `MockProver` and the first failure is returned as [`ProverError::Unsatisfied`].
pub fn plonk_prove<C: Circuit<Fp>>(
    params: &KzgParams,
    pk: &PlonkProvingKey,
    circuit: &C,
    public_inputs: &[Fr],
    rng: impl RngCore,
) -> Result<PlonkProof, ProverError> {
    check_size(params, pk.pk.get_vk())?;
    let instance = to_halo2_vec(public_inputs);
    let mut transcript =
        <KeccakTranscript<Vec<u8>> as TranscriptWriterBuffer<_, _, ChallengeEvm<_>>>::init(vec![]);
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        &params.inner,
        &pk.pk,
        std::slice::from_ref(circuit),
        &[&[&instance]],
        rng,
        &mut transcript,
    )
    .map_err(plonk_error("prove"))?;
    let proof = PlonkProof {
        bytes: TranscriptWriterBuffer::<_, _, ChallengeEvm<_>>::finalize(transcript),
    };
    match plonk_verify(params, &pk.verifying_key(), public_inputs, &proof) {
        Ok(()) => Ok(proof),
        Err(ProverError::InvalidProof) => Err(first_failure(params.k(), circuit, instance)),
        Err(e) => Err(e),
    }
}

/// Why `circuit` does not accept `instance`, in `MockProver`'s words.
fn first_failure<C: Circuit<Fp>>(k: u32, circuit: &C, instance: Vec<Fp>) -> ProverError {
    let constraint = match MockProver::run(k, circuit, vec![instance]) {
        Ok(prover) => match prover.verify() {
            Err(failures) => failures
                .first()
                .map_or_else(|| "unknown".to_owned(), ToString::to_string),
            Ok(()) => return ProverError::ProofSelfCheckFailed,
        },
        Err(e) => e.to_string(),
    };
    ProverError::Unsatisfied { constraint }
}

/// Verifies `proof` for `public_inputs` against `vk` with the parameters it was made for.
pub fn plonk_verify(
    params: &KzgParams,
    vk: &PlonkVerifyingKey,
    public_inputs: &[Fr],
    proof: &PlonkProof,
) -> Result<(), ProverError> {
    check_size(params, &vk.vk)?;
    let instance = to_halo2_vec(public_inputs);
    let mut transcript =
        <KeccakTranscript<&[u8]> as TranscriptReadBuffer<_, _, ChallengeEvm<_>>>::init(
            proof.bytes.as_slice(),
        );
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        params.inner.verifier_params(),
        &vk.vk,
        SingleStrategy::new(&params.inner),
        &[&[&instance]],
        &mut transcript,
    )
    .map_err(|e| match e {
        plonk::Error::ConstraintSystemFailure | plonk::Error::Opening => ProverError::InvalidProof,
        e => plonk_error("verify")(e),
    })
}
