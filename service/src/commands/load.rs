//! `bulwark bench load`: an in-process server on loopback, many small real jobs submitted
//! concurrently over gRPC, several workers draining them; then the store is checked (no job
//! lost, none proved twice) and throughput and submit→claim latency are printed.

use std::{
    io::Write,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use bulwark_circuits::rollup::{RollupParams, sample};
use bulwark_service::{
    client::{Client, SubmitOptions},
    server::{ServeConfig, load_or_create, serve},
    store::{self, Job, JobState, JobStore},
};
use clap::Args;

/// `bulwark bench load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The job store: `sqlite` (a fresh file in a temporary directory), `sqlite://PATH` or
    /// `postgres://…` (jobs go to a fresh tenant, so a shared database is fine).
    #[arg(long, default_value = "sqlite", value_name = "URL")]
    pub store: String,
    /// Jobs to submit.
    #[arg(long, default_value_t = 1000)]
    pub jobs: usize,
    /// Proving workers in the server.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Submissions in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Account-tree depth of the jobs' rollup (small: the jobs are meant to be cheap).
    #[arg(long, default_value_t = 2, value_name = "D")]
    pub depth: usize,
    /// Operations per batch.
    #[arg(long, default_value_t = 1, value_name = "B")]
    pub batch_size: usize,
    /// Give up waiting for the jobs after this many seconds.
    #[arg(long, default_value_t = 1800)]
    pub timeout_secs: u64,
}

/// Runs the load and prints its figures; fails if a job was lost, failed or proved twice.
pub fn run(args: LoadArgs) -> Result<()> {
    anyhow::ensure!(
        args.jobs > 0 && args.workers > 0 && args.concurrency > 0,
        "--jobs, --workers and --concurrency must be positive"
    );
    let params = RollupParams::new(args.depth, args.batch_size)
        .with_context(|| format!("--depth {} --batch-size {}", args.depth, args.batch_size))?;
    let scratch = std::env::temp_dir().join(format!("bulwark-load-{:016x}", rand::random::<u64>()));
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let result = runtime.block_on(load(&args, params, scratch.clone()));
    // The scratch directory only holds this run's keys and SQLite file.
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn load(args: &LoadArgs, params: RollupParams, scratch: PathBuf) -> Result<()> {
    let url = if args.store == "sqlite" {
        store::default_url(&scratch)
    } else {
        args.store.clone()
    };
    let keys_dir = scratch.join("keys");
    let keys = keys_dir.clone();
    tokio::task::spawn_blocking(move || load_or_create(&keys, params, Some(1)))
        .await?
        .context("dev keys for the load run")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = format!("http://{}", listener.local_addr()?);
    let config = ServeConfig {
        data_dir: scratch.clone(),
        store: Some(url.clone()),
        keys_dir,
        params,
        workers: args.workers,
        lease: Duration::from_secs(60),
        max_attempts: 3,
        dev_setup_seed: None,
        shutdown_grace: Duration::from_secs(30),
        max_message_bytes: 16 << 20,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, config, async {
        let _ = stopped.await;
    }));
    let outcome = drive(args, params, &url, &addr).await;
    let _ = stop.send(());
    server.await?.context("the load run's server")?;
    outcome
}

/// Submits, waits, checks and reports.
async fn drive(args: &LoadArgs, params: RollupParams, url: &str, addr: &str) -> Result<()> {
    let tenant = format!("load-{:016x}", rand::random::<u64>());
    let client = loop {
        if let Ok(client) = Client::connect(addr.to_owned()).await {
            let mut client = client.with_tenant(&tenant)?;
            if client.verifying_key().await.is_ok() {
                break client;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let s = sample::demo(&params, params.batch_size() as u64 + 1, 1)?;
    let (state_json, batch_json) = (
        serde_json::to_string(&s.state)?,
        serde_json::to_string(&s.batch)?,
    );

    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let (mut client, next) = (client.clone(), next.clone());
        let (state_json, batch_json, jobs) = (state_json.clone(), batch_json.clone(), args.jobs);
        tasks.spawn(async move {
            let mut ids = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < jobs {
                let submitted = client
                    .submit_rollup(
                        state_json.clone(),
                        batch_json.clone(),
                        SubmitOptions::default(),
                    )
                    .await?;
                ids.push(submitted.job_id);
            }
            anyhow::Ok(ids)
        });
    }
    let mut ids = Vec::with_capacity(args.jobs);
    while let Some(done) = tasks.join_next().await {
        ids.extend(done??);
    }
    let submit_secs = start.elapsed().as_secs_f64();

    let store = store::open(url).await?;
    let jobs = wait_all(
        &*store,
        &tenant,
        &ids,
        Duration::from_secs(args.timeout_secs),
    )
    .await?;
    report(args, &ids, &jobs, submit_secs)
}

/// Polls the store until every job is finished.
async fn wait_all(
    store: &dyn JobStore,
    tenant: &str,
    ids: &[String],
    limit: Duration,
) -> Result<Vec<Job>> {
    let deadline = Instant::now() + limit;
    let mut pending: Vec<&String> = ids.iter().collect();
    let mut finished = Vec::with_capacity(ids.len());
    while !pending.is_empty() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "{} jobs unfinished after {limit:?}",
            pending.len()
        );
        let mut still = Vec::new();
        for id in pending {
            match store.get(tenant, id).await? {
                Some(job) if job.state.is_terminal() => finished.push(job),
                Some(_) => still.push(id),
                None => anyhow::bail!("job {id} was accepted but is not in the store"),
            }
        }
        pending = still;
        if !pending.is_empty() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    Ok(finished)
}

/// The `p`-th percentile (nearest rank) of sorted values.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(args: &LoadArgs, ids: &[String], jobs: &[Job], submit_secs: f64) -> Result<()> {
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    let lost = args.jobs - unique.len().min(args.jobs);
    let twice = jobs.iter().filter(|job| job.attempts > 1).count();
    let failed = jobs
        .iter()
        .filter(|job| job.state != JobState::Succeeded || job.proof.is_none())
        .count();
    let mut latency: Vec<u64> = jobs
        .iter()
        .filter_map(|job| Some(job.started_ms?.saturating_sub(job.created_ms)))
        .collect();
    latency.sort_unstable();
    let first = jobs.iter().map(|job| job.created_ms).min().unwrap_or(0);
    let last = jobs
        .iter()
        .filter_map(|job| job.finished_ms)
        .max()
        .unwrap_or(first);
    let drain_secs = (last.saturating_sub(first) as f64 / 1000.0).max(1e-3);

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "load: {} jobs (rollup D = {}, B = {}), {} workers, {} submitters, store {}",
        args.jobs,
        args.depth,
        args.batch_size,
        args.workers,
        args.concurrency,
        args.store.split('@').next_back().unwrap_or_default()
    )?;
    writeln!(
        out,
        "submitted      {:.2} s   {:.0} submits/s",
        submit_secs,
        args.jobs as f64 / submit_secs
    )?;
    writeln!(
        out,
        "proved         {:.2} s   {:.1} jobs/s (first submit to last finish)",
        drain_secs,
        jobs.len() as f64 / drain_secs
    )?;
    if !latency.is_empty() {
        writeln!(
            out,
            "submit→claim   p50 {} ms   p95 {} ms   p99 {} ms   max {} ms",
            percentile(&latency, 50.0),
            percentile(&latency, 95.0),
            percentile(&latency, 99.0),
            latency[latency.len() - 1]
        )?;
    }
    writeln!(out, "lost {lost}   proved twice {twice}   failed {failed}")?;
    anyhow::ensure!(
        lost == 0 && twice == 0 && failed == 0 && jobs.len() == args.jobs,
        "the load run lost, failed or re-proved jobs"
    );
    Ok(())
}
