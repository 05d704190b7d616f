//! Running the pinned npm tools in `prover/js` (installed by `npm ci --prefix prover/js`).
//!
//! Without `node` or the install, [`snarkjs`] prints a skip message and returns `None`,
//! except under `CI=true`, where it panics. Each test binary uses part of it.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

/// `prover/js`.
pub fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// The snarkjs CLI, or `None` (after a skip message) when node or the npm install is missing.
pub fn snarkjs() -> Option<PathBuf> {
    let bin = js_dir().join("node_modules/.bin/snarkjs");
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if node_ok && bin.exists() {
        return Some(bin);
    }
    let why = format!(
        "snarkjs interop test needs `node` on PATH (found: {node_ok}) and `npm ci` in {} \
         (found {}: {})",
        js_dir().display(),
        bin.display(),
        bin.exists()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("SKIPPED: {why}");
    None
}

/// Runs `cmd`; returns its output and stdout + stderr as text.
pub fn run(cmd: &mut Command) -> (Output, String) {
    let out = cmd.output().expect("spawn node");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

/// Runs `snarkjs args...` in `dir` and panics with its output unless it succeeds.
pub fn snarkjs_ok(bin: &Path, dir: &Path, args: &[&str]) -> String {
    let (out, text) = run(Command::new(bin).current_dir(dir).args(args));
    assert!(out.status.success(), "snarkjs {args:?} failed:\n{text}");
    text
}
