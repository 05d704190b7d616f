use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};

use ark_bn254::Bn254;
pub use ark_serialize::Validate;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError};

use crate::{
    FormatError, Proof, ProverError, ProvingKey, VerifyingKey, pk_decode::decode_proving_key,
};

/// The four bytes every bulwark key or proof file starts with.
pub const MAGIC: [u8; 4] = *b"BWK\0";
/// The format version this build reads and writes.
pub const FORMAT_VERSION: u16 = 1;
const HEADER_LEN: usize = 9;

/// Which proof system an artifact belongs to (header byte 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ProofSystem {
    /// Groth16 (arkworks).
    Groth16 = 1,
    /// PLONK with KZG commitments and SHPLONK openings (halo2).
    Plonk = 2,
}

/// What an artifact file holds (header byte 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ArtifactKind {
    /// A proving key.
    ProvingKey = 1,
    /// A verifying key.
    VerifyingKey = 2,
    /// A proof.
    Proof = 3,
    /// A phase-2 ceremony state ([`crate::Phase2`]).
    Phase2 = 4,
    /// KZG parameters (the universal setup's powers of tau), PLONK only.
    KzgParams = 5,
}

impl ArtifactKind {
    fn from_tag(tag: u8) -> Option<Self> {
        [
            Self::ProvingKey,
            Self::VerifyingKey,
            Self::Proof,
            Self::Phase2,
            Self::KzgParams,
        ]
        .into_iter()
        .find(|kind| *kind as u8 == tag)
    }
}

/// The curve an artifact's points live on (header byte 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CurveId {
    /// BN254 (alt_bn128, snarkjs' `bn128`).
    Bn254 = 1,
}

pub(crate) fn header(system: ProofSystem, kind: ArtifactKind) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..4].copy_from_slice(&MAGIC);
    h[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[6] = system as u8;
    h[7] = kind as u8;
    h[8] = CurveId::Bn254 as u8;
    h
}

fn check_header(
    h: &[u8; HEADER_LEN],
    system: ProofSystem,
    expected: ArtifactKind,
) -> Result<(), FormatError> {
    let mut found = [0u8; 4];
    found.copy_from_slice(&h[..4]);
    if found != MAGIC {
        return Err(FormatError::BadMagic {
            found,
            expected: MAGIC,
        });
    }
    let version = u16::from_le_bytes([h[4], h[5]]);
    if version != FORMAT_VERSION {
        return Err(FormatError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if h[6] != system as u8 {
        return Err(FormatError::WrongProofSystem {
            found: h[6],
            expected: system,
        });
    }
    if h[7] != expected as u8 {
        let found = match ArtifactKind::from_tag(h[7]) {
            Some(kind) => format!("{kind:?}"),
            None => format!("unknown tag {}", h[7]),
        };
        return Err(FormatError::WrongKind { expected, found });
    }
    if h[8] != CurveId::Bn254 as u8 {
        return Err(FormatError::WrongCurve {
            found: h[8],
            expected: CurveId::Bn254,
        });
    }
    Ok(())
}

pub(crate) fn write_artifact<T: CanonicalSerialize>(
    kind: ArtifactKind,
    body: &T,
    writer: impl Write,
) -> Result<(), FormatError> {
    let io = |source| FormatError::Io { kind, source };
    let mut w = BufWriter::new(writer);
    w.write_all(&header(ProofSystem::Groth16, kind))
        .map_err(io)?;
    body.serialize_with_mode(&mut w, Compress::Yes)
        .map_err(|e| match e {
            SerializationError::IoError(source) => FormatError::Io { kind, source },
            source => FormatError::InvalidBody { kind, source },
        })?;
    w.flush().map_err(io)
}

/// Reads header, body (with `decode`) and end of input.
pub(crate) fn read_artifact<R: Read, T>(
    kind: ArtifactKind,
    reader: R,
    decode: impl FnOnce(&mut BufReader<R>) -> Result<T, SerializationError>,
) -> Result<T, FormatError> {
    let mut r = BufReader::new(reader);
    read_header(&mut r, ProofSystem::Groth16, kind)?;
    let body = decode(&mut r).map_err(|e| match e {
        SerializationError::IoError(source) if source.kind() == ErrorKind::UnexpectedEof => {
            FormatError::Truncated { kind, part: "body" }
        }
        SerializationError::IoError(source) => FormatError::Io { kind, source },
        source => FormatError::InvalidBody { kind, source },
    })?;
    expect_end(&mut r, kind)?;
    Ok(body)
}

/// Reads and checks the header of a `system` artifact of `kind`.
pub(crate) fn read_header(
    r: &mut impl Read,
    system: ProofSystem,
    kind: ArtifactKind,
) -> Result<(), FormatError> {
    let mut h = [0u8; HEADER_LEN];
    r.read_exact(&mut h).map_err(|source| match source.kind() {
        ErrorKind::UnexpectedEof => FormatError::Truncated {
            kind,
            part: "header",
        },
        _ => FormatError::Io { kind, source },
    })?;
    check_header(&h, system, kind)
}

/// Checks that `r` has nothing left after an artifact's body.
pub(crate) fn expect_end(r: &mut impl Read, kind: ArtifactKind) -> Result<(), FormatError> {
    let mut extra = [0u8; 1];
    loop {
        match r.read(&mut extra) {
            Ok(0) => return Ok(()),
            Ok(_) => return Err(FormatError::TrailingBytes { kind }),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(source) => return Err(FormatError::Io { kind, source }),
        }
    }
}

fn checked_vk(
    kind: ArtifactKind,
    vk: ark_groth16::VerifyingKey<Bn254>,
) -> Result<VerifyingKey, FormatError> {
    if vk.gamma_abc_g1.is_empty() {
        return Err(FormatError::InvalidBody {
            kind,
            source: SerializationError::InvalidData,
        });
    }
    Ok(VerifyingKey::from_ark(vk))
}

impl ProvingKey {
    /// Writes the key (header + compressed body) through a buffered writer.
    pub fn write_to(&self, writer: impl Write) -> Result<(), ProverError> {
        Ok(write_artifact(ArtifactKind::ProvingKey, &self.pk, writer)?)
    }

    /// Reads a key written by [`ProvingKey::write_to`], reading `reader` to its end (trailing
    /// bytes are an error). With [`Validate::No`] the subgroup checks on the point vectors are
    /// skipped (see the [crate docs](crate#file-format) for why that is safe for a locally
    /// produced key); the embedded verifying key is checked either way. Points are
    /// decompressed in parallel; the verifying key is prepared on load.
    pub fn read_from(reader: impl Read, validate: Validate) -> Result<Self, ProverError> {
        let kind = ArtifactKind::ProvingKey;
        let pk = read_artifact(kind, reader, |r| decode_proving_key(r, validate))?;
        let vk = checked_vk(kind, pk.vk.clone())?;
        Ok(Self::from_parts(pk, vk))
    }
}

impl VerifyingKey {
    /// Writes the key (header + compressed body) through a buffered writer.
    pub fn write_to(&self, writer: impl Write) -> Result<(), ProverError> {
        Ok(write_artifact(
            ArtifactKind::VerifyingKey,
            &self.pvk.vk,
            writer,
        )?)
    }

    /// Reads and fully validates a key written by [`VerifyingKey::write_to`], reading `reader`
    /// to its end (trailing bytes are an error), and prepares it for verification.
    pub fn read_from(reader: impl Read) -> Result<Self, ProverError> {
        let kind = ArtifactKind::VerifyingKey;
        let vk = read_artifact(kind, reader, |r| {
            ark_groth16::VerifyingKey::<Bn254>::deserialize_compressed(r)
        })?;
        Ok(checked_vk(kind, vk)?)
    }

    /// The key as a byte vector (see [`VerifyingKey::write_to`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProverError> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Parses bytes produced by [`VerifyingKey::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProverError> {
        Self::read_from(bytes)
    }
}

impl Proof {
    /// Writes the proof (header + compressed body) through a buffered writer.
    pub fn write_to(&self, writer: impl Write) -> Result<(), ProverError> {
        Ok(write_artifact(ArtifactKind::Proof, &self.0, writer)?)
    }

    /// Reads and fully validates a proof written by [`Proof::write_to`], reading `reader` to its
    /// end (trailing bytes are an error).
    pub fn read_from(reader: impl Read) -> Result<Self, ProverError> {
        Ok(Self(read_artifact(ArtifactKind::Proof, reader, |r| {
            ark_groth16::Proof::<Bn254>::deserialize_compressed(r)
        })?))
    }

    /// The proof as a byte vector (see [`Proof::write_to`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ProverError> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Parses bytes produced by [`Proof::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProverError> {
        Self::read_from(bytes)
    }
}
