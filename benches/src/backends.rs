//! `bulwark bench backends`: the rollup batch on both proof systems from one native witness
//! (Groth16 with our prover, PLONK/KZG with halo2-axiom's SHPLONK prover), with each
//! system's marginal size per slot.

use std::time::{Duration, Instant};

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use bulwark_circuits::halo2::{RollupBatchCircuit, fitting_k, rows_needed};
use bulwark_circuits::rollup::{RollupCircuit, RollupError, RollupParams, build_witness, sample};
use bulwark_prover::plonk::{
    KzgParams, PlonkProof, PlonkProvingKey, kzg_dev_params_insecure, plonk_keygen, plonk_prove,
    plonk_verify,
};
use bulwark_prover::{ProofWithInputs, ProverError, dev_setup_insecure, prove, verify};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// Both backends on one rollup witness.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendComparison {
    /// Groth16: R1CS constraints of the whole circuit.
    pub constraints: usize,
    /// Groth16: constraints added by one more slot, `count(B + 1) − count(B)`.
    pub constraints_per_slot: usize,
    /// PLONK: rows the whole circuit lays out (gates, copies, the 256-row limb table).
    pub rows: usize,
    /// PLONK: rows added by one more slot, `rows(B + 1) − rows(B)`.
    pub rows_per_slot: usize,
    /// PLONK: `log2` of the circuit size the proof is made at.
    pub k: u32,
    /// Median Groth16 prove time (synthesis, witness map, MSMs, self-check).
    pub groth16: Duration,
    /// Median PLONK prove time (synthesis, commitments, SHPLONK opening, self-verification).
    pub plonk: Duration,
    /// PLONK proof size in bytes.
    pub plonk_proof_bytes: usize,
}

/// Why a backend comparison could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum BackendComparisonError {
    /// The sample batch or circuit could not be built.
    #[error("building the rollup sample: {0}")]
    Rollup(#[from] RollupError),
    /// Setup, proving or verification failed on one backend.
    #[error(transparent)]
    Prover(#[from] ProverError),
    /// Laying out or synthesizing a circuit failed.
    #[error("laying out the {backend} circuit: {message}")]
    Layout {
        /// Which backend's circuit.
        backend: &'static str,
        /// The library's message.
        message: String,
    },
}

const SEED: u64 = 2025;

fn r1cs_constraints(params: RollupParams) -> Result<usize, BackendComparisonError> {
    let cs = ConstraintSystem::new_ref();
    RollupCircuit::blank(params)?
        .generate_constraints(cs.clone())
        .map_err(|e| BackendComparisonError::Layout {
            backend: "Groth16",
            message: e.to_string(),
        })?;
    Ok(cs.num_constraints())
}

fn halo2_rows(params: RollupParams) -> Result<usize, BackendComparisonError> {
    rows_needed(&RollupBatchCircuit(RollupCircuit::blank(params)?)).map_err(|e| {
        BackendComparisonError::Layout {
            backend: "PLONK",
            message: e.to_string(),
        }
    })
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// One sample rollup batch ready to prove on both backends: the witness, a dev Groth16 key
/// and dev KZG parameters with a PLONK key of the fitting size (all made up front, so timing
/// [`Self::prove_groth16`] and [`Self::prove_plonk`] measures proving alone).
pub struct RollupBackends {
    circuit: RollupCircuit,
    halo2: RollupBatchCircuit,
    public: [bulwark_prover::Fr; 3],
    groth_pk: bulwark_prover::ProvingKey,
    kzg: KzgParams,
    plonk_pk: PlonkProvingKey,
}

impl RollupBackends {
    /// A sample batch of `batch_size` operations in a tree of depth `depth`, and both keys.
    ///
    /// # Errors
    /// Any failure to build the sample or set up either backend.
    pub fn new(depth: usize, batch_size: usize) -> Result<Self, BackendComparisonError> {
        let params = RollupParams::new(depth, batch_size)?;
        let mut s = sample::demo(&params, batch_size as u64 + 1, SEED)?;
        let witness = build_witness(&mut s.state, &s.batch, &params)?;
        let circuit = RollupCircuit::new(params, witness)?;
        let halo2 = RollupBatchCircuit(circuit.clone());
        let k = fitting_k(&halo2).map_err(|e| BackendComparisonError::Layout {
            backend: "PLONK",
            message: e.to_string(),
        })?;
        let kzg = kzg_dev_params_insecure(k, SEED)?;
        let plonk_pk = plonk_keygen(&kzg, &RollupBatchCircuit(RollupCircuit::blank(params)?))?;
        Ok(Self {
            public: circuit.public_inputs(),
            groth_pk: dev_setup_insecure(RollupCircuit::blank(params)?, SEED)?,
            circuit,
            halo2,
            kzg,
            plonk_pk,
        })
    }

    /// `log2` of the PLONK circuit size.
    pub fn k(&self) -> u32 {
        self.kzg.k()
    }

    /// One Groth16 proof (synthesis of a clone of the circuit, witness map, MSMs, self-check).
    ///
    /// # Errors
    /// Proving failed.
    pub fn prove_groth16(&self, rng: &mut ChaCha20Rng) -> Result<ProofWithInputs, ProverError> {
        prove(&self.groth_pk, self.circuit.clone(), rng)
    }

    /// One PLONK/KZG proof (synthesis, commitments, SHPLONK opening, self-verification).
    ///
    /// # Errors
    /// Proving failed.
    pub fn prove_plonk(&self, rng: &mut ChaCha20Rng) -> Result<PlonkProof, ProverError> {
        plonk_prove(&self.kzg, &self.plonk_pk, &self.halo2, &self.public, rng)
    }

    /// Both proofs made once and checked by their verifiers; returns the PLONK proof's size.
    ///
    /// # Errors
    /// Proving failed or a proof did not verify.
    pub fn check(&self, rng: &mut ChaCha20Rng) -> Result<usize, ProverError> {
        let groth = self.prove_groth16(rng)?;
        verify(self.groth_pk.verifying_key(), &self.public, &groth.proof)?;
        let plonk = self.prove_plonk(rng)?;
        plonk_verify(
            &self.kzg,
            &self.plonk_pk.verifying_key(),
            &self.public,
            &plonk,
        )?;
        Ok(plonk.as_bytes().len())
    }
}

/// Proves one sample batch at (`depth`, `batch_size`) on both backends ([`RollupBackends`]),
/// each proof checked by its verifier; then `repetitions` interleaved rounds, reporting
/// medians, and the marginal size of one more slot on each backend.
///
/// # Errors
/// Any failure to build the sample, set up, prove or verify.
pub fn backend_comparison(
    depth: usize,
    batch_size: usize,
    repetitions: usize,
) -> Result<BackendComparison, BackendComparisonError> {
    let params = RollupParams::new(depth, batch_size)?;
    let next = RollupParams::new(depth, batch_size + 1)?;
    let backends = RollupBackends::new(depth, batch_size)?;
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);
    let plonk_proof_bytes = backends.check(&mut rng)?;

    let (mut groth16, mut plonk) = (Vec::new(), Vec::new());
    for _ in 0..repetitions.max(1) {
        let start = Instant::now();
        std::hint::black_box(backends.prove_groth16(&mut rng)?);
        groth16.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(backends.prove_plonk(&mut rng)?);
        plonk.push(start.elapsed());
    }

    let (constraints, rows) = (r1cs_constraints(params)?, halo2_rows(params)?);
    Ok(BackendComparison {
        constraints,
        constraints_per_slot: r1cs_constraints(next)? - constraints,
        rows,
        rows_per_slot: halo2_rows(next)? - rows,
        k: backends.k(),
        groth16: median(groth16),
        plonk: median(plonk),
        plonk_proof_bytes,
    })
}
