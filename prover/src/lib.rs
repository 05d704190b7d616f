//! bulwark's prover: keys, setup, proving, verification and serialization over BN254.

pub mod msm;
