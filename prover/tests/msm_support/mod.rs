//! The test suite every [`MsmEngine`] must pass, as generic checks against a naive
//! double-and-add sum. `tests/msm.rs` instantiates it for each engine.

use ark_bn254::{Fr, g1, g2};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{AdditiveGroup, BigInteger, PrimeField, UniformRand, Zero};

use bulwark_prover::msm::{Bn254MsmEngine, MsmEngine, MsmError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// Odd and boundary sizes: empty, single, a few, and sizes that leave partial chunks.
pub const SIZES: [usize; 6] = [0, 1, 3, 17, 1001, 4099];

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// `Σ kᵢ·Pᵢ` by plain double-and-add, independent of any MSM code.
pub fn naive<C: SWCurveConfig>(bases: &[Affine<C>], scalars: &[C::ScalarField]) -> Projective<C> {
    let mut total = Projective::<C>::zero();
    for (base, k) in bases.iter().zip(scalars) {
        let bits = k.into_bigint().to_bits_be();
        let mut acc = Projective::<C>::zero();
        for bit in bits {
            acc.double_in_place();
            if bit {
                acc += base;
            }
        }
        total += acc;
    }
    total
}

fn random_points<C: SWCurveConfig>(n: usize, seed: u64) -> Vec<Affine<C>> {
    let mut r = rng(seed);
    // Random multiples of the generator: cheap, uniformly spread, and all in the subgroup.
    let g = Projective::<C>::generator();
    let points: Vec<Projective<C>> = (0..n).map(|_| g * C::ScalarField::rand(&mut r)).collect();
    Projective::normalize_batch(&points)
}

fn random_scalars(n: usize, seed: u64) -> Vec<Fr> {
    let mut r = rng(seed);
    (0..n).map(|_| Fr::rand(&mut r)).collect()
}

fn assert_msm<C, E>(engine: &E, bases: &[Affine<C>], scalars: &[Fr], what: &str)
where
    C: SWCurveConfig<ScalarField = Fr>,
    E: MsmEngine<C>,
{
    let prepared = engine.prepare(bases.to_vec());
    assert_eq!(engine.len(&prepared), bases.len());
    let got = engine.msm(&prepared, scalars).expect("lengths match");
    assert_eq!(
        got.into_affine(),
        naive(bases, scalars).into_affine(),
        "{what}, n = {}",
        bases.len()
    );
}

/// Random bases and scalars of every size in [`SIZES`], G1 and G2.
pub fn random_inputs<E: Bn254MsmEngine>(engine: &E) {
    for (i, &n) in SIZES.iter().enumerate() {
        let seed = 100 + i as u64;
        let scalars = random_scalars(n, seed);
        assert_msm(
            engine,
            &random_points::<g1::Config>(n, seed),
            &scalars,
            "G1 random",
        );
        assert_msm(
            engine,
            &random_points::<g2::Config>(n, seed),
            &scalars,
            "G2 random",
        );
    }
}

fn zero_scalars_case<C: SWCurveConfig<ScalarField = Fr>, E: MsmEngine<C>>(engine: &E) {
    let bases = random_points::<C>(17, 1);
    let mut scalars = random_scalars(17, 2);
    for k in scalars.iter_mut().step_by(2) {
        *k = Fr::zero();
    }
    assert_msm(engine, &bases, &scalars, "every other scalar zero");
    assert_msm(engine, &bases, &vec![Fr::zero(); 17], "all scalars zero");
}

/// Zero scalars (some and all) contribute nothing.
pub fn zero_scalars<E: Bn254MsmEngine>(engine: &E) {
    zero_scalars_case::<g1::Config, E>(engine);
    zero_scalars_case::<g2::Config, E>(engine);
}

fn identity_bases_case<C: SWCurveConfig<ScalarField = Fr>, E: MsmEngine<C>>(engine: &E) {
    let mut bases = random_points::<C>(1001, 3);
    for p in bases.iter_mut().step_by(7) {
        *p = Affine::<C>::zero();
    }
    assert_msm(
        engine,
        &bases,
        &random_scalars(1001, 4),
        "identity among bases",
    );
    assert_msm(
        engine,
        &[Affine::<C>::zero(); 3],
        &random_scalars(3, 5),
        "all bases identity",
    );
}

/// The point at infinity among the bases contributes nothing.
pub fn identity_bases<E: Bn254MsmEngine>(engine: &E) {
    identity_bases_case::<g1::Config, E>(engine);
    identity_bases_case::<g2::Config, E>(engine);
}

fn duplicate_bases_case<C: SWCurveConfig<ScalarField = Fr>, E: MsmEngine<C>>(engine: &E) {
    let p = random_points::<C>(1, 6)[0];
    let n = 4099;
    // One base everywhere with random scalars; then with one scalar (equal bucket every window,
    // so buckets add a point to itself: the doubling case).
    // Σ kᵢ·P = (Σ kᵢ)·P keeps the naive reference cheap for n = 4099.
    for (what, scalars) in [
        ("one base, random scalars", random_scalars(n, 7)),
        ("one base, one scalar", vec![random_scalars(1, 8)[0]; n]),
    ] {
        let prepared = engine.prepare(vec![p; n]);
        let got = engine.msm(&prepared, &scalars).expect("lengths match");
        let sum: Fr = scalars.iter().sum();
        assert_eq!(got, naive(&[p], &[sum]), "{what}");
    }
    let k = random_scalars(1, 8)[0];
    // P and −P with equal scalars cancel (the P + (−P) = identity case), plus k and −k on P.
    let bases = [p, -p, p, p, -p];
    let scalars = [k, k, k, -k, Fr::from(3u64)];
    assert_msm(engine, &bases, &scalars, "cancelling terms");
    // A few bases repeated in random order.
    let few = random_points::<C>(5, 9);
    let bases: Vec<_> = (0..1001).map(|i| few[(i * 7 + i / 3) % 5]).collect();
    assert_msm(
        engine,
        &bases,
        &random_scalars(1001, 10),
        "five bases repeated",
    );
}

/// Repeated bases, equal scalars, and terms that cancel exactly.
pub fn duplicate_bases<E: Bn254MsmEngine>(engine: &E) {
    duplicate_bases_case::<g1::Config, E>(engine);
    duplicate_bases_case::<g2::Config, E>(engine);
}

fn max_scalars_case<C: SWCurveConfig<ScalarField = Fr>, E: MsmEngine<C>>(engine: &E) {
    let minus_one = -Fr::from(1u64);
    let bases = random_points::<C>(17, 11);
    assert_msm(engine, &bases, &vec![minus_one; 17], "scalars r − 1");
    let mut mixed = random_scalars(17, 12);
    mixed[0] = minus_one;
    mixed[16] = minus_one - Fr::from(1u64);
    assert_msm(
        engine,
        &bases,
        &mixed,
        "r − 1 and r − 2 among random scalars",
    );
    // (r − 1)·P = −P.
    let got = engine
        .msm(&engine.prepare(vec![bases[0]]), &[minus_one])
        .expect("lengths match");
    assert_eq!(got, -bases[0].into_group());
}

/// Scalars at the top of the field, `r − 1` (all windows carry).
pub fn max_scalars<E: Bn254MsmEngine>(engine: &E) {
    max_scalars_case::<g1::Config, E>(engine);
    max_scalars_case::<g2::Config, E>(engine);
}

fn binary_scalars_case<C: SWCurveConfig<ScalarField = Fr>, E: MsmEngine<C>>(engine: &E) {
    let n = 4099;
    let bases = random_points::<C>(n, 20);
    let bits = random_scalars(n, 21);
    let scalars: Vec<Fr> = bits
        .iter()
        .map(|k| Fr::from(k.into_bigint().0[0] & 1))
        .collect();
    assert_msm(engine, &bases, &scalars, "scalars 0 and 1");
}

/// Scalars 0 and 1: about half the points land in one bucket of the lowest window, every other
/// window is empty.
pub fn binary_scalars<E: Bn254MsmEngine>(engine: &E) {
    binary_scalars_case::<g1::Config, E>(engine);
    binary_scalars_case::<g2::Config, E>(engine);
}

fn reuse_case<C: SWCurveConfig<ScalarField = Fr>, E: MsmEngine<C>>(engine: &E) {
    let bases = random_points::<C>(1001, 13);
    let prepared = engine.prepare(bases.clone());
    for seed in [14, 15] {
        let scalars = random_scalars(1001, seed);
        let got = engine.msm(&prepared, &scalars).expect("lengths match");
        assert_eq!(
            got,
            naive(&bases, &scalars),
            "prepared bases reused, seed {seed}"
        );
    }
    let scalars = random_scalars(17, 16);
    let got = engine
        .msm_unprepared(&bases[..17], &scalars)
        .expect("lengths match");
    assert_eq!(got, naive(&bases[..17], &scalars), "msm_unprepared");
}

/// Prepared bases serve several scalar vectors; the one-off path agrees.
pub fn prepared_bases_reused<E: Bn254MsmEngine>(engine: &E) {
    reuse_case::<g1::Config, E>(engine);
    reuse_case::<g2::Config, E>(engine);
}

fn mismatch_case<C: SWCurveConfig<ScalarField = Fr>, E: MsmEngine<C>>(engine: &E) {
    let bases = random_points::<C>(3, 17);
    let prepared = engine.prepare(bases.clone());
    let expected = MsmError::LengthMismatch {
        bases: 3,
        scalars: 4,
    };
    assert_eq!(
        engine.msm(&prepared, &random_scalars(4, 18)),
        Err(expected.clone())
    );
    assert_eq!(
        engine.msm_unprepared(&bases, &random_scalars(4, 18)),
        Err(expected)
    );
    let short = engine.msm(&prepared, &random_scalars(2, 19));
    assert_eq!(
        short,
        Err(MsmError::LengthMismatch {
            bases: 3,
            scalars: 2
        })
    );
    let message = short.map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(
        message,
        Err("MSM length mismatch: 3 bases but 2 scalars".to_owned())
    );
}

/// Mismatched lengths are a typed error naming both lengths, never a panic or a truncation.
pub fn length_mismatch<E: Bn254MsmEngine>(engine: &E) {
    mismatch_case::<g1::Config, E>(engine);
    mismatch_case::<g2::Config, E>(engine);
}
