//! snarkjs-compatible JSON (`proof.json`, `verification_key.json`, `public.json`).
//!
//! Field elements are decimal strings of their canonical integer value. Points use snarkjs'
//! projective layout with `z = 1` (`["x", "y", "1"]`; the identity is `["0", "1", "0"]`); a G2
//! coordinate in Fq2 = Fq[u]/(u² + 1) is `["c0", "c1"]`. `vk_alphabeta_12` is `e(alpha, beta)`
//! in Fq12 = Fq6[w]/(w² − v), Fq6 = Fq2[v]/(v³ − (9 + u)) — the same tower as ffjavascript's
//! `bn128`, written `[[c0.c0, c0.c1, c0.c2], [c1.c0, c1.c1, c1.c2]]`.

use std::{fs::File, io::BufWriter, path::Path};

use ark_bn254::{Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ff::{BigInt, One, PrimeField, Zero};
use serde::{Deserialize, Serialize};

use crate::{Proof, ProverError, VerifyingKey};

/// A G1 point as snarkjs writes it: `[x, y, z]`.
pub type JsonG1 = [String; 3];
/// A G2 point as snarkjs writes it: `[[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]`.
pub type JsonG2 = [[String; 2]; 3];

fn g1(p: &G1Affine) -> JsonG1 {
    match p.xy() {
        Some((x, y)) => [x.to_string(), y.to_string(), "1".into()],
        None => ["0".into(), "1".into(), "0".into()],
    }
}

fn fq2(f: &Fq2) -> [String; 2] {
    [f.c0.to_string(), f.c1.to_string()]
}

fn g2(p: &G2Affine) -> JsonG2 {
    match p.xy() {
        Some((x, y)) => [fq2(&x), fq2(&y), ["1".into(), "0".into()]],
        None => [
            ["0".into(), "0".into()],
            ["1".into(), "0".into()],
            ["0".into(), "0".into()],
        ],
    }
}

/// `proof.json` as `snarkjs groth16 prove` writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnarkjsProof {
    /// The proof's `A` (G1).
    pub pi_a: JsonG1,
    /// The proof's `B` (G2).
    pub pi_b: JsonG2,
    /// The proof's `C` (G1).
    pub pi_c: JsonG1,
    /// Always `"groth16"`.
    pub protocol: String,
    /// Always `"bn128"` (snarkjs' name for BN254).
    pub curve: String,
}

impl SnarkjsProof {
    /// Converts a proof.
    pub fn new(proof: &Proof) -> Self {
        Self {
            pi_a: g1(&proof.0.a),
            pi_b: g2(&proof.0.b),
            pi_c: g1(&proof.0.c),
            protocol: "groth16".into(),
            curve: "bn128".into(),
        }
    }
}

/// `verification_key.json` as `snarkjs zkey export verificationkey` writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnarkjsVerificationKey {
    /// Always `"groth16"`.
    pub protocol: String,
    /// Always `"bn128"`.
    pub curve: String,
    /// The number of public inputs.
    #[serde(rename = "nPublic")]
    pub n_public: usize,
    /// `alpha` in G1.
    pub vk_alpha_1: JsonG1,
    /// `beta` in G2.
    pub vk_beta_2: JsonG2,
    /// `gamma` in G2.
    pub vk_gamma_2: JsonG2,
    /// `delta` in G2.
    pub vk_delta_2: JsonG2,
    /// The pairing `e(alpha, beta)` in Fq12 (see the module docs for the layout).
    pub vk_alphabeta_12: [[[String; 2]; 3]; 2],
    /// The input commitments `gamma_abc_g1`: the constant term first, then one per input.
    #[serde(rename = "IC")]
    pub ic: Vec<JsonG1>,
}

impl SnarkjsVerificationKey {
    /// Converts a verifying key; `vk_alphabeta_12` comes from the prepared key.
    pub fn new(vk: &VerifyingKey) -> Self {
        let raw = vk.as_ark();
        let ab = &vk.pvk.alpha_g1_beta_g2;
        let fq6 = |f: &ark_bn254::Fq6| [fq2(&f.c0), fq2(&f.c1), fq2(&f.c2)];
        Self {
            protocol: "groth16".into(),
            curve: "bn128".into(),
            n_public: vk.num_public_inputs(),
            vk_alpha_1: g1(&raw.alpha_g1),
            vk_beta_2: g2(&raw.beta_g2),
            vk_gamma_2: g2(&raw.gamma_g2),
            vk_delta_2: g2(&raw.delta_g2),
            vk_alphabeta_12: [fq6(&ab.c0), fq6(&ab.c1)],
            ic: raw.gamma_abc_g1.iter().map(g1).collect(),
        }
    }
}

impl SnarkjsProof {
    /// The proof this JSON describes (as `snarkjs groth16 prove` writes it); points are checked
    /// to be in their groups.
    pub fn to_proof(&self) -> Result<Proof, ProverError> {
        Ok(Proof(ark_groth16::Proof {
            a: parse_g1(&self.pi_a, "pi_a")?,
            b: parse_g2(&self.pi_b, "pi_b")?,
            c: parse_g1(&self.pi_c, "pi_c")?,
        }))
    }
}

impl SnarkjsVerificationKey {
    /// The verifying key this JSON describes (as `snarkjs zkey export verificationkey` writes
    /// it); `vk_alphabeta_12` is recomputed, not read.
    pub fn to_verifying_key(&self) -> Result<VerifyingKey, ProverError> {
        if self.ic.len() != self.n_public + 1 {
            return Err(json_error(format!(
                "IC has {} points for nPublic = {}",
                self.ic.len(),
                self.n_public
            )));
        }
        let gamma_abc_g1 = self
            .ic
            .iter()
            .enumerate()
            .map(|(i, p)| parse_g1(p, &format!("IC[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(VerifyingKey::from_ark(ark_groth16::VerifyingKey {
            alpha_g1: parse_g1(&self.vk_alpha_1, "vk_alpha_1")?,
            beta_g2: parse_g2(&self.vk_beta_2, "vk_beta_2")?,
            gamma_g2: parse_g2(&self.vk_gamma_2, "vk_gamma_2")?,
            delta_g2: parse_g2(&self.vk_delta_2, "vk_delta_2")?,
            gamma_abc_g1,
        }))
    }
}

fn json_error(what: String) -> ProverError {
    ProverError::SnarkjsJson { what }
}

/// A canonical decimal field element.
fn parse_field<F: PrimeField<BigInt = BigInt<4>>>(s: &str, what: &str) -> Result<F, ProverError> {
    s.parse::<BigInt<4>>()
        .ok()
        .and_then(F::from_bigint)
        .ok_or_else(|| json_error(format!("{what}: {s:?} is not a canonical field element")))
}

/// Projective `[x, y, z]` with `z` 1 (affine) or 0 (the identity, snarkjs' `["0", "1", "0"]`).
fn parse_point<C: SWCurveConfig, T>(
    coords: &[T; 3],
    what: &str,
    parse: impl Fn(&T, &str) -> Result<C::BaseField, ProverError>,
) -> Result<Affine<C>, ProverError> {
    let z = parse(&coords[2], what)?;
    if z.is_zero() {
        return Ok(Affine::identity());
    }
    if !z.is_one() {
        return Err(json_error(format!("{what}: z must be 0 or 1 (affine)")));
    }
    let p = Affine::<C>::new_unchecked(parse(&coords[0], what)?, parse(&coords[1], what)?);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(json_error(format!(
            "{what} is not a point of the prime-order group"
        )));
    }
    Ok(p)
}

fn parse_g1(p: &JsonG1, what: &str) -> Result<G1Affine, ProverError> {
    parse_point(p, what, |s, w| parse_field(s, w))
}

fn parse_g2(p: &JsonG2, what: &str) -> Result<G2Affine, ProverError> {
    parse_point(p, what, |[c0, c1], w| {
        Ok(Fq2::new(parse_field(c0, w)?, parse_field(c1, w)?))
    })
}

/// Parses `public.json` (decimal strings, circuit order).
pub fn parse_snarkjs_public(values: &[String]) -> Result<Vec<Fr>, ProverError> {
    values
        .iter()
        .enumerate()
        .map(|(i, s)| parse_field(s, &format!("public input {i}")))
        .collect()
}

/// `public.json`: the public inputs as decimal strings, in circuit order.
pub fn snarkjs_public(public_inputs: &[Fr]) -> Vec<String> {
    public_inputs.iter().map(ToString::to_string).collect()
}

/// Writes `verification_key.json`, `public.json` and `proof.json` into `dir` (which must
/// exist), ready for `snarkjs groth16 verify verification_key.json public.json proof.json`.
pub fn write_snarkjs_files(
    dir: &Path,
    vk: &VerifyingKey,
    public_inputs: &[Fr],
    proof: &Proof,
) -> Result<(), ProverError> {
    write_json(
        &dir.join("verification_key.json"),
        &SnarkjsVerificationKey::new(vk),
    )?;
    write_json(&dir.join("public.json"), &snarkjs_public(public_inputs))?;
    write_json(&dir.join("proof.json"), &SnarkjsProof::new(proof))
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), ProverError> {
    let file = File::create(path).map_err(|source| ProverError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut w = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, value)?;
    std::io::Write::flush(&mut w).map_err(|source| ProverError::Io {
        path: path.to_path_buf(),
        source,
    })
}
