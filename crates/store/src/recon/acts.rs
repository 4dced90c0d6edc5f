//! Acts on a statement, each under a compare-and-set of the statement's version so an act
//! decided on a stale read is refused (`Conflict`), never applied over a newer one.

use super::rows::{line, seal, statement};
use super::{bump, header_from_row, line_from_row, line_row};
use crate::entities::duty;
use crate::schedule::{DUTY_MISSED, DUTY_OPEN, DUTY_SUBMITTED};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, SqlErr,
};
use uuid::Uuid;
use xiaohao_core::UnitId;
use xiaohao_core::recon::{GENESIS, Line, Status, canonical, seal_hash};

/// Bump the statement's version if it is still at `version`; `Conflict` otherwise.
async fn cas(
    txn: &DatabaseTransaction,
    id: Uuid,
    version: i64,
    set: impl FnOnce(sea_orm::UpdateMany<statement::Entity>) -> sea_orm::UpdateMany<statement::Entity>,
) -> StoreResult<()> {
    let q = statement::Entity::update_many()
        .col_expr(statement::Column::Version, bump())
        .filter(statement::Column::Id.eq(id))
        .filter(statement::Column::Version.eq(version));
    let res = set(q).exec(txn).await?;
    if res.rows_affected == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "对账单 {id} 已被他人更新，请刷新后重试"
        )))
    }
}

impl Store {
    /// Write one line as the domain decided it, on the statement at `version`.
    ///
    /// # Errors
    /// `Conflict` when the statement changed since it was read; on database failure.
    pub async fn save_statement_line(
        &self,
        statement_id: Uuid,
        version: i64,
        l: &Line,
    ) -> StoreResult<()> {
        let txn = self.begin_write().await?;
        cas(&txn, statement_id, version, |q| q).await?;
        let row = line::Entity::find()
            .filter(line::Column::StatementId.eq(statement_id))
            .filter(line::Column::Seq.eq(l.seq))
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found("statement line", l.seq))?;
        let mut am = line_row(statement_id, row.id, l)?
            .into_active_model()
            .reset_all();
        am.id = sea_orm::Unchanged(row.id);
        am.update(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The unit signs: the statement becomes `signed` and its duty is settled.
    ///
    /// # Errors
    /// `Conflict` when the statement changed since it was read; on database failure.
    pub async fn sign_statement(
        &self,
        statement_id: Uuid,
        version: i64,
        by: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let txn = self.begin_write().await?;
        cas(&txn, statement_id, version, |q| {
            q.col_expr(
                statement::Column::Status,
                Expr::value(Status::Signed.as_str()),
            )
            .col_expr(statement::Column::SignedBy, Expr::value(by.to_owned()))
            .col_expr(statement::Column::SignedAt, Expr::value(at))
        })
        .await?;
        let row = statement::Entity::find_by_id(statement_id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found("statement", statement_id))?;
        if let Some(duty_id) = row.duty_id {
            duty::Entity::update_many()
                .col_expr(duty::Column::Status, Expr::value(DUTY_SUBMITTED))
                .col_expr(duty::Column::SubmittedAt, Expr::value(at))
                .col_expr(
                    duty::Column::ReportText,
                    Expr::value(format!("{}已签署", row.title)),
                )
                .filter(duty::Column::Id.eq(duty_id))
                .filter(duty::Column::Status.is_in([DUTY_OPEN, DUTY_MISSED]))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The office countersigns: the statement becomes `countersigned`, its canonical content
    /// (rebuilt from the rows as written) is sealed after the last seal, and the seal's
    /// hash is kept on the statement. Returns the hash.
    ///
    /// # Errors
    /// `Conflict` when the statement changed since it was read or another countersignature
    /// took the chain's next place first (retry); on database failure.
    pub async fn countersign_statement(
        &self,
        statement_id: Uuid,
        version: i64,
        by: &str,
        unit: Option<UnitId>,
        at: DateTime<Utc>,
    ) -> StoreResult<String> {
        let txn = self.begin_write().await?;
        cas(&txn, statement_id, version, |q| {
            q.col_expr(
                statement::Column::Status,
                Expr::value(Status::Countersigned.as_str()),
            )
            .col_expr(
                statement::Column::CountersignedBy,
                Expr::value(by.to_owned()),
            )
            .col_expr(
                statement::Column::CountersignedUnitId,
                Expr::value(unit.map(|u| u.0)),
            )
            .col_expr(statement::Column::CountersignedAt, Expr::value(at))
        })
        .await?;
        let content = content_in(&txn, statement_id).await?;
        let last = seal::Entity::find()
            .order_by_desc(seal::Column::Seq)
            .one(&txn)
            .await?;
        let (seq, prev) = match &last {
            Some(s) => (s.seq + 1, s.hash.clone()),
            None => (1, GENESIS.to_owned()),
        };
        let hash = seal_hash(&prev, &content);
        let inserted = seal::Entity::insert(
            seal::Model {
                seq,
                statement_id,
                prev_hash: prev,
                hash: hash.clone(),
                content,
                sealed_at: at,
            }
            .into_active_model(),
        )
        .exec_without_returning(&txn)
        .await;
        if let Err(e) = inserted {
            return Err(match e.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => {
                    StoreError::Conflict("另一份对账单同时归档，请重试".into())
                }
                _ => StoreError::Db(e),
            });
        }
        statement::Entity::update_many()
            .col_expr(statement::Column::ContentHash, Expr::value(hash.clone()))
            .filter(statement::Column::Id.eq(statement_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(hash)
    }
}

/// The canonical content of a statement as its rows stand in `conn`.
pub(crate) async fn content_in<C: sea_orm::ConnectionTrait>(
    conn: &C,
    statement_id: Uuid,
) -> StoreResult<String> {
    let row = statement::Entity::find_by_id(statement_id)
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("statement", statement_id))?;
    let lines = line::Entity::find()
        .filter(line::Column::StatementId.eq(statement_id))
        .order_by_asc(line::Column::Seq)
        .all(conn)
        .await?
        .into_iter()
        .map(line_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(canonical(&header_from_row(&row)?, &lines))
}
