//! Synthesis, the witness check and the QAP witness map: everything before the MSMs.

use ark_bn254::Fr;
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, ConstraintTrace,
    OptimizationGoal, R1CS_PREDICATE_LABEL, SynthesisError, SynthesisMode,
};

use super::qap::{self, R1csMatrices};
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
    /// The circuit's matrices, when the key had none cached and this synthesis built them:
    /// the caller caches them once the proof has verified against the key.
    pub(crate) new_matrices: Option<R1csMatrices>,
}

/// Synthesizes `circuit` once, checks its witness and its shape against `pk`, and computes
/// the QAP witness map; `check` runs between synthesis and the witness map (cancellation).
///
/// With the key's matrices cached ([`ProvingKey::cached_r1cs`]) the synthesis assigns the
/// witness only, and the circuit's constraint count is taken to be the matrices' (arkworks
/// records nothing per constraint then); otherwise it builds the matrices as arkworks' prover
/// does and hands them back in [`Witness::new_matrices`]. Either way the row products `A·z`,
/// `B·z`, `C·z` are computed once, in parallel, for both the check `A·z ∘ B·z = C·z` and the
/// witness map. A failing row is named by its constraint trace (the namespace path) when
/// arkworks' `ConstraintLayer` is installed, which is why the matrices are then built even
/// when cached; otherwise it is `R1CS - <row>`.
pub(crate) fn synthesize<C: ConstraintSynthesizer<Fr>>(
    pk: &ProvingKey,
    circuit: C,
    check: &impl Fn() -> Result<(), ProverError>,
) -> Result<Witness, ProverError> {
    let cached = pk.cached_r1cs().filter(|_| !constraint_layer_installed());
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: cached.is_none(),
        generate_lc_assignments: false,
    });
    circuit
        .generate_constraints(cs.clone())
        .map_err(synthesis)?;
    cs.finalize();
    let num_constraints = check_shape(pk, &cs, cached.map(R1csMatrices::num_constraints))?;

    let num_inputs = cs.num_instance_variables();
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
    let new_matrices = match cached {
        Some(_) => None,
        None => {
            let mut matrices = cs.to_matrices().map_err(synthesis)?;
            let r1cs = matrices
                .remove(R1CS_PREDICATE_LABEL)
                .ok_or(SynthesisError::PredicateNotFound)
                .map_err(synthesis)?;
            Some(R1csMatrices::from_arkworks(&r1cs, full_assignment.len())?)
        }
    };
    let matrices = match (cached, &new_matrices) {
        (Some(m), _) | (None, Some(m)) => m,
        (None, None) => unreachable!("matrices are built whenever none are cached"),
    };
    let domain = qap_domain(num_constraints, num_inputs)?;
    let products = matrices.products(&full_assignment, domain.size())?;
    if let Some(row) = qap::first_unsatisfied(&products, num_constraints) {
        return Err(ProverError::Unsatisfied {
            constraint: constraint_name(&cs, row),
        });
    }
    // The assignment (and the matrices) are all the prover needs; free the rest.
    drop(cs);
    check()?;
    tracing::debug!(
        num_constraints,
        num_inputs,
        num_witnesses = full_assignment.len() - num_inputs,
        matrices_cached = new_matrices.is_none(),
        "witness satisfies the circuit; proving"
    );
    let h = qap::quotient(
        &domain,
        products,
        &full_assignment[..num_inputs],
        num_constraints,
    );
    Ok(Witness {
        full_assignment,
        num_inputs,
        h,
        new_matrices,
    })
}

fn qap_domain(
    num_constraints: usize,
    num_inputs: usize,
) -> Result<GeneralEvaluationDomain<Fr>, ProverError> {
    GeneralEvaluationDomain::<Fr>::new(num_constraints + num_inputs)
        .ok_or(SynthesisError::PolynomialDegreeTooLarge)
        .map_err(synthesis)
}

/// The R1CS row's constraint trace when one was captured, else `R1CS - <row>` (arkworks'
/// `which_is_unsatisfied` naming).
fn constraint_name(cs: &ConstraintSystemRef<Fr>, row: usize) -> String {
    cs.borrow()
        .and_then(|inner| {
            inner
                .predicate_traces
                .get(R1CS_PREDICATE_LABEL)?
                .get(row)?
                .as_ref()
                .map(ToString::to_string)
        })
        .unwrap_or_else(|| format!("{R1CS_PREDICATE_LABEL} - {row}"))
}

/// Whether the current tracing subscriber carries arkworks' `ConstraintLayer`: only then do
/// constraint traces name their namespaces (probed on a `gr1cs` span of our own).
fn constraint_layer_installed() -> bool {
    let span = tracing::info_span!(target: "gr1cs", "bulwark_constraint_layer_probe");
    let _entered = span.enter();
    ConstraintTrace::capture().is_some_and(|trace| !trace.path().is_empty())
}

/// Rejects circuits the key cannot prove: other predicates than R1CS, or a different number of
/// public inputs, witnesses, or QAP domain size than the key was generated for. Returns the
/// circuit's number of R1CS constraints: counted when synthesis recorded the constraints,
/// else the `cached` matrices' count.
fn check_shape(
    pk: &ProvingKey,
    cs: &ConstraintSystemRef<Fr>,
    cached: Option<usize>,
) -> Result<usize, ProverError> {
    let mut num_constraints = cached.unwrap_or(0);
    if cached.is_none() {
        for (predicate, count) in cs.get_all_predicates_num_constraints() {
            if predicate == R1CS_PREDICATE_LABEL {
                num_constraints = count;
            } else if count > 0 {
                return Err(ProverError::UnsupportedPredicate { predicate, count });
            }
        }
    }
    let domain = qap_domain(num_constraints, cs.num_instance_variables())?;
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
    Ok(num_constraints)
}
