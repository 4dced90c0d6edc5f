//! Requests as they arrive from HTTP or the CLI: units named by id, name or alias, dates as
//! text. The engine resolves them into domain commands, naming the field at fault.

use crate::EngineError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{Action, Command, Target, UnitId};

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
    /// Ids of files uploaded to the item (`POST /api/items/{id}/attachments`) by the
    /// reporting unit.
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// One action on an item. Which fields matter depends on the action.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandRequest {
    /// assign, return, accept, start, report, request_closure, verify, reject, reopen,
    /// suspend, resume, cancel, transfer, escalate, edit, reschedule, request_extension,
    /// approve_extension, refuse_extension, instruct, answer_instruction, answer_order.
    pub action: String,
    /// The version the caller saw; a different current version is a conflict.
    pub version: Option<i64>,
    /// Why: required to return, reject, reopen, suspend, cancel, transfer, edit, reschedule,
    /// request_extension, refuse_extension, and as the 督办事由 of `escalate` (whose step
    /// and level the ladder decides).
    pub reason: Option<String>,
    pub evidence: Option<String>,
    pub comment: Option<String>,
    /// `request_closure`, `request_extension`, `answer_order`, `answer_instruction`: ids of
    /// files the acting unit uploaded to the item (`POST /api/items/{id}/attachments`);
    /// their SHA-256 goes into the event.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// `transfer`: the new lead unit; `assign`: optionally sets the lead unit.
    pub to: Option<String>,
    pub lead_unit: Option<String>,
    /// `YYYY-MM-DD`: for assign and reschedule the deadline set; for request_extension the
    /// deadline asked for (approve_extension grants the date asked).
    pub deadline: Option<String>,
    pub report: Option<ReportRequest>,
    /// `instruct`: the 批示; `answer_instruction`: the 回复; `answer_order`: the 督办回复.
    pub text: Option<String>,
    /// `instruct` by an office: the leader it writes for (a leader writes as himself).
    pub by: Option<String>,
    /// `answer_order`: the id of the 督办单 answered (the answer is `text`).
    pub order: Option<String>,
}

impl CommandRequest {
    /// The units the action names, with their fields (`lead_unit` for assign and edit,
    /// `to` for transfer): the engine looks them up before [`Self::to_command`].
    pub fn unit_keys(&self) -> Vec<(&'static str, &str)> {
        let field = match self.action.parse::<Action>() {
            Ok(Action::Assign | Action::Edit) => ("lead_unit", self.lead_unit.as_deref()),
            Ok(Action::Transfer) => ("to", self.to.as_deref()),
            _ => return Vec::new(),
        };
        field.1.map(|k| vec![(field.0, k)]).unwrap_or_default()
    }

    /// The attachment ids the request references (the report's for `report`), parsed;
    /// the engine looks them up and puts the files on the command
    /// ([`xiaohao_core::attachment::referable`]).
    ///
    /// # Errors
    /// `Invalid` on `attachments`: too many, or not an id.
    pub fn attachment_ids(&self) -> Result<Vec<uuid::Uuid>, EngineError> {
        let raw: Vec<&String> = self
            .attachments
            .iter()
            .chain(self.report.iter().flat_map(|r| r.attachments.iter()))
            .collect();
        let max = xiaohao_core::validate::MAX_ATTACHMENTS;
        if raw.len() > max {
            return Err(EngineError::invalid(
                "attachments",
                format!(
                    "最多 {max} 项（现有 {} 项） (at most {max} entries)",
                    raw.len()
                ),
            ));
        }
        raw.iter()
            .map(|s| {
                s.trim().parse().map_err(|_| {
                    let shown: String = s.chars().take(40).collect();
                    EngineError::invalid(
                        "attachments",
                        format!("`{shown}` is not an attachment id; upload the file first (POST /api/items/{{id}}/attachments)"),
                    )
                })
            })
            .collect()
    }

    /// Decode into the domain's command, without I/O: `unit(field)` is the unit named in
    /// that field of [`Self::unit_keys`], already looked up. The JSON command decoder the
    /// fuzz target `command_json` drives.
    ///
    /// # Errors
    /// `Invalid` naming the missing or malformed field.
    pub fn to_command(
        &self,
        unit: impl Fn(&'static str) -> Option<UnitId>,
    ) -> Result<Command, EngineError> {
        let action: Action = self
            .action
            .parse()
            .map_err(|e: String| EngineError::invalid("action", e))?;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let named = |field: &'static str, given: Option<&String>| match given {
            None => Ok(None),
            Some(k) => unit(field)
                .map(Some)
                .ok_or_else(|| EngineError::invalid(field, format!("unknown unit `{k}`"))),
        };
        Ok(match action {
            Action::Assign => Command::Assign {
                lead_unit: named("lead_unit", self.lead_unit.as_ref())?,
                deadline: self
                    .deadline
                    .as_deref()
                    .map(|d| parse_date("deadline", d))
                    .transpose()?,
            },
            Action::Return => Command::Return {
                reason: text(&self.reason),
            },
            Action::Accept => Command::Accept,
            Action::Start => Command::Start,
            Action::Report => {
                let r = self.report.as_ref().ok_or_else(|| {
                    EngineError::invalid("report", "a progress report is required")
                })?;
                Command::Report {
                    report: ProgressReport {
                        period: r.period.trim().to_owned(),
                        text: r.text.clone(),
                        percent: r.percent,
                        actuals: r.actuals.clone(),
                        attachments: Vec::new(),
                    },
                }
            }
            Action::RequestClosure => Command::RequestClosure {
                evidence: text(&self.evidence),
                attachments: Vec::new(),
            },
            Action::Verify => Command::Verify {
                comment: self.comment.clone(),
            },
            Action::Reject => Command::Reject {
                reason: text(&self.reason),
            },
            Action::Reopen => Command::Reopen {
                reason: text(&self.reason),
            },
            Action::Suspend => Command::Suspend {
                reason: text(&self.reason),
            },
            Action::Resume => Command::Resume,
            Action::Cancel => Command::Cancel {
                reason: text(&self.reason),
            },
            Action::Transfer => Command::Transfer {
                to: named("to", self.to.as_ref())?
                    .ok_or_else(|| EngineError::invalid("to", "the new lead unit is required"))?,
                reason: text(&self.reason),
            },
            Action::Escalate => {
                // Decided against the item and the ladder: see `Engine::escalate`.
                return Err(EngineError::invalid(
                    "action",
                    "escalate is decided by the ladder; use Engine::escalate",
                ));
            }
            Action::Edit => Command::Edit {
                title: None,
                text: None,
                lead_unit: named("lead_unit", self.lead_unit.as_ref())?,
                co_units: None,
                number: None,
                leader: None,
                chain: None,
                reason: text(&self.reason),
            },
            Action::Reschedule => Command::Reschedule {
                deadline: parse_date(
                    "deadline",
                    self.deadline.as_deref().ok_or_else(|| {
                        EngineError::invalid("deadline", "the new deadline is required")
                    })?,
                )?,
                reason: text(&self.reason),
            },
            Action::RequestExtension => Command::RequestExtension {
                deadline: parse_date(
                    "deadline",
                    self.deadline.as_deref().ok_or_else(|| {
                        EngineError::invalid("deadline", "the deadline asked for is required")
                    })?,
                )?,
                reason: text(&self.reason),
                attachments: Vec::new(),
            },
            Action::ApproveExtension => Command::ApproveExtension {
                comment: self.comment.clone(),
            },
            Action::RefuseExtension => Command::RefuseExtension {
                reason: text(&self.reason),
            },
            Action::Instruct => Command::Instruct {
                by: self.by.clone(),
                text: text(&self.text),
            },
            Action::AnswerInstruction => Command::AnswerInstruction {
                text: text(&self.text),
                attachments: Vec::new(),
            },
            Action::AnswerOrder => {
                // Decided against the order as stored: see `Engine::answer_order`.
                return Err(EngineError::invalid(
                    "action",
                    "answer_order is decided against its 督办单; use Engine::answer_order",
                ));
            }
        })
    }
}

/// A date as typed: `YYYY-MM-DD`, in the years [`validate::check_date`] admits.
pub(crate) fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, EngineError> {
    let shown: String = s.chars().take(40).collect();
    let date = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        EngineError::invalid(field, format!("`{shown}` is not a date; use YYYY-MM-DD"))
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
