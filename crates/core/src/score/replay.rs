//! Walk one item's chain in order, keeping the facts the rules need as the events state
//! them (never the item's current row): the lead unit (交办, 转办, 编辑), the due date (交办,
//! 调整时限, 同意延期, 恢复), the grade (filing), the last closure request, the reporting duties the
//! ladder named and the reports sent. Each matching event yields a candidate line, charged
//! to a unit, before caps.

use super::rules::{Points, RuleKind, ScoringRules};
use super::{Line, quarter_index};
use crate::event::{Event, EventKind};
use crate::ids::UnitId;
use crate::payload::{DutyEscalated, Payload};
use crate::policy::Policy;
use crate::state::Action;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// A line before caps, with the unit it is charged to and its place in time.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub unit: UnitId,
    /// The event's instant in microseconds: the order caps take lines in.
    pub at: i64,
    pub line: Line,
}

/// What one chain yields.
#[derive(Debug, Default)]
pub(crate) struct Replayed {
    /// The item's title as its events last state it (filing, 编辑).
    pub title: Option<String>,
    pub leads: BTreeSet<UnitId>,
    pub candidates: Vec<Candidate>,
}

/// A reporting duty as the ladder's events describe it.
#[derive(Debug)]
struct DutySeen<'a> {
    due_on: NaiveDate,
    /// The first step after the due date: the event a 缺报 line points to.
    overdue: Option<&'a Event>,
}

struct Chain<'r> {
    rules: &'r ScoringRules,
    policy: &'r Policy,
    weight: i64,
    out: Replayed,
}

impl Chain<'_> {
    /// Add a candidate for `kind` when the rule is configured: `base` points (or the
    /// rule's own), plus its per-day points for `late` days, weighted by grade.
    fn push(
        &mut self,
        kind: RuleKind,
        unit: Option<UnitId>,
        e: &Event,
        step: Option<String>,
        late: Option<i64>,
        duty_period: Option<String>,
    ) {
        let (Some(rule), Some(unit)) = (self.rules.rules.get(&kind), unit) else {
            return;
        };
        let base = match &step {
            Some(s) => match rule.steps.get(s) {
                Some(p) => *p,
                None => return,
            },
            None => rule.points,
        };
        let per_day = Points(rule.per_working_day.0 * late.unwrap_or(0).max(0));
        let points = (base + per_day).weighted(self.weight);
        self.out.candidates.push(Candidate {
            unit,
            at: e.at.timestamp_micros(),
            line: Line {
                rule: kind,
                points,
                item_id: e.item_id,
                event_seq: e.seq,
                on: self.policy.local_date(e.at),
                step,
                working_days_late: late,
                duty_period,
                trimmed: Points::ZERO,
            },
        });
    }
}

impl Chain<'_> {
    /// 对账单逾期未签: once per statement, at its first step past the due date. The statement
    /// is not its anchor item's, so the item's grade does not weigh it.
    fn statement_step(&mut self, d: &DutyEscalated, e: &Event, seen: &mut BTreeSet<Uuid>) {
        let Some(statement) = d.statement else { return };
        if d.working_days_late <= 0 || !seen.insert(statement) {
            return;
        }
        let grade = std::mem::replace(&mut self.weight, 100);
        let late = Some(i64::from(d.working_days_late));
        let period = Some(d.period.clone());
        self.push(RuleKind::StatementUnsigned, d.unit, e, None, late, period);
        self.weight = grade;
    }
}

/// Replay one item's events (in `seq` order).
pub(crate) fn replay(rules: &ScoringRules, policy: &Policy, events: &[&Event]) -> Replayed {
    let mut c = Chain {
        rules,
        policy,
        weight: 100,
        out: Replayed::default(),
    };
    let mut lead: Option<UnitId> = None;
    // A unit is scored for an item from its 交办 on (a draft is nobody's task yet).
    let mut assigned = false;
    let mut due: Option<NaiveDate> = None;
    // The last 申请销号: its date, the unit that asked, the due date then in force.
    let mut request: Option<(NaiveDate, Option<UnitId>, Option<NaiveDate>)> = None;
    // (duty period, unit) → the duty; (report period, unit) → the first report.
    let mut duties: BTreeMap<(String, UnitId), DutySeen> = BTreeMap::new();
    let mut reports: BTreeMap<(String, UnitId), &Event> = BTreeMap::new();
    let mut statements = BTreeSet::new();
    for &e in events {
        let Ok(payload) = e.details() else { continue };
        let on = policy.local_date(e.at);
        match (&e.kind, &payload) {
            (EventKind::Create, Payload::Created(p)) => {
                c.weight = rules.weight(p.grade.as_deref());
                c.out.title = Some(p.title.clone());
            }
            (_, Payload::Assigned(a)) => {
                assigned = true;
                lead = a.lead_unit.or(lead);
                due = a.due_on.or(a.deadline).or(due);
            }
            (_, Payload::Transferred(t)) => lead = Some(t.to_unit),
            (_, Payload::Edited(ed)) => {
                if let Some(ch) = &ed.lead_unit {
                    lead = ch.to;
                }
                if let Some(ch) = &ed.title {
                    c.out.title = Some(ch.to.clone());
                }
            }
            (_, Payload::Rescheduled(r)) => due = Some(r.deadline),
            (_, Payload::ExtensionApproved(x)) => {
                // 批准延期: charged to the lead unit that asked; the new date is the due date
                // 按期/逾期销号 is judged by from now on.
                due = Some(x.to);
                c.push(RuleKind::ExtensionApproved, lead, e, None, None, None);
            }
            (_, Payload::Resumed(r)) => due = r.due_on.or(due),
            (_, Payload::ClosureRequested(_)) => request = Some((on, e.actor_unit.or(lead), due)),
            (EventKind::Action(Action::Reject), _) => {
                let asker = request.as_ref().and_then(|r| r.1).or(lead);
                c.push(RuleKind::ClosureRejected, asker, e, None, None, None);
            }
            (_, Payload::Verified(_)) => {
                let (asked_on, due_then) = match &request {
                    Some((d, _, due_then)) => (*d, *due_then),
                    None => (on, due),
                };
                if let Some(due_then) = due_then {
                    let late = policy.days_late_on(due_then, asked_on);
                    if late > 0 {
                        c.push(RuleKind::ClosedLate, lead, e, None, Some(late), None);
                    } else {
                        c.push(RuleKind::ClosedOnTime, lead, e, None, None, None);
                    }
                }
                request = None;
            }
            (_, Payload::Escalated(x)) => {
                c.push(
                    RuleKind::Escalation,
                    lead,
                    e,
                    Some(x.step.clone()),
                    None,
                    None,
                );
            }
            (_, Payload::Reported(r)) => {
                if let Some(u) = e.actor_unit.or(lead) {
                    reports.entry((r.period.clone(), u)).or_insert(e);
                }
            }
            (_, Payload::DutyEscalated(d)) if d.statement.is_some() => {
                c.statement_step(d, e, &mut statements);
            }
            // A 督办单 answered late is not a report missed (缺报): no line of its own yet.
            (_, Payload::DutyEscalated(d)) if d.subject.is_some() => {}
            (_, Payload::DutyEscalated(d)) => {
                let Some(u) = d.unit.or(lead) else { continue };
                let seen = duties.entry((d.period.clone(), u)).or_insert(DutySeen {
                    due_on: d.due_on,
                    overdue: None,
                });
                if d.working_days_late > 0 && seen.overdue.is_none() {
                    seen.overdue = Some(e);
                }
            }
            _ => {}
        }
        if let Some(l) = lead.filter(|_| assigned) {
            c.out.leads.insert(l);
        }
    }
    for ((period, unit), duty) in duties {
        let report = reports.get(&(period.clone(), unit)).copied();
        // 缺报 when the ladder found the duty overdue and no report came before that
        // quarter ended (a later report no longer undoes it).
        let missed = duty.overdue.filter(|m| {
            report.is_none_or(|r| {
                r.at > m.at
                    && quarter_index(policy.local_date(r.at))
                        > quarter_index(policy.local_date(m.at))
            })
        });
        if let Some(m) = missed {
            let late = policy.days_late_on(duty.due_on, policy.local_date(m.at));
            c.push(
                RuleKind::MissedReport,
                Some(unit),
                m,
                None,
                Some(late),
                Some(period),
            );
        } else if let Some(r) = report {
            let late = policy.days_late_on(duty.due_on, policy.local_date(r.at));
            if late > 0 {
                c.push(
                    RuleKind::LateReport,
                    Some(unit),
                    r,
                    None,
                    Some(late),
                    Some(period),
                );
            }
        }
    }
    c.out
}
