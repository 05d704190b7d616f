//! Command-line arguments (clap derive).

use std::{num::NonZeroUsize, path::PathBuf};

use bulwark_service::backend::Backend;
use clap::{Args, Parser, Subcommand};

/// bulwark: zero-knowledge proofs of rollup state transitions over BN254 (Groth16).
#[derive(Debug, Parser)]
#[command(name = "bulwark", version, about, long_about = None)]
pub struct Cli {
    /// Worker threads for proving (rayon's global pool); default: one per core.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<NonZeroUsize>,
    /// More logging on stderr: -v debug, -vv trace. `RUST_LOG` overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rollup state-transition proofs: setup, prove, verify, export.
    #[command(subcommand)]
    Rollup(RollupCommand),
    /// Proof of solvency: commit, setup, prove, verify, inclusion, verify-inclusion.
    #[command(subcommand)]
    Solvency(crate::commands::solvency::SolvencyCommand),
    /// Trusted setup from a public Powers of Tau: export the R1CS, run a phase-2 ceremony.
    #[command(subcommand)]
    Setup(crate::commands::setup::SetupCommand),
    /// End to end on sample data: sample state and signed batch, check, dev setup, prove, verify.
    Demo(DemoArgs),
    /// Side-by-side timings: our MSM engines and prover against arkworks (and halo2curves).
    #[command(subcommand)]
    Bench(crate::commands::bench::BenchCommand),
    /// Runs the gRPC prover service (jobs in SQLite under the data dir, local workers).
    Serve(crate::commands::serve::ServeArgs),
    /// Runs proving workers against a shared job store (PostgreSQL), without the gRPC API.
    Worker(crate::commands::worker::WorkerArgs),
    /// Talks to a running prover service: submit, get, watch, cancel, list.
    Client(crate::commands::client::ClientArgs),
    /// Exports contracts: `export solidity` writes Groth16 verifiers and example contracts.
    #[command(subcommand)]
    Export(crate::commands::export::ExportCommand),
    /// The GPU MSM engine: adapter info and self-test, benchmark.
    #[cfg(feature = "gpu")]
    #[command(subcommand)]
    Gpu(crate::commands::gpu::GpuCommand),
}

/// `bulwark rollup ...`.
#[derive(Debug, Subcommand)]
pub enum RollupCommand {
    /// Makes keys and params.json: INSECURE dev Groth16 keys, or with --backend plonk PLONK
    /// keys (dev KZG parameters unless --kzg-params).
    Setup(SetupArgs),
    /// Writes a sample state.json and a valid signed batch.json (deterministic, for trying out).
    Sample(SampleArgs),
    /// Checks a batch against a state, proves it, writes proof.bin, public.json, state.out.json.
    Prove(ProveArgs),
    /// Verifies a proof against a verifying key and public inputs.
    Verify(VerifyArgs),
    /// Writes snarkjs proof.json, verification_key.json and public.json.
    Export(ExportArgs),
}

/// The rollup's shape: fixed per key.
#[derive(Debug, Clone, Copy, Args)]
pub struct ShapeArgs {
    /// Account-tree depth (2^D accounts).
    #[arg(long, default_value_t = 24, value_name = "D")]
    pub depth: usize,
    /// Operations per batch (shorter batches are padded with no-ops).
    #[arg(long, default_value_t = 4, value_name = "B")]
    pub batch_size: usize,
}

/// `bulwark rollup setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The rollup's shape.
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Seed of the (insecure, deterministic) toxic waste; default: random.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The proof system to make keys for: Groth16 (proving_key.bin, verifying_key.bin from a
    /// per-circuit setup) or PLONK (plonk_proving_key.bin, plonk_verifying_key.bin and
    /// kzg_params.bin from universal KZG parameters).
    #[arg(long, value_enum, default_value_t = Backend::Groth16)]
    pub backend: Backend,
    /// PLONK: KZG parameters (bulwark's file, from a ceremony); default: INSECURE dev
    /// parameters from the seed.
    #[arg(long, value_name = "FILE")]
    pub kzg_params: Option<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `bulwark rollup sample`.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// The rollup's shape.
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Accounts in the sample state (at least 2, below 2^D); default: B + 1.
    #[arg(long)]
    pub accounts: Option<u64>,
    /// Seed of the sample accounts' keys.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `bulwark rollup prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// Proving key (proving_key.bin from `rollup setup`); with --backend plonk, the PLONK
    /// keys live in its directory.
    #[arg(long, value_name = "FILE", required_unless_present = "keys")]
    pub pk: Option<PathBuf>,
    /// Key directory from `rollup setup` (instead of --pk).
    #[arg(long, value_name = "DIR", conflicts_with = "pk")]
    pub keys: Option<PathBuf>,
    /// The key's params.json; default: params.json in the key directory.
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// The proof system. PLONK keys (plonk_proving_key.bin, plonk_verifying_key.bin,
    /// kzg_params.bin) are made in the key directory by the first PLONK proof and reused.
    #[arg(long, value_enum, default_value_t = Backend::Groth16)]
    pub backend: Backend,
    /// PLONK: KZG parameters (bulwark's file, from a ceremony) for making the PLONK keys;
    /// default: INSECURE dev parameters from params.json's seed.
    #[arg(long, value_name = "FILE")]
    pub kzg_params: Option<PathBuf>,
    /// The state before the batch (JSON).
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// The batch of signed operations (JSON).
    #[arg(long, value_name = "FILE")]
    pub batch: PathBuf,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Run the G1 MSMs on the GPU (falls back to the CPU, with a log line, without an adapter).
    #[arg(long)]
    pub gpu: bool,
}

/// `bulwark rollup verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Verifying key (verifying_key.bin, or plonk_verifying_key.bin with --backend plonk).
    #[arg(long, value_name = "FILE")]
    pub vk: PathBuf,
    /// The proof system of the key and proof.
    #[arg(long, value_enum, default_value_t = Backend::Groth16)]
    pub backend: Backend,
    /// PLONK: the KZG parameters of the key; default: kzg_params.bin next to --vk.
    #[arg(long, value_name = "FILE")]
    pub kzg_params: Option<PathBuf>,
    /// Proof (proof.bin).
    #[arg(long, value_name = "FILE")]
    pub proof: PathBuf,
    /// Public inputs (public.json: decimal strings).
    #[arg(long, value_name = "FILE")]
    pub public: PathBuf,
}

/// `bulwark rollup export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Verifying key (verifying_key.bin).
    #[arg(long, value_name = "FILE")]
    pub vk: PathBuf,
    /// Proof (proof.bin).
    #[arg(long, value_name = "FILE")]
    pub proof: PathBuf,
    /// Public inputs (public.json: decimal strings).
    #[arg(long, value_name = "FILE")]
    pub public: PathBuf,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `bulwark demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The rollup's shape.
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Seed of the sample accounts and batch.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
