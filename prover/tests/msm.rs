//! Every MSM engine against the shared suite in `msm_support`.

#[cfg(feature = "gpu")]
#[allow(dead_code)]
#[path = "groth16/circuits.rs"]
mod circuits;
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
            fn binary_scalars() {
                msm_support::binary_scalars(&$engine);
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
// GLV split on G1 and G2: halves of about 128 bits, signs moved onto the points.
msm_suite!(pippenger_glv, Pippenger::new().with_glv(true));
msm_suite!(
    pippenger_glv_c4,
    Pippenger::new().with_glv(true).with_window_bits(4)
);
// Scalar field products for every bucket addition even where the CPU has AVX-512 IFMA (the
// suites above run G1's bucket additions in IFMA lanes on such CPUs).
msm_suite!(pippenger_scalar, Pippenger::new().with_ifma(false));
msm_suite!(
    pippenger_scalar_c4_precomputed,
    Pippenger::new()
        .with_ifma(false)
        .with_window_bits(4)
        .with_precomputation(true)
);
// arkworks' portable field products even where the CPU has MULX/ADX (the suites above use the
// fast products on such CPUs).
msm_suite!(
    pippenger_portable,
    Pippenger::new().with_portable_field(true)
);
msm_suite!(
    pippenger_portable_c4_precomputed,
    Pippenger::new()
        .with_portable_field(true)
        .with_window_bits(4)
        .with_precomputation(true)
);
msm_suite!(
    pippenger_portable_glv,
    Pippenger::new().with_portable_field(true).with_glv(true)
);

/// GLV edge scalars: `λ` (k₁ = 0), its neighbours, `−λ`, `λ²`, `r − 1`, `2^128`, against the
/// naive sum, with and without the split, on G1 and G2 (both split by G1's `λ`).
#[test]
fn glv_edge_scalars() {
    glv_edge_case::<ark_bn254::g1::Config>();
    glv_edge_case::<ark_bn254::g2::Config>();
}

fn glv_edge_case<C: bulwark_prover::msm::PippengerCurve>() {
    use ark_bn254::{Fr, g1};
    use ark_ec::scalar_mul::glv::GLVConfig;
    use ark_ec::short_weierstrass::Projective;
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
    let g = Projective::<C>::generator();
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

/// The GPU engine (feature `gpu`): a shared engine (kernel compilation on lavapipe is slow)
/// with no size threshold, so every G1 MSM of the suite runs on the device. With `CI=true` a
/// missing adapter fails; elsewhere the suite runs on the CPU fallback with a note.
#[cfg(feature = "gpu")]
mod gpu_engine {
    use std::sync::OnceLock;

    use ark_bn254::{Fr, G1Affine, G1Projective, g1};
    use ark_ec::{CurveGroup, PrimeGroup};
    use bulwark_prover::msm::{GpuConfig, GpuError, GpuMsm, MsmEngine, Pippenger, ResidentCache};
    use bulwark_prover::{ProvingKey, dev_setup_insecure};

    use crate::circuits::{Demo, rng};

    use super::msm_support;

    /// Environment variable marking the child process of [`no_adapter_falls_back_to_cpu`].
    const NO_ADAPTER_CHILD: &str = "BULWARK_TEST_NO_ADAPTER_CHILD";

    pub fn shared() -> &'static GpuMsm {
        static ENGINE: OnceLock<GpuMsm> = OnceLock::new();
        ENGINE.get_or_init(|| {
            let config = GpuConfig {
                min_len: 0,
                ..GpuConfig::default()
            };
            match GpuMsm::try_with_cpu(Pippenger::new(), config) {
                Ok(engine) => engine,
                Err((_, e @ GpuError::NoAdapter(_)))
                    if std::env::var("CI").as_deref() != Ok("true") =>
                {
                    eprintln!("GPU part SKIPPED ({e}): the suite runs on the CPU fallback");
                    GpuMsm::new().with_min_len(0)
                }
                Err((_, e)) => panic!("GPU required: {e}"),
            }
        })
    }

    fn inputs(n: u64) -> (Vec<G1Affine>, Vec<Fr>) {
        let g = G1Projective::generator();
        let bases: Vec<G1Projective> = (1..=n).map(|i| g * Fr::from(i * 7919 + 1)).collect();
        let scalars = (1..=n)
            .map(|i| Fr::from(i * i + 3) - Fr::from(1u64 << 40))
            .collect();
        (G1Projective::normalize_batch(&bases), scalars)
    }

    /// Below the threshold the bases stay on the CPU engine, at and above it they are
    /// resident on the device; both answers are exact.
    #[test]
    fn threshold_routes_small_inputs_to_cpu() {
        let engine = shared();
        if engine.device().is_none() {
            return;
        }
        let engine = GpuMsm::try_with_cpu(
            Pippenger::new(),
            GpuConfig {
                min_len: 100,
                ..GpuConfig::default()
            },
        )
        .map_err(|(_, e)| e)
        .expect("adapter");
        assert_eq!(engine.min_len(), 100);
        for (n, on_device) in [(99, false), (100, true)] {
            let (bases, scalars) = inputs(n);
            let prepared = MsmEngine::<g1::Config>::prepare(&engine, bases.clone());
            assert_eq!(prepared.on_device(), on_device, "n = {n}");
            let got =
                MsmEngine::<g1::Config>::msm(&engine, &prepared, &scalars).expect("lengths match");
            assert_eq!(got, msm_support::naive(&bases, &scalars), "n = {n}");
        }
    }

    /// Proves `Demo` on `engine` with `pk` (`prove` self-verifies).
    fn prove_on(engine: &GpuMsm, pk: &ProvingKey) {
        pk.with_engine(engine.clone())
            .prove(Demo::honest(3, 5), &mut rng(5))
            .expect("proof");
    }

    /// Distinct G1 query sets of a key (what the cache holds for it) and their device bytes.
    fn g1_sets(pk: &ProvingKey) -> (u64, u64) {
        let k = pk.as_ark();
        let mut sets = Vec::new();
        for q in [&k.a_query, &k.b_g1_query, &k.h_query, &k.l_query] {
            if !sets.contains(&q) {
                sets.push(q);
            }
        }
        let points: usize = sets.iter().map(|s| s.len()).sum();
        (sets.len() as u64, points as u64 * 64)
    }

    /// With a resident cache, a key's G1 queries are uploaded by its first proof only; another
    /// key's are uploaded once more; a cache that holds one key evicts the least recently used.
    #[test]
    fn resident_cache_uploads_each_keys_bases_once() {
        if shared().device().is_none() {
            return;
        }
        let (key_a, key_b) = (
            dev_setup_insecure(Demo::default(), 1).expect("setup"),
            dev_setup_insecure(Demo::default(), 2).expect("setup"),
        );
        let (sets, bytes) = g1_sets(&key_a);
        assert_eq!(g1_sets(&key_b), (sets, bytes), "same shape");

        let engine = shared()
            .clone()
            .with_resident_cache(ResidentCache::default());
        let stats = || engine.resident_stats().expect("cache");
        prove_on(&engine, &key_a);
        assert_eq!(
            (stats().uploads, stats().hits),
            (sets, 0),
            "first proof uploads"
        );
        prove_on(&engine, &key_a);
        assert_eq!(
            (stats().uploads, stats().hits),
            (sets, sets),
            "same key: no upload"
        );
        prove_on(&engine, &key_b);
        assert_eq!(stats().uploads, 2 * sets, "another key uploads its own");
        assert_eq!(
            (stats().entries as u64, stats().bytes),
            (2 * sets, 2 * bytes)
        );

        // Room for one key: B evicts A, and A comes back with a new upload.
        let small = shared()
            .clone()
            .with_resident_cache(ResidentCache::new(bytes));
        let stats = || small.resident_stats().expect("cache");
        for pk in [&key_a, &key_b, &key_a] {
            prove_on(&small, pk);
        }
        let s = stats();
        assert_eq!((s.uploads, s.hits, s.evictions), (3 * sets, 0, 2 * sets));
        assert!(s.bytes <= bytes, "{s:?}");
        prove_on(&small, &key_a);
        assert_eq!(stats().hits, sets, "the most recent key stays resident");
    }

    /// Without an adapter (the child process sees only the Metal backend, absent on Linux and
    /// Windows) the engine runs on the CPU and is still exact.
    #[test]
    fn no_adapter_falls_back_to_cpu() {
        if std::env::var_os(NO_ADAPTER_CHILD).is_some() {
            let engine = GpuMsm::new().with_min_len(0);
            assert!(engine.device().is_none(), "expected no adapter");
            let (bases, scalars) = inputs(50);
            let prepared = MsmEngine::<g1::Config>::prepare(&engine, bases.clone());
            assert!(!prepared.on_device());
            let got =
                MsmEngine::<g1::Config>::msm(&engine, &prepared, &scalars).expect("lengths match");
            assert_eq!(got, msm_support::naive(&bases, &scalars));
            return;
        }
        if cfg!(target_os = "macos") || cfg!(target_os = "ios") {
            return; // Metal is the real adapter there.
        }
        let exe = std::env::current_exe().expect("test binary path");
        let status = std::process::Command::new(exe)
            .args(["--exact", "gpu_engine::no_adapter_falls_back_to_cpu"])
            .env(NO_ADAPTER_CHILD, "1")
            .env("WGPU_BACKEND", "metal")
            .status()
            .expect("child test runs");
        assert!(status.success(), "child test failed: {status}");
    }
}

#[cfg(feature = "gpu")]
msm_suite!(gpu, *gpu_engine::shared());
