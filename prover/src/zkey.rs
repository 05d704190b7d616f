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
//!
//! [`write_zkey`] goes the other way (section 4 from the `.r1cs`, section 10 with snarkjs'
//! circuit hash and no snarkjs contributions). Our `H` query lacks `τ^(n−1)·Z(τ)/δ`, which
//! only the quotient's coefficient of `X^(n−1)` would multiply; that coefficient is zero for
//! every honest witness (the quotient has degree at most `n − 2`), and `snarkjs zkey verify`
//! weighs it by zero too, so the written `H` points take it as the identity.

use std::io::{Read, Seek, Write};

use ark_bn254::{Bn254, Fq, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::CurveGroup;
use ark_ff::{BigInteger, Field, PrimeField};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use blake2::{Blake2b512, Digest};

use crate::circom::R1cs;
use crate::circom::binfile::{
    BinFile, Cursor, check_prime, check_scalar_field, fr_to_le, write_bin_file,
};
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

/// The domain of `n` points and the generator of the one of `2n`.
fn domains(n: usize) -> Result<(Radix2EvaluationDomain<Fr>, Fr), CircomError> {
    let small = Radix2EvaluationDomain::<Fr>::new(n);
    let double = Radix2EvaluationDomain::<Fr>::new(2 * n);
    match (small, double) {
        (Some(small), Some(double)) if small.size() == n => Ok((small, double.group_gen)),
        _ => Err(KIND.malformed(format!("no FFT domain of size {}", 2 * n))),
    }
}

/// `τ^i·Z(τ)/δ` for `i < n − 1` from snarkjs' `L_(2k+1)(τ)/δ`, `k < n` (see the module docs).
fn h_from_odd_lagrange(odd: &[G1Affine]) -> Result<Vec<G1Affine>, CircomError> {
    let n = odd.len();
    let (small, g) = domains(n)?;
    let mut points: Vec<G1Projective> = odd.iter().map(|p| (*p).into()).collect();
    small.fft_in_place(&mut points);
    let mut factor = -Fr::from(2u64);
    for p in points.iter_mut() {
        *p *= factor;
        factor *= g;
    }
    points.truncate(n - 1);
    Ok(G1Projective::normalize_batch(&points))
}

/// The inverse of [`h_from_odd_lagrange`], with `τ^(n−1)·Z(τ)/δ` taken as the identity (see
/// the module docs): `H_k = IFFT(P_i / (−2·g^i))_k`.
fn odd_lagrange_from_h(h: &[G1Affine], n: usize) -> Result<Vec<G1Affine>, CircomError> {
    if h.len() + 1 != n {
        return Err(KIND.malformed(format!(
            "an H query of {} points does not fit a domain of {n}",
            h.len()
        )));
    }
    let (small, g) = domains(n)?;
    let g_inv = g.inverse().unwrap_or(Fr::ONE);
    let mut factor = -Fr::from(2u64).inverse().unwrap_or(Fr::ONE);
    let mut points: Vec<G1Projective> = Vec::with_capacity(n);
    for p in h {
        points.push(*p * factor);
        factor *= g_inv;
    }
    points.push(G1Projective::default());
    small.ifft_in_place(&mut points);
    Ok(G1Projective::normalize_batch(&points))
}

/// snarkjs hashes the `H` points in chunks of this many, always whole chunks (see
/// [`ZkeyParts::h_extra`]).
pub(crate) const CS_HASH_CHUNK: usize = 1 << 14;

/// What [`write_zkey`] writes a `.zkey` from.
pub(crate) struct ZkeyParts<'a> {
    /// The key to write.
    pub(crate) key: &'a ark_groth16::ProvingKey<Bn254>,
    /// The ceremony's initial key (`δ = 1`), which snarkjs' circuit hash covers.
    pub(crate) initial: &'a ark_groth16::ProvingKey<Bn254>,
    /// `τ^(2n−1)·G1 − τ^(n−1)·G1`: snarkjs (0.7) hashes the `n − 1` initial `H` points in
    /// whole chunks of [`CS_HASH_CHUNK`], so for `n > 2^14` it also hashes this `n`-th one.
    pub(crate) h_extra: Option<G1Affine>,
    /// The circuit (section 4's coefficients).
    pub(crate) r1cs: &'a R1cs,
}

fn encode_all<G: PtauPoint>(points: &[G]) -> Vec<u8> {
    let mut out = Vec::with_capacity(points.len() * G::BYTES);
    for p in points {
        p.encode(&mut out);
    }
    out
}

/// Writes a snarkjs Groth16 `.zkey` (see the module docs).
pub(crate) fn write_zkey(parts: &ZkeyParts<'_>, w: impl Write) -> Result<(), CircomError> {
    let (key, r1cs) = (parts.key, parts.r1cs);
    let n = r1cs.domain_size();
    let wires = r1cs.num_wires as usize;
    let public = r1cs.num_public();
    if key.a_query.len() != wires || key.vk.gamma_abc_g1.len() != public + 1 {
        return Err(KIND.malformed(format!(
            "the key ({} wires, {} public signals) is not the circuit's ({wires}, {public})",
            key.a_query.len(),
            key.vk.gamma_abc_g1.len().saturating_sub(1)
        )));
    }
    let u32_of = |v: usize, what: &str| {
        u32::try_from(v).map_err(|_| KIND.malformed(format!("{what} {v} exceeds u32")))
    };
    let mut header = Vec::new();
    for prime in [Fq::MODULUS.to_bytes_le(), Fr::MODULUS.to_bytes_le()] {
        header.extend_from_slice(&32u32.to_le_bytes());
        header.extend_from_slice(&prime);
    }
    for v in [
        (wires, "wires"),
        (public, "public signals"),
        (n, "domain size"),
    ] {
        header.extend_from_slice(&u32_of(v.0, v.1)?.to_le_bytes());
    }
    key.vk.alpha_g1.encode(&mut header);
    key.beta_g1.encode(&mut header);
    key.vk.beta_g2.encode(&mut header);
    key.vk.gamma_g2.encode(&mut header);
    key.delta_g1.encode(&mut header);
    key.vk.delta_g2.encode(&mut header);

    let mut mpc = circuit_hash(parts, wires, n)?.to_vec();
    mpc.extend_from_slice(&0u32.to_le_bytes());
    write_bin_file(
        KIND,
        1,
        &[
            (1, &1u32.to_le_bytes()),
            (2, &header),
            (3, &encode_all(&key.vk.gamma_abc_g1)),
            (4, &coefficients(r1cs)?),
            (5, &encode_all(&key.a_query)),
            (6, &encode_all(&key.b_g1_query)),
            (7, &encode_all(&key.b_g2_query)),
            (8, &encode_all(&key.l_query)),
            (9, &encode_all(&odd_lagrange_from_h(&key.h_query, n)?)),
            (10, &mpc),
        ],
        w,
    )
}

/// Section 4: `(matrix, row, wire, value·R²)` for every `A` and `B` term (R = 2^256 mod r,
/// the form snarkjs' prover loads into its Montgomery arithmetic), then the `A` rows of the
/// constant and the public signals.
fn coefficients(r1cs: &R1cs) -> Result<Vec<u8>, CircomError> {
    let r2 = Fr::from(2u64).pow([512]);
    let mut terms: Vec<(u32, usize, u32, Fr)> = Vec::new();
    for (row, con) in r1cs.constraints.iter().enumerate() {
        for (matrix, lc) in [(0, &con.a), (1, &con.b)] {
            terms.extend(lc.iter().map(|&(wire, f)| (matrix, row, wire, f)));
        }
    }
    let m = r1cs.constraints.len();
    for s in 0..=r1cs.num_public() {
        terms.push((0, m + s, s as u32, Fr::ONE));
    }
    let count = u32::try_from(terms.len()).map_err(|_| KIND.malformed("too many coefficients"))?;
    let mut out = Vec::with_capacity(4 + terms.len() * 44);
    out.extend_from_slice(&count.to_le_bytes());
    for (matrix, row, wire, f) in terms {
        let row = u32::try_from(row).map_err(|_| KIND.malformed("too many constraints"))?;
        for v in [matrix, row, wire] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&fr_to_le(&(f * r2)));
    }
    Ok(out)
}

/// snarkjs' circuit hash (`csHash`, `zkey_new.js`): BLAKE2b-512 over the initial key in
/// ffjavascript's uncompressed encoding — `α`, `β` (G1, G2), `γ`, `δ` (G1, G2), then `IC`,
/// `H` (`τ^(i+n) − τ^i`), `C`, `A`, `B1`, `B2`, each after its length as a big-endian `u32`.
fn circuit_hash(parts: &ZkeyParts<'_>, wires: usize, n: usize) -> Result<[u8; 64], CircomError> {
    let init = parts.initial;
    let mut buf = Vec::new();
    init.vk.alpha_g1.encode_uncompressed(&mut buf);
    init.beta_g1.encode_uncompressed(&mut buf);
    init.vk.beta_g2.encode_uncompressed(&mut buf);
    init.vk.gamma_g2.encode_uncompressed(&mut buf);
    init.delta_g1.encode_uncompressed(&mut buf);
    init.vk.delta_g2.encode_uncompressed(&mut buf);
    let mut h = Blake2b512::new();
    h.update(&buf);
    fn section<G: PtauPoint>(h: &mut Blake2b512, len: usize, points: &[G]) {
        h.update((len as u32).to_be_bytes());
        let mut buf = Vec::with_capacity(points.len() * G::BYTES);
        for p in points {
            p.encode_uncompressed(&mut buf);
        }
        h.update(&buf);
    }
    let ic = &init.vk.gamma_abc_g1;
    section(&mut h, ic.len(), ic);
    let mut hq = init.h_query.clone();
    if n - 1 > CS_HASH_CHUNK {
        hq.push(parts.h_extra.ok_or_else(|| {
            KIND.malformed("snarkjs' circuit hash for this domain needs tau^(2n-1)")
        })?);
    }
    section(&mut h, n - 1, &hq);
    section(&mut h, init.l_query.len(), &init.l_query);
    section(&mut h, wires, &init.a_query);
    section(&mut h, wires, &init.b_g1_query);
    section(&mut h, wires, &init.b_g2_query);
    Ok(h.finalize().into())
}
