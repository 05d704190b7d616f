//! `bulwark export solidity`: the Groth16 verifier contract for a verifying key, or the
//! rollup / solvency example contracts for a key directory (`bulwark_prover::solidity`).

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};
use bulwark_prover::solidity::{
    PlonkVerifierContracts, SoliditySource, groth16_verifier, rollup_example, solvency_example,
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
    /// words, then the proof). Each verifier comes in parts that fit EIP-170 (<NAME>.sol, the
    /// entry, then <NAME>Part2.sol, ...): deploy the last part first and each earlier one with
    /// the address of the part after it as constructor argument (printed after writing).
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
    let dir = args
        .solvency_example
        .as_ref()
        .context("export solidity needs --vk, --rollup-example or --solvency-example")?;
    let params = solvency::read_key_params(dir)?;
    let top = solvency::Circuit::Top.read_vk(dir)?;
    let inclusion = solvency::Circuit::Inclusion.read_vk(dir)?;
    let sources = solvency_example(&top, &inclusion, &params)
        .with_context(|| format!("the keys in {} do not match params.json", dir.display()))?;
    Ok(sources.into())
}

/// The PLONK verifiers of a key directory (`--plonk-verifiers`).
fn plonk_verifiers(dir: &Path) -> Result<Vec<PlonkVerifierContracts>> {
    if rollup::is_key_dir(dir) {
        return Ok(vec![rollup::plonk_verifier_contracts(dir)?]);
    }
    solvency::plonk_verifier_contracts(dir)
}

/// How to deploy `verifier`'s parts, one line.
fn deployment_note(verifier: &PlonkVerifierContracts) -> String {
    let entry = &verifier.entry().contract_name;
    if verifier.parts().len() == 1 {
        return format!("{entry}: one contract, no constructor arguments");
    }
    let steps: Vec<String> = verifier
        .deployment_order()
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                format!("{} ()", part.contract_name)
            } else {
                format!("{} (the address of the part before)", part.contract_name)
            }
        })
        .collect();
    format!(
        "{entry}: {} parts (each under EIP-170); deploy in this order: {}; callers call {entry}",
        verifier.parts().len(),
        steps.join(", then ")
    )
}

fn solidity_cmd(args: &SolidityArgs) -> Result<()> {
    let (sources, notes) = match &args.plonk_verifiers {
        Some(dir) => {
            let verifiers = plonk_verifiers(dir)?;
            let notes: Vec<String> = verifiers.iter().map(deployment_note).collect();
            let sources = verifiers
                .into_iter()
                .flat_map(PlonkVerifierContracts::into_parts)
                .collect();
            (sources, notes)
        }
        None => (sources(args)?, Vec::new()),
    };
    files::create_dir(&args.out)?;
    let mut out = std::io::stdout().lock();
    for source in sources {
        let path = source
            .write_into(&args.out)
            .with_context(|| format!("writing {}", source.file_name()))?;
        writeln!(out, "wrote {}", path.display())?;
    }
    for note in notes {
        writeln!(out, "{note}")?;
    }
    Ok(())
}
