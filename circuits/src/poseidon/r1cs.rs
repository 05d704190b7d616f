//! The Poseidon R1CS gadget: 3 constraints per S-box (x², x⁴, x⁵) and none for the linear
//! layers, so `Poseidon(2)` costs 240 constraints, circomlib's count (the first round's S-box on
//! the constant capacity lane is free).
//!
//! # Synthesis cost
//!
//! Every S-box input is an affine function of the permutation's inputs and of the earlier
//! S-box outputs, with coefficients that depend only on the width. [`schedule`] derives those
//! functions once per width by running the shared permutation over symbolic affine forms;
//! [`hash`] then builds each S-box input as **one** linear combination straight from the
//! variables. Building the linear layers lane by lane out of `FpVar` additions instead
//! creates `2t²` nested linear combinations per round whose inlining (at
//! `ConstraintSystem::finalize`) costs `O(t³)` per partial round: at width 17 about half a
//! second of single-threaded work per hash, for the same constraints.

use std::{cell::RefCell, rc::Rc, sync::OnceLock};

use ark_ff::{Field, Zero};
use ark_r1cs_std::fields::{
    FieldVar,
    fp::{AllocatedFp, FpVar},
};
use ark_relations::gr1cs::{LinearCombination, SynthesisError, Variable};

use super::{MAX_INPUTS, PermutationField, check_arity, permutation};
use crate::Fr;

/// An affine form `constant + Σ_i coeffs[i] · basis[start + i]` over the permutation's basis:
/// its `t` input lanes (indices `0..t`), then every S-box output in evaluation order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Form {
    constant: Fr,
    start: usize,
    coeffs: Vec<Fr>,
}

impl Form {
    fn unit(index: usize) -> Self {
        Self {
            constant: Fr::zero(),
            start: index,
            coeffs: vec![Fr::ONE],
        }
    }

    fn end(&self) -> usize {
        self.start + self.coeffs.len()
    }
}

/// The S-box inputs of one width's permutation, in evaluation order, and its output.
#[derive(Debug)]
struct Schedule {
    sbox_inputs: Vec<Form>,
    output: Form,
}

/// What [`schedule`]'s symbolic run has recorded so far.
#[derive(Debug)]
struct Recorder {
    /// The width `t`: S-box output `j` is basis element `t + j`.
    width: usize,
    sbox_inputs: Vec<Form>,
}

/// A [`Form`] during [`schedule`]'s symbolic run: `pow5` records its input and names the
/// output as the next basis element.
#[derive(Debug, Clone)]
struct Tracked {
    form: Form,
    recorder: Rc<RefCell<Recorder>>,
}

impl PermutationField for Tracked {
    type Error = std::convert::Infallible;

    fn add_constant(&self, c: Fr) -> Self {
        let mut out = self.clone();
        out.form.constant += c;
        out
    }

    fn pow5(&self) -> Result<Self, Self::Error> {
        let mut recorder = self.recorder.borrow_mut();
        let index = recorder.width + recorder.sbox_inputs.len();
        recorder.sbox_inputs.push(self.form.clone());
        Ok(Self {
            form: Form::unit(index),
            recorder: self.recorder.clone(),
        })
    }

    fn dot(row: &[Fr], state: &[Self]) -> Self {
        let start = state.iter().map(|s| s.form.start).min().unwrap_or(0);
        let end = state.iter().map(|s| s.form.end()).max().unwrap_or(start);
        let mut form = Form {
            constant: Fr::zero(),
            start,
            coeffs: vec![Fr::zero(); end - start],
        };
        for (m, s) in row.iter().zip(state) {
            form.constant += *m * s.form.constant;
            let offset = s.form.start - start;
            for (acc, c) in form.coeffs[offset..].iter_mut().zip(&s.form.coeffs) {
                *acc += *m * c;
            }
        }
        Self {
            form,
            recorder: state[0].recorder.clone(),
        }
    }
}

/// The schedule of width `t` in `2..=17`; derived once per width and cached.
fn schedule(t: usize) -> &'static Schedule {
    static CACHE: [OnceLock<Schedule>; MAX_INPUTS] = [const { OnceLock::new() }; MAX_INPUTS];
    CACHE[t - 2].get_or_init(|| {
        let recorder = Rc::new(RefCell::new(Recorder {
            width: t,
            sbox_inputs: Vec::new(),
        }));
        let state = (0..t)
            .map(|lane| Tracked {
                form: Form::unit(lane),
                recorder: recorder.clone(),
            })
            .collect();
        let output = match permutation(state) {
            Ok(out) => out.form,
            Err(never) => match never {},
        };
        let sbox_inputs = std::mem::take(&mut recorder.borrow_mut().sbox_inputs);
        Schedule {
            sbox_inputs,
            output,
        }
    })
}

/// `form` over `basis` as one linear combination (a constant when no variable takes part).
fn evaluate(form: &Form, basis: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    let mut constant = form.constant;
    let mut terms = Vec::with_capacity(form.coeffs.len() + 1);
    let mut value = Some(Fr::zero());
    let mut cs = None;
    for (c, var) in form.coeffs.iter().zip(&basis[form.start..]) {
        if c.is_zero() {
            continue;
        }
        match var {
            FpVar::Constant(k) => constant += *c * k,
            FpVar::Var(v) => {
                terms.push((*c, v.variable));
                value = value.zip(v.value().ok()).map(|(sum, x)| sum + *c * x);
                cs.get_or_insert_with(|| v.cs.clone());
            }
        }
    }
    let Some(cs) = cs else {
        return Ok(FpVar::Constant(constant));
    };
    if !constant.is_zero() {
        terms.push((constant, Variable::One));
    }
    let variable = cs.new_lc(|| LinearCombination(terms))?;
    Ok(FpVar::Var(AllocatedFp::new(
        value.map(|v| v + constant),
        variable,
        cs,
    )))
}

/// `x^5` in 3 constraints (none for a constant).
fn pow5(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    let x4 = x.square()?.square()?;
    Ok(x4 * x)
}

/// Constrains and returns circomlib's `Poseidon(n)` of `inputs`.
///
/// Fails with [`SynthesisError::ArityMismatch`] unless there are 1..=16 inputs.
pub fn hash(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    check_arity(inputs.len()).map_err(|_| SynthesisError::ArityMismatch)?;
    let schedule = schedule(inputs.len() + 1);
    let mut basis = Vec::with_capacity(inputs.len() + 1 + schedule.sbox_inputs.len());
    basis.push(FpVar::zero());
    basis.extend_from_slice(inputs);
    for form in &schedule.sbox_inputs {
        let x = evaluate(form, &basis)?;
        basis.push(pow5(&x)?);
    }
    evaluate(&schedule.output, &basis)
}

#[cfg(test)]
mod tests {
    use ark_r1cs_std::{GR1CSVar, alloc::AllocVar};
    use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, R1CS_PREDICATE_LABEL};

    use super::*;
    use crate::poseidon::params::{self, FULL_ROUNDS};

    /// The linear layers built lane by lane from `FpVar` additions: what [`hash`] did before
    /// it used [`schedule`]; the reference its constraints must equal.
    fn naive_hash(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
        let mut state = vec![FpVar::zero()];
        state.extend_from_slice(inputs);
        let p = params::params(state.len());
        for round in 0..FULL_ROUNDS + p.partial_rounds {
            for (lane, c) in state.iter_mut().zip(&p.round_constants[round * p.t..]) {
                *lane += *c;
            }
            let full = round < FULL_ROUNDS / 2 || round >= FULL_ROUNDS / 2 + p.partial_rounds;
            for lane in &mut state[..if full { p.t } else { 1 }] {
                *lane = pow5(lane)?;
            }
            state = p
                .mds
                .iter()
                .map(|row| row.iter().zip(&state).map(|(m, s)| s * *m).sum())
                .collect();
        }
        Ok(state.swap_remove(0))
    }

    type Gadget = fn(&[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError>;
    type Rows = Vec<Vec<Vec<(Fr, usize)>>>;
    type TestResult<T> = Result<T, Box<dyn std::error::Error>>;

    /// Synthesizes `gadget` over `n` inputs (the last one a constant) and returns the R1CS
    /// rows with their terms sorted, and whether the output equals the native hash.
    fn rows(n: usize, gadget: Gadget) -> TestResult<(Rows, bool)> {
        let cs: ConstraintSystemRef<Fr> = ConstraintSystem::new_ref();
        let values: Vec<Fr> = (0..n as u64).map(|i| Fr::from(3 * i + 1)).collect();
        let mut inputs: Vec<FpVar<Fr>> = values[..n - 1]
            .iter()
            .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)))
            .collect::<Result<_, _>>()?;
        inputs.push(FpVar::Constant(values[n - 1]));
        let out = gadget(&inputs)?;
        let correct = out.value()? == crate::poseidon::hash(&values)? && cs.is_satisfied()?;
        cs.finalize();
        let mut r1cs = cs
            .to_matrices()?
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or("no R1CS matrices")?;
        for row in r1cs.iter_mut().flatten() {
            row.sort_by_key(|(_, index)| *index);
        }
        Ok((r1cs, correct))
    }

    #[test]
    fn same_constraints_as_lane_by_lane_linear_layers_at_every_width() -> TestResult<()> {
        for n in 1..=MAX_INPUTS {
            let (scheduled, correct) = rows(n, hash)?;
            let (naive, naive_correct) = rows(n, naive_hash)?;
            assert!(correct && naive_correct, "{n} inputs: wrong hash");
            assert_eq!(scheduled, naive, "{n} inputs: different constraints");
        }
        Ok(())
    }
}
