//! `bulwark export solidity`: the Groth16 verifier contract for a verifying key, or the
//! rollup / solvency example contracts for a key directory (`bulwark_prover::solidity`).

use std::{io::Write, path::PathBuf};

use anyhow::{Context, Result};
use bulwark_prover::solidity::{
    SoliditySource, groth16_verifier, rollup_example, solvency_example,
};
use clap::{ArgGroup, Args, Subcommand};

use crate::{
    commands::{rollup, solvency},
    files,
};

/// `bulwark export ...`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Writes Solidity contracts: a Groth16 verifier for a verifying key (--vk), or the rollup
    /// or solvency example contracts with their verifiers for a key directory.
    Solidity(SolidityArgs),
}

/// `bulwark export solidity`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("keys")
        .required(true)
        .args(["vk", "rollup_example", "solvency_example", "plonk_verifiers"])
))]
pub struct SolidityArgs {
    /// A verifying key (verifying_key.bin from `rollup setup`, <circuit>_verifying_key.bin from
    /// `solvency setup`): writes <NAME>.sol, a verifier for it.
    #[arg(long, value_name = "FILE")]
    pub vk: Option<PathBuf>,
    /// The verifier contract's name (with --vk); default: Groth16Verifier.
    #[arg(long, value_name = "NAME", requires = "vk")]
    pub name: Option<String>,
    /// A `rollup setup` key directory (verifying_key.bin, params.json): writes
    /// RollupVerifier.sol and RollupExample.sol.
    #[arg(long, value_name = "DIR")]
    pub rollup_example: Option<PathBuf>,
    /// A `solvency setup` key directory (top and inclusion verifying keys, params.json): writes
    /// SolvencyTopVerifier.sol, SolvencyInclusionVerifier.sol and SolvencyExample.sol.
    #[arg(long, value_name = "DIR")]
    pub solvency_example: Option<PathBuf>,
    /// A `solvency setup --backend plonk` key directory: writes SolvencyBatchPlonkVerifier.sol,
    /// SolvencyTopPlonkVerifier.sol and SolvencyInclusionPlonkVerifier.sol; or a rollup key
    /// directory with PLONK keys (from `rollup prove --backend plonk`): writes
    /// RollupPlonkVerifier.sol (PLONK/KZG verifiers; calldata: the public inputs as 32-byte
    /// words, then the proof).
    #[arg(long, value_name = "DIR")]
    pub plonk_verifiers: Option<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Default contract name for `--vk`.
const DEFAULT_NAME: &str = "Groth16Verifier";

/// Runs one `export` subcommand.
pub fn run(cmd: ExportCommand) -> Result<()> {
    match cmd {
        ExportCommand::Solidity(args) => solidity_cmd(&args),
    }
}

/// The contracts `args` asks for.
fn sources(args: &SolidityArgs) -> Result<Vec<SoliditySource>> {
    if let Some(path) = &args.vk {
        let vk = files::read_vk(path)?;
        let name = args.name.as_deref().unwrap_or(DEFAULT_NAME);
        let source = groth16_verifier(&vk, name)
            .with_context(|| format!("generating a verifier for {}", path.display()))?;
        return Ok(vec![source]);
    }
    if let Some(dir) = &args.rollup_example {
        let vk_path = dir.join("verifying_key.bin");
        let vk = files::read_vk(&vk_path)?;
        let params = rollup::read_params_file(&dir.join("params.json"))?;
        let sources = rollup_example(&vk, &params)
            .with_context(|| format!("{} is not a rollup verifying key", vk_path.display()))?;
        return Ok(sources.into());
    }
    if let Some(dir) = &args.plonk_verifiers {
        if rollup::is_key_dir(dir) {
            return Ok(vec![rollup::plonk_verifier_source(dir)?]);
        }
        return solvency::plonk_verifier_sources(dir);
    }
    let dir = args.solvency_example.as_ref().context(
        "export solidity needs --vk, --rollup-example, --solvency-example or --plonk-verifiers",
    )?;
    let params = solvency::read_key_params(dir)?;
    let top = solvency::Circuit::Top.read_vk(dir)?;
    let inclusion = solvency::Circuit::Inclusion.read_vk(dir)?;
    let sources = solvency_example(&top, &inclusion, &params)
        .with_context(|| format!("the keys in {} do not match params.json", dir.display()))?;
    Ok(sources.into())
}

fn solidity_cmd(args: &SolidityArgs) -> Result<()> {
    let sources = sources(args)?;
    files::create_dir(&args.out)?;
    let mut out = std::io::stdout().lock();
    for source in sources {
        let path = source
            .write_into(&args.out)
            .with_context(|| format!("writing {}", source.file_name()))?;
        writeln!(out, "wrote {}", path.display())?;
    }
    Ok(())
}
