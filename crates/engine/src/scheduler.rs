//! The durable scheduler: one `tick(now)` opens due reporting cycles, marks missed duties
//! and fires escalation steps. Every effect is claimed by a unique row written in the same
//! transaction, so any number of instances may tick at once and each occurrence and each
//! step happens exactly once; a tick that dies half-way is finished by the next one.

use crate::{Engine, EngineError};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use xiaohao_core::cycles::CycleDef;
use xiaohao_core::escalation::{Audience, Ladder, Step, latest_due_reached};
use xiaohao_core::notify::Notification;
use xiaohao_core::{Actor, Command, Item, UnitId, decide};
use xiaohao_store::schedule::DutyRow;
use xiaohao_store::{Circle, DutyEscalation, EscalationEntry, FireRow, StoreError};

/// What one tick did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TickReport {
    pub occurrences: u64,
    pub duties_opened: u64,
    pub duties_missed: u64,
    /// Item escalations by step name.
    pub item_steps: BTreeMap<String, u64>,
    /// Duty escalations by step name.
    pub duty_steps: BTreeMap<String, u64>,
    /// Claims another instance (or a concurrent change) won; retried next tick if needed.
    pub skipped: u64,
}

#[derive(Debug, Clone)]
pub struct Scheduler {
    engine: Engine,
    ladder: Ladder,
    cycles: Vec<(CycleDef, croner::Cron)>,
    tz: Tz,
    catch_up_days: i64,
    batch_size: u64,
}

impl Scheduler {
    /// The scheduler of `engine`'s policy (time zone, ladder, cycles); `settings` give
    /// only how it runs (catch-up window, batch size).
    ///
    /// # Errors
    /// A cron expression that does not parse.
    pub fn new(engine: Engine, settings: &crate::Settings) -> Result<Scheduler, EngineError> {
        let policy = engine.policy().clone();
        let tz = policy.timezone;
        let mut cycles = Vec::new();
        for c in &policy.cycles {
            let cron = croner::Cron::from_str(&c.cron).map_err(|e| {
                EngineError::Config(format!("cycle `{}`: cron `{}`: {e}", c.key, c.cron))
            })?;
            cycles.push((c.clone(), cron));
        }
        Ok(Scheduler {
            engine,
            ladder: policy.ladder.clone(),
            cycles,
            tz,
            catch_up_days: settings.scheduler.catch_up_days,
            batch_size: settings.scheduler.batch_size.max(1),
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Run one tick as of `now`.
    ///
    /// # Errors
    /// On storage failure; whatever committed before stays, the rest is redone next tick.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, EngineError> {
        self.tick_since(now, now - Duration::days(self.catch_up_days))
            .await
    }

    /// A tick that looks back for cycle occurrences only as far as `since` (used by
    /// `simulate`, which must not fire occurrences from before its start).
    ///
    /// # Errors
    /// As [`Scheduler::tick`].
    pub async fn tick_since(
        &self,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<TickReport, EngineError> {
        let mut report = TickReport::default();
        let today = now.with_timezone(&self.tz).date_naive();
        self.open_cycles(now, since, &mut report).await?;
        report.duties_missed = self.engine.store().mark_missed_duties(today).await?;
        let circle = self.engine.store().escalation_circle().await?;
        self.escalate_items(now, today, &circle, &mut report)
            .await?;
        self.escalate_duties(now, today, &circle, &mut report)
            .await?;
        Ok(report)
    }

    async fn open_cycles(
        &self,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), EngineError> {
        let local_now = now.with_timezone(&self.tz);
        let start = since.with_timezone(&self.tz);
        for (cycle, cron) in &self.cycles {
            for at in cron.clone().iter_after(start) {
                if at > local_now {
                    break;
                }
                let opened_on = at.date_naive();
                let period = cycle.period.period_key(opened_on);
                let tz = self.tz;
                let local_date = move |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
                if let Some(n) = self
                    .engine
                    .store()
                    .open_cycle(
                        cycle,
                        &period,
                        at.with_timezone(&Utc),
                        opened_on,
                        now,
                        &local_date,
                    )
                    .await?
                {
                    report.occurrences += 1;
                    report.duties_opened += n;
                    tracing::info!(cycle = %cycle.key, period = %period, duties = n, "cycle opened");
                }
            }
        }
        Ok(())
    }

    /// Range of due dates whose highest reached step is `steps[i]`: `(after, upto]`.
    fn window(
        &self,
        today: NaiveDate,
        i: usize,
    ) -> Result<(NaiveDate, Option<NaiveDate>), EngineError> {
        let cal = self.engine.calendar();
        let step = &self.ladder.steps[i];
        let upto = latest_due_reached(cal, today, step.offset).map_err(calendar_err)?;
        let after = match self.ladder.steps.get(i + 1) {
            Some(next) => Some(latest_due_reached(cal, today, next.offset).map_err(calendar_err)?),
            None => None,
        };
        Ok((upto, after))
    }

    async fn escalate_items(
        &self,
        now: DateTime<Utc>,
        today: NaiveDate,
        circle: &Circle,
        report: &mut TickReport,
    ) -> Result<(), EngineError> {
        let store = self.engine.store();
        let cal = self.engine.calendar();
        let system = Actor::system();
        for i in (0..self.ladder.steps.len()).rev() {
            let step = &self.ladder.steps[i];
            let (upto, after) = self.window(today, i)?;
            loop {
                let started = std::time::Instant::now();
                let items = store
                    .items_to_escalate(&step.name, upto, after, self.batch_size)
                    .await?;
                let read = started.elapsed();
                let fetched = items.len() as u64;
                let mut entries = Vec::with_capacity(items.len());
                for (item, head) in items {
                    let Some(due) = item.due_on else { continue };
                    let late = cal.working_days_between(due, today).map_err(calendar_err)?;
                    let recipients = recipients(step, &item, circle);
                    let command = Command::Escalate {
                        level: step.level.max(item.escalation_level),
                        step: step.name.clone(),
                        notify: recipients,
                        deadline_key: due.to_string(),
                        urgent: step.urgent,
                    };
                    let decision = match decide(&item, &system, &command, now) {
                        Ok(d) => d,
                        Err(e) => {
                            tracing::warn!(item = %item.id, error = %e, "escalation refused");
                            continue;
                        }
                    };
                    entries.push(EscalationEntry {
                        fire: FireRow {
                            subject_kind: "item",
                            subject_id: item.id.0,
                            item: Some(item.id),
                            unit: item.lead_unit,
                            due_on: due,
                            step: step.name.clone(),
                            level: step.level,
                            working_days_late: i32::try_from(late).unwrap_or(i32::MAX),
                        },
                        order: step.order.then(|| order_text(step, &item, due, late)),
                        decision,
                        head,
                        before: item,
                    });
                }
                let decided = started.elapsed();
                let mut fired = 0u64;
                for r in store.commit_escalations(&entries).await? {
                    match r {
                        Ok(_) => fired += 1,
                        Err(StoreError::Conflict(_)) => report.skipped += 1,
                        Err(e) => return Err(e.into()),
                    }
                }
                tracing::debug!(
                    step = %step.name, fetched, fired,
                    read_ms = read.as_millis(),
                    decide_ms = (decided - read).as_millis(),
                    write_ms = (started.elapsed() - decided).as_millis(),
                    "escalation batch"
                );
                *report.item_steps.entry(step.name.clone()).or_default() += fired;
                // Stop when the window is drained, or when nothing more could be done now
                // (the rest changed under us and is retried next tick).
                if fetched < self.batch_size || fired == 0 {
                    break;
                }
            }
        }
        Ok(())
    }

    async fn escalate_duties(
        &self,
        now: DateTime<Utc>,
        today: NaiveDate,
        circle: &Circle,
        report: &mut TickReport,
    ) -> Result<(), EngineError> {
        let store = self.engine.store();
        let cal = self.engine.calendar();
        for i in (0..self.ladder.steps.len()).rev() {
            let step = &self.ladder.steps[i];
            let (upto, after) = self.window(today, i)?;
            loop {
                let duties = store
                    .duties_to_escalate(&step.name, upto, after, self.batch_size)
                    .await?;
                let fetched = duties.len() as u64;
                let item_ids: Vec<_> = duties.iter().filter_map(|d| d.item).collect();
                let items = store.items_by_ids(&item_ids).await?;
                let mut entries = Vec::with_capacity(duties.len());
                for duty in duties {
                    let late = cal
                        .working_days_between(duty.due_on, today)
                        .map_err(calendar_err)?;
                    let item = duty.item.and_then(|id| items.get(&id));
                    let notifications = duty_notifications(step, &duty, item, circle, late);
                    let fire = FireRow {
                        subject_kind: "duty",
                        subject_id: duty.id,
                        item: duty.item,
                        unit: Some(duty.unit),
                        due_on: duty.due_on,
                        step: step.name.clone(),
                        level: step.level,
                        working_days_late: i32::try_from(late).unwrap_or(i32::MAX),
                    };
                    entries.push(DutyEscalation {
                        duty,
                        fire,
                        notifications,
                    });
                }
                let mut fired = 0u64;
                for ok in store.commit_duty_escalations(&entries, now).await? {
                    if ok {
                        fired += 1;
                    } else {
                        report.skipped += 1;
                    }
                }
                *report.duty_steps.entry(step.name.clone()).or_default() += fired;
                if fetched < self.batch_size || fired == 0 {
                    break;
                }
            }
        }
        Ok(())
    }

    /// The local time zone of the schedule.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Midnight local time of `date`, in UTC.
    pub fn local_midnight(&self, date: NaiveDate) -> DateTime<Utc> {
        self.tz
            .from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| date.and_time(chrono::NaiveTime::MIN).and_utc())
    }
}

fn calendar_err(e: xiaohao_core::calendar::CalendarError) -> EngineError {
    EngineError::Config(format!("working-day calendar: {e}"))
}

fn push_unique(out: &mut Vec<UnitId>, u: Option<UnitId>) {
    if let Some(u) = u
        && !out.contains(&u)
    {
        out.push(u);
    }
}

fn recipients(step: &Step, item: &Item, circle: &Circle) -> Vec<UnitId> {
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
                    .and_then(|p| circle.leader_units.get(&p.0).copied()),
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

fn duty_notifications(
    step: &Step,
    duty: &DutyRow,
    item: Option<&Item>,
    circle: &Circle,
    late: i64,
) -> Vec<Notification> {
    let mut units = Vec::new();
    for a in &step.notify {
        match a {
            Audience::Lead | Audience::Co => push_unique(&mut units, Some(duty.unit)),
            Audience::Office => push_unique(&mut units, item.and_then(|i| i.owner_unit)),
            Audience::Leader => push_unique(
                &mut units,
                item.and_then(|i| i.leader)
                    .and_then(|p| circle.leader_units.get(&p.0).copied()),
            ),
            Audience::Supervision => {
                for s in &circle.supervision {
                    push_unique(&mut units, Some(*s));
                }
            }
        }
    }
    let kind = if late > 0 { "duty_missed" } else { "duty_due" };
    units
        .into_iter()
        .map(|r| Notification {
            recipient: r,
            kind: kind.to_owned(),
            item: duty.item,
            dedupe_key: format!("duty:{}:{}:{}:{r}", duty.id, duty.due_on, step.name),
            urgent: step.urgent,
        })
        .collect()
}

fn order_text(step: &Step, item: &Item, due: NaiveDate, late: i64) -> String {
    format!(
        "{}单:{}{}(完成时限 {due},已逾期 {late} 个工作日),请牵头单位立即办理并反馈。",
        step.name,
        item.number.as_deref().unwrap_or(""),
        item.title
    )
}
