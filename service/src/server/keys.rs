//! The keys the server proves under: loaded from the keys directory, or generated there once
//! (INSECURE dev setup) when missing.

use std::path::{Path, PathBuf};

use bulwark_circuits::rollup::{RollupCircuit, RollupParams};
use bulwark_prover::{ProverError, ProvingKey, Validate, dev_setup_insecure};

/// Why keys could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing a key file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A key file is malformed, or setup failed.
    #[error("{path}: {source}")]
    Prover {
        /// The file.
        path: PathBuf,
        /// The error.
        source: ProverError,
    },
    /// The blank circuit could not be built.
    #[error("building the blank rollup circuit: {0}")]
    Circuit(#[from] bulwark_circuits::rollup::RollupError),
}

/// The rollup proving key for `params`, and its verifying key's file bytes.
pub struct RollupKeys {
    /// The shape the keys are for.
    pub params: RollupParams,
    /// The proving key (carries its verifying key).
    pub pk: ProvingKey,
    /// The verifying key as bulwark's key file.
    pub vk_bytes: Vec<u8>,
}

/// `dir/rollup-d{D}-b{B}/proving_key.bin`: where the keys for `params` live.
pub fn key_path(dir: &Path, params: RollupParams) -> PathBuf {
    dir.join(format!(
        "rollup-d{}-b{}",
        params.depth(),
        params.batch_size()
    ))
    .join("proving_key.bin")
}

/// Loads the proving key for `params` from `dir`, or, when there is none, runs the INSECURE
/// dev setup with `seed` (random when `None`) and stores it (atomically, by rename); then
/// prepares the key's queries for cancellable proving. Blocking and, for a new key, slow.
pub fn load_or_create(
    dir: &Path,
    params: RollupParams,
    seed: Option<u64>,
) -> Result<RollupKeys, KeyError> {
    let path = key_path(dir, params);
    let io = |source| KeyError::Io {
        path: path.clone(),
        source,
    };
    let prover = |source| KeyError::Prover {
        path: path.clone(),
        source,
    };
    let pk = if path.exists() {
        let file = std::fs::File::open(&path).map_err(io)?;
        // A corrupt proving key only yields proofs that fail `prove`'s self-verification.
        ProvingKey::read_from(std::io::BufReader::new(file), Validate::No).map_err(prover)?
    } else {
        let seed = seed.unwrap_or_else(rand::random);
        tracing::warn!(
            seed,
            path = %path.display(),
            "no proving key: running the INSECURE dev setup (anyone who knows the seed can \
             forge proofs; development only)"
        );
        let pk = dev_setup_insecure(RollupCircuit::blank(params)?, seed).map_err(prover)?;
        let mut bytes = Vec::new();
        pk.write_to(&mut bytes).map_err(prover)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, &bytes).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        pk
    };
    // Workers prove with `prove_cancellable`; its first call would otherwise prepare the
    // queries, and could not be cancelled while doing so.
    pk.prepare_cancellable();
    let mut vk_bytes = Vec::new();
    pk.verifying_key().write_to(&mut vk_bytes).map_err(prover)?;
    Ok(RollupKeys {
        params,
        pk,
        vk_bytes,
    })
}
