//! Who is asking: the one extractor that turns a session cookie or a bearer token into a
//! [`Principal`] (user, domain actor, scope), the CSRF rule for cookie-authenticated
//! writes, and the login rate limiter.

use crate::{ApiError, AppState};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter, nanos::Nanos};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use xiaohao_engine::Clock;
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
        let p = principal(parts, state).await?.ok_or_else(|| {
            ApiError::unauthorized(
                "sign in: send `Authorization: Bearer <token>` (POST /api/auth/login) or a session cookie",
            )
        })?;
        if p.user.must_change_password && !API_WHILE_TEMPORARY.contains(&parts.uri.path()) {
            return Err(ApiError::forbidden(
                "请先修改临时密码 (the password was reset: change it with POST /api/auth/password first)",
            )
            .code("password_change_required"));
        }
        Ok(Auth(p))
    }
}

/// What an account with a temporary password may still reach: the change itself, who
/// am I, and the way out.
const API_WHILE_TEMPORARY: [&str; 3] = ["/api/auth/password", "/api/me", "/api/auth/logout"];
const PAGES_WHILE_TEMPORARY: [&str; 2] = [CHANGE_PASSWORD_PAGE, "/logout"];
pub(crate) const CHANGE_PASSWORD_PAGE: &str = "/account/password";

/// A page's viewer. Not signed in: off to the login page, and back here afterwards.
pub struct PageAuth(pub Principal);

impl FromRequestParts<AppState> for PageAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match principal(parts, state).await {
            Ok(Some(p))
                if p.user.must_change_password
                    && !PAGES_WHILE_TEMPORARY.contains(&parts.uri.path()) =>
            {
                // A temporary password: every page leads to the change form first.
                Err(Redirect::to(CHANGE_PASSWORD_PAGE).into_response())
            }
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

/// The login limiter: a GCRA budget ([`governor`]) per account and per client address.
/// The budget is taken **before** the password is checked, atomically, so concurrent
/// guesses cannot all slip through between a check and a count: of 60 simultaneous
/// attempts on one account, [`LoginLimiter::ACCOUNT_BURST`] reach the password check and
/// the rest get 429. Once a budget is spent, one more attempt is allowed per replenish
/// period (the back-off: 3 minutes per account, 30 seconds per address), so the burst
/// comes back whole after 15 minutes. A successful login restores its account's budget;
/// the address budget counts every attempt, so spraying names from one address stops too.
/// Time is the engine's clock. In memory: one instance's view, which is what a
/// brute-force check needs.
pub struct LoginLimiter {
    clock: LimiterClock,
    /// One direct limiter per account, dropped (budget restored) on success.
    accounts: Mutex<HashMap<String, Arc<DirectLimiter>>>,
    addresses: RateLimiter<IpAddr, DashMapStateStore<IpAddr>, LimiterClock, NoOpMiddleware<Nanos>>,
}

type DirectLimiter = RateLimiter<NotKeyed, InMemoryState, LimiterClock, NoOpMiddleware<Nanos>>;

impl std::fmt::Debug for LoginLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginLimiter").finish_non_exhaustive()
    }
}

/// The engine's clock as governor sees it: nanoseconds since the epoch.
#[derive(Clone)]
struct LimiterClock(Arc<dyn Clock>);

impl governor::clock::Clock for LimiterClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let since = self.0.now() - DateTime::<Utc>::UNIX_EPOCH;
        Nanos::from(u64::try_from(since.num_nanoseconds().unwrap_or(i64::MAX)).unwrap_or(0))
    }
}

impl LoginLimiter {
    /// Attempts per account before the back-off.
    pub const ACCOUNT_BURST: u32 = 5;
    /// After the burst: one attempt per account every this many seconds.
    pub const ACCOUNT_PERIOD_SECS: u64 = 180;
    /// Attempts per client address before the back-off.
    pub const ADDRESS_BURST: u32 = 30;
    /// After the burst: one attempt per address every this many seconds.
    pub const ADDRESS_PERIOD_SECS: u64 = 30;

    pub fn new(clock: Arc<dyn Clock>) -> Self {
        let clock = LimiterClock(clock);
        Self {
            accounts: Mutex::default(),
            addresses: RateLimiter::new(
                quota(Self::ADDRESS_PERIOD_SECS, Self::ADDRESS_BURST),
                DashMapStateStore::default(),
                clock.clone(),
            ),
            clock,
        }
    }

    fn key(username: &str) -> String {
        username.trim().to_lowercase()
    }

    /// Take one attempt from the address's and the account's budgets; `Err(seconds to
    /// wait)` when either is spent. Call before checking the password.
    pub fn attempt(&self, username: &str, ip: IpAddr) -> Result<(), i64> {
        let now = governor::clock::Clock::now(&self.clock);
        let wait = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX).max(1);
        self.addresses
            .check_key(&ip)
            .map_err(|n| wait(n.wait_time_from(now)))?;
        let account = {
            let mut map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > 100_000 {
                // Bound memory under a spray of usernames: forget full budgets.
                map.retain(|_, l| l.check_n(nonzero(Self::ACCOUNT_BURST)) != Ok(Ok(())));
            }
            map.entry(Self::key(username))
                .or_insert_with(|| {
                    Arc::new(RateLimiter::direct_with_clock(
                        quota(Self::ACCOUNT_PERIOD_SECS, Self::ACCOUNT_BURST),
                        self.clock.clone(),
                    ))
                })
                .clone()
        };
        account.check().map_err(|n| wait(n.wait_time_from(now)))
    }

    /// A successful login restores its account's budget.
    pub fn succeeded(&self, username: &str) {
        let mut map = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&Self::key(username));
    }
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn quota(period_secs: u64, burst: u32) -> Quota {
    Quota::with_period(std::time::Duration::from_secs(period_secs))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(nonzero(burst))
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
    fn five_attempts_per_account_then_back_off_thirty_per_address() {
        let clock = Arc::new(xiaohao_engine::ManualClock::new(
            DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000),
        ));
        let l = LoginLimiter::new(clock.clone());
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let other = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        for i in 0..5 {
            assert!(l.attempt("a", ip).is_ok(), "attempt {i}");
        }
        assert!(l.attempt("a", ip).is_err());
        assert!(
            l.attempt("A", other).is_err(),
            "per account, case-insensitive"
        );
        assert!(l.attempt("b", ip).is_ok(), "other accounts go on");
        clock.advance(chrono::Duration::minutes(3));
        assert!(l.attempt("a", ip).is_ok(), "one more after the back-off");
        assert!(l.attempt("a", ip).is_err());
        l.succeeded("a");
        assert!(l.attempt("a", ip).is_ok(), "success restores the budget");
        let spray = IpAddr::V4(Ipv4Addr::new(10, 9, 9, 9));
        let allowed = (0..100)
            .filter(|i| l.attempt(&format!("user{}", i / 5), spray).is_ok())
            .count();
        assert_eq!(allowed, LoginLimiter::ADDRESS_BURST as usize);
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
