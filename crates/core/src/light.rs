//! Traffic lights (红黄绿灯), derived on read from the due date, progress and today — never
//! stored, so they cannot go stale. Callers go through [`crate::policy::Policy::light`].

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::state::ItemState;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// On track.
    Green,
    /// Due within a few working days, or progress behind 序时进度.
    Yellow,
    /// Past its due date.
    Red,
    /// Struck off (已销号).
    Blue,
    /// Not tracked: draft, cancelled, suspended.
    Grey,
}

impl Light {
    pub const ALL: [Light; 5] = [Self::Red, Self::Yellow, Self::Green, Self::Blue, Self::Grey];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Red => "red",
            Self::Blue => "blue",
            Self::Grey => "grey",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Green => "绿灯",
            Self::Yellow => "黄灯",
            Self::Red => "红灯",
            Self::Blue => "已销号",
            Self::Grey => "未计时",
        }
    }
}

impl fmt::Display for Light {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Light {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| {
                format!("unknown light `{s}`; expected red, yellow, green, blue or grey")
            })
    }
}

/// Thresholds, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LightPolicy {
    /// Yellow when the due date is this many working days away or fewer.
    pub yellow_within_working_days: u32,
    /// Yellow when the reported percent is behind the elapsed share of the period by more
    /// than this many points (序时进度).
    pub lag_percent: i32,
}

impl Default for LightPolicy {
    fn default() -> Self {
        Self {
            yellow_within_working_days: 3,
            lag_percent: 20,
        }
    }
}

/// What the light is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LightInput {
    pub state: ItemState,
    pub due_on: Option<NaiveDate>,
    /// Start of the period the item runs over (its assignment), for 序时进度.
    pub started_on: NaiveDate,
    pub progress_percent: Option<i32>,
}

/// States whose items have a running clock (and so can be red, yellow or green).
pub fn running(state: ItemState) -> bool {
    matches!(
        state,
        ItemState::Assigned
            | ItemState::Accepted
            | ItemState::InProgress
            | ItemState::ClosureRequested
    )
}

/// The share of the period elapsed by `today`, in percent (序时进度), 0..=100.
pub fn expected_percent(started_on: NaiveDate, due_on: NaiveDate, today: NaiveDate) -> i32 {
    let total = (due_on - started_on).num_days();
    if total <= 0 {
        return 100;
    }
    let elapsed = (today - started_on).num_days().clamp(0, total);
    i32::try_from(elapsed * 100 / total).unwrap_or(100)
}

/// The light of one item today.
///
/// # Errors
/// When today or the due date lies in a year the calendar does not cover.
pub fn light(
    input: &LightInput,
    today: NaiveDate,
    calendar: &WorkingCalendar,
    policy: &LightPolicy,
) -> Result<Light, CalendarError> {
    match input.state {
        ItemState::Closed => return Ok(Light::Blue),
        ItemState::Draft | ItemState::Cancelled | ItemState::Suspended => return Ok(Light::Grey),
        _ => {}
    }
    let Some(due) = input.due_on else {
        // A standing duty (长期坚持) is judged by its reports only.
        return Ok(Light::Green);
    };
    if today > due {
        return Ok(Light::Red);
    }
    let remaining = calendar.working_days_between(today, due)?;
    if remaining <= i64::from(policy.yellow_within_working_days) {
        return Ok(Light::Yellow);
    }
    if behind_schedule(input, due, today, policy).is_some() {
        return Ok(Light::Yellow);
    }
    Ok(Light::Green)
}

/// The lag part of the light rule: `Some(expected percent)` when the reported percent is
/// behind 序时进度 by more than the policy allows.
pub fn behind_schedule(
    input: &LightInput,
    due: NaiveDate,
    today: NaiveDate,
    policy: &LightPolicy,
) -> Option<i32> {
    let expected = expected_percent(input.started_on, due, today);
    (expected - input.progress_percent.unwrap_or(0) > policy.lag_percent).then_some(expected)
}

/// A day before any ledger: "always" for a light date that holds on every day.
pub const ALWAYS: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => panic!("1900-01-01 is a date"),
};

/// The days on which a running item's light turns, given its due date, filing date and
/// progress: with the due date (red from the day after it) they decide the light on any
/// day without the calendar. They change only when the due date, the progress or the
/// policy does, so the store keeps them on the item row and selects by light in SQL
/// ([`light_on`] is that SQL rule, and agrees with [`light`] on every day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LightDates {
    /// The first day the due date is within the yellow window; `None` without a due date.
    pub near_on: Option<NaiveDate>,
    /// The first day the progress is behind 序时进度 by more than the policy allows;
    /// `None` when it never is before the due date (or there is none).
    pub lagging_on: Option<NaiveDate>,
}

/// The first day in `[lo, hi]` on which the monotone `turned` holds (it holds on `hi`),
/// or [`ALWAYS`] when it already holds on `lo` and so on every earlier day.
fn first_day(lo: NaiveDate, hi: NaiveDate, turned: impl Fn(NaiveDate) -> bool) -> NaiveDate {
    if turned(lo) {
        return ALWAYS;
    }
    // Invariant: not turned on `lo`, turned on `hi`.
    let (mut lo, mut hi) = (lo, hi);
    while (hi - lo).num_days() > 1 {
        let mid = lo + chrono::Duration::days((hi - lo).num_days() / 2);
        if turned(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The light dates of an item (see [`LightDates`]); both tests of the yellow rule are
/// monotone in the day, so each date is found by bisection with the rule's own functions.
pub fn light_dates(
    input: &LightInput,
    calendar: &WorkingCalendar,
    policy: &LightPolicy,
) -> LightDates {
    let Some(due) = input.due_on else {
        return LightDates::default();
    };
    let window = i64::from(policy.yellow_within_working_days);
    // The working days left shrink as the day nears the due date: look back far enough
    // that even the longest holidays leave more than the window.
    let near = |day: NaiveDate| {
        calendar
            .working_days_between(day, due)
            .map_or(true, |left| left <= window)
    };
    let back = due - chrono::Duration::days(window * 2 + 60);
    let near_on = first_day(back.max(ALWAYS), due, near);
    let lags = |day: NaiveDate| behind_schedule(input, due, day, policy).is_some();
    let lagging_on = lags(due).then(|| first_day(input.started_on.min(due), due, lags));
    LightDates {
        near_on: Some(near_on),
        lagging_on,
    }
}

/// The light on `today` from the state, the due date and the light dates — the rule the
/// store asks in SQL. Equal to [`light`] on every day (`light_dates_agree_with_the_rule`).
pub fn light_on(
    state: ItemState,
    due_on: Option<NaiveDate>,
    dates: &LightDates,
    today: NaiveDate,
) -> Light {
    match state {
        ItemState::Closed => return Light::Blue,
        ItemState::Draft | ItemState::Cancelled | ItemState::Suspended => return Light::Grey,
        _ => {}
    }
    let Some(due) = due_on else {
        return Light::Green;
    };
    let turned = |d: Option<NaiveDate>| d.is_some_and(|d| d <= today);
    if today > due {
        Light::Red
    } else if turned(dates.near_on) || turned(dates.lagging_on) {
        Light::Yellow
    } else {
        Light::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cal() -> WorkingCalendar {
        crate::policy::tests::test_calendar()
    }

    fn input(state: ItemState, due: Option<NaiveDate>, pct: Option<i32>) -> LightInput {
        LightInput {
            state,
            due_on: due,
            started_on: d(2026, 1, 5),
            progress_percent: pct,
        }
    }

    #[test]
    fn colours() {
        let p = LightPolicy::default();
        let today = d(2026, 9, 21);
        let l = |i: LightInput| light(&i, today, &cal(), &p).unwrap();
        assert_eq!(
            l(input(ItemState::Closed, Some(d(2026, 1, 1)), None)),
            Light::Blue
        );
        assert_eq!(
            l(input(ItemState::Draft, Some(d(2026, 1, 1)), None)),
            Light::Grey
        );
        assert_eq!(
            l(input(ItemState::InProgress, Some(d(2026, 9, 18)), Some(99))),
            Light::Red
        );
        // 9-22, 9-23, 9-24 are 3 working days ahead; 9-25..27 is 中秋.
        assert_eq!(
            l(input(ItemState::InProgress, Some(d(2026, 9, 24)), Some(99))),
            Light::Yellow
        );
        // 国庆 pushes 10-08 four working days away: green when progress keeps pace.
        assert_eq!(
            l(input(ItemState::InProgress, Some(d(2026, 10, 8)), Some(90))),
            Light::Green
        );
        // Same due date, progress far behind the elapsed share → yellow.
        assert_eq!(
            l(input(ItemState::InProgress, Some(d(2026, 10, 8)), Some(10))),
            Light::Yellow
        );
        assert_eq!(l(input(ItemState::Accepted, None, None)), Light::Green);
    }

    #[test]
    fn expected_share() {
        assert_eq!(
            expected_percent(d(2026, 1, 1), d(2026, 1, 11), d(2026, 1, 6)),
            50
        );
        assert_eq!(
            expected_percent(d(2026, 1, 1), d(2026, 1, 11), d(2025, 12, 1)),
            0
        );
        assert_eq!(
            expected_percent(d(2026, 1, 1), d(2026, 1, 11), d(2026, 3, 1)),
            100
        );
        assert_eq!(
            expected_percent(d(2026, 1, 1), d(2026, 1, 1), d(2026, 1, 1)),
            100
        );
    }
}
