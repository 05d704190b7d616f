//! Store errors.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database rejected or could not run a statement.
    #[error("job store: {0}")]
    Database(#[from] sqlx::Error),
    /// Opening the store's directory failed.
    #[error("job store directory {path}: {source}")]
    Directory {
        /// The directory.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Applying the schema migrations failed.
    #[error("job store migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The store URL is malformed or names an unknown kind of store.
    #[error("job store URL {0}")]
    Url(String),
    /// The store needs a cargo feature this build lacks.
    #[error("this bulwark was built without the `{0}` feature")]
    Unsupported(&'static str),
    /// The queue holds as many jobs as it may.
    #[error("queue is full: {queued} jobs queued, the limit is {limit}; retry later")]
    QueueFull {
        /// Jobs queued now.
        queued: u64,
        /// The configured queue depth.
        limit: u64,
    },
    /// The tenant has as many unfinished jobs as it may.
    #[error(
        "tenant {tenant:?} has {active} queued or running jobs, the limit is {limit}; retry later"
    )]
    TenantLimit {
        /// The tenant.
        tenant: String,
        /// Its queued and running jobs.
        active: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The transaction holding a batch of submissions failed, so none of them was stored.
    #[error("job store: storing the submission failed: {0}")]
    Commit(String),
    /// A stored row holds a value this version cannot read.
    #[error("job store row is corrupt: {0}")]
    Corrupt(String),
}
