//! Reporting cycles: which period an opening belongs to and when its report is due.
//! When a cycle opens is a cron expression evaluated by the engine; everything else is here.

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
}

impl DutyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Progress => "progress",
            Self::Summary => "summary",
        }
    }
}

/// Which period an opening reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodRule {
    /// The month of the opening: opened 2026-11-20 → `2026-11`.
    Month,
    /// The quarter before the opening: opened 2027-01-01 → `2026-Q4`.
    PreviousQuarter,
    /// The half year before: opened 2026-07-01 → `2026-H1`.
    PreviousHalf,
    /// The year before: opened 2027-01-01 → `2026`.
    PreviousYear,
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
}

impl PeriodRule {
    pub fn period_key(self, opened_on: NaiveDate) -> String {
        let (y, m) = (opened_on.year(), opened_on.month());
        match self {
            Self::Month => format!("{y}-{m:02}"),
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
    /// The due date of an occurrence that opened on `opened_on`.
    pub fn due_on(&self, opened_on: NaiveDate) -> NaiveDate {
        let last = last_day_of_month(opened_on);
        let day = self.due_day.clamp(1, last.day());
        let due = opened_on.with_day(day).unwrap_or(last);
        due.max(opened_on)
    }

    /// The cycles of the issue: monthly progress opens the 20th, due the 25th; quarterly,
    /// semi-annual and annual summaries; the annual report is due 31 January.
    pub fn defaults() -> Vec<CycleDef> {
        let c = |key: &str, name: &str, kind, cron: &str, period, due_day| CycleDef {
            key: key.into(),
            name: name.into(),
            kind,
            cron: cron.into(),
            period,
            due_day,
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
}
