//! bulwark's statements over BN254: native models, witness builders and R1CS gadgets.
//!
//! Every primitive has a native implementation (plain Rust, used to build witnesses and to
//! check inputs before any proving time is spent) and a constraint-system gadget that consumes
//! the same values. Hashes and signatures are compatible with circomlib / circomlibjs.

/// The BN254 scalar field: every circuit value lives here.
pub use ark_bn254::Fr;

pub mod merkle;
pub mod poseidon;
pub mod range;
pub mod sum_tree;
