//! 对账单 over JSON, scoped exactly like items: a statement the caller may not read is a
//! 404, as for a missing id.

use crate::api::ErrorBody;
use crate::auth::Auth;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use xiaohao_core::UnitId;
use xiaohao_core::recon::Status;
use xiaohao_engine::recon::{AnswerRequest, MarkRequest};

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_statements))
        .routes(routes!(get_statement))
        .routes(routes!(mark_line))
        .routes(routes!(answer_line))
        .routes(routes!(sign))
        .routes(routes!(countersign))
        .routes(routes!(statement_xlsx))
        .routes(routes!(disputes))
}

pub(crate) fn statement_id(raw: &str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!(
                "`{}` is not a statement id",
                raw.chars().take(60).collect::<String>()
            ),
        )
        .field("id")
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatementQuery {
    /// Unit id (a unit sees only its own).
    pub unit: Option<String>,
    /// open, signed or countersigned.
    pub status: Option<String>,
    pub limit: Option<u64>,
}

/// Statements the caller may read: a unit its own history, an office those holding an item
/// it keeps, 督查室 and administrators all.
#[utoipa::path(get, path = "/api/statements", params(StatementQuery),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_statements(
    State(state): State<AppState>,
    Auth(p): Auth,
    query: Result<Query<StatementQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query?;
    let bad = |field: &'static str, m: String| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m).field(field)
    };
    let unit = q
        .unit
        .as_deref()
        .map(|u| u.parse::<UnitId>())
        .transpose()
        .map_err(|_| bad("unit", "unit must be a unit id".into()))?;
    let status = q
        .status
        .as_deref()
        .map(str::parse::<Status>)
        .transpose()
        .map_err(|e| bad("status", e))?;
    let rows = state
        .engine
        .statements_for(&p, unit, status, q.limit.unwrap_or(200))
        .await?;
    Ok(Json(json!({ "statements": rows })))
}

/// One statement with its lines and what the caller may do.
#[utoipa::path(get, path = "/api/statements/{id}", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_statement(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path?;
    let id = statement_id(&raw)?;
    Ok(Json(json!(state.engine.statement_for(&p, id).await?)))
}

/// The unit confirms or disputes line `seq`: `{"verdict":"dispute","reason":"wrong_deadline","note":…}`.
#[utoipa::path(post, path = "/api/statements/{id}/lines/{seq}", params(("id" = String, Path), ("seq" = i32, Path)),
    request_body = MarkRequest,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn mark_line(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<(String, i32)>, PathRejection>,
    body: Result<Json<MarkRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((raw, seq)) = path?;
    let id = statement_id(&raw)?;
    let Json(req) = body?;
    Ok(Json(json!(
        state.engine.mark_statement_line(&p, id, seq, &req).await?
    )))
}

/// The keeping office answers a dispute: `{"action":"resolve","note":…,"command":{…}}` or
/// `{"action":"reject","reason":…}`.
#[utoipa::path(post, path = "/api/statements/{id}/lines/{seq}/answer", params(("id" = String, Path), ("seq" = i32, Path)),
    request_body = AnswerRequest,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_line(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<(String, i32)>, PathRejection>,
    body: Result<Json<AnswerRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((raw, seq)) = path?;
    let id = statement_id(&raw)?;
    let Json(req) = body?;
    Ok(Json(json!(
        state.engine.answer_dispute(&p, id, seq, &req).await?
    )))
}

/// The unit signs (every line agreed).
#[utoipa::path(post, path = "/api/statements/{id}/sign", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn sign(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path?;
    let id = statement_id(&raw)?;
    state.engine.sign_statement(&p, id).await?;
    Ok(Json(json!(state.engine.statement_for(&p, id).await?)))
}

/// The office countersigns: the statement is frozen and sealed; returns the seal's hash.
#[utoipa::path(post, path = "/api/statements/{id}/countersign", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
async fn countersign(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path?;
    let id = statement_id(&raw)?;
    let hash = state.engine.countersign_statement(&p, id).await?;
    Ok(Json(json!({
        "content_hash": hash,
        "statement": state.engine.statement_for(&p, id).await?,
    })))
}

/// The statement as an .xlsx workbook.
#[utoipa::path(get, path = "/api/statements/{id}/xlsx", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn statement_xlsx(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(raw) = path?;
    let id = statement_id(&raw)?;
    let view = state.engine.statement_for(&p, id).await?;
    let body = super::xlsx::workbook(state.engine.policy(), &view)?;
    let name = format!("{}-{}.xlsx", view.header.unit_name, view.header.title);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"statement.xlsx\"; filename*=UTF-8''{}",
                    crate::auth::url_encode(&name)
                ),
            ),
        ],
        body,
    )
        .into_response())
}

/// Disputes waiting for the caller's answer (offices: the items they keep).
#[utoipa::path(get, path = "/api/disputes",
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn disputes(State(state): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "disputes": state.engine.disputes_for(&p, 500).await? }),
    ))
}
