use thiserror::Error;
use xiaohao_core::DomainError;
use xiaohao_store::StoreError;

/// Everything a service call can refuse or fail with. Turned into HTTP statuses in `web`
/// and exit codes in the CLI, each in one place.
#[derive(Debug, Error)]
pub enum EngineError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(StoreError),
    /// Input that names something that does not exist or cannot be read.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The caller's expected version is not the current one.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("configuration: {0}")]
    Config(String),
    /// Not signed in, or the credentials are wrong.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Signed in, but this account may not do that.
    #[error("forbidden: {0}")]
    Forbidden(String),
}

impl EngineError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(d) => Self::Domain(d),
            StoreError::Conflict(m) => Self::Conflict(m),
            other => Self::Store(other),
        }
    }
}
