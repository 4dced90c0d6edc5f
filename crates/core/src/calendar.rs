//! Working-day calendar with official Chinese holidays and adjusted working days (调休).
//!
//! Every deadline in Xiaohao is counted in *working days* (工作日): "1天应答、3天明确意见、
//! 5天办结" means one, three and five working days. In China a working day is not simply
//! Monday to Friday: each year the State Council (国务院办公厅) publishes the year's holiday
//! arrangement, in which some weekdays are days off (放假) and some Saturdays or Sundays are
//! working days (调休上班). Those dates cannot be computed; they are data, kept in one TOML
//! file per year (`config/calendar/<year>.toml`) that an office edits when the notice for
//! the next year comes out (usually in November).
//!
//! # Day rules
//!
//! 1. A date inside a holiday's range of days off is a [`DayKind::Holiday`], whatever its weekday.
//! 2. A Saturday or Sunday listed as an adjusted working day is a [`DayKind::AdjustedWorkday`].
//! 3. Otherwise Monday to Friday is a [`DayKind::Workday`] and Saturday/Sunday a [`DayKind::Weekend`].
//!
//! # Coverage is explicit
//!
//! A date in a year for which no file was loaded is an error, [`CalendarError::YearNotCovered`],
//! never a silent Monday-to-Friday guess: a wrong due date on a supervision ledger is worse
//! than a visible "calendar for 2027 missing". The service should call
//! [`WorkingCalendar::covers`] for the next year at start and warn. A caller that prefers a
//! guess must say so with [`UncoveredYears::AssumeMondayToFriday`] and can tell which answers
//! were guesses with [`WorkingCalendar::is_assumed`].
//!
//! # Data file format
//!
//! ```toml
//! year = 2026                                   # the year this file covers
//! source = "国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)"
//! published = 2025-11-04                        # optional
//! links = ["https://…"]                         # optional
//!
//! [[holiday]]
//! name = "春节"
//! first = 2026-02-15                            # first day off
//! last = 2026-02-23                             # last day off, inclusive (omit for one day)
//! days = 9                                      # optional check against the notice's 天数
//! work = [2026-02-14, 2026-02-28]               # adjusted working days (调休上班)
//! ```
//!
//! Dates may be TOML dates (`2026-02-15`) or strings (`"2026-02-15"`). Unknown keys are
//! rejected so that a typo (`wrok = […]`) cannot silently drop dates. Validation on load:
//! every date lies in `year` (so a range cannot cross years), `first <= last`, `days`
//! (when given) matches the range, ranges of days off do not overlap, holiday names are
//! unique, adjusted working days are Saturdays or Sundays, lie outside every range of days
//! off and are not listed twice.
//!
//! # Counting convention
//!
//! "N working days after D" never counts D itself: a problem filed on Friday 2026-02-13
//! has one working day, Saturday 2026-02-14 (调休上班), and five working days end on
//! 2026-02-27 because 春节 (02-15..02-23) is skipped. [`WorkingCalendar::working_days_between`]
//! counts the half-open interval `(from, to]`, which is exactly the inverse of
//! [`WorkingCalendar::add_working_days`].

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a calendar came from, for error messages: the file name the caller gave (or
/// `<inline>`) and the year, so an office sees "2027.toml (year 2027)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// File name or other label given by the caller.
    pub name: String,
    /// The `year` of the file, when it was read.
    pub year: Option<i32>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.year {
            Some(year) => write!(f, "{} (year {year})", self.name),
            None => write!(f, "{}", self.name),
        }
    }
}

/// Errors of loading a calendar or of asking it about a date.
///
/// Load errors name the file (and year), the holiday and the offending date so that the
/// person editing the TOML file can fix it without reading code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// The date falls in a year for which no calendar file was loaded.
    #[error(
        "no working-day calendar for year {0}: add config/calendar/{0}.toml from the \
         State Council holiday notice"
    )]
    YearNotCovered(i32),

    /// Date arithmetic ran past the range chrono can represent.
    #[error("date arithmetic out of range near {0}")]
    DateOutOfRange(NaiveDate),

    /// Two calendars for the same year were given to [`WorkingCalendar::from_years`].
    #[error("two calendars for year {year}: {first} and {second}")]
    DuplicateYear {
        year: i32,
        first: String,
        second: String,
    },

    /// The text is not valid TOML or does not have the expected shape.
    #[error("{origin}: {message}")]
    Parse { origin: Origin, message: String },

    /// The `year` key is outside the supported range (1900..=2999).
    #[error("{origin}: year {year} is out of the supported range 1900..=2999")]
    YearOutOfRange { origin: Origin, year: i32 },

    /// A holiday has an empty name.
    #[error("{origin}: holiday #{index} has an empty name")]
    EmptyHolidayName { origin: Origin, index: usize },

    /// Two holidays have the same name.
    #[error("{origin}: holiday {holiday:?} is listed twice")]
    DuplicateHoliday { origin: Origin, holiday: String },

    /// A date of a holiday is not in the file's year.
    #[error("{origin}: holiday {holiday:?}: date {date} is not in year {year}")]
    DateOutsideYear {
        origin: Origin,
        year: i32,
        holiday: String,
        date: NaiveDate,
    },

    /// `first` is after `last`.
    #[error("{origin}: holiday {holiday:?}: first day off {first} is after last day off {last}")]
    ReversedRange {
        origin: Origin,
        holiday: String,
        first: NaiveDate,
        last: NaiveDate,
    },

    /// `days` does not match the range `first..=last`.
    #[error(
        "{origin}: holiday {holiday:?}: days = {declared} but {first}..={last} is {actual} days"
    )]
    DayCountMismatch {
        origin: Origin,
        holiday: String,
        first: NaiveDate,
        last: NaiveDate,
        declared: u32,
        actual: i64,
    },

    /// Two ranges of days off share a date.
    #[error("{origin}: holiday {holiday:?}: day off {date} is also a day off of {other:?}")]
    OverlappingHolidays {
        origin: Origin,
        holiday: String,
        other: String,
        date: NaiveDate,
    },

    /// An adjusted working day is a Monday to Friday (those are working days anyway).
    #[error(
        "{origin}: holiday {holiday:?}: adjusted working day {date} is a {weekday}, \
         not a Saturday or Sunday"
    )]
    AdjustedWorkdayNotWeekend {
        origin: Origin,
        holiday: String,
        date: NaiveDate,
        weekday: Weekday,
    },

    /// An adjusted working day lies inside a range of days off.
    #[error("{origin}: holiday {holiday:?}: adjusted working day {date} is a day off of {other:?}")]
    AdjustedWorkdayInsideHoliday {
        origin: Origin,
        holiday: String,
        other: String,
        date: NaiveDate,
    },

    /// The same adjusted working day is listed twice (in one or two holidays).
    #[error("{origin}: holiday {holiday:?}: adjusted working day {date} is listed twice")]
    DuplicateAdjustedWorkday {
        origin: Origin,
        holiday: String,
        date: NaiveDate,
    },
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    /// Monday to Friday, not a holiday.
    Workday,
    /// Saturday or Sunday, not an adjusted working day.
    Weekend,
    /// A day off of the named holiday (any weekday).
    Holiday { name: String },
    /// A Saturday or Sunday that is a working day because of the named holiday (调休上班).
    AdjustedWorkday { name: String },
}

impl DayKind {
    /// Whether this is a working day.
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday { .. })
    }
}

/// One holiday of a year's notice: an inclusive range of days off and the adjusted working
/// days that belong to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// Name as printed in the notice, e.g. `春节`.
    pub name: String,
    /// First day off.
    pub first: NaiveDate,
    /// Last day off, inclusive.
    pub last: NaiveDate,
    /// Adjusted working days (调休上班), each a Saturday or Sunday.
    pub work: Vec<NaiveDate>,
}

impl Holiday {
    /// Number of days off, `first..=last`.
    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// Whether `date` is one of this holiday's days off.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }
}

/// Compact per-day classification; the index points into [`YearCalendar::holidays`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Workday,
    Weekend,
    Holiday(usize),
    Adjusted(usize),
}

impl Slot {
    fn is_working(self) -> bool {
        matches!(self, Slot::Workday | Slot::Adjusted(_))
    }
}

/// The validated calendar of one year.
///
/// Built with [`YearCalendar::from_toml_str`], [`YearCalendar::from_toml_named`] or
/// [`YearCalendar::new`]; all three validate, so a `YearCalendar` is always consistent.
#[derive(Clone, PartialEq, Eq)]
pub struct YearCalendar {
    year: i32,
    origin: String,
    source: String,
    published: Option<NaiveDate>,
    links: Vec<String>,
    holidays: Vec<Holiday>,
    /// One slot per day of the year, indexed by `ordinal0`.
    slots: Vec<Slot>,
}

impl fmt::Debug for YearCalendar {
    /// Omits the per-day table (365 entries) that is derived from the holidays.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YearCalendar")
            .field("year", &self.year)
            .field("origin", &self.origin)
            .field("source", &self.source)
            .field("published", &self.published)
            .field("links", &self.links)
            .field("holidays", &self.holidays)
            .finish_non_exhaustive()
    }
}

/// Label used in errors for calendars parsed from a string without a file name.
const INLINE_ORIGIN: &str = "<inline>";

impl YearCalendar {
    /// Parses and validates one year's TOML file (see the module docs for the format).
    /// Errors name the file as `<inline>`; use [`YearCalendar::from_toml_named`] to give
    /// the real file name.
    pub fn from_toml_str(text: &str) -> Result<Self, CalendarError> {
        Self::from_toml_named(INLINE_ORIGIN, text)
    }

    /// Like [`YearCalendar::from_toml_str`], with `origin` (usually the file path) used in
    /// every error message.
    pub fn from_toml_named(origin: &str, text: &str) -> Result<Self, CalendarError> {
        let raw: RawYear = toml::from_str(text).map_err(|e| CalendarError::Parse {
            origin: Origin {
                name: origin.to_owned(),
                year: None,
            },
            message: e.to_string().trim_end().to_owned(),
        })?;
        let here = Origin {
            name: origin.to_owned(),
            year: Some(raw.year),
        };
        let mut holidays = Vec::with_capacity(raw.holidays.len());
        for h in raw.holidays {
            let first = h.first.0;
            let last = h.last.map_or(first, |d| d.0);
            let holiday = Holiday {
                name: h.name,
                first,
                last,
                work: h.work.into_iter().map(|d| d.0).collect(),
            };
            if let Some(declared) = h.days {
                // Checked here (not in `new`) because `days` only exists in the file format;
                // reversed ranges are reported by `new` with a clearer message.
                let actual = holiday.days();
                if first <= last && i64::from(declared) != actual {
                    return Err(CalendarError::DayCountMismatch {
                        origin: here,
                        holiday: holiday.name,
                        first,
                        last,
                        declared,
                        actual,
                    });
                }
            }
            holidays.push(holiday);
        }
        let mut calendar = Self::validate(here, holidays)?;
        calendar.source = raw.source;
        calendar.published = raw.published.map(|d| d.0);
        calendar.links = raw.links;
        Ok(calendar)
    }

    /// Builds a year from holidays given in code (tests, simulations). `source` names the
    /// notice. Applies the same validation as the file loader.
    pub fn new(
        year: i32,
        source: impl Into<String>,
        holidays: Vec<Holiday>,
    ) -> Result<Self, CalendarError> {
        let origin = Origin {
            name: INLINE_ORIGIN.to_owned(),
            year: Some(year),
        };
        let mut calendar = Self::validate(origin, holidays)?;
        calendar.source = source.into();
        Ok(calendar)
    }

    fn validate(origin: Origin, holidays: Vec<Holiday>) -> Result<Self, CalendarError> {
        let year = origin.year.unwrap_or_default();
        if !(1900..=2999).contains(&year) {
            return Err(CalendarError::YearOutOfRange { origin, year });
        }
        // In range, so these exist.
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(CalendarError::YearOutOfRange {
            origin: origin.clone(),
            year,
        })?;
        let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(CalendarError::YearOutOfRange {
            origin: origin.clone(),
            year,
        })?;

        let mut slots: Vec<Slot> = jan1
            .iter_days()
            .take_while(|d| *d <= dec31)
            .map(|d| match d.weekday() {
                Weekday::Sat | Weekday::Sun => Slot::Weekend,
                _ => Slot::Workday,
            })
            .collect();

        let outside = |holiday: &Holiday, date: NaiveDate| CalendarError::DateOutsideYear {
            origin: origin.clone(),
            year,
            holiday: holiday.name.clone(),
            date,
        };

        // Pass 1: names and ranges of days off.
        for (i, h) in holidays.iter().enumerate() {
            if h.name.trim().is_empty() {
                return Err(CalendarError::EmptyHolidayName {
                    origin,
                    index: i + 1,
                });
            }
            if holidays[..i].iter().any(|o| o.name == h.name) {
                return Err(CalendarError::DuplicateHoliday {
                    origin,
                    holiday: h.name.clone(),
                });
            }
            for date in [h.first, h.last] {
                if date.year() != year {
                    return Err(outside(h, date));
                }
            }
            if h.first > h.last {
                return Err(CalendarError::ReversedRange {
                    origin,
                    holiday: h.name.clone(),
                    first: h.first,
                    last: h.last,
                });
            }
            for date in h.first.iter_days().take_while(|d| *d <= h.last) {
                let slot = &mut slots[date.ordinal0() as usize];
                if let Slot::Holiday(other) = *slot {
                    return Err(CalendarError::OverlappingHolidays {
                        origin,
                        holiday: h.name.clone(),
                        other: holidays[other].name.clone(),
                        date,
                    });
                }
                *slot = Slot::Holiday(i);
            }
        }

        // Pass 2: adjusted working days, now that every day off is known.
        for (i, h) in holidays.iter().enumerate() {
            for &date in &h.work {
                if date.year() != year {
                    return Err(outside(h, date));
                }
                let weekday = date.weekday();
                if !matches!(weekday, Weekday::Sat | Weekday::Sun) {
                    return Err(CalendarError::AdjustedWorkdayNotWeekend {
                        origin,
                        holiday: h.name.clone(),
                        date,
                        weekday,
                    });
                }
                let slot = &mut slots[date.ordinal0() as usize];
                match *slot {
                    Slot::Holiday(other) => {
                        return Err(CalendarError::AdjustedWorkdayInsideHoliday {
                            origin,
                            holiday: h.name.clone(),
                            other: holidays[other].name.clone(),
                            date,
                        });
                    }
                    Slot::Adjusted(_) => {
                        return Err(CalendarError::DuplicateAdjustedWorkday {
                            origin,
                            holiday: h.name.clone(),
                            date,
                        });
                    }
                    Slot::Weekend | Slot::Workday => *slot = Slot::Adjusted(i),
                }
            }
        }

        Ok(Self {
            year,
            origin: origin.name,
            source: String::new(),
            published: None,
            links: Vec::new(),
            holidays,
            slots,
        })
    }

    /// The year this calendar covers.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The file name (or `<inline>`) given when loading.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The notice the dates come from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Date the notice was issued, when the file gives it.
    pub fn published(&self) -> Option<NaiveDate> {
        self.published
    }

    /// Links to the text of the notice, when the file gives them.
    pub fn links(&self) -> &[String] {
        &self.links
    }

    /// The holidays, in file order.
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// Number of working days in the year (248 in both 2025 and 2026).
    pub fn working_day_count(&self) -> usize {
        self.slots.iter().filter(|s| s.is_working()).count()
    }

    fn slot(&self, date: NaiveDate) -> Option<Slot> {
        if date.year() != self.year {
            return None;
        }
        self.slots.get(date.ordinal0() as usize).copied()
    }

    fn kind_of(&self, slot: Slot) -> DayKind {
        let name = |i: usize| {
            self.holidays
                .get(i)
                .map(|h| h.name.clone())
                .unwrap_or_default()
        };
        match slot {
            Slot::Workday => DayKind::Workday,
            Slot::Weekend => DayKind::Weekend,
            Slot::Holiday(i) => DayKind::Holiday { name: name(i) },
            Slot::Adjusted(i) => DayKind::AdjustedWorkday { name: name(i) },
        }
    }
}

/// What to do with a date in a year that has no calendar file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UncoveredYears {
    /// Answer [`CalendarError::YearNotCovered`] (the default, and the safe choice).
    #[default]
    Reject,
    /// Treat Monday to Friday as working days. Answers for such dates are guesses; callers
    /// can detect them with [`WorkingCalendar::is_assumed`] and should show a warning.
    AssumeMondayToFriday,
}

/// A working-day calendar over the loaded years.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkingCalendar {
    years: BTreeMap<i32, YearCalendar>,
    uncovered: UncoveredYears,
}

/// The calendar files of `config/calendar/`, for this crate's tests only: the service
/// reads them from its configuration directory at start, so an office adds next year's
/// file without a rebuild, and no calendar is compiled into the binary.
#[cfg(test)]
pub(crate) const BUNDLED_YEARS: &[(&str, &str)] = &[
    (
        "config/calendar/2025.toml",
        include_str!("../../../config/calendar/2025.toml"),
    ),
    (
        "config/calendar/2026.toml",
        include_str!("../../../config/calendar/2026.toml"),
    ),
];

impl WorkingCalendar {
    /// Builds a calendar from parsed years. Two calendars for one year are an error; gaps
    /// between years are allowed (dates in a gap are [`CalendarError::YearNotCovered`]).
    pub fn from_years(years: Vec<YearCalendar>) -> Result<Self, CalendarError> {
        let mut map: BTreeMap<i32, YearCalendar> = BTreeMap::new();
        for y in years {
            if let Some(existing) = map.get(&y.year) {
                return Err(CalendarError::DuplicateYear {
                    year: y.year,
                    first: existing.origin.clone(),
                    second: y.origin.clone(),
                });
            }
            map.insert(y.year, y);
        }
        Ok(Self {
            years: map,
            uncovered: UncoveredYears::Reject,
        })
    }

    /// The calendar of the files in `BUNDLED_YEARS` (2025 and 2026), for tests.
    #[cfg(test)]
    pub(crate) fn bundled() -> Result<Self, CalendarError> {
        let years = BUNDLED_YEARS
            .iter()
            .map(|(name, text)| YearCalendar::from_toml_named(name, text))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_years(years)
    }

    /// Sets what happens for dates in years without a file (default: reject).
    pub fn with_uncovered_years(mut self, policy: UncoveredYears) -> Self {
        self.uncovered = policy;
        self
    }

    /// The policy for years without a file.
    pub fn uncovered_years(&self) -> UncoveredYears {
        self.uncovered
    }

    /// The years that have a calendar file, ascending.
    pub fn coverage(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// Whether `year` has a calendar file. The service should check `covers(today.year() + 1)`
    /// at start (and daily from November) and warn when it is false.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Whether an answer about `date` would be a Monday-to-Friday guess (its year is not
    /// covered and the policy is [`UncoveredYears::AssumeMondayToFriday`]).
    pub fn is_assumed(&self, date: NaiveDate) -> bool {
        self.uncovered == UncoveredYears::AssumeMondayToFriday && !self.covers(date.year())
    }

    /// The calendar of one year, if loaded.
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    /// Classifies `date`; errors when its year is not covered (under [`UncoveredYears::Reject`]).
    pub fn day_kind(&self, date: NaiveDate) -> Result<DayKind, CalendarError> {
        match self.years.get(&date.year()) {
            Some(y) => Ok(y
                .slot(date)
                .map_or(DayKind::Workday, |slot| y.kind_of(slot))),
            None => self.assumed(date).map(|working| {
                if working {
                    DayKind::Workday
                } else {
                    DayKind::Weekend
                }
            }),
        }
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        match self.years.get(&date.year()).and_then(|y| y.slot(date)) {
            Some(slot) => Ok(slot.is_working()),
            None => self.assumed(date),
        }
    }

    fn assumed(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        match self.uncovered {
            UncoveredYears::Reject => Err(CalendarError::YearNotCovered(date.year())),
            UncoveredYears::AssumeMondayToFriday => {
                Ok(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
            }
        }
    }

    /// The date `n` working days after `date`, `date` itself not counted.
    ///
    /// `n = 0` returns `date` unchanged (even if it is not a working day), so that
    /// `working_days_between(d, add_working_days(d, n)) == n` holds for every `n`.
    /// For `n >= 1` the result is always a working day.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().ok_or(CalendarError::DateOutOfRange(d))?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// The date `n` working days before `date`, `date` itself not counted; `n = 0` returns
    /// `date`. For `n >= 1`, `subtract_working_days(add_working_days(d, n), n)` is the last
    /// working day on or before `d`.
    pub fn subtract_working_days(
        &self,
        date: NaiveDate,
        n: u32,
    ) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d.pred_opt().ok_or(CalendarError::DateOutOfRange(d))?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Signed number of working days in `(from, to]`; when `to < from`, minus the number in
    /// `(to, from]`. So `working_days_between(d, add_working_days(d, n)) == n`,
    /// `between(a, b) == -between(b, a)` and `between(a, b) + between(b, c) == between(a, c)`.
    ///
    /// Used as "working days late": `working_days_between(due, today)` is positive when
    /// today is past the due date, zero on it (or on a rest day right after it), and minus
    /// the working days left before it.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let (lo, hi, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0i64;
        let mut d = lo;
        while d < hi {
            d = d.succ_opt().ok_or(CalendarError::DateOutOfRange(d))?;
            if self.is_working_day(d)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    /// `date` if it is a working day, otherwise the first working day after it.
    pub fn next_working_day_on_or_after(
        &self,
        date: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        if self.is_working_day(date)? {
            Ok(date)
        } else {
            self.add_working_days(date, 1)
        }
    }

    /// `date` if it is a working day, otherwise the last working day before it.
    pub fn previous_working_day_on_or_before(
        &self,
        date: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        if self.is_working_day(date)? {
            Ok(date)
        } else {
            self.subtract_working_days(date, 1)
        }
    }
}

// ---------------------------------------------------------------------------------------
// File format (serde side). Kept private: the public model is `YearCalendar`/`Holiday`.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i32,
    source: String,
    #[serde(default)]
    published: Option<FileDate>,
    #[serde(default)]
    links: Vec<String>,
    #[serde(default, rename = "holiday")]
    holidays: Vec<RawHoliday>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    first: FileDate,
    #[serde(default)]
    last: Option<FileDate>,
    #[serde(default)]
    days: Option<u32>,
    #[serde(default)]
    work: Vec<FileDate>,
}

/// A date in a calendar file: a TOML local date (`2026-02-15`) or a string
/// (`"2026-02-15"`), since people editing the file will write either.
#[derive(Debug, Clone, Copy)]
struct FileDate(NaiveDate);

impl<'de> Deserialize<'de> for FileDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = toml::Value::deserialize(deserializer)?;
        let parsed = match &value {
            toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
            toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                }
                _ => None,
            },
            _ => None,
        };
        parsed.map(FileDate).ok_or_else(|| {
            let found = match &value {
                toml::Value::String(s) => format!("\"{s}\""),
                toml::Value::Datetime(dt) => dt.to_string(),
                other => format!("a {}", other.type_str()),
            };
            D::Error::custom(format!(
                "expected a date like 2026-02-15 (no time of day), found {found}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const Y2025: &str = include_str!("../../../config/calendar/2025.toml");
    const Y2026: &str = include_str!("../../../config/calendar/2026.toml");

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::from_years(vec![
            YearCalendar::from_toml_named("2025.toml", Y2025).unwrap(),
            YearCalendar::from_toml_named("2026.toml", Y2026).unwrap(),
        ])
        .unwrap()
    }

    /// A minimal valid 2026 file with one holiday, for the validation tests to break.
    fn one_holiday(body: &str) -> String {
        format!("year = 2026\nsource = \"test\"\n[[holiday]]\nname = \"春节\"\n{body}\n")
    }

    #[test]
    fn bundled_files_load_and_match_the_notices() {
        let c = cal();
        assert_eq!(c.coverage(), vec![2025, 2026]);
        assert!(c.covers(2025) && c.covers(2026) && !c.covers(2027));
        let bundled = WorkingCalendar::bundled().unwrap();
        assert_eq!(bundled.coverage(), c.coverage());
        for year in [2025, 2026] {
            let (a, b) = (bundled.year(year).unwrap(), c.year(year).unwrap());
            assert_eq!(a.holidays(), b.holidays());
            assert_eq!(a.origin(), format!("config/calendar/{year}.toml"));
        }
        let y25 = c.year(2025).unwrap();
        let y26 = c.year(2026).unwrap();
        assert_eq!(y25.published(), Some(d("2024-11-12")));
        assert_eq!(y26.published(), Some(d("2025-11-04")));
        assert_eq!(y25.holidays().len(), 6);
        assert_eq!(y26.holidays().len(), 7);
        // Days off and adjusted working days as listed in the notices.
        let off = |y: &YearCalendar| y.holidays().iter().map(Holiday::days).sum::<i64>();
        let work = |y: &YearCalendar| y.holidays().iter().map(|h| h.work.len()).sum::<usize>();
        assert_eq!((off(y25), work(y25)), (28, 5));
        assert_eq!((off(y26), work(y26)), (33, 6));
    }

    #[test]
    fn working_days_per_year_are_248() {
        let c = cal();
        assert_eq!(c.year(2025).unwrap().working_day_count(), 248);
        assert_eq!(c.year(2026).unwrap().working_day_count(), 248);
        assert_eq!(
            c.working_days_between(d("2024-12-30"), d("2025-12-31")),
            Err(CalendarError::YearNotCovered(2024))
        );
        assert_eq!(
            c.working_days_between(d("2025-01-01"), d("2025-12-31"))
                .unwrap(),
            248
        );
        assert_eq!(
            c.working_days_between(d("2025-12-31"), d("2026-12-31"))
                .unwrap(),
            248
        );
    }

    #[test]
    fn example_sums_from_the_notes() {
        let c = cal();
        assert_eq!(
            c.add_working_days(d("2025-09-26"), 3).unwrap(),
            d("2025-09-30")
        );
        assert_eq!(
            c.add_working_days(d("2026-02-13"), 1).unwrap(),
            d("2026-02-14")
        );
        assert_eq!(
            c.add_working_days(d("2026-02-13"), 5).unwrap(),
            d("2026-02-27")
        );
        assert_eq!(
            c.add_working_days(d("2026-02-13"), 0).unwrap(),
            d("2026-02-13")
        );
    }

    #[test]
    fn day_kinds() {
        let c = cal();
        let holiday = |n: &str| DayKind::Holiday { name: n.into() };
        let adjusted = |n: &str| DayKind::AdjustedWorkday { name: n.into() };
        // 2026 春节 starts on a Sunday and ends on a Monday.
        assert_eq!(c.day_kind(d("2026-02-14")).unwrap(), adjusted("春节"));
        assert_eq!(c.day_kind(d("2026-02-15")).unwrap(), holiday("春节"));
        assert_eq!(c.day_kind(d("2026-02-23")).unwrap(), holiday("春节"));
        assert_eq!(c.day_kind(d("2026-02-24")).unwrap(), DayKind::Workday);
        assert_eq!(c.day_kind(d("2026-02-28")).unwrap(), adjusted("春节"));
        assert_eq!(c.day_kind(d("2026-03-01")).unwrap(), DayKind::Weekend);
        // 2025 春节 ends on a Tuesday.
        assert_eq!(c.day_kind(d("2025-02-04")).unwrap(), holiday("春节"));
        assert_eq!(c.day_kind(d("2025-02-05")).unwrap(), DayKind::Workday);
        // 2025 元旦 has no adjusted working day: the weekend after is a plain weekend.
        assert_eq!(c.day_kind(d("2025-01-01")).unwrap(), holiday("元旦"));
        assert_eq!(c.day_kind(d("2025-01-04")).unwrap(), DayKind::Weekend);
        // 2026 元旦 range ends on a Saturday; Sunday 01-04 is worked.
        assert_eq!(c.day_kind(d("2026-01-03")).unwrap(), holiday("元旦"));
        assert_eq!(c.day_kind(d("2026-01-04")).unwrap(), adjusted("元旦"));
        // 2026 中秋节 and 国庆节 are separate; 09-20 belongs to 国庆节.
        assert_eq!(c.day_kind(d("2026-09-25")).unwrap(), holiday("中秋节"));
        assert_eq!(c.day_kind(d("2026-09-20")).unwrap(), adjusted("国庆节"));
        assert_eq!(c.day_kind(d("2026-09-28")).unwrap(), DayKind::Workday);
        assert!(c.day_kind(d("2026-10-10")).unwrap().is_working());
        assert!(!c.day_kind(d("2026-10-11")).unwrap().is_working());
    }

    #[test]
    fn merged_national_day_2025_is_eight_days() {
        let c = cal();
        let y = c.year(2025).unwrap();
        let h = y
            .holidays()
            .iter()
            .find(|h| h.name == "国庆节、中秋节")
            .unwrap();
        assert_eq!(
            (h.first, h.last, h.days()),
            (d("2025-10-01"), d("2025-10-08"), 8)
        );
        for day in d("2025-10-01").iter_days().take(8) {
            assert!(!c.is_working_day(day).unwrap(), "{day}");
        }
        // Tuesday 09-30 is the last working day before it; 10-11 (Saturday) is worked.
        assert_eq!(
            c.add_working_days(d("2025-09-30"), 1).unwrap(),
            d("2025-10-09")
        );
        assert_eq!(
            c.add_working_days(d("2025-09-30"), 2).unwrap(),
            d("2025-10-10")
        );
        assert_eq!(
            c.add_working_days(d("2025-09-30"), 3).unwrap(),
            d("2025-10-11")
        );
        assert_eq!(
            c.add_working_days(d("2025-09-30"), 4).unwrap(),
            d("2025-10-13")
        );
        // 09-28 (Sunday) is worked: Friday 09-26 + 1 = Sunday 09-28.
        assert_eq!(
            c.add_working_days(d("2025-09-26"), 1).unwrap(),
            d("2025-09-28")
        );
    }

    #[test]
    fn national_day_2026_by_hand() {
        let c = cal();
        // Friday 09-25 is 中秋节; the last working day before 国庆节 is Wednesday 09-30.
        assert_eq!(
            c.previous_working_day_on_or_before(d("2026-09-27"))
                .unwrap(),
            d("2026-09-24")
        );
        assert_eq!(
            c.previous_working_day_on_or_before(d("2026-10-07"))
                .unwrap(),
            d("2026-09-30")
        );
        let from = d("2026-09-30");
        assert_eq!(c.add_working_days(from, 1).unwrap(), d("2026-10-08")); // Thursday
        assert_eq!(c.add_working_days(from, 2).unwrap(), d("2026-10-09")); // Friday
        assert_eq!(c.add_working_days(from, 3).unwrap(), d("2026-10-10")); // Saturday 调休
        assert_eq!(c.add_working_days(from, 4).unwrap(), d("2026-10-12")); // Monday
        assert_eq!(c.add_working_days(from, 5).unwrap(), d("2026-10-13")); // Tuesday
        // Filed on the 中秋节 Friday itself: the next working day is Monday 09-28.
        assert_eq!(
            c.add_working_days(d("2026-09-25"), 1).unwrap(),
            d("2026-09-28")
        );
        assert_eq!(
            c.next_working_day_on_or_after(d("2026-10-01")).unwrap(),
            d("2026-10-08")
        );
        assert_eq!(
            c.next_working_day_on_or_after(d("2026-10-08")).unwrap(),
            d("2026-10-08")
        );
        // Back again.
        assert_eq!(
            c.subtract_working_days(d("2026-10-08"), 1).unwrap(),
            d("2026-09-30")
        );
        assert_eq!(
            c.subtract_working_days(d("2026-10-13"), 5).unwrap(),
            d("2026-09-30")
        );
        assert_eq!(c.working_days_between(from, d("2026-10-13")).unwrap(), 5);
        assert_eq!(c.working_days_between(d("2026-10-13"), from).unwrap(), -5);
        assert_eq!(c.working_days_between(from, from).unwrap(), 0);
    }

    #[test]
    fn uncovered_years_are_errors_unless_assumed() {
        let c = cal();
        assert_eq!(
            c.is_working_day(d("2027-01-04")),
            Err(CalendarError::YearNotCovered(2027))
        );
        assert_eq!(
            c.day_kind(d("2024-12-31")),
            Err(CalendarError::YearNotCovered(2024))
        );
        assert_eq!(
            c.add_working_days(d("2026-12-30"), 3),
            Err(CalendarError::YearNotCovered(2027))
        );
        assert_eq!(
            c.add_working_days(d("2026-12-30"), 1).unwrap(),
            d("2026-12-31")
        );
        assert!(!c.is_assumed(d("2027-01-04")));

        let lenient = c.with_uncovered_years(UncoveredYears::AssumeMondayToFriday);
        assert!(lenient.is_assumed(d("2027-01-04")));
        assert!(!lenient.is_assumed(d("2026-01-05")));
        assert_eq!(lenient.day_kind(d("2027-01-02")).unwrap(), DayKind::Weekend);
        assert_eq!(
            lenient.add_working_days(d("2026-12-30"), 3).unwrap(),
            d("2027-01-04")
        );
        // Covered years still use the file.
        assert_eq!(
            lenient.add_working_days(d("2026-02-13"), 5).unwrap(),
            d("2026-02-27")
        );
        assert!(
            WorkingCalendar::default()
                .is_working_day(d("2026-01-05"))
                .is_err()
        );
    }

    #[test]
    fn duplicate_year_is_rejected() {
        let a = YearCalendar::from_toml_named("a/2026.toml", Y2026).unwrap();
        let b = YearCalendar::from_toml_named("b/2026.toml", Y2026).unwrap();
        let err = WorkingCalendar::from_years(vec![a, b]).unwrap_err();
        assert!(matches!(
            err,
            CalendarError::DuplicateYear { year: 2026, .. }
        ));
        assert!(err.to_string().contains("a/2026.toml"), "{err}");
    }

    #[test]
    fn string_dates_and_single_days_are_accepted() {
        let y = YearCalendar::from_toml_str(&one_holiday(
            "first = \"2026-02-16\"\nwork = [\"2026-02-14\"]",
        ))
        .unwrap();
        assert_eq!(y.holidays()[0].first, d("2026-02-16"));
        assert_eq!(y.holidays()[0].last, d("2026-02-16"));
        assert_eq!(y.working_day_count(), 261 + 1 - 1);
        assert_eq!(y.source(), "test");
        assert_eq!(y.origin(), "<inline>");
    }

    fn load_err(body: &str) -> CalendarError {
        YearCalendar::from_toml_named("2026.toml", &one_holiday(body)).unwrap_err()
    }

    #[test]
    fn validation_errors_name_file_holiday_and_date() {
        let e = load_err("first = 2025-12-31\nlast = 2026-01-02");
        assert!(
            matches!(e, CalendarError::DateOutsideYear { date, .. } if date == d("2025-12-31"))
        );
        let msg = e.to_string();
        assert!(
            msg.contains("2026.toml (year 2026)")
                && msg.contains("春节")
                && msg.contains("2025-12-31"),
            "{msg}"
        );

        let e = load_err("first = 2026-12-31\nlast = 2027-01-01");
        assert!(
            matches!(e, CalendarError::DateOutsideYear { date, .. } if date == d("2027-01-01"))
        );

        let e = load_err("first = 2026-02-23\nlast = 2026-02-15");
        assert!(matches!(e, CalendarError::ReversedRange { .. }), "{e}");

        let e = load_err("first = 2026-02-15\nlast = 2026-02-23\ndays = 8");
        assert!(
            matches!(
                e,
                CalendarError::DayCountMismatch {
                    declared: 8,
                    actual: 9,
                    ..
                }
            ),
            "{e}"
        );

        let e = load_err("first = 2026-02-15\nwork = [2026-02-13]");
        assert!(
            matches!(
                e,
                CalendarError::AdjustedWorkdayNotWeekend {
                    weekday: Weekday::Fri,
                    ..
                }
            ),
            "{e}"
        );

        let e = load_err("first = 2026-02-15\nlast = 2026-02-23\nwork = [2026-02-21]");
        assert!(
            matches!(e, CalendarError::AdjustedWorkdayInsideHoliday { .. }),
            "{e}"
        );

        let e = load_err("first = 2026-02-15\nwork = [2026-02-14, 2026-02-14]");
        assert!(
            matches!(e, CalendarError::DuplicateAdjustedWorkday { .. }),
            "{e}"
        );

        let e = load_err("first = 2026-02-15\nwork = [2027-01-02]");
        assert!(matches!(e, CalendarError::DateOutsideYear { .. }), "{e}");

        let e = load_err("first = 2026-02-15\nwrok = [2026-02-14]");
        assert!(matches!(e, CalendarError::Parse { .. }), "{e}");
        assert!(e.to_string().contains("wrok"), "{e}");

        let e = load_err("first = 2026-02-15T08:00:00");
        assert!(matches!(e, CalendarError::Parse { .. }), "{e}");

        let e = load_err("first = \"15/02/2026\"");
        assert!(e.to_string().contains("15/02/2026"), "{e}");
    }

    #[test]
    fn overlapping_and_duplicate_holidays_are_rejected() {
        let text = "year = 2026\nsource = \"x\"\n\
            [[holiday]]\nname = \"A\"\nfirst = 2026-05-01\nlast = 2026-05-05\n\
            [[holiday]]\nname = \"B\"\nfirst = 2026-05-05\n";
        let e = YearCalendar::from_toml_str(text).unwrap_err();
        assert!(
            matches!(&e, CalendarError::OverlappingHolidays { holiday, other, date, .. }
                if holiday == "B" && other == "A" && *date == d("2026-05-05")),
            "{e}"
        );

        let text = "year = 2026\nsource = \"x\"\n\
            [[holiday]]\nname = \"A\"\nfirst = 2026-05-01\n\
            [[holiday]]\nname = \"A\"\nfirst = 2026-06-01\n";
        let e = YearCalendar::from_toml_str(text).unwrap_err();
        assert!(matches!(e, CalendarError::DuplicateHoliday { .. }), "{e}");

        // The same adjusted working day claimed by two holidays.
        let text = "year = 2026\nsource = \"x\"\n\
            [[holiday]]\nname = \"A\"\nfirst = 2026-05-01\nwork = [2026-05-09]\n\
            [[holiday]]\nname = \"B\"\nfirst = 2026-06-01\nwork = [2026-05-09]\n";
        let e = YearCalendar::from_toml_str(text).unwrap_err();
        assert!(
            matches!(e, CalendarError::DuplicateAdjustedWorkday { .. }),
            "{e}"
        );

        let e = YearCalendar::from_toml_str("year = 1800\nsource = \"x\"\n").unwrap_err();
        assert!(
            matches!(e, CalendarError::YearOutOfRange { year: 1800, .. }),
            "{e}"
        );

        let e = YearCalendar::from_toml_str("year = 2026\n").unwrap_err();
        assert!(matches!(e, CalendarError::Parse { .. }), "{e}");
    }

    #[test]
    fn year_built_in_code_is_validated_too() {
        let h = Holiday {
            name: "X".into(),
            first: d("2026-03-02"),
            last: d("2026-03-02"),
            work: vec![d("2026-03-03")],
        };
        let e = YearCalendar::new(2026, "test", vec![h.clone()]).unwrap_err();
        assert!(
            matches!(e, CalendarError::AdjustedWorkdayNotWeekend { .. }),
            "{e}"
        );
        let ok = YearCalendar::new(2026, "test", vec![Holiday { work: vec![], ..h }]).unwrap();
        assert_eq!(ok.working_day_count(), 260);
    }

    /// A date in 2025-2026 (730 days).
    fn covered_date() -> impl Strategy<Value = NaiveDate> {
        (0u64..730).prop_map(|k| d("2025-01-01") + chrono::Days::new(k))
    }

    proptest! {
        #[test]
        fn add_then_count_round_trips(date in covered_date(), n in 0u32..120) {
            let c = cal();
            let Ok(later) = c.add_working_days(date, n) else {
                return Ok(()); // ran past 2026: not covered
            };
            prop_assert_eq!(c.working_days_between(date, later).unwrap(), i64::from(n));
            prop_assert_eq!(c.working_days_between(later, date).unwrap(), -i64::from(n));
            prop_assert!(later >= date);
            if n >= 1 {
                prop_assert!(c.is_working_day(later).unwrap());
                prop_assert!(later > date);
            }
        }

        #[test]
        fn add_then_subtract_returns_to_working_day_on_or_before(
            date in covered_date(), n in 1u32..120,
        ) {
            let c = cal();
            let (Ok(later), Ok(anchor)) =
                (c.add_working_days(date, n), c.previous_working_day_on_or_before(date))
            else {
                return Ok(());
            };
            prop_assert_eq!(c.subtract_working_days(later, n).unwrap(), anchor);
            prop_assert!(c.is_working_day(anchor).unwrap());
            prop_assert_eq!(c.subtract_working_days(date, 0).unwrap(), date);
        }

        #[test]
        fn add_is_monotonic(a in covered_date(), b in covered_date(), n in 0u32..60) {
            let c = cal();
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            if let (Ok(x), Ok(y), Ok(z)) = (
                c.add_working_days(lo, n),
                c.add_working_days(hi, n),
                c.add_working_days(lo, n + 1),
            ) {
                prop_assert!(x <= y);
                prop_assert!(x < z);
            }
        }

        #[test]
        fn counting_is_additive(a in covered_date(), b in covered_date(), m in covered_date()) {
            let c = cal();
            let ab = c.working_days_between(a, b).unwrap();
            prop_assert_eq!(ab, -c.working_days_between(b, a).unwrap());
            prop_assert_eq!(
                c.working_days_between(a, m).unwrap() + c.working_days_between(m, b).unwrap(),
                ab
            );
        }

        #[test]
        fn day_kind_agrees_with_is_working_day(date in covered_date()) {
            let c = cal();
            let kind = c.day_kind(date).unwrap();
            prop_assert_eq!(kind.is_working(), c.is_working_day(date).unwrap());
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            match kind {
                DayKind::Workday => prop_assert!(!weekend),
                DayKind::Weekend | DayKind::AdjustedWorkday { .. } => prop_assert!(weekend),
                DayKind::Holiday { .. } => {}
            }
            let next = c.next_working_day_on_or_after(date);
            if let Ok(next) = next {
                prop_assert!(next >= date && c.is_working_day(next).unwrap());
                prop_assert_eq!(c.working_days_between(date, next).unwrap(), i64::from(next != date));
            }
        }
    }
}
