//! The JSON files of the solvency flow. Field elements and amounts are decimal strings
//! (snarkjs' convention); every read error names the file and the field.
//!
//! * `statement.json` (public): `{"statement": "solvency", "batch_bits", "top_bits",
//!   "assets": [{"asset", "reserve"}], "book_commitment", "batch_commitments": [..]}`; the
//!   asset order is the order of balances everywhere.
//! * `secret_seed.json` (private): `{"warning", "seed"}`, the [`BlindingSeed`].
//! * `<proof>.claim.json` (the user's): `{"id", "book_commitment", "balances": [{"asset",
//!   "balance"}]}`.

use std::{io::Write, path::Path};

use anyhow::{Context, Result, bail};
use bulwark_circuits::Fr;
use bulwark_circuits::solvency::{BlindingSeed, CommittedBook, SolvencyParams, SolvencyStatement};
use serde::{Deserialize, Serialize};

use crate::files;

/// The `statement` field of `statement.json` and of the keys' `params.json`.
pub const STATEMENT: &str = "solvency";

/// The published statement's file name in `commit`'s output directory.
pub const STATEMENT_FILE: &str = "statement.json";

/// The blinding seed's file name in `commit`'s output directory.
pub const SEED_FILE: &str = "secret_seed.json";

/// One asset and its declared reserve.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetReserve {
    asset: String,
    reserve: String,
}

/// `statement.json` as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementFile {
    statement: String,
    batch_bits: usize,
    top_bits: usize,
    assets: Vec<AssetReserve>,
    book_commitment: String,
    batch_commitments: Vec<String>,
}

/// What a custodian publishes: the asset names and the [`SolvencyStatement`] over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The asset names, in the order of the reserves and of every user's balances.
    pub assets: Vec<String>,
    /// The commitments, reserves and shape.
    pub statement: SolvencyStatement,
}

impl Published {
    /// The statement of a committed book.
    pub fn of(book: &CommittedBook) -> Self {
        Self {
            assets: book.assets().to_vec(),
            statement: book.statement().clone(),
        }
    }

    /// Reads and validates `statement.json`.
    pub fn read(path: &Path) -> Result<Self> {
        let file: StatementFile = files::read_json(path, "solvency statement")?;
        let at = |field: String| format!("{}: {field}", path.display());
        if file.statement != STATEMENT {
            bail!(
                "{}: statement is {:?}, expected {STATEMENT:?}",
                at("statement".into()),
                file.statement
            );
        }
        let params = SolvencyParams::new(file.assets.len(), file.batch_bits, file.top_bits)
            .with_context(|| at("assets, batch_bits, top_bits".into()))?;
        if file.batch_commitments.len() != params.batches() {
            bail!(
                "{}: {} entries, but 2^top_bits = {} batches",
                at("batch_commitments".into()),
                file.batch_commitments.len(),
                params.batches()
            );
        }
        let reserves = file
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| {
                parse_amount(&a.reserve).with_context(|| {
                    at(format!(
                        "assets[{i}].reserve ({}) = {:?}",
                        a.asset, a.reserve
                    ))
                })
            })
            .collect::<Result<_>>()?;
        let batch_commitments = file
            .batch_commitments
            .iter()
            .enumerate()
            .map(|(j, c)| {
                files::parse_fr(c).with_context(|| at(format!("batch_commitments[{j}] = {c:?}")))
            })
            .collect::<Result<_>>()?;
        let book_commitment = files::parse_fr(&file.book_commitment)
            .with_context(|| at(format!("book_commitment = {:?}", file.book_commitment)))?;
        Ok(Self {
            assets: file.assets.into_iter().map(|a| a.asset).collect(),
            statement: SolvencyStatement {
                params,
                book_commitment,
                batch_commitments,
                reserves,
            },
        })
    }

    /// Writes `statement.json`.
    pub fn write(&self, path: &Path) -> Result<()> {
        let s = &self.statement;
        files::write_json(
            path,
            &StatementFile {
                statement: STATEMENT.into(),
                batch_bits: s.params.batch_bits(),
                top_bits: s.params.top_bits(),
                assets: self
                    .assets
                    .iter()
                    .zip(&s.reserves)
                    .map(|(asset, reserve)| AssetReserve {
                        asset: asset.clone(),
                        reserve: reserve.to_string(),
                    })
                    .collect(),
                book_commitment: s.book_commitment.to_string(),
                batch_commitments: s.batch_commitments.iter().map(Fr::to_string).collect(),
            },
        )
    }
}

/// Parses a decimal amount below `2^128`.
fn parse_amount(s: &str) -> Result<u128> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        bail!("not a non-negative decimal integer");
    }
    s.parse().context("2^128 or more")
}

/// `secret_seed.json` as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    warning: String,
    seed: String,
}

const SEED_WARNING: &str = "SECRET: opens every commitment of the book; keep it private. \
                            `solvency prove` and `solvency inclusion` need it.";

/// Writes the seed to a new file (never over an existing one: a statement published under
/// that seed would become unprovable), readable by its owner only where the OS allows.
pub fn write_seed(path: &Path, seed: BlindingSeed) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| {
        format!(
            "creating {} (commit draws a fresh seed and never overwrites one: move the old one \
             away or pick another --out)",
            path.display()
        )
    })?;
    let text = serde_json::to_string_pretty(&SeedFile {
        warning: SEED_WARNING.into(),
        seed: seed.to_fr().to_string(),
    })?;
    writeln!(file, "{text}").with_context(|| format!("writing {}", path.display()))
}

/// Reads the seed written by [`write_seed`].
pub fn read_seed(path: &Path) -> Result<BlindingSeed> {
    let file: SeedFile = files::read_json(path, "blinding seed")?;
    let seed = files::parse_fr(&file.seed)
        .with_context(|| format!("{}: seed = {:?}", path.display(), file.seed))?;
    Ok(BlindingSeed::from_fr(seed))
}

/// One balance of a user's claim.
#[derive(Debug, Serialize)]
struct AssetBalance {
    asset: String,
    balance: String,
}

/// `<proof>.claim.json`: what the user checks the proof against.
#[derive(Debug, Serialize)]
struct ClaimFile {
    id: String,
    book_commitment: String,
    balances: Vec<AssetBalance>,
}

/// Writes a user's claim: their id, the book commitment and their balances per asset.
pub fn write_claim(
    path: &Path,
    id: &str,
    book_commitment: Fr,
    assets: &[String],
    balances: &[u64],
) -> Result<()> {
    files::write_json(
        path,
        &ClaimFile {
            id: id.to_owned(),
            book_commitment: book_commitment.to_string(),
            balances: assets
                .iter()
                .zip(balances)
                .map(|(asset, b)| AssetBalance {
                    asset: asset.clone(),
                    balance: b.to_string(),
                })
                .collect(),
        },
    )
}
