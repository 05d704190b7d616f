//! `bulwark bench msm | prove`: our engines and prover next to the baselines, in one process on
//! the same inputs, as a table of times, speed-ups and peak memory; `bulwark bench solvency`:
//! end-to-end solvency proving throughput ([`super::bench_solvency`]); `bulwark bench backends`:
//! the rollup batch on Groth16 and PLONK/KZG from one witness.

use std::io::Write;

use anyhow::Result;
use bulwark_benches::{Group, backend_comparison, msm_comparison, prove_comparison};
use clap::{Args, Subcommand};

/// `bulwark bench ...`.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// MSM engines (ours, arkworks, halo2curves) on the same seeded bases and scalars.
    Msm(MsmArgs),
    /// Groth16 proofs of the rollup circuit: `bulwark_prover::prove` against
    /// `ark_groth16::Groth16::prove` on the same key and witness (dev setup first: slow).
    Prove(ProveBenchArgs),
    /// The prover service under load: ≥ 1,000 small real jobs over gRPC on SQLite or
    /// PostgreSQL; prints submits/s, jobs/s and submit→claim latency, fails on lost or
    /// twice-proved jobs.
    Load(super::load::LoadArgs),
    /// End-to-end solvency proofs of synthetic books (commit, every batch, the top, verify):
    /// users per second per core and a projection to 2^20 users (dev setup first: slow).
    Solvency(super::bench_solvency::SolvencyBenchArgs),
    /// The rollup batch on both proof systems from one witness: Groth16 constraints and
    /// PLONK rows per slot, and the prove times side by side (dev setups first).
    Backends(ProveBenchArgs),
}

/// `bulwark bench msm`.
#[derive(Debug, Args)]
pub struct MsmArgs {
    /// log2 of the G1 MSM sizes.
    #[arg(long, value_delimiter = ',', default_values_t = [12, 16, 18])]
    pub sizes: Vec<u32>,
    /// log2 of the G2 MSM sizes (halo2curves has no G2 MSM).
    #[arg(long, value_delimiter = ',', default_values_t = [16])]
    pub g2: Vec<u32>,
    /// Timed rounds (every engine once per round); rows report the median.
    #[arg(long, default_value_t = 5)]
    pub repetitions: usize,
    /// Also time the GPU engine on the G1 sizes (a second table, see `bulwark gpu bench`).
    #[arg(long)]
    pub gpu: bool,
}

/// `bulwark bench prove`.
#[derive(Debug, Args)]
pub struct ProveBenchArgs {
    /// Account-tree depth.
    #[arg(long, default_value_t = 24, value_name = "D")]
    pub depth: usize,
    /// Operations per batch.
    #[arg(long, default_value_t = 4, value_name = "B")]
    pub batch_size: usize,
    /// Timed rounds (every prover once per round); rows report the median.
    #[arg(long, default_value_t = 3)]
    pub repetitions: usize,
}

/// Runs one `bench` subcommand, printing its table on stdout.
pub fn run(cmd: BenchCommand, progress: &crate::progress::Progress) -> Result<()> {
    let cmd = match cmd {
        // It starts its own runtime and prints its own figures.
        BenchCommand::Load(args) => return super::load::run(args),
        other => other,
    };
    let threads = rayon::current_num_threads();
    let mut out = std::io::stdout().lock();
    match cmd {
        BenchCommand::Solvency(args) => super::bench_solvency::run(&args, progress)?,
        BenchCommand::Msm(args) => {
            let rows = msm_comparison(&args.sizes, &args.g2, args.repetitions)?;
            writeln!(
                out,
                "MSM, {threads} threads, median of {} rounds (cpu: all threads, 10 ms ticks)",
                args.repetitions
            )?;
            writeln!(
                out,
                "{:<5} {:>5}  {:<38} {:>11} {:>11} {:>10} {:>11} {:>10}",
                "group",
                "size",
                "engine",
                "time (ms)",
                "vs arkworks",
                "cpu (ms)",
                "cpu vs ark",
                "peak MiB"
            )?;
            for r in rows {
                let group = match r.group {
                    Group::G1 => "G1",
                    Group::G2 => "G2",
                };
                writeln!(
                    out,
                    "{group:<5} {:>5}  {:<38} {:>11.2} {:>10.2}x {:>10} {:>11} {:>10}",
                    format!("2^{}", r.log_size),
                    r.engine,
                    r.time.as_secs_f64() * 1e3,
                    r.speedup_vs_arkworks,
                    r.cpu_time
                        .map_or_else(|| "n/a".into(), |t| format!("{:.0}", t.as_secs_f64() * 1e3)),
                    r.cpu_speedup_vs_arkworks
                        .map_or_else(|| "n/a".into(), |x| format!("{x:.2}x")),
                    mib(r.peak_extra_bytes),
                )?;
            }
            if args.gpu {
                drop(out);
                #[cfg(feature = "gpu")]
                return super::gpu::msm_table(&args.sizes, args.repetitions);
                #[cfg(not(feature = "gpu"))]
                return Err(bulwark_service::engine::EngineError::NotBuilt.into());
            }
        }
        BenchCommand::Load(_) => {}
        BenchCommand::Backends(args) => {
            let c = backend_comparison(args.depth, args.batch_size, args.repetitions)?;
            writeln!(
                out,
                "rollup batch on both backends, D = {}, B = {}, {threads} threads, median of {} \
                 rounds",
                args.depth, args.batch_size, args.repetitions
            )?;
            writeln!(
                out,
                "{:<20} {:>12} {:>12} {:>9} {:>9}",
                "backend", "size", "per slot", "time (s)", "vs Groth16"
            )?;
            writeln!(
                out,
                "{:<20} {:>12} {:>12} {:>9.3} {:>8.2}x",
                "Groth16 (R1CS)",
                c.constraints,
                c.constraints_per_slot,
                c.groth16.as_secs_f64(),
                1.0
            )?;
            writeln!(
                out,
                "{:<20} {:>12} {:>12} {:>9.3} {:>8.2}x",
                format!("PLONK/KZG (k = {})", c.k),
                c.rows,
                c.rows_per_slot,
                c.plonk.as_secs_f64(),
                c.groth16.as_secs_f64() / c.plonk.as_secs_f64()
            )?;
            writeln!(
                out,
                "size: constraints / rows; per slot: one more slot of the same (D, B + 1) \
                 circuit; PLONK proof {} bytes",
                c.plonk_proof_bytes
            )?;
        }
        BenchCommand::Prove(args) => {
            let rows = prove_comparison(args.depth, args.batch_size, args.repetitions)?;
            writeln!(
                out,
                "rollup prove, D = {}, B = {}, {threads} threads, median of {} rounds",
                args.depth, args.batch_size, args.repetitions
            )?;
            writeln!(
                out,
                "{:<36} {:>9} {:>11} {:>9} {:>10} {:>10}",
                "prover", "time (s)", "vs arkworks", "cpu (s)", "cpu vs ark", "peak MiB"
            )?;
            for r in rows {
                writeln!(
                    out,
                    "{:<36} {:>9.3} {:>10.2}x {:>9} {:>10} {:>10}",
                    r.prover,
                    r.time.as_secs_f64(),
                    r.speedup_vs_arkworks,
                    r.cpu_time
                        .map_or_else(|| "n/a".into(), |t| format!("{:.1}", t.as_secs_f64())),
                    r.cpu_speedup_vs_arkworks
                        .map_or_else(|| "n/a".into(), |x| format!("{x:.2}x")),
                    mib(r.peak_extra_bytes),
                )?;
            }
        }
    }
    Ok(())
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "n/a".into(),
        |b| format!("{:.1}", b as f64 / (1 << 20) as f64),
    )
}
