//! WGSL sources. Every kernel is one module: the generated BN254 constants, the field and curve
//! code, and the kernel's own bindings and `main`.

use ark_bn254::Fq;
use ark_ff::{BigInt, Field, PrimeField};

use crate::FieldPath;

const FIELD16: &str = include_str!("field.wgsl");
const FIELD32: &str = include_str!("field32.wgsl");
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

    /// Complete WGSL source of the kernel on `field`. `rolled` keeps the limb loops rolled (for
    /// CPU adapters, whose compilers take minutes over the fully unrolled curve code).
    pub(crate) fn source(self, rolled: bool, field: FieldPath) -> String {
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
        let mut s = constants(rolled, field);
        s.push_str(match field {
            FieldPath::Limb16 => FIELD16,
            FieldPath::Limb32 => FIELD32,
        });
        s.push_str(CURVE);
        for p in parts {
            s.push_str(p);
        }
        s
    }
}

/// The limbs of `bits` bits of a 256-bit integer, least significant first.
fn limbs_of(x: &BigInt<4>, bits: u32) -> Vec<u32> {
    let per_word = 64 / bits;
    let mask = (1u64 << bits) - 1;
    (0..256 / bits)
        .map(|i| ((x.0[(i / per_word) as usize] >> (bits * (i % per_word))) & mask) as u32)
        .collect()
}

fn wgsl_fp(name: &str, x: &BigInt<4>, bits: u32) -> String {
    let limbs: Vec<String> = limbs_of(x, bits)
        .iter()
        .map(|l| format!("{l:#x}u"))
        .collect();
    format!("const {name}: Fp = Fp({});\n", limbs.join(", "))
}

/// `-p^-1 mod 2^bits`, the Montgomery reduction factor for `bits`-bit words.
fn n0(bits: u32) -> u64 {
    let mask = (1u64 << bits) - 1;
    let p0 = Fq::MODULUS.0[0] & mask;
    // Newton's iteration doubles the number of correct low bits of p^-1 each step (p is odd).
    let mut inv: u64 = 1;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(inv))) & mask;
    }
    inv.wrapping_neg() & mask
}

/// `P`, `N0 = -p^-1 mod 2^bits` and `R1 = R mod p` for `field`, derived from ark-bn254 rather
/// than typed in, and `limb_count` (see field.wgsl).
fn constants(rolled: bool, field: FieldPath) -> String {
    let bits = field.limb_bits();
    let mut s = String::from("// Generated from ark-bn254.\n");
    s.push_str(&wgsl_fp("P", &Fq::MODULUS, bits));
    s.push_str(&format!("const N0: u32 = {:#x}u;\n", n0(bits)));
    s.push_str(&wgsl_fp("R1", &Fq::ONE.0, bits));
    let bound = if rolled {
        "k".to_owned()
    } else {
        format!("{}u", field.limbs())
    };
    s.push_str(&format!(
        "fn limb_count(k: u32) -> u32 {{ return {bound}; }}\n"
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n0_is_minus_p_inverse() {
        for path in FieldPath::ALL {
            let bits = path.limb_bits();
            let mask = (1u64 << bits) - 1;
            let p0 = Fq::MODULUS.0[0] & mask;
            assert_eq!(
                n0(bits).wrapping_mul(p0).wrapping_add(1) & mask,
                0,
                "{path}"
            );
        }
    }

    #[test]
    fn limbs_recompose_the_modulus() {
        for path in FieldPath::ALL {
            let bits = path.limb_bits();
            let limbs = limbs_of(&Fq::MODULUS, bits);
            assert_eq!(limbs.len() as u32, path.limbs());
            let mut words = [0u64; 4];
            for (i, l) in limbs.iter().enumerate() {
                let at = i as u32 * bits;
                words[(at / 64) as usize] |= u64::from(*l) << (at % 64);
            }
            assert_eq!(BigInt(words), Fq::MODULUS, "{path}");
        }
    }
}
