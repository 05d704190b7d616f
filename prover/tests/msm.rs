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
