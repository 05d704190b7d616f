//! KZG parameters from a snarkjs Powers of Tau file (the same ceremony as Groth16's phase 1).
//!
//! halo2's KZG needs `[τ^i]G1` for `i < 2^k`, `G2` and `[τ]G2`, plus the same `2^k` points in
//! the Lagrange basis of halo2's evaluation domain, which halo2 computes with an inverse FFT
//! over G1 (`g_to_lagrange`). The `.ptau` is first checked with [`Ptau::check`], so a file
//! whose powers are not one geometric sequence is refused before any parameter is built.

use std::io::{Read, Seek};

use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use halo2_proofs::halo2curves::CurveAffine;
use halo2_proofs::halo2curves::bn256::{Bn256, Fq, Fq2, G1Affine, G2Affine};
use halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_proofs::poly::kzg::commitment::ParamsKZG;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::{KzgParams, MAX_K};
use crate::{CircomError, ProverError, Ptau};

fn fq(x: &ark_bn254::Fq) -> Option<Fq> {
    let bytes: [u8; 32] = x.into_bigint().to_bytes_le().try_into().ok()?;
    Option::from(Fq::from_bytes(&bytes))
}

fn invalid(what: &str) -> ProverError {
    CircomError::PtauInconsistent {
        what: format!("{what} does not convert to a halo2 curve point"),
    }
    .into()
}

fn g1(p: &ark_bn254::G1Affine) -> Result<G1Affine, ProverError> {
    let Some((x, y)) = p.xy() else {
        return Ok(G1Affine::identity());
    };
    fq(&x)
        .zip(fq(&y))
        .and_then(|(x, y)| Option::from(G1Affine::from_xy(x, y)))
        .ok_or_else(|| invalid("a tauG1 point"))
}

fn g2(p: &ark_bn254::G2Affine) -> Result<G2Affine, ProverError> {
    let fq2 = |f: ark_bn254::Fq2| Some(Fq2::new(fq(&f.c0)?, fq(&f.c1)?));
    p.xy()
        .and_then(|(x, y)| fq2(x).zip(fq2(y)))
        .and_then(|(x, y)| Option::from(G2Affine::from_xy(x, y)))
        .ok_or_else(|| invalid("tauG2[1]"))
}

/// KZG parameters for circuits of `2^k` rows from `ptau` (power at least `k`), after
/// checking the file's powers ([`Ptau::check`]; errors name the relation that fails).
pub fn params_from_ptau<R: Read + Seek>(
    ptau: &mut Ptau<R>,
    k: u32,
) -> Result<KzgParams, ProverError> {
    if k == 0 || k > MAX_K {
        return Err(ProverError::InvalidParamsSize { k });
    }
    let n = 1usize << k;
    ptau.check(n)?;
    let g = {
        use rayon::prelude::*;
        ptau.tau_g1(n)?
            .par_iter()
            .map(g1)
            .collect::<Result<Vec<_>, _>>()?
    };
    let tau_g2 = ptau.tau_g2(2)?;
    let s_g2 = g2(&tau_g2[1])?;
    // `from_parts` takes `&self` without reading it: a 2-point placeholder stands in.
    let placeholder = ParamsKZG::<Bn256>::setup(1, ChaCha20Rng::seed_from_u64(0));
    let inner = placeholder.from_parts(k, g, None, G2Affine::generator(), s_g2);
    Ok(KzgParams { inner })
}
