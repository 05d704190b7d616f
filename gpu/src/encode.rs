//! Host-side layouts shared with the kernels: field elements as 8 little-endian u32 words of
//! their ark-ff Montgomery form, affine points as 16 words (identity = all zero), XYZZ points as
//! 32 words, scalars as 8 words of their canonical integer.

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, Field, PrimeField, Zero};

use crate::GpuError;

/// Words per affine point in storage.
pub(crate) const AFFINE_WORDS: usize = 16;
/// Words per XYZZ point in storage.
pub(crate) const XYZZ_WORDS: usize = 32;
/// Words per scalar in storage.
pub(crate) const SCALAR_WORDS: usize = 8;

fn push_bigint(out: &mut Vec<u32>, x: &BigInt<4>) {
    for limb in x.0 {
        out.push(limb as u32);
        out.push((limb >> 32) as u32);
    }
}

/// Appends a base field element (Montgomery form, as the kernels compute in).
pub(crate) fn push_fq(out: &mut Vec<u32>, x: &Fq) {
    push_bigint(out, &x.0);
}

/// Appends an affine point; the identity is encoded as (0, 0), which is not on the curve.
pub(crate) fn push_affine(out: &mut Vec<u32>, p: &G1Affine) {
    match p.xy() {
        Some((x, y)) => {
            push_fq(out, &x);
            push_fq(out, &y);
        }
        None => out.extend_from_slice(&[0; AFFINE_WORDS]),
    }
}

/// Appends a scalar as its canonical integer (the digit decomposition needs the plain bits).
pub(crate) fn push_scalar(out: &mut Vec<u32>, s: &Fr) {
    push_bigint(out, &s.into_bigint());
}

/// Reads a base field element, rejecting a non-canonical one.
pub(crate) fn read_fq(words: &[u32]) -> Result<Fq, GpuError> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        *limb = u64::from(words[2 * i]) | (u64::from(words[2 * i + 1]) << 32);
    }
    let x = BigInt(limbs);
    if x >= Fq::MODULUS {
        return Err(GpuError::Corrupt("field element"));
    }
    Ok(Fq::new_unchecked(x))
}

/// Reads an XYZZ point (x = X/ZZ, y = Y/ZZZ) as a Jacobian point (X ZZ^2, Y ZZZ^2, ZZZ), and
/// checks that it lies on the curve.
pub(crate) fn read_xyzz(words: &[u32]) -> Result<G1Projective, GpuError> {
    let x = read_fq(&words[0..8])?;
    let y = read_fq(&words[8..16])?;
    let zz = read_fq(&words[16..24])?;
    let zzz = read_fq(&words[24..32])?;
    if zz.is_zero() {
        return Ok(G1Projective::zero());
    }
    let p = G1Projective::new_unchecked(x * zz.square(), y * zzz.square(), zzz);
    if zzz.square() != zz.square() * zz || !G1Affine::from(p).is_on_curve() {
        return Err(GpuError::Corrupt("curve point"));
    }
    Ok(p)
}
