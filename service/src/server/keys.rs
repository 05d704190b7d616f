//! The keys the server proves under: loaded from the keys directory, or generated there once
//! (INSECURE dev setup) when missing. The Groth16 key is loaded at start; the PLONK keys
//! ([`load_or_create_plonk`], the same files `bulwark rollup prove --backend plonk` uses) on
//! the first PLONK job or key request ([`LazyPlonkKeys`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bulwark_circuits::halo2::{RollupBatchCircuit, fitting_k};
use bulwark_circuits::rollup::{RollupCircuit, RollupParams};
use bulwark_prover::plonk::{KzgParams, PlonkProvingKey, plonk_keygen, plonk_prove};
use bulwark_prover::{Fr, ProverError, ProvingKey, Validate, dev_setup_insecure};

use crate::backend::{self, KzgError};

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
    /// The halo2 circuit could not be laid out.
    #[error("laying out the halo2 rollup circuit: {0}")]
    Layout(String),
    /// The KZG parameters could not be read or made.
    #[error(transparent)]
    Kzg(#[from] KzgError),
    /// Making the keys panicked.
    #[error("making the keys panicked: {0}")]
    Panicked(String),
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

/// `dir/rollup-d{D}-b{B}`: the key directory for `params`.
pub fn key_dir(dir: &Path, params: RollupParams) -> PathBuf {
    dir.join(format!(
        "rollup-d{}-b{}",
        params.depth(),
        params.batch_size()
    ))
}

/// `dir/rollup-d{D}-b{B}/proving_key.bin`: where the Groth16 keys for `params` live.
pub fn key_path(dir: &Path, params: RollupParams) -> PathBuf {
    key_dir(dir, params).join("proving_key.bin")
}

/// Writes `bytes` to `path` atomically (a temporary file, then a rename), creating the
/// parent directory.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
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
        write_atomic(&path, &bytes)?;
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

/// The rollup's PLONK proving key with the KZG parameters of its size, and the files a
/// verifier needs.
pub struct PlonkKeys {
    /// The shape the keys are for.
    pub params: RollupParams,
    /// KZG parameters of the circuit's size.
    pub kzg: KzgParams,
    /// The proving key (carries its verifying key).
    pub pk: PlonkProvingKey,
    /// The verifying key as bulwark's key file.
    pub vk_bytes: Vec<u8>,
    /// The KZG parameters as bulwark's KZG file.
    pub kzg_bytes: Vec<u8>,
}

/// A PLONK rollup proof: bulwark's proof file and the public inputs
/// `[old_root, new_root, commitment]`.
pub struct PlonkProved {
    /// The proof file's bytes.
    pub proof: Vec<u8>,
    /// The public inputs.
    pub public_inputs: Vec<Fr>,
}

impl PlonkKeys {
    /// Proves `circuit` (the proof is self-verified) and encodes the proof file.
    pub fn prove(&self, circuit: RollupCircuit) -> Result<PlonkProved, ProverError> {
        let public_inputs = circuit.public_inputs().to_vec();
        let proof = plonk_prove(
            &self.kzg,
            &self.pk,
            &RollupBatchCircuit(circuit),
            &public_inputs,
            rand::rngs::OsRng,
        )?;
        let mut bytes = Vec::new();
        proof.write_to(&mut bytes)?;
        Ok(PlonkProved {
            proof: bytes,
            public_inputs,
        })
    }
}

/// `<dir>/plonk_proving_key.bin`.
pub fn plonk_pk_path(dir: &Path) -> PathBuf {
    dir.join("plonk_proving_key.bin")
}

/// `<dir>/plonk_verifying_key.bin`.
pub fn plonk_vk_path(dir: &Path) -> PathBuf {
    dir.join("plonk_verifying_key.bin")
}

/// Loads the rollup PLONK keys for `params` from the key directory `dir`
/// (`plonk_proving_key.bin`, `kzg_params.bin`), or, when there are none, makes them: KZG
/// parameters read from `kzg_file` (downsized to the circuit) or INSECURE dev parameters from
/// `seed` (random when `None`), then halo2 keygen; and stores `kzg_params.bin`,
/// `plonk_verifying_key.bin` and, last, `plonk_proving_key.bin` (each atomically, by rename).
/// Blocking and, for new keys, slow.
pub fn load_or_create_plonk(
    dir: &Path,
    params: RollupParams,
    kzg_file: Option<&Path>,
    seed: Option<u64>,
) -> Result<PlonkKeys, KeyError> {
    let pk_path = plonk_pk_path(dir);
    let kzg_path = backend::kzg_params_path(dir);
    let prover = |path: &Path| {
        let path = path.to_owned();
        move |source| KeyError::Prover { path, source }
    };
    let (kzg, pk, created) = if pk_path.exists() {
        let file = std::fs::File::open(&pk_path).map_err(|source| KeyError::Io {
            path: pk_path.clone(),
            source,
        })?;
        let pk =
            PlonkProvingKey::read_from::<RollupBatchCircuit>(std::io::BufReader::new(file), ())
                .map_err(prover(&pk_path))?;
        let kzg = backend::read_kzg_params(&kzg_path)?
            .downsized(pk.verifying_key().k())
            .map_err(prover(&kzg_path))?;
        (kzg, pk, false)
    } else {
        let blank = RollupBatchCircuit(RollupCircuit::blank(params)?);
        let k = fitting_k(&blank).map_err(|e| KeyError::Layout(e.to_string()))?;
        let seed = seed.unwrap_or_else(rand::random);
        if kzg_file.is_none() {
            tracing::warn!(
                seed,
                dir = %dir.display(),
                "no PLONK keys: making them with INSECURE dev KZG parameters (anyone who knows \
                 the seed can forge proofs; development only)"
            );
        }
        let kzg = backend::kzg_params(k, kzg_file, seed)?;
        let pk = plonk_keygen(&kzg, &blank).map_err(prover(&pk_path))?;
        (kzg, pk, true)
    };
    let mut vk_bytes = Vec::new();
    pk.verifying_key()
        .write_to(&mut vk_bytes)
        .map_err(prover(&pk_path))?;
    let mut kzg_bytes = Vec::new();
    kzg.write_to(&mut kzg_bytes).map_err(prover(&kzg_path))?;
    if created {
        // The files get the bytes that are served; the proving key goes last, so its presence
        // means the set is complete.
        write_atomic(&kzg_path, &kzg_bytes)?;
        write_atomic(&plonk_vk_path(dir), &vk_bytes)?;
        let mut pk_bytes = Vec::new();
        pk.write_to(&mut pk_bytes).map_err(prover(&pk_path))?;
        write_atomic(&pk_path, &pk_bytes)?;
    }
    Ok(PlonkKeys {
        params,
        kzg,
        pk,
        vk_bytes,
        kzg_bytes,
    })
}

/// The server's PLONK keys, loaded or made on first use (the first PLONK job or key
/// request; later callers wait for it) and then shared. A failure is not cached: the next
/// use tries again.
pub struct LazyPlonkKeys {
    dir: PathBuf,
    params: RollupParams,
    kzg_file: Option<PathBuf>,
    seed: Option<u64>,
    keys: tokio::sync::OnceCell<Arc<PlonkKeys>>,
}

impl LazyPlonkKeys {
    /// The keys for `params` under the keys directory `keys_dir` (see [`key_dir`]), made
    /// with `kzg_file`'s parameters or INSECURE dev ones from `seed`.
    pub fn new(
        keys_dir: &Path,
        params: RollupParams,
        kzg_file: Option<PathBuf>,
        seed: Option<u64>,
    ) -> Self {
        Self {
            dir: key_dir(keys_dir, params),
            params,
            kzg_file,
            seed,
            keys: tokio::sync::OnceCell::new(),
        }
    }

    /// The keys, loading or making them on the blocking pool the first time.
    pub async fn get(&self) -> Result<Arc<PlonkKeys>, KeyError> {
        self.keys
            .get_or_try_init(|| async {
                let (dir, params, kzg_file, seed) = (
                    self.dir.clone(),
                    self.params,
                    self.kzg_file.clone(),
                    self.seed,
                );
                let keys = tokio::task::spawn_blocking(move || {
                    load_or_create_plonk(&dir, params, kzg_file.as_deref(), seed)
                })
                .await
                .map_err(|e| KeyError::Panicked(e.to_string()))??;
                tracing::info!(k = keys.pk.verifying_key().k(), "PLONK proving key ready");
                Ok(Arc::new(keys))
            })
            .await
            .cloned()
    }
}
