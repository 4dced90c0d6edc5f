//! Quarterly and annual bulletins (通报): figures per chain and per lead unit, computed
//! from the store's set-based reads over a period, on the working-day calendar.
//!
//! Definitions (all over the period `[from, to]`, dates in the configured time zone;
//! `as_of` is the period's last day, or today while the period is still running):
//!
//! - **total**: items created by the end of the period that are neither drafts nor
//!   cancelled now;
//! - **closed**: of those, closed (销号) within the period; **closed on time**: closed on or
//!   before the due date (or without one);
//! - **overdue**: not closed by `as_of` and due before `as_of`;
//! - **returned**: `return` (退回) and `reject` (核验不通过) events within the period;
//! - **duties missed**: reporting duties due within the period and marked missed
//!   (attributed to the duty's unit, and to the item's chain);
//! - **average working days to close**: over items closed in the period, working days
//!   from the first assignment (交办; its filing when never assigned) to the closure;
//! - **escalations by level**: escalation steps fired within the period;
//! - **red items**: items whose light is red on `as_of`, with working days late.

use crate::{Engine, EngineError};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use xiaohao_core::light::Light;
use xiaohao_core::{Item, ItemId, ItemState, UnitId};

/// A reporting period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// `2026Q4`, `2026`.
    pub label: String,
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
}

impl Period {
    /// `2026Q4` (also `2026-Q4`, `2026q4`).
    ///
    /// # Errors
    /// `Invalid` on anything else.
    pub fn quarter(s: &str) -> Result<Period, EngineError> {
        let bad = || EngineError::invalid("period", format!("`{s}` is not a quarter like 2026Q4"));
        let t = s.trim().to_ascii_uppercase().replace('-', "");
        let (y, q) = t.split_once('Q').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let q: u32 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&q) || !(1900..=9999).contains(&year) {
            return Err(bad());
        }
        let from = NaiveDate::from_ymd_opt(year, 3 * q - 2, 1).ok_or_else(bad)?;
        let to = if q == 4 {
            NaiveDate::from_ymd_opt(year, 12, 31)
        } else {
            NaiveDate::from_ymd_opt(year, 3 * q + 1, 1).and_then(|d| d.pred_opt())
        }
        .ok_or_else(bad)?;
        Ok(Period {
            label: format!("{year}Q{q}"),
            from,
            to,
        })
    }

    /// A calendar year.
    ///
    /// # Errors
    /// `Invalid` for a year outside 1900–9999.
    pub fn year(year: i32) -> Result<Period, EngineError> {
        let bad = || EngineError::invalid("year", format!("`{year}` is not a year"));
        if !(1900..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Period {
            label: year.to_string(),
            from: NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?,
        })
    }

    /// 2026年第四季度, 2026年度.
    pub fn title_zh(&self) -> String {
        if self.label.contains('Q') {
            let q = ["一", "二", "三", "四"];
            let n = (self.from.month0() / 3) as usize;
            format!("{}年第{}季度", self.from.year(), q.get(n).unwrap_or(&""))
        } else {
            format!("{}年度", self.from.year())
        }
    }
}

/// The figures of one chain, one unit, or everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub total: u64,
    pub closed: u64,
    pub closed_on_time: u64,
    pub overdue: u64,
    pub returned: u64,
    pub duties_missed: u64,
    /// `None` when nothing closed.
    pub avg_working_days_to_close: Option<f64>,
    /// Level → steps fired.
    #[serde(deserialize_with = "level_counts")]
    pub escalations: BTreeMap<i32, u64>,
    #[serde(skip)]
    close_days: Vec<i64>,
}

/// Levels read back from JSON, where map keys are strings (also inside a flattened row,
/// where serde cannot turn them into numbers by itself).
fn level_counts<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<i32, u64>, D::Error> {
    BTreeMap::<String, u64>::deserialize(d)?
        .into_iter()
        .map(|(k, v)| {
            k.parse::<i32>()
                .map(|k| (k, v))
                .map_err(|_| serde::de::Error::custom(format!("`{k}` is not a level")))
        })
        .collect()
}

impl Figures {
    fn finish(&mut self) {
        if !self.close_days.is_empty() {
            let sum: i64 = self.close_days.iter().sum();
            let avg = sum as f64 / self.close_days.len() as f64;
            self.avg_working_days_to_close = Some((avg * 10.0).round() / 10.0);
        }
    }
}

/// A row of a bulletin: a chain or a unit with its figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulletinRow {
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// An item that is red on `as_of`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RedItem {
    pub id: ItemId,
    pub number: Option<String>,
    pub title: String,
    pub lead: Option<String>,
    pub chain: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub working_days_late: i64,
    pub escalation_level: i32,
}

/// A bulletin (通报) over one period.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bulletin {
    pub period: Period,
    pub title: String,
    pub as_of: NaiveDate,
    pub total: Figures,
    pub by_chain: Vec<BulletinRow>,
    pub by_unit: Vec<BulletinRow>,
    pub red_items: Vec<RedItem>,
}

/// Name of the row for items without a chain.
pub const NO_CHAIN: &str = "(未归入产业链)";
/// Name of the row for items without a lead unit.
pub const NO_UNIT: &str = "(未定牵头单位)";

impl Engine {
    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.policy().local_date(at)
    }

    fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        self.policy()
            .timezone
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
    }

    /// The bulletin of a period, computed now.
    ///
    /// # Errors
    /// On store failure, or a calendar that does not cover the period.
    pub async fn bulletin(&self, period: &Period) -> Result<Bulletin, EngineError> {
        self.bulletin_of(period, None).await
    }

    /// The bulletin of a period over the items kept by one of `owners` (an office and the
    /// units below it; `None`: every item). Missed duties and escalations without an item
    /// count when their unit leads one of those items.
    ///
    /// # Errors
    /// As [`Engine::bulletin`].
    pub async fn bulletin_of(
        &self,
        period: &Period,
        owners: Option<&BTreeSet<UnitId>>,
    ) -> Result<Bulletin, EngineError> {
        let from = self.start_of(period.from);
        let to = self.start_of(period.to.succ_opt().unwrap_or(period.to));
        let as_of = period.to.min(self.today());
        let data = self
            .store()
            .report_data(from, to, period.from, period.to)
            .await?;
        let units: HashMap<UnitId, String> = self.unit_names().await?;
        let chains: HashMap<xiaohao_core::ChainId, String> = self.chain_names().await?;
        let in_scope =
            |i: &Item| owners.is_none_or(|o| i.owner_unit.is_some_and(|u| o.contains(&u)));
        let items: HashMap<ItemId, &Item> = data
            .items
            .iter()
            .filter(|i| in_scope(i))
            .map(|i| (i.id, i))
            .collect();
        // Units leading an item in scope: their item-less duties and steps count too.
        let leads: HashSet<UnitId> = items.values().filter_map(|i| i.lead_unit).collect();
        let unit_in_scope = |item: Option<ItemId>, unit: Option<UnitId>| match (owners, item) {
            (None, _) => true,
            (Some(_), Some(i)) => items.contains_key(&i),
            (Some(_), None) => unit.is_some_and(|u| leads.contains(&u)),
        };
        let chain_name = |i: &Item| {
            i.chain_id
                .and_then(|c| chains.get(&c).cloned())
                .unwrap_or_else(|| NO_CHAIN.to_owned())
        };
        let unit_name = |u: Option<UnitId>| {
            u.and_then(|u| units.get(&u).cloned())
                .unwrap_or_else(|| NO_UNIT.to_owned())
        };
        let mut total = Figures::default();
        let mut by_chain: BTreeMap<String, Figures> = BTreeMap::new();
        let mut by_unit: BTreeMap<String, Figures> = BTreeMap::new();
        let cal = self.calendar();
        let mut red_items = Vec::new();
        for it in &data.items {
            if matches!(it.state, ItemState::Draft | ItemState::Cancelled) || !in_scope(it) {
                continue;
            }
            let closed_on = it.closed_at.map(|c| self.local_date(c));
            let closed_in = closed_on.filter(|d| *d >= period.from && *d <= period.to);
            let open_at_as_of = closed_on.is_none_or(|d| d > as_of);
            let overdue = open_at_as_of && it.due_on.is_some_and(|d| d < as_of);
            let close_days = match closed_in {
                Some(day) => {
                    let start = data
                        .first_assigned
                        .get(&it.id)
                        .map(|a| self.local_date(*a))
                        .unwrap_or_else(|| self.local_date(it.created_at));
                    Some(
                        cal.working_days_between(start, day)
                            .map_err(|e| EngineError::Config(e.to_string()))?,
                    )
                }
                None => None,
            };
            let returned = data.returns.get(&it.id).copied().unwrap_or(0);
            for f in [
                &mut total,
                by_chain.entry(chain_name(it)).or_default(),
                by_unit.entry(unit_name(it.lead_unit)).or_default(),
            ] {
                f.total += 1;
                if closed_in.is_some() {
                    f.closed += 1;
                    if it.due_on.is_none_or(|d| closed_in.is_some_and(|c| c <= d)) {
                        f.closed_on_time += 1;
                    }
                }
                if overdue {
                    f.overdue += 1;
                }
                f.returned += returned;
                if let Some(d) = close_days {
                    f.close_days.push(d);
                }
            }
            if open_at_as_of && it.state != ItemState::Suspended {
                // The item as it stood on `as_of`: one closed after it was still running.
                let mut then = (*it).clone();
                if then.state == ItemState::Closed {
                    then.state = ItemState::InProgress;
                }
                let policy = self.policy();
                if policy.light(&then, as_of) == Light::Red
                    && let Some(due) = it.due_on
                {
                    red_items.push(RedItem {
                        id: it.id,
                        number: it.number.clone(),
                        title: it.title.clone(),
                        lead: it.lead_unit.and_then(|u| units.get(&u).cloned()),
                        chain: it.chain_id.and_then(|c| chains.get(&c).cloned()),
                        due_on: Some(due),
                        working_days_late: policy.working_days_late(&then, as_of),
                        escalation_level: it.escalation_level,
                    });
                }
            }
        }
        for m in &data.missed {
            if !unit_in_scope(m.item, Some(m.unit)) {
                continue;
            }
            let item = m.item.and_then(|i| items.get(&i).copied());
            total.duties_missed += m.count;
            by_unit
                .entry(unit_name(Some(m.unit)))
                .or_default()
                .duties_missed += m.count;
            if let Some(it) = item {
                by_chain.entry(chain_name(it)).or_default().duties_missed += m.count;
            }
        }
        for f in &data.fires {
            if !unit_in_scope(f.item, f.unit) {
                continue;
            }
            let item = f.item.and_then(|i| items.get(&i).copied());
            *total.escalations.entry(f.level).or_default() += f.count;
            let unit = f.unit.or(item.and_then(|i| i.lead_unit));
            *by_unit
                .entry(unit_name(unit))
                .or_default()
                .escalations
                .entry(f.level)
                .or_default() += f.count;
            if let Some(it) = item {
                *by_chain
                    .entry(chain_name(it))
                    .or_default()
                    .escalations
                    .entry(f.level)
                    .or_default() += f.count;
            }
        }
        total.finish();
        let rows = |m: BTreeMap<String, Figures>| {
            m.into_iter()
                .map(|(name, mut figures)| {
                    figures.finish();
                    BulletinRow { name, figures }
                })
                .collect::<Vec<_>>()
        };
        red_items.sort_by(|a, b| {
            b.working_days_late
                .cmp(&a.working_days_late)
                .then_with(|| a.title.cmp(&b.title))
        });
        Ok(Bulletin {
            title: format!("{}对账销号工作通报", period.title_zh()),
            period: period.clone(),
            as_of,
            total,
            by_chain: rows(by_chain),
            by_unit: rows(by_unit),
            red_items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let q = Period::quarter("2026Q4").unwrap();
        assert_eq!(q.from, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(q.to, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        let q = Period::quarter("2026-q1").unwrap();
        assert_eq!(q.to, NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!(q.title_zh(), "2026年第一季度");
        assert!(Period::quarter("2026Q5").is_err());
        assert!(Period::quarter("Q4").is_err());
        assert_eq!(Period::year(2026).unwrap().title_zh(), "2026年度");
    }
}
