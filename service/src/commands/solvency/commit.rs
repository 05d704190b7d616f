//! `bulwark solvency commit`: check, commit, publish the statement, keep the seed.

use std::io::Write;

use anyhow::{Context, Result};
use bulwark_circuits::solvency::{BlindingSeed, SolvencyParams};

use super::{
    args::CommitArgs,
    book,
    documents::{self, Published},
};
use crate::{files, progress::Progress};

/// Reads and checks the book, draws a fresh seed, builds the committed book and writes
/// `statement.json` and `secret_seed.json`; prints a summary.
pub fn run(args: &CommitArgs, progress: &Progress) -> Result<()> {
    let mut stages = progress.stages(5);
    let users = stages.run("read users", || book::read_users(&args.book.users))?;
    let reserves = stages.run("read reserves", || book::read_reserves(&args.book.reserves))?;
    let totals = stages.run("check solvency", || {
        book::check(&users, &reserves, &args.book)
    })?;
    let params = SolvencyParams::new(users.assets().len(), args.batch_bits, args.top_bits)
        .with_context(|| {
            format!(
                "--batch-bits {} --top-bits {} for {} assets",
                args.batch_bits,
                args.top_bits,
                users.assets().len()
            )
        })?;
    let seed = BlindingSeed::random(&mut rand::rngs::OsRng);
    let committed = stages.run("build sum tree", || {
        book::commit(&users, &reserves, params, seed, progress)
    })?;
    let published = Published::of(&committed);
    let statement_path = args.out.join(documents::STATEMENT_FILE);
    let seed_path = args.out.join(documents::SEED_FILE);
    stages.run("write", || -> Result<()> {
        files::create_dir(&args.out)?;
        documents::write_seed(&seed_path, seed)?;
        published.write(&statement_path)
    })?;
    let timings = stages.finish();
    tracing::info!(users = users.entries().len(), "book committed");

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "committed {} users, {} assets: {} batches of {} (capacity {})",
        users.entries().len(),
        params.assets(),
        params.batches(),
        params.batch_size(),
        params.capacity()
    )?;
    book::write_totals(
        &mut out,
        &published.assets,
        &totals,
        &published.statement.reserves,
    )?;
    writeln!(
        out,
        "book commitment: {}",
        published.statement.book_commitment
    )?;
    writeln!(out, "wrote {} (publish it)", statement_path.display())?;
    writeln!(
        out,
        "wrote {} (SECRET: keep it private; it opens every commitment; prove and inclusion \
         need it)",
        seed_path.display()
    )?;
    write!(out, "timings:\n{}", timings.table())?;
    writeln!(out, "total: {:.3} s", timings.total().as_secs_f64())?;
    Ok(())
}
