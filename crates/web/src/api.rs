//! JSON API. Until accounts arrive, a caller names the unit it acts for in the
//! `X-Xiaohao-Unit` header (a unit id, or a percent-encoded name or alias).

use crate::{ApiError, AppState};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use xiaohao_core::org::{Level, Unit, UnitKind};
use xiaohao_core::{Actor, ItemId, ItemState};
use xiaohao_engine::{CommandRequest, Engine, ItemDetail, ItemRequest, Outcome};
use xiaohao_store::{ItemFilter, ItemPage, NewUnit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/api/units", get(list_units).post(create_unit))
        .route("/api/items", get(list_items).post(create_item))
        .route("/api/items/{id}", get(get_item))
        .route("/api/items/{id}/transitions", post(transition))
        .route("/api/items/{id}/events", get(item_events))
}

pub const ACTOR_HEADER: &str = "x-xiaohao-unit";

/// The unit a request acts for.
pub struct Acting(pub Actor);

impl FromRequestParts<AppState> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let raw = parts
            .headers
            .get(ACTOR_HEADER)
            .ok_or_else(|| {
                ApiError::unauthorized(format!(
                    "name the unit you act for in the {ACTOR_HEADER} header"
                ))
                .field(ACTOR_HEADER)
            })?
            .to_str()
            .map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "the unit header must be ASCII; percent-encode names",
                )
                .field(ACTOR_HEADER)
            })?;
        let key = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "the unit header is not UTF-8 once decoded",
                )
                .field(ACTOR_HEADER)
            })?;
        let actor = state
            .engine
            .actor_for(ACTOR_HEADER, &key)
            .await
            .map_err(|e| {
                let mut err = ApiError::from(e);
                if err.status == StatusCode::UNPROCESSABLE_ENTITY {
                    err.status = StatusCode::UNAUTHORIZED;
                    err.code = "unauthorized";
                }
                err
            })?;
        Ok(Acting(actor))
    }
}

async fn health(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let store = state.engine.store();
    store.connection().ping().await.map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            e.to_string(),
        )
    })?;
    Ok(Json(json!({
        "status": "ok",
        "database": format!("{:?}", store.backend()).to_lowercase(),
        "now": state.engine.now(),
        "version": env!("CARGO_PKG_VERSION"),
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitBody {
    name: String,
    kind: Option<String>,
    level: Option<String>,
    parent: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

async fn list_units(State(state): State<AppState>) -> Result<Json<Vec<Unit>>, ApiError> {
    Ok(Json(state.engine.store().units().await?))
}

async fn create_unit(
    State(state): State<AppState>,
    Acting(actor): Acting,
    body: Result<Json<UnitBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Unit>), ApiError> {
    let Json(body) = body?;
    if !matches!(actor.capacity, xiaohao_core::Capacity::Office) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_permitted",
            "only an office may register units",
        ));
    }
    let kind = body
        .kind
        .as_deref()
        .map(|k| k.parse::<UnitKind>())
        .transpose()
        .map_err(|e| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", e).field("kind")
        })?;
    let level = body
        .level
        .as_deref()
        .map(|l| l.parse::<Level>())
        .transpose()
        .map_err(|e| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", e).field("level")
        })?;
    let engine = &state.engine;
    let parent = match body.parent.as_deref() {
        Some(p) => Some(
            engine
                .store()
                .resolve_unit(p)
                .await
                .map_err(|_| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_input",
                        format!("unknown parent unit `{p}`"),
                    )
                    .field("parent")
                })?
                .id,
        ),
        None => None,
    };
    let unit = engine
        .store()
        .create_unit(
            NewUnit {
                name: body.name,
                kind,
                level,
                parent,
                emails: body.emails,
                aliases: body.aliases,
                needs_review: false,
            },
            engine.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemQuery {
    state: Option<String>,
    unit: Option<String>,
    chain: Option<String>,
    #[serde(default)]
    overdue: bool,
    q: Option<String>,
    #[serde(default)]
    limit: u64,
    #[serde(default)]
    offset: u64,
}

async fn list_items(
    State(state): State<AppState>,
    query: Result<Query<ItemQuery>, QueryRejection>,
) -> Result<Json<ItemPage>, ApiError> {
    let Query(q) = query?;
    let engine = &state.engine;
    let bad = |field: &'static str, msg: String| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", msg).field(field)
    };
    let mut filter = ItemFilter {
        state: q
            .state
            .as_deref()
            .map(|s| s.parse::<ItemState>())
            .transpose()
            .map_err(|e| bad("state", e))?,
        text: q.q,
        limit: q.limit,
        offset: q.offset,
        ..Default::default()
    };
    if let Some(u) = q.unit.as_deref() {
        filter.unit = Some(
            engine
                .store()
                .resolve_unit(u)
                .await
                .map_err(|_| bad("unit", format!("unknown unit `{u}`")))?
                .id,
        );
    }
    if let Some(c) = q.chain.as_deref() {
        filter.chain = Some(
            c.parse()
                .map_err(|_| bad("chain", format!("`{c}` is not a chain id")))?,
        );
    }
    if q.overdue {
        filter.overdue_on = Some(local_today(engine));
    }
    Ok(Json(engine.store().items(&filter).await?))
}

/// Today in China: deadlines are calendar dates in Asia/Shanghai (UTC+8, no DST).
fn local_today(engine: &Engine) -> chrono::NaiveDate {
    (engine.now() + chrono::Duration::hours(8)).date_naive()
}

async fn create_item(
    State(state): State<AppState>,
    Acting(actor): Acting,
    body: Result<Json<ItemRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Outcome>), ApiError> {
    let Json(req) = body?;
    let outcome = state.engine.file_item(&actor, &req).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

fn item_id(path: Result<Path<String>, PathRejection>) -> Result<ItemId, ApiError> {
    let Path(raw) = path?;
    raw.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("`{raw}` is not an item id"),
        )
        .field("id")
    })
}

async fn get_item(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<ItemDetail>, ApiError> {
    let id = item_id(path)?;
    Ok(Json(state.engine.detail(id).await?))
}

#[derive(Serialize)]
struct EventsBody {
    item: ItemId,
    events: Vec<xiaohao_core::event::Event>,
    chain_ok: bool,
}

async fn item_events(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<EventsBody>, ApiError> {
    let id = item_id(path)?;
    let store = state.engine.store();
    store.item(id).await?;
    let events = store.events(id).await?;
    let chain_ok = xiaohao_core::event::verify_chain(&events).is_ok();
    Ok(Json(EventsBody {
        item: id,
        events,
        chain_ok,
    }))
}

async fn transition(
    State(state): State<AppState>,
    Acting(actor): Acting,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<CommandRequest>, JsonRejection>,
) -> Result<Json<Outcome>, ApiError> {
    let id = item_id(path)?;
    let Json(req) = body?;
    Ok(Json(state.engine.execute_request(id, &actor, &req).await?))
}
