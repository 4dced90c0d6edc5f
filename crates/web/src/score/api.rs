//! 考核 over JSON and as a workbook, scoped like the page: a unit reads its own row, every
//! other role all rows.

use crate::api::ErrorBody;
use crate::auth::Auth;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiaohao_core::score::{Period, Scorecard};
use xiaohao_engine::score::score_period;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(scores))
        .routes(routes!(scores_xlsx))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScoreQuery {
    /// A quarter (`2026Q4`) or a year (`2026`); default: the current quarter.
    pub period: Option<String>,
}

async fn card(
    state: &AppState,
    p: &xiaohao_engine::Principal,
    query: Result<Query<ScoreQuery>, QueryRejection>,
) -> Result<(Period, Scorecard), ApiError> {
    let Query(q) = query?;
    let text = q
        .period
        .unwrap_or_else(|| super::current_quarter(state.engine.today()));
    let period = score_period(&text)?;
    let card = state.engine.scores_for(p, &period).await?;
    Ok((period, card))
}

/// The score card of a period: `{"period","base","units":[{"unit","score","rank","lines":
/// [{"rule","points","item_id","event_seq",…}]}]}`, `score` = `base` + the sum of the
/// unit's `points` (caps already applied). A unit receives only its own row.
#[utoipa::path(get, path = "/api/scores", params(ScoreQuery),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn scores(
    State(state): State<AppState>,
    Auth(p): Auth,
    query: Result<Query<ScoreQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let (_, card) = card(&state, &p, query).await?;
    Ok(Json(card.to_json(&state.engine.policy().scoring)))
}

/// The score card as an .xlsx workbook (ranking and lines).
#[utoipa::path(get, path = "/api/scores/xlsx", params(ScoreQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 400, body = ErrorBody), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn scores_xlsx(
    State(state): State<AppState>,
    Auth(p): Auth,
    query: Result<Query<ScoreQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (period, card) = card(&state, &p, query).await?;
    let body = super::xlsx::workbook(&card, &state.engine.policy().scoring)?;
    let name = format!("{}考核.xlsx", period.title_zh());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"scores-{}.xlsx\"; filename*=UTF-8''{}",
                    period.label,
                    crate::auth::url_encode(&name)
                ),
            ),
        ],
        body,
    )
        .into_response())
}
