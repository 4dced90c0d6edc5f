//! 对账单 at rest: opening a reconciliation cycle (the claim of the occurrence, every
//! statement with its lines and the duty that carries its signature, in one transaction),
//! the facts a statement is drafted from, the acts on it under a version check, and the
//! chain of seals of countersigned statements.

mod acts;
mod read;
pub(crate) mod rows;

pub use read::{DisputeRow, StatementFilter, StatementSummary};

use crate::entities::{cycle_occurrence, duty, item, progress_report};
use crate::items::with_co_units;
use crate::schedule::{DUTY_MISSED, DUTY_OPEN};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use rows::{line, statement};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    TryInsertResult,
};
use std::collections::HashMap;
use uuid::Uuid;
use xiaohao_core::cycles::{CycleDef, Occurrence};
use xiaohao_core::recon::{self, Facts, Header, Line, LineSnapshot, OpenDuty, OwnReport, Status};
use xiaohao_core::{ItemId, ItemState, UnitId};

/// A statement to open: its unit and lines.
#[derive(Debug, Clone)]
pub struct NewStatement {
    pub unit: UnitId,
    pub unit_name: String,
    pub lines: Vec<LineSnapshot>,
}

/// A statement as stored: header, lines, and what the store keeps beside them.
#[derive(Debug, Clone)]
pub struct StoredStatement {
    pub header: Header,
    pub lines: Vec<Line>,
    pub version: i64,
    pub duty_id: Option<Uuid>,
    /// The escalation level its duty reached (0 when never escalated).
    pub escalation_level: i32,
    /// The seal's hash once countersigned.
    pub content_hash: Option<String>,
}

const OPEN_STATES: [ItemState; 5] = [
    ItemState::Assigned,
    ItemState::Accepted,
    ItemState::InProgress,
    ItemState::ClosureRequested,
    ItemState::Suspended,
];

impl Store {
    /// Whether the occurrence `(cycle, period)` was already claimed (a cheap look before
    /// drafting; the claim itself is in [`Store::open_statements`]).
    ///
    /// # Errors
    /// On database failure.
    pub async fn occurrence_claimed(&self, cycle_key: &str, period_key: &str) -> StoreResult<bool> {
        Ok(
            cycle_occurrence::Entity::find_by_id((cycle_key.to_owned(), period_key.to_owned()))
                .one(&self.db)
                .await?
                .is_some(),
        )
    }

    /// What statements are drafted from: every open item filed by `scheduled_at` (with its
    /// co-units), each unit's own latest report per item, and the duties still owed.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn recon_facts(&self, scheduled_at: DateTime<Utc>) -> StoreResult<Facts> {
        debug_assert!(OPEN_STATES.iter().all(|s| recon::is_open(*s)));
        let states: Vec<&str> = OPEN_STATES.iter().map(|s| s.as_str()).collect();
        let rows = item::Entity::find()
            .filter(item::Column::State.is_in(states))
            .filter(item::Column::CreatedAt.lte(scheduled_at))
            .order_by_asc(item::Column::Id)
            .all(&self.db)
            .await?;
        let items: Vec<_> = with_co_units(&self.db, rows)
            .await?
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let ids: Vec<Uuid> = items.iter().map(|i| i.id.0).collect();
        let mut facts = Facts::default();
        for chunk in ids.chunks(500) {
            for r in progress_report::Entity::find()
                .filter(progress_report::Column::ItemId.is_in(chunk.to_vec()))
                .filter(progress_report::Column::UnitId.is_not_null())
                .filter(progress_report::Column::ReportedAt.lte(scheduled_at))
                .order_by_asc(progress_report::Column::EventSeq)
                .all(&self.db)
                .await?
            {
                let Some(unit) = r.unit_id else { continue };
                // Ordered by the item's event sequence: the last one wins.
                facts.reports.insert(
                    (ItemId(r.item_id), UnitId(unit)),
                    OwnReport {
                        period: r.period,
                        percent: r.percent,
                        text: r.text,
                        reported_at: r.reported_at,
                    },
                );
            }
            for d in duty::Entity::find()
                .filter(duty::Column::ItemId.is_in(chunk.to_vec()))
                .filter(duty::Column::Status.is_in([DUTY_OPEN, DUTY_MISSED]))
                .all(&self.db)
                .await?
            {
                let Some(item) = d.item_id else { continue };
                facts
                    .duties
                    .entry((ItemId(item), UnitId(d.unit_id)))
                    .or_default()
                    .push(OpenDuty {
                        title: d.title,
                        period_key: d.period_key,
                        due_on: d.due_on,
                        status: d.status,
                    });
            }
        }
        facts.items = items;
        Ok(facts)
    }

    /// Claim the occurrence `(cycle, period)` and open its statements, each with its lines
    /// and its duty (kind `statement`, due on the occurrence's due date), in one
    /// transaction. `None` when another tick or instance claimed it first.
    ///
    /// # Errors
    /// On database failure; nothing is written then.
    pub async fn open_statements(
        &self,
        cycle: &CycleDef,
        occurrence: &Occurrence,
        scheduled_at: DateTime<Utc>,
        now: DateTime<Utc>,
        statements: &[NewStatement],
    ) -> StoreResult<Option<u64>> {
        let period = occurrence.period_key.as_str();
        let txn = self.begin_write().await?;
        let claimed = cycle_occurrence::Entity::insert(
            cycle_occurrence::Model {
                cycle_key: cycle.key.clone(),
                period_key: period.to_owned(),
                scheduled_at,
                fired_at: now,
                duties_created: i32::try_from(statements.len()).unwrap_or(i32::MAX),
            }
            .into_active_model(),
        )
        .on_conflict_do_nothing_on([
            cycle_occurrence::Column::CycleKey,
            cycle_occurrence::Column::PeriodKey,
        ])
        .exec_without_returning(&txn)
        .await?;
        if !matches!(claimed, TryInsertResult::Inserted(n) if n > 0) {
            txn.rollback().await?;
            return Ok(None);
        }
        let title = recon::title(period);
        let mut duties = Vec::new();
        let mut heads = Vec::new();
        let mut lines = Vec::new();
        for s in statements {
            let (id, duty_id) = (Uuid::now_v7(), Uuid::now_v7());
            duties.push(duty::Model {
                id: duty_id,
                cycle_key: cycle.key.clone(),
                period_key: period.to_owned(),
                kind: recon::DUTY_KIND.to_owned(),
                unit_id: s.unit.0,
                item_id: None,
                subject_key: format!("{}:{period}:{}:statement", cycle.key, s.unit),
                title: format!("{}（{}项）", title, s.lines.len()),
                opens_on: occurrence.opens_on,
                due_on: occurrence.due_on,
                status: DUTY_OPEN.to_owned(),
                submitted_at: None,
                report_text: None,
                escalation_level: 0,
                created_at: now,
            });
            heads.push(statement::Model {
                id,
                cycle_key: cycle.key.clone(),
                period_key: period.to_owned(),
                unit_id: s.unit.0,
                unit_name: s.unit_name.chars().take(200).collect(),
                title: title.clone(),
                opens_on: occurrence.opens_on,
                due_on: occurrence.due_on,
                status: Status::Open.as_str().to_owned(),
                version: 1,
                duty_id: Some(duty_id),
                signed_by: None,
                signed_at: None,
                countersigned_by: None,
                countersigned_unit_id: None,
                countersigned_at: None,
                content_hash: None,
                created_at: now,
            });
            for (i, snapshot) in s.lines.iter().enumerate() {
                let l = Line::new(i32::try_from(i + 1).unwrap_or(i32::MAX), snapshot.clone());
                lines.push(line_row(id, Uuid::now_v7(), &l)?);
            }
        }
        crate::insert_all::<duty::Entity, _>(&txn, &duties).await?;
        crate::insert_all::<statement::Entity, _>(&txn, &heads).await?;
        crate::insert_all::<line::Entity, _>(&txn, &lines).await?;
        txn.commit().await?;
        Ok(Some(statements.len() as u64))
    }
}

fn json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("statement json: {e}")))
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub(crate) fn line_row(statement_id: Uuid, id: Uuid, l: &Line) -> StoreResult<line::Model> {
    Ok(line::Model {
        id,
        statement_id,
        seq: l.seq,
        item_id: l.snapshot.item_id.0,
        owner_unit_id: l.snapshot.owner_unit.map(|u| u.0),
        snapshot: json(&l.snapshot)?,
        verdict: l.verdict.as_str().to_owned(),
        reason: l.reason.map(|r| r.as_str().to_owned()),
        note: l.note.clone(),
        attachments: json(&l.attachments)?,
        marked_at: l.marked_at,
        answer: l.answer.clone(),
        answered_by: l.answered_by.clone(),
        answered_at: l.answered_at,
        after: l.after.as_ref().map(json).transpose()?,
    })
}

pub(crate) fn line_from_row(r: line::Model) -> StoreResult<Line> {
    Ok(Line {
        seq: r.seq,
        snapshot: parse("statement_lines.snapshot", &r.snapshot)?,
        verdict: r
            .verdict
            .parse()
            .map_err(|e: String| StoreError::Corrupt(e))?,
        reason: r
            .reason
            .map(|s| s.parse())
            .transpose()
            .map_err(|e: String| StoreError::Corrupt(e))?,
        note: r.note,
        attachments: parse("statement_lines.attachments", &r.attachments)?,
        marked_at: r.marked_at,
        answer: r.answer,
        answered_by: r.answered_by,
        answered_at: r.answered_at,
        after: r
            .after
            .map(|a| parse("statement_lines.after", &a))
            .transpose()?,
    })
}

pub(crate) fn header_from_row(r: &statement::Model) -> StoreResult<Header> {
    Ok(Header {
        id: r.id,
        unit: UnitId(r.unit_id),
        unit_name: r.unit_name.clone(),
        cycle_key: r.cycle_key.clone(),
        period_key: r.period_key.clone(),
        title: r.title.clone(),
        opens_on: r.opens_on,
        due_on: r.due_on,
        status: r
            .status
            .parse()
            .map_err(|e: String| StoreError::Corrupt(e))?,
        signed_by: r.signed_by.clone(),
        signed_at: r.signed_at,
        countersigned_by: r.countersigned_by.clone(),
        countersigned_unit: r.countersigned_unit_id.map(UnitId),
        countersigned_at: r.countersigned_at,
    })
}

/// Escalation levels of duties, by id.
pub(crate) async fn duty_levels<C: sea_orm::ConnectionTrait>(
    conn: &C,
    ids: Vec<Uuid>,
) -> StoreResult<HashMap<Uuid, i32>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for (id, level) in duty::Entity::find()
            .select_only()
            .column(duty::Column::Id)
            .column(duty::Column::EscalationLevel)
            .filter(duty::Column::Id.is_in(chunk.to_vec()))
            .into_tuple::<(Uuid, i32)>()
            .all(conn)
            .await?
        {
            out.insert(id, level);
        }
    }
    Ok(out)
}

/// `version = version + 1`, for the compare-and-set of every act.
pub(crate) fn bump() -> Expr {
    Expr::col(statement::Column::Version).add(1)
}
