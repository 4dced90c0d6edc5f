//! The monthly progress form: one row per duty, one submit.

use super::{Flash, Me, PageResult, me, parse_percent};
use crate::AppState;
use crate::auth::PageAuth;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use std::collections::HashMap;
use xiaohao_engine::{CommandRequest, EngineError, ReportRequest};

pub struct DutyRow {
    pub id: String,
    pub title: String,
    pub state_label: &'static str,
    pub light: &'static str,
    pub light_label: &'static str,
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

pub(super) async fn progress_page(
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
                light_label: d.light.label_zh(),
                deadline: d
                    .item
                    .deadline
                    .map(super::zh_date)
                    .unwrap_or_else(|| "—".into()),
                reported: d.reported,
                can_report: d.can_report,
            })
            .collect(),
        flash_ok: flash.progress_text(),
        flash_error: flash.error_text(),
    }
    .into_response())
}

/// One form, many reports: each non-empty row goes through the normal command path on
/// its own, so one refusal does not lose the others.
pub(super) async fn progress_submit(
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
    let mut failed = 0;
    let mut keys: Vec<&String> = form.keys().filter(|k| k.starts_with("text_")).collect();
    keys.sort();
    for key in keys {
        let text = form.get(key).map(|t| t.trim()).unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        let raw_id = key.trim_start_matches("text_");
        let outcome = async {
            let id: xiaohao_core::ItemId = raw_id.parse().map_err(|_| {
                EngineError::invalid("id", format!("`{raw_id}` 不是有效的事项编号"))
            })?;
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
            Err(e) => {
                tracing::info!(item = raw_id, error = %e, "monthly report refused");
                failed += 1;
            }
        }
    }
    let mut target = format!("/progress?ok=reported&n={ok}");
    if failed > 0 {
        target.push_str("&error=report_failed");
    }
    Ok(Redirect::to(&target).into_response())
}
