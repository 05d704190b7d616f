//! WGSL sources. Every kernel is one module: the generated BN254 constants, the field and curve
//! code, and the kernel's own bindings and `main`.

use ark_bn254::Fq;
use ark_ff::{BigInt, Field, PrimeField};

/// 16-bit limbs per field element; kernels take it as a parameter (see `limb_count` in field.wgsl).
pub(crate) const LIMBS: u32 = 16;

const FIELD: &str = include_str!("field.wgsl");
const CURVE: &str = include_str!("curve.wgsl");
const DIGITS: &str = include_str!("digits.wgsl");
const ACCUMULATE: &str = include_str!("accumulate.wgsl");

/// The compute kernels of the MSM pipeline (and, in tests, the known-answer kernels).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kernel {
    /// Counting sort pass 1: bucket histogram of the signed digits.
    Histogram,
    /// Counting sort pass 2: exclusive prefix sum of the histogram.
    Scan,
    /// Counting sort pass 3: digits scattered into bucket order.
    Scatter,
    /// Accumulation level 0 (sorted digits + resident bases).
    AccumulateBases,
    /// Accumulation levels 1.. (partial bucket sums).
    AccumulatePartials,
    /// Bucket reduction within groups of buckets.
    Reduce,
    /// Sum of each window's groups.
    WindowSum,
    /// Field known-answer kernel.
    #[cfg(test)]
    KatField,
    /// Curve known-answer kernel.
    #[cfg(test)]
    KatCurve,
}

impl Kernel {
    /// Name used as the pipeline label.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Histogram => "histogram",
            Self::Scan => "scan",
            Self::Scatter => "scatter",
            Self::AccumulateBases => "accumulate_bases",
            Self::AccumulatePartials => "accumulate_partials",
            Self::Reduce => "reduce",
            Self::WindowSum => "window_sum",
            #[cfg(test)]
            Self::KatField => "kat_field",
            #[cfg(test)]
            Self::KatCurve => "kat_curve",
        }
    }

    /// Complete WGSL source of the kernel. `rolled` keeps the limb loops rolled (for CPU
    /// adapters, whose compilers take minutes over the fully unrolled curve code).
    pub(crate) fn source(self, rolled: bool) -> String {
        let parts: &[&str] = match self {
            Self::Histogram => &[DIGITS, include_str!("histogram.wgsl")],
            Self::Scan => return include_str!("scan.wgsl").to_owned(),
            Self::Scatter => &[DIGITS, include_str!("scatter.wgsl")],
            Self::AccumulateBases => &[ACCUMULATE, include_str!("accumulate_bases.wgsl")],
            Self::AccumulatePartials => &[ACCUMULATE, include_str!("accumulate_partials.wgsl")],
            Self::Reduce => &[include_str!("reduce.wgsl")],
            Self::WindowSum => &[include_str!("window_sum.wgsl")],
            #[cfg(test)]
            Self::KatField => &[include_str!("kat_field.wgsl")],
            #[cfg(test)]
            Self::KatCurve => &[include_str!("kat_curve.wgsl")],
        };
        let mut s = constants(rolled);
        s.push_str(FIELD);
        s.push_str(CURVE);
        for p in parts {
            s.push_str(p);
        }
        s
    }
}

/// 16 limbs of 16 bits of a 256-bit integer, least significant first.
fn limbs16(x: &BigInt<4>) -> [u32; 16] {
    std::array::from_fn(|i| ((x.0[i / 4] >> (16 * (i % 4))) & 0xffff) as u32)
}

fn wgsl_fp(name: &str, x: &BigInt<4>) -> String {
    let limbs: Vec<String> = limbs16(x).iter().map(|l| format!("{l:#06x}u")).collect();
    format!("const {name}: Fp = Fp({});\n", limbs.join(", "))
}

/// `-p^-1 mod 2^16`, the Montgomery reduction factor for 16-bit words.
fn n0() -> u64 {
    let p0 = Fq::MODULUS.0[0] & 0xffff;
    // Newton's iteration doubles the number of correct low bits of p^-1 each step (p is odd).
    let mut inv: u64 = 1;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(inv))) & 0xffff;
    }
    (0x10000 - inv) & 0xffff
}

/// `P`, `N0 = -p^-1 mod 2^16` and `R1 = R mod p`, derived from ark-bn254 rather than typed in.
fn constants(rolled: bool) -> String {
    let p = Fq::MODULUS;
    let n0 = n0();
    let mut s = String::from("// Generated from ark-bn254.\n");
    s.push_str(&wgsl_fp("P", &p));
    s.push_str(&format!("const N0: u32 = {n0:#06x}u;\n"));
    s.push_str(&wgsl_fp("R1", &Fq::ONE.0));
    let bound = if rolled { "k" } else { "16u" };
    s.push_str(&format!(
        "fn limb_count(k: u32) -> u32 {{ return {bound}; }}\n"
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n0_is_minus_p_inverse_mod_2_16() {
        let p0 = Fq::MODULUS.0[0] & 0xffff;
        assert_eq!((n0() * p0 + 1) & 0xffff, 0);
    }
}
