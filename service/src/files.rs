//! Reading and writing the files the commands take and produce. Every error names the file.

use std::{
    fs::File,
    io::{BufReader, BufWriter, Write},
    path::Path,
};

use anyhow::{Context, Result, anyhow, bail};
use ark_bn254::Fr;
use ark_ff::{BigInteger256, PrimeField};
use bulwark_prover::{Proof, ProverError, ProvingKey, Validate, VerifyingKey};
use serde::{Serialize, de::DeserializeOwned};

/// Creates `dir` (and its parents) if missing.
pub fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating output directory {}", dir.display()))
}

/// Reads `path` as JSON; `what` names the document in errors, which carry serde's line and
/// column.
pub fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading {what} file {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow!(
            "{}:{}:{}: invalid {what} JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// Writes `value` to `path` as pretty JSON.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    write_with(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value)?;
        w.write_all(b"\n")?;
        Ok(())
    })
}

/// Creates `path` and hands `write` a buffered writer for it.
fn write_with(path: &Path, write: impl FnOnce(&mut BufWriter<File>) -> Result<()>) -> Result<()> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = BufWriter::new(file);
    write(&mut w)
        .and_then(|()| w.flush().map_err(Into::into))
        .with_context(|| format!("writing {}", path.display()))
}

fn open(path: &Path, what: &str) -> Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("opening {what} {}", path.display()))?;
    Ok(BufReader::new(file))
}

fn artifact<T>(path: &Path, what: &str, read: Result<T, ProverError>) -> Result<T> {
    read.with_context(|| format!("{} is not a valid {what} file", path.display()))
}

/// Reads the bulwark artifact at `path` (a `what`: "proof", "KZG parameters", ...) with
/// `read`; the error names the file.
pub fn read_artifact<T>(
    path: &Path,
    what: &str,
    read: impl FnOnce(BufReader<File>) -> Result<T, ProverError>,
) -> Result<T> {
    let r = open(path, what)?;
    artifact(path, what, read(r))
}

/// Writes a bulwark artifact to `path` with `write`.
pub fn write_artifact(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), ProverError>,
) -> Result<()> {
    write_with(path, |w| Ok(write(w)?))
}

/// Reads a proving key without the (slow) subgroup checks: a corrupted key cannot make a false
/// proof verify, and `prove` verifies every proof it makes.
pub fn read_pk(path: &Path) -> Result<ProvingKey> {
    let r = open(path, "proving key")?;
    artifact(path, "proving key", ProvingKey::read_from(r, Validate::No))
}

/// Reads a verifying key (fully validated).
pub fn read_vk(path: &Path) -> Result<VerifyingKey> {
    let r = open(path, "verifying key")?;
    artifact(path, "verifying key", VerifyingKey::read_from(r))
}

/// Reads a proof (fully validated).
pub fn read_proof(path: &Path) -> Result<Proof> {
    let r = open(path, "proof")?;
    artifact(path, "proof", Proof::read_from(r))
}

/// Writes a proving key.
pub fn write_pk(path: &Path, pk: &ProvingKey) -> Result<()> {
    write_with(path, |w| Ok(pk.write_to(w)?))
}

/// Writes a verifying key.
pub fn write_vk(path: &Path, vk: &VerifyingKey) -> Result<()> {
    write_with(path, |w| Ok(vk.write_to(w)?))
}

/// Writes a proof.
pub fn write_proof(path: &Path, proof: &Proof) -> Result<()> {
    write_with(path, |w| Ok(proof.write_to(w)?))
}

/// Reads `public.json` (snarkjs' layout: an array of decimal strings), rejecting anything that
/// is not the canonical decimal form of a field element (no sign, no values ≥ the modulus).
pub fn read_public(path: &Path) -> Result<Vec<Fr>> {
    let strings: Vec<String> = read_json(path, "public inputs")?;
    strings
        .iter()
        .enumerate()
        .map(|(i, s)| {
            parse_fr(s).with_context(|| format!("{}: public input [{i}] = {s:?}", path.display()))
        })
        .collect()
}

/// Parses a canonical decimal field element.
pub fn parse_fr(s: &str) -> Result<Fr> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        bail!("not a decimal number");
    }
    let int: BigInteger256 = s
        .parse()
        .map_err(|()| anyhow!("does not fit in 256 bits"))?;
    Fr::from_bigint(int).ok_or_else(|| anyhow!("not below the BN254 scalar-field modulus"))
}

/// Writes `public.json` in snarkjs' layout.
pub fn write_public(path: &Path, inputs: &[Fr]) -> Result<()> {
    write_json(path, &bulwark_prover::snarkjs_public(inputs))
}

#[cfg(test)]
mod tests {
    use super::parse_fr;

    #[test]
    fn field_elements_must_be_canonical_decimals() {
        assert!(parse_fr("0").is_ok());
        let p_minus_1 =
            "21888242871839275222246405745257275088548364400416034343698204186575808495616";
        assert!(parse_fr(p_minus_1).is_ok());
        let p = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
        assert!(parse_fr(p).is_err());
        for bad in ["", "-1", "+1", "0x10", "1_000", " 1"] {
            assert!(parse_fr(bad).is_err(), "{bad:?} accepted");
        }
    }
}
