//! The `bulwark serve` config file (TOML): every key is optional and named like its flag.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};
use serde::Deserialize;

/// The config file. Unknown keys are errors, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) listen: Option<SocketAddr>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) keys_dir: Option<PathBuf>,
    pub(super) workers: Option<usize>,
    pub(super) depth: Option<usize>,
    pub(super) batch_size: Option<usize>,
    pub(super) lease_secs: Option<f64>,
    pub(super) max_attempts: Option<u32>,
    pub(super) dev_setup_seed: Option<u64>,
    pub(super) shutdown_grace_secs: Option<f64>,
    pub(super) max_message_mib: Option<usize>,
    pub(super) allow_unauthenticated: Option<bool>,
    pub(super) max_queued: Option<u64>,
    pub(super) max_active_per_tenant: Option<u64>,
    pub(super) metrics_listen: Option<SocketAddr>,
    pub(super) retention_secs: Option<f64>,
    pub(super) tls: Option<FileTls>,
    #[serde(default)]
    pub(super) api_keys: Vec<FileApiKey>,
}

/// `[tls]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTls {
    pub(super) cert: Option<PathBuf>,
    pub(super) key: Option<PathBuf>,
    pub(super) client_ca: Option<PathBuf>,
}

/// One `[[api_keys]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileApiKey {
    pub(super) tenant: String,
    pub(super) sha256: String,
}

impl FileConfig {
    /// Reads and parses `path`; relative paths inside it stay relative to the working
    /// directory.
    pub(super) fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_parses_and_typos_are_errors() {
        let example = include_str!("../../../serve.example.toml");
        let config: FileConfig = toml::from_str(example).expect("example parses");
        assert_eq!(config.api_keys.len(), 2);
        assert!(config.tls.is_some());
        let err = toml::from_str::<FileConfig>("listne = \"127.0.0.1:1\"").expect_err("typo");
        assert!(err.to_string().contains("listne"), "{err}");
    }
}
