//! JSON API. Every handler is thin: authenticate ([`Auth`]), parse, call the engine, return.
//! The caller is always a signed-in account; what it may read is its scope, what it may do
//! is decided by the domain for the actor its role maps to.

use crate::auth::{Auth, client_ip, too_many};
use crate::{ApiError, AppState, schemas};
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiaohao_core::org::{Level, UnitKind};
use xiaohao_core::{AccountRole, ItemId, ItemState, Light, validate};
use xiaohao_engine::{CommandRequest, Engine, EngineError, ItemRequest, ReportRequest};
use xiaohao_store::{ItemFilter, NewUnit, TokenKind};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Xiaohao (销号) API",
        description = "对账销号 ledgers: items, transitions, progress, units, chains, accounts. \
                       Authenticate with `Authorization: Bearer <token>` from `POST /api/auth/login`. \
                       Errors are `{\"error\":{\"code\",\"message\",\"field\"}}`."
    ),
    components(schemas(ErrorBody, ErrorDetail, LoginBody, UserBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// The error envelope every failure uses.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `invalid_transition`, `not_found`, `unauthorized`.
    pub code: String,
    pub message: String,
    /// The request field at fault, when there is one.
    pub field: Option<String>,
    /// The limit the input broke, when the rule has a name (`min_chars:10`, `not_common`).
    pub limit: Option<String>,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(list_chains))
        .routes(routes!(list_plans))
        .routes(routes!(list_items, create_item))
        .routes(routes!(get_item))
        .routes(routes!(transition))
        .routes(routes!(item_events))
        .routes(routes!(list_progress, report_progress))
        .routes(routes!(duties))
        .routes(routes!(stats))
        .routes(routes!(supervision))
        .routes(routes!(export_ledger))
        .routes(routes!(export_ledger_xlsx))
        .merge(crate::api_accounts::routes())
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/health", security(()),
    responses((status = 200, body = schemas::Health), (status = 503, body = ErrorBody)))]
async fn health(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.engine.ping().await.map_err(|e| {
        let mut err = ApiError::internal(&e);
        err.status = StatusCode::SERVICE_UNAVAILABLE;
        err.code = "database_unavailable";
        err
    })?;
    Ok(Json(json!({
        "status": "ok",
        "database": state.engine.database_backend(),
        "now": state.engine.now(),
        "version": env!("CARGO_PKG_VERSION"),
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    pub id: uuid::Uuid,
    pub username: String,
    pub display_name: String,
    pub unit: uuid::Uuid,
    pub unit_name: String,
    /// admin, office, unit, leader, supervision
    pub role: String,
    pub disabled: bool,
    /// The password is temporary: it must be changed (POST /api/auth/password) first.
    pub must_change_password: bool,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) async fn user_body(
    engine: &Engine,
    u: &xiaohao_store::User,
) -> Result<UserBody, ApiError> {
    let unit = engine.unit(u.unit).await?;
    Ok(UserBody {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        unit: u.unit.0,
        unit_name: unit.name,
        role: u.role.as_str().to_owned(),
        disabled: u.disabled,
        must_change_password: u.must_change_password,
        last_login_at: u.last_login_at,
    })
}

/// Log in and receive a bearer token (90 days, revocable). Rate-limited before the password
/// is checked: 5 attempts per account (restored by a success), 30 per client address, then
/// one per 3 minutes (account) or 30 seconds (address) → 429.
#[utoipa::path(post, path = "/api/auth/login", security(()), request_body = LoginBody,
    responses((status = 200, body = schemas::LoginResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    req_ext: axum::http::Extensions,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let ip = client_ip(&req_ext);
    validate::check(validate::USERNAME, &body.username)?;
    validate::check(validate::PASSWORD, &body.password)?;
    state
        .limiter
        .attempt(&body.username, ip)
        .map_err(too_many)?;
    match state
        .engine
        .login(&body.username, &body.password, TokenKind::Api)
        .await
    {
        Ok((user, token)) => {
            state.limiter.succeeded(&body.username);
            Ok(Json(json!({
                "token": token,
                "token_type": "Bearer",
                "user": user_body(&state.engine, &user).await?,
            })))
        }
        Err(e) => {
            if matches!(e, EngineError::Unauthorized(_)) {
                state.metrics.login_failed();
            }
            Err(e.into())
        }
    }
}

/// Revoke the token (or session) this request carries.
#[utoipa::path(post, path = "/api/auth/logout",
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    Auth(_who): Auth,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    if let Some((secret, _)) = crate::auth::presented_token(&headers) {
        state.engine.logout(&secret).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account, its actor and scope.
#[utoipa::path(get, path = "/api/me",
    responses((status = 200, body = schemas::Me), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({
        "user": user_body(&state.engine, &p.user).await?,
        "actor": p.actor,
        "scope": p.scope,
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitBody {
    pub name: String,
    /// department, government, enterprise, office, supervision, group
    pub kind: Option<String>,
    /// province, city, county, district
    pub level: Option<String>,
    pub parent: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// All units with aliases.
#[utoipa::path(get, path = "/api/units",
    responses((status = 200, body = Vec<schemas::Unit>), (status = 401, body = ErrorBody)))]
async fn list_units(
    State(state): State<AppState>,
    Auth(_who): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.engine.units().await?)))
}

/// Register a unit (admin, office).
#[utoipa::path(post, path = "/api/units", request_body = UnitBody,
    responses((status = 201, body = schemas::Unit), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_unit(
    State(state): State<AppState>,
    Auth(p): Auth,
    body: Result<Json<UnitBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !matches!(p.role(), AccountRole::Admin | AccountRole::Office) {
        return Err(ApiError::forbidden("only an office may register units"));
    }
    let Json(body) = body?;
    let invalid = |field: &'static str, e: String| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", e).field(field)
    };
    let kind = body
        .kind
        .as_deref()
        .map(str::parse::<UnitKind>)
        .transpose()
        .map_err(|e| invalid("kind", e))?;
    let level = body
        .level
        .as_deref()
        .map(str::parse::<Level>)
        .transpose()
        .map_err(|e| invalid("level", e))?;
    let engine = &state.engine;
    let parent = match body.parent.as_deref() {
        Some(k) => Some(
            engine
                .resolve_unit(k)
                .await
                .map_err(|_| invalid("parent", format!("unknown parent unit `{k}`")))?
                .id,
        ),
        None => None,
    };
    let unit = engine
        .create_unit(NewUnit {
            name: body.name,
            kind,
            level,
            parent,
            emails: body.emails,
            aliases: body.aliases,
            needs_review: false,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(json!(unit))))
}

/// All chains (产业链/专项) with leaders and units.
#[utoipa::path(get, path = "/api/chains",
    responses((status = 200, body = Vec<schemas::Chain>), (status = 401, body = ErrorBody)))]
async fn list_chains(
    State(state): State<AppState>,
    Auth(_who): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.engine.chains().await?)))
}

/// All plans (source documents).
#[utoipa::path(get, path = "/api/plans",
    responses((status = 200, body = Vec<schemas::Plan>), (status = 401, body = ErrorBody)))]
async fn list_plans(
    State(state): State<AppState>,
    Auth(_who): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.engine.plans().await?)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// draft, assigned, accepted, in_progress, closure_requested, closed, suspended, cancelled
    pub state: Option<String>,
    /// Lead or co-unit: id, name or alias.
    pub unit: Option<String>,
    /// Chain id or name.
    pub chain: Option<String>,
    /// red, yellow, green, grey
    pub light: Option<String>,
    /// Plan (source document) id or title.
    pub plan: Option<String>,
    /// Escalation level (督办级别), 0 to 99; 0: not escalated.
    pub level: Option<String>,
    #[serde(default)]
    pub overdue: Option<bool>,
    /// Text in title, text or number (at most 200 characters).
    pub q: Option<String>,
    /// Rows per page; 0 or none: the default; more than 1000 is clamped to 1000.
    pub limit: Option<u64>,
    /// Rows to skip; at most 9223372036854775807 (what the databases take), else 400.
    pub offset: Option<u64>,
}

/// Turn query parameters into a filter, naming the parameter at fault.
pub(crate) async fn item_filter(engine: &Engine, q: ItemQuery) -> Result<ItemFilter, ApiError> {
    let bad = |field: &'static str, msg: String| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", msg).field(field)
    };
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let offset = q.offset.unwrap_or(0);
    validate::check_offset(offset).map_err(|e| bad("offset", e.to_string()))?;
    if let Some(text) = &q.q {
        validate::check(validate::QUERY, text).map_err(|e| bad("q", e.to_string()))?;
    }
    let mut filter = ItemFilter {
        state: nonempty(q.state)
            .as_deref()
            .map(str::parse::<ItemState>)
            .transpose()
            .map_err(|e| bad("state", e))?,
        text: q.q,
        // Longer pages are clamped, not refused.
        limit: validate::clamp_limit(q.limit.unwrap_or(0)),
        offset,
        ..Default::default()
    };
    if let Some(l) = nonempty(q.light) {
        let light: Light = l.parse().map_err(|e| bad("light", e))?;
        filter.light = Some(engine.light_filter(light));
    }
    if let Some(u) = nonempty(q.unit) {
        filter.unit = Some(
            engine
                .resolve_unit(&u)
                .await
                .map_err(|_| bad("unit", format!("unknown unit `{u}`")))?
                .id,
        );
    }
    if let Some(c) = nonempty(q.chain) {
        let chains = engine.chains().await?;
        filter.chain = Some(
            chains
                .iter()
                .find(|ch| ch.id.to_string() == c || ch.name == c.trim())
                .map(|ch| ch.id)
                .ok_or_else(|| bad("chain", format!("unknown chain `{c}`")))?,
        );
    }
    if let Some(p) = nonempty(q.plan) {
        let plans = engine.plans().await?;
        filter.plan = Some(
            plans
                .iter()
                .find(|pl| pl.id.to_string() == p || pl.title == p.trim())
                .map(|pl| pl.id)
                .ok_or_else(|| bad("plan", format!("unknown plan `{p}`")))?,
        );
    }
    if let Some(l) = nonempty(q.level) {
        filter.level = Some(
            l.trim()
                .parse::<i32>()
                .ok()
                .filter(|n| (0..=99).contains(n))
                .ok_or_else(|| bad("level", format!("`{l}` is not a level from 0 to 99")))?,
        );
    }
    if q.overdue == Some(true) {
        filter.overdue_on = Some(engine.today());
    }
    Ok(filter)
}

/// A filtered page of the items the caller may read, newest first.
#[utoipa::path(get, path = "/api/items", params(ItemQuery),
    responses((status = 200, body = schemas::ItemPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_items(
    State(state): State<AppState>,
    Auth(p): Auth,
    query: Result<Query<ItemQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query?;
    let filter = item_filter(&state.engine, q).await?;
    Ok(Json(json!(state.engine.list_for(&p, filter).await?)))
}

/// File a draft item (admin, office, supervision).
#[utoipa::path(post, path = "/api/items", request_body = ItemRequest,
    responses((status = 201, body = schemas::Outcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_item(
    State(state): State<AppState>,
    Auth(p): Auth,
    body: Result<Json<ItemRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(req) = body?;
    let outcome = state.engine.file_as(&p, &req).await?;
    Ok((StatusCode::CREATED, Json(json!(outcome))))
}

pub(crate) fn item_id(path: Result<Path<String>, PathRejection>) -> Result<ItemId, ApiError> {
    let Path(raw) = path?;
    parse_item_id(&raw)
}

pub(crate) fn parse_item_id(raw: &str) -> Result<ItemId, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("`{raw}` is not an item id"),
        )
        .field("id")
    })
}

/// An item with targets, timeline, progress, allowed actions and clocks.
#[utoipa::path(get, path = "/api/items/{id}", params(("id" = String, Path)),
    responses((status = 200, body = schemas::ItemView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_item(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = item_id(path)?;
    Ok(Json(json!(state.engine.view_for(&p, id).await?)))
}

/// The event chain of an item and whether its hashes verify.
#[utoipa::path(get, path = "/api/items/{id}/events", params(("id" = String, Path)),
    responses((status = 200, body = schemas::Events), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn item_events(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = item_id(path)?;
    state.engine.visible_item(&p, id).await?;
    let events = state.engine.events(id).await?;
    let chain_ok = xiaohao_core::event::verify_chain(&events).is_ok();
    Ok(Json(
        json!({ "item": id, "events": events, "chain_ok": chain_ok }),
    ))
}

/// Any transition: `{"action":"verify","version":5,"comment":…}`. 延期申请 is three of them:
/// `request_extension` (the lead unit: `deadline`, `reason`, `attachments`; on or before the
/// due date unless configured otherwise, one pending at a time), `approve_extension` (the
/// office: optional `comment`; the deadline moves to the date asked) and `refuse_extension`
/// (the office: `reason`). `answer_order` (`order`, `text`) and `answer_instruction`
/// (`text`) take `attachments` too. A refused rule is 422 naming the field (`due_on`,
/// `extension`, `deadline`, `reason`, `attachments`), another role's action 403.
#[utoipa::path(post, path = "/api/items/{id}/transitions", params(("id" = String, Path)), request_body = CommandRequest,
    responses((status = 200, body = schemas::Outcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn transition(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<CommandRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = item_id(path)?;
    let Json(req) = body?;
    Ok(Json(json!(state.engine.act_as(&p, id, &req).await?)))
}

/// Progress reports of an item.
#[utoipa::path(get, path = "/api/items/{id}/progress", params(("id" = String, Path)),
    responses((status = 200, body = Vec<schemas::Progress>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_progress(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = item_id(path)?;
    state.engine.visible_item(&p, id).await?;
    Ok(Json(json!(state.engine.progress(id).await?)))
}

/// Report progress (the `report` transition).
#[utoipa::path(post, path = "/api/items/{id}/progress", params(("id" = String, Path)), request_body = ReportRequest,
    responses((status = 200, body = schemas::Outcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report_progress(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<ReportRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = item_id(path)?;
    let Json(report) = body?;
    let req = CommandRequest {
        action: "report".into(),
        report: Some(report),
        ..Default::default()
    };
    Ok(Json(json!(state.engine.act_as(&p, id, &req).await?)))
}

/// This month's progress duties of the caller's unit.
#[utoipa::path(get, path = "/api/duties",
    responses((status = 200, body = Vec<schemas::Duty>), (status = 401, body = ErrorBody)))]
async fn duties(State(state): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.engine.duties_for(&p).await?)))
}

/// Traffic-light counts per chain and lead unit over the caller's items.
#[utoipa::path(get, path = "/api/stats",
    responses((status = 200, body = schemas::Stats), (status = 401, body = ErrorBody)))]
async fn stats(State(state): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.engine.stats_for(&p).await?)))
}

/// Overdue and escalated items, delays by unit, audit-chain status (supervision, admin).
#[utoipa::path(get, path = "/api/supervision",
    responses((status = 200, body = schemas::Supervision), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn supervision(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.engine.supervision_for(&p).await?)))
}

/// The caller's ledger as CSV (UTF-8 with BOM, opens in Excel): the columns of the .xlsx
/// ledger in the same order, same filters as the list.
#[utoipa::path(get, path = "/api/export/ledger.csv", params(ItemQuery),
    responses((status = 200, content_type = "text/csv"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn export_ledger(
    State(state): State<AppState>,
    Auth(p): Auth,
    query: Result<Query<ItemQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let filter = item_filter(&state.engine, q).await?;
    let cursor = state.engine.ledger_cursor_for(&p, filter).await?;
    let csv = crate::export::csv(cursor)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ledger.csv\"; filename*=UTF-8''%E5%8F%B0%E8%B4%A6.csv",
            ),
        ],
        csv,
    )
        .into_response())
}

/// The caller's ledger as an Excel workbook, same filters as the list: the 台账 layout that
/// `xiaohao import ledger` reads back as commands on the same items.
#[utoipa::path(get, path = "/api/export/ledger.xlsx", params(ItemQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn export_ledger_xlsx(
    State(state): State<AppState>,
    Auth(p): Auth,
    query: Result<Query<ItemQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    let filter = item_filter(&state.engine, q).await?;
    let cursor = state.engine.ledger_cursor_for(&p, filter).await?;
    let body = crate::export::xlsx(cursor).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''%E5%8F%B0%E8%B4%A6.xlsx",
            ),
        ],
        body,
    )
        .into_response())
}
