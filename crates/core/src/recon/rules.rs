//! Who may do what to a statement, and when: marking lines, answering disputes, signing and
//! countersigning. Each act returns the line as it becomes, or why it is refused.

use super::{DisputeReason, ItemAfter, Line, Status, Verdict};
use crate::access::AccountRole;
use crate::command::{Actor, Capacity};
use crate::ids::UnitId;
use crate::validate;
use chrono::{DateTime, Utc};

/// Why an act on a statement is refused. Messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReconError {
    /// Malformed input, naming the field (422).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The statement or line is not in a state for this act (409).
    #[error("{0}")]
    State(String),
    /// Not this actor's to do (403).
    #[error("{0}")]
    NotPermitted(String),
}

impl From<crate::DomainError> for ReconError {
    fn from(e: crate::DomainError) -> Self {
        match e {
            crate::DomainError::Invalid { field, message } => Self::Invalid { field, message },
            other => Self::NotPermitted(other.to_string()),
        }
    }
}

/// What the unit says of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// 确认.
    Confirm,
    /// 有异议, with a reason from the list, a note (required for 其他) and files.
    Dispute {
        reason: DisputeReason,
        note: Option<String>,
        attachments: Vec<String>,
    },
}

/// How the office answers a dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Resolved by a command on the item; the line shows the item as it now stands.
    Resolve {
        note: Option<String>,
        after: ItemAfter,
    },
    /// 不予采纳, with a reason.
    Reject { reason: String },
}

fn trimmed(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

const NOTE: validate::Field = validate::Field {
    name: "note",
    ..validate::COMMENT
};

/// The unit marks a line. Allowed while the statement is open and the office has not yet
/// answered the line; a unit may change its mind until then.
///
/// # Errors
/// `State` after signing or once answered; `Invalid` for a missing note on 其他, a note or
/// attachment over its limit.
pub fn mark_line(
    status: Status,
    line: &Line,
    mark: &Mark,
    at: DateTime<Utc>,
) -> Result<Line, ReconError> {
    if status != Status::Open {
        return Err(ReconError::State(
            "该对账单已签署，不能再修改各行意见".into(),
        ));
    }
    if !matches!(
        line.verdict,
        Verdict::Pending | Verdict::Confirmed | Verdict::Disputed
    ) {
        return Err(ReconError::State(format!(
            "第{}行的异议已由工作专班办理（{}），不能再修改",
            line.seq,
            line.verdict.label_zh()
        )));
    }
    let mut next = line.clone();
    next.marked_at = Some(at);
    match mark {
        Mark::Confirm => {
            next.verdict = Verdict::Confirmed;
            next.reason = None;
            next.note = None;
            next.attachments = Vec::new();
        }
        Mark::Dispute {
            reason,
            note,
            attachments,
        } => {
            let note = trimmed(note.as_deref());
            validate::check_opt(NOTE, note.as_deref())?;
            if *reason == DisputeReason::Other && note.is_none() {
                return Err(ReconError::Invalid {
                    field: "note",
                    message: "异议原因为“其他”时须填写说明".into(),
                });
            }
            validate::check_all(validate::ATTACHMENT, attachments, validate::MAX_ATTACHMENTS)?;
            next.verdict = Verdict::Disputed;
            next.reason = Some(*reason);
            next.note = note;
            next.attachments = attachments
                .iter()
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect();
        }
    }
    Ok(next)
}

/// The office answers a disputed line, while the statement is open.
///
/// # Errors
/// `State` when the line is not disputed or the statement was signed; `Invalid` for a
/// rejection without a reason or a text over its limit.
pub fn answer_line(
    status: Status,
    line: &Line,
    answer: Answer,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Line, ReconError> {
    if status != Status::Open {
        return Err(ReconError::State("该对账单已签署，异议不能再办理".into()));
    }
    if line.verdict != Verdict::Disputed {
        return Err(ReconError::State(format!(
            "第{}行没有待办理的异议（{}）",
            line.seq,
            line.verdict.label_zh()
        )));
    }
    let mut next = line.clone();
    next.answered_by = Some(by.to_owned());
    next.answered_at = Some(at);
    match answer {
        Answer::Resolve { note, after } => {
            let note = trimmed(note.as_deref());
            validate::check_opt(NOTE, note.as_deref())?;
            next.verdict = Verdict::Resolved;
            next.answer = note;
            next.after = Some(after);
        }
        Answer::Reject { reason } => {
            let reason = trimmed(Some(&reason)).ok_or_else(|| ReconError::Invalid {
                field: "reason",
                message: "不予采纳异议须说明理由".into(),
            })?;
            validate::check(validate::REASON, &reason)?;
            next.verdict = Verdict::Rejected;
            next.answer = Some(reason);
        }
    }
    Ok(next)
}

/// The unit may sign when the statement is open and every line is agreed.
///
/// # Errors
/// `State` naming how many lines still stand in the way.
pub fn check_sign(status: Status, lines: &[Line]) -> Result<(), ReconError> {
    if status != Status::Open {
        return Err(ReconError::State(format!(
            "该对账单{}，不能再签署",
            status.label_zh()
        )));
    }
    let open = lines.iter().filter(|l| !l.verdict.agreed()).count();
    if open > 0 {
        return Err(ReconError::State(format!(
            "尚有{open}行未确认或异议未办结，暂不能签署"
        )));
    }
    Ok(())
}

/// The office may countersign a statement the unit has signed.
///
/// # Errors
/// `State` otherwise.
pub fn check_countersign(status: Status) -> Result<(), ReconError> {
    match status {
        Status::Signed => Ok(()),
        Status::Open => Err(ReconError::State(
            "责任单位尚未签署该对账单，暂不能会签".into(),
        )),
        Status::Countersigned => Err(ReconError::State("该对账单已会签归档".into())),
    }
}

/// Who reads a statement: its own unit; an office whose jurisdiction keeps one of its
/// items; 督查室 and administrators. Nobody else (a unit never sees another unit's).
pub fn may_read(role: AccountRole, actor: &Actor, unit: UnitId, owners: &[Option<UnitId>]) -> bool {
    match role {
        AccountRole::Admin | AccountRole::Supervision => true,
        AccountRole::Unit => actor.unit == Some(unit),
        AccountRole::Office => {
            actor.unit == Some(unit)
                || owners
                    .iter()
                    .any(|o| actor.jurisdiction.covers(actor.unit, *o))
        }
        AccountRole::Leader => false,
    }
}

/// Only the statement's own unit marks its lines and signs it.
///
/// # Errors
/// `NotPermitted` for anyone else.
pub fn may_mark(actor: &Actor, unit: UnitId) -> Result<(), ReconError> {
    if actor.unit == Some(unit) && matches!(actor.capacity, Capacity::Unit | Capacity::Office) {
        Ok(())
    } else {
        Err(ReconError::NotPermitted(
            "对账单各行意见和签署由该责任单位办理".into(),
        ))
    }
}

/// A dispute is answered by an office that keeps the line's item, never by the unit itself.
///
/// # Errors
/// `NotPermitted` otherwise.
pub fn may_answer(actor: &Actor, unit: UnitId, owner: Option<UnitId>) -> Result<(), ReconError> {
    if actor.capacity == Capacity::Office
        && actor.unit != Some(unit)
        && actor.jurisdiction.covers(actor.unit, owner)
    {
        Ok(())
    } else {
        Err(ReconError::NotPermitted(
            "该事项由其他工作专班管理，异议由其办理".into(),
        ))
    }
}

/// The countersignature is the office's whose jurisdiction keeps every item on the
/// statement, never the unit's own.
///
/// # Errors
/// `NotPermitted` otherwise.
pub fn may_countersign(
    actor: &Actor,
    unit: UnitId,
    owners: &[Option<UnitId>],
) -> Result<(), ReconError> {
    if actor.capacity == Capacity::Office
        && actor.unit != Some(unit)
        && owners
            .iter()
            .all(|o| actor.jurisdiction.covers(actor.unit, *o))
    {
        Ok(())
    } else {
        Err(ReconError::NotPermitted(
            "会签须由管理该对账单全部事项的工作专班办理".into(),
        ))
    }
}
