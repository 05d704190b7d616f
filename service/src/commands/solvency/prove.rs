//! `bulwark solvency prove`: every batch, then the top.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};
use bulwark_service::engine::prove;

use super::{
    args::ProveArgs,
    backend::{self, AnyProof, Backend, Witness},
    book,
    documents::Published,
    keys::{self, Circuit},
};
use crate::{files, progress::Progress};

/// `<dir>/batch_<j>.bin`.
pub fn batch_proof_path(dir: &Path, batch: usize) -> PathBuf {
    dir.join(format!("batch_{batch}.bin"))
}

/// `<dir>/top.bin`.
pub fn top_proof_path(dir: &Path) -> PathBuf {
    dir.join("top.bin")
}

/// The batch circuit's proving key.
// Both variants are large and `prove` holds one value, so boxing buys nothing.
#[allow(clippy::large_enum_variant)]
enum BatchKey {
    Groth16(bulwark_prover::ProvingKey),
    Plonk(backend::PlonkKey),
}

/// Rebuilds the committed book, proves the `2^t` batches one after the other (each proof
/// uses every thread; memory stays at one circuit) and the top, writing each proof as soon
/// as it is made.
pub fn run(args: &ProveArgs, progress: &Progress) -> Result<()> {
    if args.gpu {
        bulwark_service::engine::use_gpu()?;
    }
    let (params, backend) = keys::read_params_and_backend(&args.keys)?;
    let mut stages = progress.stages(5);
    let book = book::rebuild(&args.book, &args.seed_file, params, &mut stages, progress)?;
    let published = Published::of(&book);
    if let Some(path) = &args.statement
        && Published::read(path)? != published
    {
        bail!(
            "the book rebuilt from {}, {} and {} does not match {}: other users, reserves, \
                 seed or parameters than at `solvency commit`",
            args.book.users.display(),
            args.book.reserves.display(),
            args.seed_file.display(),
            path.display()
        );
    }
    let (batch_pk, top_pk) = stages.run("load proving keys", || -> Result<_> {
        let batch = match backend {
            Backend::Groth16 => BatchKey::Groth16(Circuit::Batch.read_pk(&args.keys)?),
            Backend::Plonk => {
                BatchKey::Plonk(backend::read_plonk_key(Circuit::Batch, params, &args.keys)?)
            }
        };
        Ok((batch, Circuit::Top.read_pk(&args.keys)?))
    })?;
    files::create_dir(&args.out)?;

    let mut rng = rand::rngs::OsRng;
    stages.run("prove batches", || -> Result<()> {
        let bar = progress.bar(params.batches() as u64, "batches");
        for j in 0..params.batches() {
            let circuit = book.batch_circuit(j)?;
            let proof = match &batch_pk {
                BatchKey::Groth16(pk) => prove(pk, circuit, &mut rng)
                    .map(|p| AnyProof::Groth16(Box::new(p.proof)))
                    .map_err(anyhow::Error::from),
                BatchKey::Plonk(key) => backend::plonk_prove_witness(key, Witness::Batch(circuit)),
            }
            .with_context(|| format!("proving batch {j}"))?;
            proof.write(&batch_proof_path(&args.out, j))?;
            bar.inc(1);
        }
        bar.finish_and_clear();
        Ok(())
    })?;
    stages.run("prove top", || -> Result<()> {
        let proof = prove(&top_pk, book.top_circuit(), &mut rng).context("proving the top")?;
        files::write_proof(&top_proof_path(&args.out), &proof.proof)
    })?;
    let timings = stages.finish();
    tracing::info!(batches = params.batches(), "solvency proved");

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "proved {} users, {} assets: {} batches of {} and the top, for book commitment {}",
        book.users(),
        params.assets(),
        params.batches(),
        params.batch_size(),
        published.statement.book_commitment
    )?;
    book::write_totals(
        &mut out,
        book.assets(),
        book.totals(),
        &published.statement.reserves,
    )?;
    writeln!(
        out,
        "wrote {} .. {} and {}",
        batch_proof_path(&args.out, 0).display(),
        batch_proof_path(&args.out, params.batches() - 1).display(),
        top_proof_path(&args.out).display()
    )?;
    write!(out, "timings:\n{}", timings.table())?;
    writeln!(out, "total: {:.3} s", timings.total().as_secs_f64())?;
    Ok(())
}
