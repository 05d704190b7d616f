//! A small Powers of Tau made with snarkjs once per test run, and small helpers.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError, lc};
use bulwark_prover::Fr;

use crate::js_support::{snarkjs, snarkjs_ok};

/// The power of the test ceremony: domains up to 2^6 = 64 rows.
pub const POWER: u32 = 6;

/// The test ceremony's files.
pub struct Ceremony {
    /// The snarkjs CLI.
    pub snarkjs: PathBuf,
    /// The directory holding everything.
    pub dir: PathBuf,
    /// After one contribution, not prepared for phase 2.
    pub unprepared: PathBuf,
    /// Prepared for phase 2: what setups use.
    pub ptau: PathBuf,
}

/// Name of the phase-1 contribution.
pub const CONTRIBUTOR: &str = "bulwark test";

/// `powersoftau new bn128 6`, one contribution, `prepare phase2`, in a fresh directory under
/// the target's temp dir; `None` when snarkjs is unavailable (see [`snarkjs`]).
pub fn ceremony() -> Option<&'static Ceremony> {
    static CEREMONY: OnceLock<Option<Ceremony>> = OnceLock::new();
    CEREMONY
        .get_or_init(|| {
            let bin = snarkjs()?;
            let dir = tempfile::Builder::new()
                .prefix("ptau-")
                .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
                .expect("temp dir")
                .keep();
            let power = POWER.to_string();
            snarkjs_ok(
                &bin,
                &dir,
                &["powersoftau", "new", "bn128", &power, "pot0.ptau"],
            );
            let name = format!("--name={CONTRIBUTOR}");
            snarkjs_ok(
                &bin,
                &dir,
                &[
                    "powersoftau",
                    "contribute",
                    "pot0.ptau",
                    "pot1.ptau",
                    &name,
                    "-e=test entropy",
                ],
            );
            snarkjs_ok(
                &bin,
                &dir,
                &["powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau"],
            );
            Some(Ceremony {
                snarkjs: bin,
                unprepared: dir.join("pot1.ptau"),
                ptau: dir.join("pot.ptau"),
                dir,
            })
        })
        .as_ref()
}

/// A fresh directory for one test's files.
pub fn work_dir(c: &Ceremony, name: &str) -> PathBuf {
    let dir = c.dir.join(name);
    std::fs::create_dir_all(&dir).expect("create work dir");
    dir
}

/// Reads a file whole.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Private `x`; public `x^(2^k)` by `k` squarings: `k` constraints, 1 public input.
pub struct Squarings {
    /// `k`.
    pub k: usize,
    /// `x`.
    pub x: Fr,
}

impl ConstraintSynthesizer<Fr> for Squarings {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let mut v = self.x;
        let mut var = cs.new_witness_variable(|| Ok(v))?;
        for i in 0..self.k {
            let next = v * v;
            let nv = if i + 1 == self.k {
                cs.new_input_variable(|| Ok(next))?
            } else {
                cs.new_witness_variable(|| Ok(next))?
            };
            cs.enforce_r1cs_constraint(|| lc!(var), || lc!(var), || lc!(nv))?;
            v = next;
            var = nv;
        }
        Ok(())
    }
}
