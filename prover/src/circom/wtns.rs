//! circom's `.wtns` (iden3 binary, version 2): section 1 holds `n8 = 32`, the scalar-field
//! prime and the `u32` number of values; section 2 the values, `n8` bytes each, canonical
//! little-endian, wire 0 (the constant one) first.

use std::io::{Read, Seek, Write};

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};

use super::binfile::{
    BinFile, Cursor, FR_BYTES, check_scalar_field, fr_from_le, fr_to_le, write_bin_file,
};
use crate::{BinFileKind, CircomError};

const KIND: BinFileKind = BinFileKind::Wtns;
const HEADER: u32 = 1;
const VALUES: u32 = 2;

/// Writes `witness` (every wire, wire 0 first) as a `.wtns` file.
pub fn write_wtns(witness: &[Fr], w: impl Write) -> Result<(), CircomError> {
    let count =
        u32::try_from(witness.len()).map_err(|_| KIND.malformed("more than 2^32 values"))?;
    let mut header = Vec::with_capacity(40);
    header.extend_from_slice(&(FR_BYTES as u32).to_le_bytes());
    header.extend_from_slice(&Fr::MODULUS.to_bytes_le());
    header.extend_from_slice(&count.to_le_bytes());
    let values: Vec<u8> = witness.iter().flat_map(fr_to_le).collect();
    write_bin_file(KIND, 2, &[(HEADER, &header), (VALUES, &values)], w)
}

/// Reads a `.wtns` file over BN254's scalar field: every wire's value, wire 0 first.
pub fn read_wtns(reader: impl Read + Seek) -> Result<Vec<Fr>, CircomError> {
    let mut file = BinFile::open(KIND, reader)?;
    let bytes = file.read_section(HEADER, "header")?;
    let mut h = Cursor::new(KIND, "the header section", &bytes);
    check_scalar_field(&mut h, KIND)?;
    let count = h.u32()?;
    let values = file.read_section(VALUES, "values")?;
    let expected = u64::from(count) * FR_BYTES as u64;
    if values.len() as u64 != expected {
        return Err(CircomError::SectionSize {
            kind: KIND,
            id: VALUES,
            expected,
            found: values.len() as u64,
        });
    }
    values
        .chunks_exact(FR_BYTES)
        .enumerate()
        .map(|(i, b)| fr_from_le(b, KIND, || format!("the value of wire {i}")))
        .collect()
}
