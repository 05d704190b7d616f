//! Scalar multiplications in Montgomery form, each offset by a constant point `T` of order 8.
//!
//! Why the offset: Montgomery addition `P + Q` is exceptional only when `P = ±Q`. Every
//! accumulator here has torsion component exactly `T` (order 8), while every point added to it
//! has torsion component of order at most 2; two such points are never equal or opposite, and
//! an accumulator is never the point at infinity. So no addition is exceptional, whatever the
//! scalar bits or the (validated) base point, and every slope is uniquely determined. The
//! offsets of both multiplications are the same `T`, so they cancel in the caller's equation.

use std::sync::LazyLock;

use ark_ff::Field;
use ark_r1cs_std::GR1CSVar;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, fields::FieldVar, fields::fp::FpVar};
use ark_relations::gr1cs::SynthesisError;

use super::MontVar;
use crate::Fr;
use crate::babyjubjub::{Point, base8, generator, subgroup_order};

/// Affine Montgomery coordinates of a constant point.
type MontPoint = (Fr, Fr);

fn montgomery(p: Point) -> MontPoint {
    p.to_montgomery()
        .expect("table points have torsion component of order 8 or lie in the subgroup minus O")
}

/// `T = l·Generator`, a point of order 8.
fn offset() -> Point {
    generator().mul(subgroup_order())
}

/// Windows of two bits: window `j` adds `(k + 1)·4ʲ·B8` for digit `k`, so no entry is the
/// identity; the start point `T − Σⱼ 4ʲ·B8` cancels the `+1`s.
struct FixedBaseTable {
    /// `T − Σ_{j<n} 4ʲ·B8 + (k + 1)·B8` for `k ∈ 0..4`: the accumulator after window 0.
    first: [MontPoint; 4],
    /// Entries of windows `1..`.
    windows: Vec<[MontPoint; 4]>,
}

const B8_WINDOWS: usize = crate::babyjubjub::SUBGROUP_ORDER_BITS.div_ceil(2);

static B8_TABLE: LazyLock<FixedBaseTable> = LazyLock::new(|| {
    let mut bases = Vec::with_capacity(B8_WINDOWS);
    let mut base = base8();
    for _ in 0..B8_WINDOWS {
        bases.push(base);
        base = base.double().double();
    }
    let entries = |b: &Point| {
        let b2 = b.double();
        [*b, b2, b2.add(b), b2.double()]
    };
    let start = bases.iter().fold(offset(), |acc, b| acc.add(&b.neg()));
    let first = entries(&bases[0]).map(|e| montgomery(start.add(&e)));
    let windows = bases[1..]
        .iter()
        .map(|b| entries(b).map(montgomery))
        .collect();
    FixedBaseTable { first, windows }
});

/// Selects among up to four constants with one or two bits (1 constraint for two bits: the
/// product `b₀·b₁`; none for one bit). Entry `k` is chosen by the digit `b₀ + 2·b₁`.
fn select(bits: &[Boolean<Fr>], table: &[MontPoint; 4]) -> Result<MontVar, SynthesisError> {
    let b0 = FpVar::from(bits[0].clone());
    let pick = |c: [Fr; 4], b1: Option<(&FpVar<Fr>, &FpVar<Fr>)>| match b1 {
        None => &b0 * (c[1] - c[0]) + c[0],
        Some((b1, b01)) => {
            &b0 * (c[1] - c[0]) + b1 * (c[2] - c[0]) + b01 * (c[3] - c[2] - c[1] + c[0]) + c[0]
        }
    };
    let us = table.map(|p| p.0);
    let vs = table.map(|p| p.1);
    match bits.get(1) {
        None => Ok(MontVar {
            u: pick(us, None),
            v: pick(vs, None),
        }),
        Some(b1) => {
            let b1 = FpVar::from(b1.clone());
            let b01 = &b0 * &b1;
            Ok(MontVar {
                u: pick(us, Some((&b1, &b01))),
                v: pick(vs, Some((&b1, &b01))),
            })
        }
    }
}

/// `T + k·B8` for the integer `k` with little-endian `bits` (exactly
/// [`SUBGROUP_ORDER_BITS`](crate::babyjubjub::SUBGROUP_ORDER_BITS) of them): per window of two
/// bits one selection constraint and one addition (3), about 2 constraints per bit.
pub(crate) fn fixed_base_b8(bits: &[Boolean<Fr>]) -> Result<MontVar, SynthesisError> {
    let table = &*B8_TABLE;
    if bits.len().div_ceil(2) != B8_WINDOWS {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut windows = bits.chunks(2);
    let Some(first) = windows.next() else {
        return Err(SynthesisError::Unsatisfiable);
    };
    let mut acc = select(first, &table.first)?;
    for (chunk, entries) in windows.zip(&table.windows) {
        acc = acc.add(&select(chunk, entries)?)?;
    }
    Ok(acc)
}

/// `T + 2k·Q` for the integer `k` with little-endian `bits` and a point `Q` of the form `4·A`
/// (torsion component of order at most 2, and not itself of order ≤ 2 — a doubling of such a
/// point is unsatisfiable).
///
/// Signed digits: bit `bᵢ` adds `(2bᵢ − 1)·2ⁱ·Q`, so every step adds a point (1 constraint to
/// negate `v` conditionally, 3 to add, 4 to double `Q`: 8 per bit) and no selection is needed.
/// `Σ (2bᵢ − 1)·2ⁱ = 2k − 2ⁿ + 1`, so starting from `T − Q` and finishing with `+ 2ⁿ·Q`
/// leaves `T + 2k·Q`.
pub(crate) fn variable_base(q: &MontVar, bits: &[Boolean<Fr>]) -> Result<MontVar, SynthesisError> {
    let t = montgomery(offset());
    let neg_q = MontVar {
        u: q.u.clone(),
        v: q.v.negate()?,
    };
    let mut acc = MontVar::constant(t.0, t.1).add(&neg_q)?;
    let mut power = q.clone();
    for bit in bits {
        let sign = FpVar::from(bit.clone()).double()? - Fr::ONE;
        let v = FpVar::new_witness(power.v.cs(), || Ok(sign.value()? * power.v.value()?))?;
        sign.mul_equals(&power.v, &v)?;
        acc = acc.add(&MontVar {
            u: power.u.clone(),
            v,
        })?;
        power = power.double()?;
    }
    acc.add(&power)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::babyjubjub::r1cs::PointVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_relations::gr1cs::ConstraintSystem;
    use num_bigint::BigUint;
    use rand::{Rng, SeedableRng};

    fn bits_of(
        cs: &ark_relations::gr1cs::ConstraintSystemRef<Fr>,
        k: &BigUint,
        n: u64,
    ) -> Vec<Boolean<Fr>> {
        (0..n)
            .map(|i| Boolean::new_witness(cs.clone(), || Ok(k.bit(i))).expect("witness"))
            .collect()
    }

    #[test]
    fn fixed_base_matches_native() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        for k in [
            BigUint::from(0u8),
            BigUint::from(1u8),
            subgroup_order() - 1u8,
            BigUint::from(rng.r#gen::<u128>()) << 120u32,
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let bits = bits_of(&cs, &k, 251);
            let got = fixed_base_b8(&bits).expect("synthesis");
            let want = montgomery(offset().add(&base8().mul(&k)));
            got.u.enforce_equal(&FpVar::constant(want.0)).expect("eq");
            got.v.enforce_equal(&FpVar::constant(want.1)).expect("eq");
            assert!(cs.is_satisfied().expect("satisfiable"), "k = {k}");
        }
    }

    #[test]
    fn variable_base_matches_native_for_mixed_torsion_points() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        // A point outside the subgroup: its 4·A has a torsion component of order 2.
        let a = generator().mul(&BigUint::from(rng.r#gen::<u64>() | 1));
        for k in [
            BigUint::from(0u8),
            BigUint::from(1u8),
            BigUint::from(rng.r#gen::<u128>()) << 126u32,
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let av = PointVar::new_witness(cs.clone(), || Ok(a)).expect("alloc");
            let q = MontVar::from_edwards(&av)
                .expect("mont")
                .double()
                .expect("dbl")
                .double()
                .expect("dbl");
            let bits = bits_of(&cs, &k, 254);
            let got = variable_base(&q, &bits).expect("synthesis");
            let want = montgomery(offset().add(&a.mul(&(k.clone() * 8u8))));
            got.u.enforce_equal(&FpVar::constant(want.0)).expect("eq");
            got.v.enforce_equal(&FpVar::constant(want.1)).expect("eq");
            assert!(cs.is_satisfied().expect("satisfiable"), "k = {k}");
        }
    }
}
