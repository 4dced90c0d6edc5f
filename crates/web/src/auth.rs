//! Who is asking: the one extractor that turns a session cookie or a bearer token into a
//! [`Principal`] (user, domain actor, scope), the CSRF rule for cookie-authenticated
//! writes, and the login rate limiter.

use crate::{ApiError, AppState};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use xiaohao_engine::Principal;
use xiaohao_store::TokenKind;

pub const SESSION_COOKIE: &str = "xh_session";

/// A token as presented: the secret and how it came.
pub(crate) fn presented_token(headers: &HeaderMap) -> Option<(String, TokenKind)> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ")
    {
        return Some((t.trim().to_owned(), TokenKind::Api));
    }
    cookie(headers, SESSION_COOKIE).map(|c| (c, TokenKind::Session))
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The session cookie; `Secure` when the client reached us over HTTPS (directly or through
/// a proxy that says so), so it is never sent back in the clear.
pub(crate) fn session_cookie(secret: &str, max_age_secs: i64, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={secret}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}"
    )
}

/// A cookie-authenticated write must come from our own pages: the browser's `Origin` (or,
/// failing that, `Referer`) must name this host. SameSite=Lax already keeps the cookie off
/// cross-site POSTs; this is the second lock. Bearer tokens are not sent by browsers on
/// their own, so they need no check.
pub(crate) fn check_same_origin(method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    let same = source.is_some_and(|s| {
        let rest = s
            .strip_prefix("http://")
            .or_else(|| s.strip_prefix("https://"))
            .unwrap_or("");
        let authority = rest.split('/').next().unwrap_or("");
        !host.is_empty() && authority.eq_ignore_ascii_case(host)
    });
    if same {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "this form must be sent from Xiaohao's own pages (Origin/Referer check failed)",
        ))
    }
}

/// Resolve the caller; `Ok(None)` when no live token was presented.
async fn principal(parts: &Parts, state: &AppState) -> Result<Option<Principal>, ApiError> {
    let Some((secret, how)) = presented_token(&parts.headers) else {
        return Ok(None);
    };
    let Some(p) = state.engine.authenticate(&secret).await? else {
        return Ok(None);
    };
    // A session secret sent as a bearer token (or the reverse) still authenticates; the
    // CSRF check follows how it arrived, because that is what a browser can forge.
    if how == TokenKind::Session {
        check_same_origin(&parts.method, &parts.headers)?;
    }
    Ok(Some(p))
}

/// The API's caller. No or a dead token: 401.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        principal(parts, state).await?.map(Auth).ok_or_else(|| {
            ApiError::unauthorized(
                "sign in: send `Authorization: Bearer <token>` (POST /api/auth/login) or a session cookie",
            )
        })
    }
}

/// A page's viewer. Not signed in: off to the login page, and back here afterwards.
pub struct PageAuth(pub Principal);

impl FromRequestParts<AppState> for PageAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match principal(parts, state).await {
            Ok(Some(p)) => Ok(PageAuth(p)),
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/", |pq| pq.as_str())
                    .to_owned();
                let target = format!("/login?next={}", url_encode(&next));
                Err(Redirect::to(&target).into_response())
            }
            Err(e) => Err(crate::pages::error_page(e)),
        }
    }
}

/// The client address (the socket peer; put a trusted proxy's header handling here).
pub(crate) fn client_ip(parts_ext: &axum::http::Extensions) -> IpAddr {
    parts_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Only same-origin relative paths are valid targets after login (no open redirect):
/// a single leading `/`, no `//` anywhere, no backslash, no control character (browsers
/// drop tabs and newlines, so `/\t/evil.example` would become `//evil.example`). Anything
/// else goes to `/`.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.contains("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && n.len() <= 2048 =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// At most [`LoginLimiter::MAX_FAILURES`] failed logins per username and client address
/// within [`LoginLimiter::WINDOW_MINUTES`]; then 429 until the oldest failure ages out.
/// In memory: one instance's view, which is what a brute-force check needs.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<LimitKey, VecDeque<DateTime<Utc>>>>,
}

/// Lower-cased username and client address.
type LimitKey = (String, IpAddr);

impl LoginLimiter {
    pub const MAX_FAILURES: usize = 5;
    pub const WINDOW_MINUTES: i64 = 15;

    fn key(username: &str, ip: IpAddr) -> LimitKey {
        (username.trim().to_lowercase(), ip)
    }

    /// `Err(seconds to wait)` when the key is locked out.
    pub fn check(&self, username: &str, ip: IpAddr, now: DateTime<Utc>) -> Result<(), i64> {
        let window = Duration::minutes(Self::WINDOW_MINUTES);
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let Some(q) = map.get_mut(&Self::key(username, ip)) else {
            return Ok(());
        };
        while q.front().is_some_and(|t| *t + window <= now) {
            q.pop_front();
        }
        if q.len() >= Self::MAX_FAILURES {
            let oldest = q.front().copied().unwrap_or(now);
            Err((oldest + window - now).num_seconds().max(1))
        } else {
            Ok(())
        }
    }

    pub fn failed(&self, username: &str, ip: IpAddr, now: DateTime<Utc>) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            // Bound memory under a spray of usernames: forget windows that have passed.
            let window = Duration::minutes(Self::WINDOW_MINUTES);
            map.retain(|_, q| q.back().is_some_and(|t| *t + window > now));
        }
        map.entry(Self::key(username, ip))
            .or_default()
            .push_back(now);
    }

    pub fn succeeded(&self, username: &str, ip: IpAddr) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&Self::key(username, ip));
    }
}

pub(crate) fn too_many(retry_after: i64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("登录失败次数过多,请 {retry_after} 秒后再试 (too many failed logins)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_pair_for_fifteen_minutes() {
        let l = LoginLimiter::default();
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let other = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let t0 = DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000);
        for i in 0..5 {
            assert!(l.check("a", ip, t0).is_ok(), "attempt {i}");
            l.failed("a", ip, t0);
        }
        assert!(l.check("a", ip, t0).is_err());
        assert!(l.check("A", ip, t0).is_err(), "case-insensitive");
        assert!(l.check("a", other, t0).is_ok(), "per address");
        assert!(l.check("b", ip, t0).is_ok(), "per username");
        assert!(l.check("a", ip, t0 + Duration::minutes(15)).is_ok());
    }

    #[test]
    fn origin_rule() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(check_same_origin(&Method::GET, &h).is_ok());
        assert!(check_same_origin(&Method::POST, &h).is_err());
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(check_same_origin(&Method::POST, &h).is_err());
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(check_same_origin(&Method::POST, &h).is_ok());
        h.remove(header::ORIGIN);
        h.insert(
            header::REFERER,
            "http://127.0.0.1:8080/items/x".parse().unwrap(),
        );
        assert!(check_same_origin(&Method::POST, &h).is_ok());
    }

    #[test]
    fn session_cookie_is_http_only_lax_and_secure_over_https() {
        let c = session_cookie("s3cret", 60, false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(session_cookie("s3cret", 60, true).ends_with("; Secure"));
    }

    #[test]
    fn next_stays_local() {
        assert_eq!(safe_next(Some("/items/1")), "/items/1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\nx")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/a//evil.example")), "/");
    }
}
