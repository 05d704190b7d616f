//! bulwark's prover: keys, setup, proving, verification and serialization over BN254.
//!
//! Groth16 (arkworks) for any `ConstraintSynthesizer<Fr>`:
//!
//! - [`dev_setup_insecure`] — a deterministic, seeded, **insecure** key generation for tests
//!   and development, giving a [`ProvingKey`] that carries its prepared [`VerifyingKey`];
//! - [`prove`] — checks the witness (typed error naming the first unsatisfied constraint)
//!   and the key's shape, proves, self-verifies, and returns the proof with its public inputs;
//!   arkworks' R1CS→QAP witness map, then the five query MSMs, concurrently, on our
//!   [`msm::DefaultMsmEngine`] with the key's queries prepared once and kept with the key;
//!   [`prove_cancellable`] stops soon after its [`CancelToken`] is cancelled;
//!   [`ProvingKey::with_engine`] gives an [`EngineProver`] on any other [`msm::MsmEngine`];
//! - [`verify`] — typed errors for a wrong public-input count and a rejected proof;
//! - [`msm`] — the pluggable multi-scalar-multiplication engines ([`msm::MsmEngine`]): the
//!   arkworks baseline and our CPU Pippenger (signed digits, optional GLV split on G1, batch-affine
//!   buckets, rayon);
//! - versioned binary files (`write_to`/`read_from` on the key and proof types) and
//!   snarkjs-compatible JSON ([`write_snarkjs_files`]);
//! - [`solidity`] — Groth16 verifier contracts and the rollup example contract;
//! - [`circom`] — circom's `.r1cs` and `.wtns` files, both ways;
//! - trusted setup from a public ceremony: [`Ptau`] reads and checks snarkjs Powers of Tau
//!   files, [`Phase2`] derives a circuit's Groth16 key from one and runs the circuit-specific
//!   phase-2 ceremony (contributions, transcript verification).
//! - [`plonk`] — the PLONK/KZG backend (halo2, SHPLONK): dev KZG parameters, keygen, prove,
//!   verify, versioned files.
//!
//! # Example
//!
//! ```
//! use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError, lc};
//! use bulwark_prover::{Fr, dev_setup_insecure, prove, verify};
//!
//! /// Knows `x` with `x² = y`; `y` public.
//! struct Square(Fr);
//!
//! impl ConstraintSynthesizer<Fr> for Square {
//!     fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
//!         let x = cs.new_witness_variable(|| Ok(self.0))?;
//!         let y = cs.new_input_variable(|| Ok(self.0 * self.0))?;
//!         cs.enforce_r1cs_constraint(|| lc!(x), || lc!(x), || lc!(y))
//!     }
//! }
//!
//! let pk = dev_setup_insecure(Square(Fr::from(0u64)), 42)?; // tests only: the seed is the trapdoor
//! let out = prove(&pk, Square(Fr::from(3u64)), &mut rand::thread_rng())?;
//! assert_eq!(out.public_inputs, vec![Fr::from(9u64)]);
//! verify(pk.verifying_key(), &out.public_inputs, &out.proof)?;
//! # Ok::<(), bulwark_prover::ProverError>(())
//! ```
//!
//! # File format
//!
//! Every key or proof file is a 9-byte header followed by a body (integers little-endian):
//!
//! | offset | size | field                                                          |
//! |--------|------|----------------------------------------------------------------|
//! | 0      | 4    | magic `b"BWK\0"` ([`MAGIC`])                                    |
//! | 4      | 2    | format version, `u16` ([`FORMAT_VERSION`] = 1)                  |
//! | 6      | 1    | proof system ([`ProofSystem`]): 1 = Groth16, 2 = PLONK         |
//! | 7      | 1    | artifact kind ([`ArtifactKind`]): 1 = pk, 2 = vk, 3 = proof, 4 = KZG params |
//! | 8      | 1    | curve ([`CurveId`]): 1 = BN254                                  |
//! | 9      | rest | Groth16: `ark_groth16::{ProvingKey, VerifyingKey, Proof}<Bn254>`, arkworks canonical compressed serialization; PLONK: see [`plonk`] |
//!
//! Reading checks magic, version, proof system, kind and curve in that order, then the body,
//! then that nothing follows it; each failure is its own [`FormatError`] variant.
//!
//! Validation on load: verifying keys and proofs are always fully validated (points on the
//! curve and in the prime-order subgroup, canonical field elements). Proving keys are validated
//! only with [`Validate::Yes`]: a proving key is produced locally and subgroup checks on its
//! (potentially millions of) G2 points are expensive. Skipping them cannot make a false
//! statement verify — a corrupted proving key only yields proofs that fail verification, and
//! [`prove`] verifies each proof before returning it. Compressed decoding recovers `y` from
//! `x`, so points are on the curve even unvalidated; BN254's G1 has cofactor 1.

pub mod circom;
mod error;
mod format;
mod groth16;
mod keys;
pub mod msm;
mod phase2;
mod pk_decode;
pub mod plonk;
mod prove;
mod ptau;
mod setup;
mod snarkjs;
pub mod solidity;
mod verify;
mod zkey;

pub use ark_bn254::Fr;
pub use error::{BinFileKind, CircomError, FormatError, ProverError};
pub use format::{ArtifactKind, CurveId, FORMAT_VERSION, MAGIC, ProofSystem, Validate};
pub use groth16::{CANCEL_CHUNK, CancelToken, EngineProver, ProveTimings};
pub use keys::{Proof, ProofWithInputs, ProvingKey, VerifyingKey};
pub use phase2::{Contribution, Phase2, SetupError};
pub use prove::{prove, prove_cancellable};
pub use ptau::{Ptau, PtauContribution};
pub use setup::dev_setup_insecure;
pub use snarkjs::{
    JsonG1, JsonG2, SnarkjsProof, SnarkjsVerificationKey, parse_snarkjs_public, snarkjs_public,
    write_snarkjs_files,
};
pub use verify::verify;
