//! The read behind 考核: the event log up to an instant, the only input scores come from.

use crate::convert::event_from_row;
use crate::entities::event;
use crate::{Store, StoreResult};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use xiaohao_core::event::Event;

impl Store {
    /// Every event that happened before `to`, by item and seq, read in pages.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn events_before(&self, to: DateTime<Utc>) -> StoreResult<Vec<Event>> {
        let mut out = Vec::new();
        let mut pages = event::Entity::find()
            .filter(event::Column::At.lt(to))
            .order_by_asc(event::Column::ItemId)
            .order_by_asc(event::Column::Seq)
            .paginate(&self.db, 5000);
        while let Some(rows) = pages.fetch_and_next().await? {
            for row in rows {
                out.push(event_from_row(row)?);
            }
        }
        Ok(out)
    }
}
