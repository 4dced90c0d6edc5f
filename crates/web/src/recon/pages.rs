//! 对账单 pages: the list (a unit's history, an office's disputes and countersignatures),
//! the statement page (lines as cards: 确认 / 有异议, the office's answer, 签署, 会签), a
//! print view, and the office's list of disputes. Success redirects with a fixed message
//! code; a refusal shows the statement again with the reason.

use super::{LineText, local_time};
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
use serde::Deserialize;
use uuid::Uuid;
use xiaohao_core::recon::{DisputeReason, Status};
use xiaohao_core::{AccountRole, UnitId};
use xiaohao_engine::recon::{AnswerRequest, MarkRequest, StatementView};
use xiaohao_engine::{CommandRequest, EngineError, Principal};

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/statements", get(list_page))
        .route("/statements/disputes", get(disputes_page))
        .route("/statements/{id}", get(statement_page))
        .route("/statements/{id}/lines/{seq}", post(mark_submit))
        .route("/statements/{id}/lines/{seq}/answer", post(answer_submit))
        .route("/statements/{id}/sign", post(sign_submit))
        .route("/statements/{id}/countersign", post(countersign_submit))
        .route("/static/recon.css", get(css))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/recon.css"),
    )
}

fn statement_id(raw: &str) -> Result<Uuid, PageError> {
    Ok(super::api::statement_id(raw)?)
}

// ---------------------------------------------------------------- list

pub struct SummaryRow {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub title: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub due_on: String,
    pub lines: u64,
    pub pending: u64,
    pub disputed: u64,
    pub level: String,
}

pub struct DisputeText {
    pub statement_id: String,
    pub unit_name: String,
    pub title: String,
    pub line: LineText,
}

#[derive(Template, WebTemplate)]
#[template(path = "recon_list.html")]
struct ListPage {
    me: Option<Me>,
    heading: String,
    is_office: bool,
    disputes: Vec<DisputeText>,
    to_countersign: Vec<SummaryRow>,
    rows: Vec<SummaryRow>,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    unit: Option<String>,
}

fn summary_rows(state: &AppState, rows: Vec<xiaohao_store::StatementSummary>) -> Vec<SummaryRow> {
    let policy = state.engine.policy();
    rows.into_iter()
        .map(|s| SummaryRow {
            id: s.id.to_string(),
            unit_id: s.unit.to_string(),
            unit_name: s.unit_name,
            title: s.title,
            status: s.status.label_zh(),
            status_code: s.status.as_str(),
            due_on: s.due_on.to_string(),
            lines: s.lines,
            pending: s.pending,
            disputed: s.disputed,
            level: super::level(policy, s.escalation_level),
        })
        .collect()
}

async fn dispute_texts(state: &AppState, p: &Principal) -> Result<Vec<DisputeText>, EngineError> {
    let policy = state.engine.policy();
    Ok(state
        .engine
        .disputes_for(p, 200)
        .await?
        .into_iter()
        .map(|d| DisputeText {
            statement_id: d.statement_id.to_string(),
            unit_name: d.unit_name,
            title: d.title,
            line: LineText::of(policy, &d.line),
        })
        .collect())
}

async fn list_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let unit: Option<UnitId> = q.unit.as_deref().and_then(|u| u.parse().ok());
    let engine = &state.engine;
    let rows = engine.statements_for(&p, unit, None, 300).await?;
    let is_office = matches!(p.role(), AccountRole::Office | AccountRole::Admin);
    let (disputes, to_countersign) = if is_office && unit.is_none() {
        let signed = engine
            .statements_for(&p, None, Some(Status::Signed), 300)
            .await?;
        (
            dispute_texts(&state, &p).await?,
            summary_rows(&state, signed),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let heading = match (unit, rows.first()) {
        (Some(_), Some(r)) => format!("{}对账单历史", r.unit_name),
        _ if p.role() == AccountRole::Unit => "本单位对账单".to_owned(),
        _ => "对账单".to_owned(),
    };
    Ok(ListPage {
        me: Some(me(engine, &p).await?),
        heading,
        is_office,
        disputes,
        to_countersign,
        rows: summary_rows(&state, rows),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "recon_disputes.html")]
struct DisputesPage {
    me: Option<Me>,
    disputes: Vec<DisputeText>,
}

async fn disputes_page(State(state): State<AppState>, PageAuth(p): PageAuth) -> PageResult {
    Ok(DisputesPage {
        me: Some(me(&state.engine, &p).await?),
        disputes: dispute_texts(&state, &p).await?,
    }
    .into_response())
}

// ---------------------------------------------------------------- one statement

pub struct LineCard {
    pub t: LineText,
    pub markable: bool,
    pub answerable: bool,
}

pub struct ReasonOption {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "recon_statement.html")]
struct StatementPage {
    me: Option<Me>,
    print: bool,
    id: String,
    title: String,
    unit_name: String,
    unit_id: String,
    period: String,
    opens_on: String,
    due_on: String,
    status: &'static str,
    status_code: &'static str,
    overdue: String,
    level: String,
    signed: String,
    countersigned: String,
    content_hash: String,
    cards: Vec<LineCard>,
    can_mark: bool,
    can_sign: bool,
    can_countersign: bool,
    open_lines: usize,
    reasons: Vec<ReasonOption>,
    flash_ok: Option<&'static str>,
    flash_error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct StatementQuery {
    ok: Option<String>,
    print: Option<String>,
}

fn ok_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "confirmed" => "已确认该行。",
        "disputed" => "异议已提交，待工作专班办理。",
        "resolved" => "异议已办结，该行显示事项办理后的情况。",
        "rejected" => "已答复不予采纳。",
        "signed" => "对账单已签署，待工作专班会签。",
        "countersigned" => "对账单已会签归档，内容已冻结并登记校验码。",
        _ => return None,
    })
}

fn page_of(
    state: &AppState,
    me: Me,
    v: StatementView,
    print: bool,
    flash_ok: Option<&'static str>,
    flash_error: Option<String>,
) -> StatementPage {
    let policy = state.engine.policy();
    let h = &v.header;
    let cards = v
        .lines
        .iter()
        .map(|l| LineCard {
            markable: v.can_mark
                && matches!(
                    l.verdict,
                    xiaohao_core::recon::Verdict::Pending
                        | xiaohao_core::recon::Verdict::Confirmed
                        | xiaohao_core::recon::Verdict::Disputed
                ),
            answerable: v.answerable.contains(&l.seq),
            t: LineText::of(policy, l),
        })
        .collect();
    StatementPage {
        me: Some(me),
        print,
        id: h.id.to_string(),
        title: h.title.clone(),
        unit_name: h.unit_name.clone(),
        unit_id: h.unit.to_string(),
        period: h.period_key.clone(),
        opens_on: h.opens_on.to_string(),
        due_on: h.due_on.to_string(),
        status: h.status.label_zh(),
        status_code: h.status.as_str(),
        overdue: if v.working_days_late > 0 {
            format!("已逾期 {} 个工作日未签署", v.working_days_late)
        } else {
            String::new()
        },
        level: super::level(policy, v.escalation_level),
        signed: h
            .signed_by
            .as_ref()
            .map(|b| format!("{b}（{}）", local_time(policy, h.signed_at)))
            .unwrap_or_default(),
        countersigned: h
            .countersigned_by
            .as_ref()
            .map(|b| format!("{b}（{}）", local_time(policy, h.countersigned_at)))
            .unwrap_or_default(),
        content_hash: v.content_hash.clone().unwrap_or_default(),
        open_lines: v.lines.iter().filter(|l| !l.verdict.agreed()).count(),
        cards,
        can_mark: v.can_mark,
        can_sign: v.can_sign,
        can_countersign: v.can_countersign,
        reasons: DisputeReason::ALL
            .into_iter()
            .map(|r| ReasonOption {
                code: r.as_str(),
                label: r.label_zh(),
            })
            .collect(),
        flash_ok,
        flash_error,
    }
}

async fn statement_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Query(q): Query<StatementQuery>,
) -> PageResult {
    let id = statement_id(&raw)?;
    let v = state.engine.statement_for(&p, id).await?;
    let me = me(&state.engine, &p).await?;
    let flash = q.ok.as_deref().and_then(ok_text);
    Ok(page_of(&state, me, v, q.print.is_some(), flash, None).into_response())
}

/// After an act: back to the statement with a fixed message, or the statement again with
/// the refusal (a statement out of scope stays a plain 404).
async fn after_act(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    anchor: &str,
    result: Result<&'static str, EngineError>,
) -> PageResult {
    match result {
        Ok(code) => {
            Ok(Redirect::to(&format!("/statements/{id}?ok={code}{anchor}")).into_response())
        }
        Err(e) => {
            let api = ApiError::from(e);
            if api.status == StatusCode::NOT_FOUND || api.status.is_server_error() {
                return Err(PageError(api));
            }
            let v = state.engine.statement_for(p, id).await?;
            let me = me(&state.engine, p).await?;
            let page = page_of(state, me, v, false, None, Some(api.message.clone()));
            Ok((api.status, page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
struct MarkForm {
    verdict: String,
    reason: Option<String>,
    note: Option<String>,
    /// One file name or link a line.
    attachments: Option<String>,
}

async fn mark_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path((raw, seq)): Path<(String, i32)>,
    Form(f): Form<MarkForm>,
) -> PageResult {
    let id = statement_id(&raw)?;
    let req = MarkRequest {
        verdict: f.verdict.clone(),
        reason: f.reason.filter(|r| !r.trim().is_empty()),
        note: f.note,
        attachments: f
            .attachments
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let result = state
        .engine
        .mark_statement_line(&p, id, seq, &req)
        .await
        .map(|l| {
            if l.verdict == xiaohao_core::recon::Verdict::Disputed {
                "disputed"
            } else {
                "confirmed"
            }
        });
    after_act(&state, &p, id, &format!("#line-{seq}"), result).await
}

#[derive(Debug, Deserialize)]
struct AnswerForm {
    action: String,
    note: Option<String>,
    reason: Option<String>,
    /// A command on the item first: reschedule, transfer, … (empty: none).
    command: Option<String>,
    deadline: Option<String>,
    to: Option<String>,
    command_reason: Option<String>,
}

fn blank(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

async fn answer_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path((raw, seq)): Path<(String, i32)>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    let id = statement_id(&raw)?;
    let command = blank(f.command).map(|action| CommandRequest {
        action,
        reason: blank(f.command_reason.clone()).or_else(|| blank(f.note.clone())),
        deadline: blank(f.deadline),
        to: blank(f.to),
        comment: blank(f.note.clone()),
        ..Default::default()
    });
    let req = AnswerRequest {
        action: f.action.clone(),
        note: blank(f.note),
        reason: blank(f.reason),
        command,
    };
    let result = state
        .engine
        .answer_dispute(&p, id, seq, &req)
        .await
        .map(|l| {
            if l.verdict == xiaohao_core::recon::Verdict::Rejected {
                "rejected"
            } else {
                "resolved"
            }
        });
    after_act(&state, &p, id, &format!("#line-{seq}"), result).await
}

async fn sign_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = statement_id(&raw)?;
    let result = state.engine.sign_statement(&p, id).await.map(|()| "signed");
    after_act(&state, &p, id, "", result).await
}

async fn countersign_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = statement_id(&raw)?;
    let result = state
        .engine
        .countersign_statement(&p, id)
        .await
        .map(|_| "countersigned");
    after_act(&state, &p, id, "", result).await
}
