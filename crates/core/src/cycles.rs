//! Reporting cycles: which period an opening belongs to and when its report is due.
//! When a cycle opens is a cron expression evaluated by the engine; everything else is here,
//! including where an opening or a due date on a rest day moves to.

use crate::calendar::{CalendarError, WorkingCalendar};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a cycle asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyKind {
    /// One progress report per open item, from its lead unit (本月进展填报).
    Progress,
    /// One summary per unit that leads open items (季度/半年/年度总结).
    Summary,
    /// One reconciliation statement (对账单) per unit that leads or co-handles an open item,
    /// to be signed by the due date ([`crate::recon`]).
    Statement,
}

impl DutyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Progress => "progress",
            Self::Summary => "summary",
            Self::Statement => "statement",
        }
    }
}

/// Which period an opening reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodRule {
    /// The month of the opening: opened 2026-11-20 → `2026-11`.
    Month,
    /// The month before the opening: opened 2026-11-02 → `2026-10`.
    PreviousMonth,
    /// The quarter before the opening: opened 2027-01-01 → `2026-Q4`.
    PreviousQuarter,
    /// The half year before: opened 2026-07-01 → `2026-H1`.
    PreviousHalf,
    /// The year before: opened 2027-01-01 → `2026`.
    PreviousYear,
}

/// Where an opening or a due date that falls on a rest day (weekend, holiday) moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestDayRule {
    /// To the next working day, as 民法典 第二百零三条 moves a deadline that ends on a
    /// holiday to the day after it.
    #[default]
    NextWorkingDay,
    /// To the last working day before it.
    PreviousWorkingDay,
    /// Not at all: the date stays as the schedule gives it.
    None,
}

impl RestDayRule {
    /// `date` moved by this rule; a working day never moves.
    ///
    /// # Errors
    /// When the calendar does not cover the dates involved.
    pub fn apply(
        self,
        calendar: &WorkingCalendar,
        date: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        match self {
            Self::NextWorkingDay => calendar.next_working_day_on_or_after(date),
            Self::PreviousWorkingDay => calendar.previous_working_day_on_or_before(date),
            Self::None => Ok(date),
        }
    }
}

/// One occurrence of a cycle: the period it reports on, the day its duties open and the
/// day they are due, both moved off rest days by the cycle's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub period_key: String,
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CycleDef {
    /// Stable key: part of every occurrence's identity.
    pub key: String,
    /// 月度进展, 季度总结 …
    pub name: String,
    pub kind: DutyKind,
    /// When it opens (croner syntax, 5 fields, in the configured time zone).
    pub cron: String,
    pub period: PeriodRule,
    /// Due on this day of the opening month (clamped to the month's end).
    pub due_day: u32,
    /// Where an opening or due date on a rest day moves (default: the next working day).
    #[serde(default)]
    pub rest_day: RestDayRule,
}

impl PeriodRule {
    pub fn period_key(self, opened_on: NaiveDate) -> String {
        let (y, m) = (opened_on.year(), opened_on.month());
        match self {
            Self::Month => format!("{y}-{m:02}"),
            Self::PreviousMonth => {
                if m == 1 {
                    format!("{}-12", y - 1)
                } else {
                    format!("{y}-{:02}", m - 1)
                }
            }
            Self::PreviousQuarter => {
                let q = (m - 1) / 3 + 1;
                if q == 1 {
                    format!("{}-Q4", y - 1)
                } else {
                    format!("{y}-Q{}", q - 1)
                }
            }
            Self::PreviousHalf => {
                if m <= 6 {
                    format!("{}-H2", y - 1)
                } else {
                    format!("{y}-H1")
                }
            }
            Self::PreviousYear => format!("{}", y - 1),
        }
    }
}

impl CycleDef {
    /// The occurrence whose schedule (cron) says it opens on `scheduled_on`: the period is
    /// that of the scheduled day; opening and due date are moved off rest days by
    /// `rest_day`. The rule is monotone, so the due date never precedes the opening.
    ///
    /// # Errors
    /// When the calendar does not cover the dates involved.
    pub fn occurrence(
        &self,
        calendar: &WorkingCalendar,
        scheduled_on: NaiveDate,
    ) -> Result<Occurrence, CalendarError> {
        let opens_on = self.rest_day.apply(calendar, scheduled_on)?;
        let due_on = self.rest_day.apply(calendar, self.due_on(scheduled_on))?;
        Ok(Occurrence {
            period_key: self.period.period_key(scheduled_on),
            opens_on,
            due_on: due_on.max(opens_on),
        })
    }

    /// The due date as scheduled, before any rest-day move: the due day of the month in
    /// which the occurrence is scheduled to open, never before that day.
    pub fn due_on(&self, opened_on: NaiveDate) -> NaiveDate {
        let last = last_day_of_month(opened_on);
        let day = self.due_day.clamp(1, last.day());
        let due = opened_on.with_day(day).unwrap_or(last);
        due.max(opened_on)
    }

    /// The cycles of the issue: monthly progress opens the 20th, due the 25th; quarterly,
    /// semi-annual and annual summaries; the annual report is due 31 January; the monthly
    /// reconciliation (对账) of the month before opens the 1st, signed by the 10th.
    pub fn defaults() -> Vec<CycleDef> {
        let c = |key: &str, name: &str, kind, cron: &str, period, due_day| CycleDef {
            key: key.into(),
            name: name.into(),
            kind,
            cron: cron.into(),
            period,
            due_day,
            rest_day: RestDayRule::NextWorkingDay,
        };
        vec![
            c(
                "monthly",
                "月度进展",
                DutyKind::Progress,
                "0 9 20 * *",
                PeriodRule::Month,
                25,
            ),
            c(
                "quarterly",
                "季度总结",
                DutyKind::Summary,
                "0 9 1 1,4,7,10 *",
                PeriodRule::PreviousQuarter,
                10,
            ),
            c(
                "semiannual",
                "半年总结",
                DutyKind::Summary,
                "0 9 1 1,7 *",
                PeriodRule::PreviousHalf,
                15,
            ),
            c(
                "annual",
                "年度报告",
                DutyKind::Summary,
                "0 9 2 1 *",
                PeriodRule::PreviousYear,
                31,
            ),
            c(
                "reconciliation",
                "月度对账",
                DutyKind::Statement,
                "0 9 1 * *",
                PeriodRule::PreviousMonth,
                10,
            ),
        ]
    }
}

fn last_day_of_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn period_keys() {
        assert_eq!(PeriodRule::Month.period_key(d(2026, 11, 20)), "2026-11");
        assert_eq!(
            PeriodRule::PreviousQuarter.period_key(d(2027, 1, 1)),
            "2026-Q4"
        );
        assert_eq!(
            PeriodRule::PreviousQuarter.period_key(d(2026, 7, 1)),
            "2026-Q2"
        );
        assert_eq!(
            PeriodRule::PreviousHalf.period_key(d(2026, 7, 1)),
            "2026-H1"
        );
        assert_eq!(
            PeriodRule::PreviousHalf.period_key(d(2027, 1, 1)),
            "2026-H2"
        );
        assert_eq!(PeriodRule::PreviousYear.period_key(d(2027, 1, 2)), "2026");
        assert_eq!(
            PeriodRule::PreviousMonth.period_key(d(2026, 11, 2)),
            "2026-10"
        );
        assert_eq!(
            PeriodRule::PreviousMonth.period_key(d(2027, 1, 4)),
            "2026-12"
        );
    }

    #[test]
    fn due_dates() {
        let cycles = CycleDef::defaults();
        assert_eq!(cycles[0].due_on(d(2026, 11, 20)), d(2026, 11, 25));
        assert_eq!(cycles[3].due_on(d(2027, 1, 2)), d(2027, 1, 31));
        let mut c = cycles[0].clone();
        c.due_day = 31;
        assert_eq!(c.due_on(d(2026, 2, 20)), d(2026, 2, 28));
        c.due_day = 1;
        assert_eq!(c.due_on(d(2026, 2, 20)), d(2026, 2, 20));
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::bundled().unwrap()
    }

    #[test]
    fn a_due_date_on_a_rest_day_moves_to_the_next_working_day_by_default() {
        let cal = cal();
        let cycles = CycleDef::defaults();
        let (monthly, quarterly, annual) = (&cycles[0], &cycles[1], &cycles[3]);
        // 2026-10-25 is a Sunday; 09-25 falls in 中秋; 01-31 (annual) is a Saturday.
        for (scheduled, due) in [
            (d(2026, 10, 20), d(2026, 10, 26)),
            (d(2026, 1, 20), d(2026, 1, 26)),
            (d(2026, 4, 20), d(2026, 4, 27)),
            (d(2026, 7, 20), d(2026, 7, 27)),
            (d(2026, 9, 20), d(2026, 9, 28)),
        ] {
            let o = monthly.occurrence(&cal, scheduled).unwrap();
            assert_eq!(o.due_on, due, "{scheduled}");
        }
        let a = annual.occurrence(&cal, d(2026, 1, 2)).unwrap();
        assert_eq!(
            (a.period_key.as_str(), a.opens_on, a.due_on),
            ("2025", d(2026, 1, 4), d(2026, 2, 2))
        );
        // Openings on holidays move too; the period stays that of the schedule.
        let q = quarterly.occurrence(&cal, d(2026, 10, 1)).unwrap();
        assert_eq!(
            (q.period_key.as_str(), q.opens_on, q.due_on),
            ("2026-Q3", d(2026, 10, 8), d(2026, 10, 10))
        );
        let m = monthly.occurrence(&cal, d(2026, 2, 20)).unwrap();
        assert_eq!(
            (m.period_key.as_str(), m.opens_on, m.due_on),
            ("2026-02", d(2026, 2, 24), d(2026, 2, 25))
        );
    }

    #[test]
    fn the_rest_day_rule_can_move_back_or_not_at_all() {
        let cal = cal();
        let mut c = CycleDef::defaults()[0].clone();
        c.rest_day = RestDayRule::PreviousWorkingDay;
        let o = c.occurrence(&cal, d(2026, 10, 20)).unwrap();
        assert_eq!(o.due_on, d(2026, 10, 23));
        c.rest_day = RestDayRule::None;
        let o = c.occurrence(&cal, d(2026, 10, 20)).unwrap();
        assert_eq!(o.due_on, d(2026, 10, 25));
        let parsed: CycleDef = toml::from_str(
            "key = \"m\"\nname = \"月度\"\nkind = \"progress\"\ncron = \"0 9 20 * *\"\nperiod = \"month\"\ndue_day = 25\nrest_day = \"previous_working_day\"",
        )
        .unwrap();
        assert_eq!(parsed.rest_day, RestDayRule::PreviousWorkingDay);
    }

    proptest::proptest! {
        /// Whatever day a default cycle is scheduled to open in 2025–2026, its duties
        /// neither open nor fall due on a rest day.
        #[test]
        fn no_default_duty_opens_or_falls_due_on_a_rest_day(day in 0i64..730, which in 0usize..5) {
            let cal = cal();
            let scheduled = d(2025, 1, 1) + chrono::Duration::days(day);
            let o = CycleDef::defaults()[which].occurrence(&cal, scheduled).unwrap();
            proptest::prop_assert!(cal.is_working_day(o.opens_on).unwrap(), "opens {} ({scheduled})", o.opens_on);
            proptest::prop_assert!(cal.is_working_day(o.due_on).unwrap(), "due {} ({scheduled})", o.due_on);
            proptest::prop_assert!(o.opens_on >= scheduled && o.due_on >= o.opens_on);
        }
    }
}
