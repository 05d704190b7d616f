//! Every MSM engine against the shared suite in `msm_support`.

mod msm_support;

use bulwark_prover::msm::{ArkworksMsm, Pippenger};

/// Instantiates every check of the shared suite for one engine, as a module of `#[test]`s.
macro_rules! msm_suite {
    ($name:ident, $engine:expr) => {
        mod $name {
            use super::*;

            #[test]
            fn random_inputs() {
                msm_support::random_inputs(&$engine);
            }
            #[test]
            fn zero_scalars() {
                msm_support::zero_scalars(&$engine);
            }
            #[test]
            fn identity_bases() {
                msm_support::identity_bases(&$engine);
            }
            #[test]
            fn duplicate_bases() {
                msm_support::duplicate_bases(&$engine);
            }
            #[test]
            fn max_scalars() {
                msm_support::max_scalars(&$engine);
            }
            #[test]
            fn prepared_bases_reused() {
                msm_support::prepared_bases_reused(&$engine);
            }
            #[test]
            fn length_mismatch() {
                msm_support::length_mismatch(&$engine);
            }
        }
    };
}

msm_suite!(arkworks, ArkworksMsm);
msm_suite!(pippenger, Pippenger::new());
msm_suite!(
    pippenger_precomputed,
    Pippenger::new().with_precomputation(true)
);
// Narrow windows: few buckets, so long batch-affine groups, doublings and cancellations.
msm_suite!(pippenger_c1, Pippenger::new().with_window_bits(1));
msm_suite!(pippenger_c4, Pippenger::new().with_window_bits(4));
msm_suite!(
    pippenger_c4_precomputed,
    Pippenger::new()
        .with_window_bits(4)
        .with_precomputation(true)
);
msm_suite!(pippenger_c17, Pippenger::new().with_window_bits(17));
// GLV split on G1 (G2 ignores it): halves of about 128 bits, signs moved onto the points.
msm_suite!(pippenger_glv, Pippenger::new().with_glv(true));
msm_suite!(
    pippenger_glv_c4,
    Pippenger::new().with_glv(true).with_window_bits(4)
);

/// GLV edge scalars: `λ` (k₁ = 0), its neighbours, `−λ`, `λ²`, `r − 1`, `2^128`, against the
/// naive sum, with and without the split.
#[test]
fn glv_edge_scalars() {
    use ark_bn254::{Fr, G1Projective, g1};
    use ark_ec::scalar_mul::glv::GLVConfig;
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::Field;
    use bulwark_prover::msm::MsmEngine;

    let lambda = <g1::Config as GLVConfig>::LAMBDA;
    let one = Fr::from(1u64);
    let scalars = [
        lambda,
        lambda + one,
        lambda - one,
        -lambda,
        lambda.square(),
        -one,
        -one - one,
        Fr::from(2u64).pow([128u64]),
        Fr::from(0u64),
        one,
    ];
    let g = G1Projective::generator();
    let bases: Vec<_> = (1..=scalars.len() as u64)
        .map(|i| (g * Fr::from(i * 7919)).into_affine())
        .collect();
    let expected = msm_support::naive(&bases, &scalars);
    for engine in [Pippenger::new().with_glv(true), Pippenger::new()] {
        let got = engine
            .msm_unprepared(&bases, &scalars)
            .expect("lengths match");
        assert_eq!(got, expected, "{engine:?}");
        for (p, k) in bases.iter().zip(&scalars) {
            let got = engine.msm_unprepared(&[*p], &[*k]).expect("lengths match");
            assert_eq!(got, *p * k, "{engine:?}, k = {k}");
        }
    }
}
