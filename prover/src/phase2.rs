//! Groth16 keys from a Powers of Tau file, and the circuit-specific phase-2 ceremony.
//!
//! [`Phase2::new`] derives the circuit's key from a prepared `.ptau` the way `snarkjs groth16
//! setup` does: `γ = δ = 1`, the `A`, `B` queries and the input commitments from the Lagrange
//! sections (`A_s = Σ_c a_cs·L_c(τ)`, `IC_s` and `L_s = β·A_s(τ) + α·B_s(τ) + C_s(τ)`, with one
//! extra `A` row per public input and the constant, as arkworks' and snarkjs' QAP both add),
//! and the `H` query as arkworks uses it, `τ^i·Z(τ) = τ^(i+n) − τ^i` from the raw powers. The
//! result is an ordinary [`ProvingKey`]: our prover and verifier take it unchanged.
//!
//! Each [`Phase2::contribute`] draws a secret `d`, multiplies `δ` by it (in G1 and G2), divides
//! the `L` and `H` queries by it, and appends a [`Contribution`] record: the new `δ` and a
//! Schnorr proof of knowledge of `d` (commitment `T = k·δ_prev`, challenge `c` = BLAKE2b-512 of
//! the transcript so far and this record, response `z = k + c·d`). As long as one contributor
//! forgot their `d`, nobody knows `δ`, and proofs cannot be forged.
//!
//! [`Phase2::verify`] replays the transcript from the `.ptau` and the circuit alone: it
//! recomputes the initial key and its hash, checks every proof of knowledge and `δ` in G1
//! against G2, that the key's `δ` is the last record's, that every δ-free part of the key is
//! the initial one, and that `L‖H` is the initial `L‖H` divided by `δ` (one random linear
//! combination, two pairings).
//!
//! # File format
//!
//! The bulwark header of [the key files](crate#file-format) with artifact kind
//! [`ArtifactKind::Phase2`] (4), then, canonically compressed: the 64-byte hash of the initial
//! key, the contribution records (`u64` count; each `name` (`u64` length, UTF-8), `δ` in G1,
//! `δ` in G2, `T`, `z`), and the current proving key.

use std::io::{Read, Seek, Write};

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, Field, PrimeField, UniformRand};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use blake2::{Blake2b512, Digest};
use rand::{CryptoRng, RngCore};
use rayon::prelude::*;

use crate::circom::R1cs;
use crate::format::{read_artifact, write_artifact};
use crate::pk_decode::decode_proving_key;
use crate::ptau::Ptau;
use crate::zkey::{CS_HASH_CHUNK, ZkeyParts, write_zkey};
use crate::{ArtifactKind, ProverError, ProvingKey};

/// Why a phase-2 transcript does not verify.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The file's initial-key hash is not the one the `.ptau` and the circuit give: it was
    /// made for another circuit or from another Powers of Tau.
    #[error(
        "the ceremony was not started from this Powers of Tau and circuit (initial key hash differs)"
    )]
    WrongStart,
    /// A contribution's proof of knowledge of its secret does not verify.
    #[error("contribution {index} ({name:?}): the proof of knowledge of its secret is invalid")]
    BadProofOfKnowledge {
        /// The contribution's position (0 = first).
        index: usize,
        /// Its name.
        name: String,
    },
    /// A contribution's `δ` in G1 and G2 are not the same scalar, or are zero.
    #[error("contribution {index} ({name:?}): delta in G1 and in G2 disagree, or are zero")]
    BadDelta {
        /// The contribution's position.
        index: usize,
        /// Its name.
        name: String,
    },
    /// The key's `δ` is not the last contribution's.
    #[error("the key's delta is not the one the last contribution produced")]
    DeltaNotFromTranscript,
    /// A part of the key no contribution may change differs from the initial key.
    #[error("the key's {what} differs from the one derived from the Powers of Tau")]
    KeyAltered {
        /// Which part.
        what: &'static str,
    },
    /// The `L` or `H` query is not the initial one divided by `δ`.
    #[error("the key's L/H queries are not the initial ones divided by delta")]
    QueriesNotScaled,
}

/// One phase-2 contribution record.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Contribution {
    /// The contributor's name (free text, may be empty).
    pub name: String,
    /// `δ·G1` after this contribution.
    pub delta_g1: G1Affine,
    /// `δ·G2` after this contribution.
    pub delta_g2: G2Affine,
    /// The Schnorr commitment `T = k·δ_prev·G1`.
    pub commitment: G1Affine,
    /// The Schnorr response `z = k + c·d`.
    pub response: Fr,
}

/// A phase-2 ceremony in progress: the current proving key and its transcript.
#[derive(Clone, Debug)]
pub struct Phase2 {
    initial_hash: [u8; 64],
    contributions: Vec<Contribution>,
    key: ark_groth16::ProvingKey<Bn254>,
}

impl Phase2 {
    /// Starts a ceremony: the circuit's key from `ptau` with `δ = 1` (insecure until someone
    /// contributes). Errors if the `.ptau` is too small for the circuit's domain or is not
    /// prepared for phase 2; the `.ptau` itself is checked separately with [`Ptau::check`].
    pub fn new<R: Read + Seek>(ptau: &mut Ptau<R>, r1cs: &R1cs) -> Result<Self, ProverError> {
        let key = initial_key(ptau, r1cs)?;
        Ok(Self {
            initial_hash: key_hash(&key)?,
            contributions: Vec::new(),
            key,
        })
    }

    /// Adds a contribution with a fresh secret from `rng` (which should be the OS's), and
    /// returns its record's hash, for the contributor to publish.
    pub fn contribute(
        &mut self,
        name: &str,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<[u8; 64], ProverError> {
        let (d, d_inv) = loop {
            let d = Fr::rand(rng);
            if let Some(inv) = d.inverse().filter(|_| d != Fr::ONE) {
                break (d, inv);
            }
        };
        let prev = self.key.delta_g1;
        let k = Fr::rand(rng);
        let mut record = Contribution {
            name: name.to_string(),
            delta_g1: (prev * d).into_affine(),
            delta_g2: (self.key.vk.delta_g2 * d).into_affine(),
            commitment: (prev * k).into_affine(),
            response: Fr::ZERO,
        };
        let index = self.contributions.len();
        let c = challenge(&self.transcript_hash(index)?, index, &prev, &record)?;
        record.response = k + c * d;
        let key = &mut self.key;
        key.delta_g1 = record.delta_g1;
        key.vk.delta_g2 = record.delta_g2;
        scale(&mut key.l_query, d_inv);
        scale(&mut key.h_query, d_inv);
        self.contributions.push(record);
        self.transcript_hash(index + 1)
    }

    /// Replays the transcript against the `.ptau` and the circuit (see the module docs).
    /// Returns the records' hashes in order, so each contributor can find theirs.
    pub fn verify<R: Read + Seek>(
        &self,
        ptau: &mut Ptau<R>,
        r1cs: &R1cs,
    ) -> Result<Vec<[u8; 64]>, ProverError> {
        let initial = initial_key(ptau, r1cs)?;
        if key_hash(&initial)? != self.initial_hash {
            return Err(SetupError::WrongStart.into());
        }
        let (g1, g2) = (G1Affine::generator(), G2Affine::generator());
        let mut prev = g1;
        let mut hashes = Vec::with_capacity(self.contributions.len());
        for (index, rec) in self.contributions.iter().enumerate() {
            let name = rec.name.clone();
            if rec.delta_g1.is_zero()
                || Bn254::pairing(rec.delta_g1, g2) != Bn254::pairing(g1, rec.delta_g2)
            {
                return Err(SetupError::BadDelta { index, name }.into());
            }
            let c = challenge(&self.transcript_hash(index)?, index, &prev, rec)?;
            if prev * rec.response != rec.commitment + rec.delta_g1 * c {
                return Err(SetupError::BadProofOfKnowledge { index, name }.into());
            }
            prev = rec.delta_g1;
            hashes.push(self.transcript_hash(index + 1)?);
        }
        let key = &self.key;
        let delta_g2 = self.contributions.last().map_or(g2, |c| c.delta_g2);
        if key.delta_g1 != prev || key.vk.delta_g2 != delta_g2 {
            return Err(SetupError::DeltaNotFromTranscript.into());
        }
        let (vk, vk0) = (&key.vk, &initial.vk);
        let unchanged = [
            ("alpha", vk.alpha_g1 == vk0.alpha_g1),
            (
                "beta",
                vk.beta_g2 == vk0.beta_g2 && key.beta_g1 == initial.beta_g1,
            ),
            ("gamma", vk.gamma_g2 == vk0.gamma_g2),
            (
                "input commitments (IC)",
                vk.gamma_abc_g1 == vk0.gamma_abc_g1,
            ),
            ("A query", key.a_query == initial.a_query),
            (
                "B query",
                key.b_g1_query == initial.b_g1_query && key.b_g2_query == initial.b_g2_query,
            ),
            ("L query length", key.l_query.len() == initial.l_query.len()),
            ("H query length", key.h_query.len() == initial.h_query.len()),
        ];
        if let Some((what, _)) = unchanged.iter().find(|(_, same)| !same) {
            return Err(SetupError::KeyAltered { what }.into());
        }
        // e(Σ r_i·Q_i, δ) = e(Σ r_i·Q⁰_i, 1) for Q = L‖H.
        let mut rng = rand::thread_rng();
        let now: Vec<G1Affine> = key.l_query.iter().chain(&key.h_query).copied().collect();
        let then: Vec<G1Affine> = initial
            .l_query
            .iter()
            .chain(&initial.h_query)
            .copied()
            .collect();
        let r: Vec<Fr> = (0..now.len()).map(|_| Fr::rand(&mut rng)).collect();
        let lhs = G1Projective::msm_unchecked(&now, &r);
        let rhs = G1Projective::msm_unchecked(&then, &r);
        if Bn254::pairing(lhs, key.vk.delta_g2) != Bn254::pairing(rhs, g2) {
            return Err(SetupError::QueriesNotScaled.into());
        }
        Ok(hashes)
    }

    /// Writes the current key as a snarkjs Groth16 `.zkey` (for `snarkjs groth16 prove`,
    /// `zkey export verificationkey`, and other circom tools). `ptau` and `r1cs` must be the
    /// ceremony's ([`SetupError::WrongStart`] otherwise): the file carries snarkjs' hash of the
    /// initial key, so `snarkjs zkey verify` accepts a key without contributions. The
    /// contributions are bulwark's records, which snarkjs does not read: after one, `snarkjs
    /// zkey verify` rejects the file, and [`Phase2::verify`] is the transcript check.
    pub fn write_zkey<R: Read + Seek>(
        &self,
        ptau: &mut Ptau<R>,
        r1cs: &R1cs,
        writer: impl Write,
    ) -> Result<(), ProverError> {
        let initial = initial_key(ptau, r1cs)?;
        if key_hash(&initial)? != self.initial_hash {
            return Err(SetupError::WrongStart.into());
        }
        let n = r1cs.domain_size();
        let h_extra = if n - 1 > CS_HASH_CHUNK {
            let p = ptau.tau_g1(2 * n)?;
            Some((p[2 * n - 1].into_group() - p[n - 1]).into_affine())
        } else {
            None
        };
        let parts = ZkeyParts {
            key: &self.key,
            initial: &initial,
            h_extra,
            r1cs,
        };
        Ok(write_zkey(&parts, writer)?)
    }

    /// The contribution records, oldest first.
    pub fn contributions(&self) -> &[Contribution] {
        &self.contributions
    }

    /// The current proving key (with its verifying key). Before any contribution `δ = 1` and
    /// the key is insecure.
    pub fn proving_key(&self) -> ProvingKey {
        ProvingKey::from_ark(self.key.clone())
    }

    /// Writes the ceremony state (see the module docs for the format).
    pub fn write_to(&self, writer: impl Write) -> Result<(), ProverError> {
        Ok(write_artifact(ArtifactKind::Phase2, &Body(self), writer)?)
    }

    /// Reads a ceremony state written by [`Phase2::write_to`]; the records are validated
    /// (subgroup checks), the key's point vectors only decompressed: [`Phase2::verify`] is what
    /// checks them.
    pub fn read_from(reader: impl Read) -> Result<Self, ProverError> {
        Ok(read_artifact(ArtifactKind::Phase2, reader, |r| {
            let initial_hash = <[u8; 64]>::deserialize_compressed(&mut *r)?;
            let contributions = Vec::<Contribution>::deserialize_compressed(&mut *r)?;
            let key = decode_proving_key(r, Validate::No)?;
            Ok(Self {
                initial_hash,
                contributions,
                key,
            })
        })?)
    }

    /// BLAKE2b-512 over the initial-key hash and the first `upto` records: what contribution
    /// `upto` builds on, and the hash published for record `upto − 1`.
    fn transcript_hash(&self, upto: usize) -> Result<[u8; 64], ProverError> {
        let mut h = Blake2b512::new();
        h.update(b"bulwark groth16 phase2 v1 transcript");
        h.update(self.initial_hash);
        for rec in &self.contributions[..upto] {
            rec.serialize_compressed(HashWriter(&mut h))
                .map_err(serialization)?;
        }
        Ok(h.finalize().into())
    }
}

/// The body [`Phase2::write_to`] serializes.
struct Body<'a>(&'a Phase2);

impl CanonicalSerialize for Body<'_> {
    fn serialize_with_mode<W: Write>(
        &self,
        mut w: W,
        compress: Compress,
    ) -> Result<(), ark_serialize::SerializationError> {
        self.0.initial_hash.serialize_with_mode(&mut w, compress)?;
        self.0.contributions.serialize_with_mode(&mut w, compress)?;
        self.0.key.serialize_with_mode(&mut w, compress)
    }

    fn serialized_size(&self, compress: Compress) -> usize {
        self.0.initial_hash.serialized_size(compress)
            + self.0.contributions.serialized_size(compress)
            + self.0.key.serialized_size(compress)
    }
}

fn serialization(source: ark_serialize::SerializationError) -> ProverError {
    ProverError::Format(crate::FormatError::InvalidBody {
        kind: ArtifactKind::Phase2,
        source,
    })
}

/// Feeds serialized bytes into a hash.
struct HashWriter<'a>(&'a mut Blake2b512);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn key_hash(key: &ark_groth16::ProvingKey<Bn254>) -> Result<[u8; 64], ProverError> {
    let mut h = Blake2b512::new();
    h.update(b"bulwark groth16 phase2 v1 initial key");
    key.serialize_compressed(HashWriter(&mut h))
        .map_err(serialization)?;
    Ok(h.finalize().into())
}

/// The Fiat–Shamir challenge of record `index`: the transcript before it, the previous `δ`,
/// and the record without its response.
fn challenge(
    before: &[u8; 64],
    index: usize,
    prev: &G1Affine,
    rec: &Contribution,
) -> Result<Fr, ProverError> {
    let mut h = Blake2b512::new();
    h.update(b"bulwark groth16 phase2 v1 challenge");
    h.update(before);
    h.update((index as u64).to_le_bytes());
    let mut w = HashWriter(&mut h);
    rec.name
        .serialize_compressed(&mut w)
        .map_err(serialization)?;
    (prev, &rec.delta_g1, &rec.delta_g2, &rec.commitment)
        .serialize_compressed(&mut w)
        .map_err(serialization)?;
    Ok(Fr::from_le_bytes_mod_order(&h.finalize()))
}

/// Multiplies every point by `s`, in parallel.
fn scale(points: &mut Vec<G1Affine>, s: Fr) {
    let scaled: Vec<G1Projective> = points.par_iter().map(|p| *p * s).collect();
    *points = G1Projective::normalize_batch(&scaled);
}

/// Per wire, the `(row, coefficient)` terms of one matrix.
type Columns = Vec<Vec<(usize, Fr)>>;

/// Columns with at least this many terms get a parallel MSM of their own; see [`combine`].
const LARGE_COLUMN: usize = 256;

/// `Σ coeff·bases[row]` for each column, in parallel.
///
/// Small columns are one task each, summed serially: a parallel MSM per column inside the
/// parallel loop nests rayon joins (a blocked join steals another column, whose MSM joins
/// again, …) deep enough to overflow worker stacks on circuits of ~10^4 wires. The few large
/// columns (the constant wire's, say) then get a parallel MSM each, one after another.
fn combine<G: AffineRepr<ScalarField = Fr>>(cols: &[&Columns], bases: &[&[G]]) -> Vec<G> {
    let terms = |s: usize| -> (Vec<G>, Vec<Fr>) {
        cols.iter()
            .zip(bases)
            .flat_map(|(col, base)| col[s].iter().map(|&(row, f)| (base[row], f)))
            .unzip()
    };
    let small: Vec<Option<G::Group>> = (0..cols[0].len())
        .into_par_iter()
        .map(|s| {
            let (points, scalars) = terms(s);
            (points.len() < LARGE_COLUMN).then(|| {
                points
                    .iter()
                    .zip(&scalars)
                    .map(|(p, f)| p.mul_bigint(f.into_bigint()))
                    .sum()
            })
        })
        .collect();
    let sums: Vec<G::Group> = small
        .into_iter()
        .enumerate()
        .map(|(s, sum)| {
            sum.unwrap_or_else(|| {
                let (points, scalars) = terms(s);
                G::Group::msm_unchecked(&points, &scalars)
            })
        })
        .collect();
    G::Group::normalize_batch(&sums)
}

/// The circuit's key with `γ = δ = 1` (see the module docs).
fn initial_key<R: Read + Seek>(
    ptau: &mut Ptau<R>,
    r1cs: &R1cs,
) -> Result<ark_groth16::ProvingKey<Bn254>, ProverError> {
    let n = r1cs.domain_size();
    ptau.check_domain(n)?;
    let wires = r1cs.num_wires as usize;
    let public = r1cs.num_public();
    let (mut a, mut b, mut c): (Columns, Columns, Columns) = (
        vec![Vec::new(); wires],
        vec![Vec::new(); wires],
        vec![Vec::new(); wires],
    );
    for (row, con) in r1cs.constraints.iter().enumerate() {
        for (cols, lc) in [(&mut a, &con.a), (&mut b, &con.b), (&mut c, &con.c)] {
            for &(wire, f) in lc {
                cols[wire as usize].push((row, f));
            }
        }
    }
    // The QAP's extra rows: the constant and each public input times 1 in A.
    for (s, col) in a.iter_mut().enumerate().take(public + 1) {
        col.push((r1cs.constraints.len() + s, Fr::ONE));
    }
    let lag_t1 = ptau.lagrange_tau_g1(n)?;
    let lag_t2 = ptau.lagrange_tau_g2(n)?;
    let lag_alpha = ptau.lagrange_alpha_tau_g1(n)?;
    let lag_beta = ptau.lagrange_beta_tau_g1(n)?;
    let powers = ptau.tau_g1(2 * n - 1)?;
    let alpha_g1 = ptau.alpha_tau_g1(1)?[0];
    let beta_g1 = ptau.beta_tau_g1(1)?[0];
    let beta_g2 = ptau.beta_g2()?;

    let a_query = combine(&[&a], &[&lag_t1[..]]);
    let b_g1_query = combine(&[&b], &[&lag_t1[..]]);
    let b_g2_query = combine(&[&b], &[&lag_t2[..]]);
    let mut abc = combine(&[&a, &b, &c], &[&lag_beta[..], &lag_alpha[..], &lag_t1[..]]);
    let l_query = abc.split_off(public + 1);
    let h: Vec<G1Projective> = (0..n - 1)
        .into_par_iter()
        .map(|i| powers[i + n].into_group() - powers[i])
        .collect();
    let (g1, g2) = (G1Affine::generator(), G2Affine::generator());
    Ok(ark_groth16::ProvingKey {
        vk: ark_groth16::VerifyingKey {
            alpha_g1,
            beta_g2,
            gamma_g2: g2,
            delta_g2: g2,
            gamma_abc_g1: abc,
        },
        beta_g1,
        delta_g1: g1,
        a_query,
        b_g1_query,
        b_g2_query,
        h_query: G1Projective::normalize_batch(&h),
        l_query,
    })
}

#[cfg(test)]
mod tests {
    use ark_std::test_rng;

    use super::*;

    /// `combine` on a circuit-sized shape (20,000 wires of three terms, as R1CS wires mostly
    /// are, plus one wire in every row like the constant wire) matches a plain sum per column.
    /// Each small column used to be a parallel MSM inside the parallel loop, which overflowed
    /// rayon's worker stacks on a 9,000-constraint rollup circuit (`bulwark setup new`).
    #[test]
    fn combine_matches_a_plain_sum_on_a_circuit_sized_shape() {
        let mut rng = test_rng();
        let rows = 1024;
        let bases: Vec<G1Affine> = (0..rows)
            .map(|_| G1Projective::rand(&mut rng).into_affine())
            .collect();
        let mut cols: Columns = (0..20_000)
            .map(|w| {
                (0..3)
                    .map(|t| ((w * 7 + t * 131) % rows, Fr::rand(&mut rng)))
                    .collect()
            })
            .collect();
        cols.push((0..rows).map(|row| (row, Fr::rand(&mut rng))).collect());
        let got = combine(&[&cols], &[&bases[..]]);
        assert_eq!(got.len(), cols.len());
        for (s, col) in cols
            .iter()
            .enumerate()
            .step_by(997)
            .chain([(cols.len() - 1, &cols[cols.len() - 1])])
        {
            let want: G1Projective = col.iter().map(|&(row, f)| bases[row] * f).sum();
            assert_eq!(got[s], want.into_affine(), "column {s}");
        }
    }
}
