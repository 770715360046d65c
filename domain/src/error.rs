//! Domain errors. The api maps them to SCIM error bodies or problem+json at its edge.

use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Too many attempts: try again after `retry_after_secs`.
    #[error("{detail}")]
    RateLimited {
        detail: String,
        retry_after_secs: u64,
    },
    /// An `If-Match` version that is not the current one.
    #[error("{0}")]
    PreconditionFailed(String),
    /// A protocol-level rejection that already carries its SCIM status and type.
    #[error(transparent)]
    Scim(#[from] roster_scim::ScimError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("cache error: {0}")]
    Cache(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl DomainError {
    /// Applies `f` to a database error; any other error is kept.
    pub fn map_db(self, f: impl FnOnce(DbErr) -> Self) -> Self {
        match self {
            DomainError::Db(err) => f(err),
            other => other,
        }
    }

    /// Maps a unique-constraint violation to `Conflict(message)`, anything else to `Db`.
    pub fn from_db_unique(err: DbErr, message: impl Into<String>) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => DomainError::Conflict(message.into()),
            _ => DomainError::Db(err),
        }
    }
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;
