//! `bulwark gpu info | bench`: the GPU MSM engine's adapter and self-test, and its timings next
//! to our CPU engine and arkworks, measured in one process on the same inputs.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use ark_bn254::{Fr, G1Affine, G1Projective, g1};
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::UniformRand;
use bulwark_circuits::rollup::{RollupCircuit, sample};
use bulwark_prover::msm::{ArkworksMsm, FieldPath, GpuConfig, GpuMsm, MsmEngine, Pippenger};
use clap::{Args, Subcommand};
use rand::SeedableRng;
use rayon::prelude::*;

use crate::cli::ShapeArgs;
use crate::commands::rollup::{default_accounts, dev_setup, params};
use crate::progress::Progress;

/// `bulwark gpu ...`.
#[derive(Debug, Subcommand)]
pub enum GpuCommand {
    /// Adapter, features and limits, then a self-test MSM checked against arkworks on every
    /// field path the adapter offers (or the one given).
    Info(InfoArgs),
    /// G1 MSM on the GPU (bases resident, and with the upload) next to our CPU engine and
    /// arkworks, then Groth16 rollup proving with and without the GPU.
    Bench(GpuBenchArgs),
}

/// `bulwark gpu info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Field arithmetic to self-test: 16 or 32 (limb bits); default: every path offered.
    #[arg(long)]
    pub field: Option<FieldPath>,
}

/// `bulwark gpu bench`.
#[derive(Debug, Args)]
pub struct GpuBenchArgs {
    /// log2 of the G1 MSM sizes.
    #[arg(long, value_delimiter = ',', default_values_t = [16, 20, 22, 24])]
    pub sizes: Vec<u32>,
    /// Timed rounds per size (every engine once per round); rows report the median.
    #[arg(long, default_value_t = 3)]
    pub repetitions: usize,
    /// Field arithmetic: 16 or 32 (limb bits); default: the fastest the adapter offers.
    #[arg(long)]
    pub field: Option<FieldPath>,
    /// Skip the Groth16 rollup proving comparison (its dev setup is slow).
    #[arg(long)]
    pub no_prove: bool,
    /// The rollup's shape for the proving comparison.
    #[command(flatten)]
    pub shape: ShapeArgs,
}

/// Runs one `gpu` subcommand.
pub fn run(cmd: GpuCommand, progress: &Progress) -> Result<()> {
    match cmd {
        GpuCommand::Info(args) => {
            let report = bulwark_prover::msm::gpu_info(args.field).context("gpu info")?;
            writeln!(std::io::stdout().lock(), "{report}")?;
            Ok(())
        }
        GpuCommand::Bench(args) => {
            msm_table_on(&args.sizes, args.repetitions, args.field)?;
            if !args.no_prove {
                prove_table(args.shape, args.field, progress)?;
            }
            Ok(())
        }
    }
}

/// The GPU engine with no size threshold; an error (not a CPU fallback) without an adapter,
/// since a benchmark of the fallback would be mislabelled.
fn engine(field: Option<FieldPath>) -> Result<GpuMsm> {
    let config = GpuConfig {
        min_len: 0,
        field,
        ..GpuConfig::default()
    };
    GpuMsm::try_with_cpu(Pippenger::new(), config)
        .map_err(|(_, e)| anyhow::anyhow!("no GPU engine: {e}"))
}

/// `n` distinct seeded points (a random start plus multiples of a random step, per chunk) and
/// `n` seeded random scalars, generated in parallel.
fn inputs(n: usize) -> (Vec<G1Affine>, Vec<Fr>) {
    const CHUNK: usize = 1 << 12;
    let g = G1Projective::generator();
    let step = g * Fr::from(0x9e37_79b9_7f4a_7c15u64);
    let bases: Vec<G1Affine> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .flat_map_iter(|c| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(c as u64);
            let mut p = g * Fr::rand(&mut rng);
            let len = CHUNK.min(n - c * CHUNK);
            let points: Vec<G1Projective> = (0..len)
                .map(|_| {
                    p += step;
                    p
                })
                .collect();
            G1Projective::normalize_batch(&points)
        })
        .collect();
    let scalars: Vec<Fr> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .flat_map_iter(|c| {
            let mut rng = rand::rngs::StdRng::seed_from_u64((1 << 32) | c as u64);
            let len = CHUNK.min(n - c * CHUNK);
            (0..len)
                .map(move |_| Fr::rand(&mut rng))
                .collect::<Vec<_>>()
        })
        .collect();
    (bases, scalars)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The G1 MSM table of `bulwark bench msm --gpu`, on the fastest field path.
pub fn msm_table(sizes: &[u32], repetitions: usize) -> Result<()> {
    msm_table_on(sizes, repetitions, None)
}

/// For each size: GPU with bases resident (scalars uploaded, result read back), GPU including
/// the bases' upload, our CPU engine on prepared bases, arkworks; every result checked equal.
fn msm_table_on(sizes: &[u32], repetitions: usize, field: Option<FieldPath>) -> Result<()> {
    let repetitions = repetitions.max(1);
    let gpu = engine(field)?;
    let device = gpu.device().context("GPU engine without a device")?;
    let cpu = Pippenger::new();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "G1 MSM on {} ({}), CPU {} threads, median of {repetitions} rounds",
        device.info().adapter.name,
        device.field(),
        rayon::current_num_threads()
    )?;
    writeln!(
        out,
        "{:>5} {:>13} {:>13} {:>11} {:>11} {:>10} {:>10}",
        "size", "gpu res (ms)", "gpu+upl (ms)", "cpu (ms)", "ark (ms)", "cpu/gpu", "ark/gpu"
    )?;
    for &log_n in sizes {
        let n = 1usize
            .checked_shl(log_n)
            .filter(|_| log_n <= 28)
            .with_context(|| format!("size 2^{log_n} is too large"))?;
        let (bases, scalars) = inputs(n);
        let cpu_bases = MsmEngine::<g1::Config>::prepare(&cpu, bases.clone());
        let mut times: [Vec<Duration>; 4] = Default::default();
        for _ in 0..repetitions {
            let copy = bases.clone();
            let t = Instant::now();
            let prepared = MsmEngine::<g1::Config>::prepare(&gpu, copy);
            let with_upload = MsmEngine::<g1::Config>::msm(&gpu, &prepared, &scalars)?;
            times[1].push(t.elapsed());
            if !prepared.on_device() {
                bail!("the GPU engine kept 2^{log_n} bases on the CPU");
            }
            let t = Instant::now();
            let resident = MsmEngine::<g1::Config>::msm(&gpu, &prepared, &scalars)?;
            times[0].push(t.elapsed());
            let t = Instant::now();
            let ours = MsmEngine::<g1::Config>::msm(&cpu, &cpu_bases, &scalars)?;
            times[2].push(t.elapsed());
            let t = Instant::now();
            let ark = MsmEngine::<g1::Config>::msm(&ArkworksMsm, &bases, &scalars)?;
            times[3].push(t.elapsed());
            if resident != ark || with_upload != ark || ours != ark {
                bail!("2^{log_n}: the engines disagree");
            }
        }
        let [res, upl, ours, ark] = times.map(median);
        writeln!(
            out,
            "{:>5} {:>13.2} {:>13.2} {:>11.2} {:>11.2} {:>9.2}x {:>9.2}x",
            format!("2^{log_n}"),
            ms(res),
            ms(upl),
            ms(ours),
            ms(ark),
            ours.as_secs_f64() / res.as_secs_f64(),
            ark.as_secs_f64() / res.as_secs_f64(),
        )?;
    }
    Ok(())
}

/// Groth16 rollup proofs on one key and witness: CPU engine, then the GPU engine (its query
/// upload timed separately), each proof verified by the prover.
fn prove_table(shape: ShapeArgs, field: Option<FieldPath>, progress: &Progress) -> Result<()> {
    let params = params(shape)?;
    let accounts = default_accounts(params);
    let circuit = || -> Result<RollupCircuit> {
        let mut sample = sample::demo(&params, accounts, 1).context("sample batch")?;
        let witness =
            bulwark_circuits::rollup::build_witness(&mut sample.state, &sample.batch, &params)
                .context("witness")?;
        RollupCircuit::new(params, witness).context("circuit")
    };
    let pk = dev_setup(params, 1, progress)?;
    let gpu = engine(field)?;
    let mut rng = rand::thread_rng();
    // Warm both paths (the default engine's cached queries, the GPU kernels).
    // Circuits are built before each timer starts.
    bulwark_prover::prove(&pk, circuit()?, &mut rng)?;
    let c = circuit()?;
    let t = Instant::now();
    bulwark_prover::prove(&pk, c, &mut rng)?;
    let cpu = t.elapsed();
    let t = Instant::now();
    let prover = pk.with_engine(gpu);
    let upload = t.elapsed();
    prover.prove(circuit()?, &mut rng)?;
    let c = circuit()?;
    let t = Instant::now();
    prover.prove(c, &mut rng)?;
    let gpu_time = t.elapsed();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Groth16 rollup prove, D = {}, B = {}: CPU {:.3} s, GPU {:.3} s (query upload {:.3} s), CPU/GPU {:.2}x",
        params.depth(),
        params.batch_size(),
        cpu.as_secs_f64(),
        gpu_time.as_secs_f64(),
        upload.as_secs_f64(),
        cpu.as_secs_f64() / gpu_time.as_secs_f64()
    )?;
    Ok(())
}
