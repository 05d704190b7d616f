//! The key directory of `solvency setup`: one key pair per circuit and `params.json`
//! (`{"statement": "solvency", "assets", "batch_bits", "top_bits", "setup", "seed",
//! "backend"}`; `backend` is `groth16` when absent, see [`super::backend`]).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bulwark_circuits::solvency::SolvencyParams;
use bulwark_prover::{ProvingKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::backend::Backend;
use super::documents::STATEMENT;
use crate::files;

/// `"insecure-dev"`: toxic waste derived from the seed; anyone who knows it can forge.
pub const INSECURE_DEV: &str = "insecure-dev";

/// The three circuits, each with its own key pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Circuit {
    /// One batch of `2^b` users.
    Batch,
    /// The top: batch commitments, book commitment, reserves.
    Top,
    /// One user's inclusion.
    Inclusion,
}

impl Circuit {
    /// All three, in setup order; circuit `i` gets the dev-setup seed `seed + i`.
    pub const ALL: [Circuit; 3] = [Circuit::Batch, Circuit::Top, Circuit::Inclusion];

    /// `batch`, `top` or `inclusion`.
    pub fn name(self) -> &'static str {
        match self {
            Circuit::Batch => "batch",
            Circuit::Top => "top",
            Circuit::Inclusion => "inclusion",
        }
    }

    /// `<dir>/<circuit>_proving_key.bin`.
    pub fn pk_path(self, dir: &Path) -> PathBuf {
        dir.join(format!("{}_proving_key.bin", self.name()))
    }

    /// `<dir>/<circuit>_verifying_key.bin`.
    pub fn vk_path(self, dir: &Path) -> PathBuf {
        dir.join(format!("{}_verifying_key.bin", self.name()))
    }

    /// Reads this circuit's proving key from `dir`.
    pub fn read_pk(self, dir: &Path) -> Result<ProvingKey> {
        files::read_pk(&self.pk_path(dir))
    }

    /// Reads this circuit's verifying key from `dir`.
    pub fn read_vk(self, dir: &Path) -> Result<VerifyingKey> {
        files::read_vk(&self.vk_path(dir))
    }
}

/// `params.json` as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyParams {
    statement: String,
    assets: usize,
    batch_bits: usize,
    top_bits: usize,
    setup: String,
    seed: u64,
    #[serde(default)]
    backend: Backend,
}

impl KeyParams {
    /// The record of an insecure dev setup of `params` from `seed` on `backend`.
    pub fn insecure_dev(params: SolvencyParams, seed: u64, backend: Backend) -> Self {
        Self {
            statement: STATEMENT.into(),
            assets: params.assets(),
            batch_bits: params.batch_bits(),
            top_bits: params.top_bits(),
            setup: INSECURE_DEV.into(),
            seed,
            backend,
        }
    }
}

/// `<dir>/params.json`.
pub fn params_path(dir: &Path) -> PathBuf {
    dir.join("params.json")
}

/// Reads `<dir>/params.json`: the shape the keys were made for (warning on dev keys).
pub fn read_params(dir: &Path) -> Result<SolvencyParams> {
    read_params_and_backend(dir).map(|(params, _)| params)
}

/// [`read_params`] and the keys' backend.
pub fn read_params_and_backend(dir: &Path) -> Result<(SolvencyParams, Backend)> {
    let path = params_path(dir);
    let kp: KeyParams = files::read_json(&path, "key parameters")
        .context("the key directory needs the params.json written by `solvency setup`")?;
    if kp.statement != STATEMENT {
        bail!(
            "{}: statement is {:?}, expected {STATEMENT:?}",
            path.display(),
            kp.statement
        );
    }
    if kp.setup == INSECURE_DEV {
        tracing::warn!(
            seed = kp.seed,
            "INSECURE dev keys: anyone who knows the seed can forge proofs"
        );
    }
    let params = SolvencyParams::new(kp.assets, kp.batch_bits, kp.top_bits)
        .with_context(|| format!("{}: invalid parameters", path.display()))?;
    Ok((params, kp.backend))
}

/// Fails unless the keys in `dir` were made for `expected` (the statement's shape).
/// Returns the keys' backend.
pub fn check_params(dir: &Path, expected: SolvencyParams) -> Result<Backend> {
    let (found, backend) = read_params_and_backend(dir)?;
    if found != expected {
        bail!(
            "the keys in {} are for {} assets, batches of 2^{}, 2^{} batches; the statement has \
             {} assets, batches of 2^{}, 2^{} batches",
            dir.display(),
            found.assets(),
            found.batch_bits(),
            found.top_bits(),
            expected.assets(),
            expected.batch_bits(),
            expected.top_bits()
        );
    }
    Ok(backend)
}
