//! `bulwark solvency inclusion` (the custodian proves one user's entry) and
//! `bulwark solvency verify-inclusion` (the user checks it).

use std::io::Write;

use anyhow::{Context, Result, bail};
use bulwark_circuits::solvency::{InclusionClaim, SolvencyParams};
use bulwark_prover::prove;

use super::{
    args::{InclusionArgs, VerifyInclusionArgs},
    backend::{self, AnyProof, AnyVerifyingKey, Backend, Witness},
    book,
    documents::{self, Published},
    keys::{self, Circuit},
};
use crate::{files, progress::Progress};

/// Proves that user `--id` is in the committed book; writes the proof and the claim.
pub fn prove_cmd(args: &InclusionArgs, progress: &Progress) -> Result<()> {
    let (params, backend): (SolvencyParams, Backend) = keys::read_params_and_backend(&args.keys)?;
    let mut stages = progress.stages(5);
    let book = book::rebuild(&args.book, &args.seed_file, params, &mut stages, progress)?;
    let circuit = book
        .inclusion_circuit(&args.id)
        .with_context(|| format!("user {:?} in {}", args.id, args.book.users.display()))?;
    let claim = circuit.claim.clone();
    let proof = match backend {
        Backend::Groth16 => {
            let pk = stages.run("load proving key", || {
                Circuit::Inclusion.read_pk(&args.keys)
            })?;
            stages
                .run("prove", || prove(&pk, circuit, &mut rand::rngs::OsRng))
                .map(|p| AnyProof::Groth16(Box::new(p.proof)))
                .map_err(anyhow::Error::from)
        }
        Backend::Plonk => {
            let key = stages.run("load proving key", || {
                backend::read_plonk_key(Circuit::Inclusion, params, &args.keys)
            })?;
            stages.run("prove", || {
                backend::plonk_prove_witness(&key, Witness::Inclusion(circuit))
            })
        }
    }
    .with_context(|| format!("proving the inclusion of {:?}", args.id))?;
    let claim_path = args.out.with_extension("claim.json");
    stages.run("write", || -> Result<()> {
        if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
            files::create_dir(dir)?;
        }
        proof.write(&args.out)?;
        documents::write_claim(
            &claim_path,
            &args.id,
            claim.book_commitment,
            book.assets(),
            &claim.balances,
        )
    })?;
    let timings = stages.finish();

    let balances: Vec<String> = claim.balances.iter().map(u64::to_string).collect();
    let mut out = std::io::stdout().lock();
    writeln!(out, "inclusion proof for user {:?}:", args.id)?;
    for (asset, balance) in book.assets().iter().zip(&balances) {
        writeln!(out, "  {asset}: {balance}")?;
    }
    writeln!(out, "wrote {}", args.out.display())?;
    writeln!(out, "wrote {}", claim_path.display())?;
    let key = match backend {
        Backend::Groth16 => Circuit::Inclusion.vk_path(&args.keys).display().to_string(),
        Backend::Plonk => format!(
            "{} --backend plonk --kzg-params {}",
            Circuit::Inclusion.plonk_vk_path(&args.keys).display(),
            backend::kzg_params_path(&args.keys).display()
        ),
    };
    writeln!(
        out,
        "the user checks it with:\n  bulwark solvency verify-inclusion --statement statement.json \
         --key {key} --proof {} --id {:?} --balances {}",
        args.out.display(),
        args.id,
        balances.join(",")
    )?;
    write!(out, "timings:\n{}", timings.table())?;
    Ok(())
}

/// Parses `--balances`: one decimal `u64` per asset, in the statement's order.
fn parse_balances(text: &str, assets: &[String]) -> Result<Vec<u64>> {
    let items: Vec<&str> = text.split(',').map(str::trim).collect();
    if items.len() != assets.len() {
        bail!(
            "--balances: {} values, but the statement has {} assets ({})",
            items.len(),
            assets.len(),
            assets.join(", ")
        );
    }
    items
        .iter()
        .zip(assets)
        .enumerate()
        .map(|(i, (item, asset))| {
            if item.is_empty() || !item.bytes().all(|b| b.is_ascii_digit()) {
                bail!(
                    "--balances: value {} ({asset}) = {item:?} is not a non-negative decimal \
                     integer",
                    i + 1
                );
            }
            item.parse()
                .with_context(|| format!("--balances: value {} ({asset}) is 2^64 or more", i + 1))
        })
        .collect()
}

/// Verifies a user's inclusion proof against the published book commitment, their id and
/// their balances.
pub fn verify_cmd(args: &VerifyInclusionArgs) -> Result<()> {
    let published = Published::read(&args.statement)?;
    let balances = parse_balances(&args.balances, &published.assets)?;
    let claim = InclusionClaim::new(
        published.statement.book_commitment,
        &args.id,
        balances.clone(),
    )
    .context("hashing the user id")?;
    let vk = match (args.backend, &args.kzg_params) {
        (Backend::Groth16, _) => AnyVerifyingKey::Groth16(files::read_vk(&args.key)?),
        (Backend::Plonk, Some(kzg)) => {
            let (kzg, vk) = backend::read_plonk_vk(
                Circuit::Inclusion,
                published.statement.params,
                &args.key,
                kzg,
            )?;
            AnyVerifyingKey::Plonk(kzg, vk)
        }
        (Backend::Plonk, None) => bail!("--backend plonk needs --kzg-params FILE"),
    };
    let proof = AnyProof::read(args.backend, &args.proof)?;
    let shown: Vec<String> = published
        .assets
        .iter()
        .zip(&balances)
        .map(|(asset, b)| format!("{asset} {b}"))
        .collect();
    vk.verify(&claim.public_inputs(), &proof).with_context(|| {
        format!(
            "inclusion proof {} does NOT verify for user {:?} with balances {} against the book \
             commitment in {}",
            args.proof.display(),
            args.id,
            shown.join(", "),
            args.statement.display()
        )
    })?;
    tracing::info!("inclusion proof verified");
    writeln!(
        std::io::stdout().lock(),
        "OK: user {:?} with balances {} is included in the book committed in {}",
        args.id,
        shown.join(", "),
        args.statement.display()
    )?;
    Ok(())
}
