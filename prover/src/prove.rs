use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::Groth16;
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, OptimizationGoal,
    R1CS_PREDICATE_LABEL, SynthesisError, SynthesisMode,
};
use rand::{CryptoRng, RngCore};

use crate::{Proof, ProofWithInputs, ProverError, ProvingKey, verify};

fn synthesis(source: SynthesisError) -> ProverError {
    ProverError::Synthesis {
        stage: "prove",
        source,
    }
}

/// Proves that the witness assigned by `circuit` satisfies it, using `pk` (borrowed, so one
/// loaded key serves many proofs) and `rng` for the zero-knowledge blinding `r`, `s`.
///
/// The circuit is synthesized once. Before any MSM runs, the witness is checked: an
/// unsatisfied constraint is [`ProverError::Unsatisfied`] naming the first one, and a circuit
/// whose shape differs from the key's is [`ProverError::KeyMismatch`] (arkworks would
/// otherwise truncate its multi-scalar multiplications and return a proof that cannot
/// verify). The finished proof is verified against the key's prepared verifying key (three
/// pairings, negligible next to proving), so a circuit that has the key's shape but other
/// constraints is [`ProverError::ProofSelfCheckFailed`] rather than a bogus proof.
#[tracing::instrument(level = "debug", skip_all)]
pub fn prove<C: ConstraintSynthesizer<Fr>>(
    pk: &ProvingKey,
    circuit: C,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<ProofWithInputs, ProverError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: false,
    });
    circuit
        .generate_constraints(cs.clone())
        .map_err(synthesis)?;
    cs.finalize();

    if let Some(constraint) = cs.which_is_unsatisfied().map_err(synthesis)? {
        return Err(ProverError::Unsatisfied { constraint });
    }
    check_shape(pk, &cs)?;

    let num_inputs = cs.num_instance_variables();
    let num_constraints = cs.num_constraints();
    let matrices = cs.to_matrices().map_err(synthesis)?;
    let r1cs = matrices
        .get(R1CS_PREDICATE_LABEL)
        .ok_or(SynthesisError::PredicateNotFound)
        .map_err(synthesis)?;
    let full_assignment = {
        let inner = cs
            .borrow()
            .ok_or(SynthesisError::MissingCS)
            .map_err(synthesis)?;
        [
            inner.instance_assignment().map_err(synthesis)?,
            inner.witness_assignment().map_err(synthesis)?,
        ]
        .concat()
    };
    // The matrices and assignment are all the prover needs; free the rest before the MSMs.
    drop(cs);
    tracing::debug!(
        num_constraints,
        num_inputs,
        num_witnesses = full_assignment.len() - num_inputs,
        "witness satisfies the circuit; proving"
    );

    let r = Fr::rand(rng);
    let s = Fr::rand(rng);
    let proof = Groth16::<Bn254>::create_proof_with_reduction_and_matrices(
        &pk.pk,
        r,
        s,
        r1cs,
        num_inputs,
        num_constraints,
        &full_assignment,
    )
    .map_err(synthesis)?;
    let proof = Proof(proof);
    let public_inputs = full_assignment[1..num_inputs].to_vec();

    match verify(&pk.vk, &public_inputs, &proof) {
        Ok(()) => Ok(ProofWithInputs {
            proof,
            public_inputs,
        }),
        Err(ProverError::InvalidProof) => Err(ProverError::ProofSelfCheckFailed),
        Err(other) => Err(other),
    }
}

/// Rejects circuits the key cannot prove: other predicates than R1CS, or a different number of
/// public inputs, witnesses, or QAP domain size than the key was generated for.
fn check_shape(pk: &ProvingKey, cs: &ConstraintSystemRef<Fr>) -> Result<(), ProverError> {
    for (predicate, count) in cs.get_all_predicates_num_constraints() {
        if predicate != R1CS_PREDICATE_LABEL && count > 0 {
            return Err(ProverError::UnsupportedPredicate { predicate, count });
        }
    }
    let domain_size = cs.num_constraints() + cs.num_instance_variables();
    let domain = GeneralEvaluationDomain::<Fr>::new(domain_size)
        .ok_or(SynthesisError::PolynomialDegreeTooLarge)
        .map_err(synthesis)?;
    let num_variables = cs.num_instance_variables() + cs.num_witness_variables();
    let dims = [
        (
            "number of public inputs",
            cs.num_instance_variables() - 1,
            pk.vk.num_public_inputs(),
        ),
        (
            "number of witness variables",
            cs.num_witness_variables(),
            pk.pk.l_query.len(),
        ),
        ("QAP domain size", domain.size(), pk.pk.h_query.len() + 1),
        // Consistent in any generated key; checked because an unvalidated key file could
        // disagree, and arkworks would then index out of bounds.
        ("A-query length", num_variables, pk.pk.a_query.len()),
        ("B-query (G1) length", num_variables, pk.pk.b_g1_query.len()),
        ("B-query (G2) length", num_variables, pk.pk.b_g2_query.len()),
    ];
    for (what, circuit, key) in dims {
        if circuit != key {
            return Err(ProverError::KeyMismatch { what, circuit, key });
        }
    }
    Ok(())
}
