//! 督办单 as a document and its 督办回复. A ladder step that makes an order (督办) issues it
//! in the name of the office that keeps the item, numbered per office and year
//! (督〔2026〕12号, [`OrderRules::number_format`]); the store allocates the number inside the
//! writer's transaction. The lead unit answers the order in writing (`AnswerOrder`): the
//! answer is an event on the item and closes the order. An order still unanswered when its
//! reply date has passed climbs the ladder like a missed duty ([`decide_late_reply`]).

use crate::command::{Command, required};
use crate::error::DomainError;
use crate::escalation::{Circle, DutyDecision, DutySubject, Step, decide_duty_escalation};
use crate::ids::{ItemId, UnitId};
use crate::item::Item;
use crate::notify::Notification;
use crate::payload::{OrderAnswered, Payload, date_zh};
use crate::validate;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The subject kind of an escalation fire on an unanswered order.
pub const ORDER_SUBJECT: &str = "order";

/// The policy's rules for 督办单 (`[orders]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderRules {
    /// The number as printed: `{year}` and `{n}` are replaced (`督〔{year}〕{n}号`).
    pub number_format: String,
}

impl Default for OrderRules {
    fn default() -> Self {
        OrderRules {
            number_format: "督〔{year}〕{n}号".to_owned(),
        }
    }
}

impl OrderRules {
    /// The format must place the sequence number.
    ///
    /// # Errors
    /// Naming `orders.number_format`.
    pub fn validate(&self) -> Result<(), String> {
        if !self.number_format.contains("{n}") {
            return Err("orders.number_format must contain {n}".into());
        }
        if self.number_format.chars().count() > 60 {
            return Err("orders.number_format is longer than 60 characters".into());
        }
        Ok(())
    }

    /// The printed number of the `n`-th order of `year`.
    pub fn number(&self, year: i32, n: i32) -> String {
        self.number_format
            .replace("{year}", &year.to_string())
            .replace("{n}", &n.to_string())
    }
}

/// The office an order on `item` is issued by and numbered under: the office that keeps
/// the item, whoever fired the step; the nil id when the item has none.
pub fn issuing_office(item: &Item) -> Uuid {
    item.owner_unit.map_or(Uuid::nil(), |u| u.0)
}

/// An order as the rules need it: read by the engine, carried by the `AnswerOrder` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRef {
    pub id: Uuid,
    pub item: ItemId,
    /// The printed number, when it has one.
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub reply_due: Option<NaiveDate>,
    #[serde(default)]
    pub answered_at: Option<DateTime<Utc>>,
}

impl OrderRef {
    /// Whether the order still waits for the lead unit's reply.
    pub fn is_open(&self) -> bool {
        self.answered_at.is_none()
    }
}

/// Whether `actor` may answer `order` on `item` now: the order is open and of this item,
/// and the transition table lets the actor answer from the item's state (the lead unit).
pub fn may_answer(item: &Item, actor: &crate::command::Actor, order: &OrderRef) -> bool {
    let Some(row) = crate::state::transition(item.state, crate::state::Action::AnswerOrder) else {
        return false;
    };
    let roles = actor.roles_for(item);
    order.is_open() && order.item == item.id && row.roles.iter().any(|r| roles.contains(r))
}

/// Decide a 督办回复 (the transition table and roles are already checked: only the lead
/// unit of a running item answers).
pub(crate) fn decide_answer(
    item: &Item,
    command: &Command,
    next: &Item,
) -> Result<(Payload, Vec<Notification>), DomainError> {
    let Command::AnswerOrder {
        order,
        text,
        attachments,
    } = command
    else {
        return Err(DomainError::invalid("action", "not a 督办回复"));
    };
    if order.item != item.id {
        return Err(DomainError::invalid(
            "order",
            "the 督办单 belongs to another item",
        ));
    }
    if !order.is_open() {
        return Err(DomainError::invalid(
            "order",
            "this 督办单 has already been answered",
        ));
    }
    let text = required(validate::INSTRUCTION, text)?;
    crate::attachment::check_list(attachments)?;
    let told = item
        .owner_unit
        .map(|o| Notification {
            recipient: o,
            kind: "order_answered".to_owned(),
            item: Some(item.id),
            dedupe_key: format!("{}:order_answered:v{}:{o}", item.id, next.version),
            urgent: false,
        })
        .into_iter()
        .collect();
    Ok((
        Payload::OrderAnswered(OrderAnswered {
            order: order.id,
            number: order.number.clone(),
            text,
            attachments: crate::attachment::trimmed(attachments),
            reply_due: order.reply_due,
        }),
        told,
    ))
}

/// An unanswered order as the ladder sees it: a duty of the lead unit, due on the reply
/// date. `None` when the order is answered or asks no reply by a date.
pub fn reply_subject(order: &OrderRef, lead: UnitId) -> Option<DutySubject> {
    let due_on = order.reply_due.filter(|_| order.is_open())?;
    Some(DutySubject {
        id: order.id,
        unit: lead,
        item: Some(order.item),
        title: "督办单书面反馈".to_owned(),
        period_key: order.number.clone().unwrap_or_default(),
        due_on,
        statement: None,
    })
}

/// A step of the ladder on an order whose reply is due or late, `late` working days past
/// the reply date: the same decision as a missed duty (claim, notices, an event on the
/// item), claimed under the order's own subject. `None` when there is nothing to answer or
/// the item has no lead unit or no longer runs.
pub fn decide_late_reply(
    step: &Step,
    order: &OrderRef,
    item: &Item,
    circle: &Circle,
    late: i64,
    now: DateTime<Utc>,
) -> Option<DutyDecision> {
    if !crate::light::running(item.state) || item.id != order.item {
        return None;
    }
    let subject = reply_subject(order, item.lead_unit?)?;
    let mut d = decide_duty_escalation(step, &subject, Some(item), circle, late, now);
    d.fire.subject_kind = ORDER_SUBJECT;
    if let Some(decision) = d.item.as_mut()
        && let Payload::DutyEscalated(e) = &mut decision.event.payload
    {
        e.subject = Some(ORDER_SUBJECT.to_owned());
    }
    if let Some(obj) = d.payload.as_object_mut() {
        obj.insert("subject".into(), ORDER_SUBJECT.into());
    }
    for n in &mut d.notifications {
        n.kind = if late > 0 {
            "order_reply_late".into()
        } else {
            "order_reply_due".into()
        };
    }
    Some(d)
}

/// What a 督办单 says, composed once for the print page and the .docx.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderDocument {
    /// 督办单 (the title).
    pub title: String,
    /// The printed number, or 未编号.
    pub number: String,
    /// 主送: the lead unit.
    pub addressee: String,
    /// The body paragraphs: facts, then 整改要求, then the reply requirement.
    pub facts: Vec<String>,
    pub requirements: Vec<String>,
    /// 落款: the issuing office, and the date of issue.
    pub issuer: String,
    pub issued_on: String,
    /// The 督办回复, when answered: date and text.
    pub answer: Option<(String, String)>,
    /// The 督办回复's files as the 附件 lines list them (`1.整改报告.pdf`).
    pub answer_files: Vec<String>,
}

/// The facts a 督办单 is composed from (read by the engine; days late are the policy's
/// working days, counted when the step fired).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFacts {
    pub number: Option<String>,
    pub step: String,
    pub item_number: Option<String>,
    pub item_title: String,
    pub lead_unit: String,
    pub co_units: Vec<String>,
    pub issuer: String,
    pub due_on: NaiveDate,
    pub working_days_late: i32,
    pub issued_on: NaiveDate,
    pub reply_due: Option<NaiveDate>,
    /// 督办事由 of a manual 督办.
    pub reason: Option<String>,
    /// Reporting duties the lead unit missed on the item: (title, period, due date).
    pub missed_duties: Vec<(String, String, NaiveDate)>,
    pub answered: Option<(NaiveDate, String)>,
    /// The names of the files sent with the 督办回复.
    pub answer_files: Vec<String>,
}

/// Compose the 督办单 in the register of an official notice.
pub fn compose(f: &OrderFacts) -> OrderDocument {
    let item = format!(
        "{}{}",
        f.item_number
            .as_deref()
            .map(|n| format!("{n} "))
            .unwrap_or_default(),
        f.item_title
    );
    let standing = if f.working_days_late > 0 {
        format!("已逾期{}个工作日", f.working_days_late)
    } else if f.working_days_late == 0 {
        "已到完成时限".to_owned()
    } else {
        format!("距完成时限尚有{}个工作日", -f.working_days_late)
    };
    let mut facts = vec![format!(
        "你单位牵头负责的“{item}”，完成时限为{}，截至{}{}，尚未办结，现予{}。",
        date_zh(f.due_on),
        date_zh(f.issued_on),
        standing,
        f.step
    )];
    if !f.co_units.is_empty() {
        facts.push(format!("责任单位：{}。", f.co_units.join("、")));
    }
    if f.missed_duties.is_empty() {
        facts.push("该事项无逾期未报送的进展报告。".to_owned());
    } else {
        let list: Vec<String> = f
            .missed_duties
            .iter()
            .map(|(t, p, d)| format!("{t}（{p}，应于{}前报送）", date_zh(*d)))
            .collect();
        facts.push(format!(
            "逾期未报送{}项：{}。",
            f.missed_duties.len(),
            list.join("；")
        ));
    }
    if let Some(r) = f.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        facts.push(format!("督办事由：{}。", r.trim().trim_end_matches('。')));
    }
    let mut requirements = vec![
        "一、主要负责同志要亲自研究部署，逐项查找滞后原因，明确责任人和完成时间，加快推进办理。"
            .to_owned(),
        "二、责任单位要密切配合，按照职责分工抓好落实，不得推诿。".to_owned(),
    ];
    requirements.push(match f.reply_due {
        Some(d) => format!(
            "三、请于{}前将整改落实情况书面报送{}。逾期未反馈的，按程序升级督办。",
            date_zh(d),
            f.issuer
        ),
        None => format!("三、请将整改落实情况及时书面报送{}。", f.issuer),
    });
    OrderDocument {
        title: "督办单".to_owned(),
        number: f.number.clone().unwrap_or_else(|| "未编号".to_owned()),
        addressee: format!("{}：", f.lead_unit),
        facts,
        requirements,
        issuer: f.issuer.clone(),
        issued_on: date_zh(f.issued_on),
        answer: f.answered.as_ref().map(|(d, t)| (date_zh(*d), t.clone())),
        answer_files: if f.answered.is_some() {
            f.answer_files
                .iter()
                .enumerate()
                .map(|(i, n)| format!("{}.{n}", i + 1))
                .collect()
        } else {
            Vec::new()
        },
    }
}

#[cfg(test)]
mod tests;
