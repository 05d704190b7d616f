//! Baby Jubjub in R1CS: Edwards point variables with on-curve checks and complete addition,
//! and the Montgomery-form arithmetic (3 constraints per addition, 4 per doubling) that the
//! scalar multiplications in [`scalar_mul`] are built from.
//!
//! Montgomery formulas are incomplete: `P + Q` needs `P ≠ ±Q`, and a doubling needs `v ≠ 0`.
//! The scalar multiplications keep every operand clear of those cases by carrying a point of
//! order 8 in the accumulator (see [`scalar_mul`]); a doubling of a point with `v = 0` is
//! unsatisfiable rather than free, so it can only make honest proving fail, never cheat.

pub(crate) mod bits;
pub(crate) mod scalar_mul;

use ark_ff::{AdditiveGroup, Field};
use ark_r1cs_std::{GR1CSVar, fields::FieldVar};
use ark_r1cs_std::{alloc::AllocVar, alloc::AllocationMode, fields::fp::FpVar};
use ark_relations::gr1cs::{Namespace, SynthesisError};
use std::borrow::Borrow;

use super::{COEFF_A, COEFF_D, MONT_A, Point};
use crate::Fr;

/// A Baby Jubjub point in twisted Edwards coordinates inside a constraint system.
///
/// Allocation does not constrain the point to the curve; call [`PointVar::enforce_on_curve`]
/// on every point that comes from the prover.
#[derive(Clone, Debug)]
pub struct PointVar {
    /// The `x` coordinate.
    pub x: FpVar<Fr>,
    /// The `y` coordinate.
    pub y: FpVar<Fr>,
}

impl AllocVar<Point, Fr> for PointVar {
    fn new_variable<T: Borrow<Point>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let point = f().map(|p| *p.borrow());
        let x = FpVar::new_variable(cs.clone(), || point.map(|p| p.x), mode)?;
        let y = FpVar::new_variable(cs, || point.map(|p| p.y), mode)?;
        Ok(Self { x, y })
    }
}

impl PointVar {
    /// Wraps two coordinates.
    pub fn new(x: FpVar<Fr>, y: FpVar<Fr>) -> Self {
        Self { x, y }
    }

    /// Enforces `a·x² + y² = 1 + d·x²·y²` (3 constraints).
    pub fn enforce_on_curve(&self) -> Result<(), SynthesisError> {
        let x2 = self.x.square()?;
        let y2 = self.y.square()?;
        let lhs = &x2 * COEFF_A + &y2 - Fr::ONE;
        (x2 * COEFF_D).mul_equals(&y2, &lhs)
    }

    /// Enforces `self + other == sum` with the complete Edwards law (6 constraints).
    /// Sound and complete for `self`, `other` on the curve (the denominators cannot vanish).
    pub(crate) fn enforce_sum(&self, other: &Self, sum: &Self) -> Result<(), SynthesisError> {
        let beta = &self.x * &other.y;
        let gamma = &self.y * &other.x;
        let delta = (&self.y - &self.x * COEFF_A) * (&other.x + &other.y);
        let dtau = &beta * &gamma * COEFF_D;
        sum.x.mul_equals(&(&dtau + Fr::ONE), &(&beta + &gamma))?;
        sum.y
            .mul_equals(&(FpVar::one() - &dtau), &(delta + beta * COEFF_A - gamma))
    }
}

/// A point on the Montgomery curve `v² = u³ + 168698·u² + u` (birationally equivalent to
/// Baby Jubjub) inside a constraint system; never the point at infinity.
#[derive(Clone, Debug)]
pub(crate) struct MontVar {
    pub(crate) u: FpVar<Fr>,
    pub(crate) v: FpVar<Fr>,
}

/// Allocates a witness whose value is computed from other variables' values.
fn witness(
    cs_of: &FpVar<Fr>,
    f: impl FnOnce() -> Result<Fr, SynthesisError>,
) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs_of.cs(), f)
}

/// `num / den` for witness values; `0` when `den = 0`, a case the constraints then reject
/// (so a bad input yields an unsatisfied system rather than a synthesis error).
fn div(num: Fr, den: Fr) -> Fr {
    num * den.inverse().unwrap_or(Fr::ZERO)
}

impl MontVar {
    pub(crate) fn constant(u: Fr, v: Fr) -> Self {
        Self {
            u: FpVar::constant(u),
            v: FpVar::constant(v),
        }
    }

    /// The Montgomery image of an Edwards point `p` with `x ≠ 0` (3 constraints: the
    /// condition `x ≠ 0`, `u·(1 − y) = 1 + y`, `v·x = u`). `x ≠ 0` excludes exactly the
    /// identity and the point of order 2, which have no affine image; for every other point
    /// on the curve `y ≠ 1`, so `u` and `v` are unique.
    pub(crate) fn from_edwards(p: &PointVar) -> Result<Self, SynthesisError> {
        enforce_nonzero(&p.x)?;
        let u = witness(&p.x, || {
            Ok(div(Fr::ONE + p.y.value()?, Fr::ONE - p.y.value()?))
        })?;
        u.mul_equals(&(FpVar::one() - &p.y), &(&p.y + Fr::ONE))?;
        let v = witness(&p.x, || Ok(div(u.value()?, p.x.value()?)))?;
        v.mul_equals(&p.x, &u)?;
        Ok(Self { u, v })
    }

    /// The Edwards image `(x, y) = (u/v, (u − 1)/(u + 1))` (2 constraints). Unique when
    /// `v ≠ 0` (the point is not of order 2) and `u ≠ −1` (true on this curve: `d` is not a
    /// square), which every caller guarantees.
    pub(crate) fn to_edwards(&self) -> Result<PointVar, SynthesisError> {
        let x = witness(&self.u, || Ok(div(self.u.value()?, self.v.value()?)))?;
        x.mul_equals(&self.v, &self.u)?;
        let y = witness(&self.u, || {
            Ok(div(self.u.value()? - Fr::ONE, self.u.value()? + Fr::ONE))
        })?;
        y.mul_equals(&(&self.u + Fr::ONE), &(&self.u - Fr::ONE))?;
        Ok(PointVar { x, y })
    }

    /// `self + other` for `self ≠ ±other` (3 constraints). If `u` coincides the slope
    /// constraint is unsatisfiable (`v` differs) or leaves the slope free (`self = other`);
    /// callers rule out the latter.
    pub(crate) fn add(&self, other: &Self) -> Result<Self, SynthesisError> {
        let dv = &other.v - &self.v;
        let du = &other.u - &self.u;
        let lambda = witness(&du, || Ok(div(dv.value()?, du.value()?)))?;
        lambda.mul_equals(&du, &dv)?;
        self.finish(lambda, &other.u)
    }

    /// `2·self` for `v ≠ 0` (4 constraints); unsatisfiable for the point of order 2.
    pub(crate) fn double(&self) -> Result<Self, SynthesisError> {
        let uu = self.u.square()?;
        let num = &uu * Fr::from(3u64) + &self.u * (MONT_A + MONT_A) + Fr::ONE;
        let den = self.v.double()?;
        let lambda = witness(&self.u, || Ok(div(num.value()?, den.value()?)))?;
        lambda.mul_equals(&den, &num)?;
        self.finish(lambda, &self.u)
    }

    /// The third point on the line of slope `lambda` through `self` and a point with
    /// abscissa `other_u`, negated: `u₃ = λ² − A − u₁ − u₂`, `v₃ = λ(u₁ − u₃) − v₁`.
    fn finish(&self, lambda: FpVar<Fr>, other_u: &FpVar<Fr>) -> Result<Self, SynthesisError> {
        let u = witness(&lambda, || {
            Ok(lambda.value()?.square() - MONT_A - self.u.value()? - other_u.value()?)
        })?;
        lambda.mul_equals(&lambda, &(&u + MONT_A + &self.u + other_u))?;
        let v = witness(&lambda, || {
            Ok(lambda.value()? * (self.u.value()? - u.value()?) - self.v.value()?)
        })?;
        lambda.mul_equals(&(&self.u - &u), &(&v + &self.v))?;
        Ok(Self { u, v })
    }
}

/// Enforces `x ≠ 0` by exhibiting its inverse (1 constraint).
pub(crate) fn enforce_nonzero(x: &FpVar<Fr>) -> Result<(), SynthesisError> {
    let inv = witness(x, || Ok(div(Fr::ONE, x.value()?)))?;
    x.mul_equals(&inv, &FpVar::one())
}
