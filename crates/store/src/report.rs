//! Set-based reads behind the quarterly and annual bulletins (通报): one query per kind of
//! fact (items, returns, assignments, escalation fires, missed duties), grouped in SQL
//! where a count is all that is needed. The engine turns them into figures.

use crate::convert::item_from_row;
use crate::entities::{duty, escalation_fire, event, item};
use crate::schedule::DUTY_MISSED;
use crate::{Store, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;
use xiaohao_core::{Item, ItemId, UnitId};

/// Escalation fires of one item (or duty unit) at one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FireCount {
    pub item: Option<ItemId>,
    pub unit: Option<UnitId>,
    pub level: i32,
    pub count: u64,
}

/// Missed reporting duties of one unit (and item, for item duties).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissedCount {
    pub unit: UnitId,
    pub item: Option<ItemId>,
    pub count: u64,
}

/// Everything a bulletin over `[from, to)` is computed from.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    /// Items created before `to` (co-units not loaded).
    pub items: Vec<Item>,
    /// `return` and `reject` events in the period, per item.
    pub returns: HashMap<ItemId, u64>,
    /// The first `assign` event of each item (any time).
    pub first_assigned: HashMap<ItemId, DateTime<Utc>>,
    /// Escalation fires in the period.
    pub fires: Vec<FireCount>,
    /// Duties marked missed whose due date lies in `[from_day, to_day]`.
    pub missed: Vec<MissedCount>,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// The facts of a bulletin: instants `[from, to)`, due dates `[from_day, to_day]`.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn report_data(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        from_day: NaiveDate,
        to_day: NaiveDate,
    ) -> StoreResult<ReportData> {
        let db = &self.db;
        let items = item::Entity::find()
            .filter(item::Column::CreatedAt.lt(to))
            .all(db)
            .await?
            .into_iter()
            .map(|r| item_from_row(r, Vec::new()))
            .collect::<StoreResult<Vec<_>>>()?;
        let returns = event::Entity::find()
            .select_only()
            .column(event::Column::ItemId)
            .column_as(event::Column::Seq.count(), "n")
            .filter(event::Column::Kind.is_in(["return", "reject"]))
            .filter(event::Column::At.gte(from))
            .filter(event::Column::At.lt(to))
            .group_by(event::Column::ItemId)
            .into_tuple::<(Uuid, i64)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, n)| (ItemId::from(id), count(n)))
            .collect();
        let mut first_assigned: HashMap<ItemId, DateTime<Utc>> = HashMap::new();
        for (id, at) in event::Entity::find()
            .select_only()
            .column(event::Column::ItemId)
            .column(event::Column::At)
            .filter(event::Column::Kind.eq("assign"))
            .into_tuple::<(Uuid, DateTime<Utc>)>()
            .all(db)
            .await?
        {
            let e = first_assigned.entry(id.into()).or_insert(at);
            if at < *e {
                *e = at;
            }
        }
        let fires = escalation_fire::Entity::find()
            .select_only()
            .column(escalation_fire::Column::ItemId)
            .column(escalation_fire::Column::UnitId)
            .column(escalation_fire::Column::Level)
            .column_as(escalation_fire::Column::Id.count(), "n")
            .filter(escalation_fire::Column::FiredAt.gte(from))
            .filter(escalation_fire::Column::FiredAt.lt(to))
            .group_by(escalation_fire::Column::ItemId)
            .group_by(escalation_fire::Column::UnitId)
            .group_by(escalation_fire::Column::Level)
            .into_tuple::<(Option<Uuid>, Option<Uuid>, i32, i64)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(item, unit, level, n)| FireCount {
                item: item.map(Into::into),
                unit: unit.map(Into::into),
                level,
                count: count(n),
            })
            .collect();
        let missed = duty::Entity::find()
            .select_only()
            .column(duty::Column::UnitId)
            .column(duty::Column::ItemId)
            .column_as(duty::Column::Id.count(), "n")
            .filter(duty::Column::Status.eq(DUTY_MISSED))
            // 缺报 counts reports; an unsigned 对账单 is not a missing report.
            .filter(duty::Column::Kind.ne(xiaohao_core::recon::DUTY_KIND))
            .filter(duty::Column::DueOn.gte(from_day))
            .filter(duty::Column::DueOn.lte(to_day))
            .group_by(duty::Column::UnitId)
            .group_by(duty::Column::ItemId)
            .into_tuple::<(Uuid, Option<Uuid>, i64)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(unit, item, n)| MissedCount {
                unit: unit.into(),
                item: item.map(Into::into),
                count: count(n),
            })
            .collect();
        Ok(ReportData {
            items,
            returns,
            first_assigned,
            fires,
            missed,
        })
    }

    /// The latest progress text of each item that has one.
    ///
    /// # Errors
    /// On database failure.
    pub async fn latest_progress(&self) -> StoreResult<HashMap<ItemId, String>> {
        self.latest_progress_where(None).await
    }

    /// Which of `ids` `unit` has reported on for `period` (`YYYY-MM`).
    ///
    /// # Errors
    /// On database failure.
    pub async fn reported_by(
        &self,
        unit: UnitId,
        period: &str,
        ids: &[ItemId],
    ) -> StoreResult<std::collections::HashSet<ItemId>> {
        use crate::entities::progress_report;
        let mut out = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<Uuid> = progress_report::Entity::find()
                .select_only()
                .column(progress_report::Column::ItemId)
                .filter(progress_report::Column::UnitId.eq(unit.0))
                .filter(progress_report::Column::Period.eq(period))
                .filter(progress_report::Column::ItemId.is_in(chunk.iter().map(|i| i.0)))
                .into_tuple()
                .all(&self.db)
                .await?;
            out.extend(rows.into_iter().map(ItemId::from));
        }
        Ok(out)
    }

    /// [`Store::latest_progress`] of `ids` only.
    ///
    /// # Errors
    /// On database failure.
    pub async fn latest_progress_of(&self, ids: &[ItemId]) -> StoreResult<HashMap<ItemId, String>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            out.extend(self.latest_progress_where(Some(chunk)).await?);
        }
        Ok(out)
    }

    async fn latest_progress_where(
        &self,
        ids: Option<&[ItemId]>,
    ) -> StoreResult<HashMap<ItemId, String>> {
        use crate::entities::progress_report;
        let mut out: HashMap<ItemId, (i64, String)> = HashMap::new();
        let mut query = progress_report::Entity::find();
        if let Some(ids) = ids {
            query = query.filter(progress_report::Column::ItemId.is_in(ids.iter().map(|i| i.0)));
        }
        for (id, seq, text) in query
            .select_only()
            .column(progress_report::Column::ItemId)
            .column(progress_report::Column::EventSeq)
            .column(progress_report::Column::Text)
            .into_tuple::<(Uuid, i64, String)>()
            .all(&self.db)
            .await?
        {
            let e = out.entry(id.into()).or_insert((seq, text.clone()));
            if seq > e.0 {
                *e = (seq, text);
            }
        }
        Ok(out.into_iter().map(|(k, (_, t))| (k, t)).collect())
    }
}
