//! halo2 (PLONKish, KZG over BN254) chips and circuits for the same statements as the R1CS
//! gadgets, consuming the same native witnesses.
//!
//! The backend is Axiom's `halo2-axiom` fork (imported as `halo2_proofs`); its field is
//! `halo2curves-axiom`'s `bn256::Fr` ([`Fp`]), the same prime field as [`crate::Fr`] with a
//! different type: [`to_halo2`] and [`from_halo2`] convert through the canonical
//! little-endian encoding.
//!
//! # Layout
//!
//! Every circuit configures one [`Gadgets`]. The on-chain verifier's cost follows the
//! commitments (one elliptic-curve multiplication each: an advice, fixed or permutation
//! column, a compressed selector, a quotient chunk) far more than the evaluations (one per
//! column and rotation), so every circuit, the rollup with its curve included, is narrow:
//!
//! - advice: one column, with equality; each chip lays its cells (its *slots*) out down it
//!   and its gates read them with rotations (with `W` columns, slot `i` of a region lies in
//!   column `i mod W`, `⌊i / W⌋` rows down; every circuit uses `W = 1`);
//! - fixed: one coefficient column shared the same way by Poseidon's round constants, the
//!   arithmetic gate's coefficients and the curve ladders' bound bits and points (no
//!   constants column: constants are coefficients), and the compressed selectors: the
//!   constraint system's degree is raised to 6 (every gate has degree at most 4) so that they
//!   pack three to a column, at the price of a fifth quotient chunk;
//! - no lookup argument: range checks are bit running sums. [`Gadgets::configure_with`] and
//!   [`RangeSteps::Bytes`] offer byte steps looked up in a table `0..256` instead, for
//!   circuits whose rows matter more than their verifier's cost (no shipped circuit: the
//!   lookup adds three proof commitments, a table column and a selector column, while the
//!   rows it saves cost the verifier nothing);
//! - one instance column, without equality: the zero gate `slot 0 = instance` exposes public
//!   input `i` on row `i` ([`Gadgets::load`] reserves those rows) and is `slot 0 = 0` below.
//!
//! The rollup batch circuit so has 1 advice, 6 fixed and 1 permutation column (15
//! commitments in the generated verifier; 38 with the former 13-column layout). Rows below are
//! for `W = 1`:
//!
//! | chip | rows | gates |
//! |---|---|---|
//! | Poseidon, width `t` | `2t` per full round (the state, then its squares; the next state starts the next round), `t + 1` per partial round, `t` for the output: `(17 + R_P(t))·t + R_P(t)` | a full-round and a partial-round gate per width; round constants in fixed slots `0..t` of each round; the S-box square `sq = x²` witnessed so `x^5 = x·sq²`; the capacity lane under the zero gate |
//! | range check, `n` bits | `n + 1`; `⌊n / 8⌋ + n mod 8 + 1` with [`RangeSteps::Bytes`] (and the 256-row table) | running sums `acc_i` upwards from the last (`x`), then a zero; `acc_i − 2·acc_{i−1} ∈ {0, 1}` with `acc_{i−1}` on the row below; with bytes, after the top `n mod 8` bits, `acc_i − 256·acc_{i−1}` looked up in `0..256` |
//! | conditional swap | 5 | `(l, r) = bit ? (y, x) : (x, y)`, `bit` boolean |
//! | 4-ary placement | 10 | a node's slot among three siblings from two boolean index bits |
//! | arithmetic (also [`Gadgets::constant`]) | 6 | `q_a·a + q_b·b + q_c·c + q_d·d + q_m·a·b + q_k = 0` with coefficients in the shared fixed slots |
//! | Baby Jubjub on curve | 18 | three arithmetic rows: `x²`, `y²`, `a·x² + y² = 1 + d·x²y²` |
//! | scalar ladder, `n` bits | `7n + 5` (fixed base), `13n + 5` (variable base), and two constants | one gate per base, per bit: booleanity, running sum, `≤ bound` comparison, and `acc + b·2^i·B8` (the point in fixed slots) or `2·acc + b·Q`, by the complete twisted Edwards law with `x₁x₂`, `y₁y₂` witnessed |
//!
//! The curve gates ([`Gadgets::configure_with_curve`]) read the shared coefficient column
//! under their own selectors.
//!
//! halo2-axiom's `SimpleFloorPlanner` places every region at row 0, so [`Gadgets`] lays its
//! regions out itself, one after another ([`Gadgets::load`] starts a synthesis at row 0);
//! [`rows_needed`] and [`fitting_k`] measure a circuit without proving it.
//!
//! On these: [`Gadgets::poseidon`], [`Gadgets::chain`] (the sum tree's `chain`),
//! [`Gadgets::merkle_root`], [`Gadgets::quad_root`], [`Gadgets::sum_root`],
//! [`Gadgets::verify_eddsa`] (EdDSA-Poseidon, accepting exactly what the native verifier and the
//! R1CS gadget accept), the solvency circuits [`SolvencyBatchCircuit`],
//! [`SolvencyTopCircuit`] and [`SolvencyInclusionCircuit`], and the rollup circuit
//! [`RollupBatchCircuit`]. The solvency circuits, for `K` assets, batches of `2^b` users and
//! `2^t` batches, where a chain over `n` inputs is `max(1, ⌈(n − 1) / 15⌉)` Poseidon
//! permutations (the widths of every chain a circuit hashes are configured):
//!
//! | circuit | public inputs | chips |
//! |---|---|---|
//! | batch | `[c_j]` | per slot: a chain over `1 + K`, `K` 64-bit range checks, `K + 2` arithmetic rows; per node: a chain over `2 + 2K`, `K` additions; a chain over `2 + K` (the commitment) |
//! | top | `[C, digest, R_1..R_K]` | per batch: `K` `(64 + b)`-bit range checks, a chain over `2 + K` (its commitment); a chain over `2^t` (the digest); per node: a chain over `2 + 2K`, `K` additions; a chain over `2 + K` (the book commitment); per asset: one arithmetic row and a 128-bit range check of `R_k − total_k` |
//! | inclusion | `[C, id_hash, b_1..b_K]` | a chain over `1 + K`, `K` 64-bit range checks; per level `h`: `K` `(64 + h)`-bit range checks, `K + 1` swaps, a chain over `2 + 2K`, `K` additions; a chain over `2 + K` |

mod arith;
mod curve;
mod eddsa;
mod gadgets;
mod measure;
mod merkle;
mod poseidon;
mod range;
mod rollup;
mod solvency;
mod solvency_top;
mod sum_path;

pub use curve::PointCells;
pub use eddsa::SignatureCells;
pub use gadgets::{GadgetOptions, Gadgets, Var};
pub use measure::{fitting_k, rows_needed};
pub use poseidon::{PoseidonTrace, poseidon_trace};
pub use range::{RangeSteps, RangeTrace, range_trace};
pub use rollup::RollupBatchCircuit;
pub use solvency::{AssetCount, SolvencyBatchCircuit, SolvencyInclusionCircuit};
pub use solvency_top::{SolvencyTopCircuit, TopShape};
pub use sum_path::SumNodeCells;

pub use halo2_proofs;

use halo2_proofs::halo2curves::ff::PrimeField as _;

/// The BN254 scalar field as halo2 sees it (`halo2curves-axiom`'s `bn256::Fr`).
pub type Fp = halo2_proofs::halo2curves::bn256::Fr;

/// The smallest circuit size (`2^k`) [`fitting_k`] returns.
pub const MIN_K: u32 = 9;

/// [`crate::Fr`] → [`Fp`]: the same field element.
pub fn to_halo2(x: &crate::Fr) -> Fp {
    use ark_ff::{BigInteger, PrimeField};
    let mut repr = [0u8; 32];
    repr.copy_from_slice(&x.into_bigint().to_bytes_le());
    Option::from(Fp::from_repr(repr)).expect("both types encode the same modulus")
}

/// [`Fp`] → [`crate::Fr`]: the same field element.
pub fn from_halo2(x: &Fp) -> crate::Fr {
    use ark_ff::PrimeField;
    crate::Fr::from_le_bytes_mod_order(&x.to_repr())
}

/// Converts a slice of [`crate::Fr`] to [`Fp`].
pub fn to_halo2_vec(xs: &[crate::Fr]) -> Vec<Fp> {
    xs.iter().map(to_halo2).collect()
}
