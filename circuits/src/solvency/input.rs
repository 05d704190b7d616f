//! Reading an exchange's files: the user-balances CSV and the reserves JSON.
//!
//! CSV: a header `user_id,<asset_1>,...,<asset_K>`, then one row per user: a non-empty id
//! (any UTF-8; hashed as bytes) and one balance per asset, a decimal integer in the asset's
//! smallest unit, `0 <= balance < 2^64`. Fields may be quoted and are trimmed; blank lines are
//! skipped. Rows are read one at a time, so memory holds the parsed entries only.
//!
//! JSON: an object from asset name to reserve, a decimal string (snarkjs convention) or a
//! non-negative JSON integer, `0 <= reserve < 2^128`, each asset once.
//!
//! Lines and columns count from 1.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

use super::book::Entry;

/// The name of the first CSV column.
const ID_COLUMN: &str = "user_id";

/// Why a balance or reserve field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BalanceProblem {
    /// The field is empty.
    #[error("empty field")]
    Empty,
    /// The field is a negative integer.
    #[error("negative amount")]
    Negative,
    /// The field is not a plain decimal integer (a fraction, exponent, sign or other text).
    #[error("not a non-negative decimal integer")]
    NotAnInteger,
    /// The integer does not fit the width (`2^64` for balances, `2^128` for reserves).
    #[error("amount is 2^{bits} or more")]
    TooLarge {
        /// The width in bits.
        bits: u32,
    },
}

/// Errors reading the CSV or the reserves; each names where, lines and columns from 1.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The CSV could not be read (I/O, invalid UTF-8, broken quoting).
    #[error("CSV line {line}: {source}")]
    Csv {
        /// The line being read.
        line: u64,
        /// The reader's error.
        source: csv::Error,
    },
    /// The CSV has no header row.
    #[error("CSV line 1: the file is empty; expected a header `user_id,<asset>,...`")]
    EmptyCsv,
    /// The first header column is not `user_id`.
    #[error("CSV line 1, column 1: the first column must be `user_id`, found `{found}`")]
    NoIdColumn {
        /// The header's first field.
        found: String,
    },
    /// The header names no asset.
    #[error("CSV line 1: the header names no asset column after `user_id`")]
    NoAssets,
    /// A header asset name is empty.
    #[error("CSV line 1, column {column}: empty asset name")]
    EmptyAssetName {
        /// The column.
        column: usize,
    },
    /// A header asset name repeats an earlier one.
    #[error("CSV line 1, column {column}: asset `{asset}` already names column {first_column}")]
    DuplicateAsset {
        /// The column.
        column: usize,
        /// The earlier column.
        first_column: usize,
        /// The name.
        asset: String,
    },
    /// A row has more or fewer fields than the header.
    #[error("CSV line {line}: {found} fields, but the header has {expected}")]
    FieldCount {
        /// The line.
        line: u64,
        /// The header's field count.
        expected: usize,
        /// The row's field count.
        found: usize,
    },
    /// A row's user id is empty.
    #[error("CSV line {line}, column 1: empty user id")]
    EmptyId {
        /// The line.
        line: u64,
    },
    /// A user id appears twice.
    #[error("CSV line {line}, column 1: user id `{id}` already appears on line {first_line}")]
    DuplicateId {
        /// The line.
        line: u64,
        /// The line of the first occurrence.
        first_line: u64,
        /// The id.
        id: String,
    },
    /// A balance field is not a valid balance.
    #[error("CSV line {line}, column {column} ({asset}): {problem}: `{value}`")]
    Balance {
        /// The line.
        line: u64,
        /// The column.
        column: usize,
        /// The column's asset.
        asset: String,
        /// The field as read (trimmed).
        value: String,
        /// What is wrong with it.
        problem: BalanceProblem,
    },
    /// The CSV header has no users below it.
    #[error("CSV: the book has no users")]
    NoUsers,
    /// The reserves could not be read.
    #[error("reading the reserves: {source}")]
    ReservesRead {
        /// The I/O error.
        source: std::io::Error,
    },
    /// The reserves JSON is malformed or holds an invalid reserve.
    #[error("reserves JSON line {line}, column {column}: {message}")]
    ReservesJson {
        /// The line.
        line: usize,
        /// The column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Reserves given programmatically name an asset twice.
    #[error("reserves name asset `{asset}` twice")]
    DuplicateReserve {
        /// The asset.
        asset: String,
    },
    /// A CSV asset column has no reserve.
    #[error("CSV line 1, column {column}: asset `{asset}` has no entry in the reserves")]
    MissingReserve {
        /// The CSV column.
        column: usize,
        /// The asset.
        asset: String,
    },
    /// The reserves name an asset with no CSV column.
    #[error("reserves name asset `{asset}`, which has no column in the CSV header (line 1)")]
    UnknownAsset {
        /// The asset.
        asset: String,
    },
}

/// Parses a decimal integer below `2^bits` (`bits` is 64 or 128).
fn parse_amount(field: &str, bits: u32) -> Result<u128, BalanceProblem> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if field.is_empty() {
        return Err(BalanceProblem::Empty);
    }
    if field.strip_prefix('-').is_some_and(digits) {
        return Err(BalanceProblem::Negative);
    }
    if !digits(field) {
        return Err(BalanceProblem::NotAnInteger);
    }
    match field.parse::<u128>() {
        Ok(v) if bits >= 128 || v >> bits == 0 => Ok(v),
        _ => Err(BalanceProblem::TooLarge { bits }),
    }
}

/// Reads the CSV: the asset names (header order) and the entries (row order).
pub(super) fn read_csv(reader: impl Read) -> Result<(Vec<String>, Vec<Entry>), InputError> {
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let mut records = csv.into_records();
    let mut last_line = 0;
    let (_, header) = next_record(&mut records, &mut last_line)?.ok_or(InputError::EmptyCsv)?;
    let assets = read_header(&header)?;

    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let mut entries = Vec::new();
    while let Some((line, record)) = next_record(&mut records, &mut last_line)? {
        if record.len() != assets.len() + 1 {
            return Err(InputError::FieldCount {
                line,
                expected: assets.len() + 1,
                found: record.len(),
            });
        }
        let id = &record[0];
        if id.is_empty() {
            return Err(InputError::EmptyId { line });
        }
        if let Some(&first_line) = first_line_of.get(id) {
            return Err(InputError::DuplicateId {
                line,
                first_line,
                id: id.to_owned(),
            });
        }
        let balances = assets
            .iter()
            .enumerate()
            .map(|(i, asset)| {
                let value = &record[i + 1];
                parse_amount(value, 64)
                    .and_then(|v| {
                        u64::try_from(v).map_err(|_| BalanceProblem::TooLarge { bits: 64 })
                    })
                    .map_err(|problem| InputError::Balance {
                        line,
                        column: i + 2,
                        asset: asset.clone(),
                        value: value.to_owned(),
                        problem,
                    })
            })
            .collect::<Result<_, _>>()?;
        first_line_of.insert(id.to_owned(), line);
        entries.push(Entry::new(id.to_owned(), balances));
    }
    if entries.is_empty() {
        return Err(InputError::NoUsers);
    }
    Ok((assets, entries))
}

/// The next record and the line it starts on.
fn next_record<R: Read>(
    records: &mut csv::StringRecordsIntoIter<R>,
    last_line: &mut u64,
) -> Result<Option<(u64, csv::StringRecord)>, InputError> {
    match records.next() {
        None => Ok(None),
        Some(Ok(record)) => {
            *last_line = record
                .position()
                .map_or(*last_line + 1, csv::Position::line);
            Ok(Some((*last_line, record)))
        }
        Some(Err(source)) => Err(InputError::Csv {
            line: source
                .position()
                .map_or(*last_line + 1, csv::Position::line),
            source,
        }),
    }
}

fn read_header(header: &csv::StringRecord) -> Result<Vec<String>, InputError> {
    let first = header.get(0).unwrap_or_default();
    if first.trim_start_matches('\u{feff}') != ID_COLUMN {
        return Err(InputError::NoIdColumn {
            found: first.to_owned(),
        });
    }
    if header.len() < 2 {
        return Err(InputError::NoAssets);
    }
    let mut column_of: HashMap<&str, usize> = HashMap::new();
    let mut assets = Vec::with_capacity(header.len() - 1);
    for (i, asset) in header.iter().enumerate().skip(1) {
        let column = i + 1;
        if asset.is_empty() {
            return Err(InputError::EmptyAssetName { column });
        }
        if let Some(&first_column) = column_of.get(asset) {
            return Err(InputError::DuplicateAsset {
                column,
                first_column,
                asset: asset.to_owned(),
            });
        }
        column_of.insert(asset, column);
        assets.push(asset.to_owned());
    }
    Ok(assets)
}

/// The declared reserves per asset, in the JSON's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reserves {
    amounts: Vec<(String, u128)>,
}

impl Reserves {
    /// Reserves from `(asset, amount)` pairs; errors if an asset repeats.
    pub fn new(amounts: Vec<(String, u128)>) -> Result<Self, InputError> {
        let mut seen = std::collections::HashSet::new();
        match amounts
            .iter()
            .find(|(asset, _)| !seen.insert(asset.as_str()))
        {
            Some((asset, _)) => Err(InputError::DuplicateReserve {
                asset: asset.clone(),
            }),
            None => Ok(Self { amounts }),
        }
    }

    /// Reads `{"<asset>": "<amount>", ...}`; errors carry serde_json's line and column.
    /// The file is small: it is read whole, so positions point into the text exactly.
    pub fn from_json(mut reader: impl Read) -> Result<Self, InputError> {
        let mut text = Vec::new();
        reader
            .read_to_end(&mut text)
            .map_err(|source| InputError::ReservesRead { source })?;
        serde_json::from_slice(&text).map_err(|e| InputError::ReservesJson {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e),
        })
    }

    /// The `(asset, amount)` pairs.
    pub fn amounts(&self) -> &[(String, u128)] {
        &self.amounts
    }

    /// The reserve of `asset`.
    pub fn get(&self, asset: &str) -> Option<u128> {
        self.amounts
            .iter()
            .find_map(|(a, amount)| (a == asset).then_some(*amount))
    }

    /// The reserves in the order of `assets` (a CSV header's assets, column 2 onwards);
    /// errors on an asset without a reserve or a reserve without an asset.
    pub fn for_assets(&self, assets: &[String]) -> Result<Vec<u128>, InputError> {
        if let Some((asset, _)) = self.amounts.iter().find(|(a, _)| !assets.contains(a)) {
            return Err(InputError::UnknownAsset {
                asset: asset.clone(),
            });
        }
        assets
            .iter()
            .enumerate()
            .map(|(i, asset)| {
                self.get(asset).ok_or_else(|| InputError::MissingReserve {
                    column: i + 2,
                    asset: asset.clone(),
                })
            })
            .collect()
    }
}

/// serde_json appends " at line L column C"; the error variant carries them as fields.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

impl<'de> Deserialize<'de> for Reserves {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ReservesVisitor)
    }
}

struct ReservesVisitor;

impl<'de> Visitor<'de> for ReservesVisitor {
    type Value = Reserves;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object from asset name to reserve amount")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Reserves, A::Error> {
        let mut amounts: Vec<(String, u128)> = Vec::new();
        while let Some(asset) = map.next_key::<String>()? {
            if asset.is_empty() {
                return Err(de::Error::custom("empty asset name"));
            }
            if amounts.iter().any(|(a, _)| *a == asset) {
                return Err(de::Error::custom(format!("asset `{asset}` given twice")));
            }
            let Amount(amount) = map
                .next_value()
                .map_err(|e| de::Error::custom(format!("reserve of `{asset}`: {e}")))?;
            amounts.push((asset, amount));
        }
        Ok(Reserves { amounts })
    }
}

/// A reserve amount: a decimal string or a non-negative JSON integer below `2^128`.
struct Amount(u128);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmountVisitor)
    }
}

struct AmountVisitor;

impl Visitor<'_> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal string or a non-negative integer")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
        parse_amount(v.trim(), 128)
            .map(Amount)
            .map_err(|p| E::custom(format!("{p}: `{v}`")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
        Ok(Amount(v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
        u64::try_from(v)
            .map(|v| Amount(v.into()))
            .map_err(|_| E::custom(format!("{}: `{v}`", BalanceProblem::Negative)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
        Err(E::custom(format!(
            "{}: `{v}`",
            BalanceProblem::NotAnInteger
        )))
    }
}
