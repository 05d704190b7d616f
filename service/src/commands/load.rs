//! `bulwark bench load`: many small real jobs submitted concurrently over gRPC, to an
//! in-process server on loopback (SQLite or PostgreSQL, several workers) or to a running
//! server (`--server`, with `--api-key` when it has keys); every job is then read back over
//! gRPC (none lost, none failed, none claimed twice) and throughput and submit→claim latency
//! are printed.

use std::{
    collections::HashSet,
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
    client::{Client, ClientError, SubmitOptions, is_terminal},
    proto::v1 as pb,
    server::{ApiKey, Limits, ServeConfig, load_or_create, serve},
    store,
};
use clap::Args;

/// `bulwark bench load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Drive this running server (`http://host:port`) instead of starting one in-process; its
    /// key shape must match --depth and --batch-size.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// API key to send (`authorization: Bearer`). In-process, the server then requires it
    /// (tenant `load`); without it, jobs go to a fresh tenant on an unauthenticated server.
    #[arg(long, env = "BULWARK_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The in-process server's job store: `sqlite` (a fresh file in a temporary directory),
    /// `sqlite://PATH` or `postgres://…` (jobs go to their own tenant, so a shared database is
    /// fine).
    #[arg(long, default_value = "sqlite", value_name = "URL")]
    pub store: String,
    /// Jobs to submit.
    #[arg(long, default_value_t = 1000)]
    pub jobs: usize,
    /// Proving workers in the in-process server.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Submissions in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Submissions per second (0: as fast as the server takes them). Below the workers'
    /// throughput, submit→claim latency measures dispatch rather than queueing.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
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

/// Runs the load and prints its figures; fails if a job was lost, failed or claimed twice.
pub fn run(args: LoadArgs) -> Result<()> {
    anyhow::ensure!(
        args.jobs > 0 && args.workers > 0 && args.concurrency > 0,
        "--jobs, --workers and --concurrency must be positive"
    );
    anyhow::ensure!(
        args.rate >= 0.0 && args.rate.is_finite(),
        "--rate must be a finite number ≥ 0"
    );
    let params = RollupParams::new(args.depth, args.batch_size)
        .with_context(|| format!("--depth {} --batch-size {}", args.depth, args.batch_size))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    if let Some(server) = &args.server {
        return runtime.block_on(drive(&args, params, server.clone()));
    }
    let scratch = std::env::temp_dir().join(format!("bulwark-load-{:016x}", rand::random::<u64>()));
    let result = runtime.block_on(in_process(&args, params, scratch.clone()));
    // The scratch directory only holds this run's keys and SQLite file.
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Starts a server on loopback for the run, drives it, stops it.
async fn in_process(args: &LoadArgs, params: RollupParams, scratch: PathBuf) -> Result<()> {
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
    let api_keys = match &args.api_key {
        Some(key) => vec![ApiKey::for_key("load", key)?],
        None => Vec::new(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = format!("http://{}", listener.local_addr()?);
    let config = ServeConfig {
        data_dir: scratch.clone(),
        store: Some(url),
        keys_dir,
        params,
        workers: args.workers,
        lease: Duration::from_secs(60),
        max_attempts: 3,
        dev_setup_seed: None,
        kzg_params: None,
        shutdown_grace: Duration::from_secs(30),
        max_message_bytes: 16 << 20,
        api_keys,
        allow_unauthenticated: false,
        tls: None,
        limits: Limits::default(),
        metrics_listen: None,
        retention: None,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, config, async {
        let _ = stopped.await;
    }));
    let outcome = drive(args, params, addr).await;
    let _ = stop.send(());
    server.await?.context("the load run's server")?;
    outcome
}

/// Connects (waiting up to a minute for the server to come up), submits, waits, checks and
/// reports.
async fn drive(args: &LoadArgs, params: RollupParams, addr: String) -> Result<()> {
    let client = connect(args, addr).await?;
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
        let (state_json, batch_json) = (state_json.clone(), batch_json.clone());
        let (jobs, rate) = (args.jobs, args.rate);
        tasks.spawn(async move {
            let mut ids = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= jobs {
                    break;
                }
                if rate > 0.0 {
                    let at = start + Duration::from_secs_f64(i as f64 / rate);
                    tokio::time::sleep_until(at.into()).await;
                }
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
    let (jobs, unfinished) = wait_all(client, &ids, Duration::from_secs(args.timeout_secs)).await?;
    report(args, &ids, &jobs, unfinished, submit_secs)
}

async fn connect(args: &LoadArgs, addr: String) -> Result<Client> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let attempt = async {
            let client = Client::connect(addr.clone()).await?;
            let mut client = match &args.api_key {
                Some(key) => client.with_api_key(key)?,
                None => client.with_tenant(&format!("load-{:016x}", rand::random::<u64>()))?,
            };
            client.verifying_key().await?;
            Ok::<_, ClientError>(client)
        };
        match attempt.await {
            Ok(client) => return Ok(client),
            Err(e) if Instant::now() >= deadline => {
                return Err(e).with_context(|| format!("server {addr}"));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Polls the jobs over gRPC until every one is finished or `limit` has passed: the finished
/// jobs and how many were not. A job the server no longer knows is an error.
async fn wait_all(
    mut client: Client,
    ids: &[String],
    limit: Duration,
) -> Result<(Vec<pb::Job>, usize)> {
    let deadline = Instant::now() + limit;
    let mut pending: Vec<&String> = ids.iter().collect();
    let mut finished = Vec::with_capacity(ids.len());
    while !pending.is_empty() {
        if Instant::now() >= deadline {
            return Ok((finished, pending.len()));
        }
        let mut still = Vec::new();
        for id in pending {
            let job = client
                .get(id)
                .await
                .with_context(|| format!("job {id} was accepted but cannot be read"))?;
            if is_terminal(job.state()) {
                finished.push(job);
            } else {
                still.push(id);
            }
        }
        pending = still;
        if !pending.is_empty() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    Ok((finished, 0))
}

/// The `p`-th percentile (nearest rank) of sorted values.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Prints the figures of the finished `jobs` (all of them, or those finished before
/// `--timeout-secs` when `unfinished > 0`), then fails if the run was cut short or a job was
/// lost, failed or claimed twice.
fn report(
    args: &LoadArgs,
    ids: &[String],
    jobs: &[pb::Job],
    unfinished: usize,
    submit_secs: f64,
) -> Result<()> {
    // Distinct submissions without idempotency keys must be distinct jobs.
    let merged = ids.len() - ids.iter().collect::<HashSet<_>>().len();
    let twice = jobs.iter().filter(|job| job.attempts > 1).count();
    let failed = jobs
        .iter()
        .filter(|job| job.state() != pb::JobState::Succeeded || job.proof.is_empty())
        .count();
    let mut latency: Vec<u64> = jobs
        .iter()
        .filter(|job| job.started_unix_ms > 0)
        .map(|job| job.started_unix_ms.saturating_sub(job.created_unix_ms))
        .collect();
    latency.sort_unstable();
    let first = jobs
        .iter()
        .map(|job| job.created_unix_ms)
        .min()
        .unwrap_or(0);
    let last = jobs
        .iter()
        .map(|job| job.finished_unix_ms)
        .max()
        .unwrap_or(first);
    let drain_secs = (last.saturating_sub(first) as f64 / 1000.0).max(1e-3);

    let mut out = std::io::stdout().lock();
    let target = match &args.server {
        Some(server) => format!("server {server}"),
        // Never print a password.
        None => format!(
            "in-process, {} workers, store {}",
            args.workers,
            args.store.rsplit('@').next().unwrap_or_default()
        ),
    };
    writeln!(
        out,
        "load: {} jobs (rollup D = {}, B = {}), {} submitters{}, {target}",
        args.jobs,
        args.depth,
        args.batch_size,
        args.concurrency,
        if args.rate > 0.0 {
            format!(" at {} submits/s", args.rate)
        } else {
            String::new()
        },
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
    let stages = [pb::Stage::Check, pb::Stage::Witness, pb::Stage::Prove].map(|stage| {
        let times: Vec<f64> = jobs
            .iter()
            .flat_map(|job| &job.timings)
            .filter(|t| t.stage() == stage)
            .map(|t| t.seconds)
            .collect();
        let mean_ms = times.iter().sum::<f64>() * 1e3 / times.len().max(1) as f64;
        format!(
            "{} {mean_ms:.1} ms",
            stage
                .as_str_name()
                .trim_start_matches("STAGE_")
                .to_lowercase()
        )
    });
    writeln!(
        out,
        "stage means    {}   (per job, on its worker)",
        stages.join("   ")
    )?;
    // Every accepted job was read back (`wait_all`), so none is missing from the store.
    let lost = ids.len() - jobs.len() - unfinished;
    writeln!(
        out,
        "lost {lost}   merged {merged}   claimed twice {twice}   failed {failed}   \
         (a job claimed once is proved at most once)"
    )?;
    if unfinished > 0 {
        writeln!(
            out,
            "unfinished     {unfinished} of {} jobs after --timeout-secs {}: the figures above \
             cover the {} finished jobs",
            ids.len(),
            args.timeout_secs,
            jobs.len()
        )?;
    }
    anyhow::ensure!(
        unfinished == 0,
        "{unfinished} of {} jobs were still unfinished after --timeout-secs {}",
        ids.len(),
        args.timeout_secs
    );
    anyhow::ensure!(
        lost == 0 && merged == 0 && twice == 0 && failed == 0,
        "the load run lost, failed or re-claimed jobs"
    );
    Ok(())
}
