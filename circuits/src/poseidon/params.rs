//! circomlib's Poseidon parameters, derived exactly as circomlib derived them.
//!
//! circomlib's constants come from the reference script of the Poseidon authors
//! (`generate_parameters_grain.sage 1 0 254 t 8 R_P p`, eprint 2019/458 appendix F): a Grain
//! LFSR seeded with the field type, S-box, field size, width and round numbers produces the
//! round constants (rejection-sampled below p) and then the Cauchy MDS matrix
//! `M[i][j] = 1 / (x_i + y_j)` from 2t further samples (reduced mod p). Regenerating them here
//! keeps ~900 KB of hex out of the repository; the known-answer tests against circomlibjs for
//! every width prove the derivation exact.

use ark_ff::{BigInteger, Field, PrimeField};
use std::sync::OnceLock;

use crate::Fr;

/// Full rounds, split evenly before and after the partial rounds.
pub(crate) const FULL_ROUNDS: usize = 8;

/// Partial rounds for state widths t = 2..=17 (1..=16 inputs), circomlib's `N_ROUNDS_P`.
const PARTIAL_ROUNDS: [usize; 16] = [
    56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68,
];

/// Bits of the BN254 scalar field modulus.
const FIELD_BITS: u32 = 254;

/// Round constants and MDS matrix for one state width.
pub(crate) struct Params {
    /// State width (inputs + 1).
    pub t: usize,
    /// Number of partial rounds.
    pub partial_rounds: usize,
    /// `(FULL_ROUNDS + partial_rounds) * t` round constants, round by round.
    pub round_constants: Vec<Fr>,
    /// The t×t MDS matrix, row-major: `new_state[i] = Σ_j mds[i][j] * state[j]`.
    pub mds: Vec<Vec<Fr>>,
}

/// Parameters for a state width `t` in `2..=17`; derived once per width and cached.
pub(crate) fn params(t: usize) -> &'static Params {
    static CACHE: [OnceLock<Params>; 16] = [const { OnceLock::new() }; 16];
    debug_assert!((2..=17).contains(&t), "callers check the width");
    CACHE[t - 2].get_or_init(|| derive(t))
}

fn derive(t: usize) -> Params {
    let partial_rounds = PARTIAL_ROUNDS[t - 2];
    let mut grain = Grain::new(t, partial_rounds);
    let round_constants = (0..(FULL_ROUNDS + partial_rounds) * t)
        .map(|_| grain.field_element_below_modulus())
        .collect();
    let mds = loop {
        let samples: Vec<Fr> = (0..2 * t).map(|_| grain.field_element_reduced()).collect();
        if let Some(m) = cauchy(&samples[..t], &samples[t..]) {
            break m;
        }
    };
    Params {
        t,
        partial_rounds,
        round_constants,
        mds,
    }
}

/// `M[i][j] = 1 / (x_i + y_j)`, or `None` when the samples repeat or a sum is zero (the
/// reference script then draws again).
fn cauchy(xs: &[Fr], ys: &[Fr]) -> Option<Vec<Vec<Fr>>> {
    let all: Vec<&Fr> = xs.iter().chain(ys).collect();
    for (i, a) in all.iter().enumerate() {
        if all[i + 1..].contains(a) {
            return None;
        }
    }
    xs.iter()
        .map(|x| {
            ys.iter()
                .map(|y| (*x + y).inverse())
                .collect::<Option<Vec<_>>>()
        })
        .collect()
}

/// The 80-bit Grain LFSR of the reference script, emitting bits through its
/// "keep the second bit of a pair whose first bit is 1" filter.
struct Grain {
    state: [bool; 80],
}

impl Grain {
    fn new(t: usize, partial_rounds: usize) -> Self {
        let mut bits = Vec::with_capacity(80);
        let mut push = |value: u64, width: u32| {
            bits.extend((0..width).rev().map(|i| (value >> i) & 1 == 1));
        };
        push(1, 2); // prime field
        push(0, 4); // S-box x^alpha
        push(u64::from(FIELD_BITS), 12);
        push(t as u64, 12);
        push(FULL_ROUNDS as u64, 10);
        push(partial_rounds as u64, 10);
        push((1 << 30) - 1, 30);
        let mut state = [false; 80];
        state.copy_from_slice(&bits);
        let mut grain = Self { state };
        for _ in 0..160 {
            grain.step();
        }
        grain
    }

    fn step(&mut self) -> bool {
        let s = &self.state;
        let bit = s[62] ^ s[51] ^ s[38] ^ s[23] ^ s[13] ^ s[0];
        self.state.copy_within(1.., 0);
        self.state[79] = bit;
        bit
    }

    fn next_bit(&mut self) -> bool {
        loop {
            let keep = self.step();
            let bit = self.step();
            if keep {
                return bit;
            }
        }
    }

    /// `FIELD_BITS` bits, most significant first, as little-endian 64-bit limbs.
    fn raw(&mut self) -> <Fr as PrimeField>::BigInt {
        let mut bits = Vec::with_capacity(FIELD_BITS as usize);
        for _ in 0..FIELD_BITS {
            bits.push(self.next_bit());
        }
        bits.reverse();
        <Fr as PrimeField>::BigInt::from_bits_le(&bits)
    }

    fn field_element_below_modulus(&mut self) -> Fr {
        loop {
            if let Some(f) = Fr::from_bigint(self.raw()) {
                return f;
            }
        }
    }

    fn field_element_reduced(&mut self) -> Fr {
        let raw = self.raw();
        Fr::from_le_bytes_mod_order(&raw.to_bytes_le())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::Zero;

    #[test]
    fn first_round_constant_matches_circomlib() {
        // circomlibjs poseidon_constants.json, C[0][0] (t = 2).
        let expected = Fr::from_bigint(
            <Fr as PrimeField>::BigInt::try_from(
                num_bigint::BigUint::parse_bytes(
                    b"09c46e9ec68e9bd4fe1faaba294cba38a71aa177534cdd1b6c7dc0dbd0abd7a7",
                    16,
                )
                .expect("hex"),
            )
            .expect("fits"),
        )
        .expect("below modulus");
        assert_eq!(params(2).round_constants[0], expected);
        assert!(!params(2).mds[0][0].is_zero());
    }
}
