//! Xiaohao's HTTP face: the JSON API under `/api` (OpenAPI at `/api/openapi.json`, Swagger
//! UI at `/api/docs`), the zh-CN pages, `/health`, `/metrics` and the per-unit calendar
//! feeds.
//!
//! Errors are turned into `{"error":{"code","message","field"}}` in one place: [`error`].
//! Who is asking is decided in one place: [`auth`].

mod account_pages;
mod api;
mod api_accounts;
mod attachments;
pub mod auth;
pub mod bulletin;
mod error;
mod export;
mod flash;
pub mod ics;
pub mod metrics;
mod orders;
mod pages;
mod plan_pages;
mod recon;
pub mod schemas;
mod score;
mod unit_channel_pages;
mod unit_pages;

pub use error::ApiError;
pub use metrics::{Metrics, MetricsAccess};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;
use xiaohao_core::ItemState;
use xiaohao_engine::Engine;

#[derive(Clone, Debug)]
pub struct AppState {
    pub engine: Engine,
    pub limiter: Arc<auth::LoginLimiter>,
    /// Shared with the scheduler, which records its ticks here.
    pub metrics: Arc<Metrics>,
    /// Who may read `/metrics`.
    pub metrics_access: MetricsAccess,
}

impl AppState {
    pub fn new(engine: Engine) -> Self {
        Self {
            limiter: Arc::new(auth::LoginLimiter::new(engine.clock().clone())),
            engine,
            metrics: Arc::default(),
            metrics_access: MetricsAccess::default(),
        }
    }
}

/// Scripts only from our own files (`/static/app.js`; the pages have no inline script);
/// styles may be inline for the Swagger UI; nothing may frame us.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The whole HTTP application.
pub fn router(engine: Engine) -> Router {
    router_with(AppState::new(engine))
}

/// The application on a given state (to share [`Metrics`] with the scheduler).
pub fn router_with(state: AppState) -> Router {
    let (api, mut openapi) = api::routes()
        .merge(recon::api::routes())
        .merge(score::api::routes())
        .merge(orders::api::routes())
        .split_for_parts();
    // Files travel outside the 2 MB limit of everything else, under a limit of their own.
    let (files_api, files_doc) = attachments::routes().split_for_parts();
    openapi.merge(files_doc);
    let file_limit = state
        .engine
        .files()
        .map(|f| attachments::body_limit(f.rules()))
        .unwrap_or_else(|_| attachments::body_limit(&Default::default()));
    let uploads = files_api
        .merge(pages::upload_routes())
        .with_state(state.clone())
        .layer(axum::extract::DefaultBodyLimit::max(file_limit));
    api.merge(pages::routes())
        .merge(account_pages::routes())
        .merge(unit_pages::routes())
        .merge(plan_pages::routes())
        .merge(recon::routes())
        .merge(score::routes())
        .merge(bulletin::routes())
        .merge(orders::routes())
        .route("/metrics", get(metrics_text))
        .route("/units/{id}/deadlines.ics", get(deadlines_ics))
        .fallback(pages::not_found)
        .with_state(state)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .layer(RequestBodyLimitLayer::new(2 * 1024 * 1024))
        .merge(uploads)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
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
    serve_with(listener, AppState::new(engine), shutdown).await
}

/// [`serve`] on a given state.
///
/// # Errors
/// When the listener fails.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router_with(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// `http://host` as the client reached us, for links we hand out.
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{proto}://{host}")
}

async fn metrics_text(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if !state.metrics_access.admits(auth::client_ip(&ext), bearer) {
        return Err(ApiError::forbidden(
            "/metrics 仅对配置的地址或持有令牌者开放 (see [metrics] in the configuration)",
        ));
    }
    let engine = &state.engine;
    let (states, lights) = engine.item_counts().await?;
    let mut by_state = std::collections::BTreeMap::new();
    let mut by_light = std::collections::BTreeMap::new();
    for s in ItemState::ALL {
        by_state.insert(s.as_str().to_owned(), 0u64);
    }
    for (s, n) in states {
        by_state.insert(s, n);
    }
    for (l, n) in lights {
        by_light.insert(l.as_str().to_owned(), n);
    }
    let mut scrape = metrics::Scrape::default();
    let rows = |m: &std::collections::BTreeMap<String, u64>, label: &'static str| {
        m.iter()
            .map(|(k, v)| (vec![(label, k.clone())], *v))
            .collect::<Vec<_>>()
    };
    scrape.gauge("xiaohao_items", "Items by state", rows(&by_state, "state"));
    scrape.gauge(
        "xiaohao_items_by_light",
        "Items by traffic light",
        rows(&by_light, "light"),
    );
    // 1 for each year that should have a working-day calendar by now and has none (this
    // year; next year from 1 November): dates in it are counted Monday–Friday.
    let today = engine.today();
    let calendar_rows: Vec<_> = [
        chrono::Datelike::year(&today),
        chrono::Datelike::year(&today) + 1,
    ]
    .into_iter()
    .map(|y| {
        let missing = engine.policy().missing_calendar_years(today).contains(&y);
        (vec![("year", y.to_string())], u64::from(missing))
    })
    .collect();
    scrape.gauge(
        "xiaohao_calendar_year_missing",
        "1 when a year that should have a working-day calendar file by now has none",
        calendar_rows,
    );
    let outbox = engine.outbox_depth().await?;
    let outbox_rows: Vec<_> = outbox
        .into_iter()
        .map(|(status, n)| (vec![("status", status)], n))
        .collect();
    scrape.gauge(
        "xiaohao_outbox_messages",
        "Outbox messages by status",
        outbox_rows,
    );
    let out = scrape.finish(&state.metrics);
    Ok(([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], out).into_response())
}

#[derive(serde::Deserialize)]
struct FeedQuery {
    token: Option<String>,
}

/// A unit's deadlines as iCalendar; the per-unit feed token is the only credential, so
/// calendar programs can subscribe. Only its SHA-256 is stored.
async fn deadlines_ics(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<FeedQuery>,
) -> Result<Response, ApiError> {
    let token = q
        .token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the feed needs its ?token=").field("token"))?;
    let unit_id: xiaohao_core::UnitId = raw.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("`{raw}` is not a unit id"),
        )
        .field("id")
    })?;
    let engine = &state.engine;
    // A rotated-away, mistyped or foreign token: as if there were no such feed.
    if engine.unit_of_feed_token(&token).await? != Some(unit_id) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "没有这个日历订阅地址，可能已重新生成 (no such feed: the address may have been renewed)",
        )
        .field("token"));
    }
    let unit = engine.unit(unit_id).await?;
    let items = engine.unit_deadlines(unit_id).await?;
    let body = ics::calendar(&unit.name, &items, &base_url(&headers), engine.now());
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        body,
    )
        .into_response())
}
