//! The accounts API: every user changes their own password; administrators list, create,
//! reset, disable and enable accounts and revoke their tokens; members of a unit read the
//! state of its calendar feed and rotate its token (shown once).

use crate::api::{ErrorBody, UserBody, user_body};
use crate::auth::{Auth, client_ip, presented_token, too_many};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiaohao_core::AccountRole;
use xiaohao_engine::{EngineError, NewAccount};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(list_users, create_user))
        .routes(routes!(revoke_user))
        .routes(routes!(reset_password))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(feed_state, rotate_feed))
}

pub(crate) fn user_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("`{raw}` is not a user id"),
        )
        .field("id")
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeBody {
    pub old_password: String,
    /// At least 10 characters, not a common password, not the username, not the old one.
    pub new_password: String,
}

/// Change your own password (the old one required). Every other session and API token of
/// the account is revoked; the one making the request stays valid. Wrong old passwords
/// count against the login limiter.
#[utoipa::path(post, path = "/api/auth/password", request_body = PasswordChangeBody,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    Auth(p): Auth,
    ext: axum::http::Extensions,
    headers: HeaderMap,
    body: Result<Json<PasswordChangeBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(b) = body?;
    state
        .limiter
        .attempt(&p.user.username, client_ip(&ext))
        .map_err(too_many)?;
    let current = presented_token(&headers).map(|(t, _)| t);
    let revoked = state
        .engine
        .change_password(&p, current.as_deref(), &b.old_password, &b.new_password)
        .await
        .map_err(|e| {
            let mut api = ApiError::from(e);
            // The old password was right unless it is the field at fault: only wrong old
            // passwords spend the budget.
            if api.field.as_deref() != Some("old_password") {
                state.limiter.succeeded(&p.user.username);
            }
            // Name the field as the body spells it.
            if api.code == "weak_password" {
                api.field = Some("new_password".into());
            }
            api
        })?;
    state.limiter.succeeded(&p.user.username);
    Ok(Json(json!({ "revoked": revoked })))
}

/// All accounts (admin), with whether each is disabled, must change its password, and
/// when it last signed in.
#[utoipa::path(get, path = "/api/users", responses((status = 200, body = Vec<UserBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_users(
    State(state): State<AppState>,
    Auth(p): Auth,
) -> Result<Json<Vec<UserBody>>, ApiError> {
    let mut out = Vec::new();
    for u in state.engine.accounts_as(&p).await? {
        out.push(user_body(&state.engine, &u).await?);
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub username: String,
    pub display_name: Option<String>,
    /// Unit id, name or alias.
    pub unit: String,
    /// admin, office, unit, leader, supervision
    pub role: String,
    /// Person id or name (leaders: the chains they lead).
    pub person: Option<String>,
    /// At least 10 characters, not a common password, not the username.
    pub password: String,
    /// The password is temporary and must be changed at the first login (default true).
    pub must_change_password: Option<bool>,
}

/// Create an account (admin). Its password is temporary unless `must_change_password` is
/// false.
#[utoipa::path(post, path = "/api/users", request_body = NewUserBody,
    responses((status = 201, body = UserBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    Auth(p): Auth,
    body: Result<Json<NewUserBody>, JsonRejection>,
) -> Result<(StatusCode, Json<UserBody>), ApiError> {
    if p.role() != AccountRole::Admin {
        // Refused before the body is read, so the answer does not depend on it.
        return Err(EngineError::Forbidden("只有系统管理员可以管理账号".into()).into());
    }
    let Json(b) = body?;
    let role: AccountRole = b.role.parse().map_err(|e: String| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", e).field("role")
    })?;
    let user = state
        .engine
        .create_account_as(
            &p,
            NewAccount {
                username: &b.username,
                display_name: b.display_name.as_deref(),
                unit: &b.unit,
                role,
                person: b.person.as_deref(),
                password: &b.password,
            },
            b.must_change_password.unwrap_or(true),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(user_body(&state.engine, &user).await?),
    ))
}

/// Revoke every session and token of an account (admin).
#[utoipa::path(post, path = "/api/users/{id}/revoke", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_user(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path?;
    let revoked = state.engine.revoke_user(&p, user_id(&raw)?).await?;
    Ok(Json(json!({ "revoked": revoked })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// The temporary password (the password rule applies); the user must change it at the
    /// next login.
    pub password: String,
}

/// Reset an account's password to a temporary one (admin): its sessions and tokens are
/// revoked and it must change the password at the next login.
#[utoipa::path(post, path = "/api/users/{id}/password", params(("id" = String, Path)), request_body = ResetBody,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reset_password(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<ResetBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path?;
    if p.role() != AccountRole::Admin {
        return Err(EngineError::Forbidden("只有系统管理员可以管理账号".into()).into());
    }
    let Json(b) = body?;
    let revoked = state
        .engine
        .reset_password_as(&p, user_id(&raw)?, &b.password)
        .await?;
    Ok(Json(json!({ "revoked": revoked })))
}

/// Disable an account (admin): its sessions and tokens are revoked at once and it cannot
/// sign in until enabled.
#[utoipa::path(post, path = "/api/users/{id}/disable", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn disable_user(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path?;
    let revoked = state
        .engine
        .set_user_disabled_as(&p, user_id(&raw)?, true)
        .await?;
    Ok(Json(json!({ "disabled": true, "revoked": revoked })))
}

/// Enable a disabled account (admin).
#[utoipa::path(post, path = "/api/users/{id}/enable", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn enable_user(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path?;
    state
        .engine
        .set_user_disabled_as(&p, user_id(&raw)?, false)
        .await?;
    Ok(Json(json!({ "disabled": false })))
}

/// Whether the unit has a calendar feed and since when (members of the unit, admin). The
/// address itself is shown only when it is issued (POST).
#[utoipa::path(get, path = "/api/units/{id}/feed", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn feed_state(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path?;
    let unit = state.engine.resolve_unit(&raw).await?;
    let issued = state.engine.feed_issued_at(&p, unit.id).await?;
    Ok(Json(
        json!({ "unit": unit.id, "active": issued.is_some(), "issued_at": issued }),
    ))
}

/// Issue a new calendar feed address for the unit (members of the unit, admin); the old
/// address stops working. The address is in this answer only: it is stored as a hash.
#[utoipa::path(post, path = "/api/units/{id}/feed", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn rotate_feed(
    State(state): State<AppState>,
    Auth(p): Auth,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(raw) = path?;
    let unit = state.engine.resolve_unit(&raw).await?;
    let token = state.engine.rotate_feed_token(&p, unit.id).await?;
    Ok(Json(json!({ "url": feed_url(&headers, unit.id, &token) })))
}

pub(crate) fn feed_url(headers: &HeaderMap, unit: xiaohao_core::UnitId, token: &str) -> String {
    format!(
        "{}/units/{unit}/deadlines.ics?token={token}",
        crate::base_url(headers)
    )
}
