//! bulwark's statements over BN254: native models, witness builders and R1CS gadgets.
//!
//! Every primitive has a native implementation (plain Rust, used to build witnesses and to
//! check inputs before any proving time is spent) and a constraint-system gadget that consumes
//! the same values. Hashes and signatures are compatible with circomlib / circomlibjs.
//!
//! | module | native | R1CS gadget |
//! |---|---|---|
//! | [`poseidon`] | circomlib's Poseidon, 1..=16 inputs | [`poseidon::r1cs::hash`] |
//! | [`babyjubjub`] | circomlib's Baby Jubjub curve | [`babyjubjub::r1cs::PointVar`] |
//! | [`eddsa`] | EdDSA-Poseidon keys, signing, verification | [`eddsa::r1cs::verify_poseidon`] |
//! | [`merkle`] | sparse Merkle tree, `Poseidon(l, r)` nodes | [`merkle::MerklePathVar`] |
//! | [`sum_tree`] | Merkle sum tree over K assets | [`sum_tree::SumPathVar`] |
//! | [`range`] | n-bit range checks | [`range::enforce`] |
//! | [`rollup`] | accounts, batches, `check`, witness builder, L1 commitment | [`rollup::RollupCircuit`] |
//! | [`progress`] | progress reports from long native builds (sum trees) | |
//! | [`solvency`] | book, reserves, commitments | [`solvency::BatchCircuit`], [`solvency::TopCircuit`], [`solvency::InclusionCircuit`] |
//!
//! [`halo2`] holds the PLONKish (halo2, KZG) chips for the same primitives and the solvency
//! batch and inclusion circuits over the same witnesses.

/// The BN254 scalar field: every circuit value lives here.
pub use ark_bn254::Fr;

pub mod babyjubjub;
pub mod eddsa;
pub mod halo2;
pub mod merkle;
pub mod poseidon;
pub mod progress;
pub mod range;
pub mod rollup;
pub mod solvency;
pub mod sum_tree;
