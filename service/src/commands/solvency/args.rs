//! Command-line arguments of `bulwark solvency ...`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::backend::Backend;

/// `bulwark solvency ...`: the custodian runs `commit`, `setup`, `prove` and `inclusion`; an
/// auditor runs `verify`; a user runs `verify-inclusion`.
#[derive(Debug, Subcommand)]
pub enum SolvencyCommand {
    /// Checks the book against the reserves and commits to it: writes statement.json (to
    /// publish) and secret_seed.json (to keep private).
    Commit(CommitArgs),
    /// INSECURE dev setup: keys for the batch, top and inclusion circuits, and params.json.
    Setup(SetupArgs),
    /// Proves every batch and the top: writes batch_<j>.bin and top.bin.
    Prove(ProveArgs),
    /// Verifies every batch proof and the top proof against a published statement.
    Verify(VerifyArgs),
    /// Proves one user's inclusion: writes the proof and the user's claim (<out>.claim.json).
    Inclusion(InclusionArgs),
    /// What a user runs: checks their inclusion proof against the published statement.
    VerifyInclusion(VerifyInclusionArgs),
}

/// The custodian's private inputs.
#[derive(Debug, Args)]
pub struct BookArgs {
    /// User balances: CSV `user_id,<asset>,...`, one row per user, in smallest units.
    #[arg(long, value_name = "FILE")]
    pub users: PathBuf,
    /// Reserves: JSON `{"<asset>": "<amount>", ...}`.
    #[arg(long, value_name = "FILE")]
    pub reserves: PathBuf,
}

/// `bulwark solvency commit`.
#[derive(Debug, Args)]
pub struct CommitArgs {
    /// The book and the reserves.
    #[command(flatten)]
    pub book: BookArgs,
    /// Batches of 2^b users.
    #[arg(long, value_name = "B")]
    pub batch_bits: usize,
    /// 2^t batches (capacity 2^(b+t) users).
    #[arg(long, value_name = "T")]
    pub top_bits: usize,
    /// Output directory (created if missing; must not hold a secret_seed.json already).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `bulwark solvency setup`: the shape comes from a statement or from the three flags.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Take the shape (assets, batch bits, top bits) from this statement.json.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present_all = ["assets", "batch_bits", "top_bits"],
        conflicts_with_all = ["assets", "batch_bits", "top_bits"]
    )]
    pub statement: Option<PathBuf>,
    /// Assets K (without --statement).
    #[arg(long, value_name = "K")]
    pub assets: Option<usize>,
    /// Batches of 2^b users (without --statement).
    #[arg(long, value_name = "B")]
    pub batch_bits: Option<usize>,
    /// 2^t batches (without --statement).
    #[arg(long, value_name = "T")]
    pub top_bits: Option<usize>,
    /// Seed of the (insecure, deterministic) toxic waste; default: random.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Proof system of every circuit (batch, top and inclusion).
    #[arg(long, value_enum, default_value_t = Backend::Groth16)]
    pub backend: Backend,
    /// PLONK: KZG parameters (bulwark's file, from a ceremony) instead of INSECURE dev
    /// parameters from the seed; copied, downsized, into the key directory.
    #[arg(long, value_name = "FILE")]
    pub kzg_params: Option<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `bulwark solvency prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// The book and the reserves.
    #[command(flatten)]
    pub book: BookArgs,
    /// secret_seed.json from `solvency commit`.
    #[arg(long, value_name = "FILE")]
    pub seed_file: PathBuf,
    /// Key directory from `solvency setup`.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// The published statement.json: if given, the rebuilt book must match it before proving.
    #[arg(long, value_name = "FILE")]
    pub statement: Option<PathBuf>,
    /// Output directory for the proofs (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Run the G1 MSMs on the GPU (falls back to the CPU, with a log line, without an adapter).
    #[arg(long)]
    pub gpu: bool,
}

/// `bulwark solvency verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The published statement.json.
    #[arg(long, value_name = "FILE")]
    pub statement: PathBuf,
    /// Key directory (the verifying keys and params.json suffice).
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// Directory with batch_<j>.bin and top.bin from `solvency prove`.
    #[arg(long, value_name = "DIR")]
    pub proofs: PathBuf,
}

/// `bulwark solvency inclusion`.
#[derive(Debug, Args)]
pub struct InclusionArgs {
    /// The book and the reserves.
    #[command(flatten)]
    pub book: BookArgs,
    /// secret_seed.json from `solvency commit`.
    #[arg(long, value_name = "FILE")]
    pub seed_file: PathBuf,
    /// Key directory from `solvency setup`.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// The user's id, as in the CSV.
    #[arg(long, value_name = "USER")]
    pub id: String,
    /// The proof file to write; the claim goes next to it as <stem>.claim.json.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `bulwark solvency verify-inclusion`.
#[derive(Debug, Args)]
pub struct VerifyInclusionArgs {
    /// The published statement.json.
    #[arg(long, value_name = "FILE")]
    pub statement: PathBuf,
    /// The inclusion verifying key (inclusion_verifying_key.bin, or
    /// inclusion_plonk_verifying_key.bin for PLONK).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The proof system of the key and proof.
    #[arg(long, value_enum, default_value_t = Backend::Groth16)]
    pub backend: Backend,
    /// PLONK: the custodian's KZG parameters (kzg_params.bin in the key directory).
    #[arg(long, value_name = "FILE", required_if_eq("backend", "plonk"))]
    pub kzg_params: Option<PathBuf>,
    /// The inclusion proof the custodian handed over.
    #[arg(long, value_name = "FILE")]
    pub proof: PathBuf,
    /// Your user id, as the custodian knows it.
    #[arg(long, value_name = "USER")]
    pub id: String,
    /// Your balances in the statement's asset order, smallest units, comma-separated.
    #[arg(long, value_name = "B1,B2,...")]
    pub balances: String,
}
