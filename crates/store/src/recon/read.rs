//! Reading statements: one with its lines, lists by unit, status or keeping office, the
//! disputes an office must answer, and the verification of the chain of seals.

use super::acts::content_in;
use super::rows::{line, seal, statement};
use super::{StoredStatement, duty_levels, header_from_row, line_from_row};
use crate::{Store, StoreError, StoreResult};
use chrono::NaiveDate;
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;
use xiaohao_core::recon::{BrokenSeal, Line, Party, Seal, Status, Verdict, verify_seal_chain};
use xiaohao_core::{ItemId, UnitId};

/// Which statements to list.
#[derive(Debug, Clone, Default)]
pub struct StatementFilter {
    /// Of this unit.
    pub unit: Option<UnitId>,
    pub status: Option<Status>,
    /// Holding a line whose item one of these offices keeps (`None`: no such restriction).
    pub owners: Option<Vec<UnitId>>,
    pub limit: u64,
}

/// A statement in a list.
#[derive(Debug, Clone, Serialize)]
pub struct StatementSummary {
    pub id: Uuid,
    pub unit: UnitId,
    pub unit_name: String,
    pub title: String,
    pub period_key: String,
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: Status,
    pub lines: u64,
    /// Lines not yet confirmed or disputed.
    pub pending: u64,
    /// Disputes waiting for the office.
    pub disputed: u64,
    pub escalation_level: i32,
    pub content_hash: Option<String>,
}

/// A dispute waiting for an office.
#[derive(Debug, Clone, Serialize)]
pub struct DisputeRow {
    pub statement_id: Uuid,
    pub title: String,
    pub unit: UnitId,
    pub unit_name: String,
    pub due_on: NaiveDate,
    pub line: Line,
}

impl Store {
    /// A statement with its lines.
    ///
    /// # Errors
    /// `NotFound` when there is none; on database failure or an unreadable row.
    pub async fn statement(&self, id: Uuid) -> StoreResult<StoredStatement> {
        let row = statement::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found("statement", id))?;
        let lines = line::Entity::find()
            .filter(line::Column::StatementId.eq(id))
            .order_by_asc(line::Column::Seq)
            .all(&self.db)
            .await?
            .into_iter()
            .map(line_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let level = match row.duty_id {
            Some(d) => duty_levels(&self.db, vec![d])
                .await?
                .get(&d)
                .copied()
                .unwrap_or(0),
            None => 0,
        };
        Ok(StoredStatement {
            header: header_from_row(&row)?,
            lines,
            version: row.version,
            duty_id: row.duty_id,
            escalation_level: level,
            content_hash: row.content_hash.clone(),
        })
    }

    /// The statements whose signature is one of `duties`, by duty: the statement and its
    /// lines as `(line number, item, the unit leads it)` — what the ladder anchors the
    /// duty's steps on.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn statements_of_duties(
        &self,
        duties: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, (Uuid, Vec<(i32, ItemId, bool)>)>> {
        let mut out = HashMap::new();
        for chunk in duties.chunks(500) {
            let heads = statement::Entity::find()
                .filter(statement::Column::DutyId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?;
            let mut by_statement = HashMap::new();
            for h in &heads {
                if let Some(d) = h.duty_id {
                    by_statement.insert(h.id, d);
                    out.insert(d, (h.id, Vec::new()));
                }
            }
            let ids: Vec<Uuid> = by_statement.keys().copied().collect();
            for r in line::Entity::find()
                .filter(line::Column::StatementId.is_in(ids))
                .all(&self.db)
                .await?
            {
                let Some(duty) = by_statement.get(&r.statement_id) else {
                    continue;
                };
                let l = line_from_row(r)?;
                if let Some((_, lines)) = out.get_mut(duty) {
                    let leads = l.snapshot.party == Party::Lead;
                    lines.push((l.seq, l.snapshot.item_id, leads));
                }
            }
        }
        Ok(out)
    }

    /// Statements, newest period first.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn statements(&self, f: &StatementFilter) -> StoreResult<Vec<StatementSummary>> {
        let mut q = statement::Entity::find();
        if let Some(u) = f.unit {
            q = q.filter(statement::Column::UnitId.eq(u.0));
        }
        if let Some(s) = f.status {
            q = q.filter(statement::Column::Status.eq(s.as_str()));
        }
        if let Some(owners) = &f.owners {
            let kept = Query::select()
                .column(line::Column::StatementId)
                .from(line::Entity)
                .and_where(
                    line::Column::OwnerUnitId.is_in(owners.iter().map(|u| u.0).collect::<Vec<_>>()),
                )
                .to_owned();
            q = q.filter(statement::Column::Id.in_subquery(kept));
        }
        let rows = q
            .order_by_desc(statement::Column::OpensOn)
            .order_by_asc(statement::Column::UnitName)
            .order_by_asc(statement::Column::Id)
            .limit(crate::page_limit(f.limit))
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut counts: HashMap<(Uuid, String), i64> = HashMap::new();
        for chunk in ids.chunks(500) {
            for (sid, verdict, n) in line::Entity::find()
                .select_only()
                .column(line::Column::StatementId)
                .column(line::Column::Verdict)
                .column_as(line::Column::Id.count(), "n")
                .filter(line::Column::StatementId.is_in(chunk.to_vec()))
                .group_by(line::Column::StatementId)
                .group_by(line::Column::Verdict)
                .into_tuple::<(Uuid, String, i64)>()
                .all(&self.db)
                .await?
            {
                counts.insert((sid, verdict), n);
            }
        }
        let levels = duty_levels(&self.db, rows.iter().filter_map(|r| r.duty_id).collect()).await?;
        rows.into_iter()
            .map(|r| {
                let n = |v: Verdict| {
                    u64::try_from(
                        counts
                            .get(&(r.id, v.as_str().to_owned()))
                            .copied()
                            .unwrap_or(0),
                    )
                    .unwrap_or(0)
                };
                let header = header_from_row(&r)?;
                Ok(StatementSummary {
                    lines: Verdict::ALL.into_iter().map(n).sum(),
                    pending: n(Verdict::Pending),
                    disputed: n(Verdict::Disputed),
                    escalation_level: r.duty_id.and_then(|d| levels.get(&d).copied()).unwrap_or(0),
                    id: r.id,
                    unit: header.unit,
                    unit_name: header.unit_name,
                    title: header.title,
                    period_key: header.period_key,
                    opens_on: header.opens_on,
                    due_on: header.due_on,
                    status: header.status,
                    content_hash: r.content_hash,
                })
            })
            .collect()
    }

    /// Disputes waiting for an answer on open statements, of items kept by one of `owners`
    /// (`None`: all), oldest statement first.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn open_disputes(
        &self,
        owners: Option<&[UnitId]>,
        limit: u64,
    ) -> StoreResult<Vec<DisputeRow>> {
        let mut cond = Condition::all().add(line::Column::Verdict.eq(Verdict::Disputed.as_str()));
        if let Some(o) = owners {
            cond = cond
                .add(line::Column::OwnerUnitId.is_in(o.iter().map(|u| u.0).collect::<Vec<_>>()));
        }
        let rows = line::Entity::find()
            .filter(cond)
            .order_by_asc(line::Column::StatementId)
            .order_by_asc(line::Column::Seq)
            .limit(crate::page_limit(limit))
            .all(&self.db)
            .await?;
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.statement_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut heads = HashMap::new();
        for chunk in ids.chunks(500) {
            for s in statement::Entity::find()
                .filter(statement::Column::Id.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                heads.insert(s.id, s);
            }
        }
        let mut out = Vec::new();
        for r in rows {
            let Some(s) = heads.get(&r.statement_id) else {
                continue;
            };
            if s.status != Status::Open.as_str() {
                continue;
            }
            out.push(DisputeRow {
                statement_id: s.id,
                title: s.title.clone(),
                unit: UnitId(s.unit_id),
                unit_name: s.unit_name.clone(),
                due_on: s.due_on,
                line: line_from_row(r)?,
            });
        }
        Ok(out)
    }

    /// Check the chain of seals: each link, each hash, and that every sealed statement's
    /// rows still give the sealed content. Returns how many seals were checked and the
    /// first broken one.
    ///
    /// # Errors
    /// On database failure.
    pub async fn verify_statement_seals(&self) -> StoreResult<(u64, Option<BrokenSeal>)> {
        let mut checked = 0u64;
        let mut prev: Option<Seal> = None;
        let mut pages = seal::Entity::find()
            .order_by_asc(seal::Column::Seq)
            .paginate(&self.db, 200);
        while let Some(page) = pages.fetch_and_next().await? {
            for s in page {
                let seal = Seal {
                    seq: s.seq,
                    statement_id: s.statement_id,
                    prev_hash: s.prev_hash,
                    hash: s.hash,
                    content: s.content,
                };
                let rebuilt = match content_in(&self.db, seal.statement_id).await {
                    Ok(c) => Some(c),
                    Err(StoreError::NotFound { .. }) => None,
                    Err(StoreError::Corrupt(e)) => Some(format!("corrupt: {e}")),
                    Err(e) => return Err(e),
                };
                checked += 1;
                if let Err(b) = verify_seal_chain(prev.as_ref(), &seal, rebuilt.as_deref()) {
                    return Ok((checked, Some(b)));
                }
                prev = Some(seal);
            }
        }
        Ok((checked, None))
    }
}
