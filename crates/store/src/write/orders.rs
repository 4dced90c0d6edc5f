//! The writer's part of 督办单: numbers given out per issuing office and year from a
//! counter row advanced in the same transaction as the orders it numbers, and a 督办回复
//! closing its order. One rule for every path that makes an order (a command's manual 督办,
//! the batched sweep): a number is taken only by an order that is written, so a rolled-back
//! write leaves no gap, and the counter row is locked until commit, so two writers never
//! take the same number.

use crate::entities::{order_counter, supervision_order};
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IdenStatic, QueryFilter,
};
use std::collections::BTreeMap;
use uuid::Uuid;
use xiaohao_core::event::Event;
use xiaohao_core::payload::Payload;

/// Give each of `orders` (which carry their office and year) the next numbers of its
/// office and year, in the order given. Counters are advanced in (office, year) order, so
/// concurrent batches lock them in the same order and never deadlock.
pub(super) async fn number(
    txn: &DatabaseTransaction,
    orders: &mut [supervision_order::Model],
) -> StoreResult<()> {
    let mut groups: BTreeMap<(Uuid, i32), Vec<usize>> = BTreeMap::new();
    for (i, o) in orders.iter().enumerate() {
        if let (Some(office), Some(year)) = (o.office_unit_id, o.number_year) {
            groups.entry((office, year)).or_default().push(i);
        }
    }
    for ((office, year), members) in groups {
        let taken = i32::try_from(members.len()).unwrap_or(i32::MAX);
        let last = advance(txn, office, year, taken).await?;
        for (k, i) in members.into_iter().enumerate() {
            let k = i32::try_from(k).unwrap_or(i32::MAX);
            orders[i].number_seq = Some(last - taken + 1 + k);
        }
    }
    Ok(())
}

/// `INSERT … ON CONFLICT (office, year) DO UPDATE SET last = last + taken RETURNING last`:
/// the new last number, the row locked until the transaction ends.
async fn advance(
    txn: &DatabaseTransaction,
    office: Uuid,
    year: i32,
    taken: i32,
) -> StoreResult<i32> {
    use order_counter::Column as C;
    let mut stmt = Query::insert();
    stmt.into_table(order_counter::Entity)
        .columns([C::OfficeUnitId, C::Year, C::Last])
        .values_panic([office.into(), year.into(), taken.into()])
        .on_conflict(
            OnConflict::columns([C::OfficeUnitId, C::Year])
                .value(
                    C::Last,
                    Expr::col((order_counter::Entity, C::Last))
                        .add(Expr::col((Alias::new("excluded"), C::Last))),
                )
                .to_owned(),
        )
        .returning_col(C::Last);
    let row = txn
        .query_one(&stmt)
        .await?
        .ok_or_else(|| StoreError::Conflict("order counter not returned".into()))?;
    Ok(row.try_get::<i32>("", C::Last.as_str())?)
}

/// The 督办单 a written event answers, when it is a 督办回复: the order is closed with the
/// answer, once. `Ok(false)` when it was already answered (a concurrent answer won).
pub(super) async fn close_answered(
    txn: &DatabaseTransaction,
    payload: &Payload,
    event: &Event,
) -> StoreResult<bool> {
    let Payload::OrderAnswered(a) = payload else {
        return Ok(true);
    };
    let at: DateTime<Utc> = event.at;
    let res = supervision_order::Entity::update_many()
        .col_expr(supervision_order::Column::AnsweredAt, Expr::value(at))
        .col_expr(
            supervision_order::Column::AnswerText,
            Expr::value(a.text.clone()),
        )
        .col_expr(supervision_order::Column::AnswerSeq, Expr::value(event.seq))
        .filter(supervision_order::Column::Id.eq(a.order))
        .filter(supervision_order::Column::ItemId.eq(event.item_id.0))
        .filter(supervision_order::Column::AnsweredAt.is_null())
        .exec(txn)
        .await?;
    Ok(res.rows_affected == 1)
}
