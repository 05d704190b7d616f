//! Groth16 keys from snarkjs `.zkey` files (iden3 container version 1).
//!
//! | section | contents (points uncompressed little-endian Montgomery, as in `.ptau`) |
//! |---|---|
//! | 1 | `u32` protocol: 1 = Groth16 |
//! | 2 | `n8q`, base-field prime, `n8r`, scalar-field prime, `u32` wires, public signals, domain size; `α·G1`, `β·G1`, `β·G2`, `γ·G2`, `δ·G1`, `δ·G2` |
//! | 3 | `IC`: one G1 point per public signal and the constant |
//! | 5, 6, 7 | `A` (G1), `B` (G1), `B` (G2) queries, one per wire |
//! | 8 | `C` query (arkworks' `L`): one G1 point per private wire |
//! | 9 | `H`: `L_(2k+1)(τ)/δ·G1` for `k < n`, the Lagrange basis of the size-`2n` domain at its odd points |
//!
//! Sections 4 (the constraint coefficients snarkjs' prover re-reads) and 10 (contributions)
//! are not needed. snarkjs' `H` points serve its prover, which evaluates the quotient on the
//! odd points of the doubled domain; arkworks' prover takes the quotient's coefficients, so
//! the `H` query is converted: since `X^i·Z(X)` vanishes on the even points and
//! `Z(g·ω^k) = −2` (`g` the doubled domain's generator), `τ^i·Z(τ)/δ = −2·g^i·Σ_k ω^(ik)·H_k`,
//! one FFT over the points.

use std::io::{Read, Seek};

use ark_bn254::{Fq, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::CurveGroup;
use ark_ff::{BigInteger, PrimeField};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};

use crate::circom::binfile::{BinFile, Cursor, check_prime, check_scalar_field};
use crate::ptau::PtauPoint;
use crate::{BinFileKind, CircomError, ProvingKey};

const KIND: BinFileKind = BinFileKind::Zkey;

fn points<G: PtauPoint, R: Read + Seek>(
    file: &mut BinFile<R>,
    id: u32,
    name: &'static str,
    count: usize,
) -> Result<Vec<G>, CircomError> {
    let bytes = file.read_section(id, name)?;
    let expected = (count * G::BYTES) as u64;
    if bytes.len() as u64 != expected {
        return Err(CircomError::SectionSize {
            kind: KIND,
            id,
            expected,
            found: bytes.len() as u64,
        });
    }
    decode_all(&bytes, name)
}

fn decode_all<G: PtauPoint>(bytes: &[u8], name: &str) -> Result<Vec<G>, CircomError> {
    use rayon::prelude::*;
    bytes
        .par_chunks_exact(G::BYTES)
        .enumerate()
        .map(|(i, b)| {
            G::decode(b).ok_or_else(|| CircomError::InvalidPoint {
                kind: KIND,
                what: format!("{name} point {i}"),
            })
        })
        .collect()
}

impl ProvingKey {
    /// Reads the Groth16 key of a snarkjs `.zkey` (sections 1–3 and 5–9), converting its `H` query to the form our prover uses. Every point is checked to be in
    /// its group.
    pub fn from_zkey(reader: impl Read + Seek) -> Result<Self, CircomError> {
        let mut file = BinFile::open(KIND, reader)?;
        let bytes = file.read_section(1, "header")?;
        let protocol = Cursor::new(KIND, "the header section", &bytes).u32()?;
        if protocol != 1 {
            return Err(KIND.malformed(format!(
                "protocol {protocol} is not Groth16 (1): PLONK / FFLONK keys are not read"
            )));
        }
        let bytes = file.read_section(2, "Groth16 header")?;
        let mut h = Cursor::new(KIND, "the Groth16 header section", &bytes);
        check_prime(&mut h, KIND, "base field prime", &Fq::MODULUS.to_bytes_le())?;
        check_scalar_field(&mut h, KIND)?;
        let wires = h.u32()? as usize;
        let public = h.u32()? as usize;
        let n = h.u32()? as usize;
        if public >= wires || !n.is_power_of_two() || n < public + 1 {
            return Err(KIND.malformed(format!(
                "{wires} wires, {public} public signals, domain size {n} are inconsistent"
            )));
        }
        let g1s: Vec<G1Affine> = decode_all(h.take(2 * 64)?, "alpha/beta G1")?;
        let beta_gamma: Vec<G2Affine> = decode_all(h.take(2 * 128)?, "beta/gamma G2")?;
        let delta_g1: Vec<G1Affine> = decode_all(h.take(64)?, "delta G1")?;
        let delta_g2: Vec<G2Affine> = decode_all(h.take(128)?, "delta G2")?;
        if h.remaining() != 0 {
            return Err(KIND.malformed("bytes after the Groth16 header"));
        }
        let ic = points::<G1Affine, _>(&mut file, 3, "IC", public + 1)?;
        let a_query = points(&mut file, 5, "A", wires)?;
        let b_g1_query = points(&mut file, 6, "B1", wires)?;
        let b_g2_query = points(&mut file, 7, "B2", wires)?;
        let l_query = points(&mut file, 8, "C", wires - public - 1)?;
        let h_odd = points::<G1Affine, _>(&mut file, 9, "H", n)?;
        let vk = ark_groth16::VerifyingKey {
            alpha_g1: g1s[0],
            beta_g2: beta_gamma[0],
            gamma_g2: beta_gamma[1],
            delta_g2: delta_g2[0],
            gamma_abc_g1: ic,
        };
        Ok(ProvingKey::from_ark(ark_groth16::ProvingKey {
            vk,
            beta_g1: g1s[1],
            delta_g1: delta_g1[0],
            a_query,
            b_g1_query,
            b_g2_query,
            h_query: h_from_odd_lagrange(&h_odd)?,
            l_query,
        }))
    }
}

/// `τ^i·Z(τ)/δ` for `i < n − 1` from snarkjs' `L_(2k+1)(τ)/δ`, `k < n` (see the module docs).
fn h_from_odd_lagrange(odd: &[G1Affine]) -> Result<Vec<G1Affine>, CircomError> {
    let n = odd.len();
    let small = Radix2EvaluationDomain::<Fr>::new(n);
    let double = Radix2EvaluationDomain::<Fr>::new(2 * n);
    let (Some(small), Some(double)) = (small, double) else {
        return Err(KIND.malformed(format!("no FFT domain of size {}", 2 * n)));
    };
    let mut points: Vec<G1Projective> = odd.iter().map(|p| (*p).into()).collect();
    small.fft_in_place(&mut points);
    let mut factor = -Fr::from(2u64);
    for p in points.iter_mut() {
        *p *= factor;
        factor *= double.group_gen;
    }
    points.truncate(n - 1);
    Ok(G1Projective::normalize_batch(&points))
}
