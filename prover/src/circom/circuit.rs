//! Between arkworks circuits and circom's wire numbering: the R1CS and the witness of any
//! `ConstraintSynthesizer`, and a `ConstraintSynthesizer` for any `.r1cs` + `.wtns`.

use ark_bn254::Fr;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, LinearCombination,
    OptimizationGoal, R1CS_PREDICATE_LABEL, SynthesisError, SynthesisMode, Variable,
};

use super::r1cs::{R1cs, R1csConstraint, normalize};
use crate::{CircomError, ProverError};

fn synthesis(stage: &'static str) -> impl Fn(SynthesisError) -> ProverError {
    move |source| ProverError::Synthesis { stage, source }
}

/// Synthesizes `circuit` the way [`crate::prove`] does (constraint-minimizing, finalized).
fn synthesize<C: ConstraintSynthesizer<Fr>>(
    circuit: C,
    mode: SynthesisMode,
    stage: &'static str,
) -> Result<ConstraintSystemRef<Fr>, ProverError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(mode);
    circuit
        .generate_constraints(cs.clone())
        .map_err(synthesis(stage))?;
    cs.finalize();
    for (predicate, count) in cs.get_all_predicates_num_constraints() {
        if predicate != R1CS_PREDICATE_LABEL && count > 0 {
            return Err(ProverError::UnsupportedPredicate { predicate, count });
        }
    }
    Ok(cs)
}

fn wire_count(n: usize) -> Result<u32, ProverError> {
    u32::try_from(n).map_err(|_| {
        ProverError::Circom(CircomError::Malformed {
            kind: crate::BinFileKind::R1cs,
            what: format!("{n} wires do not fit circom's 32-bit wire indices"),
        })
    })
}

impl R1cs {
    /// The constraint system of an arkworks circuit (synthesized in setup mode: no witness
    /// needed), in circom's numbering: the circuit's instance variables are the public inputs,
    /// its witness variables the private wires, each wire labelled with its own index.
    pub fn from_circuit<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<Self, ProverError> {
        let cs = synthesize(circuit, SynthesisMode::Setup, "setup")?;
        let num_instance = cs.num_instance_variables();
        let num_wires = wire_count(num_instance + cs.num_witness_variables())?;
        let mut matrices = cs.to_matrices().map_err(synthesis("setup"))?;
        let [a, b, c]: [_; 3] = matrices
            .remove(R1CS_PREDICATE_LABEL)
            .unwrap_or_default()
            .try_into()
            .map_err(|_| synthesis("setup")(SynthesisError::ArityMismatch))?;
        let lc = |row: Vec<(Fr, usize)>| normalize(row.into_iter().map(|(f, i)| (i as u32, f)));
        let constraints = a
            .into_iter()
            .zip(b)
            .zip(c)
            .map(|((a, b), c)| R1csConstraint {
                a: lc(a),
                b: lc(b),
                c: lc(c),
            })
            .collect();
        Ok(Self {
            num_wires,
            num_outputs: 0,
            num_public_inputs: wire_count(num_instance - 1)?,
            num_private_inputs: 0,
            num_labels: u64::from(num_wires),
            constraints,
            wire_labels: (0..u64::from(num_wires)).collect(),
        })
    }
}

/// The witness `circuit` assigns, in circom's wire order (the constant one, the instance
/// variables, the witness variables): what [`crate::circom::write_wtns`] writes.
pub fn witness_of<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<Vec<Fr>, ProverError> {
    let mode = SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    };
    let cs = synthesize(circuit, mode, "prove")?;
    let inner = cs
        .borrow()
        .ok_or(SynthesisError::MissingCS)
        .map_err(synthesis("prove"))?;
    Ok([
        inner.instance_assignment().map_err(synthesis("prove"))?,
        inner.witness_assignment().map_err(synthesis("prove"))?,
    ]
    .concat())
}

/// A circom constraint system as an arkworks circuit, so [`crate::prove`] and the setups can
/// take a user's `.r1cs` and `.wtns`: wire 0 is arkworks' constant, the public signals are
/// instance variables in wire order, all other wires witness variables.
#[derive(Clone, Copy, Debug)]
pub struct CircomCircuit<'a> {
    r1cs: &'a R1cs,
    witness: Option<&'a [Fr]>,
}

impl<'a> CircomCircuit<'a> {
    /// The circuit without a witness, for key generation.
    pub fn setup(r1cs: &'a R1cs) -> Self {
        Self {
            r1cs,
            witness: None,
        }
    }

    /// The circuit with a witness (every wire, wire 0 first). Its length and constant one are
    /// checked here; whether it satisfies the constraints, by [`crate::prove`] (which names the
    /// first unsatisfied row) or [`R1cs::check_witness`].
    pub fn new(r1cs: &'a R1cs, witness: &'a [Fr]) -> Result<Self, CircomError> {
        if witness.len() != r1cs.num_wires as usize {
            return Err(CircomError::WitnessLength {
                expected: r1cs.num_wires as usize,
                found: witness.len(),
            });
        }
        if witness[0] != Fr::from(1u64) {
            return Err(CircomError::WitnessOne {
                found: witness[0].to_string(),
            });
        }
        Ok(Self {
            r1cs,
            witness: Some(witness),
        })
    }

    /// The public inputs this circuit's witness gives (wires `1..=num_public`).
    pub fn public_inputs(&self) -> Option<Vec<Fr>> {
        self.witness.map(|w| w[1..=self.r1cs.num_public()].to_vec())
    }
}

impl ConstraintSynthesizer<Fr> for CircomCircuit<'_> {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let value = |wire: usize| {
            move || {
                self.witness
                    .and_then(|w| w.get(wire).copied())
                    .ok_or(SynthesisError::AssignmentMissing)
            }
        };
        let num_public = self.r1cs.num_public();
        let mut vars = Vec::with_capacity(self.r1cs.num_wires as usize);
        vars.push(Variable::one());
        for wire in 1..self.r1cs.num_wires as usize {
            vars.push(if wire <= num_public {
                cs.new_input_variable(value(wire))?
            } else {
                cs.new_witness_variable(value(wire))?
            });
        }
        let lc = |terms: &[(u32, Fr)]| {
            LinearCombination(
                terms
                    .iter()
                    .map(|&(wire, coeff)| (coeff, vars[wire as usize]))
                    .collect(),
            )
        };
        for c in &self.r1cs.constraints {
            cs.enforce_r1cs_constraint(|| lc(&c.a), || lc(&c.b), || lc(&c.c))?;
        }
        Ok(())
    }
}
