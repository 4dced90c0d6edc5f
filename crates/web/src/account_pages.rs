//! Account pages: 我的账号 and 修改密码 for every user, 账号管理 for administrators
//! (list, create with a temporary password, reset, disable, enable), and a unit's calendar
//! feed page (the address shown once when issued, rotatable). Forms that fail are shown
//! again with a fixed Chinese sentence; successes redirect with an `?ok=` code.

use crate::auth::{PageAuth, client_ip, presented_token};
use crate::pages::{PageError, PageResult, me};
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use xiaohao_core::AccountRole;
use xiaohao_engine::{Engine, NewAccount, Principal};
use xiaohao_store::User;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/account", get(account_page))
        .route(
            crate::auth::CHANGE_PASSWORD_PAGE,
            get(password_page).post(password_submit),
        )
        .route("/admin/users", get(users_page).post(users_create))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/reset", post(user_reset))
        .route("/admin/users/{id}/disable", post(user_disable))
        .route("/admin/users/{id}/enable", post(user_enable))
        .route("/units/{id}/feed", get(feed_page).post(feed_rotate))
}

/// A time as people read it: 2026年3月2日 09:00 (Beijing).
fn when(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y年%-m月%-d日 %H:%M")
        .to_string()
}

/// A refused form as one sentence of ours (never the engine's words).
fn form_error(e: &ApiError) -> String {
    match (e.code, e.field.as_deref()) {
        ("weak_password", _) => format!("{}。", e.message),
        ("duplicate", _) => "该用户名已被使用，请另取一个。".into(),
        ("forbidden" | "not_permitted", _) => "无权进行此操作。".into(),
        ("not_found", _) => "未找到该账号。".into(),
        ("too_many_attempts", _) => "尝试次数过多，请稍后再试。".into(),
        (_, Some("old_password")) => "原密码不正确。".into(),
        (_, Some("username")) => "用户名须为 1 至 100 个字符，不含空格和控制字符。".into(),
        (_, Some("display_name")) => "姓名不得超过 200 个字符，不含控制字符。".into(),
        (_, Some("unit")) => "未找到该单位，请从列表中选择。".into(),
        (_, Some("person")) => "未找到该人员。".into(),
        (_, Some("role")) => "请选择账号角色。".into(),
        (_, Some("password")) => "密码不得超过 1024 个字符，不含控制字符。".into(),
        (_, Some("id")) if e.code == "invalid_input" => "不能停用本人的账号。".into(),
        _ if e.status.is_server_error() => e.message.clone(),
        _ => "操作未能完成，请检查填写内容后重试。".into(),
    }
}

/// What went wrong in a form, or a failure that is a page of its own (403, 404, 500).
fn refused(e: impl Into<ApiError>) -> Result<String, PageError> {
    let e = e.into();
    if matches!(
        e.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED
    ) && e.code != "too_many_attempts"
        || e.status.is_server_error()
    {
        return Err(PageError(e));
    }
    Ok(form_error(&e))
}

#[derive(Deserialize, Default)]
struct OkQuery {
    ok: Option<String>,
}

// ---------------------------------------------------------------- my account

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    me: Option<crate::pages::Me>,
    username: String,
    role: &'static str,
    last_login: String,
    feed: Option<String>,
    flash_ok: Option<&'static str>,
}

async fn account_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let engine = &state.engine;
    Ok(AccountPage {
        me: Some(me(engine, &p).await?),
        username: p.user.username.clone(),
        role: p.role().label_zh(),
        last_login: p.user.last_login_at.map_or_else(|| "—".into(), when),
        feed: Some(format!("/units/{}/feed", p.user.unit)),
        flash_ok: (q.ok.as_deref() == Some("password_changed"))
            .then_some("密码已修改。您在其他设备上的登录和接口令牌均已失效。"),
    }
    .into_response())
}

// ---------------------------------------------------------------- change password

#[derive(Template, WebTemplate)]
#[template(path = "account_password.html")]
struct PasswordPage {
    me: Option<crate::pages::Me>,
    forced: bool,
    min_chars: usize,
    error: Option<String>,
}

async fn password_page(State(state): State<AppState>, PageAuth(p): PageAuth) -> PageResult {
    Ok(PasswordPage {
        me: Some(me(&state.engine, &p).await?),
        forced: p.user.must_change_password,
        min_chars: xiaohao_engine::MIN_PASSWORD_CHARS,
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    old_password: Option<String>,
    new_password: Option<String>,
    confirm: Option<String>,
}

async fn password_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    ext: axum::http::Extensions,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    let engine = &state.engine;
    let new = f.new_password.unwrap_or_default();
    let error = if Some(&new) != f.confirm.as_ref() {
        Some("两次输入的新密码不一致。".to_owned())
    } else if state
        .limiter
        .attempt(&p.user.username, client_ip(&ext))
        .is_err()
    {
        Some("尝试次数过多，请稍后再试。".to_owned())
    } else {
        let current = presented_token(&headers).map(|(t, _)| t);
        match engine
            .change_password(
                &p,
                current.as_deref(),
                &f.old_password.unwrap_or_default(),
                &new,
            )
            .await
        {
            Ok(_) => {
                state.limiter.succeeded(&p.user.username);
                return Ok(Redirect::to("/account?ok=password_changed").into_response());
            }
            Err(e) => {
                // Only a wrong old password spends the login budget.
                if !matches!(&e, xiaohao_engine::EngineError::Invalid { field, .. } if field == "old_password")
                {
                    state.limiter.succeeded(&p.user.username);
                }
                Some(refused(e)?)
            }
        }
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        PasswordPage {
            me: Some(me(engine, &p).await?),
            forced: p.user.must_change_password,
            min_chars: xiaohao_engine::MIN_PASSWORD_CHARS,
            error,
        },
    )
        .into_response())
}

// ---------------------------------------------------------------- 账号管理

pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub role: &'static str,
    pub disabled: bool,
    pub must_change: bool,
    pub last_login: String,
}

async fn account_row(engine: &Engine, u: &User) -> Result<AccountRow, PageError> {
    Ok(AccountRow {
        id: u.id.to_string(),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        unit: engine.unit(u.unit).await?.name,
        role: u.role.label_zh(),
        disabled: u.disabled,
        must_change: u.must_change_password,
        last_login: u.last_login_at.map_or_else(|| "从未登录".into(), when),
    })
}

/// The values of the create form, kept when it is shown again (never the password).
#[derive(Deserialize, Default)]
struct CreateForm {
    username: Option<String>,
    display_name: Option<String>,
    unit: Option<String>,
    role: Option<String>,
    password: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
struct UsersPage {
    me: Option<crate::pages::Me>,
    rows: Vec<AccountRow>,
    units: Vec<(String, String)>,
    roles: Vec<(&'static str, &'static str)>,
    f_username: String,
    f_display_name: String,
    f_unit: String,
    f_role: String,
    min_chars: usize,
    flash_ok: Option<&'static str>,
    error: Option<String>,
}

async fn users_view(
    engine: &Engine,
    p: &Principal,
    form: CreateForm,
    flash_ok: Option<&'static str>,
    error: Option<String>,
) -> Result<UsersPage, PageError> {
    let mut rows = Vec::new();
    for u in engine.accounts_as(p).await? {
        rows.push(account_row(engine, &u).await?);
    }
    let mut units: Vec<(String, String)> = engine
        .units()
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(UsersPage {
        me: Some(me(engine, p).await?),
        rows,
        units,
        roles: AccountRole::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_zh()))
            .collect(),
        f_username: form.username.unwrap_or_default(),
        f_display_name: form.display_name.unwrap_or_default(),
        f_unit: form.unit.unwrap_or_default(),
        f_role: form.role.unwrap_or_else(|| "unit".into()),
        min_chars: xiaohao_engine::MIN_PASSWORD_CHARS,
        flash_ok,
        error,
    })
}

async fn users_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let ok = (q.ok.as_deref() == Some("created"))
        .then_some("账号已创建。请将用户名和临时密码告知本人，首次登录时须修改密码。");
    Ok(
        users_view(&state.engine, &p, CreateForm::default(), ok, None)
            .await?
            .into_response(),
    )
}

async fn users_create(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Form(mut f): Form<CreateForm>,
) -> PageResult {
    let engine = &state.engine;
    let password = f.password.take().unwrap_or_default();
    let outcome = match f.role.as_deref().unwrap_or_default().parse::<AccountRole>() {
        Err(_) => Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", "role").field("role"),
        ),
        Ok(role) => engine
            .create_account_as(
                &p,
                NewAccount {
                    username: f.username.as_deref().unwrap_or_default(),
                    display_name: f.display_name.as_deref(),
                    unit: f.unit.as_deref().unwrap_or_default(),
                    role,
                    person: None,
                    password: &password,
                },
                true,
            )
            .await
            .map_err(ApiError::from),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to("/admin/users?ok=created").into_response()),
        Err(e) => {
            let msg = refused(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                users_view(engine, &p, f, None, Some(msg)).await?,
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_user.html")]
struct UserPage {
    me: Option<crate::pages::Me>,
    u: AccountRow,
    is_self: bool,
    min_chars: usize,
    flash_ok: Option<&'static str>,
    error: Option<String>,
}

async fn user_view(
    engine: &Engine,
    p: &Principal,
    raw: &str,
    flash_ok: Option<&'static str>,
    error: Option<String>,
) -> Result<UserPage, PageError> {
    let id = crate::api_accounts::user_id(raw)?;
    let u = engine.account_as(p, id).await?;
    Ok(UserPage {
        me: Some(me(engine, p).await?),
        is_self: u.id == p.user.id,
        u: account_row(engine, &u).await?,
        min_chars: xiaohao_engine::MIN_PASSWORD_CHARS,
        flash_ok,
        error,
    })
}

async fn user_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let ok = match q.ok.as_deref() {
        Some("reset") => {
            Some("密码已重置为临时密码，该账号的登录均已失效；本人下次登录时须修改密码。")
        }
        Some("disabled") => Some("账号已停用，其登录和接口令牌均已失效。"),
        Some("enabled") => Some("账号已启用。"),
        _ => None,
    };
    Ok(user_view(&state.engine, &p, &raw, ok, None)
        .await?
        .into_response())
}

/// After an account action: back to the account's page with a code, or the page again
/// with the refusal.
async fn after(
    engine: &Engine,
    p: &Principal,
    raw: &str,
    outcome: Result<u64, xiaohao_engine::EngineError>,
    ok: &str,
) -> PageResult {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{raw}?ok={ok}")).into_response()),
        Err(e) => {
            let msg = refused(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                user_view(engine, p, raw, None, Some(msg)).await?,
            )
                .into_response())
        }
    }
}

#[derive(Deserialize)]
struct ResetForm {
    password: Option<String>,
}

async fn user_reset(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Form(f): Form<ResetForm>,
) -> PageResult {
    let id = crate::api_accounts::user_id(&raw)?;
    let outcome = state
        .engine
        .reset_password_as(&p, id, &f.password.unwrap_or_default())
        .await;
    after(&state.engine, &p, &raw, outcome, "reset").await
}

async fn user_disable(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = crate::api_accounts::user_id(&raw)?;
    let outcome = state.engine.set_user_disabled_as(&p, id, true).await;
    after(&state.engine, &p, &raw, outcome, "disabled").await
}

async fn user_enable(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = crate::api_accounts::user_id(&raw)?;
    let outcome = state.engine.set_user_disabled_as(&p, id, false).await;
    after(&state.engine, &p, &raw, outcome, "enabled").await
}

// ---------------------------------------------------------------- calendar feed

#[derive(Template, WebTemplate)]
#[template(path = "unit_feed.html")]
struct FeedPage {
    me: Option<crate::pages::Me>,
    unit_id: String,
    unit_name: String,
    issued: Option<String>,
    /// The new address, on the answer to the rotation only.
    url: Option<String>,
}

async fn feed_view(
    engine: &Engine,
    p: &Principal,
    raw: &str,
    url: Option<String>,
) -> Result<FeedPage, PageError> {
    let unit = engine.resolve_unit(raw).await?;
    let issued = engine.feed_issued_at(p, unit.id).await?;
    Ok(FeedPage {
        me: Some(me(engine, p).await?),
        unit_id: unit.id.to_string(),
        unit_name: unit.name,
        issued: issued.map(when),
        url,
    })
}

async fn feed_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    Ok(feed_view(&state.engine, &p, &raw, None)
        .await?
        .into_response())
}

/// Issue a new address and show it in this answer only (no redirect: the token must not
/// travel in a URL of ours or stay in the browser's history).
async fn feed_rotate(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> PageResult {
    let engine = &state.engine;
    let unit = engine.resolve_unit(&raw).await?;
    let token = engine.rotate_feed_token(&p, unit.id).await?;
    let url = crate::api_accounts::feed_url(&headers, unit.id, &token);
    let page = feed_view(engine, &p, &raw, Some(url)).await?;
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response())
}
