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

#[cfg(test)]
mod tests {
    use super::*;
    use xiaohao_core::escalation::Ladder;

    #[test]
    fn a_bad_scoring_file_stops_the_start_naming_file_and_key() {
        let dir = std::env::temp_dir().join(format!("xh-scoring-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("scoring.toml");
        std::fs::write(
            &path,
            "base = 100\n[rules.escalation]\nlabel = \"督办\"\nsteps = { \"约谈\" = -3 }\n",
        )
        .unwrap();
        let err = crate::calendar::load_scoring(&path, &Ladder::default()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("scoring.toml") && text.contains("rules.escalation.steps.约谈"),
            "{text}"
        );
        // No file: the built-in rules, which are the shipped file.
        let missing = crate::calendar::load_scoring(&dir.join("none.toml"), &Ladder::default());
        assert_eq!(
            missing.unwrap(),
            xiaohao_core::score::ScoringRules::default()
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn periods_are_named_in_errors_and_units_read_their_own() {
        let err = score_period("2026Q9").unwrap_err().to_string();
        assert!(err.contains("period") && err.contains("2026Q9"), "{err}");
        assert!(!reads_all_scores(AccountRole::Unit));
        for r in [
            AccountRole::Supervision,
            AccountRole::Leader,
            AccountRole::Office,
            AccountRole::Admin,
        ] {
            assert!(reads_all_scores(r), "{r}");
        }
    }
}
