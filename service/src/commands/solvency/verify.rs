//! `bulwark solvency verify`: what an auditor runs on the published statement and proofs.

use std::{io::Write, path::Path};

use anyhow::{Result, bail};
use bulwark_circuits::Fr;
use rayon::prelude::*;

use super::{
    args::VerifyArgs,
    backend::{self, AnyProof, AnyVerifyingKey, Backend},
    documents::Published,
    keys::{self, Circuit},
    prove::{batch_proof_path, top_proof_path},
};
use crate::progress::Progress;

/// Reads the proof at `path` and verifies it; the error says which proof and why.
fn check(what: &str, path: &Path, vk: &AnyVerifyingKey, inputs: Result<Vec<Fr>>) -> Result<()> {
    let proof = AnyProof::read(vk.backend(), path)?;
    vk.verify(&inputs?, &proof)
        .map_err(|e| anyhow::anyhow!("{what} ({}) does NOT verify: {e:#}", path.display()))
}

/// Verifies every batch proof against its batch commitment and the top proof against the
/// book commitment, the batch digest and the reserves; lists every proof that fails.
pub fn run(args: &VerifyArgs, progress: &Progress) -> Result<()> {
    let published = Published::read(&args.statement)?;
    let statement = &published.statement;
    let params = statement.params;
    let backend = keys::check_params(&args.keys, params)?;
    let read_vk = |circuit: Circuit| -> Result<AnyVerifyingKey> {
        Ok(match backend {
            Backend::Groth16 => AnyVerifyingKey::Groth16(circuit.read_vk(&args.keys)?),
            Backend::Plonk => {
                let (kzg, vk) = backend::read_plonk_vk(
                    circuit,
                    params,
                    &circuit.plonk_vk_path(&args.keys),
                    &backend::kzg_params_path(&args.keys),
                )?;
                AnyVerifyingKey::Plonk(kzg, vk)
            }
        })
    };
    let batch_vk = read_vk(Circuit::Batch)?;
    let top_vk = read_vk(Circuit::Top)?;

    let bar = progress.bar(params.batches() as u64 + 1, "verifying");
    let mut failures: Vec<String> = (0..params.batches())
        .into_par_iter()
        .filter_map(|j| {
            let inputs = statement.batch_public_inputs(j).map_err(Into::into);
            let path = batch_proof_path(&args.proofs, j);
            let result = check(&format!("batch proof {j}"), &path, &batch_vk, inputs);
            bar.inc(1);
            result.err().map(|e| format!("{e:#}"))
        })
        .collect();
    let inputs = statement.top_public_inputs().map_err(Into::into);
    let top = check("top proof", &top_proof_path(&args.proofs), &top_vk, inputs);
    failures.extend(top.err().map(|e| format!("{e:#}")));
    bar.finish_and_clear();

    if !failures.is_empty() {
        bail!(
            "{} of {} proofs fail against {}:\n  {}",
            failures.len(),
            params.batches() + 1,
            args.statement.display(),
            failures.join("\n  ")
        );
    }
    tracing::info!("solvency proofs verified");
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "OK: {} batch proofs and the top proof verify: the book committed in {} holds at most \
         the reserves:",
        params.batches(),
        args.statement.display()
    )?;
    for (asset, reserve) in published.assets.iter().zip(&statement.reserves) {
        writeln!(out, "  {asset}: total <= {reserve}")?;
    }
    Ok(())
}
