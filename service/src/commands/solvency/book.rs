//! The custodian's private inputs: the users CSV, the reserves JSON, the seed, and the
//! committed book rebuilt from them.

use std::{
    fs::File,
    io::{BufReader, Write},
    path::Path,
};

use anyhow::{Context, Result, anyhow};
use bulwark_circuits::solvency::{
    BlindingSeed, Book, CommittedBook, Reserves, SolvencyError, SolvencyParams,
};

use super::{args::BookArgs, documents};
use crate::progress::{Progress, Stages};

/// Reads the users CSV; errors name the file, line and column.
pub fn read_users(path: &Path) -> Result<Book> {
    let file = File::open(path).with_context(|| format!("opening users CSV {}", path.display()))?;
    Book::from_csv(BufReader::new(file)).with_context(|| format!("{}", path.display()))
}

/// Reads the reserves JSON; errors name the file, line and column.
pub fn read_reserves(path: &Path) -> Result<Reserves> {
    let file =
        File::open(path).with_context(|| format!("opening reserves JSON {}", path.display()))?;
    Reserves::from_json(BufReader::new(file)).with_context(|| format!("{}", path.display()))
}

/// Checks the book against the reserves, returning the per-asset totals; insolvency is
/// explained per asset, one line each.
pub fn check(book: &Book, reserves: &Reserves, args: &BookArgs) -> Result<Vec<u128>> {
    book.check(reserves).map_err(|err| match err {
        SolvencyError::Insolvent(shortfalls) => anyhow!(
            "the book in {} is INSOLVENT against {}:\n{}",
            args.users.display(),
            args.reserves.display(),
            shortfalls
                .iter()
                .map(|s| format!("  {}: {s}", s.asset))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => anyhow::Error::new(other).context(format!(
            "matching the assets of {} with {}",
            args.users.display(),
            args.reserves.display()
        )),
    })
}

/// Places a solvent book in its sum tree and commits to it (the slow part of `commit`),
/// with a bar over the hashes.
pub fn commit(
    book: &Book,
    reserves: &Reserves,
    params: SolvencyParams,
    seed: BlindingSeed,
    progress: &Progress,
) -> Result<CommittedBook> {
    let bar = progress.units("hashes");
    let committed = CommittedBook::new_with_progress(book, reserves, params, seed, &bar);
    bar.finish();
    committed.with_context(|| {
        format!(
            "committing to the book ({} assets, capacity 2^{} users)",
            params.assets(),
            params.depth()
        )
    })
}

/// Reads the CSV, the reserves and the seed, checks solvency and rebuilds the committed book,
/// one stage each, as `prove` and `inclusion` need it.
pub fn rebuild(
    args: &BookArgs,
    seed_file: &Path,
    params: SolvencyParams,
    stages: &mut Stages,
    progress: &Progress,
) -> Result<CommittedBook> {
    let (book, reserves, seed) = stages.run("read inputs", || -> Result<_> {
        let book = read_users(&args.users)?;
        let reserves = read_reserves(&args.reserves)?;
        let seed = documents::read_seed(seed_file)?;
        check(&book, &reserves, args)?;
        Ok((book, reserves, seed))
    })?;
    stages.run("build sum tree", || {
        commit(&book, &reserves, params, seed, progress)
    })
}

/// One line per asset: its total next to its reserve, for the custodian's eyes (the totals
/// are not published).
pub fn write_totals(
    out: &mut impl Write,
    assets: &[String],
    totals: &[u128],
    reserves: &[u128],
) -> Result<()> {
    let width = assets.iter().map(String::len).max().unwrap_or(0);
    for ((asset, total), reserve) in assets.iter().zip(totals).zip(reserves) {
        writeln!(
            out,
            "  {asset:<width$}  total {total} <= reserve {reserve} (the total stays private)"
        )?;
    }
    Ok(())
}
