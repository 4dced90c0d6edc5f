//! SLA clocks counted in working days, with suspensions (暂缓) that stop the clock.
//!
//! A problem (问题) raised by an enterprise must be answered (应答/签收) within 1 working day,
//! given a clear opinion (明确意见) within 3 and resolved (办结) within 5 — the "1天应答、
//! 3天明确意见、5天办结" rule of the work plans. Each of those is a [`Milestone`] of an
//! [`SlaPolicy`]; a task (任务) with its own deadline date uses [`deadline_clock`].
//!
//! All times are naive local times in Asia/Shanghai; the caller converts. Nothing here reads
//! the system clock: `now` is an argument.
//!
//! # Definitions (the next engineer must know these)
//!
//! * **Start day** — `started_at.date()`. Its remaining hours are free: the budget starts
//!   with the next day, whatever the hour of filing, so a problem filed at 17:55 is not
//!   punished and one filed on a holiday starts on the first working day after it.
//! * **Due** — end of the N-th *counting* working day after the start day, reported as
//!   `due_date` and `due = due_date 23:59:59`. A counting working day is a working day of the
//!   [`WorkingCalendar`] (调休 included) that is not paused. Without pauses, `due_date =
//!   calendar.add_working_days(start_day, N)`; with N = 0 the due is the end of the start day
//!   (pauses cannot move it).
//! * **Breached** — the evaluation instant is after the due *date* (`t.date() > due_date`,
//!   i.e. at or after midnight ending the due date). A milestone met on or before its due date
//!   is not breached; met later, it stays breached for ever.
//! * **Evaluation instant `t`** — `met_at` when the milestone is met (and `met_at <= now`),
//!   otherwise `now`. A `met_at` later than `now` is ignored (the status is "as of now", which
//!   is what replays and `simulate` need). Pauses are likewise only known up to `t`.
//! * **Pauses — which working days are paused.** A pause `[from, to)` pauses the working
//!   days from `from.date()` up to, *not* including, `to.date()`: the day of suspension does
//!   not count, the day of resumption counts (暂缓当日起停表, 恢复当日起计时). So a suspension
//!   from Monday 10:00 to Thursday 10:00 pauses Mon, Tue, Wed (3 days); one from Thursday
//!   to the next Tuesday across a weekend pauses Thu, Fri, Mon; one that starts and ends on
//!   the same day pauses nothing. Rest days inside a pause are not counted (they were not
//!   going to count anyway). Overlapping pauses are merged: a day is paused once at most.
//!   This rule is fair in the sense that every pause shifts the due by its length in working
//!   days within less than one day, and splitting one pause into two adjacent ones (at any
//!   instant) changes nothing. A pause with `to < from` is empty.
//! * **A pause in force at `t`** (`to` is `None`, or later than `t`) pauses every working day
//!   from `from.date()` through `t.date()`: while suspended, today does not count. The due
//!   shown during a suspension is therefore the due if the item resumes tomorrow (or later;
//!   each further paused working day moves it by one). If it resumes later the same day, that
//!   day counts again and the due moves back by at most one working day.
//! * **Extension** — paused working days only extend the due when they fall on or before it:
//!   suspending an item that is already late does not clear the breach, and it does not accrue
//!   lateness while suspended either. `extension_working_days` says by how many working days
//!   the pauses moved the due.
//! * **Elapsed / remaining** are whole working days (`i64`), because offices and the
//!   escalation ladder speak in whole working days (剩余1个工作日). `elapsed` is the number of
//!   counting working days in `(start_day, t.date()]` — today counts as soon as it begins —
//!   and `remaining = N - elapsed`, so `remaining + elapsed == N` always. `remaining == 0`
//!   means "due today"; a negative `remaining` is minus the counting working days late. On a
//!   rest day right after the due date, `breached` is already true while `remaining` is still
//!   0 (no working day has been missed yet); the escalation ladder works on working days late
//!   (`-remaining`), so that is consistent with [`working_days_late`].

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{CalendarError, WorkingCalendar};

/// Milestone key for the answer/acknowledgement (应答, 签收).
pub const RESPOND: &str = "respond";
/// Milestone key for a clear opinion (明确意见).
pub const OPINION: &str = "opinion";
/// Milestone key for resolution (办结).
pub const RESOLVE: &str = "resolve";

/// One step of an SLA policy: must be met within `working_days` working days after the start
/// day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Stable key used in code and events, e.g. `respond`, `opinion`, `resolve`.
    pub key: String,
    /// Label shown to people, e.g. `应答`.
    pub label: String,
    /// Working days allowed, counted from the day after the start day.
    pub working_days: u32,
}

/// A named set of milestones for one kind of item.
///
/// Deserialises from TOML (in a [`SlaPolicySet`] file):
///
/// ```toml
/// [[policy]]
/// name = "problem"
/// [[policy.milestone]]
/// key = "respond"
/// label = "应答"
/// working_days = 1
/// [[policy.milestone]]
/// key = "opinion"
/// label = "明确意见"
/// working_days = 3
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    /// Name the configuration refers to, e.g. `problem`.
    pub name: String,
    /// Milestones in order; `milestone` is accepted as the TOML array-of-tables name.
    #[serde(alias = "milestone")]
    pub milestones: Vec<Milestone>,
}

/// Errors in an SLA policy configuration.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SlaPolicyError {
    /// The TOML text is malformed or has unknown keys.
    #[error("SLA policy file: {0}")]
    Parse(String),
    /// A policy without a name.
    #[error("an SLA policy has an empty name")]
    EmptyName,
    /// Two policies with one name.
    #[error("two SLA policies are named {0:?}")]
    DuplicatePolicy(String),
    /// A policy without milestones.
    #[error("SLA policy {0:?} has no milestone")]
    NoMilestones(String),
    /// A milestone without a key.
    #[error("SLA policy {policy:?}: milestone #{index} has an empty key")]
    EmptyKey { policy: String, index: usize },
    /// Two milestones with one key.
    #[error("SLA policy {policy:?}: milestone key {key:?} is used twice")]
    DuplicateKey { policy: String, key: String },
    /// A later milestone allows fewer days than an earlier one (e.g. resolve before respond).
    #[error(
        "SLA policy {policy:?}: milestone {key:?} ({days} working days) allows fewer days \
         than the earlier {previous:?} ({previous_days})"
    )]
    Decreasing {
        policy: String,
        key: String,
        days: u32,
        previous: String,
        previous_days: u32,
    },
}

impl SlaPolicy {
    /// The problem policy of the work plans: 1 working day to answer (应答), 3 for a clear
    /// opinion (明确意见), 5 to resolve (办结).
    pub fn problem_1_3_5() -> Self {
        let m = |key: &str, label: &str, working_days| Milestone {
            key: key.to_owned(),
            label: label.to_owned(),
            working_days,
        };
        Self {
            name: "problem".to_owned(),
            milestones: vec![
                m(RESPOND, "应答", 1),
                m(OPINION, "明确意见", 3),
                m(RESOLVE, "办结", 5),
            ],
        }
    }

    /// Checks name, keys (non-empty, unique) and that allowed days never decrease along
    /// the milestones.
    pub fn validate(&self) -> Result<(), SlaPolicyError> {
        if self.name.trim().is_empty() {
            return Err(SlaPolicyError::EmptyName);
        }
        if self.milestones.is_empty() {
            return Err(SlaPolicyError::NoMilestones(self.name.clone()));
        }
        for (i, m) in self.milestones.iter().enumerate() {
            if m.key.trim().is_empty() {
                return Err(SlaPolicyError::EmptyKey {
                    policy: self.name.clone(),
                    index: i + 1,
                });
            }
            if self.milestones[..i].iter().any(|o| o.key == m.key) {
                return Err(SlaPolicyError::DuplicateKey {
                    policy: self.name.clone(),
                    key: m.key.clone(),
                });
            }
            if let Some(prev) = i.checked_sub(1).and_then(|p| self.milestones.get(p))
                && m.working_days < prev.working_days
            {
                return Err(SlaPolicyError::Decreasing {
                    policy: self.name.clone(),
                    key: m.key.clone(),
                    days: m.working_days,
                    previous: prev.key.clone(),
                    previous_days: prev.working_days,
                });
            }
        }
        Ok(())
    }

    /// The milestone with `key`.
    pub fn milestone(&self, key: &str) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.key == key)
    }
}

/// All SLA policies of a configuration file (`[[policy]]` tables).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicySet {
    /// The policies, in file order.
    #[serde(default, rename = "policy")]
    pub policies: Vec<SlaPolicy>,
}

impl SlaPolicySet {
    /// Parses and validates a policy file.
    pub fn from_toml_str(text: &str) -> Result<Self, SlaPolicyError> {
        let set: Self = toml::from_str(text)
            .map_err(|e| SlaPolicyError::Parse(e.to_string().trim_end().to_owned()))?;
        set.validate()?;
        Ok(set)
    }

    /// Validates every policy and that names are unique.
    pub fn validate(&self) -> Result<(), SlaPolicyError> {
        for (i, p) in self.policies.iter().enumerate() {
            p.validate()?;
            if self.policies[..i].iter().any(|o| o.name == p.name) {
                return Err(SlaPolicyError::DuplicatePolicy(p.name.clone()));
            }
        }
        Ok(())
    }

    /// The policy named `name`.
    pub fn get(&self, name: &str) -> Option<&SlaPolicy> {
        self.policies.iter().find(|p| p.name == name)
    }
}

/// A suspension (暂缓) of an item: `[from, to)` in local time; `to = None` while it lasts.
/// See the module docs for which working days it pauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pause {
    /// When the suspension began.
    pub from: NaiveDateTime,
    /// When the item resumed; `None` while still suspended.
    pub to: Option<NaiveDateTime>,
}

impl Pause {
    /// Whether the suspension is in force at `instant` (`from <= instant < to`).
    pub fn in_force_at(&self, instant: NaiveDateTime) -> bool {
        self.from <= instant && self.to.is_none_or(|to| instant < to)
    }
}

/// The state of one clock at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockStatus {
    /// Last date on which meeting the clock is on time.
    pub due_date: NaiveDate,
    /// `due_date` at 23:59:59 local time, for display.
    pub due: NaiveDateTime,
    /// Working days allowed (milestone clocks); `None` for [`deadline_clock`].
    pub working_days: Option<u32>,
    /// Counting working days used so far (milestone clocks); `None` for [`deadline_clock`],
    /// which has no start. Frozen at `met_at` once met, and while suspended.
    pub elapsed_working_days: Option<i64>,
    /// Counting working days left up to and including the due date: 0 = due today,
    /// negative = that many counting working days late. Frozen once met and while suspended.
    pub remaining_working_days: i64,
    /// Working days by which pauses moved the due date (0 without pauses).
    pub extension_working_days: i64,
    /// Met after the due date, or not met and the due date has passed.
    pub breached: bool,
    /// A suspension is in force now and the clock is not met.
    pub paused: bool,
    /// When the clock was met, if it was met at or before `now`.
    pub met_at: Option<NaiveDateTime>,
}

impl ClockStatus {
    /// Working days late (positive) or left (negative), as the escalation ladder reads it:
    /// `-remaining_working_days`.
    pub fn working_days_late(&self) -> i64 {
        -self.remaining_working_days
    }

    /// Whether the clock was met.
    pub fn is_met(&self) -> bool {
        self.met_at.is_some()
    }
}

/// A milestone's key and label with its clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneStatus {
    /// Milestone key, e.g. `respond`.
    pub key: String,
    /// Milestone label, e.g. `应答`.
    pub label: String,
    /// The clock.
    #[serde(flatten)]
    pub clock: ClockStatus,
}

/// The clock of one milestone: `milestone_days` working days after the day of `started_at`,
/// extended by paused working days; evaluated at `now` (or at `met_at` when met).
/// See the module docs for the exact definitions.
pub fn clock(
    calendar: &WorkingCalendar,
    started_at: NaiveDateTime,
    milestone_days: u32,
    pauses: &[Pause],
    met_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<ClockStatus, CalendarError> {
    let met_at = met_at.filter(|m| *m <= now);
    let t = met_at.unwrap_or(now);
    let paused_days = PausedDays::new(pauses, t)?;
    let start_day = started_at.date();

    let due_date = advance(calendar, &paused_days, start_day, i64::from(milestone_days))?;
    let unpaused_due = calendar.add_working_days(start_day, milestone_days)?;
    let extension = calendar.working_days_between(unpaused_due, due_date)?;
    // Before the start day nothing has elapsed (only reachable with now < started_at).
    let elapsed = counting_between(calendar, &paused_days, start_day, t.date())?.max(0);

    Ok(ClockStatus {
        due_date,
        due: end_of_day(due_date),
        working_days: Some(milestone_days),
        elapsed_working_days: Some(elapsed),
        remaining_working_days: i64::from(milestone_days) - elapsed,
        extension_working_days: extension,
        breached: t.date() > due_date,
        paused: met_at.is_none() && pauses.iter().any(|p| p.in_force_at(now)),
        met_at,
    })
}

/// The clocks of every milestone of `policy` for an item started at `started_at`.
/// `met(key)` gives the instant each milestone was met, if it was.
pub fn policy_clocks(
    calendar: &WorkingCalendar,
    policy: &SlaPolicy,
    started_at: NaiveDateTime,
    pauses: &[Pause],
    met: impl Fn(&str) -> Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<Vec<MilestoneStatus>, CalendarError> {
    policy
        .milestones
        .iter()
        .map(|m| {
            Ok(MilestoneStatus {
                key: m.key.clone(),
                label: m.label.clone(),
                clock: clock(
                    calendar,
                    started_at,
                    m.working_days,
                    pauses,
                    met(&m.key),
                    now,
                )?,
            })
        })
        .collect()
}

/// The clock of a task with its own deadline date: due at the end of `deadline`, extended by
/// one counting working day for every paused working day on or before the (extended) due
/// date. A deadline on a rest day stays where it is unless a pause moves it, in which case
/// it moves onto working days.
pub fn deadline_clock(
    calendar: &WorkingCalendar,
    deadline: NaiveDate,
    pauses: &[Pause],
    met_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<ClockStatus, CalendarError> {
    let met_at = met_at.filter(|m| *m <= now);
    let t = met_at.unwrap_or(now);
    let paused_days = PausedDays::new(pauses, t)?;

    let mut paused_before = 0i64;
    for day in paused_days.days_up_to(deadline) {
        if calendar.is_working_day(day)? {
            paused_before += 1;
        }
    }
    let due_date = advance(calendar, &paused_days, deadline, paused_before)?;
    let extension = calendar.working_days_between(deadline, due_date)?;
    let remaining = counting_between(calendar, &paused_days, t.date(), due_date)?;

    Ok(ClockStatus {
        due_date,
        due: end_of_day(due_date),
        working_days: None,
        elapsed_working_days: None,
        remaining_working_days: remaining,
        extension_working_days: extension,
        breached: t.date() > due_date,
        paused: met_at.is_none() && pauses.iter().any(|p| p.in_force_at(now)),
        met_at,
    })
}

/// Working days late: positive when `today` is past `due` (working days in `(due, today]`),
/// zero on the due date (and on rest days right after it), negative for working days still
/// left. The escalation ladder steps at −3, 0, +3, +10. Pauses are not considered here; for
/// a clock with pauses use [`ClockStatus::working_days_late`].
pub fn working_days_late(
    calendar: &WorkingCalendar,
    due: NaiveDate,
    today: NaiveDate,
) -> Result<i64, CalendarError> {
    calendar.working_days_between(due, today)
}

fn end_of_day(date: NaiveDate) -> NaiveDateTime {
    // 23:59:59 always exists.
    date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN))
}

/// The set of paused dates as known at instant `t`: half-open date ranges `[start, end)`.
struct PausedDays {
    ranges: Vec<(NaiveDate, NaiveDate)>,
}

impl PausedDays {
    fn new(pauses: &[Pause], t: NaiveDateTime) -> Result<Self, CalendarError> {
        let mut ranges = Vec::with_capacity(pauses.len());
        for p in pauses {
            if p.from > t {
                continue; // not begun as of t
            }
            let end = match p.to {
                Some(to) if to <= t => to.date(),
                // In force at t: today does not count.
                _ => t
                    .date()
                    .succ_opt()
                    .ok_or(CalendarError::DateOutOfRange(t.date()))?,
            };
            let start = p.from.date();
            if start < end {
                ranges.push((start, end));
            }
        }
        Ok(Self { ranges })
    }

    fn contains(&self, day: NaiveDate) -> bool {
        self.ranges.iter().any(|(s, e)| *s <= day && day < *e)
    }

    /// Every paused date `<= last`, each once.
    fn days_up_to(&self, last: NaiveDate) -> BTreeSet<NaiveDate> {
        self.ranges
            .iter()
            .flat_map(|(s, e)| s.iter_days().take_while(move |d| d < e && *d <= last))
            .collect()
    }
}

fn counts(
    calendar: &WorkingCalendar,
    paused: &PausedDays,
    day: NaiveDate,
) -> Result<bool, CalendarError> {
    Ok(!paused.contains(day) && calendar.is_working_day(day)?)
}

/// The `n`-th counting working day after `from` (`from` itself for n <= 0).
fn advance(
    calendar: &WorkingCalendar,
    paused: &PausedDays,
    from: NaiveDate,
    n: i64,
) -> Result<NaiveDate, CalendarError> {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().ok_or(CalendarError::DateOutOfRange(day))?;
        if counts(calendar, paused, day)? {
            left -= 1;
        }
    }
    Ok(day)
}

/// Signed number of counting working days in `(from, to]` (minus those in `(to, from]`).
fn counting_between(
    calendar: &WorkingCalendar,
    paused: &PausedDays,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, CalendarError> {
    let (lo, hi, sign) = if from <= to {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let mut count = 0;
    let mut day = lo;
    while day < hi {
        day = day.succ_opt().ok_or(CalendarError::DateOutOfRange(day))?;
        if counts(calendar, paused, day)? {
            count += 1;
        }
    }
    Ok(sign * count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearCalendar;
    use proptest::prelude::*;

    const Y2025: &str = include_str!("../../../config/calendar/2025.toml");
    const Y2026: &str = include_str!("../../../config/calendar/2026.toml");

    fn cal() -> WorkingCalendar {
        WorkingCalendar::from_years(vec![
            YearCalendar::from_toml_str(Y2025).unwrap(),
            YearCalendar::from_toml_str(Y2026).unwrap(),
        ])
        .unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn pause(from: &str, to: Option<&str>) -> Pause {
        Pause {
            from: dt(from),
            to: to.map(dt),
        }
    }

    #[test]
    fn filing_before_national_day_2026_respects_the_calendar() {
        let c = cal();
        let policy = SlaPolicy::problem_1_3_5();
        policy.validate().unwrap();
        // Filed on Wednesday 2026-09-30 at 16:00, the last working day before 国庆节.
        let filed = dt("2026-09-30 16:00");
        let now = dt("2026-10-05 10:00");
        let clocks = policy_clocks(&c, &policy, filed, &[], |_| None, now).unwrap();
        let dues: Vec<_> = clocks
            .iter()
            .map(|m| (m.key.as_str(), m.clock.due_date))
            .collect();
        assert_eq!(
            dues,
            vec![
                (RESPOND, d("2026-10-08")),
                (OPINION, d("2026-10-10")), // Saturday 调休 counts
                (RESOLVE, d("2026-10-13")),
            ]
        );
        assert_eq!(clocks[0].label, "应答");
        assert_eq!(
            clocks[0].clock.due,
            dt("2026-10-08 23:59") + chrono::Duration::seconds(59)
        );
        // During the holiday nothing has elapsed.
        for m in &clocks {
            assert_eq!(m.clock.elapsed_working_days, Some(0));
            assert!(!m.clock.breached && !m.clock.paused && !m.clock.is_met());
        }
        // Filed on Friday 09-25 (中秋节): the first counting day is Monday 09-28.
        let s = clock(
            &c,
            dt("2026-09-25 09:00"),
            1,
            &[],
            None,
            dt("2026-09-25 09:00"),
        )
        .unwrap();
        assert_eq!(s.due_date, d("2026-09-28"));
        let s = clock(
            &c,
            dt("2026-09-25 09:00"),
            3,
            &[],
            None,
            dt("2026-09-25 09:00"),
        )
        .unwrap();
        assert_eq!(s.due_date, d("2026-09-30"));
        // Filed on Friday 2026-02-13: answer due Saturday 02-14 (调休), resolve due 02-27.
        let s = clock(
            &c,
            dt("2026-02-13 17:55"),
            1,
            &[],
            None,
            dt("2026-02-13 18:00"),
        )
        .unwrap();
        assert_eq!(s.due_date, d("2026-02-14"));
        let s = clock(
            &c,
            dt("2026-02-13 17:55"),
            5,
            &[],
            None,
            dt("2026-02-13 18:00"),
        )
        .unwrap();
        assert_eq!(s.due_date, d("2026-02-27"));
    }

    #[test]
    fn remaining_and_breach_over_time() {
        let c = cal();
        let filed = dt("2026-09-30 16:00");
        let at = |now: &str| clock(&c, filed, 1, &[], None, dt(now)).unwrap();
        let s = at("2026-09-30 18:00");
        assert_eq!(
            (s.elapsed_working_days, s.remaining_working_days, s.breached),
            (Some(0), 1, false)
        );
        let s = at("2026-10-08 09:00"); // due day: due today
        assert_eq!(
            (s.elapsed_working_days, s.remaining_working_days, s.breached),
            (Some(1), 0, false)
        );
        let s = at("2026-10-08 23:59");
        assert!(!s.breached);
        let s = at("2026-10-09 00:00"); // midnight after the due date
        assert_eq!((s.remaining_working_days, s.breached), (-1, true));
        let s = at("2026-10-11 12:00"); // Sunday: 10-09 and 10-10 (调休) missed
        assert_eq!(
            (s.remaining_working_days, s.working_days_late(), s.breached),
            (-2, 2, true)
        );
        assert_eq!(
            working_days_late(&c, s.due_date, d("2026-10-11")).unwrap(),
            2
        );
    }

    #[test]
    fn breach_after_due_on_a_rest_day_has_zero_remaining() {
        let c = cal();
        // Due Friday 2026-03-06; on Saturday it is breached but no working day is missed yet.
        let s = clock(
            &c,
            dt("2026-03-05 10:00"),
            1,
            &[],
            None,
            dt("2026-03-07 10:00"),
        )
        .unwrap();
        assert_eq!(s.due_date, d("2026-03-06"));
        assert!(s.breached);
        assert_eq!(s.remaining_working_days, 0);
    }

    #[test]
    fn met_before_due_is_not_breached_met_after_stays_breached() {
        let c = cal();
        let filed = dt("2026-03-02 09:00"); // Monday; 3 days -> due Thursday 03-05
        let now = dt("2026-03-20 09:00");
        let s = clock(&c, filed, 3, &[], Some(dt("2026-03-05 23:00")), now).unwrap();
        assert_eq!(s.due_date, d("2026-03-05"));
        assert!(!s.breached && s.is_met() && !s.paused);
        assert_eq!(
            (s.elapsed_working_days, s.remaining_working_days),
            (Some(3), 0)
        );

        let s = clock(&c, filed, 3, &[], Some(dt("2026-03-03 11:00")), now).unwrap();
        assert_eq!(
            (s.elapsed_working_days, s.remaining_working_days),
            (Some(1), 2)
        );
        assert!(!s.breached);

        let s = clock(&c, filed, 3, &[], Some(dt("2026-03-06 08:00")), now).unwrap();
        assert!(s.breached);
        assert_eq!(s.remaining_working_days, -1); // frozen at met time, not at now

        // A met_at later than now is not known yet.
        let s = clock(
            &c,
            filed,
            3,
            &[],
            Some(dt("2026-03-06 08:00")),
            dt("2026-03-04 08:00"),
        )
        .unwrap();
        assert!(!s.is_met() && !s.breached);
        assert_eq!(s.remaining_working_days, 1);
    }

    #[test]
    fn three_working_day_suspension_shifts_due_by_three() {
        let c = cal();
        let filed = dt("2026-03-02 09:00"); // Monday; resolve (5) due Monday 03-09
        let now = dt("2026-03-31 09:00");
        let base = clock(&c, filed, 5, &[], None, now).unwrap();
        assert_eq!(base.due_date, d("2026-03-09"));
        // Suspended Tuesday 10:00, resumed Friday 10:00: Tue, Wed, Thu paused.
        let p = [pause("2026-03-03 10:00", Some("2026-03-06 10:00"))];
        let s = clock(&c, filed, 5, &p, None, now).unwrap();
        assert_eq!(s.extension_working_days, 3);
        assert_eq!(s.due_date, c.add_working_days(base.due_date, 3).unwrap());
        assert_eq!(s.due_date, d("2026-03-12"));
        // Splitting the same suspension in two changes nothing.
        let split = [
            pause("2026-03-03 10:00", Some("2026-03-04 15:00")),
            pause("2026-03-04 15:00", Some("2026-03-06 10:00")),
        ];
        assert_eq!(clock(&c, filed, 5, &split, None, now).unwrap(), s);
        // Overlapping suspensions are counted once.
        let overlap = [p[0], pause("2026-03-04 08:00", Some("2026-03-05 09:00"))];
        assert_eq!(
            clock(&c, filed, 5, &overlap, None, now).unwrap().due_date,
            s.due_date
        );
        // Same-day suspension pauses nothing.
        let short = [pause("2026-03-03 10:00", Some("2026-03-03 16:00"))];
        assert_eq!(
            clock(&c, filed, 5, &short, None, now).unwrap().due_date,
            base.due_date
        );
    }

    #[test]
    fn suspension_over_weekend_and_holiday_counts_only_working_days() {
        let c = cal();
        // Filed Wednesday 2026-09-23; 3 days: Thu 09-24, Mon 09-28, Tue 09-29.
        let filed = dt("2026-09-23 09:00");
        let now = dt("2026-10-30 09:00");
        assert_eq!(
            clock(&c, filed, 3, &[], None, now).unwrap().due_date,
            d("2026-09-29")
        );
        // Suspended Thursday 09-24 to Tuesday 09-29: Thu (work), Fri (中秋), Sat, Sun, Mon (work)
        // -> 2 paused working days.
        let p = [pause("2026-09-24 09:00", Some("2026-09-29 09:00"))];
        let s = clock(&c, filed, 3, &p, None, now).unwrap();
        assert_eq!(s.extension_working_days, 2);
        // Counting days: Tue 09-29, Wed 09-30, then 国庆节, Thu 10-08.
        assert_eq!(s.due_date, d("2026-10-08"));

        // A weekend-only suspension changes nothing.
        let p = [pause("2026-03-07 09:00", Some("2026-03-09 08:00"))];
        let s = clock(&c, dt("2026-03-05 09:00"), 3, &p, None, now).unwrap();
        assert_eq!((s.due_date, s.extension_working_days), (d("2026-03-10"), 0));
    }

    #[test]
    fn open_suspension_freezes_remaining() {
        let c = cal();
        let filed = dt("2026-03-02 09:00"); // Monday; 5 days -> due 03-09
        let p = [pause("2026-03-04 10:00", None)]; // suspended Wednesday
        let before = clock(&c, filed, 5, &p, None, dt("2026-03-04 09:00")).unwrap();
        assert!(!before.paused);
        assert_eq!(before.remaining_working_days, 3); // Tue and Wed elapsed
        let mut last = None;
        for now in [
            "2026-03-04 10:00",
            "2026-03-05 12:00",
            "2026-03-09 12:00",
            "2026-03-20 12:00",
        ] {
            let s = clock(&c, filed, 5, &p, None, dt(now)).unwrap();
            assert!(s.paused, "{now}");
            assert!(!s.breached, "{now}");
            // Wednesday is refunded the moment the suspension starts; then nothing moves.
            assert_eq!(s.remaining_working_days, 4, "{now}");
            assert_eq!(s.elapsed_working_days, Some(1), "{now}");
            // The due is the due if the item resumes tomorrow.
            let today = dt(now).date();
            assert_eq!(s.due_date, c.add_working_days(today, 4).unwrap(), "{now}");
            if let Some(prev) = last {
                assert!(s.due_date >= prev);
            }
            last = Some(s.due_date);
        }
        // Resumed Monday 03-09 10:00: Wed, Thu, Fri paused; Monday counts again.
        let resumed = [pause("2026-03-04 10:00", Some("2026-03-09 10:00"))];
        let s = clock(&c, filed, 5, &resumed, None, dt("2026-03-09 12:00")).unwrap();
        assert!(!s.paused);
        assert_eq!(s.extension_working_days, 3);
        assert_eq!(s.due_date, d("2026-03-12"));
        assert_eq!(s.remaining_working_days, 3); // Tue, Mon elapsed
    }

    #[test]
    fn suspending_a_late_item_keeps_the_breach_and_stops_lateness() {
        let c = cal();
        let filed = dt("2026-03-02 09:00"); // 1 day -> due Tuesday 03-03
        let p = [pause("2026-03-05 09:00", None)];
        let s = clock(&c, filed, 1, &p, None, dt("2026-03-20 09:00")).unwrap();
        assert_eq!(s.due_date, d("2026-03-03"));
        assert!(s.breached && s.paused);
        assert_eq!(s.remaining_working_days, -1); // only Wednesday 03-04 was missed
        assert_eq!(s.extension_working_days, 0);
    }

    #[test]
    fn deadline_clock_extends_by_paused_working_days() {
        let c = cal();
        let deadline = d("2026-06-30"); // Tuesday
        let now = dt("2026-06-01 09:00");
        let s = deadline_clock(&c, deadline, &[], None, now).unwrap();
        assert_eq!((s.due_date, s.extension_working_days), (deadline, 0));
        assert_eq!(s.working_days, None);
        assert_eq!(s.elapsed_working_days, None);
        assert_eq!(
            s.remaining_working_days,
            c.working_days_between(d("2026-06-01"), deadline).unwrap()
        );
        // Suspended Thursday 06-18 to Tuesday 06-23: Thu, Fri (端午), Sat, Sun (端午), Mon -> 2.
        let p = [pause("2026-06-18 09:00", Some("2026-06-23 09:00"))];
        let s = deadline_clock(&c, deadline, &p, None, dt("2026-07-01 09:00")).unwrap();
        assert_eq!((s.due_date, s.extension_working_days), (d("2026-07-02"), 2));
        assert!(!s.breached);
        assert_eq!(s.remaining_working_days, 1);
        // Met on 07-02: on time thanks to the suspension.
        let s = deadline_clock(
            &c,
            deadline,
            &p,
            Some(dt("2026-07-02 18:00")),
            dt("2026-08-01 09:00"),
        )
        .unwrap();
        assert!(!s.breached && s.is_met());
        // Met on 07-03: late.
        let s = deadline_clock(
            &c,
            deadline,
            &p,
            Some(dt("2026-07-03 09:00")),
            dt("2026-08-01 09:00"),
        )
        .unwrap();
        assert!(s.breached);
        assert_eq!(s.working_days_late(), 1);
        // A suspension after the deadline does not move it.
        let late = [pause("2026-07-06 09:00", Some("2026-07-10 09:00"))];
        let s = deadline_clock(&c, deadline, &late, None, dt("2026-07-20 09:00")).unwrap();
        assert_eq!((s.due_date, s.breached), (deadline, true));
    }

    #[test]
    fn deadline_on_a_rest_day() {
        let c = cal();
        let deadline = d("2026-10-01"); // 国庆节
        let s = deadline_clock(&c, deadline, &[], None, dt("2026-10-05 09:00")).unwrap();
        assert_eq!(s.due_date, deadline);
        assert!(s.breached);
        assert_eq!(s.remaining_working_days, 0);
        // One paused working day before it moves it to the next working day, 10-08.
        let p = [pause("2026-09-29 09:00", Some("2026-09-30 09:00"))];
        let s = deadline_clock(&c, deadline, &p, None, dt("2026-10-05 09:00")).unwrap();
        assert_eq!(s.due_date, d("2026-10-08"));
        assert!(!s.breached);
    }

    #[test]
    fn working_days_late_for_the_escalation_ladder() {
        let c = cal();
        let due = d("2026-09-30");
        // 09-28, 09-29 and 09-30 are left.
        assert_eq!(working_days_late(&c, due, d("2026-09-25")).unwrap(), -3);
        assert_eq!(working_days_late(&c, due, d("2026-09-30")).unwrap(), 0);
        assert_eq!(working_days_late(&c, due, d("2026-10-07")).unwrap(), 0);
        assert_eq!(working_days_late(&c, due, d("2026-10-10")).unwrap(), 3);
        // 10-08, 10-09, 10-10 (调休), then two full weeks.
        assert_eq!(working_days_late(&c, due, d("2026-10-23")).unwrap(), 13);
        assert_eq!(
            working_days_late(&c, due, d("2027-01-04")),
            Err(CalendarError::YearNotCovered(2027))
        );
    }

    #[test]
    fn uncovered_year_is_an_error() {
        let c = cal();
        let e = clock(
            &c,
            dt("2026-12-30 09:00"),
            5,
            &[],
            None,
            dt("2026-12-30 10:00"),
        )
        .unwrap_err();
        assert_eq!(e, CalendarError::YearNotCovered(2027));
    }

    #[test]
    fn policy_files() {
        let text = r#"
            [[policy]]
            name = "problem"
            [[policy.milestone]]
            key = "respond"
            label = "应答"
            working_days = 1
            [[policy.milestone]]
            key = "opinion"
            label = "明确意见"
            working_days = 3
            [[policy.milestone]]
            key = "resolve"
            label = "办结"
            working_days = 5
        "#;
        let set = SlaPolicySet::from_toml_str(text).unwrap();
        assert_eq!(set.get("problem"), Some(&SlaPolicy::problem_1_3_5()));
        assert_eq!(
            set.get("problem")
                .unwrap()
                .milestone(OPINION)
                .unwrap()
                .working_days,
            3
        );

        let bad = text.replace("working_days = 5", "working_days = 2");
        assert!(matches!(
            SlaPolicySet::from_toml_str(&bad),
            Err(SlaPolicyError::Decreasing { .. })
        ));
        let bad = text.replace("key = \"resolve\"", "key = \"respond\"");
        assert!(matches!(
            SlaPolicySet::from_toml_str(&bad),
            Err(SlaPolicyError::DuplicateKey { .. })
        ));
        let bad = text.replace("working_days = 5", "workingdays = 5");
        assert!(matches!(
            SlaPolicySet::from_toml_str(&bad),
            Err(SlaPolicyError::Parse(_))
        ));
        let twice = format!("{text}\n{}", text.trim());
        assert_eq!(
            SlaPolicySet::from_toml_str(&twice),
            Err(SlaPolicyError::DuplicatePolicy("problem".into()))
        );
        assert_eq!(
            SlaPolicySet::from_toml_str("[[policy]]\nname = \"x\"\nmilestones = []\n"),
            Err(SlaPolicyError::NoMilestones("x".into()))
        );
    }

    #[test]
    fn status_serialises_flat() {
        let c = cal();
        let m = policy_clocks(
            &c,
            &SlaPolicy::problem_1_3_5(),
            dt("2026-03-02 09:00"),
            &[],
            |_| None,
            dt("2026-03-02 10:00"),
        )
        .unwrap();
        let value = toml::Value::try_from(&m[0]).unwrap();
        let table = value.as_table().unwrap();
        assert_eq!(table["key"].as_str(), Some("respond"));
        assert_eq!(table["due_date"].as_str(), Some("2026-03-03"));
        assert_eq!(table["remaining_working_days"].as_integer(), Some(1));
    }

    // ---- property tests ----

    /// An instant between 2025-01-10 and 2026-06-30 (pauses may begin 5 days earlier and
    /// everything computed stays inside the covered years).
    fn instant() -> impl Strategy<Value = NaiveDateTime> {
        (0i64..(536 * 24 * 60)).prop_map(|m| dt("2025-01-10 00:00") + chrono::Duration::minutes(m))
    }

    fn pauses_after(start: NaiveDateTime) -> impl Strategy<Value = Vec<Pause>> {
        proptest::collection::vec(
            (
                -5i64 * 24 * 60..40 * 24 * 60,
                0i64..15 * 24 * 60,
                proptest::bool::weighted(0.2),
            ),
            0..4,
        )
        .prop_map(move |v| {
            v.into_iter()
                .map(|(offset, len, open)| {
                    let from = start + chrono::Duration::minutes(offset);
                    Pause {
                        from,
                        to: (!open).then(|| from + chrono::Duration::minutes(len)),
                    }
                })
                .collect()
        })
    }

    fn case() -> impl Strategy<Value = (NaiveDateTime, u32, Vec<Pause>, i64, Option<i64>)> {
        instant().prop_flat_map(|start| {
            (
                Just(start),
                0u32..=10,
                pauses_after(start),
                0i64..60 * 24 * 60,
                proptest::option::weighted(0.3, 0i64..60 * 24 * 60),
            )
        })
    }

    proptest! {
        #[test]
        fn a_pause_never_makes_the_due_earlier((start, n, pauses, now_off, met_off) in case()) {
            let c = cal();
            let now = start + chrono::Duration::minutes(now_off);
            let met = met_off.map(|m| start + chrono::Duration::minutes(m));
            let without = clock(&c, start, n, &[], met, now).unwrap();
            let with = clock(&c, start, n, &pauses, met, now).unwrap();
            prop_assert!(with.due_date >= without.due_date);
            prop_assert_eq!(
                with.due_date,
                c.add_working_days(without.due_date, with.extension_working_days as u32).unwrap()
            );
            prop_assert!(with.remaining_working_days >= without.remaining_working_days);
            // A prefix of the pauses never gives a later due than all of them.
            if let Some((_, rest)) = pauses.split_last() {
                let fewer = clock(&c, start, n, rest, met, now).unwrap();
                prop_assert!(fewer.due_date <= with.due_date);
            }
            let deadline = start.date() + chrono::Days::new(u64::from(n) * 2);
            let dl_without = deadline_clock(&c, deadline, &[], met, now).unwrap();
            let dl_with = deadline_clock(&c, deadline, &pauses, met, now).unwrap();
            prop_assert!(dl_with.due_date >= dl_without.due_date);
            prop_assert_eq!(dl_without.due_date, deadline);
        }

        #[test]
        fn remaining_plus_elapsed_is_total((start, n, pauses, now_off, met_off) in case()) {
            let c = cal();
            let now = start + chrono::Duration::minutes(now_off);
            let met = met_off.map(|m| start + chrono::Duration::minutes(m));
            let s = clock(&c, start, n, &pauses, met, now).unwrap();
            prop_assert_eq!(s.remaining_working_days + s.elapsed_working_days.unwrap(), i64::from(n));
            let t = s.met_at.unwrap_or(now);
            prop_assert_eq!(s.breached, t.date() > s.due_date);
            prop_assert_eq!(s.due.date(), s.due_date);
            prop_assert!(s.due_date >= start.date());
            prop_assert!(s.extension_working_days >= 0);
            if s.is_met() {
                prop_assert!(!s.paused);
            }
            if !s.breached {
                prop_assert!(s.remaining_working_days >= 0);
            }
            if s.remaining_working_days < 0 {
                prop_assert!(s.breached);
            }
            if pauses.is_empty() {
                prop_assert_eq!(s.due_date, c.add_working_days(start.date(), n).unwrap());
                prop_assert_eq!(s.working_days_late(), working_days_late(&c, s.due_date, t.date()).unwrap());
            }
        }

        #[test]
        fn remaining_never_increases_without_pauses_and_freezes_when_suspended(
            start in instant(), n in 0u32..=10, a in 0i64..60 * 24 * 60, b in 0i64..60 * 24 * 60,
            pause_off in 0i64..30 * 24 * 60,
        ) {
            let c = cal();
            let (a, b) = (a.min(b), a.max(b));
            let at = |m: i64, p: &[Pause]| clock(&c, start, n, p, None, start + chrono::Duration::minutes(m)).unwrap();
            prop_assert!(at(a, &[]).remaining_working_days >= at(b, &[]).remaining_working_days);
            // With an open suspension begun before both instants, nothing moves but the due.
            let p = [Pause { from: start + chrono::Duration::minutes(pause_off.min(a)), to: None }];
            let (sa, sb) = (at(a, &p), at(b, &p));
            prop_assert!(sa.paused && sb.paused);
            prop_assert_eq!(sa.remaining_working_days, sb.remaining_working_days);
            if n > 0 {
                // (A 0-day milestone is due at the end of the start day, pauses or not.)
                prop_assert_eq!(sa.breached, sb.breached);
            }
            prop_assert!(sa.due_date <= sb.due_date);
        }

        #[test]
        fn splitting_a_pause_changes_nothing(
            (start, n, _pauses, now_off, _met) in case(), from in 0i64..30 * 24 * 60,
            len in 0i64..20 * 24 * 60, cut in 0.0f64..=1.0,
        ) {
            let c = cal();
            let now = start + chrono::Duration::minutes(now_off);
            let from = start + chrono::Duration::minutes(from);
            let to = from + chrono::Duration::minutes(len);
            let mid = from + chrono::Duration::minutes((len as f64 * cut) as i64);
            let whole = [Pause { from, to: Some(to) }];
            let split = [Pause { from, to: Some(mid) }, Pause { from: mid, to: Some(to) }];
            prop_assert_eq!(
                clock(&c, start, n, &whole, None, now).unwrap(),
                clock(&c, start, n, &split, None, now).unwrap()
            );
        }
    }
}
