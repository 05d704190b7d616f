//! The EdDSA-Poseidon verifier as R1CS (circomlib `EdDSAPoseidonVerifier`, always enabled).
//!
//! Constraint budget (measured by `eddsa_r1cs::verifier_constraint_count`): circomlib's
//! verifier takes 4,217 at `--O2`. Where ours go, per the helper docs:
//!
//! | part | constraints |
//! |---|---|
//! | `A`, `R8` on the curve; `R8 ≠ O` | 3 + 3 + 1 |
//! | `S` into 251 bits, `S ≤ l − 1` | 252 + ≈250 |
//! | `h = Poseidon(R8, A, M)` | the Poseidon gadget |
//! | `h` into 254 bits, `h ≤ p − 1` (no aliasing) | 255 + ≈253 |
//! | `A` to Montgomery with `x ≠ 0`, `4·A` | 3 + 8 |
//! | `T + 8h·A`, signed-digit ladder | 8 per bit + 6 |
//! | `T + S·B8`, 2-bit fixed windows | ≈2 per bit |
//! | both back to Edwards, `R8 + (T + 8h·A) = T + S·B8` | 2 + 2 + 6 |
//! | **total measured** (Poseidon with 5 inputs ≈ 321 of it) | **3,897** |
//!
//! `A` not of small order: `x_A ≠ 0` excludes the identity and the point of order 2, and the
//! two doublings to `4·A` followed by the ladder's doubling to `8·A` are unsatisfiable when
//! any of `A`, `2A`, `4A` has order 2 — exactly the small-order cases. `R8 ≠ O` together with
//! the equation (which puts `R8` in the prime-order subgroup) rules out small-order `R8`, so
//! the gadget accepts exactly what [`super::verify_poseidon`] accepts.

use ark_ff::PrimeField;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;
use num_bigint::BigUint;

use crate::Fr;
use crate::babyjubjub::r1cs::bits::{enforce_le_constant, to_bits_le};
use crate::babyjubjub::r1cs::scalar_mul::{fixed_base_b8, variable_base};
use crate::babyjubjub::r1cs::{MontVar, PointVar, enforce_nonzero};
use crate::babyjubjub::{SUBGROUP_ORDER_BITS, subgroup_order};

/// A signature inside a constraint system.
#[derive(Clone, Debug)]
pub struct SignatureVar {
    /// The nonce point `R8`.
    pub r8: PointVar,
    /// The scalar `S`.
    pub s: FpVar<Fr>,
}

/// Enforces that `signature` is a valid, canonical EdDSA-Poseidon signature of `msg` under
/// `public_key`: both points on the curve, `A` not of small order, `R8 ≠ O`, `S < l`, and
/// `S·B8 = R8 + 8·Poseidon(R8.x, R8.y, A.x, A.y, msg)·A`.
pub fn verify_poseidon(
    public_key: &PointVar,
    msg: &FpVar<Fr>,
    signature: &SignatureVar,
) -> Result<(), SynthesisError> {
    let r8 = &signature.r8;
    public_key.enforce_on_curve()?;
    r8.enforce_on_curve()?;
    enforce_nonzero(&r8.x)?;

    let s_bits = to_bits_le(&signature.s, SUBGROUP_ORDER_BITS)?;
    enforce_le_constant(&s_bits, &(subgroup_order() - 1u32))?;

    let h = crate::poseidon::r1cs::hash(&[
        r8.x.clone(),
        r8.y.clone(),
        public_key.x.clone(),
        public_key.y.clone(),
        msg.clone(),
    ])?;
    let h_bits = to_bits_le(&h, Fr::MODULUS_BIT_SIZE as usize)?;
    enforce_le_constant(&h_bits, &(BigUint::from(Fr::MODULUS) - 1u32))?;

    let a4 = MontVar::from_edwards(public_key)?.double()?.double()?;
    let right = variable_base(&a4, &h_bits)?.to_edwards()?;
    let left = fixed_base_b8(&s_bits)?.to_edwards()?;
    r8.enforce_sum(&right, &left)
}
