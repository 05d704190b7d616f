//! End-to-end solvency proving on a seeded synthetic book: commit (sum tree and commitments),
//! every batch proof, the top proof and the auditor's verification, with the one-time key
//! generation timed apart (keys depend on the shape only and are reused across books).

use std::collections::{HashMap, hash_map};
use std::time::{Duration, Instant};

use bulwark_circuits::progress::Progress;
use bulwark_circuits::solvency::{
    BatchCircuit, BlindingSeed, Book, CommittedBook, Entry, InputError, Reserves, SolvencyError,
    SolvencyParams, TopCircuit,
};
use bulwark_prover::{ProverError, ProvingKey, dev_setup_insecure, prove, verify};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The users of the 2^20 projection.
pub const PROJECTED_LOG_USERS: u32 = 20;

/// One book shape to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolvencyConfig {
    /// Users in the book (`2^log_users`, the whole capacity: no empty batch is proved).
    pub log_users: u32,
    /// Assets `K`.
    pub assets: usize,
    /// Batches of `2^batch_bits` users.
    pub batch_bits: usize,
}

impl SolvencyConfig {
    /// The parameters: `t = log_users − b` top bits (at least one batch).
    pub fn params(&self) -> Result<SolvencyParams, SolvencyError> {
        let top_bits = (self.log_users as usize).saturating_sub(self.batch_bits);
        SolvencyParams::new(self.assets, self.batch_bits, top_bits)
    }
}

/// Why a solvency run could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum SolvencyBenchError {
    /// The shape or the synthetic book was refused.
    #[error(transparent)]
    Solvency(#[from] SolvencyError),
    /// The synthetic reserves were refused.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Setup, proving or verification failed.
    #[error(transparent)]
    Prover(#[from] ProverError),
    /// `2^log_users` users do not fit the shape (more than `2^32`, or fewer than one batch).
    #[error("2^{log_users} users do not fill batches of 2^{batch_bits}")]
    Shape {
        /// log2 of the users asked for.
        log_users: u32,
        /// The batch bits asked for.
        batch_bits: usize,
    },
}

/// Proving keys by shape: the batch key depends on `(K, b)`, the top key on `(K, t)`, so
/// runs that share a shape share its key.
#[derive(Default)]
pub struct SolvencyKeys {
    batch: HashMap<(usize, usize), ProvingKey>,
    top: HashMap<(usize, usize), ProvingKey>,
}

impl std::fmt::Debug for SolvencyKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SolvencyKeys")
            .field("batch_shapes", &self.batch.keys().collect::<Vec<_>>())
            .field("top_shapes", &self.top.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl SolvencyKeys {
    /// Makes the keys `params` needs that are not cached yet (INSECURE dev setup); returns
    /// the time that took (zero when both were cached) and the batch and top keys.
    pub fn ensure(
        &mut self,
        params: SolvencyParams,
    ) -> Result<(Duration, &ProvingKey, &ProvingKey), ProverError> {
        let start = Instant::now();
        let batch = (params.assets(), params.batch_bits());
        let top = (params.assets(), params.top_bits());
        if let hash_map::Entry::Vacant(slot) = self.batch.entry(batch) {
            slot.insert(dev_setup_insecure(BatchCircuit::blank(params), SEED)?);
        }
        if let hash_map::Entry::Vacant(slot) = self.top.entry(top) {
            slot.insert(dev_setup_insecure(TopCircuit::blank(params), SEED + 1)?);
        }
        Ok((start.elapsed(), &self.batch[&batch], &self.top[&top]))
    }
}

const SEED: u64 = 2026;

/// A seeded book of `users` users over `assets` assets (balances below `2^48`, ids
/// `user<i>`) and reserves one unit above each total.
pub fn synthetic_book(users: usize, assets: usize) -> Result<(Book, Reserves), SolvencyBenchError> {
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);
    let names: Vec<String> = (0..assets).map(|k| format!("ASSET{k}")).collect();
    let entries = (0..users)
        .map(|i| {
            let balances = (0..assets).map(|_| rng.gen_range(0..1u64 << 48)).collect();
            Entry::new(format!("user{i}"), balances)
        })
        .collect();
    let book = Book::new(names.clone(), entries)?;
    let reserves = Reserves::new(
        names
            .into_iter()
            .zip(book.totals())
            .map(|(a, t)| (a, t + 1))
            .collect(),
    )?;
    Ok((book, reserves))
}

/// One measured run.
#[derive(Debug, Clone, PartialEq)]
pub struct SolvencyRow {
    /// The shape.
    pub config: SolvencyConfig,
    /// `2^t` batches proved.
    pub batches: usize,
    /// Rayon threads the run used.
    pub threads: usize,
    /// Key generation this run needed (zero where an earlier run made its keys).
    pub setup: Duration,
    /// `CommittedBook::new`: id and leaf hashes, the tree, the commitments.
    pub commit: Duration,
    /// Every batch proof (each checked by the prover) one after the other.
    pub prove_batches: Duration,
    /// The top proof.
    pub prove_top: Duration,
    /// The auditor's check of every proof against the published statement.
    pub verify: Duration,
    /// CPU time (user + system, all threads) of commit, prove and verify, where the platform
    /// tells (Linux): on a shared machine it counts the work done, not the waiting.
    pub cpu: Option<Duration>,
}

impl SolvencyRow {
    /// Users in the book.
    pub fn users(&self) -> u64 {
        1 << self.config.log_users
    }

    /// Batch and top proofs.
    pub fn prove(&self) -> Duration {
        self.prove_batches + self.prove_top
    }

    /// Commit, prove and verify: everything but the one-time setup.
    pub fn total(&self) -> Duration {
        self.commit + self.prove() + self.verify
    }

    /// Users per second, end to end.
    pub fn users_per_second(&self) -> f64 {
        self.users() as f64 / self.total().as_secs_f64()
    }

    /// Users per second per thread (wall time: understated when other processes share the
    /// cores).
    pub fn users_per_second_per_core(&self) -> f64 {
        self.users_per_second() / self.threads as f64
    }

    /// Users per CPU-second: what one fully used core proves per second.
    pub fn users_per_cpu_second(&self) -> Option<f64> {
        self.cpu.map(|cpu| self.users() as f64 / cpu.as_secs_f64())
    }

    /// The projected end-to-end time for `2^20` users of the same `K` and batch size on the
    /// same threads. Model: batch proofs scale with the batch count (each batch circuit has a
    /// fixed size); the top proof and the verification are scaled linearly with the batch
    /// count too (an upper bound: both have a fixed part); commit is scaled linearly in the
    /// users times the tree's log factor `20 / log2(users)` (an upper bound: the hashes per
    /// user are constant, only the tree's maps grow).
    pub fn projected_total(&self) -> Duration {
        let log = self.config.log_users as f64;
        let scale = 2f64.powf(PROJECTED_LOG_USERS as f64 - log);
        let commit = self.commit.as_secs_f64() * scale * PROJECTED_LOG_USERS as f64 / log;
        let rest = (self.prove() + self.verify).as_secs_f64() * scale;
        Duration::from_secs_f64(commit + rest)
    }

    /// [`SolvencyRow::projected_total`] on `cores` fully used cores, assuming perfect
    /// scaling (optimistic: the MSMs and FFTs of one proof do not scale perfectly): the
    /// projected CPU time divided by `cores` where the CPU time was measured, else the
    /// projected wall time times `threads / cores`.
    pub fn projected_total_on(&self, cores: usize) -> Duration {
        let work = match self.cpu {
            Some(cpu) => self
                .projected_total()
                .mul_f64(cpu.as_secs_f64() / self.total().as_secs_f64()),
            None => self.projected_total().mul_f64(self.threads as f64),
        };
        work.div_f64(cores as f64)
    }
}

/// Commits a synthetic book of `2^log_users` users, proves every batch and the top, and
/// verifies them all as an auditor would; keys come from `keys` (made first where missing,
/// timed as `setup`). `on_batch(done, total)` hears of each finished batch proof and
/// `tree` of the commit's hashing.
pub fn solvency_end_to_end(
    config: SolvencyConfig,
    keys: &mut SolvencyKeys,
    tree: &dyn Progress,
    on_batch: &dyn Fn(usize, usize),
) -> Result<SolvencyRow, SolvencyBenchError> {
    if config.log_users > 32 || (config.log_users as usize) < config.batch_bits {
        return Err(SolvencyBenchError::Shape {
            log_users: config.log_users,
            batch_bits: config.batch_bits,
        });
    }
    let params = config.params()?;
    let (book, reserves) = synthetic_book(1 << config.log_users, config.assets)?;
    let (setup, batch_pk, top_pk) = keys.ensure(params)?;
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);

    let cpu_start = process_cpu_time();
    let start = Instant::now();
    let seed = BlindingSeed::random(&mut rng);
    let committed = CommittedBook::new_with_progress(&book, &reserves, params, seed, tree)?;
    let commit = start.elapsed();

    let start = Instant::now();
    let mut batch_proofs = Vec::with_capacity(params.batches());
    for j in 0..params.batches() {
        batch_proofs.push(prove(batch_pk, committed.batch_circuit(j)?, &mut rng)?.proof);
        on_batch(j + 1, params.batches());
    }
    let prove_batches = start.elapsed();
    let start = Instant::now();
    let top = prove(top_pk, committed.top_circuit(), &mut rng)?.proof;
    let prove_top = start.elapsed();

    let start = Instant::now();
    let statement = committed.statement();
    for (j, proof) in batch_proofs.iter().enumerate() {
        verify(
            batch_pk.verifying_key(),
            &statement.batch_public_inputs(j)?,
            proof,
        )?;
    }
    verify(
        top_pk.verifying_key(),
        &statement.top_public_inputs()?,
        &top,
    )?;
    let verify = start.elapsed();
    let cpu = cpu_start
        .zip(process_cpu_time())
        .map(|(start, end)| end.saturating_sub(start));

    Ok(SolvencyRow {
        config,
        batches: params.batches(),
        threads: rayon::current_num_threads(),
        setup,
        commit,
        prove_batches,
        prove_top,
        verify,
        cpu,
    })
}

/// The process's CPU time so far (user + system, every thread), from Linux's
/// `/proc/self/stat` (fields 14 and 15, in `USER_HZ` = 100 ticks per second, the value the
/// kernel exports on every architecture); `None` elsewhere.
fn process_cpu_time() -> Option<Duration> {
    const USER_HZ: u64 = 100;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name `(…)`, which may contain spaces, start at field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 1000 / USER_HZ))
}
