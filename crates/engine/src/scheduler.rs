//! The durable scheduler: one `tick(now)` opens due reporting cycles, marks missed duties
//! and fires escalation steps. Every effect is claimed by a unique row written in the same
//! transaction, so any number of instances may tick at once and each occurrence and each
//! step happens exactly once; a tick that dies half-way is finished by the next one.

use crate::{Engine, EngineError};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use uuid::Uuid;
use xiaohao_core::Actor;
use xiaohao_core::cycles::CycleDef;
use xiaohao_core::escalation::{
    Circle, DutySubject, Ladder, StatementAnchor, decide_duty_escalation, decide_firing,
    item_escalation, latest_due_reached, statement_anchor,
};
use xiaohao_core::order::decide_late_reply;
use xiaohao_core::recon;
use xiaohao_store::{Atomicity, DutyRow, StoreError, Write};

/// What one tick did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TickReport {
    pub occurrences: u64,
    pub duties_opened: u64,
    pub duties_missed: u64,
    /// 对账单 opened (each with its duty of kind `statement`).
    pub statements_opened: u64,
    /// Item escalations by step name.
    pub item_steps: BTreeMap<String, u64>,
    /// Duty escalations by step name.
    pub duty_steps: BTreeMap<String, u64>,
    /// Steps on 督办单 not answered by their reply date, by step name.
    pub order_steps: BTreeMap<String, u64>,
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
    #[tracing::instrument(name = "tick", skip_all, fields(now = %now))]
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
        self.escalate_orders(now, today, &circle, &mut report)
            .await?;
        // The ledger grows: the planner's statistics follow (a no-op when they are current).
        self.engine.store().refresh_planner_statistics().await?;
        Ok(report)
    }

    async fn open_cycles(
        &self,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), EngineError> {
        let cal = self.engine.calendar();
        let local_now = now.with_timezone(&self.tz);
        let start = since.with_timezone(&self.tz);
        // An occurrence scheduled on a rest day opens on a working day nearby: look ahead
        // far enough for one moved back over the longest holiday.
        let horizon = local_now + Duration::days(REST_DAY_LOOKAHEAD_DAYS);
        for (cycle, cron) in &self.cycles {
            for at in cron.clone().iter_after(start) {
                if at > horizon {
                    break;
                }
                let occurrence = cycle
                    .occurrence(cal, at.date_naive())
                    .map_err(calendar_err)?;
                let opens_at = self.local_at(occurrence.opens_on, at.time());
                if opens_at > now {
                    continue;
                }
                if cycle.kind == xiaohao_core::cycles::DutyKind::Statement {
                    // 对账单: drafted from the ledger by the engine, claimed like any occurrence.
                    if let Some(n) = self
                        .engine
                        .open_statements(cycle, &occurrence, opens_at, now)
                        .await?
                    {
                        report.occurrences += 1;
                        // Each statement carries one duty (its signature).
                        report.duties_opened += n;
                        report.statements_opened += n;
                        tracing::info!(cycle = %cycle.key, period = %occurrence.period_key, statements = n, "statements opened");
                    }
                    continue;
                }
                let tz = self.tz;
                let local_date = move |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
                if let Some(n) = self
                    .engine
                    .store()
                    .open_cycle(cycle, &occurrence, opens_at, now, &local_date)
                    .await?
                {
                    report.occurrences += 1;
                    report.duties_opened += n;
                    tracing::info!(cycle = %cycle.key, period = %occurrence.period_key, duties = n, "cycle opened");
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
        let policy = self.engine.policy();
        let system = Actor::system();
        for i in (0..self.ladder.steps.len()).rev() {
            let step = &self.ladder.steps[i];
            let (upto, after) = self.window(today, i)?;
            let mut past = None;
            loop {
                let started = std::time::Instant::now();
                let items = store
                    .items_to_escalate(&step.name, upto, after, past, self.batch_size)
                    .await?;
                let read = started.elapsed();
                let fetched = items.len() as u64;
                past = items
                    .last()
                    .and_then(|(item, _)| Some((item.due_on?, item.id)));
                let mut entries = Vec::with_capacity(items.len());
                for (item, head) in items {
                    let Some(due) = item.due_on else { continue };
                    let late = cal.working_days_between(due, today).map_err(calendar_err)?;
                    let firing = item_escalation(step, &item, circle, due, late, None)
                        .reply_by(policy.reply_due(step, today))
                        .issued(today);
                    let decision = match decide_firing(&item, &system, &firing, now) {
                        Ok(d) => d,
                        Err(e) => {
                            tracing::warn!(item = %item.id, error = %e, "escalation refused");
                            continue;
                        }
                    };
                    entries.push(Write::decision_on(item, head, decision).firing(firing));
                }
                let decided = started.elapsed();
                let fired = write_steps(store, &entries, report).await?;
                tracing::debug!(
                    step = %step.name, fetched, fired,
                    read_ms = read.as_millis(),
                    decide_ms = (decided - read).as_millis(),
                    write_ms = (started.elapsed() - decided).as_millis(),
                    "escalation batch"
                );
                *report.item_steps.entry(step.name.clone()).or_default() += fired;
                // Each batch reads on from the last (due date, id) of the one before, so this
                // ends when the window is drained; an item that changed under us is retried
                // next tick.
                if fetched < self.batch_size {
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
                let anchors = self.statement_anchors(&duties).await?;
                let item_ids: Vec<_> = duties
                    .iter()
                    .filter_map(|d| d.item.or(anchors.get(&d.id).map(|a| a.item)))
                    .collect();
                let mut items = store.items_with_heads(&item_ids).await?;
                let mut entries = Vec::with_capacity(duties.len());
                // One event per item per batch: a second duty of the same item waits for
                // the next batch, decided on the item's new version.
                let mut deferred = 0u64;
                let mut used = std::collections::HashSet::new();
                for duty in duties {
                    let late = cal
                        .working_days_between(duty.due_on, today)
                        .map_err(calendar_err)?;
                    let anchor = anchors.get(&duty.id).copied();
                    let item = match duty.item.or(anchor.map(|a| a.item)) {
                        Some(id) if !used.insert(id) => {
                            deferred += 1;
                            continue;
                        }
                        Some(id) => items.remove(&id),
                        None => None,
                    };
                    let subject = DutySubject {
                        id: duty.id,
                        unit: duty.unit,
                        item: duty.item,
                        title: duty.title,
                        period_key: duty.period_key,
                        due_on: duty.due_on,
                        statement: anchor,
                    };
                    let decision = decide_duty_escalation(
                        step,
                        &subject,
                        item.as_ref().map(|(i, _)| i),
                        circle,
                        late,
                        now,
                    );
                    entries.push(Write::duty_step(decision, item, now));
                }
                let fired = write_steps(store, &entries, report).await?;
                *report.duty_steps.entry(step.name.clone()).or_default() += fired;
                if (fetched < self.batch_size && deferred == 0) || fired == 0 {
                    break;
                }
            }
        }
        Ok(())
    }

    /// The anchor item of each 对账单 duty among `duties` (core decides which line).
    async fn statement_anchors(
        &self,
        duties: &[DutyRow],
    ) -> Result<HashMap<Uuid, StatementAnchor>, EngineError> {
        let ids: Vec<Uuid> = duties
            .iter()
            .filter(|d| d.item.is_none() && d.kind == recon::DUTY_KIND)
            .map(|d| d.id)
            .collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let found = self.engine.store().statements_of_duties(&ids).await?;
        Ok(found
            .into_iter()
            .filter_map(|(duty, (statement, lines))| {
                statement_anchor(&lines).map(|item| (duty, StatementAnchor { statement, item }))
            })
            .collect())
    }

    /// 督办单 still unanswered as their reply date comes and goes climb the ladder like a
    /// missed duty ([`decide_late_reply`]): one step per order and step, claimed once.
    async fn escalate_orders(
        &self,
        now: DateTime<Utc>,
        today: NaiveDate,
        circle: &Circle,
        report: &mut TickReport,
    ) -> Result<(), EngineError> {
        let store = self.engine.store();
        let cal = self.engine.calendar();
        let rules = &self.engine.policy().orders;
        for i in (0..self.ladder.steps.len()).rev() {
            let step = &self.ladder.steps[i];
            let (upto, after) = self.window(today, i)?;
            loop {
                let orders = store
                    .orders_to_escalate(&step.name, upto, after, self.batch_size)
                    .await?;
                let fetched = orders.len() as u64;
                let item_ids: Vec<_> = orders.iter().map(|o| o.item).collect();
                let mut items = store.items_with_heads(&item_ids).await?;
                let mut entries = Vec::with_capacity(orders.len());
                let mut deferred = 0u64;
                let mut used = std::collections::HashSet::new();
                for o in orders {
                    if !used.insert(o.item) {
                        deferred += 1;
                        continue;
                    }
                    let (Some(due), Some((item, head))) = (o.reply_due, items.remove(&o.item))
                    else {
                        continue;
                    };
                    let late = cal.working_days_between(due, today).map_err(calendar_err)?;
                    let Some(decision) =
                        decide_late_reply(step, &o.to_ref(rules), &item, circle, late, now)
                    else {
                        continue;
                    };
                    entries.push(Write::duty_step(decision, Some((item, head)), now));
                }
                let fired = write_steps(store, &entries, report).await?;
                *report.order_steps.entry(step.name.clone()).or_default() += fired;
                if (fetched < self.batch_size && deferred == 0) || fired == 0 {
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

    /// `time` local time on `date`, in UTC.
    fn local_at(&self, date: NaiveDate, time: chrono::NaiveTime) -> DateTime<Utc> {
        self.tz
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| date.and_time(time).and_utc())
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

/// Write a batch of ladder steps, each on its own ([`Atomicity::Each`]): returns how many
/// were written; one whose item changed or whose step had fired is counted as skipped (the
/// next tick retries it).
async fn write_steps(
    store: &xiaohao_store::Store,
    entries: &[Write],
    report: &mut TickReport,
) -> Result<u64, EngineError> {
    let mut fired = 0u64;
    for r in store.write(entries, Atomicity::Each).await? {
        match r {
            Ok(_) => fired += 1,
            Err(StoreError::Conflict(_)) => report.skipped += 1,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(fired)
}

/// Days past `now` the scheduler looks for occurrences moved back to a working day: more
/// than the longest run of rest days (春节, 9 days).
const REST_DAY_LOOKAHEAD_DAYS: i64 = 16;

fn calendar_err(e: xiaohao_core::calendar::CalendarError) -> EngineError {
    EngineError::Config(format!("working-day calendar: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    /// Every occurrence the default cycles' schedules give in 2025–2026 opens and falls due
    /// on a working day (2026 alone has 31, 19 reports and 12 对账单; of the reports 7 were
    /// due on a rest day as scheduled).
    #[test]
    fn no_default_duty_of_2025_or_2026_opens_or_falls_due_on_a_rest_day() {
        let cal = crate::calendar::load_calendar(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/calendar"
        )))
        .unwrap();
        let tz = chrono_tz::Asia::Shanghai;
        let start = tz.with_ymd_and_hms(2024, 12, 31, 12, 0, 0).unwrap();
        let end = tz.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap();
        let (mut in_2026, mut moved_2026) = (0, 0);
        for cycle in CycleDef::defaults() {
            let cron = croner::Cron::from_str(&cycle.cron).unwrap();
            for at in cron.iter_after(start).take_while(|at| *at <= end) {
                let o = cycle.occurrence(&cal, at.date_naive()).unwrap();
                assert!(
                    cal.is_working_day(o.opens_on).unwrap(),
                    "{} {at}",
                    cycle.key
                );
                assert!(cal.is_working_day(o.due_on).unwrap(), "{} {at}", cycle.key);
                if at.year() == 2026 {
                    in_2026 += 1;
                    if o.due_on != cycle.due_on(at.date_naive()) {
                        moved_2026 += 1;
                    }
                }
            }
        }
        // Moved due dates in 2026: 7 reports, and 对账单 due on a 10th that is a rest day.
        const MOVED_2026: i32 = 9;
        assert_eq!((in_2026, moved_2026), (31, MOVED_2026));
    }
}
