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
//! with `t`, `u` witnessed so every gate stays at degree ≤ 5. A ladder row (most significant
//! bit first) holds `(b, z, eq, x, y, …)` and the next row the updated values:
//!
//! * **bits**: `b` boolean, `z' = 2z + b` (so the last `z` is the scalar, unique while the
//!   bit count is below 254 or `eq` bounds it), and with the bound's bit `c` in a fixed
//!   column, `eq' = eq·(c·b + (1 − c)(1 − b))` and `(1 − c)·eq·b = 0`: `eq` is 1 while the
//!   bits so far equal the bound's, and a 1 where the bound has 0 is refused then — the
//!   scalar is at most the bound.
//! * **fixed base**: `acc' = acc + b·P_r` with the constant `P_r = 2^i·B8` (for bit `i`) in
//!   two fixed columns; `b·P_r` is `(b·x_P, 1 + b·(y_P − 1))`, the identity when `b = 0`.
//! * **variable base**: `acc' = 2·acc + b·Q` with `Q` copied into every row.

use std::sync::OnceLock;

use halo2_proofs::circuit::{Layouter, Region, Value};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Error, Expression, Fixed, Selector};
use halo2_proofs::poly::Rotation;
use num_bigint::BigUint;

use super::gadgets::{Gadgets, Var, assign, copy};
use super::{Fp, to_halo2};
use crate::babyjubjub::{COEFF_A, COEFF_D, base8};

/// Advice columns the curve gates span (the variable-base row).
pub(super) const CURVE_ADVICE: usize = 13;
/// Fixed columns the curve gates query (the bound's bit and a constant point).
pub(super) const CURVE_FIXED: usize = 3;

/// A Baby Jubjub point in the circuit.
#[derive(Debug, Clone, Copy)]
pub struct PointCells {
    /// The `x` coordinate.
    pub x: Var,
    /// The `y` coordinate.
    pub y: Var,
}

/// The selectors and fixed columns of the curve gates.
#[derive(Debug, Clone)]
pub(super) struct CurveConfig {
    on_curve: Selector,
    add: Selector,
    bits: Selector,
    fixed_step: Selector,
    var_step: Selector,
    /// `[bound bit, x_P, y_P]`.
    fixed: [Column<Fixed>; CURVE_FIXED],
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

impl CurveConfig {
    pub(super) fn configure(
        meta: &mut ConstraintSystem<Fp>,
        advice: &[Column<Advice>],
        fixed: [Column<Fixed>; CURVE_FIXED],
    ) -> Self {
        let config = Self {
            on_curve: meta.selector(),
            add: meta.selector(),
            bits: meta.selector(),
            fixed_step: meta.selector(),
            var_step: meta.selector(),
            fixed,
        };
        let one = || Expression::Constant(Fp::ONE);
        meta.create_gate("baby jubjub on curve", |meta| {
            let q = meta.query_selector(config.on_curve);
            let [x, y] = [0, 1].map(|i| meta.query_advice(advice[i], Rotation::cur()));
            let xx = x.clone() * x;
            let yy = y.clone() * y;
            vec![
                q * (constant(COEFF_A) * xx.clone() + yy.clone()
                    - one()
                    - constant(COEFF_D) * xx * yy),
            ]
        });
        meta.create_gate("baby jubjub add", |meta| {
            let q = meta.query_selector(config.add);
            let [x1, y1, x2, y2, x3, y3, t, u] =
                [0, 1, 2, 3, 4, 5, 6, 7].map(|i| meta.query_advice(advice[i], Rotation::cur()));
            let [sx, sy] = sum_constraints(
                [x1.clone(), y1.clone(), x2.clone(), y2.clone()],
                [t.clone(), u.clone()],
                [x3, y3],
            );
            [t - x1 * x2, u - y1 * y2, sx, sy]
                .map(|c| q.clone() * c)
                .to_vec()
        });
        meta.create_gate("scalar bits", |meta| {
            let q = meta.query_selector(config.bits);
            let [b, z, eq] = [0, 1, 2].map(|i| meta.query_advice(advice[i], Rotation::cur()));
            let [z_next, eq_next] = [1, 2].map(|i| meta.query_advice(advice[i], Rotation::next()));
            let c = meta.query_fixed(config.fixed[0], Rotation::cur());
            let same = c.clone() * b.clone() + (one() - c.clone()) * (one() - b.clone());
            vec![
                q.clone() * b.clone() * (one() - b.clone()),
                q.clone() * (z_next - z.clone() - z - b.clone()),
                q.clone() * (one() - c) * eq.clone() * b,
                q * (eq_next - eq * same),
            ]
        });
        meta.create_gate("fixed-base step", |meta| {
            let q = meta.query_selector(config.fixed_step);
            let [b, x, y, t, u] =
                [0, 3, 4, 5, 6].map(|i| meta.query_advice(advice[i], Rotation::cur()));
            let [x_next, y_next] = [3, 4].map(|i| meta.query_advice(advice[i], Rotation::next()));
            let [px, py] = [1, 2].map(|i| meta.query_fixed(config.fixed[i], Rotation::cur()));
            let x2 = b.clone() * px;
            let y2 = one() + b * (py - one());
            let [sx, sy] = sum_constraints(
                [x.clone(), y.clone(), x2.clone(), y2.clone()],
                [t.clone(), u.clone()],
                [x_next, y_next],
            );
            [t - x * x2, u - y * y2, sx, sy]
                .map(|c| q.clone() * c)
                .to_vec()
        });
        meta.create_gate("variable-base step", |meta| {
            let q = meta.query_selector(config.var_step);
            let [b, x, y, t, u, xd, yd, t2, u2, qx, qy] = [0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
                .map(|i| meta.query_advice(advice[i], Rotation::cur()));
            let [x_next, y_next] = [3, 4].map(|i| meta.query_advice(advice[i], Rotation::next()));
            let [dx, dy] = sum_constraints(
                [x.clone(), y.clone(), x.clone(), y.clone()],
                [t.clone(), u.clone()],
                [xd.clone(), yd.clone()],
            );
            let x2 = b.clone() * qx;
            let y2 = one() + b * (qy - one());
            let [sx, sy] = sum_constraints(
                [xd.clone(), yd.clone(), x2.clone(), y2.clone()],
                [t2.clone(), u2.clone()],
                [x_next, y_next],
            );
            [
                t - x.clone() * x,
                u - y.clone() * y,
                dx,
                dy,
                t2 - xd * x2,
                u2 - yd * y2,
                sx,
                sy,
            ]
            .map(|c| q.clone() * c)
            .to_vec()
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

    /// Enforces `a·x² + y² = 1 + d·x²·y²`.
    pub fn assert_on_curve(
        &self,
        layouter: &mut impl Layouter<Fp>,
        p: &PointCells,
    ) -> Result<(), Error> {
        let config = self.curve()?;
        self.region(layouter, "on curve", 1, |region, at| {
            config.on_curve.enable(region, at)?;
            copy(region, self.slots.advice[0], at, &p.x);
            copy(region, self.slots.advice[1], at, &p.y);
            Ok(())
        })
    }

    /// `p + q` by the complete Edwards law (both must be on the curve for the result to be
    /// their sum; the constraints then determine it uniquely).
    pub fn point_add(
        &self,
        layouter: &mut impl Layouter<Fp>,
        p: &PointCells,
        q: &PointCells,
    ) -> Result<PointCells, Error> {
        let config = self.curve()?;
        let values =
            p.x.value
                .zip(p.y.value)
                .zip(q.x.value.zip(q.y.value))
                .map(|(p, q)| sum(p, q));
        self.region(layouter, "point add", 1, |region, at| {
            config.add.enable(region, at)?;
            for (i, var) in [&p.x, &p.y, &q.x, &q.y].into_iter().enumerate() {
                copy(region, self.slots.advice[i], at, var);
            }
            let x = assign(region, self.slots.advice[4], at, values.map(|v| v.0.0));
            let y = assign(region, self.slots.advice[5], at, values.map(|v| v.0.1));
            assign(region, self.slots.advice[6], at, values.map(|v| v.1[0]));
            assign(region, self.slots.advice[7], at, values.map(|v| v.1[1]));
            Ok(PointCells { x, y })
        })
    }

    /// `k·B8` for the scalar `k`, which is constrained to `k ≤ bound` (at most 251 bits).
    pub fn fixed_base_mul(
        &self,
        layouter: &mut impl Layouter<Fp>,
        scalar: &Var,
        bound: &BigUint,
    ) -> Result<PointCells, Error> {
        self.ladder(layouter, Base::B8, scalar, bound)
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
        self.ladder(layouter, Base::Var(q), scalar, bound)
    }

    /// One row per bit of `bound`, most significant first, then a row with the results.
    fn ladder(
        &self,
        layouter: &mut impl Layouter<Fp>,
        base: Base<'_>,
        scalar: &Var,
        bound: &BigUint,
    ) -> Result<PointCells, Error> {
        let config = self.curve()?;
        let n = usize::try_from(bound.bits()).map_err(|_| Error::Synthesis)?;
        let powers = b8_powers();
        if n == 0 || n > 254 || (matches!(base, Base::B8) && n > powers.len()) {
            return Err(Error::Synthesis);
        }
        let bits = scalar.value.map(|k| bits_msb_first(k, n));
        let q = match base {
            Base::B8 => Value::unknown(),
            Base::Var(q) => q.x.value.zip(q.y.value),
        };
        self.region(layouter, "scalar ladder", n + 1, |region, base_row| {
            let start = |region: &mut Region<'_, Fp>, column: usize, value: Fp| {
                let cell = assign(
                    region,
                    self.slots.advice[column],
                    base_row,
                    Value::known(value),
                );
                region.constrain_constant(cell.cell, value)
            };
            start(region, 1, Fp::ZERO)?;
            start(region, 2, Fp::ONE)?;
            start(region, 3, Fp::ZERO)?;
            start(region, 4, Fp::ONE)?;
            let mut z = Value::known(Fp::ZERO);
            let mut eq = Value::known(Fp::ONE);
            let mut acc = Value::known((Fp::ZERO, Fp::ONE));
            let mut last = None;
            for r in 0..n {
                let row = base_row + r;
                let i = n - 1 - r;
                let c = bound.bit(i as u64);
                let b = bits.as_ref().map(|bits| bits[r]);
                let bf = b.map(|b| if b { Fp::ONE } else { Fp::ZERO });
                config.bits.enable(region, row)?;
                region.assign_fixed(config.fixed[0], row, if c { Fp::ONE } else { Fp::ZERO });
                assign(region, self.slots.advice[0], row, bf);
                z = z.zip(bf).map(|(z, b)| z.double() + b);
                eq = eq.zip(bf).map(|(eq, b)| {
                    let same = if c { b } else { Fp::ONE - b };
                    eq * same
                });
                let next = match base {
                    Base::B8 => {
                        config.fixed_step.enable(region, row)?;
                        let p = powers[i];
                        region.assign_fixed(config.fixed[1], row, p.0);
                        region.assign_fixed(config.fixed[2], row, p.1);
                        let step = acc.zip(b).map(|(acc, b)| sum(acc, select(b, p)));
                        assign(region, self.slots.advice[5], row, step.map(|s| s.1[0]));
                        assign(region, self.slots.advice[6], row, step.map(|s| s.1[1]));
                        step.map(|s| s.0)
                    }
                    Base::Var(point) => {
                        config.var_step.enable(region, row)?;
                        copy(region, self.slots.advice[11], row, &point.x);
                        copy(region, self.slots.advice[12], row, &point.y);
                        let doubled = acc.map(|acc| sum(acc, acc));
                        let step = doubled
                            .zip(q.zip(b))
                            .map(|(d, (q, b))| sum(d.0, select(b, q)));
                        for (column, value) in [
                            (5, doubled.map(|d| d.1[0])),
                            (6, doubled.map(|d| d.1[1])),
                            (7, doubled.map(|d| d.0.0)),
                            (8, doubled.map(|d| d.0.1)),
                            (9, step.map(|s| s.1[0])),
                            (10, step.map(|s| s.1[1])),
                        ] {
                            assign(region, self.slots.advice[column], row, value);
                        }
                        step.map(|s| s.0)
                    }
                };
                acc = next;
                let z_cell = assign(region, self.slots.advice[1], row + 1, z);
                assign(region, self.slots.advice[2], row + 1, eq);
                let x = assign(region, self.slots.advice[3], row + 1, acc.map(|a| a.0));
                let y = assign(region, self.slots.advice[4], row + 1, acc.map(|a| a.1));
                last = Some((z_cell, PointCells { x, y }));
            }
            let (z_cell, out) = last.ok_or(Error::Synthesis)?;
            region.constrain_equal(z_cell.cell, scalar.cell);
            Ok(out)
        })
    }
}
