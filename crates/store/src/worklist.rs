//! Reads behind the 待办 homes that the item filter cannot express: the 督办单 issued, and
//! how each item last entered its state (a 核验不通过 or 重新打开 is work to redo).

use crate::entities::{event, item, supervision_order};
use crate::filter::filter_condition;
use crate::{ItemFilter, Store, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use std::collections::HashMap;
use xiaohao_core::ItemId;

/// A 督办单 as recorded when a ladder step (or a manual 督办) made one.
#[derive(Debug, Clone, Serialize)]
pub struct OrderRow {
    pub id: uuid::Uuid,
    pub item: ItemId,
    /// The step's name (督办, 通报 …).
    pub step: String,
    pub due_on: NaiveDate,
    pub working_days_late: i32,
    pub text: String,
    pub issued_at: DateTime<Utc>,
    /// The date by which the lead unit must reply in writing.
    pub reply_due: Option<NaiveDate>,
    /// The issuing office (nil: the item had none) and the number within its year.
    pub office: Option<uuid::Uuid>,
    pub number_year: Option<i32>,
    pub number_seq: Option<i32>,
    /// The 督办回复 that closed it.
    pub answered_at: Option<DateTime<Utc>>,
    pub answer_text: Option<String>,
    pub answer_seq: Option<i64>,
}

impl OrderRow {
    /// The printed number under `rules`; `None` for an order without one.
    pub fn number(&self, rules: &xiaohao_core::order::OrderRules) -> Option<String> {
        Some(rules.number(self.number_year?, self.number_seq?))
    }

    /// The order as the domain's rules need it.
    pub fn to_ref(&self, rules: &xiaohao_core::order::OrderRules) -> xiaohao_core::order::OrderRef {
        xiaohao_core::order::OrderRef {
            id: self.id,
            item: self.item,
            number: self.number(rules),
            reply_due: self.reply_due,
            answered_at: self.answered_at,
        }
    }
}

impl From<supervision_order::Model> for OrderRow {
    fn from(o: supervision_order::Model) -> Self {
        OrderRow {
            id: o.id,
            item: o.item_id.into(),
            step: o.step,
            due_on: o.due_on,
            working_days_late: o.working_days_late,
            text: o.text,
            issued_at: o.issued_at,
            reply_due: o.reply_due,
            office: o.office_unit_id,
            number_year: o.number_year,
            number_seq: o.number_seq,
            answered_at: o.answered_at,
            answer_text: o.answer_text,
            answer_seq: o.answer_seq,
        }
    }
}

/// The event by which an item entered its current state.
#[derive(Debug, Clone)]
pub struct Transition {
    pub kind: String,
    pub payload: String,
    pub at: DateTime<Utc>,
}

impl Store {
    /// For each of `ids` that has one, its newest 督办单.
    ///
    /// # Errors
    /// On database failure.
    pub async fn latest_orders(&self, ids: &[ItemId]) -> StoreResult<HashMap<ItemId, OrderRow>> {
        let mut latest: HashMap<ItemId, OrderRow> = HashMap::new();
        for chunk in ids.chunks(500) {
            let rows = supervision_order::Entity::find()
                .filter(supervision_order::Column::ItemId.is_in(chunk.iter().map(|i| i.0)))
                .order_by_asc(supervision_order::Column::IssuedAt)
                .order_by_asc(supervision_order::Column::Id)
                .all(&self.db)
                .await?;
            for o in rows {
                let row = OrderRow::from(o);
                latest.insert(row.item, row);
            }
        }
        Ok(latest)
    }

    /// Items matching `filter` whose latest change of state was one of `kinds` (核验不通过,
    /// 重新打开), with that event: found from the events of those kinds, which are few,
    /// keeping those no later change of state followed.
    ///
    /// # Errors
    /// On database failure.
    pub async fn last_entered_by(
        &self,
        filter: &ItemFilter,
        kinds: &[&str],
    ) -> StoreResult<Vec<(ItemId, Transition)>> {
        let items = Query::select()
            .column(item::Column::Id)
            .from(item::Entity)
            .cond_where(filter_condition(filter))
            .to_owned();
        let rows = event::Entity::find()
            .filter(event::Column::Kind.is_in(kinds.iter().copied()))
            .filter(event::Column::ItemId.in_subquery(items))
            .filter(Expr::cust(
                "NOT EXISTS (SELECT 1 FROM events later WHERE later.item_id = events.item_id \
                 AND later.seq > events.seq \
                 AND (later.from_state IS NULL OR later.from_state <> later.to_state))",
            ))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|e| {
                (
                    ItemId::from(e.item_id),
                    Transition {
                        kind: e.kind,
                        payload: e.payload,
                        at: e.at,
                    },
                )
            })
            .collect())
    }
}
