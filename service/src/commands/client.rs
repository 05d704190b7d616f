//! `bulwark client submit | get | watch | cancel | list`: talks to `bulwark serve` over gRPC.

use std::{io::Write, path::PathBuf};

use anyhow::{Context, Result};
use bulwark_service::{
    backend::Backend,
    client::{Client, ClientTls, SubmitOptions},
    proto::v1 as pb,
    store::now_ms,
};
use clap::{Args, Subcommand, ValueEnum};

/// `bulwark client ...`.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// The server.
    #[arg(long, env = "BULWARK_SERVER", default_value = "http://127.0.0.1:50051")]
    pub server: String,
    /// The tenant to act for (servers without API keys only).
    #[arg(long, env = "BULWARK_TENANT")]
    pub tenant: Option<String>,
    /// The API key (sent as `authorization: Bearer <key>`).
    #[arg(long, env = "BULWARK_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// PEM file of the CA that signed the server's certificate (TLS; use an https:// server).
    #[arg(long, env = "BULWARK_TLS_CA", value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// PEM files of this client's certificate and key, for servers that require mTLS.
    #[arg(
        long,
        env = "BULWARK_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The key of --tls-cert.
    #[arg(
        long,
        env = "BULWARK_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// The server name its certificate must carry; default: the host of --server.
    #[arg(long, env = "BULWARK_TLS_DOMAIN")]
    pub tls_domain: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: ClientCommand,
}

/// The client's requests.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Submits a rollup batch for proving; prints the job id.
    Submit(SubmitArgs),
    /// Shows a job; with --out, writes its proof.bin and public.json.
    Get {
        /// The job id.
        job_id: String,
        /// Directory for the proof files (created if missing).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Follows a job until it finishes; exits non-zero unless it succeeded.
    Watch {
        /// The job id.
        job_id: String,
    },
    /// Cancels a queued or running job.
    Cancel {
        /// The job id.
        job_id: String,
    },
    /// Lists jobs, newest first.
    List {
        /// Only jobs in this state.
        #[arg(long)]
        state: Option<StateArg>,
        /// Jobs per page.
        #[arg(long, default_value_t = 50)]
        page_size: u32,
        /// The token printed after the previous page.
        #[arg(long, default_value = "")]
        page_token: String,
    },
}

/// `bulwark client submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The state before the batch (JSON).
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// The batch (JSON).
    #[arg(long, value_name = "FILE")]
    pub batch: PathBuf,
    /// Retries with the same key return the same job.
    #[arg(long)]
    pub idempotency_key: Option<String>,
    /// Higher runs first.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub priority: i32,
    /// Fail the job if it has not finished this many seconds from now.
    #[arg(long)]
    pub deadline_secs: Option<u64>,
    /// The proof system.
    #[arg(long, value_enum, default_value_t = Backend::Groth16)]
    pub backend: Backend,
    /// Wait for the job and print its outcome.
    #[arg(long)]
    pub wait: bool,
}

/// A job state on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StateArg {
    /// Waiting for a worker.
    Queued,
    /// Being proved.
    Running,
    /// Proved.
    Succeeded,
    /// Failed.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl From<StateArg> for pb::JobState {
    fn from(s: StateArg) -> Self {
        match s {
            StateArg::Queued => Self::Queued,
            StateArg::Running => Self::Running,
            StateArg::Succeeded => Self::Succeeded,
            StateArg::Failed => Self::Failed,
            StateArg::Cancelled => Self::Cancelled,
        }
    }
}

/// Runs one client command.
pub fn run(args: ClientArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let read = |path: &PathBuf| {
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))
        };
        let tls = args.tls_ca.is_some() || args.tls_cert.is_some() || args.tls_domain.is_some();
        let mut client = if tls {
            let identity_pem = match (&args.tls_cert, &args.tls_key) {
                (Some(cert), Some(key)) => Some((read(cert)?, read(key)?)),
                _ => None,
            };
            let tls = ClientTls {
                ca_pem: args.tls_ca.as_ref().map(read).transpose()?,
                identity_pem,
                domain: args.tls_domain.clone(),
            };
            Client::connect_tls(args.server.clone(), tls).await?
        } else {
            Client::connect(args.server.clone()).await?
        };
        if let Some(tenant) = &args.tenant {
            client = client.with_tenant(tenant)?;
        }
        if let Some(key) = &args.api_key {
            client = client.with_api_key(key)?;
        }
        command(&mut client, args.command).await
    })
}

async fn command(client: &mut Client, command: ClientCommand) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        ClientCommand::Submit(args) => {
            let read = |path: &PathBuf, what: &str| {
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading {what} file {}", path.display()))
            };
            let options = SubmitOptions {
                idempotency_key: args.idempotency_key,
                priority: args.priority,
                deadline_unix_ms: args
                    .deadline_secs
                    .map(|s| now_ms().saturating_add(s.saturating_mul(1000))),
                backend: args.backend,
            };
            let submitted = client
                .submit_rollup(
                    read(&args.state, "state")?,
                    read(&args.batch, "batch")?,
                    options,
                )
                .await?;
            writeln!(out, "{}", submitted.job_id)?;
            if args.wait {
                finish(client, &submitted.job_id, &mut out).await?;
            }
        }
        ClientCommand::Get { job_id, out: dir } => {
            let job = client.get(&job_id).await?;
            write_job(&mut out, &job)?;
            if let Some(dir) = dir {
                anyhow::ensure!(
                    job.state() == pb::JobState::Succeeded,
                    "job {job_id} has no proof: it is {}",
                    job.state().as_str_name()
                );
                write_proof(&dir, &job)?;
                writeln!(out, "wrote {}/proof.bin and public.json", dir.display())?;
            }
        }
        ClientCommand::Watch { job_id } => finish(client, &job_id, &mut out).await?,
        ClientCommand::Cancel { job_id } => {
            let job = client.cancel(&job_id).await?;
            writeln!(out, "{} {}", job.job_id, job.state().as_str_name())?;
        }
        ClientCommand::List {
            state,
            page_size,
            page_token,
        } => {
            let page = client
                .list(state.map(Into::into), page_size, page_token)
                .await?;
            for job in &page.jobs {
                writeln!(
                    out,
                    "{}  {:<19} {:<13} priority {:>3}  attempts {}",
                    job.job_id,
                    job.state().as_str_name(),
                    job.stage().as_str_name(),
                    job.priority,
                    job.attempts
                )?;
            }
            if !page.next_page_token.is_empty() {
                writeln!(out, "next page: --page-token {}", page.next_page_token)?;
            }
        }
    }
    Ok(())
}

/// Prints each change of a job until it finishes; fails unless it succeeded.
async fn finish(client: &mut Client, job_id: &str, out: &mut impl Write) -> Result<()> {
    let mut write_err = Ok(());
    let job = client
        .wait(job_id, |job| {
            if write_err.is_ok() {
                write_err = writeln!(
                    out,
                    "{} {} {}",
                    job.job_id,
                    job.state().as_str_name(),
                    job.stage().as_str_name()
                );
            }
        })
        .await?;
    write_err?;
    write_job(out, &job)?;
    anyhow::ensure!(
        job.state() == pb::JobState::Succeeded,
        "job {job_id} ended {}",
        job.state().as_str_name()
    );
    Ok(())
}

fn write_job(out: &mut impl Write, job: &pb::Job) -> Result<()> {
    writeln!(out, "job:        {}", job.job_id)?;
    writeln!(out, "state:      {}", job.state().as_str_name())?;
    writeln!(out, "stage:      {}", job.stage().as_str_name())?;
    writeln!(out, "backend:    {}", job.backend().as_str_name())?;
    writeln!(out, "attempts:   {}", job.attempts)?;
    if !job.error.is_empty() {
        writeln!(out, "error:      {}", job.error)?;
    }
    for (name, value) in ["old_root:", "new_root:", "commitment:"]
        .iter()
        .zip(&job.public_inputs)
    {
        writeln!(out, "{name:<12}{value}")?;
    }
    for t in &job.timings {
        writeln!(
            out,
            "  {:<16} {:>9.3} s",
            t.stage().as_str_name(),
            t.seconds
        )?;
    }
    Ok(())
}

fn write_proof(dir: &std::path::Path, job: &pb::Job) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let proof = dir.join("proof.bin");
    std::fs::write(&proof, &job.proof).with_context(|| format!("writing {}", proof.display()))?;
    let public = dir.join("public.json");
    let json = serde_json::to_string_pretty(&job.public_inputs)?;
    std::fs::write(&public, json + "\n").with_context(|| format!("writing {}", public.display()))
}
