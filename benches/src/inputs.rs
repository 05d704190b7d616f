//! Seeded MSM inputs, and their conversion into halo2curves' bn256 types.

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{PrimeField, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

/// Bases and scalars for one MSM.
#[derive(Debug, Clone)]
pub struct MsmInputs<C: SWCurveConfig> {
    /// Affine bases.
    pub bases: Vec<Affine<C>>,
    /// One scalar per base.
    pub scalars: Vec<Fr>,
}

/// `n` distinct-looking curve points from `seed`: per chunk of 1024, a random multiple of the
/// generator followed by a walk adding 16 random steps in turn (one addition per point, so
/// 2^18 bases take a fraction of a second, unlike 2^18 scalar multiplications).
pub fn random_bases<C: SWCurveConfig<ScalarField = Fr>>(n: usize, seed: u64) -> Vec<Affine<C>> {
    let chunks: Vec<Vec<Projective<C>>> = (0..n.div_ceil(1024))
        .into_par_iter()
        .map(|chunk| {
            let mut rng = ChaCha20Rng::seed_from_u64(seed ^ (chunk as u64) << 20);
            let g = Projective::<C>::generator();
            let steps: Vec<Projective<C>> = (0..16).map(|_| g * Fr::rand(&mut rng)).collect();
            let mut p = g * Fr::rand(&mut rng);
            let len = (n - chunk * 1024).min(1024);
            (0..len)
                .map(|i| {
                    p += steps[i % 16];
                    p
                })
                .collect()
        })
        .collect();
    Projective::normalize_batch(&chunks.concat())
}

/// `n` uniform scalars from `seed`.
pub fn random_scalars(n: usize, seed: u64) -> Vec<Fr> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

/// The same G1 points as halo2curves `bn256::G1Affine`s (coordinates copied limb for limb).
pub fn halo2_g1_bases(bases: &[ark_bn254::G1Affine]) -> Vec<halo2curves::bn256::G1Affine> {
    use halo2curves::bn256::{Fq, G1Affine};
    use halo2curves::group::prime::PrimeCurveAffine;
    bases
        .par_iter()
        .map(|p| match p.xy() {
            Some((x, y)) => G1Affine {
                x: Fq::from_raw(x.into_bigint().0),
                y: Fq::from_raw(y.into_bigint().0),
            },
            None => G1Affine::identity(),
        })
        .collect()
}

/// The same scalars as halo2curves `bn256::Fr`s.
pub fn halo2_scalars(scalars: &[Fr]) -> Vec<halo2curves::bn256::Fr> {
    scalars
        .par_iter()
        .map(|k| halo2curves::bn256::Fr::from_raw(k.into_bigint().0))
        .collect()
}
