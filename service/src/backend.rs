//! The two proof systems a statement can be proved with, as the CLI, the job store and the
//! gRPC API name them, and the KZG parameters the PLONK one needs.
//!
//! A PLONK key directory holds `kzg_params.bin` (bulwark's KZG file, sized for its circuits):
//! INSECURE dev parameters from a seed, or a ceremony's parameters read from a file and
//! downsized ([`kzg_params`]).

use std::path::{Path, PathBuf};

use bulwark_prover::ProverError;
use bulwark_prover::plonk::{KzgParams, kzg_dev_params_insecure};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// A proof system.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Groth16 (arkworks): a per-circuit setup, the smallest proofs.
    #[default]
    Groth16,
    /// PLONK with KZG (halo2, SHPLONK): one universal setup (KZG parameters) for every
    /// circuit.
    Plonk,
}

impl Backend {
    /// `groth16` or `plonk`: the name the CLI and the job store use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Groth16 => "groth16",
            Self::Plonk => "plonk",
        }
    }

    /// The gRPC API's name of the backend.
    pub fn to_pb(self) -> bulwark_proto::v1::Backend {
        match self {
            Self::Groth16 => bulwark_proto::v1::Backend::Groth16,
            Self::Plonk => bulwark_proto::v1::Backend::Plonk,
        }
    }

    /// The backend called `name` (see [`Self::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Groth16, Self::Plonk]
            .into_iter()
            .find(|b| b.name() == name)
    }
}

/// Why KZG parameters could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KzgError {
    /// The parameters file could not be opened.
    #[error("opening KZG parameters {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The parameters file is malformed or too small for the circuit.
    #[error("KZG parameters {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: ProverError,
    },
    /// Dev parameters of the size asked for cannot be made.
    #[error("INSECURE dev KZG parameters: {0}")]
    Dev(ProverError),
}

/// `<dir>/kzg_params.bin`.
pub fn kzg_params_path(dir: &Path) -> PathBuf {
    dir.join("kzg_params.bin")
}

/// Reads bulwark's KZG-parameters file at `path` (every point checked on the curve).
pub fn read_kzg_params(path: &Path) -> Result<KzgParams, KzgError> {
    let file = std::fs::File::open(path).map_err(|source| KzgError::Io {
        path: path.to_owned(),
        source,
    })?;
    KzgParams::read_from(std::io::BufReader::new(file)).map_err(|source| KzgError::File {
        path: path.to_owned(),
        source,
    })
}

/// KZG parameters for circuits of `2^k` rows: read from `file` and downsized (an error if it
/// is too small), or INSECURE dev parameters from `seed`.
pub fn kzg_params(k: u32, file: Option<&Path>, seed: u64) -> Result<KzgParams, KzgError> {
    match file {
        Some(path) => read_kzg_params(path)?
            .downsized(k)
            .map_err(|source| KzgError::File {
                path: path.to_owned(),
                source,
            }),
        None => kzg_dev_params_insecure(k, seed).map_err(KzgError::Dev),
    }
}
