//! Sign in and out with a session cookie.

use super::{Me, error_page};
use crate::AppState;
use crate::auth::{
    SESSION_COOKIE, check_same_origin, client_ip, presented_token, safe_next, session_cookie,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xiaohao_engine::EngineError;
use xiaohao_store::TokenKind;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    me: Option<Me>,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

pub(super) async fn login_page(Query(q): Query<NextQuery>) -> impl IntoResponse {
    LoginPage {
        me: None,
        next: safe_next(q.next.as_deref()),
        error: None,
    }
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub(super) async fn login_submit(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let fail = |status: StatusCode, msg: String| {
        (
            status,
            LoginPage {
                me: None,
                next: next.clone(),
                error: Some(msg),
            },
        )
            .into_response()
    };
    // Login CSRF: a foreign site must not sign a browser into an account of its choosing.
    if headers.contains_key(header::ORIGIN)
        && let Err(e) = check_same_origin(&Method::POST, &headers)
    {
        return fail(StatusCode::FORBIDDEN, e.message);
    }
    let ip = client_ip(&ext);
    if let Err(e) = xiaohao_core::validate::check(xiaohao_core::validate::USERNAME, &f.username)
        .and_then(|()| xiaohao_core::validate::check(xiaohao_core::validate::PASSWORD, &f.password))
    {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
    }
    if let Err(wait) = state.limiter.attempt(&f.username, ip) {
        return fail(
            StatusCode::TOO_MANY_REQUESTS,
            format!("登录失败次数过多,请 {} 分钟后再试。", (wait + 59) / 60),
        );
    }
    match state
        .engine
        .login(&f.username, &f.password, TokenKind::Session)
        .await
    {
        Ok((_, secret)) => {
            state.limiter.succeeded(&f.username);
            let max_age = xiaohao_engine::SESSION_DAYS * 24 * 3600;
            (
                [(
                    header::SET_COOKIE,
                    session_cookie(
                        &secret,
                        max_age,
                        crate::base_url(&headers).starts_with("https:"),
                    ),
                )],
                Redirect::to(&next),
            )
                .into_response()
        }
        Err(EngineError::Unauthorized(_)) => {
            state.metrics.login_failed();
            fail(StatusCode::UNAUTHORIZED, "用户名或密码错误。".into())
        }
        Err(EngineError::Forbidden(_)) => fail(
            StatusCode::FORBIDDEN,
            xiaohao_engine::ACCOUNT_DISABLED.into(),
        ),
        Err(e) => error_page(e.into()),
    }
}

/// Logout ends the caller's own session on the server whatever the headers: it can only
/// remove the session it presents, so a forged logout harms nobody.
pub(super) async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some((secret, _)) = presented_token(&headers)
        && let Err(e) = state.engine.logout(&secret).await
    {
        return error_page(e.into());
    }
    (
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}
