//! Due dates and SLA clocks that follow from an item's history: the rules, pure, as methods
//! of the one [`Policy`]. The engine only loads the events they read.

use crate::calendar::CalendarError;
use crate::command::{Command, Decision};
use crate::event::{Event, EventKind};
use crate::item::{Item, ItemKind};
use crate::payload::Payload;
use crate::policy::Policy;
use crate::sla::{self, MilestoneStatus, Pause, deadline_clock, policy_clocks};
use crate::state::Action;
use chrono::{DateTime, NaiveDate, Utc};

impl Policy {
    /// Where `command` moves the due date of `before`, if a rule says so: a problem assigned
    /// without a deadline is due when its SLA's last milestone falls; a resumed item is due
    /// later by the working days it spent suspended since `suspended_at` (its last 暂缓).
    ///
    /// # Errors
    /// When the calendar does not cover the dates.
    pub fn moved_due(
        &self,
        before: &Item,
        command: &Command,
        after: &Item,
        suspended_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Option<NaiveDate>, CalendarError> {
        match command {
            Command::Assign { .. }
                if after.kind == ItemKind::Problem && after.deadline.is_none() =>
            {
                let days = self
                    .problem_sla
                    .milestones
                    .last()
                    .map_or(5, |m| m.working_days);
                self.calendar
                    .add_working_days(self.local_date(now), days)
                    .map(Some)
            }
            Command::Resume => {
                let (Some(due), Some(from)) = (before.due_on, suspended_at) else {
                    return Ok(None);
                };
                let pause = Pause {
                    from: self.local(from),
                    to: Some(self.local(now)),
                };
                let clock = deadline_clock(&self.calendar, due, &[pause], None, self.local(now))?;
                Ok(Some(clock.due_date))
            }
            _ => Ok(None),
        }
    }

    /// Apply [`Policy::moved_due`] to a decision: the item's due date and the event's
    /// payload say where it moved.
    ///
    /// # Errors
    /// When the calendar does not cover the dates.
    pub fn settle_due(
        &self,
        before: &Item,
        command: &Command,
        decision: &mut Decision,
        suspended_at: Option<DateTime<Utc>>,
    ) -> Result<(), CalendarError> {
        let now = decision.item.updated_at;
        let Some(due) = self.moved_due(before, command, &decision.item, suspended_at, now)? else {
            return Ok(());
        };
        if decision.item.due_on == Some(due) {
            return Ok(());
        }
        decision.item.due_on = Some(due);
        match &mut decision.event.payload {
            Payload::Assigned(a) => a.due_on = Some(due),
            Payload::Resumed(r) => r.due_on = Some(due),
            _ => {}
        }
        Ok(())
    }

    /// The item's SLA clocks at `now`, from its event trail (suspensions pause them). Empty
    /// when the calendar does not cover the dates or the item has not been assigned.
    pub fn clocks(
        &self,
        item: &Item,
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Vec<MilestoneStatus> {
        let now = self.local(now);
        let first = |action: Action| {
            events
                .iter()
                .find(|e| e.kind == EventKind::Action(action))
                .map(|e| self.local(e.at))
        };
        let mut pauses: Vec<Pause> = Vec::new();
        for e in events {
            match e.kind {
                EventKind::Action(Action::Suspend) => pauses.push(Pause {
                    from: self.local(e.at),
                    to: None,
                }),
                EventKind::Action(Action::Resume) => {
                    if let Some(p) = pauses.last_mut() {
                        p.to = Some(self.local(e.at));
                    }
                }
                _ => {}
            }
        }
        let Some(assigned) = first(Action::Assign) else {
            return Vec::new();
        };
        if let Some(deadline) = item.deadline {
            return deadline_clock(
                &self.calendar,
                deadline,
                &pauses,
                first(Action::RequestClosure),
                now,
            )
            .map(|clock| {
                vec![MilestoneStatus {
                    key: "deadline".into(),
                    label: "完成时限".into(),
                    clock,
                }]
            })
            .unwrap_or_default();
        }
        if item.kind != ItemKind::Problem {
            return Vec::new();
        }
        let met = |key: &str| match key {
            sla::RESPOND => first(Action::Accept),
            // The lead unit's opinion: a co-unit's report does not meet the milestone.
            sla::OPINION => events
                .iter()
                .find(|e| {
                    e.kind == EventKind::Action(Action::Report) && e.actor_unit == item.lead_unit
                })
                .map(|e| self.local(e.at)),
            sla::RESOLVE => first(Action::RequestClosure),
            _ => None,
        };
        policy_clocks(
            &self.calendar,
            &self.problem_sla,
            assigned,
            &pauses,
            met,
            now,
        )
        .unwrap_or_default()
    }
}
