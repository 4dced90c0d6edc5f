//! One item: its facts, clocks, timeline, progress and the forms its reader may use.
//! The office's forms (编辑, 转办, 调整时限, 交办) and the new-item form are in [`forms`].

mod extension;
mod files;
mod forms;
mod instruction;

pub(super) use files::item_act_files;
pub(crate) use files::{
    FileLink, hint as file_hint, link as file_link, readable as readable_files,
};

pub(super) use forms::{edit_submit, new_item_page, new_item_submit};

use super::{
    Flash, Me, Names, PageError, PageResult, Row, blank_none, local_time, me, parse_percent,
};
use crate::api::parse_item_id;
use crate::auth::PageAuth;
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use extension::ExtensionView;
use forms::OfficeForms;
use instruction::InstructionView;
use serde::Deserialize;
use xiaohao_core::event::EventKind;
use xiaohao_core::payload::Payload;
use xiaohao_core::{AccountRole, Action, Light, permitted_actions};
use xiaohao_engine::{CommandRequest, ReportRequest};

pub struct EventRow {
    /// The event's place in the chain: the anchor `#e<seq>` 考核 lines link to.
    pub seq: i64,
    pub at: String,
    pub label: String,
    pub actor: String,
    pub detail: String,
    /// A 批示: it stands out in the timeline.
    pub strong: bool,
    /// The 督办单 the event issued, answered or escalated: linked from the timeline.
    pub order: Option<uuid::Uuid>,
    /// The stored files the event references, linked when the reader may open them.
    pub files: Vec<files::FileLink>,
}

/// A 督办单 of the item, listed above its timeline.
pub struct ItemOrderView {
    pub id: uuid::Uuid,
    pub number: String,
    pub reply_due: String,
    pub answered: bool,
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
    /// What the file inputs take, e.g. （PDF、JPEG…，单个不超过 20 MB）.
    file_hint: String,
    simple: Vec<(&'static str, &'static str)>,
    with_reason: Vec<(&'static str, &'static str)>,
    events: Vec<EventRow>,
    chain_ok: bool,
    progress: Vec<ProgressView>,
    by_unit: Vec<UnitProgressView>,
    /// 交办, 编辑, 转办, 调整时限 — each `None` unless the reader may use it.
    office: OfficeForms,
    /// 延期申请: the lead unit's form, the pending request, the office's answer.
    extension: ExtensionView,
    /// 批示: the open one, the leader's (or office's) form, the lead unit's 回复.
    instruction: InstructionView,
    /// 督办单 issued on the item.
    orders: Vec<ItemOrderView>,
}

fn event_label(kind: &EventKind) -> String {
    match kind {
        EventKind::Create => "立项（待交办）".into(),
        EventKind::DutyEscalated => "报送督办".into(),
        EventKind::Action(a) => a.label_zh().to_owned(),
    }
}

pub(super) async fn item_page(
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
    let item_orders = engine.orders_of_item(item.id).await?;
    let readable = files::readable(engine, &p, id).await?;
    let events = view
        .detail
        .events
        .iter()
        .map(|e| {
            let details = e.details().ok();
            let order = match &details {
                Some(Payload::OrderAnswered(a)) => Some(a.order),
                Some(Payload::DutyEscalated(d)) if d.subject.is_some() => Some(d.duty),
                Some(Payload::Escalated(_)) => item_orders
                    .iter()
                    .find(|(o, _)| o.issued_at == e.at)
                    .map(|(o, _)| o.id),
                _ => None,
            };
            EventRow {
                seq: e.seq,
                at: local_time(e.at),
                label: event_label(&e.kind),
                actor: e.actor_name.clone(),
                detail: details
                    .as_ref()
                    .map(|p| p.summary_zh_without_files())
                    .unwrap_or_default(),
                strong: instruction::stands_out(&e.kind),
                order,
                files: details
                    .as_ref()
                    .map(|p| files::links(p, &readable))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let orders = item_orders
        .iter()
        .map(|(o, n)| ItemOrderView {
            id: o.id,
            number: n.clone().unwrap_or_else(|| "未编号".into()),
            reply_due: o
                .reply_due
                .map(super::zh_date)
                .unwrap_or_else(|| "—".into()),
            answered: o.answered_at.is_some(),
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
    let office = OfficeForms::load(engine, &names, item, &actions).await?;
    let instruction = InstructionView::of(item, &view.detail.events, &actions, p.role());
    let extension = ExtensionView::of(
        engine.policy(),
        item,
        &view.detail.events,
        &actions,
        engine.now(),
        &readable,
    );
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
        flash_error: flash.error_text(),
        can_any: !actions.is_empty(),
        can_report: has(Action::Report),
        can_request_closure: has(Action::RequestClosure),
        can_verify: has(Action::Verify),
        can_reject: has(Action::Reject),
        can_escalate,
        file_hint: files::hint(engine),
        simple,
        with_reason,
        events,
        chain_ok,
        progress,
        by_unit,
        office,
        extension,
        instruction,
        orders,
    };
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub(super) struct ActForm {
    action: String,
    version: Option<i64>,
    reason: Option<String>,
    evidence: Option<String>,
    comment: Option<String>,
    period: Option<String>,
    text: Option<String>,
    percent: Option<String>,
    /// 转办: the new lead unit.
    to: Option<String>,
    /// 交办: the lead unit.
    lead_unit: Option<String>,
    /// 交办, 调整时限, 申请延期: `YYYY-MM-DD`.
    deadline: Option<String>,
    /// 批示 by an office: the leader it writes for.
    by: Option<String>,
    /// 督办回复: the 督办单 answered.
    order: Option<String>,
}

/// Every item form posts here; the result comes back as a flash on the item page.
pub(super) async fn item_act(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Form(f): Form<ActForm>,
) -> PageResult {
    let id = parse_item_id(&raw)?;
    act(&state, &p, id, f, Vec::new()).await
}

/// Execute a form's action (with the ids of files already uploaded for it) and send the
/// reader back to the item page with the outcome.
async fn act(
    state: &AppState,
    p: &xiaohao_engine::Principal,
    id: xiaohao_core::ItemId,
    f: ActForm,
    attachments: Vec<String>,
) -> PageResult {
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
            to: blank_none(f.to.clone()),
            lead_unit: blank_none(f.lead_unit.clone()),
            deadline: blank_none(f.deadline.clone()),
            attachments,
            // The form's text is the report's for `report`, the 批示's or 回复's otherwise.
            text: blank_none(f.text.clone()).filter(|_| action != "report"),
            by: blank_none(f.by.clone()),
            order: blank_none(f.order.clone()),
            report,
        };
        state.engine.act_as(p, id, &req).await
    }
    .await;
    let target = match result {
        Ok(out) => format!("/items/{id}?ok={}", out.event.kind),
        Err(e) => {
            let api = ApiError::from(e);
            if api.status == StatusCode::NOT_FOUND {
                return Err(PageError(api));
            }
            format!("/items/{id}?{}", crate::flash::error_query(&api))
        }
    };
    Ok(Redirect::to(&target).into_response())
}
