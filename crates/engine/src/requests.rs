//! Requests as they arrive from HTTP or the CLI: units named by id, name or alias, dates as
//! text. The engine resolves them into domain commands, naming the field at fault.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use xiaohao_core::Target;

/// File a new item.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRequest {
    /// `task` (default) or `problem`.
    pub kind: Option<String>,
    pub number: Option<String>,
    pub title: String,
    #[serde(default)]
    pub text: String,
    pub plan: Option<String>,
    pub chain: Option<String>,
    /// Unit id, name or alias.
    pub lead_unit: Option<String>,
    #[serde(default)]
    pub co_units: Vec<String>,
    /// Person id or name.
    pub leader: Option<String>,
    /// `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub deadline_text: Option<String>,
    pub grade: Option<String>,
    /// `common` (共性) or `individual` (个别).
    pub class: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub targets: Vec<Target>,
}

/// A progress report as typed in a form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    pub period: String,
    pub text: String,
    pub percent: Option<i32>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub actuals: Vec<xiaohao_core::progress::Actual>,
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// One action on an item. Which fields matter depends on the action.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandRequest {
    pub action: String,
    /// The version the caller saw; a different current version is a conflict.
    pub version: Option<i64>,
    /// Why: required to return, reject, reopen, suspend, cancel, transfer, edit, reschedule,
    /// and as the 督办事由 of `escalate` (whose step and level the ladder decides).
    pub reason: Option<String>,
    pub evidence: Option<String>,
    pub comment: Option<String>,
    #[serde(default)]
    pub attachments: Vec<String>,
    /// `transfer`: the new lead unit; `assign`: optionally sets the lead unit.
    pub to: Option<String>,
    pub lead_unit: Option<String>,
    pub deadline: Option<String>,
    pub report: Option<ReportRequest>,
}

/// A date as typed: `YYYY-MM-DD`, in the years [`validate::check_date`] admits.
pub(crate) fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, crate::EngineError> {
    let shown: String = s.chars().take(40).collect();
    let date = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        crate::EngineError::invalid(field, format!("`{shown}` is not a date; use YYYY-MM-DD"))
    })?;
    xiaohao_core::validate::check_date(field, date)?;
    Ok(date)
}

/// [`xiaohao_core::validate::check`] for a request field whose name the caller gives
/// (`lead_unit`, `co_units`, `to` …).
pub(crate) fn check_field(
    field: &str,
    rule: xiaohao_core::validate::Field,
    value: &str,
) -> Result<(), crate::EngineError> {
    xiaohao_core::validate::check(rule, value).map_err(|e| match e {
        xiaohao_core::DomainError::Invalid { message, .. } => {
            crate::EngineError::invalid(field, message)
        }
        other => other.into(),
    })
}
