//! 督办单 over JSON: the list the reader may see, as the page shows it. A unit reads the
//! orders on items it leads; every other role those on items in its scope.

use crate::api::ErrorBody;
use crate::auth::Auth;
use crate::schemas;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiaohao_engine::EngineError;
use xiaohao_store::OrderStatus;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_orders))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderQuery {
    /// `open` (default: waiting for the 督办回复), `answered` or `all`.
    pub status: Option<String>,
}

/// The 督办单 the caller may read, newest first (at most 200).
#[utoipa::path(get, path = "/api/orders", params(OrderQuery),
    responses((status = 200, body = Vec<schemas::Order>), (status = 400, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_orders(
    State(state): State<AppState>,
    Auth(p): Auth,
    query: Result<Query<OrderQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("open") => OrderStatus::Open,
        Some("answered") => OrderStatus::Answered,
        Some("all") => OrderStatus::All,
        Some(other) => {
            let shown: String = other.chars().take(40).collect();
            return Err(EngineError::invalid(
                "status",
                format!("`{shown}` is not one of open, answered, all"),
            )
            .into());
        }
    };
    Ok(Json(json!(
        state.engine.orders_for_reader(&p, status).await?
    )))
}
