//! The service's errors and their one conversion to [`tonic::Status`].

use bulwark_circuits::rollup::RollupError;
use tonic::Status;

use super::KeyError;
use crate::store::StoreError;

/// Why a request was refused or could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A required request field is missing or unspecified.
    #[error("{0} is required")]
    Missing(&'static str),
    /// The request asks for something this server does not prove.
    #[error("unsupported {what}: {value}")]
    Unsupported {
        /// The field.
        what: &'static str,
        /// What was asked for.
        value: String,
    },
    /// A witness document is not valid JSON of its type.
    #[error("invalid {what} JSON at line {line}, column {column}: {source}")]
    Json {
        /// `"state"` or `"batch"`.
        what: &'static str,
        /// serde's line.
        line: usize,
        /// serde's column.
        column: usize,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The witness breaks a rule of the statement (names the operation index and the rule).
    #[error("invalid witness: {0}")]
    InvalidWitness(#[from] RollupError),
    /// A tenant or page token is malformed.
    #[error("invalid {what}: {value:?}")]
    Invalid {
        /// The field.
        what: &'static str,
        /// Its value.
        value: String,
    },
    /// No such job for this tenant.
    #[error("job {0} not found")]
    NotFound(String),
    /// The job store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Keys the request needs could not be loaded or made.
    #[error("keys: {0}")]
    Keys(#[from] KeyError),
}

impl ServiceError {
    /// Parses one witness document, keeping serde's position.
    pub fn json(what: &'static str, source: serde_json::Error) -> Self {
        Self::Json {
            what,
            line: source.line(),
            column: source.column(),
            source,
        }
    }
}

impl From<ServiceError> for Status {
    fn from(err: ServiceError) -> Self {
        let message = err.to_string();
        match err {
            ServiceError::Missing(_)
            | ServiceError::Json { .. }
            | ServiceError::InvalidWitness(_)
            | ServiceError::Invalid { .. } => Status::invalid_argument(message),
            ServiceError::Unsupported { .. } => Status::unimplemented(message),
            ServiceError::NotFound(_) => Status::not_found(message),
            ServiceError::Store(StoreError::QueueFull { .. } | StoreError::TenantLimit { .. }) => {
                Status::resource_exhausted(message)
            }
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "job store failed");
                Status::unavailable(message)
            }
            ServiceError::Keys(e) => {
                tracing::error!(error = %e, "keys unavailable");
                Status::internal(message)
            }
        }
    }
}
