//! Why a benchmark run failed. The `xiaohao` binary turns it into its exit code: 2 for
//! arguments the user can fix, 1 for everything else.

use xiaohao_engine::EngineError;
use xiaohao_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Bad arguments.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else: files, the `serve` child, HTTP, the mail worker.
    #[error("{0}")]
    Failure(String),
}

pub(crate) fn fail(e: impl std::fmt::Display) -> BenchError {
    BenchError::Failure(e.to_string())
}
