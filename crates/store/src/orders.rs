//! Reads of 督办单: one by id, an item's, the open ones of a unit's items, lists for the
//! office and 督查室, and the unanswered ones whose reply date a ladder step has reached.

use crate::entities::{duty, escalation_fire, item, supervision_order};
use crate::schedule::{DUTY_MISSED, TRACKED_STATES};
use crate::{OrderRow, Store, StoreError, StoreResult};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;
use xiaohao_core::ItemId;

/// Which orders a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderStatus {
    #[default]
    All,
    /// Waiting for the lead unit's 督办回复.
    Open,
    Answered,
}

impl Store {
    /// One 督办单.
    ///
    /// # Errors
    /// `NotFound` when there is none with this id.
    pub async fn order(&self, id: Uuid) -> StoreResult<OrderRow> {
        supervision_order::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(OrderRow::from)
            .ok_or_else(|| StoreError::not_found("order", id))
    }

    /// The 督办单 of one item, oldest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn orders_of_item(&self, id: ItemId) -> StoreResult<Vec<OrderRow>> {
        Ok(supervision_order::Entity::find()
            .filter(supervision_order::Column::ItemId.eq(id.0))
            .order_by_asc(supervision_order::Column::IssuedAt)
            .order_by_asc(supervision_order::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(OrderRow::from)
            .collect())
    }

    /// Orders by `status`, newest first, at most `limit`, optionally only those on items
    /// led by `lead` (a unit's own).
    ///
    /// # Errors
    /// On database failure.
    pub async fn orders(
        &self,
        status: OrderStatus,
        lead: Option<Uuid>,
        limit: u64,
    ) -> StoreResult<Vec<OrderRow>> {
        let mut q = supervision_order::Entity::find();
        q = match status {
            OrderStatus::All => q,
            OrderStatus::Open => q.filter(supervision_order::Column::AnsweredAt.is_null()),
            OrderStatus::Answered => q.filter(supervision_order::Column::AnsweredAt.is_not_null()),
        };
        if let Some(unit) = lead {
            let led = Query::select()
                .column(item::Column::Id)
                .from(item::Entity)
                .and_where(Expr::col(item::Column::LeadUnitId).eq(unit))
                .to_owned();
            q = q.filter(supervision_order::Column::ItemId.in_subquery(led));
        }
        Ok(q.order_by_desc(supervision_order::Column::IssuedAt)
            .order_by_asc(supervision_order::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(OrderRow::from)
            .collect())
    }

    /// Unanswered orders on running items whose reply date lies in `(after, upto]`, without
    /// `step` fired on them yet.
    ///
    /// # Errors
    /// On database failure.
    pub async fn orders_to_escalate(
        &self,
        step: &str,
        upto: NaiveDate,
        after: Option<NaiveDate>,
        limit: u64,
    ) -> StoreResult<Vec<OrderRow>> {
        let fired = Query::select()
            .expr(Expr::val(1))
            .from(escalation_fire::Entity)
            .and_where(
                Expr::col((escalation_fire::Entity, escalation_fire::Column::SubjectId))
                    .equals((supervision_order::Entity, supervision_order::Column::Id)),
            )
            .and_where(Expr::col((escalation_fire::Entity, escalation_fire::Column::Step)).eq(step))
            .to_owned();
        let tracked: Vec<&str> = TRACKED_STATES.iter().map(|s| s.as_str()).collect();
        let running = Query::select()
            .column(item::Column::Id)
            .from(item::Entity)
            .and_where(Expr::col(item::Column::State).is_in(tracked))
            .to_owned();
        let mut q = supervision_order::Entity::find()
            .filter(supervision_order::Column::AnsweredAt.is_null())
            .filter(supervision_order::Column::ReplyDue.lte(upto))
            .filter(supervision_order::Column::ItemId.in_subquery(running))
            .filter(Expr::exists(fired).not());
        if let Some(a) = after {
            q = q.filter(supervision_order::Column::ReplyDue.gt(a));
        }
        Ok(q.order_by_asc(supervision_order::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(OrderRow::from)
            .collect())
    }

    /// The report duties of `unit` on one item that went unreported (missed), by due
    /// date: (title, period, due date).
    ///
    /// # Errors
    /// On database failure.
    pub async fn missed_duties_of_item(
        &self,
        id: ItemId,
        unit: Option<Uuid>,
    ) -> StoreResult<Vec<(String, String, NaiveDate)>> {
        let mut q = duty::Entity::find()
            .filter(duty::Column::ItemId.eq(id.0))
            .filter(duty::Column::Status.eq(DUTY_MISSED));
        if let Some(u) = unit {
            q = q.filter(duty::Column::UnitId.eq(u));
        }
        Ok(q.order_by_asc(duty::Column::DueOn)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| (d.title, d.period_key, d.due_on))
            .collect())
    }
}
