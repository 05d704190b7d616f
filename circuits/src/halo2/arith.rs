//! The arithmetic gate `q_a·a + q_b·b + q_c·c + q_d·d + q_m·a·b + q_k = 0` on advice slots
//! `0..4` under its own selector, coefficients in fixed slots `0..6` of the columns the
//! Poseidon round constants share, and the operations the circuits build from it.

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{ConstraintSystem, Error, Selector};

use super::Fp;
use super::gadgets::{ARITH_COEFFICIENTS, Gadgets, Slots, Var};

/// The advice slots of a row: `a, b, c, d`.
const ARITH_CELLS: usize = 4;

/// The gate's selector and the rows one use of it spans.
#[derive(Debug, Clone)]
pub(super) struct ArithConfig {
    enabled: Selector,
    rows: usize,
}

impl ArithConfig {
    /// The gate on advice slots `a, b, c, d` with coefficients
    /// `[q_a, q_b, q_c, q_d, q_m, q_k]` in fixed slots `0..6` (shared with other chips, hence
    /// the selector).
    pub(super) fn configure(meta: &mut ConstraintSystem<Fp>, slots: &Slots) -> Self {
        let enabled = meta.selector();
        meta.create_gate("arithmetic", |meta| {
            let s = meta.query_selector(enabled);
            let [a, b, c, d] = [0, 1, 2, 3].map(|i| slots.query_advice(meta, i, 0));
            let [qa, qb, qc, qd, qm, qk] = [0, 1, 2, 3, 4, 5].map(|i| slots.query_fixed(meta, i));
            vec![s * (qa * a.clone() + qb * b.clone() + qc * c + qd * d + qm * a * b + qk)]
        });
        Self {
            enabled,
            rows: slots.rows(ARITH_CELLS, ARITH_COEFFICIENTS),
        }
    }
}

/// One row of the arithmetic gate: the inputs `a, b, c` (copied in when given), the value of
/// `d` computed natively, and the coefficients `[q_a, q_b, q_c, q_d, q_m, q_k]`.
struct Row<'a> {
    inputs: [Option<&'a Var>; 3],
    d: Value<Fp>,
    coefficients: [Fp; 6],
}

impl Gadgets {
    /// Assigns one arithmetic row and returns the `d` cell.
    fn arith_row(&self, layouter: &mut impl Layouter<Fp>, row: Row<'_>) -> Result<Var, Error> {
        let slots = &self.slots;
        self.region(layouter, "arithmetic", self.arith.rows, |region, at| {
            self.arith.enabled.enable(region, at)?;
            for (i, input) in row.inputs.iter().enumerate() {
                match input {
                    Some(var) => slots.copy(region, at, i, var),
                    None => slots.assign(region, at, i, Value::known(Fp::ZERO)),
                };
            }
            let d = slots.assign(region, at, 3, row.d);
            for (i, q) in row.coefficients.into_iter().enumerate() {
                slots.assign_fixed(region, at, i, q);
            }
            Ok(d)
        })
    }

    /// `a + b`.
    pub fn add(&self, layouter: &mut impl Layouter<Fp>, a: &Var, b: &Var) -> Result<Var, Error> {
        let one = Fp::ONE;
        self.arith_row(
            layouter,
            Row {
                inputs: [Some(a), Some(b), None],
                d: a.value + b.value,
                coefficients: [one, one, Fp::ZERO, -one, Fp::ZERO, Fp::ZERO],
            },
        )
    }

    /// `cond ? 0 : x`, i.e. `x − cond·x` (`cond` must be constrained boolean elsewhere).
    pub fn zero_if(
        &self,
        layouter: &mut impl Layouter<Fp>,
        cond: &Var,
        x: &Var,
    ) -> Result<Var, Error> {
        let one = Fp::ONE;
        self.arith_row(
            layouter,
            Row {
                inputs: [Some(cond), Some(x), Some(x)],
                d: x.value - cond.value * x.value,
                coefficients: [Fp::ZERO, Fp::ZERO, one, -one, -one, Fp::ZERO],
            },
        )
    }

    /// `q_a·a + q_b·b + q_c·c + q_m·a·b + q_k` for `inputs = [a, b, c]` (a missing input is
    /// 0) and `coefficients = [q_a, q_b, q_c, q_m, q_k]`: one row.
    pub fn combine(
        &self,
        layouter: &mut impl Layouter<Fp>,
        inputs: [Option<&Var>; 3],
        coefficients: [Fp; 5],
    ) -> Result<Var, Error> {
        let [qa, qb, qc, qm, qk] = coefficients;
        let value = |v: Option<&Var>| v.map_or(Value::known(Fp::ZERO), |v| v.value);
        let [a, b, c] = inputs.map(value);
        self.arith_row(
            layouter,
            Row {
                inputs,
                d: a * Value::known(qa)
                    + b * Value::known(qb)
                    + c * Value::known(qc)
                    + a * b * Value::known(qm)
                    + Value::known(qk),
                coefficients: [qa, qb, qc, -Fp::ONE, qm, qk],
            },
        )
    }

    /// Enforces `q_a·a + q_b·b + q_c·c + q_m·a·b + q_k = 0` (see [`Self::combine`]).
    pub fn assert_combination_zero(
        &self,
        layouter: &mut impl Layouter<Fp>,
        inputs: [Option<&Var>; 3],
        [qa, qb, qc, qm, qk]: [Fp; 5],
    ) -> Result<(), Error> {
        self.arith_row(
            layouter,
            Row {
                inputs,
                d: Value::known(Fp::ZERO),
                coefficients: [qa, qb, qc, Fp::ZERO, qm, qk],
            },
        )
        .map(|_| ())
    }

    /// Enforces `x ≠ 0` by exhibiting its inverse (two rows).
    pub fn assert_nonzero(&self, layouter: &mut impl Layouter<Fp>, x: &Var) -> Result<(), Error> {
        let inverse = x
            .value
            .map(|x| Option::<Fp>::from(x.invert()).unwrap_or(Fp::ZERO));
        let inverse = self.witness(layouter, &[inverse])?;
        self.assert_combination_zero(
            layouter,
            [Some(x), Some(&inverse[0]), None],
            [Fp::ZERO, Fp::ZERO, Fp::ZERO, Fp::ONE, -Fp::ONE],
        )
    }

    /// Enforces `a·b = 0`.
    pub fn assert_product_zero(
        &self,
        layouter: &mut impl Layouter<Fp>,
        a: &Var,
        b: &Var,
    ) -> Result<(), Error> {
        self.arith_row(
            layouter,
            Row {
                inputs: [Some(a), Some(b), None],
                d: Value::known(Fp::ZERO),
                coefficients: [Fp::ZERO, Fp::ZERO, Fp::ZERO, Fp::ZERO, Fp::ONE, Fp::ZERO],
            },
        )
        .map(|_| ())
    }

    /// Enforces `b ∈ {0, 1}` (`b·b − b = 0`).
    pub fn assert_boolean(&self, layouter: &mut impl Layouter<Fp>, b: &Var) -> Result<(), Error> {
        self.arith_row(
            layouter,
            Row {
                inputs: [Some(b), Some(b), None],
                d: Value::known(Fp::ZERO),
                coefficients: [-Fp::ONE, Fp::ZERO, Fp::ZERO, Fp::ZERO, Fp::ONE, Fp::ZERO],
            },
        )
        .map(|_| ())
    }
}
