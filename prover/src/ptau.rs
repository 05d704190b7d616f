//! snarkjs Powers of Tau files (`.ptau`, iden3 container version 1): reading and checking.
//!
//! | section | contents (points uncompressed, coordinates little-endian **Montgomery**) |
//! |---|---|
//! | 1 header | `n8 = 32`, BN254's base-field prime, `u32` power `p`, `u32` ceremony power |
//! | 2 tauG1 | `τ^i·G1` for `i < 2^(p+1) − 1` |
//! | 3 tauG2 | `τ^i·G2` for `i < 2^p` |
//! | 4 alphaTauG1 | `α·τ^i·G1` for `i < 2^p` |
//! | 5 betaTauG1 | `β·τ^i·G1` for `i < 2^p` |
//! | 6 betaG2 | `β·G2` |
//! | 7 contributions | `u32` count, then one record per contribution |
//! | 12–15 (after `prepare phase2`) | the same four sequences in the Lagrange basis: for each domain size `2^k`, `k = 0..=p` (section 12 also `k = p + 1`), the `2^k` points `L_j(τ)·G` (times `α`, `β`), stored one level after the other |
//!
//! A G1 point is `x, y` (32 bytes each), a G2 point `x.c0, x.c1, y.c0, y.c1`; the identity is
//! all zeros. Reading checks every point is on the curve and in the prime-order subgroup.
//!
//! [`Ptau::check`] checks what a circuit of a given domain size will use, with pairings on
//! random linear combinations (a handful of pairings and a few MSMs, not one pairing per point).

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{BigInteger, PrimeField, UniformRand};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rayon::prelude::*;

use crate::circom::binfile::{BinFile, Cursor, check_prime, limbs};
use crate::{BinFileKind, CircomError};

const KIND: BinFileKind = BinFileKind::Ptau;
const G1_BYTES: usize = 64;
const G2_BYTES: usize = 128;

/// The point sequences of a `.ptau` file, by section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seq {
    TauG1,
    TauG2,
    AlphaTauG1,
    BetaTauG1,
}

impl Seq {
    fn section(self) -> (u32, &'static str) {
        match self {
            Self::TauG1 => (2, "tauG1"),
            Self::TauG2 => (3, "tauG2"),
            Self::AlphaTauG1 => (4, "alphaTauG1"),
            Self::BetaTauG1 => (5, "betaTauG1"),
        }
    }

    fn lagrange_section(self) -> (u32, &'static str) {
        match self {
            Self::TauG1 => (12, "Lagrange tauG1"),
            Self::TauG2 => (13, "Lagrange tauG2"),
            Self::AlphaTauG1 => (14, "Lagrange alphaTauG1"),
            Self::BetaTauG1 => (15, "Lagrange betaTauG1"),
        }
    }

    fn point_bytes(self) -> usize {
        if self == Self::TauG2 {
            G2_BYTES
        } else {
            G1_BYTES
        }
    }
}

/// The points after one phase-1 contribution, as its record in section 7 states them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PtauContribution {
    /// The contributor's name, if the record has one.
    pub name: Option<String>,
    /// `τ·G1` after this contribution.
    pub tau_g1: G1Affine,
    /// `τ·G2` after this contribution.
    pub tau_g2: G2Affine,
    /// `α·G1` after this contribution.
    pub alpha_g1: G1Affine,
    /// `β·G1` after this contribution.
    pub beta_g1: G1Affine,
    /// `β·G2` after this contribution.
    pub beta_g2: G2Affine,
}

/// An open `.ptau` file: the header is read and the section sizes checked; points are read on
/// demand, so a large public file costs only the prefix a circuit needs.
pub struct Ptau<R> {
    file: BinFile<R>,
    power: u32,
    ceremony_power: u32,
}

impl<R> std::fmt::Debug for Ptau<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ptau")
            .field("power", &self.power)
            .field("ceremony_power", &self.ceremony_power)
            .finish_non_exhaustive()
    }
}

impl Ptau<BufReader<File>> {
    /// Opens a `.ptau` file.
    pub fn open(path: &Path) -> Result<Self, CircomError> {
        let file = File::open(path).map_err(|e| KIND.io(e))?;
        Self::read_from(BufReader::new(file))
    }
}

impl<R: Read + Seek> Ptau<R> {
    /// Reads the header (magic, version, BN254, power) and checks that sections 2–7 (and
    /// 12–15 when present) have the sizes the power implies.
    pub fn read_from(reader: R) -> Result<Self, CircomError> {
        let mut file = BinFile::open(KIND, reader)?;
        let bytes = file.read_section(1, "header")?;
        let mut h = Cursor::new(KIND, "the header section", &bytes);
        check_prime(&mut h, KIND, "base field prime", &Fq::MODULUS.to_bytes_le())?;
        let power = h.u32()?;
        let ceremony_power = h.u32()?;
        if h.remaining() != 0 {
            return Err(KIND.malformed("bytes after the header fields"));
        }
        // BN254's scalar field has 2-adicity 28: larger domains do not exist.
        if !(1..=28).contains(&power) {
            return Err(KIND.malformed(format!("power {power} is outside 1..=28")));
        }
        let ptau = Self {
            file,
            power,
            ceremony_power,
        };
        let n = 1u64 << power;
        for (seq, count) in [
            (Seq::TauG1, 2 * n - 1),
            (Seq::TauG2, n),
            (Seq::AlphaTauG1, n),
            (Seq::BetaTauG1, n),
        ] {
            let (id, _) = seq.section();
            ptau.expect_size(id, count * seq.point_bytes() as u64)?;
        }
        ptau.expect_size(6, G2_BYTES as u64)?;
        ptau.file.section(7, "contributions")?;
        if ptau.is_prepared() {
            for seq in [Seq::TauG1, Seq::TauG2, Seq::AlphaTauG1, Seq::BetaTauG1] {
                let (id, _) = seq.lagrange_section();
                // Levels 0..=p hold 2^(p+1) − 1 points; section 12 also has level p + 1.
                let levels = if seq == Seq::TauG1 {
                    4 * n - 1
                } else {
                    2 * n - 1
                };
                ptau.expect_size(id, levels * seq.point_bytes() as u64)?;
            }
        }
        Ok(ptau)
    }

    fn expect_size(&self, id: u32, expected: u64) -> Result<(), CircomError> {
        let found = self.file.section(id, "a point section")?.size;
        if found != expected {
            return Err(CircomError::SectionSize {
                kind: KIND,
                id,
                expected,
                found,
            });
        }
        Ok(())
    }

    /// The file's power `p`: it supports QAP domains up to `2^p`.
    pub fn power(&self) -> u32 {
        self.power
    }

    /// The power of the ceremony the file was cut from (0 for a file made locally).
    pub fn ceremony_power(&self) -> u32 {
        self.ceremony_power
    }

    /// Whether the Lagrange sections 12–15 (`snarkjs powersoftau prepare phase2`) are present.
    pub fn is_prepared(&self) -> bool {
        (12..=15).all(|id| self.file.has(id))
    }

    /// Checks a QAP domain of `domain_size` points fits this file.
    pub fn check_domain(&self, domain_size: usize) -> Result<(), CircomError> {
        let needed = domain_size
            .max(1)
            .checked_next_power_of_two()
            .map_or(usize::BITS, |n| n.trailing_zeros());
        if needed > self.power {
            return Err(CircomError::PtauTooSmall {
                needed,
                power: self.power,
            });
        }
        Ok(())
    }

    fn read_points<G: PtauPoint>(
        &mut self,
        (id, name): (u32, &'static str),
        first: u64,
        count: usize,
    ) -> Result<Vec<G>, CircomError> {
        let bytes = self.file.read_range(
            id,
            name,
            first * G::BYTES as u64,
            count as u64 * G::BYTES as u64,
        )?;
        bytes
            .par_chunks_exact(G::BYTES)
            .enumerate()
            .map(|(i, b)| {
                G::decode(b).ok_or_else(|| CircomError::InvalidPoint {
                    kind: KIND,
                    what: format!("{name} point {}", first + i as u64),
                })
            })
            .collect()
    }

    /// `τ^i·G1` for `i < n` (at most `2^(p+1) − 1`): the raw powers, e.g. for KZG parameters.
    pub fn tau_g1(&mut self, n: usize) -> Result<Vec<G1Affine>, CircomError> {
        self.powers(Seq::TauG1, n)
    }

    /// `τ^i·G2` for `i < n` (at most `2^p`); `tau_g2(2)[1]` is KZG's `τ·G2`.
    pub fn tau_g2(&mut self, n: usize) -> Result<Vec<G2Affine>, CircomError> {
        self.powers(Seq::TauG2, n)
    }

    /// `α·τ^i·G1` for `i < n` (at most `2^p`).
    pub fn alpha_tau_g1(&mut self, n: usize) -> Result<Vec<G1Affine>, CircomError> {
        self.powers(Seq::AlphaTauG1, n)
    }

    /// `β·τ^i·G1` for `i < n` (at most `2^p`).
    pub fn beta_tau_g1(&mut self, n: usize) -> Result<Vec<G1Affine>, CircomError> {
        self.powers(Seq::BetaTauG1, n)
    }

    /// `β·G2`.
    pub fn beta_g2(&mut self) -> Result<G2Affine, CircomError> {
        Ok(self.read_points::<G2Affine>((6, "betaG2"), 0, 1)?[0])
    }

    fn powers<G: PtauPoint>(&mut self, seq: Seq, n: usize) -> Result<Vec<G>, CircomError> {
        self.read_points(seq.section(), 0, n)
    }

    /// The Lagrange-basis points `L_j(τ)·G` (`j < domain_size`) of one sequence, where `L_j`
    /// is the Lagrange polynomial of the `j`-th element of the size-`domain_size` subgroup
    /// (generator: arkworks' / ffjavascript's root of unity of that order).
    fn lagrange<G: PtauPoint>(
        &mut self,
        seq: Seq,
        domain_size: usize,
    ) -> Result<Vec<G>, CircomError> {
        if !domain_size.is_power_of_two() {
            return Err(KIND.malformed(format!("domain size {domain_size} is not a power of two")));
        }
        self.check_domain(domain_size)?;
        if !self.is_prepared() {
            return Err(CircomError::PtauNotPrepared);
        }
        self.read_points(seq.lagrange_section(), domain_size as u64 - 1, domain_size)
    }

    /// `L_j(τ)·G1` for the size-`domain_size` domain (section 12).
    pub fn lagrange_tau_g1(&mut self, domain_size: usize) -> Result<Vec<G1Affine>, CircomError> {
        self.lagrange(Seq::TauG1, domain_size)
    }

    /// `L_j(τ)·G2` (section 13).
    pub fn lagrange_tau_g2(&mut self, domain_size: usize) -> Result<Vec<G2Affine>, CircomError> {
        self.lagrange(Seq::TauG2, domain_size)
    }

    /// `α·L_j(τ)·G1` (section 14).
    pub fn lagrange_alpha_tau_g1(
        &mut self,
        domain_size: usize,
    ) -> Result<Vec<G1Affine>, CircomError> {
        self.lagrange(Seq::AlphaTauG1, domain_size)
    }

    /// `β·L_j(τ)·G1` (section 15).
    pub fn lagrange_beta_tau_g1(
        &mut self,
        domain_size: usize,
    ) -> Result<Vec<G1Affine>, CircomError> {
        self.lagrange(Seq::BetaTauG1, domain_size)
    }

    /// The phase-1 contribution records (section 7), oldest first.
    pub fn contributions(&mut self) -> Result<Vec<PtauContribution>, CircomError> {
        let bytes = self.file.read_section(7, "contributions")?;
        let mut c = Cursor::new(KIND, "the contributions section", &bytes);
        let count = c.u32()?;
        let mut out = Vec::new();
        for i in 0..count {
            let what = |name: &str| format!("contribution {i}: {name}");
            let g1 = |c: &mut Cursor<'_>, name: &str| {
                G1Affine::decode(c.take(G1_BYTES)?).ok_or_else(|| CircomError::InvalidPoint {
                    kind: KIND,
                    what: what(name),
                })
            };
            let tau_g1 = g1(&mut c, "tauG1")?;
            let tau_g2 = decode_or(&mut c, || what("tauG2"))?;
            let alpha_g1 = g1(&mut c, "alphaG1")?;
            let beta_g1 = g1(&mut c, "betaG1")?;
            let beta_g2 = decode_or(&mut c, || what("betaG2"))?;
            // The contributor's public key (6 G1, 3 G2), the hashes and the type.
            c.take(6 * G1_BYTES + 3 * G2_BYTES + 216 + 64 + 4)?;
            let params_len = c.u32()? as usize;
            let params = c.take(params_len)?;
            out.push(PtauContribution {
                name: contribution_name(params),
                tau_g1,
                tau_g2,
                alpha_g1,
                beta_g1,
                beta_g2,
            });
        }
        if c.remaining() != 0 {
            return Err(KIND.malformed("bytes after the last contribution record"));
        }
        Ok(out)
    }

    /// Checks everything a circuit with a QAP domain of `domain_size` points uses, with
    /// pairings on random linear combinations:
    ///
    /// - `tauG1` (up to `τ^(2n−2)`), `tauG2`, `alphaTauG1`, `betaTauG1` (up to `τ^(n−1)`) are
    ///   geometric sequences with the same ratio `τ`, starting at the generators (resp. at
    ///   `α·G1`, `β·G1`), and `β·G2` matches `β·G1`;
    /// - none of `τ`, `α`, `β` is 0 or 1 in the exponent;
    /// - the last contribution record states the file's `τ`, `α`, `β` points;
    /// - when the file is prepared, the size-`n` Lagrange points of all four sequences are the
    ///   Lagrange basis of the powers (one MSM pair each).
    pub fn check(&mut self, domain_size: usize) -> Result<(), CircomError> {
        let n = domain_size.max(2).next_power_of_two();
        self.check_domain(n)?;
        let fail = |what: &str| {
            Err(CircomError::PtauInconsistent {
                what: what.to_string(),
            })
        };
        let tau_g1 = self.tau_g1(2 * n - 1)?;
        let tau_g2 = self.tau_g2(n)?;
        let alpha = self.alpha_tau_g1(n)?;
        let beta = self.beta_tau_g1(n)?;
        let beta_g2 = self.beta_g2()?;
        let (g1, g2) = (G1Affine::generator(), G2Affine::generator());
        if tau_g1[0] != g1 || tau_g2[0] != g2 {
            return fail("tauG1[0] / tauG2[0] are not the generators");
        }
        for (name, p) in [("tau", tau_g1[1]), ("alpha", alpha[0]), ("beta", beta[0])] {
            if p.is_zero() || p == g1 {
                return fail(&format!("{name} is 0 or 1"));
            }
        }
        let mut rng = rand::thread_rng();
        let t2 = tau_g2[1];
        for (name, seq) in [
            ("tauG1", &tau_g1[..]),
            ("alphaTauG1", &alpha[..]),
            ("betaTauG1", &beta[..]),
        ] {
            let (lo, hi) = shifted_combination(seq, &mut rng);
            if Bn254::pairing(lo, t2) != Bn254::pairing(hi, g2) {
                return fail(&format!("{name} is not a geometric sequence of ratio tau"));
            }
        }
        let (lo, hi) = shifted_combination(&tau_g2, &mut rng);
        if Bn254::pairing(tau_g1[1], lo) != Bn254::pairing(g1, hi) {
            return fail("tauG2 is not a geometric sequence of the same tau as tauG1");
        }
        if Bn254::pairing(beta[0], g2) != Bn254::pairing(g1, beta_g2) {
            return fail("betaG2 does not match betaTauG1[0]");
        }
        if let Some(last) = self.contributions()?.last() {
            let stated = (
                last.tau_g1,
                last.tau_g2,
                last.alpha_g1,
                last.beta_g1,
                last.beta_g2,
            );
            if stated != (tau_g1[1], tau_g2[1], alpha[0], beta[0], beta_g2) {
                return fail("the last contribution record does not state the file's points");
            }
        }
        if self.is_prepared() {
            let domain = Radix2EvaluationDomain::<Fr>::new(n)
                .ok_or_else(|| KIND.malformed("no FFT domain of that size"))?;
            let r: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            // f(ω^j) = r_j, so Σ r_j·L_j(τ)·G = f(τ)·G = Σ f_i·τ^i·G.
            let f = domain.ifft(&r);
            let check_g1 = |lag: Vec<G1Affine>, pow: &[G1Affine]| {
                G1Projective::msm_unchecked(&lag, &r) == G1Projective::msm_unchecked(pow, &f)
            };
            if !check_g1(self.lagrange_tau_g1(n)?, &tau_g1[..n]) {
                return fail("Lagrange tauG1 (section 12) is not the Lagrange basis of tauG1");
            }
            if !check_g1(self.lagrange_alpha_tau_g1(n)?, &alpha) {
                return fail("Lagrange alphaTauG1 (section 14) does not match alphaTauG1");
            }
            if !check_g1(self.lagrange_beta_tau_g1(n)?, &beta) {
                return fail("Lagrange betaTauG1 (section 15) does not match betaTauG1");
            }
            let lag = self.lagrange_tau_g2(n)?;
            if G2Projective::msm_unchecked(&lag, &r) != G2Projective::msm_unchecked(&tau_g2, &f) {
                return fail("Lagrange tauG2 (section 13) is not the Lagrange basis of tauG2");
            }
        }
        Ok(())
    }
}

/// `(Σ r_i·P_i, Σ r_i·P_(i+1))` over `i < len − 1` for random `r`: equal ratios of every
/// consecutive pair collapse to one ratio between the two sums.
fn shifted_combination<G: AffineRepr<ScalarField = Fr>>(
    seq: &[G],
    rng: &mut impl rand::RngCore,
) -> (G, G) {
    let r: Vec<Fr> = (1..seq.len()).map(|_| Fr::rand(rng)).collect();
    let lo = G::Group::msm_unchecked(&seq[..seq.len() - 1], &r);
    let hi = G::Group::msm_unchecked(&seq[1..], &r);
    (lo.into_affine(), hi.into_affine())
}

fn decode_or<G: PtauPoint>(
    c: &mut Cursor<'_>,
    what: impl FnOnce() -> String,
) -> Result<G, CircomError> {
    G::decode(c.take(G::BYTES)?).ok_or_else(|| CircomError::InvalidPoint {
        kind: KIND,
        what: what(),
    })
}

/// The name parameter (type 1: a length byte and UTF-8) of a contribution record.
fn contribution_name(params: &[u8]) -> Option<String> {
    let mut i = 0;
    while i + 1 < params.len() {
        match params[i] {
            1 => {
                let len = usize::from(params[i + 1]);
                let bytes = params.get(i + 2..i + 2 + len)?;
                return Some(String::from_utf8_lossy(bytes).into_owned());
            }
            // numIterationsExp: one byte.
            2 => i += 2,
            // beaconHash: a length byte and the hash.
            3 => i += 2 + usize::from(params[i + 1]),
            _ => return None,
        }
    }
    None
}

/// A base-field element in little-endian Montgomery form, if canonical.
pub(crate) fn fq_from_montgomery(b: &[u8]) -> Option<Fq> {
    let repr = limbs(b);
    (repr < Fq::MODULUS).then(|| Fq::new_unchecked(repr))
}

/// A curve point in snarkjs' uncompressed little-endian Montgomery layout ("LEM").
pub(crate) trait PtauPoint: Sized + Send + Copy {
    /// Encoded size.
    const BYTES: usize;
    /// Decodes and checks curve and subgroup membership; all zeros is the identity.
    fn decode(b: &[u8]) -> Option<Self>;
}

impl PtauPoint for ark_ec::short_weierstrass::Affine<ark_bn254::g1::Config> {
    const BYTES: usize = G1_BYTES;

    fn decode(b: &[u8]) -> Option<Self> {
        if b.iter().all(|&x| x == 0) {
            return Some(Self::zero());
        }
        let p = Self::new_unchecked(
            fq_from_montgomery(&b[..32])?,
            fq_from_montgomery(&b[32..64])?,
        );
        // BN254's G1 has cofactor 1: on the curve is in the group.
        p.is_on_curve().then_some(p)
    }
}

impl PtauPoint for ark_ec::short_weierstrass::Affine<ark_bn254::g2::Config> {
    const BYTES: usize = G2_BYTES;

    fn decode(b: &[u8]) -> Option<Self> {
        if b.iter().all(|&x| x == 0) {
            return Some(Self::zero());
        }
        let fq2 = |o: usize| -> Option<Fq2> {
            Some(Fq2::new(
                fq_from_montgomery(&b[o..o + 32])?,
                fq_from_montgomery(&b[o + 32..o + 64])?,
            ))
        };
        let p = Self::new_unchecked(fq2(0)?, fq2(64)?);
        (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
    }
}
