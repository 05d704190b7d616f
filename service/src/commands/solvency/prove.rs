//! `bulwark solvency prove`: every batch, then the top.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};
use bulwark_circuits::solvency::SolvencyParams;
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

/// A circuit's proving key, of the key directory's backend.
// Both variants are large and `prove` holds two values, so boxing buys nothing.
#[allow(clippy::large_enum_variant)]
enum Key {
    Groth16(bulwark_prover::ProvingKey),
    Plonk(backend::PlonkKey),
}

impl Key {
    /// Reads `circuit`'s proving key of `backend` from `dir`.
    fn read(
        backend: Backend,
        circuit: Circuit,
        params: SolvencyParams,
        dir: &Path,
    ) -> Result<Self> {
        Ok(match backend {
            Backend::Groth16 => Self::Groth16(circuit.read_pk(dir)?),
            Backend::Plonk => Self::Plonk(backend::read_plonk_key(circuit, params, dir)?),
        })
    }

    /// Proves `witness`, a circuit of this key's shape.
    fn prove(&self, witness: Witness) -> Result<AnyProof> {
        let pk = match self {
            Self::Plonk(key) => return backend::plonk_prove_witness(key, witness),
            Self::Groth16(pk) => pk,
        };
        let rng = &mut rand::rngs::OsRng;
        let proof = match witness {
            Witness::Batch(c) => prove(pk, c, rng),
            Witness::Top(c) => prove(pk, c, rng),
            Witness::Inclusion(c) => prove(pk, c, rng),
        }?;
        Ok(AnyProof::Groth16(Box::new(proof.proof)))
    }
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
        Ok((
            Key::read(backend, Circuit::Batch, params, &args.keys)?,
            Key::read(backend, Circuit::Top, params, &args.keys)?,
        ))
    })?;
    files::create_dir(&args.out)?;

    stages.run("prove batches", || -> Result<()> {
        let bar = progress.bar(params.batches() as u64, "batches");
        for j in 0..params.batches() {
            let proof = batch_pk
                .prove(Witness::Batch(book.batch_circuit(j)?))
                .with_context(|| format!("proving batch {j}"))?;
            proof.write(&batch_proof_path(&args.out, j))?;
            bar.inc(1);
        }
        bar.finish_and_clear();
        Ok(())
    })?;
    stages.run("prove top", || -> Result<()> {
        let proof = top_pk
            .prove(Witness::Top(book.top_circuit()))
            .context("proving the top")?;
        proof.write(&top_proof_path(&args.out))
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
