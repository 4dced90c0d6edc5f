//! The policy from the configuration: the working-day calendar read from
//! `config/calendar/<year>.toml` (never compiled in), the time zone, lights, ladder, cycles
//! and SLA. Built once at start; every component shares the same `Arc<Policy>`.

use crate::{EngineError, Settings};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use xiaohao_core::Policy;
use xiaohao_core::calendar::{UncoveredYears, WorkingCalendar, YearCalendar};

/// Read every `<year>.toml` in `dir`. Years without a file (or a missing directory) are
/// answered Monday–Friday and every such answer is flagged `assumed`; the service shows a
/// banner, a metric and a digest line about them (see [`missing_years_notice`]).
///
/// # Errors
/// A malformed file, naming it.
pub fn load_calendar(dir: &Path) -> Result<WorkingCalendar, EngineError> {
    let mut years = Vec::new();
    if dir.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| EngineError::Config(format!("{}: {e}", dir.display())))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        entries.sort();
        for path in entries {
            years.push(read_year(&path)?);
        }
    }
    Ok(WorkingCalendar::from_years(years)
        .map_err(|e| EngineError::Config(e.to_string()))?
        .with_uncovered_years(UncoveredYears::AssumeMondayToFriday))
}

fn read_year(path: &Path) -> Result<YearCalendar, EngineError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| EngineError::Config(format!("{}: {e}", path.display())))?;
    YearCalendar::from_toml_named(&path.display().to_string(), &text)
        .map_err(|e| EngineError::Config(e.to_string()))
}

/// The policy the settings describe, relative paths taken from `home`.
///
/// # Errors
/// A malformed calendar file, an unknown time zone, or an invalid ladder.
pub fn load_policy(settings: &Settings, home: &Path) -> Result<Policy, EngineError> {
    settings
        .escalation
        .validate()
        .map_err(|e| EngineError::Config(format!("escalation ladder: {e}")))?;
    settings.orders.validate().map_err(EngineError::Config)?;
    Ok(Policy {
        timezone: settings.timezone.parse().map_err(|_| {
            EngineError::Config(format!("unknown time zone `{}`", settings.timezone))
        })?,
        calendar: load_calendar(&home.join(&settings.calendar_dir))?,
        lights: settings.lights,
        ladder: settings.escalation.clone(),
        cycles: settings.cycles.clone(),
        problem_sla: settings.problem_sla.clone(),
        scoring: load_scoring(&home.join(&settings.scoring_file), &settings.escalation)?,
        extension: settings.extension,
        orders: settings.orders.clone(),
    })
}

/// The 考核 rules from `path` (the built-in rules, which are the shipped file, when it
/// does not exist), checked against the ladder.
///
/// # Errors
/// `Config` naming the file and the key at fault.
pub fn load_scoring(
    path: &Path,
    ladder: &xiaohao_core::escalation::Ladder,
) -> Result<xiaohao_core::score::ScoringRules, EngineError> {
    if !path.exists() {
        return Ok(xiaohao_core::score::ScoringRules::default());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| EngineError::Config(format!("{}: {e}", path.display())))?;
    xiaohao_core::score::ScoringRules::from_toml(&text, Some(ladder))
        .map_err(|e| EngineError::Config(format!("{}: {e}", path.display())))
}

/// What offices and admins are told while a calendar year is missing (this year, or next
/// year from 1 November): on every page, in the office digest and at start.
pub fn missing_years_notice(policy: &Policy, today: NaiveDate) -> Option<String> {
    let missing = policy.missing_calendar_years(today);
    if missing.is_empty() {
        return None;
    }
    let years: Vec<String> = missing.iter().map(|y| format!("{y}年")).collect();
    Some(format!(
        "尚未载入{}工作日历（法定节假日与调休安排），该年度日期暂按周一至周五计算，\
         逾期工作日数和红黄绿灯可能不准确。请系统管理员依据国务院办公厅节假日安排通知导入日历。",
        years.join("、")
    ))
}

/// A warning for the log at start when this year or the next has no calendar file.
pub fn coverage_warning(cal: &WorkingCalendar, year: i32) -> Option<String> {
    let missing: Vec<i32> = [year, year + 1]
        .into_iter()
        .filter(|y| !cal.covers(*y))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "no working-day calendar for {missing:?}: those dates are counted Monday–Friday without holidays or 调休 (flagged `assumed`) until `xiaohao calendar import <year>.toml` adds the file"
        )
    })
}

/// Validate a calendar file and install it as `<calendar_dir>/<year>.toml`, replacing an
/// earlier file of that year only with `replace`. Returns the year and where it went; the
/// running service reads it at its next start.
///
/// # Errors
/// `Invalid` naming the file and the fault (a date outside the year, a day both off and
/// on, an existing year without `replace`); `Config` when the directory cannot be written.
pub fn import_calendar_file(
    file: &Path,
    calendar_dir: &Path,
    replace: bool,
) -> Result<(YearCalendar, PathBuf), EngineError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| EngineError::invalid("file", format!("{}: {e}", file.display())))?;
    let year = YearCalendar::from_toml_named(&file.display().to_string(), &text)
        .map_err(|e| EngineError::invalid("file", e.to_string()))?;
    std::fs::create_dir_all(calendar_dir)
        .map_err(|e| EngineError::Config(format!("{}: {e}", calendar_dir.display())))?;
    let target = calendar_dir.join(format!("{}.toml", year.year()));
    if target.exists() && !replace {
        return Err(EngineError::invalid(
            "file",
            format!(
                "{} already exists; pass --replace to overwrite the calendar of {}",
                target.display(),
                year.year()
            ),
        ));
    }
    // Written beside the target and renamed, so a reader never sees half a file.
    let partial = calendar_dir.join(format!(".{}.toml.partial", year.year()));
    std::fs::write(&partial, &text)
        .and_then(|()| std::fs::rename(&partial, &target))
        .map_err(|e| EngineError::Config(format!("{}: {e}", target.display())))?;
    Ok((year, target))
}
