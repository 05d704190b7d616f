//! A bounded `bulwark bench load` run (real jobs over gRPC, several workers) on SQLite and on
//! PostgreSQL, with an API key: the command fails unless every job is proved exactly once,
//! and prints its figures. The 1,000-job run is the same command in release (README).

mod common;

use std::process::Command;

/// Small enough for debug builds on two CI cores.
const JOBS: &str = "50";

/// Runs `bulwark bench load` with an API key and these arguments.
fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args(["--quiet", "bench", "load"])
        .args(args)
        .env("BULWARK_API_KEY", "load-test-key")
        .output()
        .expect("run bulwark bench load")
}

fn load(store: &str) -> String {
    let out = run(&[
        "--jobs",
        JOBS,
        "--workers",
        "3",
        "--concurrency",
        "16",
        "--timeout-secs",
        "600",
        "--store",
        store,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for figure in [
        "submits/s",
        "jobs/s",
        "submit→claim   p50",
        "lost 0   merged 0   claimed twice 0   failed 0",
    ] {
        assert!(
            stdout.contains(figure),
            "{figure:?} missing from:\n{stdout}"
        );
    }
    stdout
}

#[test]
fn bounded_load_on_sqlite_loses_none_and_proves_none_twice() {
    eprintln!("{}", load("sqlite"));
}

#[test]
fn a_run_cut_short_by_its_timeout_prints_partial_figures_and_fails() {
    // With no time to wait, every submitted job is still unfinished when the wait gives up.
    let out = run(&["--jobs", "4", "--workers", "1", "--timeout-secs", "0"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stdout}\n{stderr}");
    for figure in [
        "submits/s",
        "unfinished     4 of 4 jobs after --timeout-secs 0",
    ] {
        assert!(
            stdout.contains(figure),
            "{figure:?} missing from:\n{stdout}"
        );
    }
    assert!(
        stderr.contains("4 of 4 jobs were still unfinished after --timeout-secs 0"),
        "{stderr}"
    );
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn bounded_load_on_postgres_loses_none_and_proves_none_twice() {
    let Some(url) = common::postgres::fresh_schema_url("load").await else {
        return;
    };
    eprintln!("{}", load(&url));
}
