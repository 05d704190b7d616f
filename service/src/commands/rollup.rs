//! `bulwark rollup setup | sample | prove | verify | export`.
//!
//! Both backends prove from one key directory: `rollup setup` writes `params.json` and the
//! Groth16 keys, or with `--backend plonk` the PLONK keys (`plonk_proving_key.bin`,
//! `plonk_verifying_key.bin`, `kzg_params.bin`; the same files the prover service makes). The
//! first `rollup prove --backend plonk` in a directory without PLONK keys makes them, and later
//! ones reuse them.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};
use bulwark_circuits::halo2::RollupBatchCircuit;
use bulwark_circuits::rollup::{self, Batch, BatchWitness, RollupCircuit, RollupParams, State};
use bulwark_prover::plonk::{KzgParams, PlonkVerifyingKey};
use bulwark_prover::solidity::{PlonkVerifierContracts, plonk_verifier};
use bulwark_prover::{ProofWithInputs, ProvingKey, dev_setup_insecure, verify};
use bulwark_service::backend::{Backend, kzg_params_path};
use bulwark_service::engine::prove;
use bulwark_service::server::{load_or_create_plonk, plonk_pk_path, plonk_vk_path};
use serde::{Deserialize, Serialize};

use crate::{
    cli::{ExportArgs, ProveArgs, RollupCommand, SampleArgs, SetupArgs, ShapeArgs, VerifyArgs},
    commands::backend::{AnyProof, AnyVerifyingKey, read_kzg_params},
    files,
    progress::{Progress, Stages, timed},
};

/// Runs one `rollup` subcommand.
pub fn run(cmd: RollupCommand, progress: &Progress) -> Result<()> {
    match cmd {
        RollupCommand::Setup(args) => setup_cmd(&args, progress),
        RollupCommand::Sample(args) => sample_cmd(&args),
        RollupCommand::Prove(args) => prove_cmd(&args, progress),
        RollupCommand::Verify(args) => verify_cmd(&args),
        RollupCommand::Export(args) => export_cmd(&args),
    }
}

/// `params.json`, written next to the keys: the shape the keys were generated for, which
/// `prove` needs to build the circuit, and how the keys were made.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyParams {
    statement: String,
    depth: usize,
    batch_size: usize,
    /// `"insecure-dev"`: toxic waste derived from `seed`; anyone who knows it can forge.
    /// `"kzg-file"`: PLONK keys on KZG parameters read from a file.
    setup: String,
    seed: u64,
}

const STATEMENT: &str = "rollup";
const INSECURE_DEV: &str = "insecure-dev";
/// `setup` of PLONK keys made from KZG parameters read from a file (a ceremony's).
const KZG_FILE: &str = "kzg-file";

/// Validates a shape from the command line.
pub fn params(shape: ShapeArgs) -> Result<RollupParams> {
    RollupParams::new(shape.depth, shape.batch_size)
        .with_context(|| format!("--depth {} --batch-size {}", shape.depth, shape.batch_size))
}

/// Prints the warning that dev keys can be forged, on stderr and not subject to `RUST_LOG`.
pub fn warn_insecure(progress: &Progress, seed: u64) {
    progress.suspend(|| {
        let rule = "!".repeat(88);
        eprintln!(
            "\n{rule}\n\
             !! INSECURE DEV SETUP (seed {seed}): anyone who knows the seed can forge proofs.\n\
             !! Development and tests ONLY: never use these keys for real funds, never deploy\n\
             !! their verifier on chain. Production keys must come from a trusted-setup ceremony.\n\
             {rule}\n"
        );
    });
}

/// Generates INSECURE dev keys for `params` under a spinner.
pub fn dev_setup(params: RollupParams, seed: u64, progress: &Progress) -> Result<ProvingKey> {
    warn_insecure(progress, seed);
    let circuit = RollupCircuit::blank(params).context("building the blank rollup circuit")?;
    let spinner = progress.spinner("dev setup (Groth16 key generation)");
    let pk = dev_setup_insecure(circuit, seed).context("dev setup failed");
    spinner.finish_and_clear();
    pk
}

fn setup_cmd(args: &SetupArgs, progress: &Progress) -> Result<()> {
    if args.kzg_params.is_some() && args.backend != Backend::Plonk {
        bail!("--kzg-params is for --backend plonk");
    }
    let params = params(args.shape)?;
    let seed = args.seed.unwrap_or_else(rand::random);
    files::create_dir(&args.out)?;
    let (written, took) = match args.backend {
        Backend::Groth16 => groth16_setup(params, seed, &args.out, progress)?,
        Backend::Plonk => plonk_setup(params, seed, args, progress)?,
    };
    let params_path = args.out.join("params.json");
    let setup = if args.kzg_params.is_some() {
        KZG_FILE
    } else {
        INSECURE_DEV
    };
    files::write_json(
        &params_path,
        &KeyParams {
            statement: STATEMENT.into(),
            depth: params.depth(),
            batch_size: params.batch_size(),
            setup: setup.into(),
            seed,
        },
    )?;
    let mut out = std::io::stdout().lock();
    let made = match (args.backend, &args.kzg_params) {
        (Backend::Groth16, _) => format!("INSECURE dev Groth16 keys (seed {seed})"),
        (Backend::Plonk, None) => {
            format!("PLONK keys on INSECURE dev KZG parameters (seed {seed})")
        }
        (Backend::Plonk, Some(kzg)) => {
            format!("PLONK keys on the KZG parameters {}", kzg.display())
        }
    };
    writeln!(
        out,
        "{made} for rollup depth {} batch size {}, {:.1} s:",
        params.depth(),
        params.batch_size(),
        took.as_secs_f64()
    )?;
    for path in written.iter().chain([&params_path]) {
        writeln!(out, "  {}", path.display())?;
    }
    Ok(())
}

/// Writes INSECURE dev Groth16 keys into `out`; returns their paths and the key-making time.
fn groth16_setup(
    params: RollupParams,
    seed: u64,
    out: &Path,
    progress: &Progress,
) -> Result<(Vec<PathBuf>, std::time::Duration)> {
    let (pk, took) = timed(|| dev_setup(params, seed, progress));
    let pk = pk?;
    tracing::info!(seconds = took.as_secs_f64(), "dev setup done");
    let pk_path = out.join("proving_key.bin");
    let vk_path = out.join("verifying_key.bin");
    files::write_pk(&pk_path, &pk)?;
    files::write_vk(&vk_path, pk.verifying_key())?;
    Ok((vec![pk_path, vk_path], took))
}

/// Makes PLONK keys in `args.out`, replacing any there; returns their paths and the time.
fn plonk_setup(
    params: RollupParams,
    seed: u64,
    args: &SetupArgs,
    progress: &Progress,
) -> Result<(Vec<PathBuf>, std::time::Duration)> {
    if args.kzg_params.is_none() {
        warn_insecure(progress, seed);
    }
    // Keys are loaded when the proving key exists: remove an old one so new keys are made.
    let pk_path = plonk_pk_path(&args.out);
    match std::fs::remove_file(&pk_path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("replacing {}", pk_path.display()));
        }
        _ => {}
    }
    let spinner = progress.spinner("PLONK key generation");
    let (keys, took) =
        timed(|| load_or_create_plonk(&args.out, params, args.kzg_params.as_deref(), Some(seed)));
    spinner.finish_and_clear();
    keys.context("making the PLONK keys")?;
    tracing::info!(seconds = took.as_secs_f64(), "PLONK keys made");
    let written = vec![
        pk_path,
        plonk_vk_path(&args.out),
        kzg_params_path(&args.out),
    ];
    Ok((written, took))
}

/// The number of sample accounts when none is given: the operator plus one per slot, so every
/// slot has its own sender where the tree has room.
pub fn default_accounts(params: RollupParams) -> u64 {
    let room = 1u64
        .checked_shl(params.depth() as u32)
        .map_or(u64::MAX, |n| n - 1);
    (params.batch_size() as u64 + 1).clamp(2, room.max(2))
}

fn sample_cmd(args: &SampleArgs) -> Result<()> {
    let params = params(args.shape)?;
    let accounts = args.accounts.unwrap_or_else(|| default_accounts(params));
    let sample = rollup::sample::demo(&params, accounts, args.seed)
        .context("building the sample state and batch")?;
    files::create_dir(&args.out)?;
    let state_path = args.out.join("state.json");
    let batch_path = args.out.join("batch.json");
    files::write_json(&state_path, &sample.state)?;
    files::write_json(&batch_path, &sample.batch)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "sample: {accounts} accounts, {} operations",
        sample.batch.operations.len()
    )?;
    writeln!(
        out,
        "  {}\n  {}",
        state_path.display(),
        batch_path.display()
    )?;
    Ok(())
}

/// The key directory of `prove`: --keys, or the directory of --pk.
fn key_dir(args: &ProveArgs) -> PathBuf {
    match (&args.keys, &args.pk) {
        (Some(dir), _) => dir.clone(),
        (None, Some(pk)) => pk.parent().unwrap_or_else(|| Path::new(".")).to_owned(),
        (None, None) => PathBuf::from("."),
    }
}

/// The shape and the dev-setup seed from the key's params.json.
fn read_key_params(args: &ProveArgs) -> Result<(RollupParams, u64)> {
    let path = (args.params.clone()).unwrap_or_else(|| key_dir(args).join("params.json"));
    read_params_and_seed(&path)
        .context("prove needs the key's params.json (from `rollup setup`); pass it with --params")
}

/// Reads a `params.json` written by `rollup setup`: the shape its keys were made for (warning
/// on dev keys).
pub fn read_params_file(path: &Path) -> Result<RollupParams> {
    read_params_and_seed(path).map(|(params, _)| params)
}

/// [`read_params_file`] and the seed of the dev setup.
fn read_params_and_seed(path: &Path) -> Result<(RollupParams, u64)> {
    let kp: KeyParams = files::read_json(path, "key parameters")?;
    if kp.statement != STATEMENT {
        bail!(
            "{}: statement is {:?}, expected {STATEMENT:?}",
            path.display(),
            kp.statement
        );
    }
    if kp.setup == INSECURE_DEV {
        tracing::warn!(
            seed = kp.seed,
            "INSECURE dev keys: anyone who knows the seed can forge proofs"
        );
    }
    let params = RollupParams::new(kp.depth, kp.batch_size)
        .with_context(|| format!("{}: invalid parameters", path.display()))?;
    Ok((params, kp.seed))
}

/// Whether `dir/params.json` is a rollup key directory's (not a solvency one's).
pub fn is_key_dir(dir: &Path) -> bool {
    files::read_json::<serde_json::Value>(&dir.join("params.json"), "key parameters")
        .is_ok_and(|v| v.get("statement").and_then(|s| s.as_str()) == Some(STATEMENT))
}

/// The result of [`prove_batch`].
pub struct Proved {
    /// The proof and its public inputs `[old_root, new_root, commitment]`.
    pub proof: ProofWithInputs,
    /// The state after the batch.
    pub state: State,
}

/// Checks `batch` against `state` natively, builds the witness and proves it, timing each stage
/// under a progress bar. An invalid batch fails in the check stage, naming the operation and
/// the rule, before any proving time is spent.
pub fn prove_batch(
    pk: &ProvingKey,
    params: RollupParams,
    state: State,
    batch: &Batch,
    stages: &mut Stages,
) -> Result<Proved> {
    let (circuit, state) = batch_circuit(params, state, batch, stages)?;
    let proof = stages
        .run("prove + self-verify", || {
            prove(pk, circuit, &mut rand::thread_rng())
        })
        .context("proving failed")?;
    Ok(Proved { proof, state })
}

/// The check and witness stages of [`prove_batch`]: the circuit and the state after the
/// batch.
fn batch_circuit(
    params: RollupParams,
    mut state: State,
    batch: &Batch,
    stages: &mut Stages,
) -> Result<(RollupCircuit, State)> {
    stages
        .run("check", || rollup::check(&state, batch, &params))
        .context("invalid batch")?;
    let witness: BatchWitness = stages
        .run("witness", || {
            rollup::build_witness(&mut state, batch, &params)
        })
        .context("building the witness")?;
    let circuit = RollupCircuit::new(params, witness).context("building the circuit")?;
    Ok((circuit, state))
}

fn prove_cmd(args: &ProveArgs, progress: &Progress) -> Result<()> {
    if args.gpu {
        bulwark_service::engine::use_gpu()?;
    }
    if args.kzg_params.is_some() && args.backend != Backend::Plonk {
        bail!("--kzg-params is for --backend plonk");
    }
    let dir = key_dir(args);
    let (params, seed) = read_key_params(args)?;
    let state: State = files::read_json(&args.state, "state")?;
    let batch: Batch = files::read_json(&args.batch, "batch")?;

    let mut stages = progress.stages(5);
    let (proof, public, state) = match args.backend {
        Backend::Groth16 => {
            let pk_path = (args.pk.clone()).unwrap_or_else(|| dir.join("proving_key.bin"));
            let pk = stages.run("load proving key", || files::read_pk(&pk_path))?;
            let proved = prove_batch(&pk, params, state, &batch, &mut stages)?;
            let mut proof = Vec::new();
            proved.proof.proof.write_to(&mut proof)?;
            (proof, proved.proof.public_inputs, proved.state)
        }
        Backend::Plonk => {
            let keys = stages.run("load or make PLONK keys", || {
                load_or_create_plonk(&dir, params, args.kzg_params.as_deref(), Some(seed))
            })?;
            let (circuit, state) = batch_circuit(params, state, &batch, &mut stages)?;
            let proved = stages
                .run("prove + self-verify", || keys.prove(circuit))
                .context("proving failed")?;
            (proved.proof, proved.public_inputs, state)
        }
    };

    let proof_path = args.out.join("proof.bin");
    let public_path = args.out.join("public.json");
    let state_path = args.out.join("state.out.json");
    stages.run("write", || -> Result<()> {
        files::create_dir(&args.out)?;
        std::fs::write(&proof_path, &proof)
            .with_context(|| format!("writing {}", proof_path.display()))?;
        files::write_public(&public_path, &public)?;
        files::write_json(&state_path, &state)
    })?;
    let timings = stages.finish();

    let mut out = std::io::stdout().lock();
    write_public_inputs(&mut out, &public)?;
    for path in [&proof_path, &public_path, &state_path] {
        writeln!(out, "wrote {}", path.display())?;
    }
    write!(out, "timings:\n{}", timings.table())?;
    Ok(())
}

/// Writes `[old_root, new_root, commitment]`, labelled.
pub fn write_public_inputs(out: &mut impl Write, inputs: &[ark_bn254::Fr]) -> Result<()> {
    for (name, value) in ["old_root:", "new_root:", "commitment:"].iter().zip(inputs) {
        writeln!(out, "{name:<13}{value}")?;
    }
    Ok(())
}

/// Reads a rollup PLONK verifying key with the KZG parameters of its size.
fn read_plonk_vk(path: &Path, kzg: &Path) -> Result<(KzgParams, PlonkVerifyingKey)> {
    let vk = files::read_artifact(path, "PLONK verifying key", |r| {
        PlonkVerifyingKey::read_from::<RollupBatchCircuit>(r, ())
    })?;
    let kzg = read_kzg_params(kzg)?
        .downsized(vk.k())
        .with_context(|| format!("{}: too small for {}", kzg.display(), path.display()))?;
    Ok((kzg, vk))
}

/// The EVM verifier of the PLONK keys in the rollup key directory `dir`, in EIP-170-sized
/// parts (calldata of the entry part: the three public inputs as 32-byte words, then the
/// proof's transcript).
pub fn plonk_verifier_contracts(dir: &Path) -> Result<PlonkVerifierContracts> {
    let vk_path = plonk_vk_path(dir);
    if !vk_path.exists() {
        bail!(
            "{} has no PLONK keys ({} is missing): `bulwark rollup prove --backend plonk --keys \
             {}` makes them",
            dir.display(),
            vk_path.display(),
            dir.display()
        );
    }
    let (kzg, vk) = read_plonk_vk(&vk_path, &kzg_params_path(dir))?;
    plonk_verifier(&kzg, &vk, 3, "RollupPlonkVerifier")
        .context("generating the rollup PLONK verifier")
}

fn verify_cmd(args: &VerifyArgs) -> Result<()> {
    let vk = match args.backend {
        Backend::Groth16 => AnyVerifyingKey::Groth16(files::read_vk(&args.vk)?),
        Backend::Plonk => {
            let kzg = (args.kzg_params.clone()).unwrap_or_else(|| {
                kzg_params_path(args.vk.parent().unwrap_or_else(|| Path::new(".")))
            });
            let (kzg, vk) = read_plonk_vk(&args.vk, &kzg)?;
            AnyVerifyingKey::Plonk(kzg, vk)
        }
    };
    let proof = AnyProof::read(args.backend, &args.proof)?;
    let public = files::read_public(&args.public)?;
    vk.verify(&public, &proof).with_context(|| {
        format!(
            "proof {} does NOT verify against {} with public inputs {}",
            args.proof.display(),
            args.vk.display(),
            args.public.display()
        )
    })?;
    tracing::info!("proof verified");
    writeln!(std::io::stdout().lock(), "OK: proof verifies")?;
    Ok(())
}

fn export_cmd(args: &ExportArgs) -> Result<()> {
    let vk = files::read_vk(&args.vk)?;
    let proof = files::read_proof(&args.proof)?;
    let public = files::read_public(&args.public)?;
    // A proof that does not verify here would not verify in snarkjs or on chain either.
    verify(&vk, &public, &proof).with_context(|| {
        format!(
            "refusing to export: proof {} does not verify against {} with {}",
            args.proof.display(),
            args.vk.display(),
            args.public.display()
        )
    })?;
    files::create_dir(&args.out)?;
    bulwark_prover::write_snarkjs_files(&args.out, &vk, &public, &proof)
        .with_context(|| format!("writing snarkjs files to {}", args.out.display()))?;
    let mut out = std::io::stdout().lock();
    for name in ["proof.json", "verification_key.json", "public.json"] {
        writeln!(out, "wrote {}", args.out.join(name).display())?;
    }
    Ok(())
}
