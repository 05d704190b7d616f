//! One-process comparison of Groth16 provers on the rollup circuit: same key, same witness.

use std::time::{Duration, Instant};

use ark_bn254::Bn254;
use ark_groth16::Groth16;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use ark_snark::SNARK;
use bulwark_circuits::rollup::{RollupCircuit, RollupError, RollupParams, build_witness, sample};
use bulwark_prover::msm::ArkworksMsm;
use bulwark_prover::{ProverError, dev_setup_insecure, prove};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::memory::PeakMemory;

/// `bulwark_prover::prove` (our Pippenger on the key's prepared queries).
pub const BULWARK_PROVE: &str = "bulwark_prover::prove";
/// Our prover pipeline with arkworks' MSM as the engine: separates the MSM engine's share of
/// the difference from the rest of the pipeline.
pub const BULWARK_PROVE_ARKWORKS_MSM: &str = "bulwark_prover, ArkworksMsm engine";
/// Plain `ark_groth16::Groth16::<Bn254>::prove`.
pub const ARK_GROTH16_PROVE: &str = "ark_groth16::Groth16::prove";
/// What `ark_groth16::Groth16::prove` does before its MSMs (synthesis, matrices, the R1CS→QAP
/// witness map), alone: the part every prover here shares, so the floor of any MSM speed-up.
pub const ARK_GROTH16_NO_MSM: &str = "  of which synthesis + witness map";

/// One prover on the rollup circuit.
#[derive(Debug, Clone, PartialEq)]
pub struct ProveRow {
    /// Prover name.
    pub prover: &'static str,
    /// Median wall time of one proof: synthesis of a cloned circuit (the clone is outside the
    /// timing), witness check where the prover does one, MSMs, and our self-verification.
    pub time: Duration,
    /// `ark_groth16::Groth16::prove`'s median time divided by this prover's.
    pub speedup_vs_arkworks: f64,
    /// Peak resident memory added by one proof (Linux `VmHWM`), where the platform can tell.
    pub peak_extra_bytes: Option<u64>,
}

/// Why a prove comparison could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum ProveComparisonError {
    /// The sample batch or circuit could not be built.
    #[error("building the rollup sample: {0}")]
    Rollup(#[from] RollupError),
    /// Setup or one of our provers failed.
    #[error(transparent)]
    Prover(#[from] ProverError),
    /// arkworks' prover failed or its proof was rejected.
    #[error("arkworks: {0}")]
    Arkworks(#[from] ark_relations::gr1cs::SynthesisError),
    /// A proof did not verify with `ark_groth16::Groth16::verify`.
    #[error("{prover}'s proof does not verify with ark_groth16::Groth16::verify")]
    Rejected {
        /// The prover whose proof failed.
        prover: &'static str,
    },
}

const SEED: u64 = 2024;

/// Proves a full sample batch of the rollup circuit at (`depth`, `batch_size`) with every
/// prover: one dev key (setup outside the timing), one witness. Each prover first runs once
/// untimed (our key prepares its queries then), once more for its peak memory, with its proof
/// checked by `ark_groth16::Groth16::verify`; then `repetitions` interleaved rounds, each row
/// reporting its median. A last row times [`ARK_GROTH16_NO_MSM`], the pre-MSM part of
/// `ark_groth16::Groth16::prove` alone: arkworks' time divided by it bounds what any MSM engine
/// can gain on the whole proof.
///
/// # Errors
/// Any failure to build the sample, set up, prove, or verify a proof.
pub fn prove_comparison(
    depth: usize,
    batch_size: usize,
    repetitions: usize,
) -> Result<Vec<ProveRow>, ProveComparisonError> {
    let params = RollupParams::new(depth, batch_size)?;
    let pk = dev_setup_insecure(RollupCircuit::blank(params)?, SEED)?;
    let mut s = sample::demo(&params, batch_size as u64 + 1, SEED)?;
    let witness = build_witness(&mut s.state, &s.batch, &params)?;
    let circuit = RollupCircuit::new(params, witness)?;
    let ark_prover = pk.with_engine(ArkworksMsm);
    let pvk = ark_groth16::prepare_verifying_key(pk.verifying_key().as_ark());
    let mut rng = ChaCha20Rng::seed_from_u64(1);

    type ProveFn<'a> = Box<
        dyn Fn(RollupCircuit, &mut ChaCha20Rng) -> Result<Option<Proved>, ProveComparisonError>
            + 'a,
    >;
    // Ours first: their public inputs check arkworks' proof too.
    let provers: [(&'static str, ProveFn<'_>); 4] = [
        (
            BULWARK_PROVE,
            Box::new(|c, rng| Ok(Some(Proved::ours(prove(&pk, c, rng)?)))),
        ),
        (
            BULWARK_PROVE_ARKWORKS_MSM,
            Box::new(|c, rng| Ok(Some(Proved::ours(ark_prover.prove(c, rng)?)))),
        ),
        (
            ARK_GROTH16_PROVE,
            Box::new(|c, rng| {
                let proof = Groth16::<Bn254>::prove(pk.as_ark(), c, rng)?;
                Ok(Some(Proved {
                    proof,
                    inputs: None,
                }))
            }),
        ),
        (
            ARK_GROTH16_NO_MSM,
            Box::new(|c, _| {
                std::hint::black_box(synthesis_and_witness_map(c)?);
                Ok(None)
            }),
        ),
    ];

    let mut public_inputs = Vec::new();
    let mut peaks = Vec::new();
    for (name, run) in &provers {
        run(circuit.clone(), &mut rng)?;
        let c = circuit.clone();
        let (proved, peak) = PeakMemory::measure(|| run(c, &mut rng));
        if let Some(proved) = proved? {
            if let Some(inputs) = proved.inputs {
                public_inputs = inputs;
            }
            if !Groth16::<Bn254>::verify_with_processed_vk(&pvk, &public_inputs, &proved.proof)? {
                return Err(ProveComparisonError::Rejected { prover: name });
            }
        }
        peaks.push(peak);
    }

    let mut times = vec![Vec::new(); provers.len()];
    for _ in 0..repetitions.max(1) {
        for ((_, run), t) in provers.iter().zip(&mut times) {
            let c = circuit.clone();
            let start = Instant::now();
            std::hint::black_box(run(c, &mut rng)?);
            t.push(start.elapsed());
        }
    }
    let medians: Vec<Duration> = times
        .into_iter()
        .map(|mut t| {
            t.sort_unstable();
            t[t.len() / 2]
        })
        .collect();
    let baseline = medians[2].as_secs_f64();
    Ok(provers
        .iter()
        .zip(medians)
        .zip(peaks)
        .map(|(((prover, _), time), peak)| ProveRow {
            prover,
            time,
            speedup_vs_arkworks: baseline / time.as_secs_f64(),
            peak_extra_bytes: peak.map(|p| p.extra_bytes),
        })
        .collect())
}

/// `ark_groth16::Groth16::prove` up to its MSMs: synthesis in prove mode, the constraint
/// matrices, and the QAP quotient's coefficients.
fn synthesis_and_witness_map(
    circuit: RollupCircuit,
) -> Result<Vec<ark_bn254::Fr>, ark_relations::gr1cs::SynthesisError> {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: false,
    });
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    LibsnarkReduction::witness_map::<ark_bn254::Fr, GeneralEvaluationDomain<ark_bn254::Fr>>(cs)
}

/// A proof, with its public inputs when the prover returns them.
struct Proved {
    proof: ark_groth16::Proof<Bn254>,
    inputs: Option<Vec<ark_bn254::Fr>>,
}

impl Proved {
    fn ours(out: bulwark_prover::ProofWithInputs) -> Self {
        Self {
            proof: out.proof.as_ark().clone(),
            inputs: Some(out.public_inputs),
        }
    }
}
