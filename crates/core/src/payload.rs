//! What an event says beyond its kind and states, typed per kind. A decision yields a
//! [`Payload`]; the event stores it once as canonical JSON text (keys sorted, as
//! `serde_json::Value` prints them) and that text is what the chain hashes, so a stored
//! event verifies whatever these types later become. Readers parse it back with
//! [`Payload::parse`] by the event's kind.

use crate::attachment::{self, Attachment};
use crate::event::EventKind;
use crate::ids::{ChainId, PersonId, UnitId};
use crate::item::ItemKind;
use crate::state::Action;
use chrono::{Datelike, NaiveDate};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The filing of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub title: String,
    pub kind: ItemKind,
    /// The item's grade (分级) as filed, which weighs its 考核 points; absent in events
    /// written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
}

/// 交办: the lead unit and deadline it was assigned with; `due_on` when a rule set the
/// due date (a problem without deadline is due when its SLA ends).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assigned {
    pub lead_unit: Option<UnitId>,
    pub deadline: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
}

/// 退回, 核验不通过, 重新打开, 暂缓, 撤销: a reason and nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reasoned {
    pub reason: String,
}

/// 恢复: the due date moved by the working days spent suspended, when it moved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resumed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
}

/// 反馈进展 (the report itself is its own row); the stored files it carries, whose
/// SHA-256 the chain thereby covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reported {
    pub period: String,
    pub percent: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// 申请销号.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosureRequested {
    pub evidence: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// 核验通过 → 销号.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verified {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub requested_by: Option<UnitId>,
}

/// 转办.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transferred {
    pub reason: String,
    pub from_unit: Option<UnitId>,
    pub to_unit: UnitId,
}

/// A step of the ladder on the item (the scheduler's, or a manual 督办 with its 事由 and
/// the date by which the lead unit must reply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Escalated {
    pub step: String,
    pub level: i32,
    pub deadline_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_due: Option<NaiveDate>,
}

/// One field's value before and after an edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change<T> {
    pub from: T,
    pub to: T,
}

/// 编辑: the reason and each field that changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Edited {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Change<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Change<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_unit: Option<Change<Option<UnitId>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_units: Option<Change<Vec<UnitId>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<Change<Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<Change<Option<PersonId>>>,
    /// Boxed: every event payload carries the size of its largest variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Box<Change<Option<ChainId>>>>,
}

/// 调整时限: the old and the new deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rescheduled {
    pub reason: String,
    pub from: Option<NaiveDate>,
    pub deadline: NaiveDate,
}

/// 申请延期: the deadline the lead unit asks for, why, and its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtensionRequested {
    pub requested_deadline: NaiveDate,
    /// The due date in force when it was asked.
    pub due_on: Option<NaiveDate>,
    pub reason: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// 同意延期: the due date before and the deadline granted; the ladder restarts from `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtensionApproved {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// 不同意延期: why, and the deadline that was asked for (the item's stays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtensionRefused {
    pub reason: String,
    pub requested_deadline: Option<NaiveDate>,
}

/// 批示: the leader who wrote it (named by the office when it writes on his behalf) and
/// the instruction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instructed {
    pub by: String,
    pub text: String,
}

/// 回复批示: the lead unit's answer and its files (absent from the stored text when there
/// are none, as in answers written before files were taken).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstructionAnswered {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// 督办回复: the lead unit's written answer to a 督办单, which closes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderAnswered {
    pub order: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub text: String,
    /// Files (their SHA-256 in the chain); answers written before files were taken carry
    /// typed names, read back as [`Attachment::Named`].
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_due: Option<NaiveDate>,
}

/// A step of the ladder on one of the item's reporting duties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyEscalated {
    pub duty: Uuid,
    pub duty_title: String,
    pub period: String,
    pub due_on: NaiveDate,
    pub step: String,
    pub level: i32,
    pub working_days_late: i32,
    /// The unit that owes the duty; absent in events written before it was recorded (the
    /// item's lead unit at the time owed it then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitId>,
    /// The 对账单 whose signature the duty is: set when the step is a statement's, recorded
    /// in the chain of one of its items (the statement has no chain of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<Uuid>,
    /// `order` when the subject is a 督办单 awaiting its reply rather than a report duty;
    /// absent for duties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// The typed payload of an event, one variant per kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Payload {
    Created(Created),
    Assigned(Assigned),
    Returned(Reasoned),
    Accepted,
    Started,
    Reported(Reported),
    ClosureRequested(ClosureRequested),
    Verified(Verified),
    Rejected(Reasoned),
    Reopened(Reasoned),
    Suspended(Reasoned),
    Resumed(Resumed),
    Cancelled(Reasoned),
    Transferred(Transferred),
    Escalated(Escalated),
    Edited(Edited),
    Rescheduled(Rescheduled),
    DutyEscalated(DutyEscalated),
    ExtensionRequested(ExtensionRequested),
    ExtensionApproved(ExtensionApproved),
    ExtensionRefused(ExtensionRefused),
    Instructed(Instructed),
    InstructionAnswered(InstructionAnswered),
    OrderAnswered(OrderAnswered),
}

fn de<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(text)
}

impl Payload {
    /// The canonical JSON text that is stored and hashed.
    pub fn to_json(&self) -> String {
        match self {
            // Unit variants serialise as `null`; an event without details stores `{}`.
            Payload::Accepted | Payload::Started => "{}".to_owned(),
            other => serde_json::to_value(other)
                .map(|v| v.to_string())
                .unwrap_or_else(|_| "{}".to_owned()),
        }
    }

    /// Read a stored payload back by its event's kind.
    ///
    /// # Errors
    /// When the text is not what that kind writes.
    pub fn parse(kind: EventKind, text: &str) -> Result<Payload, serde_json::Error> {
        Ok(match kind {
            EventKind::Create => Payload::Created(de(text)?),
            EventKind::DutyEscalated => Payload::DutyEscalated(de(text)?),
            EventKind::Action(a) => match a {
                Action::Assign => Payload::Assigned(de(text)?),
                Action::Return => Payload::Returned(de(text)?),
                Action::Accept => Payload::Accepted,
                Action::Start => Payload::Started,
                Action::Report => Payload::Reported(de(text)?),
                Action::RequestClosure => Payload::ClosureRequested(de(text)?),
                Action::Verify => Payload::Verified(de(text)?),
                Action::Reject => Payload::Rejected(de(text)?),
                Action::Reopen => Payload::Reopened(de(text)?),
                Action::Suspend => Payload::Suspended(de(text)?),
                Action::Resume => Payload::Resumed(de(text)?),
                Action::Cancel => Payload::Cancelled(de(text)?),
                Action::Transfer => Payload::Transferred(de(text)?),
                Action::Escalate => Payload::Escalated(de(text)?),
                Action::Edit => Payload::Edited(de(text)?),
                Action::Reschedule => Payload::Rescheduled(de(text)?),
                Action::RequestExtension => Payload::ExtensionRequested(de(text)?),
                Action::ApproveExtension => Payload::ExtensionApproved(de(text)?),
                Action::RefuseExtension => Payload::ExtensionRefused(de(text)?),
                Action::Instruct => Payload::Instructed(de(text)?),
                Action::AnswerInstruction => Payload::InstructionAnswered(de(text)?),
                Action::AnswerOrder => Payload::OrderAnswered(de(text)?),
            },
        })
    }

    /// The stored files the event references (their SHA-256 is in this payload).
    pub fn files(&self) -> Vec<&attachment::FileRef> {
        let list: &[Attachment] = match self {
            Payload::Reported(r) => &r.attachments,
            Payload::ClosureRequested(c) => &c.attachments,
            Payload::ExtensionRequested(x) => &x.attachments,
            Payload::OrderAnswered(x) => &x.attachments,
            Payload::InstructionAnswered(x) => &x.attachments,
            _ => &[],
        };
        list.iter().filter_map(Attachment::file).collect()
    }

    /// The reason given, when the kind takes one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Payload::Returned(r)
            | Payload::Rejected(r)
            | Payload::Reopened(r)
            | Payload::Suspended(r)
            | Payload::Cancelled(r) => Some(&r.reason),
            Payload::Transferred(t) => Some(&t.reason),
            Payload::Edited(e) => Some(&e.reason),
            Payload::Rescheduled(r) => Some(&r.reason),
            Payload::ExtensionRequested(r) => Some(&r.reason),
            Payload::ExtensionRefused(r) => Some(&r.reason),
            Payload::Escalated(e) => e.reason.as_deref(),
            _ => None,
        }
    }

    /// A line for the item's timeline, in the words of an official record.
    pub fn summary_zh(&self) -> String {
        self.summary(true)
    }

    /// [`Self::summary_zh`] without the stored files, for a page that links them below.
    pub fn summary_zh_without_files(&self) -> String {
        self.summary(false)
    }

    fn summary(&self, files: bool) -> String {
        let attached = |list: &[Attachment]| {
            let shown: Vec<Attachment> = list
                .iter()
                .filter(|a| files || a.file().is_none())
                .cloned()
                .collect();
            attachment::names(&shown)
        };
        let mut out: Vec<String> = Vec::new();
        let mut push = |label: &str, value: String| {
            if !value.is_empty() {
                out.push(format!("{label}：{value}"));
            }
        };
        match self {
            Payload::Created(_) | Payload::Accepted | Payload::Started => {}
            Payload::Assigned(a) => {
                if let Some(d) = a.deadline.or(a.due_on) {
                    push("完成时限", date_zh(d));
                }
            }
            Payload::Resumed(r) => {
                if let Some(d) = r.due_on {
                    push("顺延至", date_zh(d));
                }
            }
            Payload::Reported(r) => {
                push("报告期", r.period.clone());
                if let Some(p) = r.percent {
                    push("进度", format!("{p}%"));
                }
                push("附件", attached(&r.attachments));
            }
            Payload::ClosureRequested(c) => {
                push("佐证", c.evidence.clone());
                push("附件", attached(&c.attachments));
            }
            Payload::Verified(v) => push("意见", v.comment.clone().unwrap_or_default()),
            Payload::Escalated(e) => {
                push("督办", e.step.clone());
                push("事由", e.reason.clone().unwrap_or_default());
                if let Some(d) = e.reply_due {
                    push("反馈时限", date_zh(d));
                }
            }
            Payload::Edited(e) => {
                let changed: Vec<&str> = [
                    (e.number.is_some(), "序号"),
                    (e.title.is_some(), "事项名称"),
                    (e.text.is_some(), "具体内容"),
                    (e.lead_unit.is_some(), "牵头单位"),
                    (e.co_units.is_some(), "责任单位"),
                    (e.leader.is_some(), "牵头领导"),
                    (e.chain.is_some(), "产业链"),
                ]
                .into_iter()
                .filter_map(|(yes, name)| yes.then_some(name))
                .collect();
                push("修改", changed.join("、"));
                push("理由", e.reason.clone());
            }
            Payload::Rescheduled(r) => {
                push(
                    "原时限",
                    r.from.map(date_zh).unwrap_or_else(|| "未定".to_owned()),
                );
                push("新时限", date_zh(r.deadline));
                push("理由", r.reason.clone());
            }
            Payload::ExtensionRequested(x) => {
                push(
                    "原时限",
                    x.due_on.map(date_zh).unwrap_or_else(|| "未定".to_owned()),
                );
                push("申请延期至", date_zh(x.requested_deadline));
                push("理由", x.reason.clone());
                push("附件", attached(&x.attachments));
            }
            Payload::ExtensionApproved(x) => {
                push(
                    "原时限",
                    x.from.map(date_zh).unwrap_or_else(|| "未定".to_owned()),
                );
                push("新时限", date_zh(x.to));
                push("意见", x.comment.clone().unwrap_or_default());
            }
            Payload::ExtensionRefused(x) => {
                if let Some(d) = x.requested_deadline {
                    push("申请延期至", date_zh(d));
                }
                push("不同意理由", x.reason.clone());
            }
            Payload::Instructed(x) => {
                push("批示领导", x.by.clone());
                push("批示", x.text.clone());
            }
            Payload::InstructionAnswered(x) => {
                push("回复", x.text.clone());
                push("附件", attached(&x.attachments));
            }
            Payload::OrderAnswered(x) => {
                push(
                    "督办单",
                    x.number.clone().unwrap_or_else(|| "未编号".into()),
                );
                push("督办回复", x.text.clone());
                push("附件", attached(&x.attachments));
            }
            Payload::DutyEscalated(d) if d.subject.as_deref() == Some("order") => {
                push("督办单", d.period.clone());
                push(
                    "逾期未反馈",
                    format!("{} 个工作日", d.working_days_late.max(0)),
                );
                push("督办", d.step.clone());
            }
            Payload::DutyEscalated(d) => {
                let what = if d.statement.is_some() {
                    "对账单未签"
                } else {
                    "报送"
                };
                push(what, format!("{}（{}）", d.duty_title, d.period));
                push("督办", d.step.clone());
                push("逾期", format!("{} 个工作日", d.working_days_late.max(0)));
            }
            other => push("理由", other.reason().unwrap_or_default().to_owned()),
        }
        out.join("；")
    }
}

/// A date as people read it: 2026年12月7日.
pub fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_through_their_stored_text() {
        let cases = [
            (
                EventKind::Action(Action::Reschedule),
                Payload::Rescheduled(Rescheduled {
                    reason: "市场变化".into(),
                    from: NaiveDate::from_ymd_opt(2026, 9, 30),
                    deadline: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                }),
            ),
            (EventKind::Action(Action::Accept), Payload::Accepted),
            (
                EventKind::Action(Action::Escalate),
                Payload::Escalated(Escalated {
                    step: "督办".into(),
                    level: 3,
                    deadline_key: "2026-09-30".into(),
                    reason: Some("进度滞后".into()),
                    reply_due: NaiveDate::from_ymd_opt(2026, 10, 16),
                }),
            ),
            (
                EventKind::Action(Action::AnswerOrder),
                Payload::OrderAnswered(OrderAnswered {
                    order: Uuid::nil(),
                    number: Some("督〔2026〕12号".into()),
                    text: "已制定整改方案".into(),
                    attachments: vec![],
                    reply_due: NaiveDate::from_ymd_opt(2026, 10, 16),
                }),
            ),
        ];
        for (kind, p) in cases {
            let text = p.to_json();
            assert_eq!(Payload::parse(kind, &text).unwrap(), p, "{text}");
        }
    }

    #[test]
    fn stored_text_is_canonical_with_sorted_keys() {
        let p = Payload::Transferred(Transferred {
            reason: "职责调整".into(),
            from_unit: None,
            to_unit: UnitId(Uuid::nil()),
        });
        assert_eq!(
            p.to_json(),
            r#"{"from_unit":null,"reason":"职责调整","to_unit":"00000000-0000-0000-0000-000000000000"}"#
        );
    }

    #[test]
    fn payloads_written_before_the_types_still_parse() {
        let old = r#"{"comment":"同意","requested_by":null}"#;
        let p = Payload::parse(EventKind::Action(Action::Verify), old).unwrap();
        assert_eq!(p.summary_zh(), "意见：同意");
        let edited = Payload::Edited(Edited {
            reason: "按会议纪要修订".into(),
            title: Some(Change {
                from: "旧".to_owned(),
                to: "新".to_owned(),
            }),
            chain: Some(Box::new(Change {
                from: None,
                to: Some(ChainId::new()),
            })),
            ..Edited::default()
        });
        assert_eq!(
            edited.summary_zh(),
            "修改：事项名称、产业链；理由：按会议纪要修订"
        );
        let old = r#"{"deadline_key":"2026-03-06","level":4,"step":"通报"}"#;
        assert!(Payload::parse(EventKind::Action(Action::Escalate), old).is_ok());
    }

    #[test]
    fn a_reschedule_reads_old_and_new_date() {
        let p = Payload::Rescheduled(Rescheduled {
            reason: "客观原因".into(),
            from: NaiveDate::from_ymd_opt(2026, 9, 30),
            deadline: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        });
        assert_eq!(
            p.summary_zh(),
            "原时限：2026年9月30日；新时限：2026年12月7日；理由：客观原因"
        );
    }
}
