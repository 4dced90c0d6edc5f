use sea_orm::{DbErr, SqlErr};
use thiserror::Error;

/// What can go wrong in the store, in terms a caller can act on.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{what} `{key}` not found")]
    NotFound { what: &'static str, key: String },
    /// Someone else changed the row first (optimistic lock) — retry with fresh data.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A unique value is already taken.
    #[error("{field} `{value}` already exists")]
    Duplicate { field: &'static str, value: String },
    /// A stored value the domain cannot read (a bug or a hand-edited database).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Input refused by the domain's validation before anything was written.
    #[error(transparent)]
    Invalid(xiaohao_core::DomainError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl StoreError {
    pub(crate) fn not_found(what: &'static str, key: impl ToString) -> Self {
        Self::NotFound {
            what,
            key: key.to_string(),
        }
    }

    /// Map a unique violation to `Duplicate`, anything else to `Db`.
    pub(crate) fn unique(err: DbErr, field: &'static str, value: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Duplicate {
                field,
                value: value.to_owned(),
            },
            _ => Self::Db(err),
        }
    }
}
