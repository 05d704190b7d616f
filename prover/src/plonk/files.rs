//! PLONK artifacts on disk: the bulwark header (proof system PLONK), then halo2's encoding.

use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};

use bulwark_circuits::halo2::Fp;
use halo2_proofs::SerdeFormat;
use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_proofs::plonk::{self, Circuit};
use halo2_proofs::poly::kzg::commitment::ParamsKZG;

use super::{KzgParams, PlonkProof, PlonkProvingKey, PlonkVerifyingKey};
use crate::format::{expect_end, header, read_header};
use crate::{ArtifactKind, FormatError, ProofSystem, ProverError};

/// halo2's point encoding: uncompressed, coordinates checked on read.
const FORMAT: SerdeFormat = SerdeFormat::RawBytes;

fn write_artifact(
    kind: ArtifactKind,
    writer: impl Write,
    body: impl FnOnce(&mut BufWriter<&mut dyn Write>) -> std::io::Result<()>,
) -> Result<(), ProverError> {
    let mut writer = writer;
    let io = |source| FormatError::Io { kind, source };
    let mut w = BufWriter::new(&mut writer as &mut dyn Write);
    w.write_all(&header(ProofSystem::Plonk, kind)).map_err(io)?;
    body(&mut w).map_err(io)?;
    w.flush().map_err(io)?;
    Ok(())
}

fn read_artifact<R: Read, T>(
    kind: ArtifactKind,
    reader: R,
    body: impl FnOnce(&mut BufReader<R>) -> std::io::Result<T>,
) -> Result<T, ProverError> {
    let mut r = BufReader::new(reader);
    read_header(&mut r, ProofSystem::Plonk, kind)?;
    let value = body(&mut r).map_err(|source| match source.kind() {
        ErrorKind::UnexpectedEof => FormatError::Truncated { kind, part: "body" },
        _ => FormatError::InvalidHalo2Body { kind, source },
    })?;
    expect_end(&mut r, kind)?;
    Ok(value)
}

impl KzgParams {
    /// Writes the parameters (header + halo2 encoding).
    pub fn write_to(&self, writer: impl Write) -> Result<(), ProverError> {
        write_artifact(ArtifactKind::KzgParams, writer, |w| {
            self.inner.write_custom(w, FORMAT)
        })
    }

    /// Reads parameters written by [`Self::write_to`]; every point is checked on the curve.
    pub fn read_from(reader: impl Read) -> Result<Self, ProverError> {
        read_artifact(ArtifactKind::KzgParams, reader, |r| {
            ParamsKZG::<Bn256>::read_custom(r, FORMAT).map(|inner| Self { inner })
        })
    }
}

impl PlonkProvingKey {
    /// Writes the key (header + halo2 encoding).
    pub fn write_to(&self, writer: impl Write) -> Result<(), ProverError> {
        write_artifact(ArtifactKind::ProvingKey, writer, |w| {
            self.pk.write(w, FORMAT)
        })
    }

    /// Reads a key of circuit type `C` with halo2 circuit parameters `params` (they fix the
    /// circuit's configuration, e.g. the asset count).
    pub fn read_from<C: Circuit<Fp>>(
        reader: impl Read,
        params: C::Params,
    ) -> Result<Self, ProverError> {
        read_artifact(ArtifactKind::ProvingKey, reader, |r| {
            plonk::ProvingKey::<G1Affine>::read::<_, C>(r, FORMAT, params).map(|pk| Self { pk })
        })
    }
}

impl PlonkVerifyingKey {
    /// Writes the key (header + halo2 encoding).
    pub fn write_to(&self, writer: impl Write) -> Result<(), ProverError> {
        write_artifact(ArtifactKind::VerifyingKey, writer, |w| {
            self.vk.write(w, FORMAT)
        })
    }

    /// Reads a key of circuit type `C` with halo2 circuit parameters `params`.
    pub fn read_from<C: Circuit<Fp>>(
        reader: impl Read,
        params: C::Params,
    ) -> Result<Self, ProverError> {
        read_artifact(ArtifactKind::VerifyingKey, reader, |r| {
            plonk::VerifyingKey::<G1Affine>::read::<_, C>(r, FORMAT, params).map(|vk| Self { vk })
        })
    }
}

impl PlonkProof {
    /// Writes the proof (header + `u32` length + transcript bytes).
    pub fn write_to(&self, writer: impl Write) -> Result<(), ProverError> {
        write_artifact(ArtifactKind::Proof, writer, |w| {
            let len = u32::try_from(self.bytes.len())
                .map_err(|_| std::io::Error::new(ErrorKind::InvalidInput, "proof over 4 GiB"))?;
            w.write_all(&len.to_le_bytes())?;
            w.write_all(&self.bytes)
        })
    }

    /// Reads a proof written by [`Self::write_to`].
    pub fn read_from(reader: impl Read) -> Result<Self, ProverError> {
        read_artifact(ArtifactKind::Proof, reader, |r| {
            let mut len = [0u8; 4];
            r.read_exact(&mut len)?;
            let len = u32::from_le_bytes(len) as usize;
            let mut bytes = Vec::new();
            r.take(len as u64).read_to_end(&mut bytes)?;
            if bytes.len() != len {
                return Err(std::io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "proof truncated",
                ));
            }
            Ok(Self { bytes })
        })
    }
}
