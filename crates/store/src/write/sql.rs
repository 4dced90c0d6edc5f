//! The statements of the writer: claims, chain heads, the set-based compare-and-set of item
//! rows, and the one-trip strategy for a single decision.

use super::{Subject, Write};
use crate::LightRule;
use crate::convert::{event_to_row, item_to_row};
use crate::entities::{escalation_fire, event, item};
use crate::items::{ChainHead, changed_column_list, event_payload};
use crate::{StoreError, StoreResult, rows_per_statement};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Value;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, IdenStatic,
    IntoActiveModel, Iterable, ModelTrait, QueryFilter, QuerySelect, QueryTrait, Statement,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;
use xiaohao_core::escalation::Fire;
use xiaohao_core::event::Event;
use xiaohao_core::{Decision, Item, ItemId};

pub(super) fn fire_model(fire: &Fire, now: DateTime<Utc>) -> escalation_fire::Model {
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
pub(super) async fn claim<'a>(
    txn: &DatabaseTransaction,
    fires: impl Iterator<Item = &'a escalation_fire::Model>,
) -> StoreResult<HashSet<Uuid>> {
    let fires: Vec<&escalation_fire::Model> = fires.collect();
    let mut claimed = HashSet::new();
    for chunk in fires.chunks(rows_per_statement(txn.get_database_backend(), 10)) {
        let mut stmt = escalation_fire::Entity::insert_many(
            chunk.iter().map(|f| (*f).clone().into_active_model()),
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

/// The chain heads of `ids`, in one statement per chunk; a missing item has none.
pub(super) async fn read_heads(
    txn: &DatabaseTransaction,
    ids: &[ItemId],
) -> StoreResult<HashMap<ItemId, ChainHead>> {
    let mut heads = HashMap::new();
    for chunk in ids.chunks(rows_per_statement(txn.get_database_backend(), 1)) {
        let rows = item::Entity::find()
            .select_only()
            .column(item::Column::Id)
            .column(item::Column::LastSeq)
            .column(item::Column::LastHash)
            .filter(item::Column::Id.is_in(chunk.iter().map(|i| i.0)))
            .into_tuple::<(Uuid, i64, String)>()
            .all(txn)
            .await?;
        heads.extend(
            rows.into_iter()
                .map(|(id, seq, hash)| (ItemId(id), ChainHead { seq, hash })),
        );
    }
    Ok(heads)
}

/// Compare-and-set many item rows at once: one
/// `WITH v(..) AS (VALUES ..) UPDATE items SET .. FROM v WHERE id = .. AND version = ..`
/// per set of changed columns (all columns when the row was not read before). Returns the
/// ids whose version still matched.
pub(super) async fn update_items(
    txn: &DatabaseTransaction,
    rows: Vec<(Option<&Item>, &Item, &Event)>,
    lights: &LightRule,
) -> StoreResult<HashSet<Uuid>> {
    let backend = txn.get_database_backend();
    // Rows grouped by the columns they change (a sweep's batch is usually one group).
    type Group = (Vec<item::Column>, Vec<(item::Model, i64)>);
    let mut groups: HashMap<Vec<&'static str>, Group> = HashMap::new();
    for (before, after, event) in rows {
        let (new_row, cols) = match before {
            Some(b) => {
                let (was, is) = lights.dates_of_change(b, after);
                let new_row = item_to_row(after, event.seq, &event.hash, is);
                let cols = changed_column_list(&item_to_row(b, 0, "", was), &new_row);
                (new_row, cols)
            }
            None => (
                item_to_row(after, event.seq, &event.hash, lights.dates(after)),
                item::Column::iter()
                    .filter(|c| !matches!(c, item::Column::Id))
                    .collect(),
            ),
        };
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
                    marks.push(next_placeholder(backend, values.len()));
                }
                tuples.push(format!("({})", marks.join(", ")));
            }
            let sql = if let [_one] = chunk {
                // A single row (every command): a plain compare-and-set, which the database
                // plans more cheaply than an UPDATE … FROM a one-row VALUES list.
                let sets: Vec<String> = cols
                    .iter()
                    .enumerate()
                    .map(|(k, c)| format!("\"{}\" = {}", c.as_str(), placeholder(backend, k + 3)))
                    .collect();
                format!(
                    "UPDATE items SET {} WHERE id = {} AND version = {} RETURNING id",
                    sets.join(", "),
                    placeholder(backend, 1),
                    placeholder(backend, 2)
                )
            } else {
                // The CTE's columns are c0..cn so that none shadows a column of `items`.
                let names: Vec<String> = (0..per_row).map(|k| format!("c{k}")).collect();
                let sets: Vec<String> = cols
                    .iter()
                    .enumerate()
                    .map(|(k, c)| format!("\"{}\" = v.c{}", c.as_str(), k + 2))
                    .collect();
                format!(
                    "WITH v({}) AS (VALUES {}) UPDATE items SET {} FROM v \
                     WHERE items.id = v.c0 AND items.version = v.c1 RETURNING id",
                    names.join(", "),
                    tuples.join(", "),
                    sets.join(", ")
                )
            };
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

/// The `n`th parameter of a statement that binds its parameters in order. On SQLite a bare
/// `?`: sqlx asks SQLite for the name of every parameter it binds, which SQLite finds by a
/// scan over the named ones (`?NNN`), so a statement of named parameters binds in quadratic
/// time and one of bare `?` in linear time.
fn next_placeholder(backend: DbBackend, n: usize) -> String {
    if backend == DbBackend::Postgres {
        format!("${n}")
    } else {
        "?".to_owned()
    }
}

/// Why a compare-and-set of an item's row matched nothing: the item is gone, or someone
/// changed it since it was read.
pub(super) async fn why_not_written<C: ConnectionTrait>(
    conn: &C,
    id: ItemId,
    expected: i64,
) -> StoreError {
    match item::Entity::find_by_id(id.0).one(conn).await {
        Err(e) => e.into(),
        Ok(None) => StoreError::not_found("item", id),
        Ok(Some(row)) => StoreError::Conflict(format!(
            "item {id} was changed by someone else (version {} now, {expected} expected); reload and try again",
            row.version
        )),
    }
}

/// A write the one-trip strategy can take: a decision on an item read with its head
/// that writes only the row, its event and outbox rows.
pub(super) fn fits_one_trip(w: &Write) -> Option<(&Item, &ChainHead, &Decision)> {
    match &w.subject {
        Subject::Item {
            before: Some(before),
            head: Some(head),
            decision,
        } if w.claim.is_none()
            && w.notices.is_empty()
            && decision.report.is_none()
            && !decision.co_units_changed
            // A 督办回复 also closes its order: the general path writes that.
            && !matches!(
                decision.event.payload,
                xiaohao_core::payload::Payload::OrderAnswered(_)
            ) =>
        {
            Some((before, head, decision))
        }
        _ => None,
    }
}

/// The most parameters a SQLite script of [`one_trip`] may bind (SQLite's own limit is
/// 32,766; a command that notifies more units than this allows takes the general path).
const SQLITE_SCRIPT_PARAMS: usize = 2_000;

/// A decision that writes the item row, its event and outbox rows only, in one round trip.
///
/// - PostgreSQL: one statement — `WITH u AS (UPDATE … WHERE id = … AND version = …
///   RETURNING id), e AS (INSERT INTO events … SELECT … FROM u), o AS (INSERT INTO outbox …
///   WHERE EXISTS u) SELECT count(*) FROM u`. A single statement is atomic on its own: one
///   round trip instead of five (BEGIN, three writes, COMMIT).
/// - SQLite (no data-modifying CTEs): the same three writes as one script inside a write
///   transaction, each insert guarded by `changes()` of the statement before it, so an UPDATE
///   that matched no row (another version) inserts nothing: three round trips (BEGIN, the
///   script, COMMIT) instead of five.
///
/// `None` when the SQLite script would bind too many parameters; the caller writes it the
/// general way then.
pub(super) async fn one_trip(
    store: &crate::Store,
    decision: &Decision,
    head: &ChainHead,
    before: &Item,
    lights: &LightRule,
) -> StoreResult<Option<Event>> {
    let backend = store.backend();
    let it = &decision.item;
    let expected = it.version - 1;
    let event = Event::chain(
        it.id,
        decision.event.clone(),
        it.updated_at,
        Some((head.seq, head.hash.as_str())),
    );
    let payload = event_payload(&event);
    let mut seen = HashSet::new();
    let outbox_rows: Vec<_> = decision
        .notifications
        .iter()
        .filter(|n| seen.insert(n.dedupe_key.clone()))
        .map(|n| crate::outbox::notification_row(n, &payload, it.updated_at))
        .collect();
    let outbox_cols: Vec<&str> = crate::entities::outbox::Column::iter()
        .map(|c| c.as_str())
        .collect();
    let outbox_params = outbox_rows.len() * outbox_cols.len();
    if backend == DbBackend::Sqlite
        && item::Column::iter().count() + 2 + event::Column::iter().count() + outbox_params
            > SQLITE_SCRIPT_PARAMS
    {
        return Ok(None);
    }
    let (was, is) = lights.dates_of_change(before, it);
    let after = item_to_row(it, event.seq, &event.hash, is);
    let mut values: Vec<Value> = Vec::new();
    let mut param = |v: Value| {
        values.push(v);
        placeholder(backend, values.len())
    };
    let sets: Vec<String> = changed_column_list(&item_to_row(before, 0, "", was), &after)
        .into_iter()
        .map(|c| format!("\"{}\" = {}", c.as_str(), param(after.get(c))))
        .collect();
    let id = param(Value::from(it.id.0));
    let version = param(Value::from(expected));
    let event_row = event_to_row(&event);
    let event_cols: Vec<&str> = event::Column::iter().map(|c| c.as_str()).collect();
    let event_params: Vec<String> = event::Column::iter()
        .map(|c| param(event_row.get(c)))
        .collect();
    let tuples: Vec<String> = outbox_rows
        .iter()
        .map(|r| {
            let ps: Vec<String> = crate::entities::outbox::Column::iter()
                .map(|c| param(r.get(c)))
                .collect();
            format!("({})", ps.join(", "))
        })
        .collect();
    let (sets, event_cols, event_params, outbox_cols, tuples) = (
        sets.join(", "),
        event_cols.join(", "),
        event_params.join(", "),
        outbox_cols.join(", "),
        tuples.join(", "),
    );
    let update = format!("UPDATE items SET {sets} WHERE id = {id} AND version = {version}");
    let written = if backend == DbBackend::Postgres {
        let outbox_cte = if tuples.is_empty() {
            String::new()
        } else {
            format!(
                ", o AS (INSERT INTO outbox ({outbox_cols}) SELECT * FROM (VALUES {tuples}) \
                 AS v({outbox_cols}) WHERE EXISTS (SELECT 1 FROM u) \
                 ON CONFLICT (dedupe_key) DO NOTHING)"
            )
        };
        let sql = format!(
            "WITH u AS ({update} RETURNING id), \
             e AS (INSERT INTO events ({event_cols}) SELECT {event_params} FROM u){outbox_cte} \
             SELECT COUNT(*) AS n FROM u"
        );
        let row = store
            .db
            .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        let n = match row {
            Some(r) => r.try_get::<i64>("", "n")?,
            None => 0,
        };
        n == 1
    } else {
        // `changes()` is the row count of the statement before: the event only if the row
        // matched, the outbox rows only if the event went in.
        let mut sql = format!(
            "{update}; INSERT INTO events ({event_cols}) SELECT {event_params} \
             WHERE changes() = 1;"
        );
        if !tuples.is_empty() {
            sql.push_str(&format!(
                " INSERT INTO outbox ({outbox_cols}) SELECT * FROM (VALUES {tuples}) \
                 WHERE changes() = 1 ON CONFLICT (dedupe_key) DO NOTHING;"
            ));
        }
        let txn = store.begin_write().await?;
        let res = txn
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        // The row and its event: two rows at least, or none at all.
        if res.rows_affected() >= 2 {
            txn.commit().await?;
            true
        } else {
            txn.rollback().await?;
            false
        }
    };
    if !written {
        return Err(why_not_written(&store.db, it.id, expected).await);
    }
    Ok(Some(event))
}
