//! zh-CN pages, rendered on the server with askama. Each handler asks the engine for the
//! same views the API serves and shapes them into rows of display strings. One module per
//! page family; this one holds what they share (the signed-in user, error pages, rows).

mod dashboard;
mod home;
mod item;
mod ledger;
mod login;
mod progress;
mod supervision;

pub(crate) use item::{FileLink, file_hint, file_link, readable_files};

use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use xiaohao_core::{AccountRole, Action, Item};
use xiaohao_engine::{Engine, EngineError, Principal};

/// The forms that carry files: outside the general body limit (see [`crate::attachments`]).
pub fn upload_routes() -> axum::Router<AppState> {
    axum::Router::new().route("/items/{id}/act-files", post(item::item_act_files))
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(home::home))
        .route("/overview", get(dashboard::dashboard))
        .route("/mail/{id}/retry", post(home::retry_mail))
        .route("/login", get(login::login_page).post(login::login_submit))
        .route("/logout", post(login::logout))
        .route("/ledger", get(ledger::ledger))
        .route("/ledger/assign", post(ledger::assign_selected))
        .route(
            "/items/new",
            get(item::new_item_page).post(item::new_item_submit),
        )
        .route("/items/{id}/edit", post(item::edit_submit))
        .route("/static/workbench.css", get(workbench_css))
        .route("/items/{id}", get(item::item_page))
        .route("/items/{id}/act", post(item::item_act))
        .route(
            "/progress",
            get(progress::progress_page).post(progress::progress_submit),
        )
        .route("/supervision", get(supervision::supervision_page))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

async fn workbench_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/workbench.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.js"),
    )
}

/// The signed-in user as the header shows them.
pub struct Me {
    pub display_name: String,
    pub unit_name: String,
    pub role_label: &'static str,
    pub can_report: bool,
    pub is_supervision: bool,
    /// Only administrators see the link to the API documentation.
    pub is_admin: bool,
    /// Offices and administrators keep the unit directory.
    pub keeps_units: bool,
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
        is_admin: p.role() == AccountRole::Admin,
        keeps_units: p.is_office_or_admin(),
        calendar_notice: if p.is_office_or_admin() {
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
    let (title, message) = match e.status {
        StatusCode::NOT_FOUND => (
            "未找到该事项或无权查看",
            "您访问的页面或事项不存在,或不在本单位的查看范围内。".to_owned(),
        ),
        StatusCode::FORBIDDEN => (
            "无权进行此操作",
            "该页面或操作不在您的账号权限范围内,如需办理请联系工作专班办公室。".to_owned(),
        ),
        StatusCode::UNAUTHORIZED => ("请先登录", "登录已失效,请重新登录。".to_owned()),
        StatusCode::TOO_MANY_REQUESTS => ("操作过于频繁", e.message.clone()),
        s if s.is_client_error() => ("请求有误", e.message.clone()),
        _ => (
            "服务暂时不可用",
            "请稍后再试;如多次出现,请联系管理员。".to_owned(),
        ),
    };
    let page = ErrorPage {
        me: None,
        title: title.into(),
        message,
    };
    (e.status, page).into_response()
}

/// Any path no route answers: the API keeps its JSON, a person gets a Chinese page.
pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    let e = ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {}", uri.path()),
    );
    if uri.path().starts_with("/api/") {
        return e.into_response();
    }
    let page = ErrorPage {
        me: None,
        title: "页面不存在".into(),
        message: "您访问的页面不存在,请从工作台进入。".into(),
    };
    (StatusCode::NOT_FOUND, page).into_response()
}

/// Turn engine failures into error pages.
pub(crate) struct PageError(pub(crate) ApiError);

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

pub(crate) type PageResult = Result<Response, PageError>;

/// A date as people read it: 2026年12月7日. Every page writes dates through this.
pub(crate) fn zh_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// An instant in Beijing time: 2026年12月7日 09:30.
fn local_time(t: DateTime<Utc>) -> String {
    let local = t + chrono::Duration::hours(8);
    format!("{} {}", zh_date(local.date_naive()), local.format("%H:%M"))
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

    /// (id, name) of every unit, by name, for filter menus.
    fn sorted(&self) -> Vec<(String, String)> {
        let mut units: Vec<(String, String)> = self
            .units
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect();
        units.sort_by(|a, b| a.1.cmp(&b.1));
        units
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
                .map(zh_date)
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

/// The banner after a form: `ok` is a code from a fixed set, shown as the page's own text
/// (never the query's text); `n` is a count some codes carry.
#[derive(Deserialize, Default)]
struct Flash {
    ok: Option<String>,
    n: Option<u32>,
    error: Option<String>,
    field: Option<String>,
}

impl Flash {
    /// The item page: `?ok=<action>` → "已<action>。当前状态：<state>".
    fn item_text(&self, state: xiaohao_core::ItemState) -> Option<String> {
        if self.ok.as_deref() == Some("filed") {
            return Some(format!("已立项。当前状态：{}", state.label_zh()));
        }
        let action: Action = self.ok.as_deref()?.parse().ok()?;
        if action == Action::Instruct {
            return Some("已发出领导批示，已通知牵头单位和责任单位。".to_owned());
        }
        if action == Action::AnswerInstruction {
            return Some("已回复领导批示。".to_owned());
        }
        if action == Action::AnswerOrder {
            return Some("已报送督办回复，督办单已办结。".to_owned());
        }
        if action == Action::RefuseExtension {
            return Some(format!(
                "已答复延期申请：不同意延期，完成时限不变。当前状态：{}",
                state.label_zh()
            ));
        }
        Some(format!(
            "已{}。当前状态：{}",
            action.label_zh(),
            state.label_zh()
        ))
    }

    /// `?error=<code>[&field=<field>]` → the code's fixed sentence ([`crate::flash`]).
    fn error_text(&self) -> Option<String> {
        crate::flash::error_text(self.error.as_deref()?, self.field.as_deref())
    }

    /// The progress page: `?ok=reported&n=3` → "已提交 3 条进展".
    fn progress_text(&self) -> Option<String> {
        (self.ok.as_deref() == Some("reported"))
            .then(|| format!("已提交 {} 条进展", self.n.unwrap_or(0)))
    }
}

fn blank_none(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

fn parse_percent(raw: Option<String>) -> Result<Option<i32>, EngineError> {
    match blank_none(raw) {
        None => Ok(None),
        Some(s) => s.trim().parse::<i32>().map(Some).map_err(|_| {
            EngineError::invalid("percent", format!("完成比例须为整数,`{s}` 无法识别"))
        }),
    }
}
