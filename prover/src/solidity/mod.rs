//! Solidity export: Groth16 verifier contracts and the rollup and solvency example contracts.
//!
//! [`groth16_verifier`] writes a self-contained contract with the verifying key as constants;
//! it checks a proof with one product of four pairings through the EIP-196/197 precompiles
//! (ecAdd `0x06`, ecMul `0x07`, ecPairing `0x08`). [`rollup_example`] adds `RollupExample`, a
//! contract that keeps a rollup's state root and accepts a batch only with a proof for the
//! stored root and the L1 data commitment it recomputes from calldata. [`solvency_example`]
//! adds `SolvencyExample`, where a custodian publishes book commitments and reserves with
//! their top proofs and users check their inclusion proofs in a `view` call.
//!
//! Calldata encodings: [`proof_calldata`] (256 bytes, the layout `verifyProof` reads),
//! [`field_word`] (a field element as a big-endian `uint256`) and [`rollup_l1_data`] (the
//! `l1Data` words of a batch). The templates live in `prover/contracts/`; the tests in
//! `prover/tests/evm/` compile the output with the pinned npm `solc` and run it in revm.

use std::path::{Path, PathBuf};

mod encode;
mod groth16;
mod rollup;
mod solvency;

pub use encode::{PROOF_CALLDATA_BYTES, field_word, proof_calldata, rollup_l1_data};
pub use groth16::groth16_verifier;
pub use rollup::{ROLLUP_EXAMPLE_NAME, ROLLUP_VERIFIER_NAME, rollup_example};
pub use solvency::{
    SOLVENCY_EXAMPLE_NAME, SOLVENCY_INCLUSION_VERIFIER_NAME, SOLVENCY_TOP_VERIFIER_NAME,
    solvency_example,
};

/// One generated Solidity source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoliditySource {
    /// The contract's name; also the file's stem, which imports between generated files rely on.
    pub contract_name: String,
    /// The Solidity source text.
    pub source: String,
}

impl SoliditySource {
    /// `<contract_name>.sol`.
    pub fn file_name(&self) -> String {
        format!("{}.sol", self.contract_name)
    }

    /// Writes the source to `dir/<contract_name>.sol` (`dir` must exist); returns the path.
    pub fn write_into(&self, dir: &Path) -> Result<PathBuf, SolidityError> {
        let path = dir.join(self.file_name());
        std::fs::write(&path, &self.source).map_err(|source| SolidityError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }
}

/// Why a contract could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum SolidityError {
    /// The contract name is not a Solidity identifier (`[A-Za-z_$][A-Za-z0-9_$]*`).
    #[error("`{name}` is not a valid Solidity contract name")]
    InvalidContractName {
        /// The name given.
        name: String,
    },
    /// Solidity has no zero-length arrays, and a key without public inputs needs no contract
    /// to bind a statement to calldata.
    #[error("the verifying key has no public inputs")]
    NoPublicInputs,
    /// The verifying key does not have the public inputs the contract expects.
    #[error(
        "the verifying key has {got} public input(s); the {contract} contract needs {expected}"
    )]
    PublicInputCount {
        /// The contract being generated.
        contract: &'static str,
        /// How many it needs.
        expected: usize,
        /// How many the key has.
        got: usize,
    },
    /// The batch has more operations than the key's batch size.
    #[error("the batch has {got} operations but the rollup key takes {batch_size}")]
    BatchTooLarge {
        /// The key's slots per batch.
        batch_size: usize,
        /// The batch's operation count.
        got: usize,
    },
    /// A source file could not be written.
    #[error("I/O error on {path}: {source}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Checks that `name` is a Solidity identifier.
fn check_name(name: &str) -> Result<(), SolidityError> {
    let mut chars = name.chars();
    let head_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
    if head_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
        Ok(())
    } else {
        Err(SolidityError::InvalidContractName {
            name: name.to_owned(),
        })
    }
}
