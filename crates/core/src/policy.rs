//! The policy: every rule a unit is judged by, in one immutable value built at start from
//! the configuration — time zone, working calendar, traffic lights, escalation ladder,
//! reporting cycles and SLA. Pages, lists, filters, exports, mails, metrics and bulletins
//! all ask it, so a figure is computed once and reads the same everywhere.

use crate::calendar::WorkingCalendar;
use crate::cycles::CycleDef;
use crate::escalation::Ladder;
use crate::escalation::Step;
use crate::item::Item;
use crate::light::{
    Light, LightDates, LightInput, LightPolicy, behind_schedule, light, light_dates, running,
};
use crate::sla::SlaPolicy;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Policy {
    pub timezone: Tz,
    pub calendar: WorkingCalendar,
    pub lights: LightPolicy,
    pub ladder: Ladder,
    pub cycles: Vec<CycleDef>,
    pub problem_sla: SlaPolicy,
    /// The 考核 rules (`config/scoring.toml`).
    pub scoring: crate::score::ScoringRules,
    /// 延期申请: whether it may be asked after the due date.
    pub extension: crate::extension::ExtensionRules,
    /// 督办单: the format of its number.
    pub orders: crate::order::OrderRules,
}

/// How late an item is, in working days, and whether that count rests on a guessed
/// (Monday–Friday) calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lateness {
    /// Working days past the due date; 0 when not late or not running.
    pub working_days: i64,
    /// Working days left until the due date (0 on it or after it); `None` without one.
    pub working_days_left: Option<i64>,
    /// The count covers a date of a year without a calendar file.
    pub assumed: bool,
}

impl Policy {
    /// The local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.timezone).date_naive()
    }

    /// The local date and time of an instant.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.timezone).naive_local()
    }

    /// The day an item's period starts for 序时进度: the local date it was filed.
    pub fn started_on(&self, item: &Item) -> NaiveDate {
        self.local_date(item.created_at)
    }

    /// The traffic light of `item` on `today` — the one light rule. A date the calendar
    /// cannot answer (never under the Monday–Friday fallback) shows grey.
    pub fn light(&self, item: &Item, today: NaiveDate) -> Light {
        light(&self.light_input(item), today, &self.calendar, &self.lights).unwrap_or(Light::Grey)
    }

    /// The days `item`'s light turns (see [`LightDates`]), kept on its row by the store.
    pub fn light_dates(&self, item: &Item) -> LightDates {
        light_dates(&self.light_input(item), &self.calendar, &self.lights)
    }

    /// The light dates of `before` and `after` (an item before and after a decision): the
    /// same computation once when the decision left everything they depend on as it was
    /// (most decisions: a level, a state within the running ones, a comment).
    pub fn light_dates_of_change(&self, before: &Item, after: &Item) -> (LightDates, LightDates) {
        let (b, a) = (self.light_input(before), self.light_input(after));
        let after_dates = light_dates(&a, &self.calendar, &self.lights);
        let before_dates = if a == b {
            after_dates
        } else {
            light_dates(&b, &self.calendar, &self.lights)
        };
        (before_dates, after_dates)
    }

    /// A digest of everything [`Policy::light_dates`] depends on besides the item: the
    /// time zone, the light thresholds and every working day of the covered years. When it
    /// differs from the one the stored dates were computed with, they are computed again.
    pub fn light_fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.timezone.name());
        h.update(self.lights.yellow_within_working_days.to_le_bytes());
        h.update(self.lights.lag_percent.to_le_bytes());
        for year in self.calendar.coverage() {
            h.update(year.to_le_bytes());
            let mut day = NaiveDate::from_ymd_opt(year, 1, 1);
            while let Some(d) = day.filter(|d| d.year() == year) {
                h.update([u8::from(self.calendar.is_working_day(d).unwrap_or(false))]);
                day = d.succ_opt();
            }
        }
        hex::encode(h.finalize())
    }

    fn light_input(&self, item: &Item) -> LightInput {
        LightInput {
            state: item.state,
            due_on: item.due_on,
            started_on: self.started_on(item),
            progress_percent: item.progress_percent,
        }
    }

    /// `Some(序时进度 in percent)` when a running item not yet due reports less progress
    /// than the elapsed share of its period allows (the lag half of the yellow rule).
    pub fn lagging(&self, item: &Item, today: NaiveDate) -> Option<i32> {
        let due = item.due_on?;
        if !running(item.state) || today > due {
            return None;
        }
        behind_schedule(&self.light_input(item), due, today, &self.lights)
    }

    /// The next ladder step `item` will reach if nothing changes, and the day it fires:
    /// the first step above the item's level, `offset` working days from its due date.
    pub fn next_step(&self, item: &Item) -> Option<(&Step, NaiveDate)> {
        let due = item.due_on?;
        if !running(item.state) {
            return None;
        }
        let step = self
            .ladder
            .steps
            .iter()
            .find(|s| s.level > item.escalation_level)?;
        let n = step.offset.unsigned_abs();
        let on = if step.offset >= 0 {
            self.calendar.add_working_days(due, n)
        } else {
            self.calendar.subtract_working_days(due, n)
        };
        on.ok().map(|d| (step, d))
    }

    /// Working days an item with a running clock is past its due date on `today`, the one
    /// figure of delay shown and counted everywhere (逾期 N 个工作日). The same count the
    /// ladder climbs by: the working days in `(due, today]`.
    pub fn lateness(&self, item: &Item, today: NaiveDate) -> Lateness {
        let Some(due) = item.due_on else {
            return Lateness {
                working_days: 0,
                working_days_left: None,
                assumed: false,
            };
        };
        let signed = self.working_days_between(due, today);
        let late = running(item.state) && due < today;
        Lateness {
            working_days: if late {
                self.days_late_on(due, today)
            } else {
                0
            },
            working_days_left: Some((-signed).max(0)),
            assumed: self.is_assumed(due) || self.is_assumed(today),
        }
    }

    /// Working days a thing due on `due` and done (or seen) on `day` is late: the working
    /// days in `(due, day]`, 0 when on time. The count behind [`Policy::lateness`], and
    /// behind every 考核 line that weighs a delay (迟报, 逾期销号).
    pub fn days_late_on(&self, due: NaiveDate, day: NaiveDate) -> i64 {
        if day <= due {
            return 0;
        }
        self.working_days_between(due, day).max(0)
    }

    /// The date by which a step's 督办单 issued `today` must be answered; none when the
    /// step makes no 督办单 or the calendar does not reach it.
    pub fn reply_due(&self, step: &crate::escalation::Step, today: NaiveDate) -> Option<NaiveDate> {
        if !step.order {
            return None;
        }
        self.calendar.add_working_days(today, step.reply_days).ok()
    }

    /// Working days late (see [`Policy::lateness`]).
    pub fn working_days_late(&self, item: &Item, today: NaiveDate) -> i64 {
        self.lateness(item, today).working_days
    }

    /// Signed working days in `(from, to]` (see
    /// [`WorkingCalendar::working_days_between`]); dates the calendar cannot answer count
    /// as calendar days, which the Monday–Friday fallback makes unreachable in practice.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        self.calendar
            .working_days_between(from, to)
            .unwrap_or_else(|_| (to - from).num_days())
    }

    /// Whether answers about `date` are a Monday–Friday guess (no calendar file for its year).
    pub fn is_assumed(&self, date: NaiveDate) -> bool {
        !self.calendar.covers(date.year())
    }

    /// The years from `today`'s on whose calendar file is missing and should be there by
    /// now: this year always, next year from 1 November (the State Council publishes the
    /// next year's holidays each autumn).
    pub fn missing_calendar_years(&self, today: NaiveDate) -> Vec<i32> {
        let mut years = vec![today.year()];
        if today.month() >= 11 {
            years.push(today.year() + 1);
        }
        years.retain(|y| !self.calendar.covers(*y));
        years
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::calendar::{UncoveredYears, YearCalendar};
    use crate::ids::ItemId;
    use crate::item::ItemKind;
    use crate::state::ItemState;

    /// The repository's calendar files, for tests only (the binary reads them at start).
    pub(crate) fn test_calendar() -> WorkingCalendar {
        let years = [
            (
                "config/calendar/2025.toml",
                include_str!("../../../config/calendar/2025.toml"),
            ),
            (
                "config/calendar/2026.toml",
                include_str!("../../../config/calendar/2026.toml"),
            ),
        ]
        .iter()
        .map(|(n, t)| YearCalendar::from_toml_named(n, t).unwrap())
        .collect();
        WorkingCalendar::from_years(years)
            .unwrap()
            .with_uncovered_years(UncoveredYears::AssumeMondayToFriday)
    }

    pub(crate) fn test_policy() -> Policy {
        Policy {
            timezone: chrono_tz::Asia::Shanghai,
            calendar: test_calendar(),
            lights: LightPolicy::default(),
            ladder: Ladder::default(),
            cycles: Vec::new(),
            problem_sla: SlaPolicy::problem_1_3_5(),
            scoring: crate::score::ScoringRules::default(),
            extension: crate::extension::ExtensionRules::default(),
            orders: crate::order::OrderRules::default(),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub(crate) fn item(state: ItemState, due: NaiveDate) -> Item {
        let at = d(2026, 1, 5).and_hms_opt(1, 0, 0).unwrap().and_utc();
        Item {
            id: ItemId::new(),
            kind: ItemKind::Task,
            number: None,
            title: "t".into(),
            text: String::new(),
            plan_id: None,
            chain_id: None,
            owner_unit: None,
            lead_unit: None,
            co_units: Vec::new(),
            leader: None,
            deadline: Some(due),
            due_on: Some(due),
            deadline_text: None,
            grade: None,
            class: None,
            state,
            suspended_from: None,
            escalation_level: 0,
            closure_requested_by: None,
            extension_requested: None,
            instructed_at: None,
            progress_percent: None,
            version: 1,
            created_at: at,
            updated_at: at,
            closed_at: None,
        }
    }

    #[test]
    fn days_late_are_working_days() {
        let p = test_policy();
        // Due 09-30, seen on 10-09: 国庆 10-01..07 are off, 10-09 is a Friday; only 10-09
        // (and 10-10, 调休 Saturday, not yet) count.
        let it = item(ItemState::InProgress, d(2026, 9, 30));
        let l = p.lateness(&it, d(2026, 10, 9));
        assert_eq!(l.working_days, 2, "{l:?}");
        assert!(!l.assumed);
        // Not running: not late.
        assert_eq!(
            p.working_days_late(&item(ItemState::Closed, d(2026, 9, 30)), d(2026, 10, 9)),
            0
        );
    }

    proptest::proptest! {
        /// The stored light dates and the SQL rule built on them colour every item as the
        /// policy's light rule does, on every day, in covered and uncovered years alike.
        #[test]
        fn light_dates_agree_with_the_rule(
            state in 0usize..8,
            filed in 0i64..900,
            due_after in -30i64..400,
            pct in proptest::option::of(0i32..=100),
            today_after in -60i64..700,
            window in 0u32..12,
            lag in 0i32..60,
        ) {
            let mut p = test_policy();
            p.lights = LightPolicy { yellow_within_working_days: window, lag_percent: lag };
            let filed_on = d(2025, 1, 1) + chrono::Duration::days(filed);
            let mut it = item(ItemState::ALL[state], filed_on + chrono::Duration::days(due_after));
            it.created_at = filed_on.and_hms_opt(2, 0, 0).unwrap().and_utc();
            it.progress_percent = pct;
            let dates = p.light_dates(&it);
            let today = filed_on + chrono::Duration::days(today_after);
            proptest::prop_assert_eq!(
                crate::light::light_on(it.state, it.due_on, &dates, today),
                p.light(&it, today)
            );
            let lag_by_dates = running(it.state)
                && it.due_on.is_some_and(|due| today <= due)
                && dates.lagging_on.is_some_and(|l| l <= today);
            proptest::prop_assert_eq!(lag_by_dates, p.lagging(&it, today).is_some());
        }

        /// The writer's shortcut (one computation when a decision leaves the light's inputs
        /// alone) gives each side the dates computed on its own.
        #[test]
        fn light_dates_of_a_change_are_each_sides_dates(
            state in 0usize..8,
            next_state in 0usize..8,
            due_after in -30i64..400,
            moved in proptest::option::of(-20i64..60),
            pct in proptest::option::of(0i32..=100),
            next_pct in proptest::option::of(0i32..=100),
        ) {
            let p = test_policy();
            let filed_on = d(2026, 3, 2);
            let mut before = item(ItemState::ALL[state], filed_on + chrono::Duration::days(due_after));
            before.created_at = filed_on.and_hms_opt(2, 0, 0).unwrap().and_utc();
            before.progress_percent = pct;
            let mut after = before.clone();
            after.state = ItemState::ALL[next_state];
            if let (Some(days), Some(due)) = (moved, after.due_on) {
                after.due_on = Some(due + chrono::Duration::days(days));
            }
            after.progress_percent = next_pct;
            let (was, is) = p.light_dates_of_change(&before, &after);
            proptest::prop_assert_eq!(was, p.light_dates(&before));
            proptest::prop_assert_eq!(is, p.light_dates(&after));
            let (same_was, same_is) = p.light_dates_of_change(&before, &before);
            proptest::prop_assert_eq!(same_was, p.light_dates(&before));
            proptest::prop_assert_eq!(same_is, p.light_dates(&before));
        }
    }

    #[test]
    fn an_uncovered_year_is_assumed_and_missing_from_november() {
        let p = test_policy();
        let it = item(ItemState::InProgress, d(2027, 1, 4));
        assert!(p.lateness(&it, d(2027, 1, 8)).assumed);
        assert!(p.missing_calendar_years(d(2026, 10, 31)).is_empty());
        assert_eq!(p.missing_calendar_years(d(2026, 11, 1)), vec![2027]);
        assert_eq!(p.missing_calendar_years(d(2027, 3, 1)), vec![2027]);
    }
}
