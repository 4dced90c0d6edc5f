//! Commands and the one decision function.
//!
//! `decide(item, actor, command, now)` checks the transition table and the guards, and
//! returns the new item, exactly one event and the notifications to enqueue. The store
//! applies all of it in one transaction; nothing else changes an item.

use crate::attachment::{self, Attachment};
use crate::error::DomainError;
use crate::event::{EventDraft, EventKind};
use crate::ids::{ChainId, ItemId, PersonId, UnitId};
use crate::item::{Item, ItemKind, NewItem};
use crate::notify::Notification;
use crate::payload::{
    Assigned, Change, ClosureRequested, Created, Edited, Escalated, Payload, Reasoned, Reported,
    Rescheduled, Resumed, Transferred, Verified,
};
use crate::progress::ProgressReport;
use crate::state::{Action, ItemState, Role, TRANSITIONS, Target, transition};
use crate::validate;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use crate::actor::{Actor, Capacity};

/// A request to change an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    Assign {
        #[serde(default)]
        lead_unit: Option<UnitId>,
        #[serde(default)]
        deadline: Option<NaiveDate>,
    },
    Return {
        reason: String,
    },
    Accept,
    Start,
    Report {
        report: ProgressReport,
    },
    RequestClosure {
        evidence: String,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
    Verify {
        #[serde(default)]
        comment: Option<String>,
    },
    Reject {
        reason: String,
    },
    Reopen {
        reason: String,
    },
    Suspend {
        reason: String,
    },
    Resume,
    Cancel {
        reason: String,
    },
    Transfer {
        to: UnitId,
        reason: String,
    },
    Escalate {
        /// The new level; it never goes down.
        level: i32,
        /// 预警, 催办, 督办, 通报 …
        step: String,
        /// Who is told: decided by the ladder configuration.
        #[serde(default)]
        notify: Vec<UnitId>,
        /// Identifies the deadline the step belongs to, so each step fires once per deadline.
        #[serde(default)]
        deadline_key: String,
        #[serde(default)]
        urgent: bool,
        /// Why (督办事由), for a manual 督办; recorded apart from the step name.
        #[serde(default)]
        reason: Option<String>,
    },
    /// Correct the item as written: title, text, co-units, and the lead unit while the item
    /// is still a draft (an assigned item changes hands by `Transfer`). `None` keeps a field.
    Edit {
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        lead_unit: Option<UnitId>,
        #[serde(default)]
        co_units: Option<Vec<UnitId>>,
        /// The number as printed (序号).
        #[serde(default)]
        number: Option<String>,
        /// The responsible leader (牵头领导).
        #[serde(default)]
        leader: Option<PersonId>,
        /// The chain (产业链/专项) the item belongs to.
        #[serde(default)]
        chain: Option<ChainId>,
        reason: String,
    },
    /// Set a new deadline (调整时限); the due date follows it.
    Reschedule {
        deadline: NaiveDate,
        reason: String,
    },
    /// 申请延期: the lead unit asks for `deadline`, with a reason and files.
    RequestExtension {
        deadline: NaiveDate,
        reason: String,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
    /// 同意延期: the office grants the pending request.
    ApproveExtension {
        #[serde(default)]
        comment: Option<String>,
    },
    /// 不同意延期: the office refuses the pending request; the deadline stays.
    RefuseExtension {
        reason: String,
    },
    /// 批示: a leader's instruction; the office writing it names the leader in `by`.
    Instruct {
        #[serde(default)]
        by: Option<String>,
        text: String,
    },
    /// 回复批示: the lead unit answers the open instruction, with files.
    AnswerInstruction {
        text: String,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
    /// 督办回复: the lead unit answers `order` (as the engine read it) in writing, with files.
    AnswerOrder {
        order: crate::order::OrderRef,
        text: String,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Self::Assign { .. } => Action::Assign,
            Self::Return { .. } => Action::Return,
            Self::Accept => Action::Accept,
            Self::Start => Action::Start,
            Self::Report { .. } => Action::Report,
            Self::RequestClosure { .. } => Action::RequestClosure,
            Self::Verify { .. } => Action::Verify,
            Self::Reject { .. } => Action::Reject,
            Self::Reopen { .. } => Action::Reopen,
            Self::Suspend { .. } => Action::Suspend,
            Self::Resume => Action::Resume,
            Self::Cancel { .. } => Action::Cancel,
            Self::Transfer { .. } => Action::Transfer,
            Self::Escalate { .. } => Action::Escalate,
            Self::Edit { .. } => Action::Edit,
            Self::Reschedule { .. } => Action::Reschedule,
            Self::RequestExtension { .. } => Action::RequestExtension,
            Self::ApproveExtension { .. } => Action::ApproveExtension,
            Self::RefuseExtension { .. } => Action::RefuseExtension,
            Self::Instruct { .. } => Action::Instruct,
            Self::AnswerInstruction { .. } => Action::AnswerInstruction,
            Self::AnswerOrder { .. } => Action::AnswerOrder,
        }
    }
}

/// Everything one accepted command yields; applied atomically by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The item after the command, with `version` already incremented.
    pub item: Item,
    /// Exactly one event per accepted command.
    pub event: EventDraft,
    pub notifications: Vec<Notification>,
    /// A progress report to store alongside.
    pub report: Option<ProgressReport>,
    /// Whether the co-units changed (so the store rewrites them only then).
    pub co_units_changed: bool,
}

fn reasoned(reason: &str) -> Result<Reasoned, DomainError> {
    Ok(Reasoned {
        reason: required(validate::REASON, reason)?,
    })
}

fn change<T>(from: T, to: T) -> Change<T> {
    Change { from, to }
}

pub(crate) fn required(field: validate::Field, value: &str) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        Err(DomainError::invalid(
            field.name,
            "is required for this action",
        ))
    } else {
        validate::check(field, v)?;
        Ok(v.to_owned())
    }
}

/// The actions `actor` may take on `item` now, by the transition table, the
/// self-verification rule and what waits for an answer (a 延期申请, a 批示); guards that
/// depend on the input or the policy are left to [`decide`].
pub fn permitted_actions(item: &Item, actor: &Actor) -> Vec<Action> {
    let roles = actor.roles_for(item);
    let mut out: Vec<Action> = TRANSITIONS
        .iter()
        .filter(|t| t.from.contains(&item.state) && t.roles.iter().any(|r| roles.contains(r)))
        .map(|t| t.action)
        .filter(|a| match a {
            Action::Verify => {
                item.closure_requested_by.is_none() || item.closure_requested_by != actor.unit
            }
            // What waits for an answer decides whether there is one to give.
            Action::RequestExtension => item.extension_requested.is_none(),
            Action::ApproveExtension | Action::RefuseExtension => {
                item.extension_requested.is_some()
            }
            Action::AnswerInstruction => item.instructed_at.is_some(),
            // The open 督办单 is not on the item: `order::may_answer` asks with the order.
            Action::AnswerOrder => false,
            _ => true,
        })
        .collect();
    out.dedup();
    out
}

/// Decide whether `actor` may apply `command` to `item` at `now`, and what follows.
pub fn decide(
    item: &Item,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Decision, DomainError> {
    let action = command.action();
    let row = transition(item.state, action).ok_or_else(|| DomainError::InvalidTransition {
        state: item.state,
        action,
        allowed: item.state.allowed_actions(),
    })?;
    let roles = actor.roles_for(item);
    let Some(role) = row.roles.iter().copied().find(|r| roles.contains(r)) else {
        if actor.capacity == Capacity::Office && row.roles.contains(&Role::Office) {
            return Err(DomainError::OutsideJurisdiction {
                action,
                actor: actor.describe(),
            });
        }
        return Err(DomainError::NotPermitted {
            state: item.state,
            action,
            required: row.roles.to_vec(),
            actor: actor.describe(),
        });
    };

    let mut next = item.clone();
    next.version = item.version + 1;
    next.updated_at = now;
    next.state = match row.to {
        Target::To(s) => s,
        Target::Same => item.state,
        Target::BeforeSuspend => item.suspended_from.unwrap_or(ItemState::InProgress),
    };

    let mut notifications = Vec::new();
    let mut report = None;
    let key = |kind: &str| format!("{}:{}:v{}", item.id, kind, next.version);
    let notify = |recipient: Option<UnitId>, kind: &str, out: &mut Vec<Notification>| {
        if let Some(r) = recipient {
            out.push(Notification {
                recipient: r,
                kind: kind.to_owned(),
                item: Some(item.id),
                dedupe_key: format!("{}:{r}", key(kind)),
                urgent: false,
            });
        }
    };

    let payload = match command {
        Command::Assign {
            lead_unit,
            deadline,
        } => {
            if let Some(lead) = lead_unit {
                next.lead_unit = Some(*lead);
                next.co_units.retain(|u| u != lead);
            }
            if let Some(d) = deadline {
                validate::check_date("deadline", *d)?;
                next.deadline = Some(*d);
                next.due_on = Some(*d);
            }
            if next.lead_unit.is_none() {
                return Err(DomainError::invalid(
                    "lead_unit",
                    "an item needs a lead unit (牵头单位) before it can be assigned",
                ));
            }
            notify(next.lead_unit, "assigned", &mut notifications);
            for co in next.co_units.clone() {
                notify(Some(co), "assigned", &mut notifications);
            }
            Payload::Assigned(Assigned {
                lead_unit: next.lead_unit,
                deadline: next.deadline,
                due_on: None,
            })
        }
        Command::Return { reason } => {
            notify(item.owner_unit, "returned", &mut notifications);
            Payload::Returned(reasoned(reason)?)
        }
        Command::Accept => Payload::Accepted,
        Command::Start => Payload::Started,
        Command::Resume => {
            next.suspended_from = None;
            Payload::Resumed(Resumed::default())
        }
        Command::Report { report: r } => {
            r.validate()?;
            // Each unit's report is its own row; the item carries the lead unit's figures
            // only. A co-unit's report neither moves the item (开始办理 is the lead's) nor
            // overwrites the lead's percent.
            if role == Role::LeadUnit {
                if let Some(p) = r.percent {
                    next.progress_percent = Some(p);
                }
            } else {
                next.state = item.state;
            }
            report = Some(r.clone());
            Payload::Reported(Reported {
                period: r.period.clone(),
                percent: r.percent,
                attachments: r
                    .attachments
                    .iter()
                    .filter(|a| a.file().is_some())
                    .cloned()
                    .collect(),
            })
        }
        Command::RequestClosure {
            evidence,
            attachments,
        } => {
            let evidence = required(validate::EVIDENCE, evidence)?;
            attachment::check_list(attachments)?;
            next.closure_requested_by = actor.unit;
            notify(item.owner_unit, "closure_requested", &mut notifications);
            Payload::ClosureRequested(ClosureRequested {
                evidence,
                attachments: attachment::trimmed(attachments),
            })
        }
        Command::Verify { comment } => {
            if item.closure_requested_by.is_some() && item.closure_requested_by == actor.unit {
                return Err(DomainError::SelfVerification);
            }
            if actor.unit.is_none() {
                return Err(DomainError::invalid(
                    "actor",
                    "a verification must be made by a named unit",
                ));
            }
            if let Some(c) = comment {
                validate::check(validate::COMMENT, c)?;
            }
            next.closed_at = Some(now);
            next.progress_percent = Some(100);
            // A request left unanswered has nothing left to extend.
            next.extension_requested = None;
            notify(item.lead_unit, "verified", &mut notifications);
            Payload::Verified(Verified {
                comment: comment.as_ref().map(|c| c.trim().to_owned()),
                requested_by: item.closure_requested_by,
            })
        }
        Command::Reject { reason } => {
            next.closure_requested_by = None;
            notify(item.lead_unit, "rejected", &mut notifications);
            Payload::Rejected(reasoned(reason)?)
        }
        Command::Reopen { reason } => {
            next.closure_requested_by = None;
            next.closed_at = None;
            notify(item.lead_unit, "reopened", &mut notifications);
            Payload::Reopened(reasoned(reason)?)
        }
        Command::Suspend { reason } => {
            next.suspended_from = Some(item.state);
            Payload::Suspended(reasoned(reason)?)
        }
        Command::Cancel { reason } => {
            // A cancelled item never resumes, nor is extended.
            next.suspended_from = None;
            next.extension_requested = None;
            Payload::Cancelled(reasoned(reason)?)
        }
        Command::Transfer { to, reason } => {
            if item.lead_unit == Some(*to) {
                return Err(DomainError::invalid(
                    "to",
                    "the item is already led by this unit",
                ));
            }
            let reason = required(validate::REASON, reason)?;
            next.lead_unit = Some(*to);
            // The new lead unit asks for itself if it needs more time.
            next.extension_requested = None;
            next.co_units.retain(|u| u != to);
            notify(Some(*to), "assigned", &mut notifications);
            Payload::Transferred(Transferred {
                reason,
                from_unit: item.lead_unit,
                to_unit: *to,
            })
        }
        Command::Escalate {
            level,
            step,
            notify: recipients,
            deadline_key,
            urgent,
            reason,
        } => {
            if step.trim().is_empty() {
                return Err(DomainError::invalid("step", "is required"));
            }
            validate::check(validate::STEP, step)?;
            if *level < item.escalation_level {
                return Err(DomainError::invalid(
                    "level",
                    format!(
                        "escalation never goes down: item is at level {}, asked {level}",
                        item.escalation_level
                    ),
                ));
            }
            next.escalation_level = *level;
            let reason = match reason {
                Some(r) => Some(required(validate::REASON, r)?),
                None => None,
            };
            let kind = format!("escalation:{step}");
            for r in recipients {
                notifications.push(Notification {
                    recipient: *r,
                    kind: kind.clone(),
                    item: Some(item.id),
                    // One message per step, per deadline, per recipient — whatever the version.
                    dedupe_key: format!("{}:{kind}:{deadline_key}:{r}", item.id),
                    urgent: *urgent,
                });
            }
            Payload::Escalated(Escalated {
                step: step.clone(),
                level: *level,
                deadline_key: deadline_key.clone(),
                reason,
                reply_due: None,
            })
        }
        Command::Edit {
            title,
            text,
            lead_unit,
            co_units,
            number,
            leader,
            chain,
            reason,
        } => {
            let mut edited = Edited {
                reason: required(validate::REASON, reason)?,
                ..Edited::default()
            };
            if let Some(t) = title {
                let t = t.trim();
                if t.is_empty() {
                    return Err(DomainError::invalid("title", "must not be empty"));
                }
                validate::check(validate::TITLE, t)?;
                if t != item.title {
                    edited.title = Some(change(item.title.clone(), t.to_owned()));
                    next.title = t.to_owned();
                }
            }
            if let Some(t) = text {
                let t = t.trim();
                validate::check(validate::ITEM_TEXT, t)?;
                if t != item.text {
                    edited.text = Some(change(item.text.clone(), t.to_owned()));
                    next.text = t.to_owned();
                }
            }
            if let Some(lead) = lead_unit
                && item.lead_unit != Some(*lead)
            {
                if item.state != ItemState::Draft {
                    return Err(DomainError::invalid(
                        "lead_unit",
                        "the lead unit of an assigned item changes by transfer (转办)",
                    ));
                }
                edited.lead_unit = Some(change(item.lead_unit, Some(*lead)));
                next.lead_unit = Some(*lead);
            }
            if let Some(co) = co_units {
                let mut list: Vec<UnitId> = Vec::new();
                for u in co {
                    if Some(*u) != next.lead_unit && !list.contains(u) {
                        list.push(*u);
                    }
                }
                if list != item.co_units {
                    edited.co_units = Some(change(item.co_units.clone(), list.clone()));
                }
                next.co_units = list;
            } else if let Some(lead) = next.lead_unit {
                next.co_units.retain(|u| *u != lead);
            }
            if let Some(n) = number {
                let n = n.trim();
                validate::check(validate::NUMBER, n)?;
                let n = (!n.is_empty()).then(|| n.to_owned());
                if n != item.number {
                    edited.number = Some(change(item.number.clone(), n.clone()));
                    next.number = n;
                }
            }
            if let Some(p) = leader
                && item.leader != Some(*p)
            {
                edited.leader = Some(change(item.leader, Some(*p)));
                next.leader = Some(*p);
            }
            if let Some(c) = chain
                && item.chain_id != Some(*c)
            {
                edited.chain = Some(Box::new(change(item.chain_id, Some(*c))));
                next.chain_id = Some(*c);
            }
            if edited
                == (Edited {
                    reason: edited.reason.clone(),
                    ..Edited::default()
                })
            {
                return Err(DomainError::invalid("edit", "nothing to change"));
            }
            Payload::Edited(edited)
        }
        Command::Reschedule { deadline, reason } => {
            let reason = required(validate::REASON, reason)?;
            validate::check_date("deadline", *deadline)?;
            if item.deadline == Some(*deadline) && item.due_on == Some(*deadline) {
                return Err(DomainError::invalid(
                    "deadline",
                    "the item already has this deadline",
                ));
            }
            let from = item.deadline;
            next.deadline = Some(*deadline);
            next.due_on = Some(*deadline);
            next.deadline_text = None;
            notify(
                next.lead_unit.filter(|_| item.state != ItemState::Draft),
                "rescheduled",
                &mut notifications,
            );
            Payload::Rescheduled(Rescheduled {
                reason,
                from,
                deadline: *deadline,
            })
        }
        Command::RequestExtension { .. }
        | Command::ApproveExtension { .. }
        | Command::RefuseExtension { .. } => {
            let (payload, told) = crate::extension::decide_extension(item, command, &mut next)?;
            notifications.extend(told);
            payload
        }
        Command::Instruct { .. } | Command::AnswerInstruction { .. } => {
            let (payload, told) =
                crate::instruction::decide_instruction(item, actor, role, command, &mut next, now)?;
            notifications.extend(told);
            payload
        }
        Command::AnswerOrder { .. } => {
            let (payload, told) = crate::order::decide_answer(item, command, &next)?;
            notifications.extend(told);
            payload
        }
    };

    let event = EventDraft {
        kind: EventKind::Action(action),
        from_state: Some(item.state),
        to_state: next.state,
        actor_unit: actor.unit,
        actor_role: role.as_str().to_owned(),
        actor_name: actor.name.clone(),
        payload,
    };
    Ok(Decision {
        co_units_changed: next.co_units != item.co_units,
        item: next,
        event,
        notifications,
        report,
    })
}

/// File a new item as a draft. This is the `create` command: it yields the item at
/// version 1 and the first event of its chain.
pub fn new_item(
    id: ItemId,
    new: &NewItem,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Decision, DomainError> {
    if !matches!(
        actor.capacity,
        Capacity::Office | Capacity::Supervision | Capacity::System
    ) {
        return Err(DomainError::NotPermitted {
            state: ItemState::Draft,
            action: Action::Assign,
            required: vec![Role::Office, Role::Supervision, Role::System],
            actor: actor.describe(),
        });
    }
    let title = new.title.trim();
    if title.is_empty() {
        return Err(DomainError::invalid("title", "must not be empty"));
    }
    validate::check(validate::TITLE, title)?;
    validate::check(validate::ITEM_TEXT, &new.text)?;
    validate::check_opt(validate::NUMBER, new.number.as_deref().map(str::trim))?;
    validate::check_opt(validate::GRADE, new.grade.as_deref())?;
    validate::check_opt(validate::DEADLINE_TEXT, new.deadline_text.as_deref())?;
    if let Some(d) = new.deadline {
        validate::check_date("deadline", d)?;
    }
    let mut co_units: Vec<UnitId> = Vec::new();
    for u in &new.co_units {
        if Some(*u) == new.lead_unit {
            continue;
        }
        if !co_units.contains(u) {
            co_units.push(*u);
        }
    }
    for t in &new.targets {
        if t.metric.trim().is_empty() {
            return Err(DomainError::invalid("targets", "a target needs a metric"));
        }
        validate::check(validate::TARGET_METRIC, &t.metric)?;
        validate::check(validate::TARGET_UNIT, &t.unit)?;
        if !t.value.is_finite() {
            return Err(DomainError::invalid(
                "targets",
                "target value must be a number",
            ));
        }
        if let Some(c) = &t.cmp
            && !matches!(c.as_str(), ">=" | ">" | "<=" | "<" | "=")
        {
            return Err(DomainError::invalid(
                "targets",
                format!("cmp `{c}` must be one of >=, >, <=, <, ="),
            ));
        }
    }
    let item = Item {
        id,
        kind: new.kind.unwrap_or(ItemKind::Task),
        number: new
            .number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        title: title.to_owned(),
        text: new.text.trim().to_owned(),
        plan_id: new.plan_id,
        chain_id: new.chain_id,
        owner_unit: new.owner_unit.or(actor.unit),
        lead_unit: new.lead_unit,
        co_units,
        leader: new.leader,
        deadline: new.deadline,
        due_on: new.deadline,
        deadline_text: new.deadline_text.clone(),
        grade: new.grade.clone(),
        class: new.class,
        state: ItemState::Draft,
        suspended_from: None,
        escalation_level: 0,
        closure_requested_by: None,
        extension_requested: None,
        instructed_at: None,
        progress_percent: None,
        version: 1,
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    let event = EventDraft {
        kind: EventKind::Create,
        from_state: None,
        to_state: ItemState::Draft,
        actor_unit: actor.unit,
        actor_role: match actor.capacity {
            Capacity::Supervision => Role::Supervision,
            Capacity::System => Role::System,
            _ => Role::Office,
        }
        .as_str()
        .into(),
        actor_name: actor.name.clone(),
        payload: Payload::Created(Created {
            title: item.title.clone(),
            kind: item.kind,
            grade: item.grade.clone(),
        }),
    };
    Ok(Decision {
        item,
        event,
        notifications: Vec::new(),
        report: None,
        co_units_changed: true,
    })
}

#[cfg(test)]
mod tests;
