//! The GLV endomorphism of BN254's G1 (Gallant–Lambert–Vanstone, CRYPTO 2001).
//!
//! `φ(x, y) = (βx, y)` with `β³ = 1` in Fq acts on G1 as multiplication by `λ` (`λ² + λ + 1 = 0`
//! mod r). Every scalar splits as `k ≡ k₁ + λ·k₂ (mod r)` with `|k₁|, |k₂| ≲ 2^128`, so an MSM of
//! `n` 254-bit terms becomes one of `2n` terms of about 128 bits: the same number of bucket
//! additions, but half the windows, so half the bucket running sums and doublings.
//!
//! The split is Babai rounding against the short lattice basis `v₁ = (−A, c)`, `v₂ = (−c, −B)`
//! (arkworks' `GLVConfig::SCALAR_DECOMP_COEFFS`, with `AB + c² = r`): `u₁ ≈ kB/r` and
//! `u₂ ≈ kc/r` from precomputed `⌊2^256·B/r⌋`, `⌊2^256·c/r⌋` (Barrett-style, off by at most one,
//! which costs at most a bit of size), then `k₂ = u₁c − u₂B` and `k₁ = k − λk₂`, both in Fr, so
//! `k₁ + λk₂ = k` holds exactly whatever the rounding; MSMs size their windows by the largest
//! half actually produced.

use ark_bn254::{Fq, Fr, g1, g2};
use ark_ec::AffineRepr;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::Affine;
use ark_ff::{BigInt, BigInteger, Field, PrimeField};

/// `⌊2^256·B/r⌋`, little-endian limbs.
const G_B: [u64; 3] = [0x5398_fd03_00ff_6565, 0x4cce_f014_a773_d2d2, 0x2];
/// `⌊2^256·c/r⌋`.
const G_C: [u64; 2] = [0xd91d_232e_c7e0_b3d7, 0x2];
/// `B = 147946756881789319010696353538189108491`.
const B: [u64; 2] = [0x0be4_e154_1221_250b, 0x6f4d_8248_eeb8_59fd];
/// `c = 9931322734385697763`.
const C: u64 = 0x89d3_2568_94d2_13e3;

/// `⌊k·g / 2^256⌋` for `k < 2^256` and `g < 2^192`: below `2^192`, returned as its low 128 bits
/// (the quotients here are below `2^128` because `B, c < 2^128`).
fn mul_shift_256(k: &[u64; 4], g: &[u64]) -> u128 {
    let mut wide = [0u64; 8];
    for (i, &ki) in k.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &gj) in g.iter().enumerate() {
            let t = u128::from(ki) * u128::from(gj) + u128::from(wide[i + j]) + carry;
            wide[i + j] = t as u64;
            carry = t >> 64;
        }
        let mut idx = i + g.len();
        while carry != 0 && idx < wide.len() {
            let t = u128::from(wide[idx]) + carry;
            wide[idx] = t as u64;
            carry = t >> 64;
            idx += 1;
        }
    }
    u128::from(wide[4]) | (u128::from(wide[5]) << 64)
}

fn fr_from_u128(v: u128) -> Fr {
    Fr::from(BigInt::<4>([v as u64, (v >> 64) as u64, 0, 0]))
}

/// `v` as a sign and a magnitude: the smaller of `v` and `r − v`.
fn signed(v: Fr) -> (bool, BigInt<4>) {
    let pos = v.into_bigint();
    let neg = (-v).into_bigint();
    if pos <= neg {
        (false, pos)
    } else {
        (true, neg)
    }
}

/// Splits `k` into `(negative₁, |k₁|), (negative₂, |k₂|)` with `k ≡ k₁ + λ·k₂ (mod r)`.
pub(crate) fn decompose(k: Fr) -> [(bool, BigInt<4>); 2] {
    let limbs = k.into_bigint().0;
    let u1 = fr_from_u128(mul_shift_256(&limbs, &G_B));
    let u2 = fr_from_u128(mul_shift_256(&limbs, &G_C));
    let b = fr_from_u128(u128::from(B[0]) | (u128::from(B[1]) << 64));
    let k2 = u1 * Fr::from(C) - u2 * b;
    let k1 = k - <g1::Config as GLVConfig>::LAMBDA * k2;
    [signed(k1), signed(k2)]
}

/// `φ(P) = (βx, y) = λ·P`.
pub(crate) fn endomorphism(p: &Affine<g1::Config>) -> Affine<g1::Config> {
    if p.is_zero() {
        *p
    } else {
        <g1::Config as GLVConfig>::endomorphism_affine(p)
    }
}

/// The cube root of unity `β′` in Fq for which `(x, y) ↦ (β′x, y)` is multiplication by G1's
/// `λ` on G2 too: arkworks' G2 map uses the same `β` as G1 but has eigenvalue `λ²`, so G2 takes
/// `β′ = β²`, whose eigenvalue is `λ⁴ = λ`.
pub(crate) fn g2_beta() -> Fq {
    let beta = <g1::Config as GLVConfig>::ENDO_COEFFS[0];
    beta.square()
}

/// `(β′x, y) = λ·P` on G2, with `beta` from [`g2_beta`].
pub(crate) fn g2_endomorphism(p: &Affine<g2::Config>, beta: &Fq) -> Affine<g2::Config> {
    if p.is_zero() {
        *p
    } else {
        let mut x = p.x;
        x.mul_assign_by_basefield(beta);
        Affine::new_unchecked(x, p.y)
    }
}

/// Bits of the largest magnitude among `halves`.
pub(crate) fn max_bits(halves: &[BigInt<4>]) -> u32 {
    halves.iter().map(BigInteger::num_bits).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use ark_bn254::{G1Projective, G2Projective};
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    use super::*;

    fn value((negative, magnitude): (bool, BigInt<4>)) -> Fr {
        let v = Fr::from(magnitude);
        if negative { -v } else { v }
    }

    fn edge_scalars() -> Vec<Fr> {
        let lambda = <g1::Config as GLVConfig>::LAMBDA;
        let two = Fr::from(2u64);
        let mut v = vec![
            Fr::from(0u64),
            Fr::from(1u64),
            -Fr::from(1u64),
            -Fr::from(2u64),
            lambda,
            lambda + Fr::from(1u64),
            lambda - Fr::from(1u64),
            -lambda,
            lambda.square(),
            two.pow([127u64]),
            two.pow([128u64]),
            two.pow([253u64]),
            -two.pow([128u64]),
        ];
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        v.extend((0..2000).map(|_| Fr::rand(&mut rng)));
        v
    }

    #[test]
    fn halves_recompose_and_are_short() {
        let lambda = <g1::Config as GLVConfig>::LAMBDA;
        for k in edge_scalars() {
            let [h1, h2] = decompose(k);
            assert_eq!(value(h1) + lambda * value(h2), k, "k = {k}");
            assert!(max_bits(&[h1.1, h2.1]) <= 129, "k = {k}: halves too long");
        }
    }

    #[test]
    fn endomorphism_is_multiplication_by_lambda() {
        let p = (G1Projective::generator() * Fr::from(12345u64)).into_affine();
        let lambda = <g1::Config as GLVConfig>::LAMBDA;
        assert_eq!(endomorphism(&p), (p * lambda).into_affine());
        assert!(endomorphism(&Affine::identity()).is_zero());
    }

    #[test]
    fn g2_endomorphism_is_multiplication_by_g1_lambda() {
        let lambda = <g1::Config as GLVConfig>::LAMBDA;
        let q = (G2Projective::generator() * Fr::from(6789u64)).into_affine();
        let beta = g2_beta();
        assert_eq!(g2_endomorphism(&q, &beta), (q * lambda).into_affine());
        assert!(g2_endomorphism(&Affine::identity(), &beta).is_zero());
    }

    #[test]
    fn quotient_constants_match_their_definition() {
        // ⌊2^256·B/r⌋·r ≤ 2^256·B < (⌊2^256·B/r⌋ + 1)·r, checked through k = r − 1:
        // (r−1)·B/r rounds down to B − 1.
        let r_minus_one = (-Fr::from(1u64)).into_bigint().0;
        let b = u128::from(B[0]) | (u128::from(B[1]) << 64);
        let q = mul_shift_256(&r_minus_one, &G_B);
        assert!(q == b - 1 || q == b - 2, "{q} vs {b}");
        let q = mul_shift_256(&r_minus_one, &G_C);
        assert!(q == u128::from(C) - 1 || q == u128::from(C) - 2);
    }
}
