//! The traffic light (红黄绿灯) of an item, derived from its state, deadline and today.

use crate::item::Item;
use crate::state::ItemState;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Days before the deadline from which an open item shows yellow.
pub const YELLOW_DAYS: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// 红灯: open and past its deadline.
    Red,
    /// 黄灯: open, deadline within [`YELLOW_DAYS`] days.
    Yellow,
    /// 绿灯: on track (or no deadline yet).
    Green,
    /// 灰: closed or cancelled — nothing left to watch.
    Grey,
}

impl Light {
    pub const ALL: [Light; 4] = [Self::Red, Self::Yellow, Self::Green, Self::Grey];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Yellow => "yellow",
            Self::Green => "green",
            Self::Grey => "grey",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Red => "红灯",
            Self::Yellow => "黄灯",
            Self::Green => "绿灯",
            Self::Grey => "已结束",
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
            .ok_or_else(|| format!("unknown light `{s}`; expected red, yellow, green or grey"))
    }
}

/// The light for an item in `state` with `deadline`, seen on `today` (a local date).
///
/// Only open items ([`ItemState::is_open`]) can be late; a draft is nobody's duty yet and
/// shows green.
pub fn light(state: ItemState, deadline: Option<NaiveDate>, today: NaiveDate) -> Light {
    if matches!(state, ItemState::Closed | ItemState::Cancelled) {
        return Light::Grey;
    }
    if !state.is_open() {
        return Light::Green;
    }
    match deadline {
        None => Light::Green,
        Some(d) if d < today => Light::Red,
        Some(d) if (d - today).num_days() <= YELLOW_DAYS => Light::Yellow,
        Some(_) => Light::Green,
    }
}

/// [`light`] of an item.
pub fn item_light(item: &Item, today: NaiveDate) -> Light {
    light(item.state, item.deadline, today)
}

/// Whole days an open item is past its deadline on `today` (0 when not late).
pub fn days_late(state: ItemState, deadline: Option<NaiveDate>, today: NaiveDate) -> i64 {
    match deadline {
        Some(d) if state.is_open() && d < today => (today - d).num_days(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn lights_follow_state_deadline_and_today() {
        let today = d("2026-03-10");
        let open = ItemState::InProgress;
        assert_eq!(light(open, Some(d("2026-03-09")), today), Light::Red);
        assert_eq!(light(open, Some(d("2026-03-10")), today), Light::Yellow);
        assert_eq!(light(open, Some(d("2026-03-15")), today), Light::Yellow);
        assert_eq!(light(open, Some(d("2026-03-16")), today), Light::Green);
        assert_eq!(light(open, None, today), Light::Green);
        assert_eq!(
            light(ItemState::Closed, Some(d("2026-01-01")), today),
            Light::Grey
        );
        assert_eq!(light(ItemState::Cancelled, None, today), Light::Grey);
        assert_eq!(
            light(ItemState::Draft, Some(d("2026-01-01")), today),
            Light::Green
        );
        assert_eq!(days_late(open, Some(d("2026-03-07")), today), 3);
        assert_eq!(
            days_late(ItemState::Closed, Some(d("2026-03-07")), today),
            0
        );
    }

    #[test]
    fn names_round_trip() {
        for l in Light::ALL {
            assert_eq!(l.as_str().parse::<Light>(), Ok(l));
        }
        assert!("blue".parse::<Light>().is_err());
    }
}
