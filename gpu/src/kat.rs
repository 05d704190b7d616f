//! Known-answer tests of the WGSL field and curve code against ark-ff / ark-ec, run through
//! small test kernels.

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{AdditiveGroup, BigInt, Field, One, PrimeField, UniformRand, Zero};
use ark_std::rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::device::Gpu;
use crate::encode::{self, XYZZ_WORDS};
use crate::plan::WORKGROUP;
use crate::shaders::Kernel;
use crate::{FieldPath, GpuError};

/// The device, or `None` (test skipped) when there is no adapter outside CI. In CI
/// (`CI=true`) a missing adapter fails the test.
fn gpu_or_skip() -> Option<Gpu> {
    match Gpu::request() {
        Ok(gpu) => Some(gpu),
        Err(e @ GpuError::NoAdapter(_)) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: {e}");
            None
        }
        Err(e) => panic!("GPU required: {e}"),
    }
}

/// The field paths this adapter runs. In CI (lavapipe, which offers `SHADER_INT64`) both must be
/// there; elsewhere a missing one is skipped with a note.
fn field_paths(gpu: &Gpu) -> Vec<FieldPath> {
    FieldPath::ALL
        .into_iter()
        .filter(|&path| {
            let offered = gpu.info.features.contains(path.required_features());
            if !offered {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "CI adapter lacks the {path} path"
                );
                eprintln!("SKIPPED {path}: the adapter does not offer it");
            }
            offered
        })
        .collect()
}

fn run_kat(
    gpu: &Gpu,
    (kernel, field): (Kernel, FieldPath),
    input: &[u32],
    cases: usize,
    out_words: usize,
) -> Vec<u32> {
    let pipeline = gpu.kernel(kernel, field).expect("kernel compiles");
    let params = gpu.uniform("kat_params", &[cases as u32, field.limbs()]);
    let input = gpu.storage_init("kat_in", input);
    let output = gpu.storage("kat_out", cases * out_words);
    let group = gpu.bind(&pipeline, &[&params, &input, &output]);
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups((cases as u32).div_ceil(WORKGROUP), 1, 1);
    }
    gpu.read_words(encoder, &output, cases * out_words)
        .expect("readback")
}

fn push_xyzz(out: &mut Vec<u32>, p: &G1Projective) {
    // ark's Jacobian (X, Y, Z) is XYZZ (X, Y, Z^2, Z^3).
    let zz = p.z.square();
    for c in [p.x, p.y, zz, zz * p.z] {
        encode::push_fq(out, &c);
    }
}

#[test]
fn field_matches_ark() {
    let Some(gpu) = gpu_or_skip() else { return };
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let edge = [
        Fq::zero(),
        Fq::one(),
        -Fq::one(),
        Fq::from(2u64),
        -Fq::from(2u64),
        Fq::from(u64::MAX),
        // Montgomery forms at the limb edges: raw 1 and raw p - 1 (all-ones limbs nearby).
        Fq::new_unchecked(BigInt::one()),
        Fq::new_unchecked(BigInt([
            Fq::MODULUS.0[0] - 1,
            Fq::MODULUS.0[1],
            Fq::MODULUS.0[2],
            Fq::MODULUS.0[3],
        ])),
    ];
    let mut cases: Vec<(Fq, Fq)> = edge
        .iter()
        .flat_map(|&a| edge.iter().map(move |&b| (a, b)))
        .collect();
    cases.extend((0..64).map(|_| (Fq::rand(&mut rng), Fq::rand(&mut rng))));
    let mut input = Vec::new();
    for (a, b) in &cases {
        encode::push_fq(&mut input, a);
        encode::push_fq(&mut input, b);
    }
    for field in field_paths(&gpu) {
        let out = run_kat(&gpu, (Kernel::KatField, field), &input, cases.len(), 32);
        for (i, ((a, b), words)) in cases.iter().zip(out.chunks(32)).enumerate() {
            let got: Vec<Fq> = words
                .chunks(8)
                .map(|w| encode::read_fq(w).expect("canonical"))
                .collect();
            assert_eq!(
                got,
                vec![a + b, a - b, a * b, -*a],
                "{field}, case {i}: a = {a}, b = {b}"
            );
        }
    }
}

#[test]
fn curve_matches_ark() {
    let Some(gpu) = gpu_or_skip() else { return };
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let g = G1Projective::generator();
    let zero = G1Projective::zero();
    let r = || G1Projective::rand(&mut ChaCha20Rng::seed_from_u64(3));
    let p = r() + g; // Z != 1
    let mut cases: Vec<(G1Projective, G1Projective, G1Affine)> = vec![
        (zero, zero, G1Affine::zero()),
        (zero, p, p.into_affine()),
        (p, zero, G1Affine::zero()),
        (p, p, p.into_affine()),     // P + P through the add formulas
        (p, -p, (-p).into_affine()), // P + (-P)
        (p, p.double(), g.into_affine()),
        (g, g, g.into_affine()),
    ];
    cases.extend((0..16).map(|_| {
        let (a, b, c) = (
            G1Projective::rand(&mut rng),
            G1Projective::rand(&mut rng),
            G1Projective::rand(&mut rng),
        );
        (a + g, b + g, c.into_affine())
    }));
    let mut input = Vec::new();
    for (p, q, a) in &cases {
        push_xyzz(&mut input, p);
        push_xyzz(&mut input, q);
        encode::push_affine(&mut input, a);
    }
    for field in field_paths(&gpu) {
        let kernel = (Kernel::KatCurve, field);
        let out = run_kat(&gpu, kernel, &input, cases.len(), 3 * XYZZ_WORDS);
        for (i, ((p, q, a), words)) in cases.iter().zip(out.chunks(3 * XYZZ_WORDS)).enumerate() {
            let got: Vec<G1Projective> = words
                .chunks(XYZZ_WORDS)
                .map(|w| encode::read_xyzz(w).expect("valid point"))
                .collect();
            let want = vec![p + q, p.double(), *p + a];
            assert_eq!(got, want, "{field}, case {i}");
        }
    }
}
