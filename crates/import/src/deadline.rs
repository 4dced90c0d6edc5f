//! Deadline normalisation: `2021年底前` → `2021-12-31`, `每季度` → `quarterly`.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

static FULL_DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})[-./](\d{1,2})[-./](\d{1,2})",
    )
    .expect("full date regex")
});
static YEAR_MONTH_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月").expect("year month regex"));
static YEAR_END_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*年\s*(?:年\s*)?(?:底|末)").expect("year end regex"));
static YEAR_PART_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(\d{4})\s*年\s*)?(上半年|下半年|前三季度|(?:第)?([一二三四1-4])\s*季度)")
        .expect("year part regex")
});
static YEAR_RANGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*(?:年\s*)?[-—–~至到]\s*(\d{4})\s*年").expect("year range regex")
});
static YEAR_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*年").expect("year regex"));
static MONTH_DAY_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("month day regex"));
static MONTH_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})\s*月").expect("month regex"));
/// A deadline phrase inside prose: needs `前`, or `年底`/`年末` with a year.
static PROSE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:\d{4}\s*年\s*)?(?:\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月(?:底|末|份)?|年?底|年?末|上半年|下半年|前三季度|(?:第)?[一二三四]\s*季度)\s*(?:之?前)",
        r"|\d{4}\s*年\s*(?:年\s*)?(?:底|末)"
    ))
    .expect("prose deadline regex")
});

const RECURRENCES: &[(&str, &str)] = &[
    ("每个月", "monthly"),
    ("每月", "monthly"),
    ("按月", "monthly"),
    ("每季度", "quarterly"),
    ("每个季度", "quarterly"),
    ("每季", "quarterly"),
    ("按季度", "quarterly"),
    ("每半年", "semiannual"),
    ("每年", "yearly"),
    ("每年度", "yearly"),
    ("按年度", "yearly"),
    ("每周", "weekly"),
];

/// Normalise an explicit deadline (a `完成时限:` label or a table cell).
///
/// * a date → `YYYY-MM-DD` (`2022年3月15日前`, `2022-03-15`);
/// * a month → its last day (`2022年6月底前` → `2022-06-30`); a month
///   without a year takes `context_year`, or else becomes `--MM-DD`
///   (ISO 8601 month-day, `6月底前` → `--06-30`);
/// * a year or year end → `YYYY-12-31` (`2021年底前`, `2021年`); a range
///   of years → the end of its last year (`2021-2023年` → `2023-12-31`);
/// * half years and quarters → their last day (`2022年上半年` → `2022-06-30`,
///   `三季度` → `…-09-30`);
/// * recurring duties → `monthly`, `quarterly`, `semiannual`, `yearly`,
///   `weekly` (`每月`, `每季度`, `每半年`, `每年`, `每周`);
/// * `长期坚持`, `长期`, `持续推进`, `常态化` → `long_term`.
///
/// Anything else yields `None`.
pub(crate) fn normalize_deadline(s: &str, context_year: Option<i32>) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(r) = recurrence(s) {
        return Some(r.to_owned());
    }
    if let Some(c) = FULL_DATE_RE.captures(s) {
        let (y, m, d) = match (c.get(1), c.get(4)) {
            (Some(y), _) => (y, c.get(2)?, c.get(3)?),
            (None, Some(y)) => (y, c.get(5)?, c.get(6)?),
            _ => return None,
        };
        let date = NaiveDate::from_ymd_opt(
            y.as_str().parse().ok()?,
            m.as_str().parse().ok()?,
            d.as_str().parse().ok()?,
        )?;
        return Some(date.format("%Y-%m-%d").to_string());
    }
    if let Some(c) = YEAR_MONTH_RE.captures(s) {
        let y: i32 = c.get(1)?.as_str().parse().ok()?;
        let m: u32 = c.get(2)?.as_str().parse().ok()?;
        return month_end(Some(y), m);
    }
    if let Some(c) = YEAR_RANGE_RE.captures(s) {
        let y: i32 = c.get(2)?.as_str().parse().ok()?;
        return year_end(y);
    }
    if let Some(c) = YEAR_END_RE.captures(s) {
        let y: i32 = c.get(1)?.as_str().parse().ok()?;
        return year_end(y);
    }
    if let Some(c) = YEAR_PART_RE.captures(s) {
        let year = match c.get(1) {
            Some(y) => Some(y.as_str().parse().ok()?),
            None => context_year,
        };
        let month = match c.get(2)?.as_str() {
            "上半年" => 6,
            "下半年" => 12,
            "前三季度" => 9,
            _ => 3 * quarter(c.get(3)?.as_str())?,
        };
        return month_end(year, month);
    }
    if let Some(c) = YEAR_RE.captures(s) {
        let y: i32 = c.get(1)?.as_str().parse().ok()?;
        return year_end(y);
    }
    if let Some(c) = MONTH_DAY_RE.captures(s) {
        let m: u32 = c.get(1)?.as_str().parse().ok()?;
        let d: u32 = c.get(2)?.as_str().parse().ok()?;
        return match context_year {
            Some(y) => NaiveDate::from_ymd_opt(y, m, d).map(|dt| dt.format("%Y-%m-%d").to_string()),
            None => NaiveDate::from_ymd_opt(2000, m, d).map(|dt| dt.format("--%m-%d").to_string()),
        };
    }
    if let Some(c) = MONTH_RE.captures(s) {
        let m: u32 = c.get(1)?.as_str().parse().ok()?;
        return month_end(context_year, m);
    }
    if ["长期", "持续", "常态化"].iter().any(|w| s.contains(w)) {
        return Some("long_term".to_owned());
    }
    None
}

/// Find a deadline in task prose: an explicit time limit (`2021年底前`,
/// `6月底前`, `2022年上半年前`) wins; otherwise the first recurring duty
/// (`每月`, `每季度`, …); otherwise `长期坚持` → `long_term`. A bare year
/// (`力争2021年…`) is a target year, not a deadline.
pub(crate) fn deadline_in_text(text: &str, plan_year: Option<i32>) -> Option<String> {
    if let Some(m) = PROSE_RE.find(text) {
        let context = YEAR_RE
            .captures_iter(&text[..m.start()])
            .filter_map(|c| c.get(1)?.as_str().parse::<i32>().ok())
            .last()
            .or(plan_year);
        if let Some(d) = normalize_deadline(m.as_str(), context) {
            return Some(d);
        }
    }
    if let Some(r) = recurrence(text) {
        return Some(r.to_owned());
    }
    text.contains("长期坚持").then(|| "long_term".to_owned())
}

/// The first recurring-duty word in `s`, by position.
fn recurrence(s: &str) -> Option<&'static str> {
    RECURRENCES
        .iter()
        .filter_map(|(word, value)| s.find(word).map(|i| (i, *value)))
        .min_by_key(|(i, _)| *i)
        .map(|(_, v)| v)
}

fn quarter(s: &str) -> Option<u32> {
    Some(match s {
        "一" | "1" => 1,
        "二" | "2" => 2,
        "三" | "3" => 3,
        "四" | "4" => 4,
        _ => return None,
    })
}

fn year_end(y: i32) -> Option<String> {
    NaiveDate::from_ymd_opt(y, 12, 31).map(|d| d.format("%Y-%m-%d").to_string())
}

/// Last day of month `m` of `year`, or `--MM-DD` without a year.
fn month_end(year: Option<i32>, m: u32) -> Option<String> {
    if !(1..=12).contains(&m) {
        return None;
    }
    let y = year.unwrap_or(2001); // a non-leap year for the month-day form
    let first_next = if m == 12 {
        NaiveDate::from_ymd_opt(y.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, m.checked_add(1)?, 1)?
    };
    let last = first_next.pred_opt()?;
    Some(match year {
        Some(_) => last.format("%Y-%m-%d").to_string(),
        None => last.format("--%m-%d").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str, y: Option<i32>) -> Option<String> {
        normalize_deadline(s, y)
    }

    #[test]
    fn explicit_deadlines() {
        assert_eq!(n("2021年底前", None).as_deref(), Some("2021-12-31"));
        assert_eq!(n("2021年年底前完成", None).as_deref(), Some("2021-12-31"));
        assert_eq!(n("2022年6月底前", None).as_deref(), Some("2022-06-30"));
        assert_eq!(n("2024年2月", None).as_deref(), Some("2024-02-29"));
        assert_eq!(n("6月底前", Some(2022)).as_deref(), Some("2022-06-30"));
        assert_eq!(n("6月底前", None).as_deref(), Some("--06-30"));
        assert_eq!(n("2022年3月15日前", None).as_deref(), Some("2022-03-15"));
        assert_eq!(n("2022年上半年", None).as_deref(), Some("2022-06-30"));
        assert_eq!(n("三季度", Some(2022)).as_deref(), Some("2022-09-30"));
        assert_eq!(n("2021-2023年", None).as_deref(), Some("2023-12-31"));
        assert_eq!(n("2022年", None).as_deref(), Some("2022-12-31"));
        assert_eq!(n("长期坚持", None).as_deref(), Some("long_term"));
        assert_eq!(n("每季度", None).as_deref(), Some("quarterly"));
        assert_eq!(n("每月10日前", None).as_deref(), Some("monthly"));
        assert_eq!(n("每年", None).as_deref(), Some("yearly"));
        assert_eq!(n("尽快", None), None);
        assert_eq!(n("2022年13月", None), None);
    }

    #[test]
    fn prose_deadlines() {
        assert_eq!(
            deadline_in_text("力争2021年新增龙头企业3家,2021年底前出台政策。", None).as_deref(),
            Some("2021-12-31")
        );
        assert_eq!(deadline_in_text("力争2021年新增龙头企业3家。", None), None);
        assert_eq!(
            deadline_in_text("2022年启动试点,6月底前完成评估。", Some(2021)).as_deref(),
            Some("2022-06-30")
        );
        assert_eq!(
            deadline_in_text("领导小组办公室每季度收集推进情况。", None).as_deref(),
            Some("quarterly")
        );
        assert_eq!(
            deadline_in_text("此项工作长期坚持。", None).as_deref(),
            Some("long_term")
        );
    }
}
