//! 考核 (scoring): each unit's score for a quarter or a year, computed from the event log
//! only. A unit starts at the rules' base; every event a rule matches becomes a [`Line`]
//! naming the rule, the points, the item and the event, so a score is explained down to
//! the event and the same log always gives the same bytes.
//!
//! - [`rules`]: `config/scoring.toml` and its validation; [`Points`] in tenths.
//! - [`replay`]: walks each item's chain, deriving the facts a rule needs (lead unit, due
//!   date, grade) from earlier events, and yields candidate lines.
//! - [`caps`]: trims lines to the per-rule and per-unit caps, deterministically.
//!
//! Which period a line belongs to: the period in which its event happened (local date in
//! the policy's time zone). Events after the period's end are not read at all, so a closed
//! period never changes; a running period is scored as of its latest event.

mod caps;
mod replay;
pub mod rules;
#[cfg(test)]
mod tests;

pub use rules::{Points, Rule, RuleKind, ScoringConfig, ScoringError, ScoringRules};

use crate::event::Event;
use crate::ids::{ItemId, UnitId};
use crate::policy::Policy;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A scoring period: a quarter (`2026Q4`) or a calendar year (`2026`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub label: String,
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
}

impl Period {
    /// `2026Q4` (also `2026-Q4`, `2026q4`) or `2026`.
    ///
    /// # Errors
    /// [`ScoringError::BadPeriod`] on anything else.
    pub fn parse(s: &str) -> Result<Period, ScoringError> {
        let shown: String = s.chars().take(20).collect();
        let bad = || ScoringError::BadPeriod(shown.clone());
        let t = s.trim().to_ascii_uppercase().replace('-', "");
        let year_of = |y: &str| -> Result<i32, ScoringError> {
            if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let y: i32 = y.parse().map_err(|_| bad())?;
            if (2000..=2100).contains(&y) {
                Ok(y)
            } else {
                Err(bad())
            }
        };
        let (year, quarter) = match t.split_once('Q') {
            Some((y, q)) => {
                let q: u32 = match q {
                    "1" => 1,
                    "2" => 2,
                    "3" => 3,
                    "4" => 4,
                    _ => return Err(bad()),
                };
                (year_of(y)?, Some(q))
            }
            None => (year_of(&t)?, None),
        };
        let (from, to) = match quarter {
            Some(q) => {
                let from = NaiveDate::from_ymd_opt(year, 3 * q - 2, 1).ok_or_else(bad)?;
                let to = if q == 4 {
                    NaiveDate::from_ymd_opt(year, 12, 31)
                } else {
                    NaiveDate::from_ymd_opt(year, 3 * q + 1, 1).and_then(|d| d.pred_opt())
                }
                .ok_or_else(bad)?;
                (from, to)
            }
            None => (
                NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?,
                NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?,
            ),
        };
        Ok(Period {
            label: match quarter {
                Some(q) => format!("{year}Q{q}"),
                None => year.to_string(),
            },
            from,
            to,
        })
    }

    pub fn is_quarter(&self) -> bool {
        self.label.contains('Q')
    }

    /// 2026年第四季度, 2026年度.
    pub fn title_zh(&self) -> String {
        if self.is_quarter() {
            let q = ["一", "二", "三", "四"];
            let n = (self.from.month0() / 3) as usize;
            format!("{}年第{}季度", self.from.year(), q.get(n).unwrap_or(&""))
        } else {
            format!("{}年度", self.from.year())
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// The quarter a date lies in, as a comparable number (`year × 4 + quarter index`).
pub(crate) fn quarter_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 4 + i64::from(d.month0() / 3)
}

/// One line of a unit's score sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub rule: RuleKind,
    /// After caps.
    pub points: Points,
    pub item_id: ItemId,
    pub event_seq: i64,
    /// The event's local date.
    pub on: NaiveDate,
    /// The ladder step (escalation lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Working days late (迟报, 逾期销号, 缺报).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days_late: Option<i64>,
    /// The report period of the duty (缺报, 迟报).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duty_period: Option<String>,
    /// Points the caps took off this line (0 when none).
    pub trimmed: Points,
}

/// One unit's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitScore {
    pub unit_id: UnitId,
    pub unit: String,
    pub score: Points,
    /// Competition ranking: equal scores share a rank, the next rank skips (1, 1, 3).
    pub rank: u32,
    pub lines: Vec<Line>,
}

impl UnitScore {
    /// The sum of the deductions and of the additions of its lines.
    pub fn totals(&self) -> (Points, Points) {
        let minus = self
            .lines
            .iter()
            .map(|l| l.points)
            .filter(|p| p.0 < 0)
            .sum();
        let plus = self
            .lines
            .iter()
            .map(|l| l.points)
            .filter(|p| p.0 > 0)
            .sum();
        (minus, plus)
    }
}

/// The score sheet of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scorecard {
    pub period: Period,
    pub base: Points,
    /// By rank, then unit name, then unit id.
    pub units: Vec<UnitScore>,
    /// The title of each item a line names, as its events state it at the period's end.
    #[serde(skip)]
    pub titles: BTreeMap<ItemId, String>,
}

/// Compute every unit's score for `period` from `events` (any superset of what matters:
/// events after the period are ignored, each item's chain is read in `seq` order).
/// `names` gives each unit's display name; a unit without one shows its id.
///
/// Units scored: every unit that led an assigned item (交办, 转办, 编辑) by the period's
/// end, and every unit a line is charged to.
pub fn compute(
    rules: &ScoringRules,
    policy: &Policy,
    period: &Period,
    events: &[Event],
    names: &BTreeMap<UnitId, String>,
) -> Scorecard {
    let mut chains: BTreeMap<ItemId, Vec<&Event>> = BTreeMap::new();
    for e in events {
        if policy.local_date(e.at) <= period.to {
            chains.entry(e.item_id).or_default().push(e);
        }
    }
    let mut units: BTreeSet<UnitId> = BTreeSet::new();
    let mut candidates: Vec<replay::Candidate> = Vec::new();
    let mut titles = BTreeMap::new();
    for (id, chain) in &mut chains {
        chain.sort_by_key(|e| e.seq);
        let out = replay::replay(rules, policy, chain);
        units.extend(out.leads);
        if let Some(t) = out.title {
            titles.insert(*id, t);
        }
        candidates.extend(
            out.candidates
                .into_iter()
                .filter(|c| period.contains(c.line.on)),
        );
    }
    let mut by_unit: BTreeMap<UnitId, Vec<replay::Candidate>> = BTreeMap::new();
    for c in candidates {
        units.insert(c.unit);
        by_unit.entry(c.unit).or_default().push(c);
    }
    let mut scored: Vec<UnitScore> = units
        .into_iter()
        .map(|unit| {
            let lines = caps::apply(rules, by_unit.remove(&unit).unwrap_or_default());
            let score = rules.base + lines.iter().map(|l| l.points).sum();
            UnitScore {
                unit_id: unit,
                unit: names
                    .get(&unit)
                    .cloned()
                    .unwrap_or_else(|| unit.to_string()),
                score,
                rank: 0,
                lines,
            }
        })
        .collect();
    rank(&mut scored);
    let named: BTreeSet<ItemId> = scored
        .iter()
        .flat_map(|u| u.lines.iter().map(|l| l.item_id))
        .collect();
    titles.retain(|id, _| named.contains(id));
    Scorecard {
        period: period.clone(),
        base: rules.base,
        units: scored,
        titles,
    }
}

/// Sort by score (highest first), then name and id, and give competition ranks.
fn rank(units: &mut [UnitScore]) {
    units.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.unit.cmp(&b.unit))
            .then_with(|| a.unit_id.cmp(&b.unit_id))
    });
    let mut prev: Option<(Points, u32)> = None;
    for (i, u) in units.iter_mut().enumerate() {
        let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
        u.rank = match prev {
            Some((score, rank)) if score == u.score => rank,
            _ => position,
        };
        prev = Some((u.score, u.rank));
    }
}

impl Scorecard {
    /// The contract of `xiaohao report score --format json`: `{"period","base","units":
    /// [{"unit","score","rank","lines":[{"rule","points","item_id","event_seq",…}]}]}`,
    /// with keys in a fixed order so the same card prints the same bytes.
    pub fn to_json(&self, rules: &ScoringRules) -> serde_json::Value {
        use serde_json::{Map, Value};
        let units: Vec<Value> = self
            .units
            .iter()
            .map(|u| {
                let lines: Vec<Value> = u
                    .lines
                    .iter()
                    .map(|l| {
                        let mut m = Map::new();
                        m.insert("rule".into(), l.rule.as_str().into());
                        m.insert("points".into(), l.points.to_json());
                        m.insert("item_id".into(), l.item_id.to_string().into());
                        m.insert("event_seq".into(), l.event_seq.into());
                        m.insert("label".into(), rules.line_label(l).into());
                        m.insert("on".into(), l.on.to_string().into());
                        if let Some(s) = &l.step {
                            m.insert("step".into(), s.clone().into());
                        }
                        if let Some(d) = l.working_days_late {
                            m.insert("working_days_late".into(), d.into());
                        }
                        if let Some(p) = &l.duty_period {
                            m.insert("duty_period".into(), p.clone().into());
                        }
                        m.insert("trimmed".into(), l.trimmed.to_json());
                        Value::Object(m)
                    })
                    .collect();
                let mut m = Map::new();
                m.insert("unit".into(), u.unit.clone().into());
                m.insert("score".into(), u.score.to_json());
                m.insert("rank".into(), u.rank.into());
                m.insert("unit_id".into(), u.unit_id.to_string().into());
                m.insert("lines".into(), Value::Array(lines));
                Value::Object(m)
            })
            .collect();
        let mut m = Map::new();
        m.insert("period".into(), self.period.label.clone().into());
        m.insert("base".into(), self.base.to_json());
        m.insert("units".into(), Value::Array(units));
        Value::Object(m)
    }

    /// Keep only `unit`'s row (what a unit may read), with its rank among all.
    #[must_use]
    pub fn only(mut self, unit: UnitId) -> Scorecard {
        self.units.retain(|u| u.unit_id == unit);
        let named: BTreeSet<ItemId> = self
            .units
            .iter()
            .flat_map(|u| u.lines.iter().map(|l| l.item_id))
            .collect();
        self.titles.retain(|id, _| named.contains(id));
        self
    }
}
