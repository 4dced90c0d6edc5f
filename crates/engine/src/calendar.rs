//! Loading the working-day calendar from `config/calendar/<year>.toml`.

use crate::EngineError;
use std::path::Path;
use xiaohao_core::calendar::{UncoveredYears, WorkingCalendar, YearCalendar};

/// Read every `<year>.toml` in `dir`. A missing directory falls back to the calendars
/// compiled into the binary. Years without a file are answered Monday–Friday and each such
/// answer is flagged (`is_assumed`); [`coverage_warning`] says so at start.
///
/// # Errors
/// A malformed file, naming it.
pub fn load_calendar(dir: &Path) -> Result<WorkingCalendar, EngineError> {
    let cal = if dir.is_dir() {
        let mut years = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| EngineError::Config(format!("{}: {e}", dir.display())))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        entries.sort();
        for path in entries {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| EngineError::Config(format!("{}: {e}", path.display())))?;
            years.push(
                YearCalendar::from_toml_named(&path.display().to_string(), &text)
                    .map_err(|e| EngineError::Config(e.to_string()))?,
            );
        }
        WorkingCalendar::from_years(years).map_err(|e| EngineError::Config(e.to_string()))?
    } else {
        WorkingCalendar::bundled().map_err(|e| EngineError::Config(e.to_string()))?
    };
    Ok(cal.with_uncovered_years(UncoveredYears::AssumeMondayToFriday))
}

/// A warning when this year or the next has no calendar file (the State Council publishes
/// the next year's holidays each November).
pub fn coverage_warning(cal: &WorkingCalendar, year: i32) -> Option<String> {
    let missing: Vec<i32> = [year, year + 1]
        .into_iter()
        .filter(|y| !cal.covers(*y))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "no working-day calendar for {missing:?}: those dates are counted Monday–Friday without holidays or 调休 until a file config/calendar/<year>.toml is added"
        )
    })
}
