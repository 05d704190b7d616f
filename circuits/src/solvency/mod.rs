//! Proof of solvency for a custodian's whole book: every balance in range, the committed
//! per-asset totals are exactly their sum, the totals do not exceed the public reserves, and
//! every user can check their own entry is counted.
//!
//! # Pipeline
//!
//! 1. [`Book::from_csv`] and [`Reserves::from_json`] read what an exchange has: a CSV
//!    `user_id,<asset>,...` of balances in each asset's smallest unit, and a JSON object
//!    `{"BTC": "123", ...}` of reserves. Every problem is an [`InputError`] naming the line
//!    and column; nothing is half-read.
//! 2. [`Book::check`] says in words which assets are short (total, reserve) before any
//!    proving time is spent.
//! 3. [`CommittedBook::new`] places user `i` (CSV order) at leaf `i` of a
//!    [`SumTree`](crate::sum_tree::SumTree) of depth `d = b + t` ([`SolvencyParams`]), splits
//!    it into `2^t` batches of `2^b` leaves, derives the blindings from a secret
//!    [`BlindingSeed`] and publishes a [`SolvencyStatement`].
//! 4. One [`BatchCircuit`] proof per batch, one [`TopCircuit`] proof, and on request one
//!    [`InclusionCircuit`] proof per user.
//!
//! # Commitments
//!
//! With `chain` and the node formulas of [`sum_tree`](crate::sum_tree):
//!
//! ```text
//! commit(node, r)  = chain(node.hash, node.s_1, ..., node.s_K, r)     r a random field element
//! c_j              = commit(batch node j, r_j)                         the batch commitment
//! C                = commit(book root, r_book)                         the book commitment
//! digest           = chain(c_0, ..., c_{2^t - 1})
//! ```
//!
//! The blindings make every commitment hiding (Poseidon as a random oracle), so neither the
//! book's totals nor any batch's totals can be recovered by guessing; they are derived from
//! one secret seed (`r_book = P(seed, 0)`, `r_j = P(seed, j + 1)`) so that the custodian keeps
//! one secret across `commit`, `prove` and `inclusion` runs.
//!
//! # Statements
//!
//! | proof | public inputs (in order) | proves, over private witnesses |
//! |---|---|---|
//! | batch `j` | `c_j` | `2^b` leaves, each a user `(id_hash, b_1..b_K)` with `b_k < 2^64` or the empty leaf, hash to a subtree node `N_j` with `c_j = commit(N_j, r_j)` |
//! | top | `C`, `digest`, `R_1..R_K` | the `2^t` batch nodes (sums `< 2^(64+b)`) open `c_0..c_{2^t−1}`, whose digest is `digest`; they hash to a root `N` with `C = commit(N, r_book)`; `N.s_k ≤ R_k` for every asset |
//! | inclusion | `C`, `id_hash`, `b_1..b_K` | the leaf `(id_hash, b_1..b_K)` lies on a path of depth `d` to a root `N` with `C = commit(N, r_book)` |
//!
//! A verifier checks the `2^t` batch proofs against `c_j`, recomputes `digest` from them, and
//! checks the top proof against `(C, digest, reserves)`; [`SolvencyStatement`] does that
//! bookkeeping. A user checks their inclusion proof against the published `C` and the public
//! inputs [`InclusionClaim::public_inputs`] computes from their own id and balances.
//!
//! # What is public, what stays hidden
//!
//! Public: the parameters (`K`, `b`, `t`, hence the capacity `2^d`), the asset names, the
//! reserves, `C` and the batch commitments. Hidden: every balance, every id, the number of
//! users (all `2^t` batches are proved, empty ones too), the per-asset totals, every batch's
//! totals, every subtree hash, and each user's position and siblings. An inclusion proof
//! shows its user's own `id_hash` and balances as public inputs: it is the user's document,
//! handed to them privately; anyone holding it learns that user's entry and nothing else.
//!
//! # Trade-offs
//!
//! * Hiding the user count costs proving empty batches: pick `t` so the book fills most of
//!   the `2^d` capacity. Revealing the count to within `2^b` (a public batch count, empty
//!   batches as a constant) would save that work; we chose the smaller disclosure.
//! * The top proof takes the batch commitments through one digest, so its public inputs stay
//!   `2 + K` at any `t`; the verifier hashes `2^t` elements natively (`≈ 2^t / 15` Poseidon
//!   calls), the circuit pays the same in constraints.
//! * Totals are committed with a blinding rather than published: the statement `total ≤
//!   reserve` needs no total. A custodian that wants to publish totals can open `C`.
//! * Duplicate user ids are rejected on input; the circuits do not check uniqueness (a
//!   duplicated entry only inflates the liabilities). Omitting or lowering a user is caught by
//!   that user's inclusion proof.
//! * An inclusion proof's public `id_hash` and balances would let anyone who sees the proof
//!   and guesses the balances confirm the guess; exchanges that publish inclusion proofs on a
//!   bulletin board should salt user ids (the id is arbitrary bytes, hashed injectively).

mod batch;
mod book;
mod commit;
mod inclusion;
mod input;
mod params;
mod top;

pub use batch::{BatchCircuit, BatchWitness, LeafValues};
pub use book::{Book, CommittedBook, Entry, Shortfall};
pub use commit::{BlindingSeed, batches_digest, commit_node, commit_node_var};
pub use inclusion::{InclusionCircuit, InclusionClaim, InclusionWitness};
pub use input::{BalanceProblem, InputError, Reserves};
pub use params::SolvencyParams;
pub use top::{RESERVE_BITS, SolvencyStatement, TopCircuit, TopWitness};

use crate::poseidon::PoseidonError;
use crate::sum_tree::SumTreeError;

/// Errors of the solvency model: parameters, insolvency, shapes, lookups.
#[derive(Debug, thiserror::Error)]
pub enum SolvencyError {
    /// Parameters outside their bounds.
    #[error(
        "invalid solvency parameters: {assets} assets, batches of 2^{batch_bits}, 2^{top_bits} batches \
         (need at least one asset, 1 <= batch bits, batch bits + top bits <= 32)"
    )]
    InvalidParams {
        /// Assets `K`.
        assets: usize,
        /// Batch bits `b`.
        batch_bits: usize,
        /// Top bits `t`.
        top_bits: usize,
    },
    /// The book does not fit the parameters' capacity.
    #[error("the book has {users} users but the parameters hold at most {capacity}")]
    TooManyUsers {
        /// Users in the book.
        users: usize,
        /// `2^d`.
        capacity: u64,
    },
    /// A book, reserve list or witness has a different number of assets than expected.
    #[error("expected {expected} assets, found {found}")]
    AssetCountMismatch {
        /// The expected count.
        expected: usize,
        /// The count found.
        found: usize,
    },
    /// A book was built with no assets.
    #[error("a book needs at least one asset")]
    NoAssets,
    /// A book was built with an empty or repeated user id.
    #[error("user id `{id}` is empty or appears more than once")]
    BadUserId {
        /// The offending id.
        id: String,
    },
    /// A witness has the wrong number of leaves, batches or blindings.
    #[error("expected {expected} {what}, found {found}")]
    ShapeMismatch {
        /// What was counted.
        what: &'static str,
        /// The expected count.
        expected: usize,
        /// The count found.
        found: usize,
    },
    /// A witness value is not a 64-bit balance, so it has no native commitment.
    #[error("slot {slot}, asset {asset}: the value is not a balance below 2^64")]
    BalanceOutOfRange {
        /// The leaf slot in its batch.
        slot: usize,
        /// The asset.
        asset: usize,
    },
    /// The book's totals exceed the reserves.
    #[error("insolvent: {}", display_shortfalls(.0))]
    Insolvent(Vec<Shortfall>),
    /// An inclusion claim does not open the book commitment along its path.
    #[error("the entry is not included in the committed book along this path")]
    NotIncluded,
    /// No user with this id is in the book.
    #[error("no user `{id}` in the book")]
    UnknownUser {
        /// The id asked for.
        id: String,
    },
    /// A batch index beyond the `2^t` batches.
    #[error("batch {batch} does not exist: there are {batches} batches")]
    NoSuchBatch {
        /// The index asked for.
        batch: usize,
        /// `2^t`.
        batches: usize,
    },
    /// Reading the inputs failed.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Building the sum tree or a path failed.
    #[error(transparent)]
    SumTree(#[from] SumTreeError),
    /// Hashing failed.
    #[error(transparent)]
    Poseidon(#[from] PoseidonError),
}

fn display_shortfalls(shortfalls: &[Shortfall]) -> String {
    shortfalls
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
