//! The iden3 binary container shared by `.r1cs`, `.wtns`, `.ptau` and `.zkey`.
//!
//! Layout (integers little-endian): 4-byte magic (`r1cs`, `wtns`, `ptau`, `zkey`), `u32`
//! version, `u32` number of sections, then each section as `u32` id, `u64` byte length and its
//! bytes. Sections may come in any order; readers look them up by id.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};

use ark_bn254::Fr;
use ark_ff::{BigInt, BigInteger, PrimeField};

use crate::{BinFileKind, CircomError};

impl BinFileKind {
    /// The four magic bytes of this kind of file.
    pub(crate) fn magic(self) -> [u8; 4] {
        match self {
            Self::R1cs => *b"r1cs",
            Self::Wtns => *b"wtns",
            Self::Ptau => *b"ptau",
            Self::Zkey => *b"zkey",
        }
    }

    /// The highest container version this build reads.
    fn max_version(self) -> u32 {
        match self {
            Self::Wtns => 2,
            Self::R1cs | Self::Ptau | Self::Zkey => 1,
        }
    }

    pub(crate) fn io(self, source: std::io::Error) -> CircomError {
        if source.kind() == ErrorKind::UnexpectedEof {
            self.truncated("the file")
        } else {
            CircomError::Io { kind: self, source }
        }
    }

    pub(crate) fn truncated(self, what: impl Into<String>) -> CircomError {
        CircomError::Truncated {
            kind: self,
            what: what.into(),
        }
    }

    pub(crate) fn malformed(self, what: impl Into<String>) -> CircomError {
        CircomError::Malformed {
            kind: self,
            what: what.into(),
        }
    }
}

/// Where one section's bytes lie in the file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Section {
    pub(crate) offset: u64,
    pub(crate) size: u64,
}

/// An open container: its section table, and the reader to fetch section bytes from.
pub(crate) struct BinFile<R> {
    kind: BinFileKind,
    reader: R,
    sections: BTreeMap<u32, Vec<Section>>,
}

impl<R: Read + Seek> BinFile<R> {
    /// Reads magic, version and the section table (not the sections' contents).
    pub(crate) fn open(kind: BinFileKind, mut reader: R) -> Result<Self, CircomError> {
        let len = reader.seek(SeekFrom::End(0)).map_err(|e| kind.io(e))?;
        reader.seek(SeekFrom::Start(0)).map_err(|e| kind.io(e))?;
        let mut head = [0u8; 12];
        reader
            .read_exact(&mut head)
            .map_err(|_| kind.truncated("the file header"))?;
        let mut found = [0u8; 4];
        found.copy_from_slice(&head[..4]);
        if found != kind.magic() {
            return Err(CircomError::BadMagic { kind, found });
        }
        let version = le_u32(&head[4..8]);
        if version == 0 || version > kind.max_version() {
            return Err(CircomError::UnsupportedVersion {
                kind,
                found: version,
                max: kind.max_version(),
            });
        }
        let count = le_u32(&head[8..12]);
        let mut sections: BTreeMap<u32, Vec<Section>> = BTreeMap::new();
        let mut pos = 12u64;
        for i in 0..count {
            let mut sh = [0u8; 12];
            reader
                .read_exact(&mut sh)
                .map_err(|_| kind.truncated(format!("the header of section #{i}")))?;
            let id = le_u32(&sh[..4]);
            let size = le_u64(&sh[4..]);
            let offset = pos + 12;
            let end = offset
                .checked_add(size)
                .filter(|&end| end <= len)
                .ok_or_else(|| kind.truncated(format!("section {id} ({size} bytes announced)")))?;
            sections
                .entry(id)
                .or_default()
                .push(Section { offset, size });
            pos = reader.seek(SeekFrom::Start(end)).map_err(|e| kind.io(e))?;
        }
        Ok(Self {
            kind,
            reader,
            sections,
        })
    }

    /// Whether section `id` is present.
    pub(crate) fn has(&self, id: u32) -> bool {
        self.sections.contains_key(&id)
    }

    /// The unique section `id`.
    pub(crate) fn section(&self, id: u32, name: &'static str) -> Result<Section, CircomError> {
        match self.sections.get(&id).map(Vec::as_slice) {
            None | Some([]) => Err(CircomError::MissingSection {
                kind: self.kind,
                id,
                name,
            }),
            Some([one]) => Ok(*one),
            Some(_) => Err(CircomError::DuplicateSection {
                kind: self.kind,
                id,
            }),
        }
    }

    /// All of section `id`.
    pub(crate) fn read_section(
        &mut self,
        id: u32,
        name: &'static str,
    ) -> Result<Vec<u8>, CircomError> {
        let s = self.section(id, name)?;
        self.read_range(id, name, 0, s.size)
    }

    /// `len` bytes of section `id` from byte `start` of the section.
    pub(crate) fn read_range(
        &mut self,
        id: u32,
        name: &'static str,
        start: u64,
        len: u64,
    ) -> Result<Vec<u8>, CircomError> {
        let s = self.section(id, name)?;
        if start.checked_add(len).is_none_or(|end| end > s.size) {
            return Err(CircomError::SectionSize {
                kind: self.kind,
                id,
                expected: start.saturating_add(len),
                found: s.size,
            });
        }
        let len = usize::try_from(len).map_err(|_| self.kind.malformed("section too large"))?;
        self.reader
            .seek(SeekFrom::Start(s.offset + start))
            .map_err(|e| self.kind.io(e))?;
        let mut out = vec![0u8; len];
        self.reader
            .read_exact(&mut out)
            .map_err(|e| self.kind.io(e))?;
        Ok(out)
    }
}

/// Writes a container of `kind` with the given sections, in order.
pub(crate) fn write_bin_file(
    kind: BinFileKind,
    version: u32,
    sections: &[(u32, &[u8])],
    mut w: impl Write,
) -> Result<(), CircomError> {
    let io = |e| kind.io(e);
    w.write_all(&kind.magic()).map_err(io)?;
    w.write_all(&version.to_le_bytes()).map_err(io)?;
    let count = u32::try_from(sections.len()).map_err(|_| kind.malformed("too many sections"))?;
    w.write_all(&count.to_le_bytes()).map_err(io)?;
    for (id, bytes) in sections {
        w.write_all(&id.to_le_bytes()).map_err(io)?;
        w.write_all(&(bytes.len() as u64).to_le_bytes())
            .map_err(io)?;
        w.write_all(bytes).map_err(io)?;
    }
    w.flush().map_err(io)
}

/// A little-endian cursor over one section's bytes.
pub(crate) struct Cursor<'a> {
    kind: BinFileKind,
    what: &'static str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(kind: BinFileKind, what: &'static str, bytes: &'a [u8]) -> Self {
        Self {
            kind,
            what,
            bytes,
            pos: 0,
        }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], CircomError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| self.kind.truncated(self.what))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, CircomError> {
        self.take(4).map(le_u32)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, CircomError> {
        self.take(8).map(le_u64)
    }

    /// Bytes not yet read.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
}

pub(crate) fn le_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

pub(crate) fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

/// Four little-endian 64-bit limbs from 32 bytes.
pub(crate) fn limbs(b: &[u8]) -> BigInt<4> {
    BigInt([
        le_u64(&b[0..8]),
        le_u64(&b[8..16]),
        le_u64(&b[16..24]),
        le_u64(&b[24..32]),
    ])
}

/// Scalar-field elements are 32 bytes in files: `n8 = 32`.
pub(crate) const FR_BYTES: usize = 32;

/// Reads the `n8`/prime pair at the start of an `.r1cs`, `.wtns` or `.zkey` header and checks it
/// names BN254's scalar field.
pub(crate) fn check_scalar_field(c: &mut Cursor<'_>, kind: BinFileKind) -> Result<(), CircomError> {
    check_prime(c, kind, "scalar field prime", &Fr::MODULUS.to_bytes_le())
}

/// Reads an `n8`-prefixed prime and compares it with `expected` (32 little-endian bytes).
pub(crate) fn check_prime(
    c: &mut Cursor<'_>,
    kind: BinFileKind,
    what: &'static str,
    expected: &[u8],
) -> Result<(), CircomError> {
    let n8 = c.u32()? as usize;
    let prime = c.take(n8)?;
    if prime != expected {
        let found = num_decimal(prime);
        return Err(CircomError::WrongCurve { kind, what, found });
    }
    Ok(())
}

/// A little-endian unsigned integer of any length in decimal (for error messages).
fn num_decimal(le: &[u8]) -> String {
    let mut digits = vec![0u8]; // little-endian base-10 digits
    for &byte in le.iter().rev() {
        let mut carry = u32::from(byte);
        for d in digits.iter_mut() {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

/// A canonical (standard-form, little-endian) scalar from 32 bytes.
pub(crate) fn fr_from_le(
    b: &[u8],
    kind: BinFileKind,
    what: impl FnOnce() -> String,
) -> Result<Fr, CircomError> {
    Fr::from_bigint(limbs(b)).ok_or_else(|| CircomError::NonCanonical { kind, what: what() })
}

/// A scalar's standard-form little-endian bytes.
pub(crate) fn fr_to_le(f: &Fr) -> Vec<u8> {
    f.into_bigint().to_bytes_le()
}
