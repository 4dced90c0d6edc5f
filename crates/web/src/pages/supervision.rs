//! The 督查室 page: overdue items, delays by unit, escalations, the audit chain.

use super::{Me, Names, PageResult, Row, me};
use crate::AppState;
use crate::auth::PageAuth;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;

#[derive(Template, WebTemplate)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    me: Option<Me>,
    today: String,
    overdue: Vec<Row>,
    overdue_total: u64,
    escalated: Vec<Row>,
    escalated_total: u64,
    delays: Vec<xiaohao_engine::DelayRow>,
    audit_ok: bool,
    audit_items: u64,
    audit_events: u64,
}

pub(super) async fn supervision_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
) -> PageResult {
    let engine = &state.engine;
    let s = engine.supervision_for(&p).await?;
    let names = Names::load(engine).await?;
    Ok(SupervisionPage {
        me: Some(me(engine, &p).await?),
        today: super::zh_date(s.today),
        overdue: s.overdue.iter().map(|i| names.row(i, engine)).collect(),
        overdue_total: s.overdue_total,
        escalated: s.escalated.iter().map(|i| names.row(i, engine)).collect(),
        escalated_total: s.escalated_total,
        delays: s.delays,
        audit_ok: s.audit.ok,
        audit_items: s.audit.items_checked,
        audit_events: s.audit.events_checked,
    }
    .into_response())
}
