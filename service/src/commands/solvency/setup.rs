//! `bulwark solvency setup`: INSECURE dev keys for the three circuits.

use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};
use bulwark_circuits::solvency::{BatchCircuit, InclusionCircuit, SolvencyParams, TopCircuit};
use bulwark_prover::{ProvingKey, dev_setup_insecure};

use super::{
    args::SetupArgs,
    backend::{self, Backend},
    documents::Published,
    keys::{self, Circuit, KeyParams},
};
use crate::{commands::rollup::warn_insecure, files, progress::Progress};

/// The shape from `--statement` or from `--assets --batch-bits --top-bits`.
fn shape(args: &SetupArgs) -> Result<SolvencyParams> {
    if let Some(path) = &args.statement {
        return Ok(Published::read(path)?.statement.params);
    }
    match (args.assets, args.batch_bits, args.top_bits) {
        (Some(k), Some(b), Some(t)) => SolvencyParams::new(k, b, t)
            .with_context(|| format!("--assets {k} --batch-bits {b} --top-bits {t}")),
        _ => Err(anyhow!(
            "setup needs --statement FILE, or --assets, --batch-bits and --top-bits"
        )),
    }
}

/// Generates one circuit's dev key from `seed`.
fn dev_key(circuit: Circuit, params: SolvencyParams, seed: u64) -> Result<ProvingKey> {
    match circuit {
        Circuit::Batch => dev_setup_insecure(BatchCircuit::blank(params), seed),
        Circuit::Top => dev_setup_insecure(TopCircuit::blank(params), seed),
        Circuit::Inclusion => dev_setup_insecure(InclusionCircuit::blank(params), seed),
    }
    .with_context(|| format!("dev setup of the {circuit:?} circuit failed"))
}

/// Writes the three key pairs and `params.json`; prints what it wrote.
pub fn run(args: &SetupArgs, progress: &Progress) -> Result<()> {
    let params = shape(args)?;
    let seed = args.seed.unwrap_or_else(rand::random);
    warn_insecure(progress, seed);
    if args.kzg_params.is_some() && args.backend != Backend::Plonk {
        bail!("--kzg-params is for --backend plonk");
    }
    files::create_dir(&args.out)?;

    let mut stages = progress.stages(Circuit::ALL.len() + 1);
    let mut written = Vec::new();
    let kzg = match args.backend {
        Backend::Groth16 => None,
        Backend::Plonk => {
            let path = backend::kzg_params_path(&args.out);
            let kzg = stages.run("KZG parameters", || -> Result<_> {
                let kzg = backend::setup_kzg_params(params, args.kzg_params.as_deref(), seed)?;
                files::write_artifact(&path, |w| kzg.write_to(w))?;
                Ok(kzg)
            })?;
            written.push(path);
            Some(kzg)
        }
    };
    for (i, circuit) in (0u64..).zip(Circuit::ALL) {
        match (args.backend, &kzg) {
            (Backend::Plonk, Some(kzg)) => {
                stages.run(circuit.name(), || {
                    backend::plonk_setup(circuit, params, kzg, &args.out)
                })?;
                written.extend([
                    circuit.plonk_pk_path(&args.out),
                    circuit.plonk_vk_path(&args.out),
                ]);
            }
            _ => {
                stages.run(circuit.name(), || -> Result<()> {
                    let pk = dev_key(circuit, params, seed.wrapping_add(i))?;
                    files::write_pk(&circuit.pk_path(&args.out), &pk)?;
                    files::write_vk(&circuit.vk_path(&args.out), pk.verifying_key())
                })?;
                written.extend([circuit.pk_path(&args.out), circuit.vk_path(&args.out)]);
            }
        }
    }
    let params_path = keys::params_path(&args.out);
    files::write_json(
        &params_path,
        &KeyParams::insecure_dev(params, seed, args.backend),
    )?;
    written.push(params_path);
    let timings = stages.finish();

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "INSECURE dev keys for solvency ({:?}): {} assets, batches of 2^{}, 2^{} batches (seed \
         {seed}):",
        args.backend,
        params.assets(),
        params.batch_bits(),
        params.top_bits()
    )?;
    for path in written {
        writeln!(out, "  {}", path.display())?;
    }
    write!(out, "timings:\n{}", timings.table())?;
    Ok(())
}
