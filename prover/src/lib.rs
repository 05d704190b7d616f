//! bulwark's prover: keys, setup, proving, verification and serialization over BN254.
