//! 交办 selected drafts in bulk from the ledger page: each selected draft becomes the
//! `assign` command (after an edit when co-units, leader or chain are set) through the
//! engine; the answer lists, in Chinese, how many were handed out and which were not, why.

use super::LedgerQuery;
use crate::auth::PageAuth;
use crate::pages::{Me, PageResult, me};
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use xiaohao_core::{DomainError, ItemId};
use xiaohao_engine::EngineError;
use xiaohao_engine::workbench::{BulkAssign, BulkRow};

/// At most this many drafts in one 交办 (a page holds 50; a form cannot grow unbounded).
const MAX_SELECTED: usize = 200;

pub struct ResultLine {
    pub id: String,
    pub title: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger_assign.html")]
struct AssignResult {
    me: Option<Me>,
    assigned: usize,
    failed: usize,
    lines: Vec<ResultLine>,
    back: String,
}

/// Why one draft was not handed out, in the words of the page.
fn reason_zh(e: EngineError) -> String {
    if let EngineError::Domain(DomainError::InvalidTransition { state, .. }) = &e {
        return format!(
            "该事项当前为“{}”，不是待交办事项，未交办。",
            state.label_zh()
        );
    }
    if let EngineError::Domain(DomainError::Invalid { field, .. }) = &e
        && *field == "lead_unit"
    {
        return "尚未确定牵头单位，请在上方选择牵头单位后再交办。".into();
    }
    let api = ApiError::from(e);
    crate::flash::error_text(api.code, api.field.as_deref())
        .unwrap_or_else(|| "未能交办，请打开该事项查看。".into())
}

fn line(row: BulkRow) -> ResultLine {
    let title = row.title.unwrap_or_else(|| "（无权查看的事项）".into());
    match row.result {
        Ok(out) => ResultLine {
            id: row.item.to_string(),
            title,
            ok: true,
            message: match out.item.deadline {
                Some(d) => format!("已交办，完成时限 {}", crate::pages::zh_date(d)),
                None => "已交办（未定完成时限）".into(),
            },
        },
        Err(e) => ResultLine {
            id: row.item.to_string(),
            title,
            ok: false,
            message: reason_zh(e),
        },
    }
}

/// The ledger's own query from the form's `back` field, re-encoded from known keys only.
fn back_query(raw: &str) -> String {
    format!("/ledger?{raw}")
        .parse::<Uri>()
        .ok()
        .and_then(|uri| Query::<LedgerQuery>::try_from_uri(&uri).ok())
        .map(|Query(q)| q.filters_and_sort())
        .unwrap_or_default()
}

pub(in crate::pages) async fn assign_selected(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let value = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    let back = back_query(&value("back").unwrap_or_default());
    let to_ledger = |error: &str| {
        let sep = if back.is_empty() { "" } else { "&" };
        Redirect::to(&format!("/ledger?{back}{sep}{error}")).into_response()
    };
    if !p.role().may_file() {
        return Err(ApiError::forbidden("only an office hands out drafts").into());
    }
    let mut ids: Vec<ItemId> = Vec::new();
    for (_, v) in fields.iter().filter(|(k, _)| k == "id") {
        let id = crate::api::parse_item_id(v)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Ok(to_ledger("error=nothing_selected"));
    }
    if ids.len() > MAX_SELECTED {
        return Ok(to_ledger("error=too_many_selected"));
    }
    let req = BulkAssign {
        lead_unit: value("lead_unit"),
        co_units: fields
            .iter()
            .filter(|(k, _)| k == "co_units")
            .map(|(_, v)| v.clone())
            .collect(),
        leader: value("leader"),
        deadline: value("deadline"),
        chain: value("chain"),
    };
    let rows = match state.engine.assign_drafts(&p, &ids, &req).await {
        Ok(rows) => rows,
        Err(
            e @ (EngineError::Invalid { .. } | EngineError::Domain(DomainError::Invalid { .. })),
        ) => {
            return Ok(to_ledger(&crate::flash::error_query(&ApiError::from(e))));
        }
        Err(e) => return Err(e.into()),
    };
    let lines: Vec<ResultLine> = rows.into_iter().map(line).collect();
    let assigned = lines.iter().filter(|l| l.ok).count();
    Ok(AssignResult {
        me: Some(me(&state.engine, &p).await?),
        assigned,
        failed: lines.len() - assigned,
        lines,
        back,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_keeps_only_ledger_keys() {
        assert_eq!(
            back_query("state=draft&sort=late&dir=desc&evil=%3Cscript%3E"),
            "state=draft&sort=late&dir=desc"
        );
        assert_eq!(back_query("\u{0}//evil"), "");
    }
}
