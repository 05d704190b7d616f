//! Our CPU engine: signed-digit bucket Pippenger with batch-affine accumulation over rayon.

use ark_bn254::{Fr, g1, g2};
use ark_ec::CurveGroup;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ff::{AdditiveGroup, BigInt, PrimeField, Zero};
use rayon::prelude::*;

use super::batch_affine::{ArkBuckets, BucketOps};
use super::buckets::BucketAccumulator;
use super::digits::{MAX_WINDOW_BITS, chunks_per_window, window_bits, window_count};
use super::field::{Adx, FieldMul, Portable};
#[cfg(target_arch = "x86_64")]
use super::ifma::{Ifma, LaneCurve};
use super::{MsmEngine, MsmError, check_lengths, glv};

/// The curves [`Pippenger`] runs on, and whether it can split their scalars with an
/// endomorphism.
pub trait PippengerCurve: SWCurveConfig<ScalarField = Fr> {
    /// The `2n` terms `(±φʲ(Pᵢ), |kᵢⱼ|)` of the GLV split of `Σ kᵢPᵢ` (signs moved onto the
    /// points), or `None` where the curve has no endomorphism wired in.
    fn glv_split(bases: &[Affine<Self>], scalars: &[Fr]) -> Option<GlvTerms<Self>>;

    /// A base-field multiplication faster than arkworks' portable one, where this CPU has one
    /// (detected at run time).
    fn fast_mul() -> Option<impl FieldMul<Self::BaseField>>;

    /// `engine`'s MSM with bucket additions in SIMD lanes, where this curve has such an
    /// arithmetic and this CPU runs it (AVX-512 IFMA, detected at run time); `None`
    /// otherwise. [`MsmEngine::msm`] calls it; callers use that.
    fn lane_msm(
        engine: &Pippenger,
        bases: &PippengerBases<Self>,
        scalars: &[Fr],
    ) -> Option<Projective<Self>> {
        let _ = (engine, bases, scalars);
        None
    }
}

/// Points and scalar magnitudes of a GLV-split MSM, in matching order.
pub type GlvTerms<C> = (Vec<Affine<C>>, Vec<BigInt<4>>);

impl PippengerCurve for g1::Config {
    fn glv_split(bases: &[Affine<Self>], scalars: &[Fr]) -> Option<GlvTerms<Self>> {
        Some(split_terms(bases, scalars, glv::endomorphism))
    }

    fn fast_mul() -> Option<impl FieldMul<Self::BaseField>> {
        Adx::detect()
    }

    fn lane_msm(
        engine: &Pippenger,
        bases: &PippengerBases<Self>,
        scalars: &[Fr],
    ) -> Option<Projective<Self>> {
        ifma_msm(engine, bases, scalars)
    }
}

impl PippengerCurve for g2::Config {
    fn glv_split(bases: &[Affine<Self>], scalars: &[Fr]) -> Option<GlvTerms<Self>> {
        let beta = glv::g2_beta();
        Some(split_terms(bases, scalars, |p| {
            glv::g2_endomorphism(p, &beta)
        }))
    }

    fn fast_mul() -> Option<impl FieldMul<Self::BaseField>> {
        Adx::detect()
    }

    fn lane_msm(
        engine: &Pippenger,
        bases: &PippengerBases<Self>,
        scalars: &[Fr],
    ) -> Option<Projective<Self>> {
        ifma_msm(engine, bases, scalars)
    }
}

/// `engine`'s MSM with bucket additions in AVX-512 IFMA lanes, where this CPU has them.
#[cfg(target_arch = "x86_64")]
fn ifma_msm<C: PippengerCurve + LaneCurve>(
    engine: &Pippenger,
    bases: &PippengerBases<C>,
    scalars: &[Fr],
) -> Option<Projective<C>> {
    Ifma::detect().map(|ops| engine.compute(ops, bases, scalars))
}

/// No IFMA off x86-64.
#[cfg(not(target_arch = "x86_64"))]
fn ifma_msm<C: PippengerCurve>(
    _: &Pippenger,
    _: &PippengerBases<C>,
    _: &[Fr],
) -> Option<Projective<C>> {
    None
}

/// The GLV terms of `Σ kᵢPᵢ`, given `φ` acting on the group as multiplication by G1's `λ`.
fn split_terms<C: SWCurveConfig>(
    bases: &[Affine<C>],
    scalars: &[Fr],
    phi: impl Fn(&Affine<C>) -> Affine<C> + Sync,
) -> GlvTerms<C> {
    bases
        .par_iter()
        .zip(scalars)
        .flat_map_iter(|(p, k)| {
            let [(neg1, k1), (neg2, k2)] = glv::decompose(*k);
            let p1 = if neg1 { -*p } else { *p };
            let q = phi(p);
            let p2 = if neg2 { -q } else { q };
            [(p1, k1), (p2, k2)]
        })
        .unzip()
}

/// Bucket Pippenger: signed `c`-bit digits (`2^(c−1)` buckets per window), batch-affine bucket
/// additions, rayon across windows and chunks of points; optionally scalars are first split in
/// two halves of about 128 bits by the GLV endomorphism ([`Pippenger::with_glv`]).
///
/// With [`Pippenger::with_precomputation`], [`prepare`](MsmEngine::prepare) stores
/// `2^(c·j)·P` for every window `j`, so all windows share one set of buckets: no per-window
/// running sums and no doublings between windows, at the price of `windows × ` the base memory
/// (see [`PippengerBases::memory_bytes`]).
///
/// Where the CPU has AVX-512 IFMA, bucket additions run eight at a time in SIMD lanes
/// (52-bit limbs; off with [`Pippenger::with_ifma`]). Otherwise base-field products use
/// MULX/ADCX/ADOX where the CPU has BMI2 and ADX, arkworks' portable arithmetic elsewhere or
/// with [`Pippenger::with_portable_field`]. All of this is checked once per MSM.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pippenger {
    window_bits: Option<u32>,
    precompute: bool,
    glv: bool,
    portable_field: bool,
    scalar_buckets: bool,
}

impl Pippenger {
    /// The default: window width chosen per input size and thread count, no precomputation,
    /// no GLV split.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to split scalars with the curve's endomorphism (G1 and G2; default off: with
    /// 2 threads it measured faster at 2^12 terms but slower at 2^16 and 2^18 on G1, and no faster
    /// on G2 at 2^16, where the split's `2n` points and scalars cost more memory traffic than the
    /// halved windows save; see
    /// `bulwark bench msm`). Off, every term keeps its full 254-bit scalar. Precomputed bases
    /// never split.
    #[must_use]
    pub fn with_glv(self, glv: bool) -> Self {
        Self { glv, ..self }
    }

    /// Fixes the window width `c` (clamped to `1..=20`) instead of choosing it per input.
    #[must_use]
    pub fn with_window_bits(self, c: u32) -> Self {
        Self {
            window_bits: Some(c.clamp(1, MAX_WINDOW_BITS)),
            ..self
        }
    }

    /// Precompute `2^(c·j)·P` for every base at [`prepare`](MsmEngine::prepare) time.
    #[must_use]
    pub fn with_precomputation(self, precompute: bool) -> Self {
        Self { precompute, ..self }
    }

    /// Whether to use arkworks' portable field multiplication even where the CPU has a faster
    /// one (default off; for comparisons and for testing both paths on one machine).
    #[must_use]
    pub fn with_portable_field(self, portable_field: bool) -> Self {
        Self {
            portable_field,
            ..self
        }
    }

    /// Whether to run bucket additions in AVX-512 IFMA lanes where the CPU has them (default
    /// on); off, every addition uses the scalar field products (for comparisons and for testing
    /// both paths on one machine).
    #[must_use]
    pub fn with_ifma(self, ifma: bool) -> Self {
        Self {
            scalar_buckets: !ifma,
            ..self
        }
    }

    /// `Σ scalars[i]·bases[i]` for non-empty inputs of equal length, bucket additions by `ops`.
    fn compute<C: PippengerCurve, O: BucketOps<C>>(
        &self,
        ops: O,
        bases: &PippengerBases<C>,
        scalars: &[Fr],
    ) -> Projective<C> {
        if bases.table.is_none()
            && self.glv
            && let Some((points, halves)) = C::glv_split(&bases.bases, scalars)
        {
            let bits = glv::max_bits(&halves).max(1);
            let c = self.pick_window(points.len(), bits, false);
            return variable_base_msm(ops, &ops.convert(&points), &halves, c, bits);
        }
        let bigints: Vec<_> = scalars.par_iter().map(|s| s.into_bigint()).collect();
        match &bases.table {
            Some((c, table)) => fixed_base_msm(ops, &ops.convert(table), &bigints, *c),
            None => {
                let c = self.pick_window(scalars.len(), SCALAR_BITS, false);
                variable_base_msm(ops, &ops.convert(&bases.bases), &bigints, c, SCALAR_BITS)
            }
        }
    }

    fn pick_window(&self, points: usize, scalar_bits: u32, fixed_base: bool) -> u32 {
        self.window_bits.unwrap_or_else(|| {
            window_bits(
                points,
                rayon::current_num_threads(),
                scalar_bits,
                fixed_base,
            )
        })
    }
}

/// Every BN254 scalar field element is below `2^254`.
const SCALAR_BITS: u32 = <Fr as PrimeField>::MODULUS_BIT_SIZE;

/// Bases prepared by [`Pippenger`].
#[derive(Debug, Clone)]
pub struct PippengerBases<C: SWCurveConfig> {
    bases: Vec<Affine<C>>,
    /// With precomputation: window width and, window after window, `2^(c·j)·bases`.
    table: Option<(u32, Vec<Affine<C>>)>,
}

impl<C: SWCurveConfig> PippengerBases<C> {
    /// Heap bytes held by the bases and any precomputed table.
    pub fn memory_bytes(&self) -> usize {
        let table = self.table.as_ref().map_or(0, |(_, t)| t.len());
        (self.bases.len() + table) * size_of::<Affine<C>>()
    }
}

impl<C: PippengerCurve> MsmEngine<C> for Pippenger {
    type Bases = PippengerBases<C>;

    fn prepare(&self, bases: Vec<Affine<C>>) -> Self::Bases {
        let table = self.precompute.then(|| {
            let c = self.pick_window(bases.len(), SCALAR_BITS, true);
            let windows = window_count(SCALAR_BITS, c);
            let mut table = Vec::with_capacity(bases.len() * windows as usize);
            let mut current: Vec<Projective<C>> = bases.par_iter().map(|p| (*p).into()).collect();
            for j in 0..windows {
                if j > 0 {
                    current.par_iter_mut().for_each(|p| {
                        for _ in 0..c {
                            p.double_in_place();
                        }
                    });
                }
                table.extend(Projective::normalize_batch(&current));
            }
            (c, table)
        });
        PippengerBases { bases, table }
    }

    fn len(&self, bases: &Self::Bases) -> usize {
        bases.bases.len()
    }

    fn msm(
        &self,
        bases: &Self::Bases,
        scalars: &[C::ScalarField],
    ) -> Result<Projective<C>, MsmError> {
        check_lengths(bases.bases.len(), scalars.len())?;
        if scalars.is_empty() {
            return Ok(Projective::zero());
        }
        if !self.scalar_buckets
            && !self.portable_field
            && let Some(sum) = C::lane_msm(self, bases, scalars)
        {
            return Ok(sum);
        }
        // One dispatch per MSM: each arm is a separate monomorphisation of the whole engine.
        Ok(match C::fast_mul().filter(|_| !self.portable_field) {
            Some(mul) => self.compute(ArkBuckets(mul), bases, scalars),
            None => self.compute(ArkBuckets(Portable), bases, scalars),
        })
    }
}

/// One task per (window, chunk of points); windows combined by Horner's rule. Every scalar is
/// below `2^scalar_bits`.
fn variable_base_msm<C: SWCurveConfig, O: BucketOps<C>, B: ark_ff::BigInteger>(
    ops: O,
    bases: &[O::Point],
    scalars: &[B],
    c: u32,
    scalar_bits: u32,
) -> Projective<C> {
    let windows = window_count(scalar_bits, c);
    let chunks = chunks_per_window(windows, rayon::current_num_threads());
    let chunk_len = scalars.len().div_ceil(chunks).max(1);
    let sums: Vec<Projective<C>> = (0..windows as usize * chunks)
        .into_par_iter()
        .map(|task| {
            let window = (task / chunks) as u32;
            let lo = (task % chunks * chunk_len).min(scalars.len());
            let hi = (lo + chunk_len).min(scalars.len());
            let mut acc = BucketAccumulator::new(ops, c);
            acc.accumulate(&bases[lo..hi], &scalars[lo..hi], window);
            acc.finish()
        })
        .collect();
    sums.chunks(chunks)
        .rev()
        .fold(Projective::zero(), |mut acc, window_sums| {
            for _ in 0..c {
                acc.double_in_place();
            }
            window_sums.iter().fold(acc, |a, s| a + s)
        })
}

/// With `table[j·n + i] = 2^(c·j)·P_i`, `Σᵢ kᵢPᵢ = Σᵢ Σⱼ dᵢⱼ·table[j·n + i]`: a single set of
/// buckets per chunk of points, fed window after window.
fn fixed_base_msm<C: SWCurveConfig, O: BucketOps<C>, B: ark_ff::BigInteger>(
    ops: O,
    table: &[O::Point],
    scalars: &[B],
    c: u32,
) -> Projective<C> {
    let n = scalars.len();
    let windows = window_count(SCALAR_BITS, c);
    let chunks = rayon::current_num_threads().min(n).max(1);
    let chunk_len = n.div_ceil(chunks);
    (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let lo = (chunk * chunk_len).min(n);
            let hi = (lo + chunk_len).min(n);
            let mut acc = BucketAccumulator::new(ops, c);
            for j in 0..windows {
                let offset = j as usize * n;
                acc.accumulate(&table[offset + lo..offset + hi], &scalars[lo..hi], j);
            }
            acc.finish()
        })
        .reduce(Projective::zero, |a, b| a + b)
}
