//! What the rollup and solvency commands share across the two proof systems: a proof or a
//! verifying key of either, read from bulwark's files and checked against each other.

use std::path::Path;

use anyhow::{Result, bail};
use bulwark_circuits::Fr;
use bulwark_prover::plonk::{KzgParams, PlonkProof, PlonkVerifyingKey, plonk_verify};
use bulwark_prover::{Proof, VerifyingKey, verify};
use bulwark_service::backend::Backend;

use crate::files;

/// A proof of either backend.
pub enum AnyProof {
    /// A Groth16 proof.
    Groth16(Box<Proof>),
    /// A PLONK proof.
    Plonk(PlonkProof),
}

/// A verifying key of either backend (a PLONK key with its KZG parameters).
// Both variants are large and a command holds one or two values, so boxing buys nothing.
#[allow(clippy::large_enum_variant)]
pub enum AnyVerifyingKey {
    /// Groth16.
    Groth16(VerifyingKey),
    /// PLONK.
    Plonk(KzgParams, PlonkVerifyingKey),
}

/// Reads KZG parameters (every point checked on the curve).
pub fn read_kzg_params(path: &Path) -> Result<KzgParams> {
    files::read_artifact(path, "KZG parameters", KzgParams::read_from)
}

impl AnyProof {
    /// Writes the proof file (its header names the proof system).
    pub fn write(&self, path: &Path) -> Result<()> {
        match self {
            Self::Groth16(p) => files::write_proof(path, p),
            Self::Plonk(p) => files::write_artifact(path, |w| p.write_to(w)),
        }
    }

    /// Reads a proof of `backend` from `path`.
    pub fn read(backend: Backend, path: &Path) -> Result<Self> {
        match backend {
            Backend::Groth16 => files::read_proof(path).map(|p| Self::Groth16(Box::new(p))),
            Backend::Plonk => {
                files::read_artifact(path, "PLONK proof", PlonkProof::read_from).map(Self::Plonk)
            }
        }
    }
}

impl AnyVerifyingKey {
    /// The key's proof system.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Groth16(_) => Backend::Groth16,
            Self::Plonk(..) => Backend::Plonk,
        }
    }

    /// Verifies `proof` for `public_inputs`; a proof of the other backend is an error.
    pub fn verify(&self, public_inputs: &[Fr], proof: &AnyProof) -> Result<()> {
        match (self, proof) {
            (Self::Groth16(vk), AnyProof::Groth16(p)) => Ok(verify(vk, public_inputs, p)?),
            (Self::Plonk(params, vk), AnyProof::Plonk(p)) => {
                Ok(plonk_verify(params, vk, public_inputs, p)?)
            }
            _ => bail!("the proof and the verifying key are of different proof systems"),
        }
    }
}
