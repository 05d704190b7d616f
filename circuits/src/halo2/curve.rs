//! Baby Jubjub (circomlib's twisted Edwards model, see [`crate::babyjubjub`]) in halo2:
//! on-curve checks, complete addition, and scalar multiplications by a bit ladder whose rows
//! also decompose the scalar and compare it with a constant bound.
//!
//! The Edwards law is complete on this curve (`a` square, `d` non-square), so unlike the
//! R1CS gadget's Montgomery ladder no offset point is needed: every sum of two points on the
//! curve is determined by
//!
//! ```text
//! t = x₁x₂,  u = y₁y₂,  x₃·(1 + d·t·u) = x₁y₂ + y₁x₂,  y₃·(1 − d·t·u) = u − a·t
//! ```
//!
//! with `t`, `u` witnessed so every gate stays at degree ≤ 4. Every gate reads its cells as
//! slots of a block (see [`Slots`]): on the narrow layout a column, a row on a wide one. A
//! ladder step (most significant bit first) is a block holding `(b, z, eq, x, y, …)`, and the
//! next block starts with the updated values; one gate per base checks both the bits and the
//! addition:
//!
//! * **bits**: `b` boolean, `z' = 2z + b` (so the last `z` is the scalar, unique while the
//!   bit count is below 254 or `eq` bounds it), and with the bound's bit `c` in a fixed
//!   slot, `eq' = eq·(c·b + (1 − c)(1 − b))` and `(1 − c)·eq·b = 0`: `eq` is 1 while the
//!   bits so far equal the bound's, and a 1 where the bound has 0 is refused then — the
//!   scalar is at most the bound.
//! * **fixed base**: `acc' = acc + b·P_r` with the constant `P_r = 2^i·B8` (for bit `i`) in
//!   two fixed slots; `b·P_r` is `(b·x_P, 1 + b·(y_P − 1))`, the identity when `b = 0`.
//! * **variable base**: `acc' = 2·acc + b·Q` with `Q` copied into every step.
//!
//! The first step's `z, eq, acc` are copies of the constants `0, 1, (0, 1)`.

use std::sync::OnceLock;

use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::plonk::{ConstraintSystem, Error, Expression, Selector, VirtualCells};
use num_bigint::BigUint;

use super::gadgets::{Gadgets, Slots, Var};
use super::{Fp, to_halo2};
use crate::babyjubjub::{COEFF_A, COEFF_D, base8};

/// A ladder step's advice slots: the bit, the running sum, the bound flag, the accumulator
/// and the products of its addition (both bases), then, for the variable base only, the
/// doubled accumulator, the products of adding `b·Q` to it, and `Q`.
const B: usize = 0;
const Z: usize = 1;
const EQ: usize = 2;
const X: usize = 3;
const Y: usize = 4;
const T: usize = 5;
const U: usize = 6;
const XD: usize = 7;
const YD: usize = 8;
const T2: usize = 9;
const U2: usize = 10;
const QX: usize = 11;
const QY: usize = 12;
/// The advice slots of a fixed-base step (`b..u`) and of a variable-base step (`b..qy`).
const STEP_SLOTS: [usize; 2] = [U + 1, QY + 1];
/// A ladder step's fixed slots: the bound's bit `c`, then (fixed base) the point `2^i·B8`.
const C: usize = 0;
const PX: usize = 1;
const PY: usize = 2;
/// The fixed slots of a fixed-base step and of a variable-base step.
const STEP_FIXED: [usize; 2] = [PY + 1, C + 1];

/// A Baby Jubjub point in the circuit.
#[derive(Debug, Clone, Copy)]
pub struct PointCells {
    /// The `x` coordinate.
    pub x: Var,
    /// The `y` coordinate.
    pub y: Var,
}

/// The selectors of the ladder steps and the rows of their blocks (see [`Slots`]).
#[derive(Debug, Clone)]
pub(super) struct CurveConfig {
    /// A fixed-base step and a variable-base step, each with the bit checks.
    steps: [Selector; 2],
    /// The rows of a fixed-base step and of a variable-base step: the next step (or the
    /// ladder's result, in slots `z..y`) starts that many rows down.
    step_rows: [usize; 2],
}

fn constant(x: crate::Fr) -> Expression<Fp> {
    Expression::Constant(to_halo2(&x))
}

/// The two constraints `x₃·(1 + d·t·u) = x₁y₂ + y₁x₂`, `y₃·(1 − d·t·u) = u − a·t`.
fn sum_constraints(
    [x1, y1, x2, y2]: [Expression<Fp>; 4],
    [t, u]: [Expression<Fp>; 2],
    [x3, y3]: [Expression<Fp>; 2],
) -> [Expression<Fp>; 2] {
    let one = Expression::Constant(Fp::ONE);
    let dtu = constant(COEFF_D) * t.clone() * u.clone();
    [
        x3 * (one.clone() + dtu.clone()) - (x1 * y2 + y1 * x2),
        y3 * (one - dtu) - (u - constant(COEFF_A) * t),
    ]
}

/// A ladder step's bit checks, the next step `next` rows down: `b` boolean, `z' = 2z + b`,
/// `(1 − c)·eq·b = 0` and `eq' = eq·(c·b + (1 − c)(1 − b))`.
fn bit_constraints(
    meta: &mut VirtualCells<'_, Fp>,
    slots: &Slots,
    next: usize,
) -> [Expression<Fp>; 4] {
    let one = || Expression::Constant(Fp::ONE);
    let [b, z, eq] = [B, Z, EQ].map(|i| slots.query_advice(meta, i, 0));
    let [z_next, eq_next] = [Z, EQ].map(|i| slots.query_advice(meta, i, next as i32));
    let c = slots.query_fixed(meta, C);
    let same = c.clone() * b.clone() + (one() - c.clone()) * (one() - b.clone());
    [
        b.clone() * (one() - b.clone()),
        z_next - z.clone() - z - b.clone(),
        (one() - c) * eq.clone() * b,
        eq_next - eq * same,
    ]
}

/// `b·P` for a boolean `b`: `(b·x_P, 1 + b·(y_P − 1))`, the identity when `b = 0`.
fn selected(b: Expression<Fp>, [px, py]: [Expression<Fp>; 2]) -> [Expression<Fp>; 2] {
    let one = Expression::Constant(Fp::ONE);
    [b.clone() * px, one.clone() + b * (py - one)]
}

impl CurveConfig {
    pub(super) fn configure(meta: &mut ConstraintSystem<Fp>, slots: &Slots) -> Self {
        let step_rows = [0, 1].map(|i| slots.rows(STEP_SLOTS[i], STEP_FIXED[i]));
        let config = Self {
            steps: [meta.selector(), meta.selector()],
            step_rows,
        };
        meta.create_gate("fixed-base step", |meta| {
            let q = meta.query_selector(config.steps[0]);
            let next = step_rows[0];
            let bits = bit_constraints(meta, slots, next);
            let [b, x, y, t, u] = [B, X, Y, T, U].map(|i| slots.query_advice(meta, i, 0));
            let [x_next, y_next] = [X, Y].map(|i| slots.query_advice(meta, i, next as i32));
            let [x2, y2] = selected(b, [PX, PY].map(|i| slots.query_fixed(meta, i)));
            let [sx, sy] = sum_constraints(
                [x.clone(), y.clone(), x2.clone(), y2.clone()],
                [t.clone(), u.clone()],
                [x_next, y_next],
            );
            bits.into_iter()
                .chain([t - x * x2, u - y * y2, sx, sy])
                .map(|c| q.clone() * c)
                .collect::<Vec<_>>()
        });
        meta.create_gate("variable-base step", |meta| {
            let q = meta.query_selector(config.steps[1]);
            let next = step_rows[1];
            let bits = bit_constraints(meta, slots, next);
            let [b, x, y, t, u, xd, yd, t2, u2, qx, qy] =
                [B, X, Y, T, U, XD, YD, T2, U2, QX, QY].map(|i| slots.query_advice(meta, i, 0));
            let [x_next, y_next] = [X, Y].map(|i| slots.query_advice(meta, i, next as i32));
            let [dx, dy] = sum_constraints(
                [x.clone(), y.clone(), x.clone(), y.clone()],
                [t.clone(), u.clone()],
                [xd.clone(), yd.clone()],
            );
            let [x2, y2] = selected(b, [qx, qy]);
            let [sx, sy] = sum_constraints(
                [xd.clone(), yd.clone(), x2.clone(), y2.clone()],
                [t2.clone(), u2.clone()],
                [x_next, y_next],
            );
            bits.into_iter()
                .chain([
                    t - x.clone() * x,
                    u - y.clone() * y,
                    dx,
                    dy,
                    t2 - xd * x2,
                    u2 - yd * y2,
                    sx,
                    sy,
                ])
                .map(|c| q.clone() * c)
                .collect::<Vec<_>>()
        });
        config
    }
}

/// A native point in halo2's field.
type Affine = (Fp, Fp);

/// The Edwards sum natively, with the products `(t, u)`; a vanishing denominator (only for
/// points off the curve) yields 0, which the constraints then refuse.
fn sum(p: Affine, q: Affine) -> (Affine, [Fp; 2]) {
    let (a, d) = (to_halo2(&COEFF_A), to_halo2(&COEFF_D));
    let (t, u) = (p.0 * q.0, p.1 * q.1);
    let dtu = d * t * u;
    let inv = |x: Fp| Option::<Fp>::from(x.invert()).unwrap_or(Fp::ZERO);
    let x = (p.0 * q.1 + p.1 * q.0) * inv(Fp::ONE + dtu);
    let y = (u - a * t) * inv(Fp::ONE - dtu);
    ((x, y), [t, u])
}

/// `b·P`: `P` or the identity.
fn select(bit: bool, p: Affine) -> Affine {
    if bit { p } else { (Fp::ZERO, Fp::ONE) }
}

/// `2^i·B8` for `i < 251`, index `i`.
fn b8_powers() -> &'static [Affine] {
    static POWERS: OnceLock<Vec<Affine>> = OnceLock::new();
    POWERS.get_or_init(|| {
        let mut p = base8();
        (0..crate::babyjubjub::SUBGROUP_ORDER_BITS)
            .map(|_| {
                let out = (to_halo2(&p.x), to_halo2(&p.y));
                p = p.double();
                out
            })
            .collect()
    })
}

/// The `n` low bits of `x`, most significant first.
fn bits_msb_first(x: Fp, n: usize) -> Vec<bool> {
    let repr = x.to_repr();
    let bytes = repr.as_ref();
    (0..n)
        .rev()
        .map(|i| {
            bytes
                .get(i / 8)
                .is_some_and(|byte| (byte >> (i % 8)) & 1 == 1)
        })
        .collect()
}

/// Which base a ladder adds.
#[derive(Clone, Copy)]
enum Base<'a> {
    /// `2^i·B8` from the fixed columns.
    B8,
    /// A point in the circuit, doubled into the accumulator every row.
    Var(&'a PointCells),
}

impl Gadgets {
    fn curve(&self) -> Result<&CurveConfig, Error> {
        self.curve.as_ref().ok_or(Error::Synthesis)
    }

    /// Enforces `a·x² + y² = 1 + d·x²·y²` (three arithmetic rows: `x²`, `y²`, the equation).
    pub fn assert_on_curve(
        &self,
        layouter: &mut impl Layouter<Fp>,
        p: &PointCells,
    ) -> Result<(), Error> {
        let z = Fp::ZERO;
        let square = |layouter: &mut _, v: &Var| {
            self.combine(layouter, [Some(v), Some(v), None], [z, z, z, Fp::ONE, z])
        };
        let xx = square(layouter, &p.x)?;
        let yy = square(layouter, &p.y)?;
        let (a, d) = (to_halo2(&COEFF_A), to_halo2(&COEFF_D));
        self.assert_combination_zero(
            layouter,
            [Some(&xx), Some(&yy), None],
            [a, Fp::ONE, z, -d, -Fp::ONE],
        )
    }

    /// `p + k·B8` for the scalar `k`, which is constrained to `k ≤ bound` (at most 251
    /// bits); `p` must be on the curve.
    pub fn fixed_base_mul_add(
        &self,
        layouter: &mut impl Layouter<Fp>,
        p: &PointCells,
        scalar: &Var,
        bound: &BigUint,
    ) -> Result<PointCells, Error> {
        self.ladder(layouter, Base::B8, Some(p), scalar, bound)
    }

    /// `k·Q` for the scalar `k`, which is constrained to `k ≤ bound` (`bound < p`, so its
    /// bits are unique even at 254 of them).
    pub fn variable_base_mul(
        &self,
        layouter: &mut impl Layouter<Fp>,
        q: &PointCells,
        scalar: &Var,
        bound: &BigUint,
    ) -> Result<PointCells, Error> {
        self.ladder(layouter, Base::Var(q), None, scalar, bound)
    }

    /// One step per bit of `bound`, most significant first, each starting where the last
    /// one's next values (`z, eq, x, y`) lie; the first step's are `0, 1` (copied from
    /// [`Gadgets::constant`] cells) and the point `start` (the identity when `None`), the last
    /// step's are the results.
    fn ladder(
        &self,
        layouter: &mut impl Layouter<Fp>,
        base: Base<'_>,
        start: Option<&PointCells>,
        scalar: &Var,
        bound: &BigUint,
    ) -> Result<PointCells, Error> {
        let config = self.curve()?;
        let slots = &self.slots;
        let n = usize::try_from(bound.bits()).map_err(|_| Error::Synthesis)?;
        let powers = b8_powers();
        if n == 0 || n > 254 || (matches!(base, Base::B8) && n > powers.len()) {
            return Err(Error::Synthesis);
        }
        let kind = usize::from(matches!(base, Base::Var(_)));
        let (selector, step) = (config.steps[kind], config.step_rows[kind]);
        let zero = self.constant(layouter, Fp::ZERO)?;
        let one = self.constant(layouter, Fp::ONE)?;
        let start = start.copied().unwrap_or(PointCells { x: zero, y: one });
        let bits = scalar.value.map(|k| bits_msb_first(k, n));
        let q = match base {
            Base::B8 => Value::unknown(),
            Base::Var(q) => q.x.value.zip(q.y.value),
        };
        let rows = n * step + slots.rows(Y + 1, 0);
        self.region(layouter, "scalar ladder", rows, |region, first| {
            for (slot, var) in [(Z, &zero), (EQ, &one), (X, &start.x), (Y, &start.y)] {
                slots.copy(region, first, slot, var);
            }
            let mut z = Value::known(Fp::ZERO);
            let mut eq = Value::known(Fp::ONE);
            let mut acc = start.x.value.zip(start.y.value);
            let mut last = None;
            for r in 0..n {
                let at = first + r * step;
                let i = n - 1 - r;
                let c = bound.bit(i as u64);
                let b = bits.as_ref().map(|bits| bits[r]);
                let bf = b.map(|b| if b { Fp::ONE } else { Fp::ZERO });
                selector.enable(region, at)?;
                slots.assign_fixed(region, at, C, if c { Fp::ONE } else { Fp::ZERO });
                slots.assign(region, at, B, bf);
                z = z.zip(bf).map(|(z, b)| z.double() + b);
                eq = eq.zip(bf).map(|(eq, b)| {
                    let same = if c { b } else { Fp::ONE - b };
                    eq * same
                });
                let next = match base {
                    Base::B8 => {
                        let p = powers[i];
                        slots.assign_fixed(region, at, PX, p.0);
                        slots.assign_fixed(region, at, PY, p.1);
                        let step = acc.zip(b).map(|(acc, b)| sum(acc, select(b, p)));
                        slots.assign(region, at, T, step.map(|s| s.1[0]));
                        slots.assign(region, at, U, step.map(|s| s.1[1]));
                        step.map(|s| s.0)
                    }
                    Base::Var(point) => {
                        slots.copy(region, at, QX, &point.x);
                        slots.copy(region, at, QY, &point.y);
                        let doubled = acc.map(|acc| sum(acc, acc));
                        let step = doubled
                            .zip(q.zip(b))
                            .map(|(d, (q, b))| sum(d.0, select(b, q)));
                        for (slot, value) in [
                            (T, doubled.map(|d| d.1[0])),
                            (U, doubled.map(|d| d.1[1])),
                            (XD, doubled.map(|d| d.0.0)),
                            (YD, doubled.map(|d| d.0.1)),
                            (T2, step.map(|s| s.1[0])),
                            (U2, step.map(|s| s.1[1])),
                        ] {
                            slots.assign(region, at, slot, value);
                        }
                        step.map(|s| s.0)
                    }
                };
                acc = next;
                let z_cell = slots.assign(region, at + step, Z, z);
                slots.assign(region, at + step, EQ, eq);
                let x = slots.assign(region, at + step, X, acc.map(|a| a.0));
                let y = slots.assign(region, at + step, Y, acc.map(|a| a.1));
                last = Some((z_cell, PointCells { x, y }));
            }
            let (z_cell, out) = last.ok_or(Error::Synthesis)?;
            region.constrain_equal(z_cell.cell, scalar.cell);
            Ok(out)
        })
    }
}
