//! 考核: the engine's side of scoring. It reads the event log up to the period's end
//! through the store and hands it to `xiaohao_core::score`, which decides every line; the
//! only thing added here is who may read what: a unit its own row, 督查室, leaders,
//! offices and administrators every row.

use crate::{Engine, EngineError, Principal};
use chrono::{Duration, TimeZone};
use serde::Serialize;
use std::collections::BTreeMap;
use xiaohao_core::score::{self, Period, Points, Scorecard};
use xiaohao_core::{AccountRole, UnitId};

/// One unit's place in a period's ranking (what the 通报 cites).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankRow {
    pub unit_id: UnitId,
    pub unit: String,
    pub score: Points,
    pub rank: u32,
}

/// A period from what a person typed: `2026Q4` or `2026`.
///
/// # Errors
/// `Invalid` naming `period`.
pub fn score_period(text: &str) -> Result<Period, EngineError> {
    Period::parse(text).map_err(|e| EngineError::invalid("period", e.to_string()))
}

/// Whether `role` reads every unit's score (otherwise only its own unit's).
pub fn reads_all_scores(role: AccountRole) -> bool {
    !matches!(role, AccountRole::Unit)
}

impl Engine {
    /// Every unit's score for `period`, from the event log as it stands up to the period's
    /// end. The same log gives the same card.
    ///
    /// # Errors
    /// On store failure.
    pub async fn scorecard(&self, period: &Period) -> Result<Scorecard, EngineError> {
        let policy = self.policy();
        let end = period.to + Duration::days(1);
        let end = policy
            .timezone
            .from_local_datetime(&end.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map_or_else(
                || end.and_time(chrono::NaiveTime::MIN).and_utc(),
                |t| t.with_timezone(&chrono::Utc),
            );
        let events = self.store().events_before(end).await?;
        let names: BTreeMap<UnitId, String> = self.unit_names().await?;
        Ok(score::compute(
            &policy.scoring,
            policy,
            period,
            &events,
            &names,
        ))
    }

    /// The score card `who` may read: every row, or only the row of the reader's unit.
    ///
    /// # Errors
    /// On store failure.
    pub async fn scores_for(
        &self,
        who: &Principal,
        period: &Period,
    ) -> Result<Scorecard, EngineError> {
        let card = self.scorecard(period).await?;
        Ok(if reads_all_scores(who.role()) {
            card
        } else {
            card.only(who.user.unit)
        })
    }

    /// The ranking of `period`: unit, score and rank, best first (for the 通报).
    ///
    /// # Errors
    /// On store failure.
    pub async fn score_ranking(&self, period: &Period) -> Result<Vec<RankRow>, EngineError> {
        Ok(self
            .scorecard(period)
            .await?
            .units
            .into_iter()
            .map(|u| RankRow {
                unit_id: u.unit_id,
                unit: u.unit,
                score: u.score,
                rank: u.rank,
            })
            .collect())
    }
}
