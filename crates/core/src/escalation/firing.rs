//! Firing a step of the ladder: who hears of it, the 督办单 it makes, and what a fire
//! leaves behind. The scheduler (by working days late) and a manual 督办 by the
//! supervision office (the next step above the item's level) both go through here, so a
//! step means the same whoever takes it.

use super::{Audience, Ladder, Step};
use crate::command::{Actor, Command, Decision, decide, permitted_actions};
use crate::error::DomainError;
use crate::event::{EventDraft, EventKind};
use crate::ids::{ItemId, PersonId, UnitId};
use crate::item::Item;
use crate::notify::Notification;
use crate::payload::{DutyEscalated, Payload, date_zh};
use crate::policy::Policy;
use crate::state::Action;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// The wider circles of the ladder: every supervision unit, and each leader's unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Circle {
    pub supervision: Vec<UnitId>,
    pub leader_units: HashMap<PersonId, UnitId>,
}

/// The claim that a step fired for a subject and due date (unique on subject, due date,
/// step): what makes each step happen once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fire {
    /// `item` or `duty`.
    pub subject_kind: &'static str,
    pub subject_id: Uuid,
    pub item: Option<ItemId>,
    pub unit: Option<UnitId>,
    pub due_on: NaiveDate,
    pub step: String,
    pub level: i32,
    pub working_days_late: i32,
}

fn push_unique(out: &mut Vec<UnitId>, u: Option<UnitId>) {
    if let Some(u) = u
        && !out.contains(&u)
    {
        out.push(u);
    }
}

/// The units told of `step` on `item`, in the order of the step's audiences, each once.
pub fn recipients(step: &Step, item: &Item, circle: &Circle) -> Vec<UnitId> {
    let mut out = Vec::new();
    for a in &step.notify {
        match a {
            Audience::Lead => push_unique(&mut out, item.lead_unit),
            Audience::Co => {
                for c in &item.co_units {
                    push_unique(&mut out, Some(*c));
                }
            }
            Audience::Leader => push_unique(
                &mut out,
                item.leader
                    .and_then(|p| circle.leader_units.get(&p).copied()),
            ),
            Audience::Office => push_unique(&mut out, item.owner_unit),
            Audience::Supervision => {
                for s in &circle.supervision {
                    push_unique(&mut out, Some(*s));
                }
            }
        }
    }
    out
}

/// The text of a 督办单, in the register of an official notice.
pub fn order_text(step: &Step, item: &Item, due: NaiveDate, late: i64) -> String {
    let when = date_zh(due);
    let standing = if late > 0 {
        format!("已逾期 {late} 个工作日")
    } else if late == 0 {
        "今日到期".to_owned()
    } else {
        format!("距完成时限尚有 {} 个工作日", -late)
    };
    format!(
        "{}单：{}{}（完成时限 {when}，{standing}），请牵头单位立即办理并反馈。",
        step.name,
        item.number.as_deref().unwrap_or(""),
        item.title
    )
}

/// Everything one step firing on one item asks for: the command to decide, the claim and
/// the 督办单 text when the step makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFiring {
    pub command: Command,
    pub fire: Fire,
    pub order: Option<String>,
    /// The date by which the lead unit must reply to the 督办单.
    pub reply_due: Option<NaiveDate>,
    /// The local date the 督办单 is issued on: its number is of that year.
    pub issued_on: Option<NaiveDate>,
}

impl StepFiring {
    /// The lead unit must reply to the step's 督办单 by `date`: the order says so, and the
    /// event records it. Without a 督办单 there is nothing to reply to.
    #[must_use]
    pub fn reply_by(mut self, date: Option<NaiveDate>) -> StepFiring {
        if let (Some(date), Some(text)) = (date, self.order.as_mut()) {
            text.push_str(&format!("请于{}前书面反馈办理情况。", date_zh(date)));
            self.reply_due = Some(date);
        }
        self
    }

    /// The 督办单 (if the step makes one) is issued `today`, numbered in that year.
    #[must_use]
    pub fn issued(mut self, today: NaiveDate) -> StepFiring {
        if self.order.is_some() {
            self.issued_on = Some(today);
        }
        self
    }
}

/// Decide the command of a firing on `item`, recording the reply date in the event.
///
/// # Errors
/// As [`decide`].
pub fn decide_firing(
    item: &Item,
    actor: &Actor,
    firing: &StepFiring,
    now: DateTime<Utc>,
) -> Result<Decision, DomainError> {
    let mut decision = decide(item, actor, &firing.command, now)?;
    if let Payload::Escalated(e) = &mut decision.event.payload {
        e.reply_due = firing.reply_due;
    }
    Ok(decision)
}

/// Fire `step` on `item`, due on `due` and `late` working days late (negative: days left).
/// `reason` is the 督办事由 of a manual 督办; the scheduler has none.
pub fn item_escalation(
    step: &Step,
    item: &Item,
    circle: &Circle,
    due: NaiveDate,
    late: i64,
    reason: Option<String>,
) -> StepFiring {
    StepFiring {
        command: Command::Escalate {
            level: step.level.max(item.escalation_level),
            step: step.name.clone(),
            notify: recipients(step, item, circle),
            deadline_key: due.to_string(),
            urgent: step.urgent,
            reason,
        },
        fire: Fire {
            subject_kind: "item",
            subject_id: item.id.0,
            item: Some(item.id),
            unit: item.lead_unit,
            due_on: due,
            step: step.name.clone(),
            level: step.level,
            working_days_late: i32::try_from(late).unwrap_or(i32::MAX),
        },
        order: step.order.then(|| order_text(step, item, due, late)),
        reply_due: None,
        issued_on: None,
    }
}

/// A manual 督办: the next configured step above the item's level, whatever the date. An
/// item without a due date is counted as due `today`. Refused at the top of the ladder.
///
/// # Errors
/// [`DomainError::LadderTop`] when no step lies above the item's level; `Invalid` without a
/// reason.
pub fn manual_escalation(
    ladder: &Ladder,
    item: &Item,
    circle: &Circle,
    today: NaiveDate,
    late: Option<i64>,
    reason: &str,
) -> Result<StepFiring, DomainError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DomainError::invalid("reason", "督办事由 is required"));
    }
    let step = ladder
        .next_above(item.escalation_level)
        .ok_or_else(|| DomainError::LadderTop {
            level: item.escalation_level,
            step: ladder
                .steps
                .last()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
        })?;
    let due = item.due_on.unwrap_or(today);
    Ok(item_escalation(
        step,
        item,
        circle,
        due,
        late.unwrap_or(0),
        Some(reason.to_owned()),
    ))
}

/// A manual 督办 decided whole: first who may escalate from which state (the transition
/// table, so a unit that may not is told so, whatever the ladder), then the next step, then
/// the decision on the item.
///
/// # Errors
/// As [`decide`] and [`manual_escalation`].
#[allow(clippy::too_many_arguments)]
pub fn decide_manual_escalation(
    policy: &Policy,
    item: &Item,
    actor: &Actor,
    circle: &Circle,
    today: NaiveDate,
    late: Option<i64>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(Decision, StepFiring), DomainError> {
    if !permitted_actions(item, actor).contains(&Action::Escalate) {
        // Not allowed here or not by this actor: `decide` names the refusal.
        let probe = Command::Escalate {
            level: item.escalation_level,
            step: "-".into(),
            notify: Vec::new(),
            deadline_key: String::new(),
            urgent: false,
            reason: None,
        };
        decide(item, actor, &probe, now)?;
    }
    let firing = manual_escalation(&policy.ladder, item, circle, today, late, reason)?;
    let step = policy
        .ladder
        .steps
        .iter()
        .find(|s| s.name == firing.fire.step);
    let firing = firing
        .reply_by(step.and_then(|s| policy.reply_due(s, today)))
        .issued(today);
    let decision = decide_firing(item, actor, &firing, now)?;
    Ok((decision, firing))
}

/// A reporting duty as the ladder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutySubject {
    pub id: Uuid,
    pub unit: UnitId,
    pub item: Option<ItemId>,
    pub title: String,
    pub period_key: String,
    pub due_on: NaiveDate,
    /// Set when the duty is a 对账单's signature.
    pub statement: Option<StatementAnchor>,
}

/// A 对账单 has no event chain of its own, so the steps of its signature duty are recorded
/// in the chain of one of its items: the event a unit opens to see why it was reminded,
/// and the event the 考核 line `statement_unsigned` points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementAnchor {
    pub statement: Uuid,
    /// The item whose chain records the steps: see [`statement_anchor`].
    pub item: ItemId,
}

/// The item a statement's steps are recorded on: its first line the unit leads, else its
/// first line — so the event stands on an item the unit itself answers for where it can.
/// `lines` are `(line number, item, the unit leads it)`.
pub fn statement_anchor(lines: &[(i32, ItemId, bool)]) -> Option<ItemId> {
    lines
        .iter()
        .min_by_key(|(seq, _, leads)| (!*leads, *seq))
        .map(|(_, item, _)| *item)
}

/// The kind of the event a duty escalation leaves in its item's chain.
pub const DUTY_ESCALATED: EventKind = EventKind::DutyEscalated;

/// What a duty escalation writes: the claim, the notifications (with their payload) and,
/// for a duty that belongs to an item, a decision on the item: its next version and a
/// `duty_escalated` event in its chain, so the audit trail shows the step.
#[derive(Debug, Clone, PartialEq)]
pub struct DutyDecision {
    pub fire: Fire,
    pub notifications: Vec<Notification>,
    /// Details of the step, for the event and the outbox rows.
    pub payload: serde_json::Value,
    pub item: Option<Decision>,
}

/// Decide the escalation of an overdue (or nearly due) duty by `step`. `item` is the duty's
/// item when it has one (for a 对账单, its anchor item), as read.
pub fn decide_duty_escalation(
    step: &Step,
    duty: &DutySubject,
    item: Option<&Item>,
    circle: &Circle,
    late: i64,
    now: DateTime<Utc>,
) -> DutyDecision {
    let mut units = Vec::new();
    for a in &step.notify {
        match a {
            Audience::Lead | Audience::Co => push_unique(&mut units, Some(duty.unit)),
            Audience::Office => push_unique(&mut units, item.and_then(|i| i.owner_unit)),
            Audience::Leader => push_unique(
                &mut units,
                item.and_then(|i| i.leader)
                    .and_then(|p| circle.leader_units.get(&p).copied()),
            ),
            Audience::Supervision => {
                for s in &circle.supervision {
                    push_unique(&mut units, Some(*s));
                }
            }
        }
    }
    let kind = if late > 0 { "duty_missed" } else { "duty_due" };
    let notifications = units
        .into_iter()
        .map(|r| Notification {
            recipient: r,
            kind: kind.to_owned(),
            item: duty.item,
            dedupe_key: format!("duty:{}:{}:{}:{r}", duty.id, duty.due_on, step.name),
            urgent: step.urgent,
        })
        .collect();
    let working_days_late = i32::try_from(late).unwrap_or(i32::MAX);
    let details = DutyEscalated {
        duty: duty.id,
        duty_title: duty.title.clone(),
        period: duty.period_key.clone(),
        due_on: duty.due_on,
        step: step.name.clone(),
        level: step.level,
        working_days_late,
        unit: Some(duty.unit),
        statement: duty.statement.map(|s| s.statement),
        subject: None,
    };
    let payload = serde_json::to_value(&details).unwrap_or_default();
    let chain = duty.item.or(duty.statement.map(|s| s.item));
    let item_decision = item.filter(|i| Some(i.id) == chain).map(|i| {
        let mut next = i.clone();
        next.version = i.version + 1;
        next.updated_at = now;
        let system = Actor::system();
        Decision {
            event: EventDraft {
                kind: DUTY_ESCALATED,
                from_state: Some(i.state),
                to_state: i.state,
                actor_unit: None,
                actor_role: crate::state::Role::System.as_str().to_owned(),
                actor_name: system.name,
                payload: Payload::DutyEscalated(details),
            },
            item: next,
            notifications: Vec::new(),
            report: None,
            co_units_changed: false,
        }
    });
    DutyDecision {
        fire: Fire {
            subject_kind: "duty",
            subject_id: duty.id,
            item: duty.item,
            unit: Some(duty.unit),
            due_on: duty.due_on,
            step: step.name.clone(),
            level: step.level,
            working_days_late,
        },
        notifications,
        payload,
        item: item_decision,
    }
}

#[cfg(test)]
mod tests;
