//! Items: reads, filters, the event log and its verification (writes are `write/`).

use crate::convert::{event_from_row, item_from_row};
use crate::entities::{event, item, item_co_unit, item_target, progress_report};
use crate::filter::{ItemFilter, filter_condition, page_limit};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;
use xiaohao_core::event::{BrokenLink, Event, verify_chain};
use xiaohao_core::progress::{Actual, ProgressReport};
use xiaohao_core::{Item, ItemId, Target, UnitId};

#[derive(Debug, Clone, Serialize)]
pub struct ItemPage {
    pub items: Vec<Item>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgressRow {
    pub event_seq: i64,
    /// The reporting unit: each unit's reports are its own.
    pub unit: Option<UnitId>,
    /// Its name, for pages and the API.
    pub unit_name: Option<String>,
    pub reported_at: DateTime<Utc>,
    #[serde(flatten)]
    pub report: ProgressReport,
}

/// The seq and hash of an item's last event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl Store {
    /// An item and the head of its event chain, in one read.
    ///
    /// # Errors
    /// `NotFound` when the item does not exist.
    pub async fn item_with_head(&self, id: ItemId) -> StoreResult<(Item, ChainHead)> {
        use sea_orm::sea_query::{Alias, Query};
        use sea_orm::{FromQueryResult, JoinType};
        // One statement: the item row repeated once per co-unit (a LEFT JOIN), since this
        // read precedes every command and a second round trip is a measurable share of it.
        let stmt = Query::select()
            .column((item::Entity, Asterisk))
            .expr_as(
                Expr::col((item_co_unit::Entity, item_co_unit::Column::UnitId)),
                Alias::new("co_unit_id"),
            )
            .expr_as(
                Expr::col((item_co_unit::Entity, item_co_unit::Column::Position)),
                Alias::new("co_position"),
            )
            .from(item::Entity)
            .join(
                JoinType::LeftJoin,
                item_co_unit::Entity,
                Expr::col((item_co_unit::Entity, item_co_unit::Column::ItemId))
                    .equals((item::Entity, item::Column::Id)),
            )
            .and_where(Expr::col((item::Entity, item::Column::Id)).eq(id.0))
            .to_owned();
        let rows = self.db.query_all(&stmt).await?;
        let first = rows
            .first()
            .ok_or_else(|| StoreError::not_found("item", id))?;
        let row = item::Model::from_query_result(first, "")?;
        let mut co: Vec<(i32, UnitId)> = Vec::new();
        for r in &rows {
            if let Some(unit) = r.try_get::<Option<Uuid>>("", "co_unit_id")? {
                co.push((r.try_get::<i32>("", "co_position")?, unit.into()));
            }
        }
        co.sort_by_key(|(p, _)| *p);
        let head = ChainHead {
            seq: row.last_seq,
            hash: row.last_hash.clone(),
        };
        Ok((
            item_from_row(row, co.into_iter().map(|(_, u)| u).collect())?,
            head,
        ))
    }

    /// # Errors
    /// `NotFound` when the item does not exist.
    pub async fn item(&self, id: ItemId) -> StoreResult<Item> {
        let row = item::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found("item", id))?;
        let co = co_units_of(&self.db, id).await?;
        item_from_row(row, co)
    }

    /// Several items by id, in as few reads as the parameter limits allow; ids that do not
    /// exist are left out.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn items_by_ids(&self, ids: &[ItemId]) -> StoreResult<HashMap<ItemId, Item>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows = item::Entity::find()
                .filter(item::Column::Id.is_in(chunk.iter().map(|i| i.0)))
                .all(&self.db)
                .await?;
            for (item, _) in with_co_units(&self.db, rows).await? {
                out.insert(item.id, item);
            }
        }
        Ok(out)
    }

    /// As [`Store::items_by_ids`], each with the head of its event chain (to append to it).
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn items_with_heads(
        &self,
        ids: &[ItemId],
    ) -> StoreResult<HashMap<ItemId, (Item, ChainHead)>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows = item::Entity::find()
                .filter(item::Column::Id.is_in(chunk.iter().map(|i| i.0)))
                .all(&self.db)
                .await?;
            for (item, head) in with_co_units(&self.db, rows).await? {
                out.insert(item.id, (item, head));
            }
        }
        Ok(out)
    }

    /// Rows as items, with their co-units (one more query for all of them).
    async fn with_co_units(&self, rows: Vec<item::Model>) -> StoreResult<Vec<Item>> {
        Ok(with_co_units(&self.db, rows)
            .await?
            .into_iter()
            .map(|(item, _)| item)
            .collect())
    }

    /// A page of items in the filter's order (newest first unless it says otherwise).
    ///
    /// # Errors
    /// On database failure.
    pub async fn items(&self, f: &ItemFilter) -> StoreResult<ItemPage> {
        use crate::order::ordered;
        use sea_orm::QueryTrait;
        let backend = self.backend();
        let total = self.count_items(f).await?;
        let limit = page_limit(f.limit);
        // The page's ids first, then its rows: sorting every matching row whole (titles,
        // texts) to keep fifty cost five times more at 100,000 items on SQLite.
        let ids = ordered(
            item::Entity::find()
                .select_only()
                .column(item::Column::Id)
                .filter(filter_condition(f)),
            f.order,
            backend,
        )
        .limit(limit)
        .offset(f.offset)
        .into_query();
        let rows = ordered(
            item::Entity::find().filter(item::Column::Id.in_subquery(ids)),
            f.order,
            backend,
        )
        .all(&self.db)
        .await?;
        let items = self.with_co_units(rows).await?;
        Ok(ItemPage {
            items,
            total,
            limit,
            offset: f.offset,
        })
    }

    /// The next `limit` items matching the filter with an id after `after`, by id: for
    /// walking every item in bounded memory (keyset paging, no OFFSET re-scans).
    ///
    /// # Errors
    /// On database failure.
    pub async fn items_after(
        &self,
        f: &ItemFilter,
        after: Option<ItemId>,
        limit: u64,
    ) -> StoreResult<Vec<Item>> {
        let mut cond = filter_condition(f);
        if let Some(a) = after {
            cond = cond.add(item::Column::Id.gt(a.0));
        }
        let rows = item::Entity::find()
            .filter(cond)
            .order_by_asc(item::Column::Id)
            .limit(Ord::max(limit, 1))
            .all(&self.db)
            .await?;
        self.with_co_units(rows).await
    }

    /// The next `limit` items matching the filter filed after `after` (filing time, id),
    /// in filing order: for streaming the ledger in plan order in bounded memory.
    ///
    /// # Errors
    /// On database failure.
    pub async fn items_filed_after(
        &self,
        f: &ItemFilter,
        after: Option<(DateTime<Utc>, ItemId)>,
        limit: u64,
    ) -> StoreResult<Vec<Item>> {
        let mut cond = filter_condition(f);
        if let Some((at, id)) = after {
            cond = cond.add(
                Condition::any().add(item::Column::CreatedAt.gt(at)).add(
                    Condition::all()
                        .add(item::Column::CreatedAt.eq(at))
                        .add(item::Column::Id.gt(id.0)),
                ),
            );
        }
        let rows = item::Entity::find()
            .filter(cond)
            .order_by_asc(item::Column::CreatedAt)
            .order_by_asc(item::Column::Id)
            .limit(Ord::max(limit, 1))
            .all(&self.db)
            .await?;
        self.with_co_units(rows).await
    }

    /// Every item matching the filter (no paging), for dashboards, exports and feeds.
    ///
    /// # Errors
    /// On database failure.
    pub async fn all_items(&self, f: &ItemFilter) -> StoreResult<Vec<Item>> {
        let rows = item::Entity::find()
            .filter(filter_condition(f))
            .order_by_asc(item::Column::DueOn)
            .order_by_asc(item::Column::Id)
            .all(&self.db)
            .await?;
        self.with_co_units(rows).await
    }

    /// Items per state, counted in the database (for `/metrics`, scraped every few
    /// seconds: it must not read a million rows to count them).
    ///
    /// # Errors
    /// On database failure.
    pub async fn item_counts_by_state(&self) -> StoreResult<Vec<(String, u64)>> {
        let by_state: Vec<(String, i64)> = item::Entity::find()
            .select_only()
            .column(item::Column::State)
            .column_as(Expr::col(Asterisk).count(), "n")
            .group_by(item::Column::State)
            .order_by_asc(item::Column::State)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(by_state
            .into_iter()
            .map(|(s, n)| (s, u64::try_from(n).unwrap_or(0)))
            .collect())
    }

    /// How many items the filter selects.
    ///
    /// # Errors
    /// On database failure.
    pub async fn count_items(&self, f: &ItemFilter) -> StoreResult<u64> {
        // `COUNT(id)` over the filter itself: the paginator's count wraps the whole row
        // select in a subquery, which SQLite materialised (ten times slower).
        let n: Option<i64> = item::Entity::find()
            .select_only()
            .column_as(Expr::col(Asterisk).count(), "n")
            .filter(filter_condition(f))
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }

    /// Outbox messages per status (for `/metrics`).
    ///
    /// # Errors
    /// On database failure.
    pub async fn outbox_depth(&self) -> StoreResult<Vec<(String, u64)>> {
        use crate::entities::outbox;
        let rows: Vec<(String, i64)> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Status)
            .column_as(Expr::col(outbox::Column::Id).count(), "n")
            .group_by(outbox::Column::Status)
            .order_by_asc(outbox::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(s, n)| (s, u64::try_from(n).unwrap_or(0)))
            .collect())
    }

    /// The item's quantified targets.
    ///
    /// # Errors
    /// On database failure.
    pub async fn targets(&self, id: ItemId) -> StoreResult<Vec<Target>> {
        Ok(item_target::Entity::find()
            .filter(item_target::Column::ItemId.eq(id.0))
            .order_by_asc(item_target::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| Target {
                metric: t.metric,
                value: t.value,
                unit: t.unit,
                year: t.year,
                cmp: t.cmp,
            })
            .collect())
    }

    /// The item's events in order.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn events(&self, id: ItemId) -> StoreResult<Vec<Event>> {
        event::Entity::find()
            .filter(event::Column::ItemId.eq(id.0))
            .order_by_asc(event::Column::Seq)
            .all(&self.db)
            .await?
            .into_iter()
            .map(event_from_row)
            .collect()
    }

    /// The item's progress reports, oldest first.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn progress(&self, id: ItemId) -> StoreResult<Vec<ProgressRow>> {
        use crate::entities::unit;
        let rows = progress_report::Entity::find()
            .filter(progress_report::Column::ItemId.eq(id.0))
            .order_by_asc(progress_report::Column::EventSeq)
            .all(&self.db)
            .await?;
        let mut unit_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.unit_id).collect();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        let names: HashMap<Uuid, String> = if unit_ids.is_empty() {
            HashMap::new()
        } else {
            unit::Entity::find()
                .select_only()
                .column(unit::Column::Id)
                .column(unit::Column::Name)
                .filter(unit::Column::Id.is_in(unit_ids))
                .into_tuple::<(Uuid, String)>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect()
        };
        rows.into_iter()
            .map(|p| {
                let actuals: Vec<Actual> = serde_json::from_str(&p.actuals)
                    .map_err(|e| StoreError::Corrupt(format!("progress_reports.actuals: {e}")))?;
                let attachments: Vec<xiaohao_core::attachment::Attachment> =
                    serde_json::from_str(&p.attachments).map_err(|e| {
                        StoreError::Corrupt(format!("progress_reports.attachments: {e}"))
                    })?;
                Ok(ProgressRow {
                    event_seq: p.event_seq,
                    unit: p.unit_id.map(Into::into),
                    unit_name: p.unit_id.and_then(|u| names.get(&u).cloned()),
                    reported_at: p.reported_at,
                    report: ProgressReport {
                        period: p.period,
                        text: p.text,
                        percent: p.percent,
                        actuals,
                        attachments,
                    },
                })
            })
            .collect()
    }

    /// Recompute every item's hash chain. Returns how many items and events were checked
    /// and the first broken link (in item order), if any. Walks the events in `(item_id,
    /// seq)` order by keyset pages — one statement per page, not one per item — so time
    /// grows with the events and memory stays at a page and one chain.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn verify_all_chains(&self) -> StoreResult<(u64, u64, Option<BrokenLink>)> {
        self.verify_all_chains_by(5_000).await
    }

    /// [`Store::verify_all_chains`] with pages of `page` events (a test walks small pages so
    /// chains straddle them).
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn verify_all_chains_by(
        &self,
        page: u64,
    ) -> StoreResult<(u64, u64, Option<BrokenLink>)> {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let page = Ord::max(page, 1);
        let items_checked = item::Entity::find().count(&self.db).await?;
        let mut events_checked = 0u64;
        let mut after: Option<(Uuid, i64)> = None;
        let mut chain: Vec<Event> = Vec::new();
        loop {
            let mut q = event::Entity::find()
                .order_by_asc(event::Column::ItemId)
                .order_by_asc(event::Column::Seq)
                .limit(page);
            if let Some((id, seq)) = after {
                q = q.filter(
                    Expr::tuple([
                        Expr::col(event::Column::ItemId),
                        Expr::col(event::Column::Seq),
                    ])
                    .gt(Expr::tuple([Expr::value(id), Expr::value(seq)])),
                );
            }
            let rows = q.all(&self.db).await?;
            let last_page = (rows.len() as u64) < page;
            for row in rows {
                after = Some((row.item_id, row.seq));
                let e = event_from_row(row)?;
                if chain.last().is_some_and(|l| l.item_id != e.item_id) {
                    events_checked += chain.len() as u64;
                    if let Err(broken) = verify_chain(&chain) {
                        return Ok((items_checked, events_checked, Some(broken)));
                    }
                    chain.clear();
                }
                chain.push(e);
            }
            if last_page {
                break;
            }
        }
        events_checked += chain.len() as u64;
        let broken = verify_chain(&chain).err();
        Ok((items_checked, events_checked, broken))
    }
}

/// Rows to items (with their co-units, in one extra query for all) and chain heads.
pub(crate) async fn with_co_units<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<item::Model>,
) -> StoreResult<Vec<(Item, ChainHead)>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut co: HashMap<Uuid, Vec<(i32, UnitId)>> = HashMap::new();
    // In chunks: a long IN list hits the databases' parameter limits.
    for chunk in ids.chunks(500) {
        for c in item_co_unit::Entity::find()
            .filter(item_co_unit::Column::ItemId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            co.entry(c.item_id)
                .or_default()
                .push((c.position, c.unit_id.into()));
        }
    }
    rows.into_iter()
        .map(|r| {
            let mut units = co.remove(&r.id).unwrap_or_default();
            units.sort_by_key(|(p, _)| *p);
            let head = ChainHead {
                seq: r.last_seq,
                hash: r.last_hash.clone(),
            };
            Ok((
                item_from_row(r, units.into_iter().map(|(_, u)| u).collect())?,
                head,
            ))
        })
        .collect()
}

/// The columns of `after` that differ from `before`, always with the chain head. `before`
/// carries the light dates the policy gives the item as read: the row holds those, since
/// the engine recomputes every row at start when the policy changed (`index_lights`). So a
/// command that moves neither due date nor progress leaves the light columns, and the
/// indexes over them, untouched.
pub(crate) fn changed_column_list(before: &item::Model, after: &item::Model) -> Vec<item::Column> {
    use sea_orm::{Iterable, ModelTrait};
    item::Column::iter()
        .filter(|col| {
            matches!(col, item::Column::LastSeq | item::Column::LastHash)
                || before.get(*col) != after.get(*col)
        })
        .collect()
}

async fn co_units_of<C: ConnectionTrait>(conn: &C, id: ItemId) -> StoreResult<Vec<UnitId>> {
    Ok(item_co_unit::Entity::find()
        .filter(item_co_unit::Column::ItemId.eq(id.0))
        .order_by_asc(item_co_unit::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.unit_id.into())
        .collect())
}

/// What an outbox row carries of the event that caused it.
pub(crate) fn event_payload(event: &Event) -> serde_json::Value {
    serde_json::json!({
        "event_kind": event.kind,
        "event_seq": event.seq,
        "actor": event.actor_name,
        "event_payload": serde_json::from_str::<serde_json::Value>(&event.payload).unwrap_or_default(),
    })
}
