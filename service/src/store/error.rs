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
    /// A stored row holds a value this version cannot read.
    #[error("job store row is corrupt: {0}")]
    Corrupt(String),
}
