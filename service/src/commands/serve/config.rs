//! The `bulwark serve` config file (TOML): every key is optional and named like its flag.
//! `bulwark worker --config` reads the same file and uses the keys it shares with `serve`.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};
use serde::Deserialize;

/// The config file. Unknown keys are errors, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::commands) struct FileConfig {
    pub(in crate::commands) listen: Option<SocketAddr>,
    pub(in crate::commands) data_dir: Option<PathBuf>,
    pub(in crate::commands) store: Option<String>,
    pub(in crate::commands) keys_dir: Option<PathBuf>,
    pub(in crate::commands) workers: Option<usize>,
    pub(in crate::commands) depth: Option<usize>,
    pub(in crate::commands) batch_size: Option<usize>,
    pub(in crate::commands) lease_secs: Option<f64>,
    pub(in crate::commands) max_attempts: Option<u32>,
    pub(in crate::commands) dev_setup_seed: Option<u64>,
    pub(in crate::commands) kzg_params: Option<PathBuf>,
    pub(in crate::commands) shutdown_grace_secs: Option<f64>,
    pub(in crate::commands) max_message_mib: Option<usize>,
    pub(in crate::commands) allow_unauthenticated: Option<bool>,
    pub(in crate::commands) max_queued: Option<u64>,
    pub(in crate::commands) max_active_per_tenant: Option<u64>,
    pub(in crate::commands) metrics_listen: Option<SocketAddr>,
    pub(in crate::commands) retention_secs: Option<f64>,
    pub(in crate::commands) tls: Option<FileTls>,
    #[serde(default)]
    pub(in crate::commands) api_keys: Vec<FileApiKey>,
}

/// `[tls]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::commands) struct FileTls {
    pub(in crate::commands) cert: Option<PathBuf>,
    pub(in crate::commands) key: Option<PathBuf>,
    pub(in crate::commands) client_ca: Option<PathBuf>,
}

/// One `[[api_keys]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::commands) struct FileApiKey {
    pub(in crate::commands) tenant: String,
    pub(in crate::commands) sha256: String,
}

impl FileConfig {
    /// Reads and parses `path`; relative paths inside it stay relative to the working
    /// directory.
    pub(in crate::commands) fn read(path: &Path) -> Result<Self> {
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
