//! The EdDSA-Poseidon verifier in halo2 (circomlib `EdDSAPoseidonVerifier`, always
//! enabled): it accepts exactly what [`crate::eddsa::verify_poseidon`] and the R1CS gadget
//! [`crate::eddsa::r1cs::verify_poseidon`] accept.
//!
//! | check | how |
//! |---|---|
//! | `A`, `R8` on the curve | three arithmetic rows each |
//! | `S < l` | the fixed-base ladder's 251 bits, bounded by `l − 1` |
//! | `h = Poseidon(R8.x, R8.y, A.x, A.y, msg)` | one width-6 permutation |
//! | `h` read as an integer below `p` | the variable-base ladder's 254 bits, bounded by `p − 1` |
//! | `A` not of small order | `8·A` by a variable-base ladder over the constant 8, `(8·A).x ≠ 0` |
//! | `R8` not of small order | `R8.x ≠ 0` |
//! | `S·B8 = R8 + h·(8·A)` | as `−R8 + S·B8 = h·(8·A)`: the fixed-base ladder starts at `−R8 = (−R8.x, R8.y)`; the coordinates of both sides copy-constrained equal |
//!
//! Cofactor handling, as in the R1CS gadget: `8·A` lies in the prime-order subgroup, where
//! `x = 0` only at the identity, so `(8·A).x ≠ 0` is exactly "A is not of small order". The
//! equation puts `R8 = S·B8 − h·8A` in the subgroup too, where the only point with `x = 0` is
//! the identity, so `R8.x ≠ 0` is exactly "R8 is not of small order". The curve's addition
//! law is complete, so moving `R8` to the other side is an equivalence for points on it.

use ark_ff::PrimeField as _;
use halo2_proofs::circuit::Layouter;
use halo2_proofs::halo2curves::ff::Field as _;
use halo2_proofs::plonk::Error;
use num_bigint::BigUint;

use super::Fp;
use super::curve::PointCells;
use super::gadgets::{Gadgets, Var};
use crate::Fr;
use crate::babyjubjub::subgroup_order;

/// A signature in the circuit: the nonce point `R8` and the scalar `S`.
#[derive(Debug, Clone, Copy)]
pub struct SignatureCells {
    /// The nonce point.
    pub r8: PointCells,
    /// The response scalar.
    pub s: Var,
}

impl Gadgets {
    /// Enforces that `signature` is a valid, canonical EdDSA-Poseidon signature of `msg`
    /// under `public_key` (see the module docs). Needs a [`Gadgets::configure_with_curve`]
    /// configuration; otherwise [`Error::Synthesis`].
    pub fn verify_eddsa(
        &self,
        layouter: &mut impl Layouter<Fp>,
        public_key: &PointCells,
        msg: &Var,
        signature: &SignatureCells,
    ) -> Result<(), Error> {
        let r8 = &signature.r8;
        self.assert_on_curve(layouter, public_key)?;
        self.assert_on_curve(layouter, r8)?;
        self.assert_nonzero(layouter, &r8.x)?;

        let z = Fp::ZERO;
        let neg_r8 = PointCells {
            x: self.combine(layouter, [Some(&r8.x), None, None], [-Fp::ONE, z, z, z, z])?,
            y: r8.y,
        };
        let lhs =
            self.fixed_base_mul_add(layouter, &neg_r8, &signature.s, &(subgroup_order() - 1u32))?;

        let h = self.poseidon(layouter, &[r8.x, r8.y, public_key.x, public_key.y, *msg])?;
        let eight = self.constant(layouter, Fp::from(8u64))?;
        let a8 = self.variable_base_mul(layouter, public_key, &eight, &BigUint::from(8u32))?;
        self.assert_nonzero(layouter, &a8.x)?;
        let field_max = BigUint::from(Fr::MODULUS) - 1u32;
        let h_a8 = self.variable_base_mul(layouter, &a8, &h, &field_max)?;

        self.assert_equal(layouter, &lhs.x, &h_a8.x)?;
        self.assert_equal(layouter, &lhs.y, &h_a8.y)
    }
}
