//! `bulwark solvency commit | setup | prove | verify | inclusion | verify-inclusion`: proof
//! of solvency for a custodian's book (see `bulwark_circuits::solvency`).
//!
//! The custodian runs `commit` (publishes `statement.json`, keeps `secret_seed.json`),
//! `setup`, `prove` (writes `batch_<j>.bin` and `top.bin`) and, per user, `inclusion`
//! (writes the proof and `<stem>.claim.json`). An auditor runs `verify`; a user runs
//! `verify-inclusion` with their own id and balances.

mod args;
mod backend;
mod book;
mod commit;
mod documents;
mod inclusion;
mod keys;
mod prove;
mod setup;
mod verify;

pub use args::SolvencyCommand;
pub use backend::plonk_verifier_contracts;
pub use keys::{Circuit, read_params as read_key_params};

use crate::progress::Progress;

/// Runs one `solvency` subcommand.
pub fn run(cmd: SolvencyCommand, progress: &Progress) -> anyhow::Result<()> {
    match cmd {
        SolvencyCommand::Commit(args) => commit::run(&args, progress),
        SolvencyCommand::Setup(args) => setup::run(&args, progress),
        SolvencyCommand::Prove(args) => prove::run(&args, progress),
        SolvencyCommand::Verify(args) => verify::run(&args, progress),
        SolvencyCommand::Inclusion(args) => inclusion::prove_cmd(&args, progress),
        SolvencyCommand::VerifyInclusion(args) => inclusion::verify_cmd(&args),
    }
}
