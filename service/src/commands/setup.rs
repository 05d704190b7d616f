//! `bulwark setup r1cs | new | contribute | verify`: Groth16 keys from a public Powers of Tau
//! ceremony and a circuit-specific phase 2.

use std::{
    fs::File,
    io::{BufReader, BufWriter, Write},
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};
use bulwark_circuits::rollup::RollupCircuit;
use bulwark_prover::{Phase2, Ptau, circom::R1cs};
use clap::{Args, Subcommand};

use crate::{cli::ShapeArgs, files, progress::Progress};

/// `bulwark setup ...`.
#[derive(Debug, Subcommand)]
pub enum SetupCommand {
    /// Writes the rollup circuit's constraint system as a circom `.r1cs` file.
    R1cs(R1csArgs),
    /// Starts a phase-2 ceremony from a prepared `.ptau` and a `.r1cs` (delta = 1: not yet
    /// secure).
    New(NewArgs),
    /// Adds a contribution (a fresh secret from the OS) and prints its hash.
    Contribute(ContributeArgs),
    /// Replays a ceremony from the `.ptau` and the `.r1cs`; optionally writes its keys.
    Verify(VerifyArgs),
}

/// `bulwark setup r1cs`.
#[derive(Debug, Args)]
pub struct R1csArgs {
    /// The rollup's shape.
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Output `.r1cs` file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `bulwark setup new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// A Powers of Tau file prepared for phase 2 (`snarkjs powersoftau prepare phase2`).
    #[arg(long, value_name = "FILE")]
    pub ptau: PathBuf,
    /// The circuit (`bulwark setup r1cs`, or circom's output).
    #[arg(long, value_name = "FILE")]
    pub r1cs: PathBuf,
    /// Output ceremony file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `bulwark setup contribute`.
#[derive(Debug, Args)]
pub struct ContributeArgs {
    /// The ceremony so far.
    #[arg(long = "in", value_name = "FILE")]
    pub input: PathBuf,
    /// Output ceremony file with the new contribution.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The contributor's name, recorded in the transcript.
    #[arg(long, default_value = "")]
    pub name: String,
}

/// `bulwark setup verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The Powers of Tau the ceremony started from.
    #[arg(long, value_name = "FILE")]
    pub ptau: PathBuf,
    /// The circuit.
    #[arg(long, value_name = "FILE")]
    pub r1cs: PathBuf,
    /// The ceremony file.
    #[arg(long, value_name = "FILE")]
    pub ceremony: PathBuf,
    /// Writes proving_key.bin and verifying_key.bin here once the transcript verifies.
    #[arg(long, value_name = "DIR")]
    pub keys_out: Option<PathBuf>,
}

/// Runs one `setup` subcommand.
pub fn run(cmd: SetupCommand, progress: &Progress) -> Result<()> {
    match cmd {
        SetupCommand::R1cs(args) => r1cs_cmd(&args),
        SetupCommand::New(args) => new_cmd(&args, progress),
        SetupCommand::Contribute(args) => contribute_cmd(&args, progress),
        SetupCommand::Verify(args) => verify_cmd(&args, progress),
    }
}

fn open(path: &Path, what: &str) -> Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("opening {what} {}", path.display()))?;
    Ok(BufReader::new(file))
}

fn create(path: &Path, write: impl FnOnce(&mut BufWriter<File>) -> Result<()>) -> Result<()> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = BufWriter::new(file);
    write(&mut w)
        .and_then(|()| w.flush().map_err(Into::into))
        .with_context(|| format!("writing {}", path.display()))
}

fn read_r1cs(path: &Path) -> Result<R1cs> {
    R1cs::read_from(open(path, ".r1cs")?)
        .with_context(|| format!("{} is not a usable .r1cs file", path.display()))
}

fn open_ptau(path: &Path) -> Result<Ptau<BufReader<File>>> {
    Ptau::open(path).with_context(|| format!("{} is not a usable .ptau file", path.display()))
}

fn read_ceremony(path: &Path) -> Result<Phase2> {
    Phase2::read_from(open(path, "ceremony file")?)
        .with_context(|| format!("{} is not a valid ceremony file", path.display()))
}

fn write_ceremony(path: &Path, p2: &Phase2) -> Result<()> {
    create(path, |w| Ok(p2.write_to(w)?))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn r1cs_cmd(args: &R1csArgs) -> Result<()> {
    let params = crate::commands::rollup::params(args.shape)?;
    let circuit = RollupCircuit::blank(params).context("building the blank rollup circuit")?;
    let r1cs = R1cs::from_circuit(circuit).context("synthesizing the rollup circuit")?;
    create(&args.out, |w| Ok(r1cs.write_to(w)?))?;
    writeln!(
        std::io::stdout(),
        "{}: {} constraints, {} wires, {} public inputs, needs a .ptau of power >= {}",
        args.out.display(),
        r1cs.constraints.len(),
        r1cs.num_wires,
        r1cs.num_public(),
        r1cs.domain_size().trailing_zeros()
    )?;
    Ok(())
}

fn new_cmd(args: &NewArgs, progress: &Progress) -> Result<()> {
    let r1cs = read_r1cs(&args.r1cs)?;
    let mut ptau = open_ptau(&args.ptau)?;
    let spinner = progress.spinner("checking the Powers of Tau");
    ptau.check(r1cs.domain_size())
        .with_context(|| format!("{} is not a consistent Powers of Tau", args.ptau.display()))?;
    spinner.set_message("deriving the circuit's key (phase 2 start)");
    let p2 = Phase2::new(&mut ptau, &r1cs).context("starting phase 2")?;
    spinner.finish_and_clear();
    write_ceremony(&args.out, &p2)?;
    writeln!(
        std::io::stdout(),
        "{}: phase 2 started (delta = 1: NOT secure until at least one contribution)",
        args.out.display()
    )?;
    Ok(())
}

fn contribute_cmd(args: &ContributeArgs, progress: &Progress) -> Result<()> {
    let mut p2 = read_ceremony(&args.input)?;
    let spinner = progress.spinner("contributing");
    let hash = p2
        .contribute(&args.name, &mut rand::rngs::OsRng)
        .context("contributing")?;
    spinner.finish_and_clear();
    write_ceremony(&args.out, &p2)?;
    writeln!(
        std::io::stdout(),
        "contribution #{} ({:?}) written to {}\ncontribution hash: {}",
        p2.contributions().len(),
        args.name,
        args.out.display(),
        hex(&hash)
    )?;
    Ok(())
}

fn verify_cmd(args: &VerifyArgs, progress: &Progress) -> Result<()> {
    let r1cs = read_r1cs(&args.r1cs)?;
    let mut ptau = open_ptau(&args.ptau)?;
    let p2 = read_ceremony(&args.ceremony)?;
    let spinner = progress.spinner("verifying the Powers of Tau and the ceremony");
    ptau.check(r1cs.domain_size())
        .with_context(|| format!("{} is not a consistent Powers of Tau", args.ptau.display()))?;
    let hashes = p2
        .verify(&mut ptau, &r1cs)
        .with_context(|| format!("{} does not verify", args.ceremony.display()))?;
    spinner.finish_and_clear();
    for (i, (c, h)) in p2.contributions().iter().zip(&hashes).enumerate() {
        writeln!(
            std::io::stdout(),
            "contribution #{} ({:?}): {}",
            i + 1,
            c.name,
            hex(h)
        )?;
    }
    if hashes.is_empty() {
        writeln!(
            std::io::stdout(),
            "WARNING: no contributions: delta = 1, anyone can forge proofs with these keys"
        )?;
    }
    writeln!(std::io::stdout(), "ceremony OK")?;
    if let Some(dir) = &args.keys_out {
        files::create_dir(dir)?;
        let pk = p2.proving_key();
        files::write_pk(&dir.join("proving_key.bin"), &pk)?;
        files::write_vk(&dir.join("verifying_key.bin"), pk.verifying_key())?;
        writeln!(std::io::stdout(), "keys written to {}", dir.display())?;
    }
    Ok(())
}
