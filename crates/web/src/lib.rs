//! Xiaohao's HTTP face: a JSON API under `/api`, health, and (later) the zh-CN pages.
//!
//! Errors are turned into `{"error":{"code","message","field"}}` in one place: [`error`].

mod api;
mod error;

pub use error::ApiError;

use axum::Router;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use xiaohao_engine::Engine;

#[derive(Clone, Debug)]
pub struct AppState {
    pub engine: Engine,
}

/// The whole HTTP application.
pub fn router(engine: Engine) -> Router {
    let state = AppState { engine };
    api::routes()
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(2 * 1024 * 1024))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
}

/// Serve until `shutdown` resolves.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    engine: Engine,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(engine))
        .with_graceful_shutdown(shutdown)
        .await
}
