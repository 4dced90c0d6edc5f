//! Set-based writes of one batch of escalations. The scheduler decides per subject (each
//! item's event chain needs its own head); the store then writes the whole batch in one
//! transaction with a handful of multi-row statements — claims, item rows, events, 督办单,
//! outbox rows — instead of six statements and a savepoint per subject.
//!
//! Exactly-once still rests on the claims: a claim row under the unique key
//! (subject, due date, step) is inserted first with `ON CONFLICT DO NOTHING RETURNING`, and
//! only the subjects whose claim came back are written. An item that changed since it was
//! read fails the version check of the set-based UPDATE; its claim is deleted again in the
//! same transaction, so the next tick retries it.

use crate::convert::{event_to_row, item_to_row};
use crate::entities::{duty, escalation_fire, event, item, supervision_order};
use crate::items::{ChainHead, apply_decision, changed_column_list, event_payload};
use crate::outbox::{insert_rows, notification_row};
use crate::schedule::FireRow;
use crate::{Store, StoreError, StoreResult, insert_all, rows_per_statement};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Value};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, IdenStatic,
    IntoActiveModel, ModelTrait, QueryFilter, QueryTrait, Statement, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;
use xiaohao_core::escalation::DutyDecision;
use xiaohao_core::event::Event;
use xiaohao_core::{Decision, Item};

/// One item escalation to apply within a batch.
#[derive(Debug, Clone)]
pub struct EscalationEntry {
    /// The item as read, before the decision.
    pub before: Item,
    /// The chain head it was read with.
    pub head: ChainHead,
    pub decision: Decision,
    pub fire: FireRow,
    /// Text of a 督办单 to record, when the step makes one.
    pub order: Option<String>,
}

/// One duty escalation to apply within a batch: core's decision, and the duty's item as
/// read (with its chain head) when the decision appends an event to it.
#[derive(Debug, Clone)]
pub struct DutyEscalation {
    pub item: Option<(Item, ChainHead)>,
    pub decision: DutyDecision,
}

impl Store {
    /// Apply a batch of item escalations in one transaction. Each slot of the answer says
    /// what became of its entry: the event written, or `Conflict` when the step had already
    /// fired (another instance) or the item changed meanwhile (retried next tick).
    ///
    /// # Errors
    /// On database failure of the batch as a whole; nothing is written then.
    pub async fn commit_escalations(
        &self,
        entries: &[EscalationEntry],
    ) -> StoreResult<Vec<Result<Event, StoreError>>> {
        let txn = self.begin_write().await?;
        let out = write_item_escalations(&txn, entries).await?;
        txn.commit().await?;
        Ok(out)
    }

    /// Apply a batch of duty escalations in one transaction: the claims, the events in the
    /// chains of the duties' items (compare-and-set on each item's version), the duties'
    /// levels and the notifications. Each slot is `false` when that step had already fired
    /// or the duty's item changed since it was read (its claim is given back: next tick).
    ///
    /// # Errors
    /// On database failure; nothing is written then.
    pub async fn commit_duty_escalations(
        &self,
        entries: &[DutyEscalation],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<bool>> {
        let txn = self.begin_write().await?;
        let fires: Vec<escalation_fire::Model> = entries
            .iter()
            .map(|e| fire_model(&e.decision.fire, now))
            .collect();
        let claimed = claim(&txn, &fires).await?;
        // Item-bound decisions append to the item's chain; one per item per batch, since a
        // second would be decided on the same version (the caller defers such duties).
        let mut seen_items = HashSet::new();
        let mut on_items: Vec<(usize, Event)> = Vec::new();
        let mut without_item: Vec<usize> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if !claimed.contains(&fires[i].id) {
                continue;
            }
            match (&e.item, &e.decision.item) {
                (Some((_, head)), Some(d)) => {
                    if seen_items.insert(d.item.id) {
                        let event = Event::chain(
                            d.item.id,
                            d.event.clone(),
                            d.item.updated_at,
                            Some((head.seq, head.hash.as_str())),
                        );
                        on_items.push((i, event));
                    }
                }
                _ => without_item.push(i),
            }
        }
        let updated = update_items(
            &txn,
            on_items.iter().filter_map(|(i, event)| {
                let (before, _) = entries[*i].item.as_ref()?;
                let after = &entries[*i].decision.item.as_ref()?.item;
                Some((before, after, event))
            }),
        )
        .await?;
        let mut written: Vec<usize> = without_item;
        let mut events = Vec::new();
        for (i, event) in on_items {
            if updated.contains(&event.item_id.0) {
                written.push(i);
                events.push(event_to_row(&event));
            }
        }
        let written: HashSet<usize> = written.into_iter().collect();
        let stale: Vec<Uuid> = (0..entries.len())
            .filter(|i| claimed.contains(&fires[*i].id) && !written.contains(i))
            .map(|i| fires[i].id)
            .collect();
        for chunk in stale.chunks(rows_per_statement(self.backend(), 1)) {
            escalation_fire::Entity::delete_many()
                .filter(escalation_fire::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
        }
        insert_all::<event::Entity, _>(&txn, &events).await?;
        let mut by_level: BTreeMap<i32, Vec<Uuid>> = BTreeMap::new();
        let mut rows = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if !written.contains(&i) {
                continue;
            }
            let fire = &e.decision.fire;
            by_level
                .entry(fire.level)
                .or_default()
                .push(fire.subject_id);
            rows.extend(
                e.decision
                    .notifications
                    .iter()
                    .map(|n| notification_row(n, &e.decision.payload, now)),
            );
        }
        for (level, ids) in by_level {
            for chunk in ids.chunks(rows_per_statement(self.backend(), 1)) {
                duty::Entity::update_many()
                    .col_expr(duty::Column::EscalationLevel, Expr::value(level))
                    .filter(duty::Column::Id.is_in(chunk.iter().copied()))
                    .filter(duty::Column::EscalationLevel.lt(level))
                    .exec(&txn)
                    .await?;
            }
        }
        insert_rows(&txn, rows).await?;
        txn.commit().await?;
        Ok((0..entries.len()).map(|i| written.contains(&i)).collect())
    }
}

async fn write_item_escalations(
    txn: &DatabaseTransaction,
    entries: &[EscalationEntry],
) -> StoreResult<Vec<Result<Event, StoreError>>> {
    let fires: Vec<escalation_fire::Model> = entries
        .iter()
        .map(|e| fire_model(&e.fire, e.decision.item.updated_at))
        .collect();
    let t0 = std::time::Instant::now();
    let claimed = claim(txn, &fires).await?;
    let t_claim = t0.elapsed();
    let events: Vec<Event> = entries
        .iter()
        .map(|e| {
            Event::chain(
                e.decision.item.id,
                e.decision.event.clone(),
                e.decision.item.updated_at,
                Some((e.head.seq, e.head.hash.as_str())),
            )
        })
        .collect();

    // Decisions that write more than the item row (a progress report, new co-units) take
    // the one-by-one path; an escalation never does, but the store does not rely on it.
    let (simple, special): (Vec<usize>, Vec<usize>) = (0..entries.len())
        .filter(|&i| claimed.contains(&fires[i].id))
        .partition(|&i| {
            entries[i].decision.report.is_none() && !entries[i].decision.co_units_changed
        });

    let mut written: HashSet<usize> = HashSet::new();
    let updated = update_items(
        txn,
        simple
            .iter()
            .map(|&i| (&entries[i].before, &entries[i].decision.item, &events[i])),
    )
    .await?;
    let t_update = t0.elapsed();
    written.extend(
        simple
            .iter()
            .copied()
            .filter(|&i| updated.contains(&entries[i].decision.item.id.0)),
    );
    for &i in &special {
        let sp = txn.begin().await?;
        match apply_decision(&sp, &entries[i].decision, Some(&entries[i].head), None).await {
            Ok(_) => {
                sp.commit().await?;
                written.insert(i);
            }
            Err(StoreError::Conflict(_)) => sp.rollback().await?,
            Err(e) => return Err(e),
        }
    }

    // Claims of items that changed under us are given back so the next tick retries them.
    let stale: Vec<Uuid> = simple
        .iter()
        .chain(&special)
        .filter(|i| !written.contains(i))
        .map(|&i| fires[i].id)
        .collect();
    for chunk in stale.chunks(rows_per_statement(txn.get_database_backend(), 1)) {
        escalation_fire::Entity::delete_many()
            .filter(escalation_fire::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }

    let mut done: Vec<usize> = written.iter().copied().collect();
    done.sort_unstable();
    let simple_done: Vec<usize> = done
        .iter()
        .copied()
        .filter(|i| !special.contains(i))
        .collect();
    let event_rows: Vec<event::Model> = simple_done
        .iter()
        .map(|&i| event_to_row(&events[i]))
        .collect();
    insert_all::<event::Entity, _>(txn, &event_rows).await?;
    let t_events = t0.elapsed();
    let orders: Vec<supervision_order::Model> = done
        .iter()
        .filter_map(|&i| {
            let text = entries[i].order.as_ref()?;
            Some(supervision_order::Model {
                id: Uuid::now_v7(),
                item_id: entries[i].decision.item.id.0,
                fire_id: fires[i].id,
                step: entries[i].fire.step.clone(),
                due_on: entries[i].fire.due_on,
                working_days_late: entries[i].fire.working_days_late,
                text: text.clone(),
                issued_at: events[i].at,
            })
        })
        .collect();
    insert_all::<supervision_order::Entity, _>(txn, &orders).await?;
    let outbox: Vec<_> = simple_done
        .iter()
        .flat_map(|&i| {
            let payload = event_payload(&events[i]);
            let now = entries[i].decision.item.updated_at;
            entries[i]
                .decision
                .notifications
                .iter()
                .map(move |n| notification_row(n, &payload, now))
                .collect::<Vec<_>>()
        })
        .collect();
    insert_rows(txn, outbox).await?;
    tracing::debug!(claim = ?t_claim, update = ?t_update, events = ?t_events, all = ?t0.elapsed(), "escalation writes");

    Ok(entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if written.contains(&i) {
                Ok(events[i].clone())
            } else if claimed.contains(&fires[i].id) {
                Err(StoreError::Conflict(format!(
                    "item {} changed since it was read; retried next tick",
                    e.decision.item.id
                )))
            } else {
                Err(StoreError::Conflict(format!(
                    "step {} already fired for {}",
                    e.fire.step, e.fire.subject_id
                )))
            }
        })
        .collect())
}

fn fire_model(fire: &FireRow, now: DateTime<Utc>) -> escalation_fire::Model {
    escalation_fire::Model {
        id: Uuid::now_v7(),
        subject_kind: fire.subject_kind.to_owned(),
        subject_id: fire.subject_id,
        item_id: fire.item.map(|i| i.0),
        unit_id: fire.unit.map(|u| u.0),
        due_on: fire.due_on,
        step: fire.step.clone(),
        level: fire.level,
        working_days_late: fire.working_days_late,
        fired_at: now,
    }
}

/// Insert the claims; returns the ids of those that were new (the others had fired).
async fn claim(
    txn: &DatabaseTransaction,
    fires: &[escalation_fire::Model],
) -> StoreResult<HashSet<Uuid>> {
    let mut claimed = HashSet::new();
    for chunk in fires.chunks(rows_per_statement(txn.get_database_backend(), 10)) {
        if chunk.is_empty() {
            continue;
        }
        let mut stmt = escalation_fire::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .on_conflict_do_nothing_on([
            escalation_fire::Column::SubjectId,
            escalation_fire::Column::DueOn,
            escalation_fire::Column::Step,
        ])
        .into_query();
        stmt.returning_col(escalation_fire::Column::Id);
        for row in txn.query_all(&stmt).await? {
            claimed.insert(row.try_get::<Uuid>("", escalation_fire::Column::Id.as_str())?);
        }
    }
    Ok(claimed)
}

/// Compare-and-set many item rows at once: one
/// `WITH v(..) AS (VALUES ..) UPDATE items SET .. FROM v WHERE id = .. AND version = ..`
/// per set of changed columns. Returns the ids whose version still matched.
async fn update_items<'a>(
    txn: &DatabaseTransaction,
    rows: impl Iterator<Item = (&'a Item, &'a Item, &'a Event)>,
) -> StoreResult<HashSet<Uuid>> {
    let backend = txn.get_database_backend();
    // Rows grouped by the columns they change (an escalation batch is usually one group).
    type Group = (Vec<item::Column>, Vec<(item::Model, i64)>);
    let mut groups: HashMap<Vec<&'static str>, Group> = HashMap::new();
    for (before, after, event) in rows {
        let new_row = item_to_row(after, event.seq, &event.hash);
        let cols = changed_column_list(&item_to_row(before, 0, ""), &new_row);
        let key = cols.iter().map(IdenStatic::as_str).collect();
        groups
            .entry(key)
            .or_insert_with(|| (cols, Vec::new()))
            .1
            .push((new_row, after.version - 1));
    }
    let mut updated = HashSet::new();
    for (_, (cols, rows)) in groups {
        let per_row = cols.len() + 2;
        for chunk in rows.chunks(rows_per_statement(backend, per_row)) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * per_row);
            let mut tuples = Vec::with_capacity(chunk.len());
            for (row, expected) in chunk {
                let mut marks = Vec::with_capacity(per_row);
                for v in [Value::from(row.id), Value::from(*expected)]
                    .into_iter()
                    .chain(cols.iter().map(|c| row.get(*c)))
                {
                    values.push(v);
                    marks.push(placeholder(backend, values.len()));
                }
                tuples.push(format!("({})", marks.join(", ")));
            }
            // The CTE's columns are c0..cn so that none shadows a column of `items`.
            let names: Vec<String> = (0..per_row).map(|k| format!("c{k}")).collect();
            let sets: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(k, c)| format!("\"{}\" = v.c{}", c.as_str(), k + 2))
                .collect();
            let sql = format!(
                "WITH v({}) AS (VALUES {}) UPDATE items SET {} FROM v \
                 WHERE items.id = v.c0 AND items.version = v.c1 RETURNING id",
                names.join(", "),
                tuples.join(", "),
                sets.join(", ")
            );
            for r in txn
                .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?
            {
                updated.insert(r.try_get::<Uuid>("", "id")?);
            }
        }
    }
    Ok(updated)
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    if backend == DbBackend::Postgres {
        format!("${n}")
    } else {
        format!("?{n}")
    }
}
