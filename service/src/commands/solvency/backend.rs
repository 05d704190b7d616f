//! The proof system of a solvency key directory (`params.json`'s `backend`): Groth16 for
//! every circuit, or PLONK/KZG (halo2, SHPLONK) for every circuit (the batch, top and
//! inclusion circuits have halo2 twins consuming the same witnesses, with the same public
//! inputs).
//!
//! A PLONK key directory holds `kzg_params.bin` (sized for the largest of its circuits; each
//! circuit uses a downsized copy) and `<circuit>_plonk_{proving,verifying}_key.bin`, generated
//! once by `solvency setup --backend plonk` and reused by every proof.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use bulwark_circuits::Fr;
use bulwark_circuits::halo2::{
    AssetCount, SolvencyBatchCircuit, SolvencyInclusionCircuit, SolvencyTopCircuit, TopShape,
    fitting_k,
};
use bulwark_circuits::solvency::{BatchCircuit, InclusionCircuit, SolvencyParams, TopCircuit};
use bulwark_prover::plonk::{
    KzgParams, PlonkProvingKey, PlonkVerifyingKey, plonk_keygen, plonk_prove,
};
use bulwark_prover::solidity::{PlonkVerifierContracts, plonk_verifier};
pub use bulwark_service::backend::{Backend, kzg_params_path};

use super::keys::Circuit;
pub use crate::commands::backend::{AnyProof, AnyVerifyingKey, read_kzg_params};
use crate::files;

impl Circuit {
    /// `<dir>/<circuit>_plonk_proving_key.bin`.
    pub fn plonk_pk_path(self, dir: &Path) -> PathBuf {
        dir.join(format!("{}_plonk_proving_key.bin", self.name()))
    }

    /// `<dir>/<circuit>_plonk_verifying_key.bin`.
    pub fn plonk_vk_path(self, dir: &Path) -> PathBuf {
        dir.join(format!("{}_plonk_verifying_key.bin", self.name()))
    }
}

/// A circuit with its witness, for either backend.
pub enum Witness {
    /// One batch.
    Batch(BatchCircuit),
    /// The top.
    Top(TopCircuit),
    /// One user's inclusion.
    Inclusion(InclusionCircuit),
}

impl Witness {
    /// The blank circuit of `circuit`'s shape.
    fn blank(circuit: Circuit, params: SolvencyParams) -> Self {
        match circuit {
            Circuit::Batch => Self::Batch(BatchCircuit::blank(params)),
            Circuit::Top => Self::Top(TopCircuit::blank(params)),
            Circuit::Inclusion => Self::Inclusion(InclusionCircuit::blank(params)),
        }
    }

    /// The public inputs, in the order both backends take them (an error if the top's
    /// statement does not have its parameters' shape).
    pub fn public_inputs(&self) -> Result<Vec<Fr>> {
        Ok(match self {
            Self::Batch(c) => c.public_inputs(),
            Self::Top(c) => c.statement.top_public_inputs()?,
            Self::Inclusion(c) => c.claim.public_inputs(),
        })
    }

    /// The rows exponent `k` of the halo2 circuit.
    fn halo2_k(&self) -> Result<u32> {
        match self {
            Self::Batch(c) => fitting_k(&SolvencyBatchCircuit(c.clone())),
            Self::Top(c) => fitting_k(&SolvencyTopCircuit(c.clone())),
            Self::Inclusion(c) => fitting_k(&SolvencyInclusionCircuit(c.clone())),
        }
        .map_err(|e| anyhow!("laying out the halo2 circuit: {e}"))
    }
}

/// A PLONK proving key with the KZG parameters of its size.
pub struct PlonkKey {
    params: KzgParams,
    pk: PlonkProvingKey,
}

/// KZG parameters for every PLONK circuit of `params`: read from `file` (downsized to what
/// the circuits need; an error if it is too small) or INSECURE dev parameters from `seed`.
pub fn setup_kzg_params(
    params: SolvencyParams,
    file: Option<&Path>,
    seed: u64,
) -> Result<KzgParams> {
    let mut k = 0;
    for circuit in Circuit::ALL {
        k = k.max(Witness::blank(circuit, params).halo2_k()?);
    }
    bulwark_service::backend::kzg_params(k, file, seed)
        .with_context(|| format!("KZG parameters for circuits of 2^{k} rows"))
}

/// Generates `circuit`'s PLONK keys with `kzg` (downsized to the circuit) and writes them
/// into `dir`.
pub fn plonk_setup(
    circuit: Circuit,
    params: SolvencyParams,
    kzg: &KzgParams,
    dir: &Path,
) -> Result<()> {
    let blank = Witness::blank(circuit, params);
    let kzg = kzg.downsized(blank.halo2_k()?)?;
    let pk = match blank {
        Witness::Batch(c) => plonk_keygen(&kzg, &SolvencyBatchCircuit(c)),
        Witness::Top(c) => plonk_keygen(&kzg, &SolvencyTopCircuit(c)),
        Witness::Inclusion(c) => plonk_keygen(&kzg, &SolvencyInclusionCircuit(c)),
    }
    .with_context(|| format!("PLONK keygen of the {} circuit", circuit.name()))?;
    files::write_artifact(&circuit.plonk_pk_path(dir), |w| pk.write_to(w))?;
    files::write_artifact(&circuit.plonk_vk_path(dir), |w| {
        pk.verifying_key().write_to(w)
    })
}

/// Reads `circuit`'s PLONK proving key and the KZG parameters of its size from `dir`.
pub fn read_plonk_key(circuit: Circuit, params: SolvencyParams, dir: &Path) -> Result<PlonkKey> {
    let path = circuit.plonk_pk_path(dir);
    let assets = AssetCount(params.assets());
    let pk = match circuit {
        Circuit::Batch => files::read_artifact(&path, "PLONK proving key", |r| {
            PlonkProvingKey::read_from::<SolvencyBatchCircuit>(r, assets)
        }),
        Circuit::Top => files::read_artifact(&path, "PLONK proving key", |r| {
            PlonkProvingKey::read_from::<SolvencyTopCircuit>(r, TopShape::of(&params))
        }),
        Circuit::Inclusion => files::read_artifact(&path, "PLONK proving key", |r| {
            PlonkProvingKey::read_from::<SolvencyInclusionCircuit>(r, assets)
        }),
    }?;
    let params = read_kzg_params(&kzg_params_path(dir))?.downsized(pk.verifying_key().k())?;
    Ok(PlonkKey { params, pk })
}

/// Reads a PLONK verifying key of `circuit` (of shape `params`) from `path`, with the KZG
/// parameters at `kzg` downsized to its size.
pub fn read_plonk_vk(
    circuit: Circuit,
    params: SolvencyParams,
    path: &Path,
    kzg: &Path,
) -> Result<(KzgParams, PlonkVerifyingKey)> {
    let assets = AssetCount(params.assets());
    let vk = match circuit {
        Circuit::Batch => files::read_artifact(path, "PLONK verifying key", |r| {
            PlonkVerifyingKey::read_from::<SolvencyBatchCircuit>(r, assets)
        }),
        Circuit::Top => files::read_artifact(path, "PLONK verifying key", |r| {
            PlonkVerifyingKey::read_from::<SolvencyTopCircuit>(r, TopShape::of(&params))
        }),
        Circuit::Inclusion => files::read_artifact(path, "PLONK verifying key", |r| {
            PlonkVerifyingKey::read_from::<SolvencyInclusionCircuit>(r, assets)
        }),
    }?;
    let params = read_kzg_params(kzg)?.downsized(vk.k())?;
    Ok((params, vk))
}

/// The EVM verifiers of a PLONK key directory, each in EIP-170-sized parts:
/// `SolvencyBatchPlonkVerifier`, `SolvencyTopPlonkVerifier` and
/// `SolvencyInclusionPlonkVerifier` (calldata of the entry part: public inputs, then the proof
/// file's body).
pub fn plonk_verifier_contracts(dir: &Path) -> Result<Vec<PlonkVerifierContracts>> {
    let (params, backend) = super::keys::read_params_and_backend(dir)?;
    if backend != Backend::Plonk {
        bail!("the keys in {} are not PLONK keys", dir.display());
    }
    let kzg = kzg_params_path(dir);
    [
        (Circuit::Batch, "SolvencyBatchPlonkVerifier"),
        (Circuit::Top, "SolvencyTopPlonkVerifier"),
        (Circuit::Inclusion, "SolvencyInclusionPlonkVerifier"),
    ]
    .into_iter()
    .map(|(circuit, name)| {
        let public = Witness::blank(circuit, params).public_inputs()?.len();
        let (kzg, vk) = read_plonk_vk(circuit, params, &circuit.plonk_vk_path(dir), &kzg)?;
        plonk_verifier(&kzg, &vk, public, name)
            .with_context(|| format!("generating the {} verifier", circuit.name()))
    })
    .collect()
}

/// Proves `witness` with a PLONK key (the proof is self-verified).
pub fn plonk_prove_witness(key: &PlonkKey, witness: Witness) -> Result<AnyProof> {
    let public = witness.public_inputs()?;
    let rng = rand::rngs::OsRng;
    let proof = match witness {
        Witness::Batch(c) => {
            plonk_prove(&key.params, &key.pk, &SolvencyBatchCircuit(c), &public, rng)
        }
        Witness::Top(c) => plonk_prove(&key.params, &key.pk, &SolvencyTopCircuit(c), &public, rng),
        Witness::Inclusion(c) => plonk_prove(
            &key.params,
            &key.pk,
            &SolvencyInclusionCircuit(c),
            &public,
            rng,
        ),
    }?;
    Ok(AnyProof::Plonk(proof))
}
