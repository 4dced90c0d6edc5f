//! 通报 pages: the list with the form that drafts a quarter's or a year's bulletin, the
//! bulletin page (the document as an A4 sheet, the edit form while a draft, 印发 with a
//! confirmation), the print view, and the .docx and .xlsx downloads. Success redirects
//! with a fixed message code; a refusal shows the page again with the reason.

use super::{docx, figures};
use crate::auth::PageAuth;
use crate::pages::{Me, PageError, PageResult, me};
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::Datelike;
use serde::Deserialize;
use uuid::Uuid;
use xiaohao_core::bulletin::{Block, Document, Status, may_draft, text};
use xiaohao_engine::bulletin::{BulletinView, EditRequest};
use xiaohao_engine::report::Period;
use xiaohao_engine::{EngineError, Principal};

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/bulletins", get(list_page).post(draft_submit))
        .route("/bulletins/{id}", get(bulletin_page))
        .route("/bulletins/{id}/edit", post(edit_submit))
        .route("/bulletins/{id}/issue", post(issue_submit))
        .route("/bulletins/{id}/print", get(print_page))
        .route("/bulletins/{id}/document.docx", get(docx_download))
        .route("/bulletins/{id}/figures.xlsx", get(xlsx_download))
        .route("/static/bulletin.css", get(css))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/bulletin.css"),
    )
}

fn bulletin_id(raw: &str) -> Result<Uuid, PageError> {
    raw.parse().map_err(|_| {
        PageError(ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such bulletin").field("id"))
    })
}

// ---------------------------------------------------------------- the document as HTML

/// A block of the body for the template: its class and text.
pub struct BlockText {
    pub class: &'static str,
    pub text: String,
}

/// The document in display strings (the page's sheet and the print view).
pub struct Sheet {
    pub issuer: String,
    pub doc_number: String,
    pub title: String,
    pub recipients: String,
    pub body: Vec<BlockText>,
    pub signature: String,
    pub date: String,
    pub contact: String,
}

impl Sheet {
    fn of(d: &Document) -> Sheet {
        Sheet {
            issuer: d.issuer.clone(),
            doc_number: d
                .doc_number
                .clone()
                .unwrap_or_else(|| "（草稿，印发时编号）".into()),
            title: d.title.clone(),
            recipients: d.recipients.clone(),
            body: d
                .body
                .iter()
                .map(|b| match b {
                    Block::Heading(t) => BlockText {
                        class: "h1",
                        text: t.clone(),
                    },
                    Block::SubHeading(t) => BlockText {
                        class: "h2",
                        text: t.clone(),
                    },
                    Block::Para(t) => BlockText {
                        class: "p",
                        text: t.clone(),
                    },
                })
                .collect(),
            signature: d.signature.clone(),
            date: d
                .date
                .map(text::date)
                .unwrap_or_else(|| "（印发日期）".into()),
            contact: d.contact.clone().unwrap_or_default(),
        }
    }
}

// ---------------------------------------------------------------- list and draft

pub struct SummaryRow {
    pub id: String,
    pub title: String,
    pub office: String,
    pub period: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub doc_number: String,
    pub date: String,
}

pub struct PeriodOption {
    pub value: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bulletin_list.html")]
struct ListPage {
    me: Option<Me>,
    can_draft: bool,
    quarters: Vec<PeriodOption>,
    years: Vec<PeriodOption>,
    rows: Vec<SummaryRow>,
    flash_error: Option<String>,
}

/// The last eight quarters and three years, newest first (the running one included).
fn period_options(today: chrono::NaiveDate) -> (Vec<PeriodOption>, Vec<PeriodOption>) {
    let mut quarters = Vec::new();
    let (mut y, mut q) = (today.year(), today.month0() / 3 + 1);
    for _ in 0..8 {
        let label = format!("{y}Q{q}");
        if let Ok(p) = Period::quarter(&label) {
            quarters.push(PeriodOption {
                value: label,
                label: p.title_zh(),
            });
        }
        if q == 1 {
            (y, q) = (y - 1, 4);
        } else {
            q -= 1;
        }
    }
    let years = (0..3)
        .map(|i| today.year() - i)
        .map(|y| PeriodOption {
            value: y.to_string(),
            label: format!("{y}年度"),
        })
        .collect();
    (quarters, years)
}

async fn list_of(state: &AppState, p: &Principal, error: Option<ApiError>) -> PageResult {
    let engine = &state.engine;
    let rows = engine
        .bulletins_for(p, 200)
        .await?
        .into_iter()
        .map(|s| SummaryRow {
            id: s.id.to_string(),
            title: s.title,
            office: s.office_name,
            period: match Period::quarter(&s.period_label) {
                Ok(q) => q.title_zh(),
                Err(_) => format!("{}年度", s.period_label),
            },
            status: s.status.label_zh(),
            status_code: s.status.as_str(),
            doc_number: s.doc_number.unwrap_or_else(|| "—".into()),
            date: s
                .issued_on
                .map(text::date)
                .unwrap_or_else(|| crate::pages::zh_date(engine.policy().local_date(s.created_at))),
        })
        .collect();
    let (quarters, years) = period_options(engine.today());
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status);
    Ok((
        status,
        ListPage {
            me: Some(me(engine, p).await?),
            can_draft: may_draft(p.role()),
            quarters,
            years,
            rows,
            flash_error: error.map(|e| e.message),
        },
    )
        .into_response())
}

async fn list_page(State(state): State<AppState>, PageAuth(p): PageAuth) -> PageResult {
    list_of(&state, &p, None).await
}

#[derive(Debug, Deserialize)]
struct DraftForm {
    /// `quarter` or `year`.
    kind: String,
    quarter: Option<String>,
    year: Option<String>,
}

async fn draft_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Form(f): Form<DraftForm>,
) -> PageResult {
    let period = match f.kind.as_str() {
        "year" => f
            .year
            .as_deref()
            .unwrap_or("")
            .trim()
            .parse::<i32>()
            .map_err(|_| EngineError::invalid("year", "请选择年度"))
            .and_then(Period::year),
        _ => Period::quarter(f.quarter.as_deref().unwrap_or("")),
    };
    let result = match period {
        Ok(period) => state.engine.draft_bulletin(&p, &period).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => {
            Ok(Redirect::to(&format!("/bulletins/{}?ok=drafted", v.stored.id)).into_response())
        }
        Err(e) => {
            let api = ApiError::from(e);
            if api.status.is_client_error() && api.status != StatusCode::FORBIDDEN {
                list_of(&state, &p, Some(api)).await
            } else {
                Err(PageError(api))
            }
        }
    }
}

// ---------------------------------------------------------------- one bulletin

#[derive(Template, WebTemplate)]
#[template(path = "bulletin_page.html")]
struct BulletinPage {
    me: Option<Me>,
    id: String,
    version: i64,
    status: &'static str,
    status_code: &'static str,
    is_draft: bool,
    can_edit: bool,
    sheet: Sheet,
    period: String,
    as_of: String,
    created: String,
    issued: String,
    content_hash: String,
    title: String,
    recipients: String,
    requirements: String,
    contact: String,
    doc_prefix: String,
    next_number: String,
    flash_ok: Option<&'static str>,
    flash_error: Option<String>,
}

fn ok_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "drafted" => "通报草稿已生成。请核对数据，修改标题、主送和下一步工作要求后印发。",
        "saved" => "修改已保存。",
        "issued" => "通报已印发：文号已编定，内容已冻结并登记校验码。",
        _ => return None,
    })
}

fn local_time(state: &AppState, t: chrono::DateTime<chrono::Utc>) -> String {
    let policy = state.engine.policy();
    format!(
        "{} {}",
        crate::pages::zh_date(policy.local_date(t)),
        policy.local(t).format("%H:%M")
    )
}

fn page_of(
    state: &AppState,
    me: Me,
    v: BulletinView,
    flash_ok: Option<&'static str>,
    flash_error: Option<String>,
    form: Option<&EditRequest>,
) -> BulletinPage {
    let s = &v.stored;
    let e = &s.edits;
    let today = state.engine.today();
    BulletinPage {
        me: Some(me),
        id: s.id.to_string(),
        version: s.version,
        status: s.status.label_zh(),
        status_code: s.status.as_str(),
        is_draft: s.status == Status::Draft,
        can_edit: v.can_edit,
        sheet: Sheet::of(&v.document),
        period: s.facts.period_title.clone(),
        as_of: text::date(s.facts.as_of),
        created: format!("{}（{}）", s.created_by, local_time(state, s.created_at)),
        issued: match (&s.issued_by, s.issued_at) {
            (Some(by), Some(at)) => format!("{by}（{}）", local_time(state, at)),
            _ => String::new(),
        },
        content_hash: s.content_hash.clone().unwrap_or_default(),
        title: form.map_or_else(|| e.title.clone(), |f| f.title.clone()),
        recipients: form.map_or_else(|| e.recipients.clone(), |f| f.recipients.clone()),
        requirements: form.map_or_else(|| e.requirements.clone(), |f| f.requirements.clone()),
        contact: form.map_or_else(|| e.contact.clone(), |f| f.contact.clone()),
        doc_prefix: form.map_or_else(|| e.doc_prefix.clone(), |f| f.doc_prefix.clone()),
        next_number: text::doc_number(&e.doc_prefix, today.year(), 0).replace("0号", "□号"),
        flash_ok,
        flash_error,
    }
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    ok: Option<String>,
}

async fn bulletin_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let id = bulletin_id(&raw)?;
    let v = state.engine.bulletin_for(&p, id).await?;
    let me = me(&state.engine, &p).await?;
    let flash = q.ok.as_deref().and_then(ok_text);
    Ok(page_of(&state, me, v, flash, None, None).into_response())
}

/// After an act: back to the page with a fixed message, or the page again with the
/// refusal and what was typed (a bulletin out of scope stays a plain 404).
async fn after_act(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    result: Result<&'static str, EngineError>,
    form: Option<&EditRequest>,
) -> PageResult {
    match result {
        Ok(code) => Ok(Redirect::to(&format!("/bulletins/{id}?ok={code}")).into_response()),
        Err(e) => {
            let api = ApiError::from(e);
            if api.status == StatusCode::NOT_FOUND || api.status.is_server_error() {
                return Err(PageError(api));
            }
            let v = state.engine.bulletin_for(p, id).await?;
            let me = me(&state.engine, p).await?;
            let page = page_of(state, me, v, None, Some(api.message.clone()), form);
            Ok((api.status, page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
struct EditForm {
    title: String,
    recipients: String,
    requirements: String,
    #[serde(default)]
    contact: String,
    doc_prefix: String,
    version: Option<i64>,
}

async fn edit_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Form(f): Form<EditForm>,
) -> PageResult {
    let id = bulletin_id(&raw)?;
    let req = EditRequest {
        title: f.title,
        recipients: f.recipients,
        requirements: f.requirements,
        contact: f.contact,
        doc_prefix: f.doc_prefix,
        version: f.version,
    };
    let result = state
        .engine
        .edit_bulletin(&p, id, &req)
        .await
        .map(|_| "saved");
    after_act(&state, &p, id, result, Some(&req)).await
}

#[derive(Debug, Deserialize)]
struct IssueForm {
    version: Option<i64>,
}

async fn issue_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Form(f): Form<IssueForm>,
) -> PageResult {
    let id = bulletin_id(&raw)?;
    let result = state
        .engine
        .issue_bulletin(&p, id, f.version)
        .await
        .map(|_| "issued");
    after_act(&state, &p, id, result, None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "bulletin_print.html")]
struct PrintPage {
    title: String,
    sheet: Sheet,
}

async fn print_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = bulletin_id(&raw)?;
    let v = state.engine.bulletin_for(&p, id).await?;
    Ok(PrintPage {
        title: v.document.title.clone(),
        sheet: Sheet::of(&v.document),
    }
    .into_response())
}

/// `attachment; filename*=UTF-8''…` for a Chinese file name.
fn attachment(name: &str) -> String {
    format!(
        "attachment; filename=\"bulletin\"; filename*=UTF-8''{}",
        crate::auth::url_encode(name)
    )
}

fn file_name(v: &BulletinView, ext: &str) -> String {
    let stem = v
        .document
        .doc_number
        .clone()
        .map(|n| format!("{n}{}", v.document.title))
        .unwrap_or_else(|| format!("{}（草稿）", v.document.title));
    format!("{stem}.{ext}")
}

async fn docx_download(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = bulletin_id(&raw)?;
    let v = state.engine.bulletin_for(&p, id).await?;
    let bytes = docx::render(&v.document).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                attachment(&file_name(&v, "docx")),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn xlsx_download(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = bulletin_id(&raw)?;
    let v = state.engine.bulletin_for(&p, id).await?;
    let sheet = state.engine.bulletin_figures(&p, id).await?;
    let bytes =
        figures::xlsx(&sheet, &v.stored.facts.level_names).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                attachment(&format!("{}数据表.xlsx", v.stored.facts.period_title)),
            ),
        ],
        bytes,
    )
        .into_response())
}
