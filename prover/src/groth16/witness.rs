//! Synthesis, the witness check and the QAP witness map: everything before the MSMs.

use ark_bn254::Fr;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, OptimizationGoal,
    R1CS_PREDICATE_LABEL, SynthesisError, SynthesisMode,
};
use ark_relations::utils::matrix::Matrix;
use rayon::prelude::*;

use crate::{ProverError, ProvingKey};

fn synthesis(source: SynthesisError) -> ProverError {
    ProverError::Synthesis {
        stage: "prove",
        source,
    }
}

/// What the MSMs need from a checked witness.
pub(crate) struct Witness {
    /// `(1, public inputs, witnesses)`.
    pub(crate) full_assignment: Vec<Fr>,
    /// Instance variables, the constant one included.
    pub(crate) num_inputs: usize,
    /// Coefficients of the QAP quotient `h` (arkworks' libsnark reduction).
    pub(crate) h: Vec<Fr>,
}

/// Synthesizes `circuit` once, checks its witness and its shape against `pk`, and computes
/// the QAP witness map; `check` runs between synthesis and the witness map (cancellation).
///
/// The check evaluates `⟨a_i,z⟩·⟨b_i,z⟩ = ⟨c_i,z⟩` on the matrices the witness map needs
/// anyway, in parallel; only when a row fails is arkworks' sequential
/// `which_is_unsatisfied` run, to name it.
pub(crate) fn synthesize<C: ConstraintSynthesizer<Fr>>(
    pk: &ProvingKey,
    circuit: C,
    check: &impl Fn() -> Result<(), ProverError>,
) -> Result<Witness, ProverError> {
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
    check_shape(pk, &cs)?;

    let num_inputs = cs.num_instance_variables();
    let num_constraints = cs.num_constraints();
    let mut matrices = cs.to_matrices().map_err(synthesis)?;
    let r1cs = matrices
        .remove(R1CS_PREDICATE_LABEL)
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
    if let Some(row) = first_unsatisfied(&r1cs, &full_assignment)? {
        let constraint = cs
            .which_is_unsatisfied()
            .map_err(synthesis)?
            .unwrap_or_else(|| format!("{R1CS_PREDICATE_LABEL} - {row}"));
        return Err(ProverError::Unsatisfied { constraint });
    }
    // The matrices and assignment are all the prover needs; free the rest.
    drop(cs);
    check()?;
    tracing::debug!(
        num_constraints,
        num_inputs,
        num_witnesses = full_assignment.len() - num_inputs,
        "witness satisfies the circuit; proving"
    );
    let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
        &r1cs,
        num_inputs,
        num_constraints,
        &full_assignment,
    )
    .map_err(synthesis)?;
    Ok(Witness {
        full_assignment,
        num_inputs,
        h,
    })
}

/// Index of the first R1CS row that `z` does not satisfy.
fn first_unsatisfied(r1cs: &[Matrix<Fr>], z: &[Fr]) -> Result<Option<usize>, ProverError> {
    let [a, b, c] = r1cs else {
        return Err(synthesis(SynthesisError::ArityMismatch));
    };
    let dot = |row: &[(Fr, usize)]| -> Fr {
        row.iter()
            .map(|&(coeff, i)| z.get(i).map_or(Fr::from(0u64), |v| coeff * v))
            .sum()
    };
    Ok((0..a.len().min(b.len()).min(c.len()))
        .into_par_iter()
        .find_first(|&i| dot(&a[i]) * dot(&b[i]) != dot(&c[i])))
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
        // disagree, and the MSMs would then reject their inputs.
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
