//! The facts a bulletin is written from: the figures of [`Engine::bulletin_of`] over the
//! office's items (days late by the policy's one rule, as every page shows them) and the
//! 对账 counts of the period's statements, turned into `xiaohao_core::bulletin::Facts`.

use crate::report::{Bulletin, NO_UNIT, Period};
use crate::{Engine, EngineError};
use chrono::Datelike;
use std::collections::{BTreeSet, HashMap};
use xiaohao_core::UnitId;
use xiaohao_core::bulletin::{Counts, Facts, LaggingItem, PeriodKind, RankLine, UnitCounts, text};

/// The period keys of the reconciliation cycles inside `period`: its months (`2026-10`),
/// quarters (`2026-Q4`) and, for a year, the year itself.
pub fn period_keys(period: &Period) -> Vec<String> {
    let mut keys = Vec::new();
    let mut month = period.from.with_day(1).unwrap_or(period.from);
    while month <= period.to {
        keys.push(format!("{}-{:02}", month.year(), month.month()));
        if month.month() % 3 == 1 {
            keys.push(format!("{}-Q{}", month.year(), month.month() / 3 + 1));
        }
        month = month
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(period.to.succ_opt().unwrap_or(period.to));
    }
    if !period.label.contains('Q') {
        keys.push(period.from.year().to_string());
    }
    keys
}

fn counts(f: &crate::report::Figures) -> Counts {
    Counts {
        total: f.total,
        closed: f.closed,
        closed_on_time: f.closed_on_time,
        overdue: f.overdue,
        returned: f.returned,
        duties_missed: f.duties_missed,
        escalations: f.escalations.clone(),
    }
}

impl Engine {
    /// The facts and the figures sheet of a bulletin over the items kept by `owners`
    /// (`None`: all items), as they stand now.
    ///
    /// # Errors
    /// On store failure, or a calendar that does not cover the period.
    pub async fn bulletin_facts(
        &self,
        period: &Period,
        owners: Option<&BTreeSet<UnitId>>,
    ) -> Result<(Facts, Bulletin), EngineError> {
        let figures = self.bulletin_of(period, owners).await?;
        let ids: HashMap<String, UnitId> = self
            .unit_names::<Vec<(UnitId, String)>>()
            .await?
            .into_iter()
            .map(|(id, name)| (name, id))
            .collect();
        let id_of = |name: &str| (name != NO_UNIT).then(|| ids.get(name).copied()).flatten();
        let units = figures
            .by_unit
            .iter()
            .map(|r| UnitCounts {
                unit: id_of(&r.name),
                name: r.name.clone(),
                counts: counts(&r.figures),
            })
            .collect();
        let lagging: Vec<LaggingItem> = figures
            .red_items
            .iter()
            .filter(|r| r.working_days_late > 0)
            .map(|r| LaggingItem {
                item_id: r.id,
                number: r.number.clone(),
                title: r.title.clone(),
                lead: r.lead.as_deref().and_then(id_of),
                lead_name: r.lead.clone().unwrap_or_else(|| NO_UNIT.to_owned()),
                due_on: r.due_on,
                working_days_late: r.working_days_late,
                escalation_level: r.escalation_level,
            })
            .collect();
        let owner_list: Option<Vec<UnitId>> = owners.map(|o| o.iter().copied().collect());
        let recon = self
            .store()
            .statement_counts(&period_keys(period), owner_list.as_deref())
            .await?;
        let ladder = &self.policy().ladder;
        let levels: BTreeSet<i32> = ladder
            .steps
            .iter()
            .map(|s| s.level)
            .chain(figures.total.escalations.keys().copied())
            .chain(lagging.iter().map(|l| l.escalation_level))
            .filter(|l| *l > 0)
            .collect();
        let facts = Facts {
            kind: if period.label.contains('Q') {
                PeriodKind::Quarter
            } else {
                PeriodKind::Year
            },
            period_label: period.label.clone(),
            period_title: period.title_zh(),
            from: period.from,
            to: period.to,
            as_of: figures.as_of,
            total: counts(&figures.total),
            units,
            lagging,
            recon,
            ranking: self
                .bulletin_ranking(period, owners.is_some(), &figures)
                .await?,
            level_names: text::level_names(ladder, levels),
        };
        Ok((facts, figures))
    }
}

impl Engine {
    /// The 考核 ranking of the period (the scores of [`Engine::score_ranking`]); for an
    /// office's bulletin, only the units its figures name, ranked among themselves (ties
    /// share a rank).
    async fn bulletin_ranking(
        &self,
        period: &Period,
        restricted: bool,
        figures: &Bulletin,
    ) -> Result<Option<Vec<RankLine>>, EngineError> {
        let Ok(p) = xiaohao_core::score::Period::parse(&period.label) else {
            return Ok(None);
        };
        let mut rows: Vec<RankLine> = self
            .score_ranking(&p)
            .await?
            .into_iter()
            .filter(|r| !restricted || figures.by_unit.iter().any(|u| u.name == r.unit))
            .map(|r| RankLine {
                unit: r.unit,
                #[allow(clippy::cast_precision_loss)]
                score: r.score.0 as f64 / 10.0,
                rank: r.rank,
            })
            .collect();
        if restricted {
            let scores: Vec<f64> = rows.iter().map(|r| r.score).collect();
            for r in &mut rows {
                let higher = scores.iter().filter(|s| **s > r.score).count();
                r.rank = u32::try_from(higher + 1).unwrap_or(u32::MAX);
            }
        }
        Ok((!rows.is_empty()).then_some(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_covers_its_months_and_itself() {
        let q = Period::quarter("2026Q4").unwrap();
        assert_eq!(
            period_keys(&q),
            ["2026-10", "2026-Q4", "2026-11", "2026-12"]
        );
        let y = Period::year(2026).unwrap();
        let keys = period_keys(&y);
        assert_eq!(keys.len(), 12 + 4 + 1);
        assert!(keys.contains(&"2026-Q1".to_owned()) && keys.contains(&"2026".to_owned()));
    }
}
