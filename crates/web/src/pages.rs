//! zh-CN pages, rendered on the server with askama. Each handler asks the engine for the
//! same views the API serves and shapes them into rows of display strings.

use crate::api::{ItemQuery, item_filter, parse_item_id};
use crate::auth::{
    PageAuth, SESSION_COOKIE, check_same_origin, client_ip, presented_token, safe_next,
    session_cookie,
};
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use xiaohao_core::event::EventKind;
use xiaohao_core::{AccountRole, Action, Item, ItemState, Light, permitted_actions};
use xiaohao_engine::{CommandRequest, Engine, EngineError, Principal, ReportRequest};
use xiaohao_store::TokenKind;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(dashboard))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/ledger", get(ledger))
        .route("/items/{id}", get(item_page))
        .route("/items/{id}/act", post(item_act))
        .route("/progress", get(progress_page).post(progress_submit))
        .route("/supervision", get(supervision_page))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.js"),
    )
}

/// The signed-in user as the header shows them.
pub struct Me {
    pub display_name: String,
    pub unit_name: String,
    pub role_label: &'static str,
    pub can_report: bool,
    pub is_supervision: bool,
    /// For offices and admins: a working-day calendar year is missing.
    pub calendar_notice: Option<String>,
}

pub(crate) async fn me(engine: &Engine, p: &Principal) -> Result<Me, EngineError> {
    let unit = engine.unit(p.user.unit).await?;
    Ok(Me {
        display_name: p.user.display_name.clone(),
        unit_name: unit.name,
        role_label: p.role().label_zh(),
        can_report: matches!(p.role(), AccountRole::Unit | AccountRole::Office),
        is_supervision: matches!(p.role(), AccountRole::Supervision | AccountRole::Admin),
        calendar_notice: if matches!(p.role(), AccountRole::Office | AccountRole::Admin) {
            xiaohao_engine::missing_years_notice(engine.policy(), engine.today())
        } else {
            None
        },
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    me: Option<Me>,
    title: String,
    message: String,
}

/// A failure as a page (the API renders the same [`ApiError`] as JSON).
pub(crate) fn error_page(e: ApiError) -> Response {
    let title = match e.status {
        StatusCode::NOT_FOUND => "未找到该事项或无权查看",
        StatusCode::FORBIDDEN => "无权进行此操作",
        StatusCode::UNAUTHORIZED => "请先登录",
        StatusCode::TOO_MANY_REQUESTS => "操作过于频繁",
        s if s.is_client_error() => "请求有误",
        _ => "系统错误",
    };
    let page = ErrorPage {
        me: None,
        title: title.into(),
        message: e.message.clone(),
    };
    (e.status, page).into_response()
}

/// Turn engine failures into error pages.
struct PageError(ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(self.0)
    }
}

type PageResult = Result<Response, PageError>;

fn local_time(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// One item as a table row of display strings.
pub struct Row {
    pub id: String,
    pub number: String,
    pub title: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub state_label: &'static str,
    pub light: &'static str,
    pub light_label: &'static str,
    pub deadline: String,
    pub lead: String,
    pub co: String,
    pub percent: String,
    pub level: i32,
    /// Working days late (the policy's one figure).
    pub days_late: i64,
    /// The delay rests on a year without a working-day calendar.
    pub assumed: bool,
}

struct Names {
    units: HashMap<xiaohao_core::UnitId, String>,
}

impl Names {
    async fn load(engine: &Engine) -> Result<Self, EngineError> {
        Ok(Self {
            units: engine
                .units()
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect(),
        })
    }

    fn unit(&self, u: &xiaohao_core::UnitId) -> String {
        self.units.get(u).cloned().unwrap_or_default()
    }

    fn row(&self, it: &Item, engine: &Engine) -> Row {
        let light = engine.light_of(it);
        let lateness = engine.lateness(it);
        Row {
            id: it.id.to_string(),
            number: it.number.clone().unwrap_or_default(),
            title: it.title.clone(),
            kind: it.kind.label_zh(),
            state: it.state.as_str(),
            state_label: it.state.label_zh(),
            light: light.as_str(),
            light_label: light.label_zh(),
            deadline: it
                .deadline
                .map(|d| d.to_string())
                .or_else(|| it.deadline_text.clone())
                .unwrap_or_else(|| "—".into()),
            lead: it
                .lead_unit
                .as_ref()
                .map(|u| self.unit(u))
                .unwrap_or_default(),
            co: if it.co_units.is_empty() {
                "—".into()
            } else {
                it.co_units
                    .iter()
                    .map(|u| self.unit(u))
                    .collect::<Vec<_>>()
                    .join("、")
            },
            percent: it
                .progress_percent
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "—".into()),
            level: it.escalation_level,
            days_late: lateness.working_days,
            assumed: lateness.assumed,
        }
    }
}

// ---------------------------------------------------------------- login / logout

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    me: Option<Me>,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(Query(q): Query<NextQuery>) -> impl IntoResponse {
    LoginPage {
        me: None,
        next: safe_next(q.next.as_deref()),
        error: None,
    }
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login_submit(
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
        Err(e) => error_page(e.into()),
    }
}

/// Logout ends the caller's own session on the server whatever the headers: it can only
/// remove the session it presents, so a forged logout harms nobody.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
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

// ---------------------------------------------------------------- dashboard

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    me: Option<Me>,
    today: String,
    all: xiaohao_engine::LightCounts,
    chains: Vec<xiaohao_engine::StatsRow>,
    units: Vec<xiaohao_engine::StatsRow>,
    feed_url: Option<String>,
    /// The yellow rule in words, from the policy.
    yellow_rule: String,
}

async fn dashboard(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    headers: HeaderMap,
) -> PageResult {
    let engine = &state.engine;
    let stats = engine.stats_for(&p).await?;
    let feed_url = if matches!(p.role(), AccountRole::Unit | AccountRole::Office) {
        let token = engine.feed_token(p.user.unit).await?;
        Some(format!(
            "{}/units/{}/deadlines.ics?token={token}",
            crate::base_url(&headers),
            p.user.unit
        ))
    } else {
        None
    };
    Ok(DashboardPage {
        me: Some(me(engine, &p).await?),
        today: stats.today.to_string(),
        all: stats.all,
        chains: stats.by_chain,
        units: stats.by_unit,
        feed_url,
        yellow_rule: format!(
            "{}个工作日内到期或进度落后序时进度{}个百分点以上",
            engine.policy().lights.yellow_within_working_days,
            engine.policy().lights.lag_percent
        ),
    }
    .into_response())
}

// ---------------------------------------------------------------- ledger

#[derive(Template, WebTemplate)]
#[template(path = "ledger.html")]
struct LedgerPage {
    me: Option<Me>,
    total: u64,
    rows: Vec<Row>,
    states: Vec<(String, String)>,
    lights: Vec<(String, String)>,
    chains: Vec<(String, String)>,
    units: Vec<(String, String)>,
    f_state: String,
    f_light: String,
    f_chain: String,
    f_unit: String,
    f_q: String,
    f_overdue: bool,
    query: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
struct LedgerQuery {
    state: Option<String>,
    light: Option<String>,
    chain: Option<String>,
    unit: Option<String>,
    q: Option<String>,
    overdue: Option<String>,
    offset: Option<u64>,
}

fn encode_query(q: &LedgerQuery) -> String {
    let mut parts = Vec::new();
    let mut push = |k: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", crate::auth::url_encode(v)));
        }
    };
    push("state", &q.state);
    push("light", &q.light);
    push("chain", &q.chain);
    push("unit", &q.unit);
    push("q", &q.q);
    push("overdue", &q.overdue);
    parts.join("&")
}

const PAGE: u64 = 50;

async fn ledger(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    query: Result<Query<LedgerQuery>, QueryRejection>,
) -> PageResult {
    let Query(q) = query?;
    let engine = &state.engine;
    let offset = q.offset.unwrap_or(0);
    let filter = item_filter(
        engine,
        ItemQuery {
            state: q.state.clone(),
            unit: q.unit.clone(),
            chain: q.chain.clone(),
            light: q.light.clone(),
            overdue: Some(q.overdue.as_deref() == Some("true")),
            q: q.q.clone(),
            limit: Some(PAGE),
            offset: Some(offset),
        },
    )
    .await?;
    let page = engine.list_for(&p, filter).await?;
    let names = Names::load(engine).await?;
    let base = encode_query(&q);
    let with_offset = |o: u64| {
        if base.is_empty() {
            format!("offset={o}")
        } else {
            format!("{base}&offset={o}")
        }
    };
    let mut units: Vec<(String, String)> = names
        .units
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(LedgerPage {
        me: Some(me(engine, &p).await?),
        total: page.total,
        rows: page.items.iter().map(|i| names.row(i, engine)).collect(),
        states: ItemState::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label_zh().to_owned()))
            .collect(),
        lights: Light::ALL
            .iter()
            .map(|l| (l.as_str().to_owned(), l.label_zh().to_owned()))
            .collect(),
        chains: engine
            .chains()
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
        units,
        f_state: q.state.clone().unwrap_or_default(),
        f_light: q.light.clone().unwrap_or_default(),
        f_chain: q.chain.clone().unwrap_or_default(),
        f_unit: q.unit.clone().unwrap_or_default(),
        f_q: q.q.clone().unwrap_or_default(),
        f_overdue: q.overdue.as_deref() == Some("true"),
        prev: (offset > 0).then(|| with_offset(offset.saturating_sub(PAGE))),
        next: (offset.saturating_add(PAGE) < page.total).then(|| with_offset(offset + PAGE)),
        query: base,
    }
    .into_response())
}

// ---------------------------------------------------------------- item

pub struct EventRow {
    pub at: String,
    pub label: String,
    pub actor: String,
    pub detail: String,
}

pub struct ProgressView {
    pub period: String,
    pub text: String,
    pub percent: String,
    pub at: String,
    /// The reporting unit, marked （牵头） for the lead.
    pub unit: String,
}

/// One reporting unit's latest figures on an item page.
pub struct UnitProgressView {
    pub unit: String,
    pub lead: bool,
    pub percent: String,
    pub period: String,
    pub at: String,
}

fn unit_label(name: Option<&str>, lead: bool) -> String {
    let name = name.unwrap_or("—");
    if lead {
        format!("{name}(牵头)")
    } else {
        name.to_owned()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "item.html")]
struct ItemPage {
    me: Option<Me>,
    r: Row,
    text: String,
    chain: String,
    days_left: String,
    days_in_state: i64,
    version: i64,
    period: String,
    flash_ok: Option<String>,
    flash_error: Option<String>,
    can_any: bool,
    can_report: bool,
    can_request_closure: bool,
    can_verify: bool,
    can_reject: bool,
    can_escalate: bool,
    simple: Vec<(&'static str, &'static str)>,
    with_reason: Vec<(&'static str, &'static str)>,
    events: Vec<EventRow>,
    chain_ok: bool,
    progress: Vec<ProgressView>,
    by_unit: Vec<UnitProgressView>,
}

/// The banner after a form: `ok` is a code from a fixed set, shown as the page's own text
/// (never the query's text); `n` is a count some codes carry.
#[derive(Deserialize, Default)]
struct Flash {
    ok: Option<String>,
    n: Option<u32>,
    error: Option<String>,
}

impl Flash {
    /// The item page: `?ok=<action>` → "已<action>。当前状态：<state>".
    fn item_text(&self, state: xiaohao_core::ItemState) -> Option<String> {
        let action: Action = self.ok.as_deref()?.parse().ok()?;
        Some(format!(
            "已{}。当前状态：{}",
            action.label_zh(),
            state.label_zh()
        ))
    }

    /// The progress page: `?ok=reported&n=3` → "已提交 3 条进展".
    fn progress_text(&self) -> Option<String> {
        (self.ok.as_deref() == Some("reported"))
            .then(|| format!("已提交 {} 条进展", self.n.unwrap_or(0)))
    }
}

fn event_label(kind: &EventKind) -> String {
    match kind {
        EventKind::Create => "立项（待交办）".into(),
        EventKind::DutyEscalated => "报送督办".into(),
        EventKind::Action(a) => a.label_zh().to_owned(),
    }
}

fn event_detail(payload: &str) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(payload)
    else {
        return String::new();
    };
    let mut out = Vec::new();
    for (k, label) in [
        ("reason", "理由"),
        ("evidence", "佐证"),
        ("comment", "意见"),
        ("period", "报告期"),
        ("percent", "比例"),
        ("step", "督办"),
        ("level", "级别"),
    ] {
        match map.get(k) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => out.push(format!("{label}:{s}")),
            Some(serde_json::Value::Number(n)) => out.push(format!("{label}:{n}")),
            _ => {}
        }
    }
    out.join(";")
}

async fn item_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Query(flash): Query<Flash>,
) -> PageResult {
    let engine = &state.engine;
    let id = parse_item_id(&raw)?;
    let view = engine.view_for(&p, id).await?;
    let item = &view.detail.item;
    let names = Names::load(engine).await?;
    let today = engine.today();
    let actions = permitted_actions(item, &p.actor);
    let has = |a: Action| actions.contains(&a);
    let simple: Vec<(&'static str, &'static str)> = [Action::Accept, Action::Start, Action::Resume]
        .into_iter()
        .filter(|a| has(*a))
        .map(|a| (a.as_str(), a.label_zh()))
        .collect();
    let with_reason: Vec<(&'static str, &'static str)> = [
        Action::Return,
        Action::Suspend,
        Action::Reopen,
        Action::Cancel,
    ]
    .into_iter()
    .filter(|a| has(*a))
    .map(|a| (a.as_str(), a.label_zh()))
    .collect();
    let can_escalate =
        has(Action::Escalate) && matches!(p.role(), AccountRole::Supervision | AccountRole::Admin);
    let chain = match item.chain_id {
        Some(c) => engine
            .chains()
            .await?
            .into_iter()
            .find(|ch| ch.id == c)
            .map(|ch| ch.name)
            .unwrap_or_default(),
        None => "—".into(),
    };
    let events = view
        .detail
        .events
        .iter()
        .map(|e| EventRow {
            at: local_time(e.at),
            label: event_label(&e.kind),
            actor: e.actor_name.clone(),
            detail: event_detail(&e.payload),
        })
        .collect();
    let chain_ok = xiaohao_core::event::verify_chain(&view.detail.events).is_ok();
    let progress = view
        .detail
        .progress
        .iter()
        .rev()
        .map(|r| ProgressView {
            period: r.report.period.clone(),
            text: r.report.text.clone(),
            percent: r
                .report
                .percent
                .map(|p| format!("{p}%"))
                .unwrap_or_default(),
            at: local_time(r.reported_at),
            unit: unit_label(
                r.unit_name.as_deref(),
                r.unit.is_some() && r.unit == item.lead_unit,
            ),
        })
        .collect();
    let by_unit = view
        .detail
        .progress_by_unit
        .iter()
        .map(|u| UnitProgressView {
            unit: u.unit_name.clone().unwrap_or_else(|| "—".into()),
            lead: u.lead,
            percent: u
                .latest
                .report
                .percent
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "未填".into()),
            period: u.latest.report.period.clone(),
            at: local_time(u.latest.reported_at),
        })
        .collect();
    let assumed = if view.clocks.assumed {
        "（按周一至周五估算）"
    } else {
        ""
    };
    let days_left = match view.clocks.working_days_left {
        None => "未定时限".to_owned(),
        Some(_) if matches!(view.clocks.light, Light::Grey | Light::Blue) => {
            "已结束，不再计时".to_owned()
        }
        Some(_) if view.clocks.light == Light::Red => {
            format!("逾期 {} 个工作日{assumed}", view.clocks.working_days_late)
        }
        Some(d) => format!("剩余 {d} 个工作日{assumed}"),
    };
    let page = ItemPage {
        me: Some(me(engine, &p).await?),
        r: names.row(item, engine),
        text: item.text.clone(),
        chain,
        days_left,
        days_in_state: view.clocks.days_in_state,
        version: item.version,
        period: xiaohao_engine::month_period(today),
        flash_ok: flash.item_text(item.state),
        flash_error: flash.error,
        can_any: !actions.is_empty(),
        can_report: has(Action::Report),
        can_request_closure: has(Action::RequestClosure),
        can_verify: has(Action::Verify),
        can_reject: has(Action::Reject),
        can_escalate,
        simple,
        with_reason,
        events,
        chain_ok,
        progress,
        by_unit,
    };
    Ok(page.into_response())
}

#[derive(Deserialize)]
struct ActForm {
    action: String,
    version: Option<i64>,
    reason: Option<String>,
    evidence: Option<String>,
    comment: Option<String>,
    period: Option<String>,
    text: Option<String>,
    percent: Option<String>,
}

fn blank_none(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

fn parse_percent(raw: Option<String>) -> Result<Option<i32>, EngineError> {
    match blank_none(raw) {
        None => Ok(None),
        Some(s) => s
            .trim()
            .parse::<i32>()
            .map(Some)
            .map_err(|_| EngineError::invalid("percent", format!("`{s}` is not a number"))),
    }
}

/// Every item form posts here; the result comes back as a flash on the item page.
async fn item_act(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Form(f): Form<ActForm>,
) -> PageResult {
    let id = parse_item_id(&raw)?;
    let action = f.action.clone();
    let result = async {
        let report = if action == "report" {
            Some(ReportRequest {
                period: f.period.clone().unwrap_or_default(),
                text: f.text.clone().unwrap_or_default(),
                percent: parse_percent(f.percent.clone())?,
                ..Default::default()
            })
        } else {
            None
        };
        let req = CommandRequest {
            action: f.action.clone(),
            version: f.version,
            reason: blank_none(f.reason.clone()),
            evidence: blank_none(f.evidence.clone()),
            comment: blank_none(f.comment.clone()),
            report,
            ..Default::default()
        };
        state.engine.act_as(&p, id, &req).await
    }
    .await;
    let target = match result {
        Ok(out) => format!("/items/{id}?ok={}", out.event.kind),
        Err(e) => {
            let api = ApiError::from(e);
            if api.status == StatusCode::NOT_FOUND {
                return Err(PageError(api));
            }
            format!(
                "/items/{id}?error={}",
                crate::auth::url_encode(&api.message)
            )
        }
    };
    Ok(Redirect::to(&target).into_response())
}

// ---------------------------------------------------------------- monthly progress

pub struct DutyRow {
    pub id: String,
    pub title: String,
    pub state_label: &'static str,
    pub light: &'static str,
    pub deadline: String,
    pub reported: bool,
    pub can_report: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "progress.html")]
struct ProgressPage {
    me: Option<Me>,
    period: String,
    unit_name: String,
    duties: Vec<DutyRow>,
    flash_ok: Option<String>,
    flash_error: Option<String>,
}

async fn progress_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Query(flash): Query<Flash>,
) -> PageResult {
    let engine = &state.engine;
    let duties = engine.duties_for(&p).await?;
    let me = me(engine, &p).await?;
    Ok(ProgressPage {
        period: xiaohao_engine::month_period(engine.today()),
        unit_name: me.unit_name.clone(),
        me: Some(me),
        duties: duties
            .into_iter()
            .map(|d| DutyRow {
                id: d.item.id.to_string(),
                title: d.item.title.clone(),
                state_label: d.item.state.label_zh(),
                light: d.light.as_str(),
                deadline: d
                    .item
                    .deadline
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "—".into()),
                reported: d.reported,
                can_report: d.can_report,
            })
            .collect(),
        flash_ok: flash.progress_text(),
        flash_error: flash.error,
    }
    .into_response())
}

/// One form, many reports: each non-empty row goes through the normal command path on
/// its own, so one refusal does not lose the others.
async fn progress_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    let engine = &state.engine;
    let period = form
        .get("period")
        .cloned()
        .unwrap_or_else(|| xiaohao_engine::month_period(engine.today()));
    let mut ok = 0;
    let mut failed = Vec::new();
    let mut keys: Vec<&String> = form.keys().filter(|k| k.starts_with("text_")).collect();
    keys.sort();
    for key in keys {
        let text = form.get(key).map(|t| t.trim()).unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        let raw_id = key.trim_start_matches("text_");
        let outcome = async {
            let id: xiaohao_core::ItemId = raw_id
                .parse()
                .map_err(|_| EngineError::invalid("id", format!("`{raw_id}` is not an item id")))?;
            let percent = parse_percent(form.get(&format!("percent_{raw_id}")).cloned())?;
            let req = CommandRequest {
                action: "report".into(),
                report: Some(ReportRequest {
                    period: period.clone(),
                    text: text.to_owned(),
                    percent,
                    ..Default::default()
                }),
                ..Default::default()
            };
            engine.act_as(&p, id, &req).await
        }
        .await;
        match outcome {
            Ok(_) => ok += 1,
            Err(e) => failed.push(ApiError::from(e).message),
        }
    }
    let mut target = format!("/progress?ok=reported&n={ok}");
    if !failed.is_empty() {
        target.push_str(&format!(
            "&error={}",
            crate::auth::url_encode(&failed.join(";"))
        ));
    }
    Ok(Redirect::to(&target).into_response())
}

// ---------------------------------------------------------------- supervision

#[derive(Template, WebTemplate)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    me: Option<Me>,
    today: String,
    overdue: Vec<Row>,
    escalated: Vec<Row>,
    delays: Vec<xiaohao_engine::DelayRow>,
    audit_ok: bool,
    audit_items: u64,
    audit_events: u64,
    audit_broken: String,
}

async fn supervision_page(State(state): State<AppState>, PageAuth(p): PageAuth) -> PageResult {
    let engine = &state.engine;
    let s = engine.supervision_for(&p).await?;
    let names = Names::load(engine).await?;
    Ok(SupervisionPage {
        me: Some(me(engine, &p).await?),
        today: s.today.to_string(),
        overdue: s.overdue.iter().map(|i| names.row(i, engine)).collect(),
        escalated: s.escalated.iter().map(|i| names.row(i, engine)).collect(),
        delays: s.delays,
        audit_ok: s.audit.ok,
        audit_items: s.audit.items_checked,
        audit_events: s.audit.events_checked,
        audit_broken: s.audit.broken.unwrap_or_default(),
    }
    .into_response())
}
