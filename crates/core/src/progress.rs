//! Progress reports (反馈进展): period, text, percent, metric actuals, attachments.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::attachment::Attachment;
use crate::validate;

/// A reported actual value for one of the item's target metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    pub metric: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressReport {
    /// `2026-11` (month), `2026-Q4` (quarter), `2026-H2` (half year) or `2026` (year).
    pub period: String,
    pub text: String,
    pub percent: Option<i32>,
    #[serde(default)]
    pub actuals: Vec<Actual>,
    /// Stored files (names, in reports written before files were stored).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

impl ProgressReport {
    pub fn validate(&self) -> Result<(), DomainError> {
        validate_period(&self.period)?;
        if self.text.trim().is_empty() {
            return Err(DomainError::invalid("text", "a progress report needs text"));
        }
        validate::check(validate::REPORT_TEXT, &self.text)?;
        crate::attachment::check_list(&self.attachments)?;
        if let Some(p) = self.percent
            && !(0..=100).contains(&p)
        {
            return Err(DomainError::invalid(
                "percent",
                format!("must be between 0 and 100, got {p}"),
            ));
        }
        for a in &self.actuals {
            if a.metric.trim().is_empty() {
                return Err(DomainError::invalid("actuals", "metric name is empty"));
            }
            validate::check(validate::ACTUAL_METRIC, &a.metric)?;
            if !a.value.is_finite() {
                return Err(DomainError::invalid("actuals", "value must be a number"));
            }
        }
        Ok(())
    }
}

/// Accepts `YYYY`, `YYYY-MM`, `YYYY-Qn`, `YYYY-Hn`.
pub fn validate_period(period: &str) -> Result<(), DomainError> {
    let bad = || {
        DomainError::invalid(
            "period",
            format!("`{period}` is not a period; use 2026-11, 2026-Q4, 2026-H2 or 2026"),
        )
    };
    let (year, rest) = match period.split_once('-') {
        Some((y, r)) => (y, Some(r)),
        None => (period, None),
    };
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if !year
        .parse::<i32>()
        .is_ok_and(|y| (validate::MIN_YEAR..=validate::MAX_YEAR).contains(&y))
    {
        return Err(bad());
    }
    match rest {
        None => Ok(()),
        Some(r) => {
            let ok = match r.as_bytes() {
                [b'Q', q] => (b'1'..=b'4').contains(q),
                [b'H', h] => (b'1'..=b'2').contains(h),
                [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
                    let m = (a - b'0') * 10 + (b - b'0');
                    (1..=12).contains(&m)
                }
                _ => false,
            };
            if ok { Ok(()) } else { Err(bad()) }
        }
    }
}

/// The first day of a period: `2026-11` → 1 Nov, `2026-Q4` → 1 Oct, `2026-H2` → 1 Jul,
/// `2026` → 1 Jan. `None` for anything that is not a period.
pub fn period_start(period: &str) -> Option<NaiveDate> {
    validate_period(period).ok()?;
    let (year, rest) = match period.split_once('-') {
        Some((y, r)) => (y, Some(r)),
        None => (period, None),
    };
    let year: i32 = year.parse().ok()?;
    let month = match rest {
        None => 1,
        Some(r) => match r.as_bytes() {
            [b'Q', q] => u32::from(q - b'1') * 3 + 1,
            [b'H', h] => u32::from(h - b'1') * 6 + 1,
            _ => r.parse().ok()?,
        },
    };
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// The duty settlement rule: a report settles a unit's reporting duty for `duty_period` when
/// it reports on that period and was filed on or after the period's first day — whether
/// before or after the duty opened (a unit that reports on 2 November has reported for
/// November, though the monthly duty opens on the 20th). Only the duty's own unit's reports
/// count; callers pair a duty with its unit's reports.
pub fn settles(duty_period: &str, report_period: &str, filed_on: NaiveDate) -> bool {
    duty_period == report_period && period_start(duty_period).is_some_and(|start| filed_on >= start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn period_starts() {
        assert_eq!(period_start("2026-11"), Some(d(2026, 11, 1)));
        assert_eq!(period_start("2026-Q4"), Some(d(2026, 10, 1)));
        assert_eq!(period_start("2026-Q1"), Some(d(2026, 1, 1)));
        assert_eq!(period_start("2026-H2"), Some(d(2026, 7, 1)));
        assert_eq!(period_start("2026"), Some(d(2026, 1, 1)));
        assert_eq!(period_start("2026-13"), None);
    }

    #[test]
    fn a_report_filed_early_in_the_period_settles_its_duty() {
        // Filed on 2 November, before the monthly duty opens on the 20th.
        assert!(settles("2026-11", "2026-11", d(2026, 11, 2)));
        assert!(settles("2026-11", "2026-11", d(2026, 11, 1)));
        // Filed after the duty opened, or late in December: still November's report.
        assert!(settles("2026-11", "2026-11", d(2026, 11, 23)));
        assert!(settles("2026-11", "2026-11", d(2026, 12, 3)));
        // Another period's report, or one filed before the period began, does not.
        assert!(!settles("2026-11", "2026-10", d(2026, 11, 2)));
        assert!(!settles("2026-11", "2026-11", d(2026, 10, 31)));
        assert!(!settles("2026-Q4", "2026-Q4", d(2026, 9, 30)));
        assert!(settles("2026-Q4", "2026-Q4", d(2027, 1, 5)));
    }

    proptest! {
        #[test]
        fn settles_exactly_the_same_period_from_its_first_day(
            y in 2000i32..2100, m in 1u32..=12, other in 1u32..=12, offset in -400i64..400
        ) {
            let period = format!("{y}-{m:02}");
            let start = d(y, m, 1);
            let filed = start + chrono::Duration::days(offset);
            prop_assert_eq!(settles(&period, &period, filed), offset >= 0);
            let other_period = format!("{y}-{other:02}");
            if other != m {
                prop_assert!(!settles(&period, &other_period, filed));
            }
        }
    }

    #[test]
    fn periods() {
        for ok in ["2026", "2026-01", "2026-12", "2026-Q4", "2026-H1"] {
            assert!(validate_period(ok).is_ok(), "{ok}");
        }
        for bad in ["", "26", "2026-13", "2026-Q5", "2026-00", "2026-H3", "abcd"] {
            assert!(validate_period(bad).is_err(), "{bad}");
        }
    }
}
