//! Durable schedules: cycle occurrences claimed once, reporting duties, escalation steps
//! fired once per subject, due date and step. Claims are rows under unique keys written in
//! the same transaction as their effects, so several instances may tick at once and a
//! crash mid-tick rolls back to a state the next tick finishes.

use crate::entities::{cycle_occurrence, duty, escalation_fire, item, supervision_order, unit};
use crate::items::{ChainHead, with_co_units};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TryInsertResult,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;
use xiaohao_core::cycles::{CycleDef, DutyKind, Occurrence};
use xiaohao_core::org::UnitKind;
use xiaohao_core::{Item, ItemId, ItemState, UnitId};

pub const DUTY_OPEN: &str = "open";
pub const DUTY_MISSED: &str = "missed";
pub const DUTY_SUBMITTED: &str = "submitted";

/// States whose items have a running clock: the ones the ladder watches.
pub const TRACKED_STATES: [ItemState; 3] = [
    ItemState::Assigned,
    ItemState::Accepted,
    ItemState::InProgress,
];

/// A reporting duty as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutyRow {
    pub id: Uuid,
    pub cycle_key: String,
    pub period_key: String,
    pub kind: String,
    pub unit: UnitId,
    pub item: Option<ItemId>,
    pub title: String,
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub report_text: Option<String>,
    pub escalation_level: i32,
}

fn duty_from_row(d: duty::Model) -> DutyRow {
    DutyRow {
        id: d.id,
        cycle_key: d.cycle_key,
        period_key: d.period_key,
        kind: d.kind,
        unit: d.unit_id.into(),
        item: d.item_id.map(Into::into),
        title: d.title,
        opens_on: d.opens_on,
        due_on: d.due_on,
        status: d.status,
        submitted_at: d.submitted_at,
        report_text: d.report_text,
        escalation_level: d.escalation_level,
    }
}

/// The claim that an escalation step fired, and the ladder's wider circles: decided in core.
pub use xiaohao_core::escalation::{Circle, Fire as FireRow};

/// Counts for reports and tests.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ScheduleCounts {
    pub occurrences: u64,
    pub duties: u64,
    pub duties_missed: u64,
    pub duties_submitted: u64,
    pub fires_by_step: Vec<(String, u64)>,
    pub orders: u64,
}

impl Store {
    /// Claim the occurrence `(cycle, period)` and open its duties on its opening day, due on
    /// its due date (both moved off rest days by the caller, [`CycleDef::occurrence`]), all in one transaction.
    /// A progress duty whose unit already filed a report that settles it
    /// ([`xiaohao_core::progress::settles`], with `local_date` giving a report's filing day in
    /// the schedule's time zone) is created fulfilled. Returns `None` when another tick (or
    /// instance) already claimed the occurrence.
    ///
    /// # Errors
    /// On database failure; nothing is written then and the next tick tries again.
    pub async fn open_cycle(
        &self,
        cycle: &CycleDef,
        occurrence: &Occurrence,
        scheduled_at: DateTime<Utc>,
        now: DateTime<Utc>,
        local_date: &(dyn Fn(DateTime<Utc>) -> NaiveDate + Sync),
    ) -> StoreResult<Option<u64>> {
        let (period_key, opened_on, due_on) = (
            occurrence.period_key.as_str(),
            occurrence.opens_on,
            occurrence.due_on,
        );
        let txn = self.begin_write().await?;
        let claimed = cycle_occurrence::Entity::insert(
            cycle_occurrence::Model {
                cycle_key: cycle.key.clone(),
                period_key: period_key.to_owned(),
                scheduled_at,
                fired_at: now,
                duties_created: 0,
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
        let tracked: Vec<&str> = TRACKED_STATES.iter().map(|s| s.as_str()).collect();
        // (item, lead unit, title) of every tracked item: a projection, paged.
        let mut rows: Vec<duty::Model> = Vec::new();
        let mut pages = item::Entity::find()
            .select_only()
            .column(item::Column::Id)
            .column(item::Column::LeadUnitId)
            .column(item::Column::Title)
            .filter(item::Column::State.is_in(tracked))
            .filter(item::Column::LeadUnitId.is_not_null())
            // A cycle that opened before an item existed asks nothing of it (this matters
            // when a tick catches up on occurrences after downtime or at first start).
            .filter(item::Column::CreatedAt.lte(scheduled_at))
            .order_by_asc(item::Column::Id)
            .into_tuple::<(Uuid, Option<Uuid>, String)>()
            .paginate(&txn, 2000);
        let mut summary_units: Vec<Uuid> = Vec::new();
        while let Some(page) = pages.fetch_and_next().await? {
            for (item_id, lead, title) in page {
                let Some(lead) = lead else { continue };
                match cycle.kind {
                    DutyKind::Progress => rows.push(duty::Model {
                        id: Uuid::now_v7(),
                        cycle_key: cycle.key.clone(),
                        period_key: period_key.to_owned(),
                        kind: cycle.kind.as_str().to_owned(),
                        unit_id: lead,
                        item_id: Some(item_id),
                        subject_key: format!("{}:{period_key}:{lead}:{item_id}", cycle.key),
                        title: format!("{}({period_key}):{}", cycle.name, truncate(&title, 200)),
                        opens_on: opened_on,
                        due_on,
                        status: DUTY_OPEN.to_owned(),
                        submitted_at: None,
                        report_text: None,
                        escalation_level: 0,
                        created_at: now,
                    }),
                    DutyKind::Summary => summary_units.push(lead),
                    // Statements are opened by the engine's reconciliation (recon).
                    DutyKind::Statement => {}
                }
            }
        }
        if cycle.kind == DutyKind::Progress {
            settle_from_reports(&txn, &mut rows, period_key, local_date).await?;
        }
        summary_units.sort();
        summary_units.dedup();
        for lead in summary_units {
            rows.push(duty::Model {
                id: Uuid::now_v7(),
                cycle_key: cycle.key.clone(),
                period_key: period_key.to_owned(),
                kind: cycle.kind.as_str().to_owned(),
                unit_id: lead,
                item_id: None,
                subject_key: format!("{}:{period_key}:{lead}:-", cycle.key),
                title: format!("{}({period_key})", cycle.name),
                opens_on: opened_on,
                due_on,
                status: DUTY_OPEN.to_owned(),
                submitted_at: None,
                report_text: None,
                escalation_level: 0,
                created_at: now,
            });
        }
        let created = rows.len() as u64;
        for chunk in rows.chunks(crate::rows_per_statement(self.backend(), 15)) {
            duty::Entity::insert_many(
                chunk
                    .iter()
                    .cloned()
                    .map(IntoActiveModel::into_active_model),
            )
            .on_conflict_do_nothing_on([duty::Column::SubjectKey])
            .exec_without_returning(&txn)
            .await?;
        }
        cycle_occurrence::Entity::update_many()
            .col_expr(
                cycle_occurrence::Column::DutiesCreated,
                Expr::value(i32::try_from(created).unwrap_or(i32::MAX)),
            )
            .filter(cycle_occurrence::Column::CycleKey.eq(cycle.key.clone()))
            .filter(cycle_occurrence::Column::PeriodKey.eq(period_key))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(Some(created))
    }

    /// Open duties past their due date become missed. One set-based statement.
    ///
    /// # Errors
    /// On database failure.
    pub async fn mark_missed_duties(&self, today: NaiveDate) -> StoreResult<u64> {
        let res = duty::Entity::update_many()
            .col_expr(duty::Column::Status, Expr::value(DUTY_MISSED))
            .filter(duty::Column::Status.eq(DUTY_OPEN))
            .filter(duty::Column::DueOn.lt(today))
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected)
    }

    /// Tracked items whose due date lies in `(after, upto]` and that have not had `step` for
    /// that due date: exactly the items whose highest reached step is `step`, not yet fired;
    /// by due date and id, from after `past` (the due date and id of the previous batch's
    /// last item) on. Each batch reads on where the last stopped, through the state and
    /// due-date index, instead of reading again past every item the sweep has fired (or, in
    /// id order, past every item of the table after the last overdue one).
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn items_to_escalate(
        &self,
        step: &str,
        upto: NaiveDate,
        after: Option<NaiveDate>,
        past: Option<(NaiveDate, ItemId)>,
        limit: u64,
    ) -> StoreResult<Vec<(Item, ChainHead)>> {
        let tracked: Vec<&str> = TRACKED_STATES.iter().map(|s| s.as_str()).collect();
        let fired = Query::select()
            .expr(Expr::val(1))
            .from(escalation_fire::Entity)
            .and_where(
                Expr::col((escalation_fire::Entity, escalation_fire::Column::SubjectId))
                    .equals((item::Entity, item::Column::Id)),
            )
            .and_where(
                Expr::col((escalation_fire::Entity, escalation_fire::Column::DueOn))
                    .equals((item::Entity, item::Column::DueOn)),
            )
            .and_where(Expr::col((escalation_fire::Entity, escalation_fire::Column::Step)).eq(step))
            .to_owned();
        let mut q = item::Entity::find()
            .filter(item::Column::State.is_in(tracked))
            .filter(item::Column::DueOn.lte(upto))
            .filter(Expr::exists(fired).not());
        if let Some(a) = after {
            q = q.filter(item::Column::DueOn.gt(a));
        }
        if let Some((due, id)) = past {
            q = q.filter(
                Expr::tuple([Expr::col(item::Column::DueOn), Expr::col(item::Column::Id)])
                    .gt(Expr::tuple([Expr::val(due), Expr::val(id.0)])),
            );
        }
        let rows = q
            .order_by_asc(item::Column::DueOn)
            .order_by_asc(item::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        with_co_units(&self.db, rows).await
    }

    /// Open or missed duties due in `(after, upto]` without `step` fired yet.
    ///
    /// # Errors
    /// On database failure.
    pub async fn duties_to_escalate(
        &self,
        step: &str,
        upto: NaiveDate,
        after: Option<NaiveDate>,
        limit: u64,
    ) -> StoreResult<Vec<DutyRow>> {
        let fired = Query::select()
            .expr(Expr::val(1))
            .from(escalation_fire::Entity)
            .and_where(
                Expr::col((escalation_fire::Entity, escalation_fire::Column::SubjectId))
                    .equals((duty::Entity, duty::Column::Id)),
            )
            .and_where(Expr::col((escalation_fire::Entity, escalation_fire::Column::Step)).eq(step))
            .to_owned();
        let mut q = duty::Entity::find()
            .filter(duty::Column::Status.is_in([DUTY_OPEN, DUTY_MISSED]))
            .filter(duty::Column::DueOn.lte(upto))
            .filter(Expr::exists(fired).not());
        if let Some(a) = after {
            q = q.filter(duty::Column::DueOn.gt(a));
        }
        Ok(q.order_by_asc(duty::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(duty_from_row)
            .collect())
    }

    /// Units of kind supervision, and each leader's unit: the wider circles of the ladder.
    ///
    /// # Errors
    /// On database failure.
    pub async fn escalation_circle(&self) -> StoreResult<Circle> {
        let supervision = unit::Entity::find()
            .filter(unit::Column::Kind.eq(UnitKind::Supervision.as_str()))
            .order_by_asc(unit::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| u.id.into())
            .collect();
        let leader_units = crate::entities::person::Entity::find()
            .filter(crate::entities::person::Column::UnitId.is_not_null())
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|p| p.unit_id.map(|u| (p.id.into(), u.into())))
            .collect();
        Ok(Circle {
            supervision,
            leader_units,
        })
    }

    /// Duties, optionally of one unit and/or status, by due date.
    ///
    /// # Errors
    /// On database failure.
    pub async fn duties(
        &self,
        unit: Option<UnitId>,
        status: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<DutyRow>> {
        let mut q = duty::Entity::find();
        if let Some(u) = unit {
            q = q.filter(duty::Column::UnitId.eq(u.0));
        }
        if let Some(s) = status {
            q = q.filter(duty::Column::Status.eq(s));
        }
        Ok(q.order_by_asc(duty::Column::DueOn)
            .order_by_asc(duty::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(duty_from_row)
            .collect())
    }

    /// A unit hands in a summary duty (季度/年度总结).
    ///
    /// # Errors
    /// `NotFound` for an unknown duty or one of another unit; `Invalid` for empty text or a
    /// per-item duty (those are fulfilled by the item's progress report).
    pub async fn submit_summary(
        &self,
        duty_id: Uuid,
        unit: UnitId,
        text: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<DutyRow> {
        if text.trim().is_empty() {
            return Err(StoreError::Invalid(xiaohao_core::DomainError::invalid(
                "text",
                "a summary needs text",
            )));
        }
        let txn = self.begin_write().await?;
        let row = duty::Entity::find_by_id(duty_id)
            .one(&txn)
            .await?
            .filter(|d| d.unit_id == unit.0)
            .ok_or_else(|| StoreError::not_found("duty", duty_id))?;
        if row.item_id.is_some() {
            return Err(StoreError::Invalid(xiaohao_core::DomainError::invalid(
                "duty",
                "this duty is fulfilled by the item's progress report",
            )));
        }
        if row.kind == xiaohao_core::recon::DUTY_KIND {
            return Err(StoreError::Invalid(xiaohao_core::DomainError::invalid(
                "duty",
                "this duty is fulfilled by signing the statement (对账单)",
            )));
        }
        let mut am = row.into_active_model();
        am.status = sea_orm::Set(DUTY_SUBMITTED.to_owned());
        am.submitted_at = sea_orm::Set(Some(now));
        am.report_text = sea_orm::Set(Some(text.trim().to_owned()));
        let saved = am.update(&txn).await?;
        txn.commit().await?;
        Ok(duty_from_row(saved))
    }

    /// Counts of schedule rows, for `simulate`, reports and tests.
    ///
    /// # Errors
    /// On database failure.
    pub async fn schedule_counts(&self) -> StoreResult<ScheduleCounts> {
        let db = &self.db;
        let duties_by = |status: &'static str| async move {
            duty::Entity::find()
                .filter(duty::Column::Status.eq(status))
                .count(db)
                .await
        };
        let mut by_step: HashMap<String, u64> = HashMap::new();
        for (step, n) in escalation_fire::Entity::find()
            .select_only()
            .column(escalation_fire::Column::Step)
            .column_as(escalation_fire::Column::Id.count(), "n")
            .group_by(escalation_fire::Column::Step)
            .into_tuple::<(String, i64)>()
            .all(db)
            .await?
        {
            by_step.insert(step, u64::try_from(n).unwrap_or(0));
        }
        let mut fires_by_step: Vec<(String, u64)> = by_step.into_iter().collect();
        fires_by_step.sort();
        Ok(ScheduleCounts {
            occurrences: cycle_occurrence::Entity::find().count(db).await?,
            duties: duty::Entity::find().count(db).await?,
            duties_missed: duties_by(DUTY_MISSED).await?,
            duties_submitted: duties_by(DUTY_SUBMITTED).await?,
            fires_by_step,
            orders: supervision_order::Entity::find().count(db).await?,
        })
    }
}

/// Mark the duties among `rows` (all of `period`) that their unit's reports already settle
/// as submitted, at the first such report.
async fn settle_from_reports(
    txn: &DatabaseTransaction,
    rows: &mut [duty::Model],
    period: &str,
    local_date: &(dyn Fn(DateTime<Utc>) -> NaiveDate + Sync),
) -> StoreResult<()> {
    use crate::entities::progress_report;
    if rows.is_empty() {
        return Ok(());
    }
    let mut first: HashMap<(Uuid, Uuid), DateTime<Utc>> = HashMap::new();
    let mut pages = progress_report::Entity::find()
        .select_only()
        .column(progress_report::Column::ItemId)
        .column(progress_report::Column::UnitId)
        .column(progress_report::Column::Period)
        .column(progress_report::Column::ReportedAt)
        .filter(progress_report::Column::Period.eq(period))
        .filter(progress_report::Column::UnitId.is_not_null())
        .order_by_asc(progress_report::Column::Id)
        .into_tuple::<(Uuid, Option<Uuid>, String, DateTime<Utc>)>()
        .paginate(txn, 5000);
    while let Some(page) = pages.fetch_and_next().await? {
        for (item, unit, report_period, at) in page {
            let Some(unit) = unit else { continue };
            if xiaohao_core::progress::settles(period, &report_period, local_date(at)) {
                first
                    .entry((item, unit))
                    .and_modify(|t| *t = Ord::min(*t, at))
                    .or_insert(at);
            }
        }
    }
    for row in rows.iter_mut() {
        let Some(item) = row.item_id else { continue };
        if let Some(at) = first.get(&(item, row.unit_id)) {
            row.status = DUTY_SUBMITTED.to_owned();
            row.submitted_at = Some(*at);
        }
    }
    Ok(())
}

/// A unit's progress report for `period` fulfils that unit's duty on the item for that
/// period ([`xiaohao_core::progress::settles`]: a duty that exists has opened, so the report
/// is filed after the period began). Another unit's report settles nothing of it.
pub(crate) async fn fulfil_progress_duty(
    txn: &DatabaseTransaction,
    item: ItemId,
    unit: UnitId,
    period: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    duty::Entity::update_many()
        .col_expr(duty::Column::Status, Expr::value(DUTY_SUBMITTED))
        .col_expr(duty::Column::SubmittedAt, Expr::value(at))
        .filter(duty::Column::ItemId.eq(item.0))
        .filter(duty::Column::UnitId.eq(unit.0))
        .filter(duty::Column::PeriodKey.eq(period))
        .filter(duty::Column::Status.is_in([DUTY_OPEN, DUTY_MISSED]))
        .exec(txn)
        .await?;
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
