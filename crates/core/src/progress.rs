//! Progress reports (反馈进展): period, text, percent, metric actuals, attachments.

use serde::{Deserialize, Serialize};

use crate::DomainError;

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
    /// Names or URLs of attachments.
    #[serde(default)]
    pub attachments: Vec<String>,
}

impl ProgressReport {
    pub fn validate(&self) -> Result<(), DomainError> {
        validate_period(&self.period)?;
        if self.text.trim().is_empty() {
            return Err(DomainError::invalid("text", "a progress report needs text"));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
