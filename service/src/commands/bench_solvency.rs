//! `bulwark bench solvency`: end-to-end solvency proving of seeded synthetic books, one row per
//! (users, assets) shape as soon as it is measured, then a projection to 2^20 users.

use std::io::Write;

use anyhow::{Result, bail};
use bulwark_benches::{
    PROJECTED_LOG_USERS, SolvencyConfig, SolvencyKeys, SolvencyRow, solvency_end_to_end,
};
use clap::Args;

use crate::progress::Progress;

/// The goal of issue #4: 2^20 users in at most this many seconds on 16 cores.
const GOAL_SECONDS: f64 = 30.0 * 60.0;
/// The cores of the goal.
const GOAL_CORES: usize = 16;
/// Binance's zk-PoR reference: 1,380 users per 62 s batch on 32 vCPU.
const BINANCE_USERS_PER_S_PER_VCPU: f64 = 1380.0 / 62.0 / 32.0;

/// `bulwark bench solvency`.
#[derive(Debug, Args)]
pub struct SolvencyBenchArgs {
    /// Users per book (powers of two; each book fills its `2^t` batches).
    #[arg(long, value_delimiter = ',', default_values_t = [4096, 16384])]
    pub users: Vec<u64>,
    /// Assets per book.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8])]
    pub assets: Vec<usize>,
    /// Users per batch proof (a power of two, at most the smallest book).
    #[arg(long, default_value_t = 1024)]
    pub batch_size: u64,
}

/// `log2(n)` for a power of two `n`.
fn log2_exact(n: u64, flag: &str) -> Result<u32> {
    if !n.is_power_of_two() {
        bail!("{flag} {n}: must be a power of two");
    }
    Ok(n.trailing_zeros())
}

/// Runs every (users, assets) shape, smallest first, keys shared between shapes.
pub fn run(args: &SolvencyBenchArgs, progress: &Progress) -> Result<()> {
    let batch_bits = log2_exact(args.batch_size, "--batch-size")? as usize;
    let mut configs = Vec::new();
    for &users in &args.users {
        let log_users = log2_exact(users, "--users")?;
        if (log_users as usize) < batch_bits {
            bail!(
                "--users {users} is smaller than --batch-size {}",
                args.batch_size
            );
        }
        for &assets in &args.assets {
            configs.push(SolvencyConfig {
                log_users,
                assets,
                batch_bits,
            });
        }
    }

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "solvency end to end (commit + batch proofs + top proof + verify), {} threads; \
         setup = one-time INSECURE dev keys, reused across books of the same shape",
        rayon::current_num_threads()
    )?;
    writeln!(
        out,
        "{:>7} {:>6} {:>6} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>12} {:>9} {:>11}",
        "users",
        "assets",
        "batch",
        "batches",
        "setup s",
        "commit s",
        "prove s",
        "verify s",
        "total s",
        "users/s",
        "users/s/core",
        "cpu s",
        "users/cpu-s"
    )?;
    out.flush()?;
    let mut keys = SolvencyKeys::default();
    let mut rows = Vec::new();
    for config in configs {
        let tree = progress.units("sum tree hashes");
        let batches = progress.bar(0, "batch proofs");
        let row = solvency_end_to_end(config, &mut keys, &tree, &|done, total| {
            batches.set_length(total as u64);
            batches.set_position(done as u64);
        });
        tree.finish();
        batches.finish_and_clear();
        let row = row?;
        progress.suspend(|| -> Result<()> {
            writeln!(
                out,
                "{:>7} {:>6} {:>6} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.3} {:>9.2} {:>9.1} {:>12.2} {:>9} {:>11}",
                row.users(),
                config.assets,
                1u64 << config.batch_bits,
                row.batches,
                row.setup.as_secs_f64(),
                row.commit.as_secs_f64(),
                row.prove().as_secs_f64(),
                row.verify.as_secs_f64(),
                row.total().as_secs_f64(),
                row.users_per_second(),
                row.users_per_second_per_core(),
                row.cpu
                    .map_or_else(|| "n/a".into(), |c| format!("{:.2}", c.as_secs_f64())),
                row.users_per_cpu_second()
                    .map_or_else(|| "n/a".into(), |u| format!("{u:.2}")),
            )?;
            Ok(out.flush()?)
        })?;
        rows.push(row);
    }
    write_projection(&mut out, &rows)
}

/// The projection from the largest book of each asset count.
fn write_projection(out: &mut impl Write, rows: &[SolvencyRow]) -> Result<()> {
    writeln!(
        out,
        "\nprojection to 2^{PROJECTED_LOG_USERS} users (from the largest book of each asset count; \
         batch proofs, top and verify scaled linearly in the batches, commit linearly in the \
         users times the tree's log factor {PROJECTED_LOG_USERS}/log2(users); {GOAL_CORES} cores: \
         perfect scaling of the CPU time measured (of the wall time x threads without it), CPU only):"
    )?;
    writeln!(
        out,
        "{:>6} {:>9} {:>13} {:>15} {:>16}",
        "assets",
        "from",
        "here (min)",
        format!("{GOAL_CORES} cores (min)"),
        "goal 30 min"
    )?;
    let mut assets: Vec<usize> = rows.iter().map(|r| r.config.assets).collect();
    assets.sort_unstable();
    assets.dedup();
    for k in assets {
        let Some(row) = rows
            .iter()
            .filter(|r| r.config.assets == k)
            .max_by_key(|r| r.config.log_users)
        else {
            continue;
        };
        let on_goal = row.projected_total_on(GOAL_CORES).as_secs_f64();
        writeln!(
            out,
            "{:>6} {:>9} {:>13.1} {:>15.1} {:>16}",
            k,
            format!("2^{}", row.config.log_users),
            row.projected_total().as_secs_f64() / 60.0,
            on_goal / 60.0,
            if on_goal <= GOAL_SECONDS {
                "met".to_owned()
            } else {
                format!("{:.1}x over", on_goal / GOAL_SECONDS)
            }
        )?;
    }
    writeln!(
        out,
        "reference: Binance zk-PoR, 1,380 users / 62 s on 32 vCPU = {BINANCE_USERS_PER_S_PER_VCPU:.2} \
         users/s/vCPU (compare with users/cpu-s, or users/s/core on an idle machine)"
    )?;
    Ok(())
}
