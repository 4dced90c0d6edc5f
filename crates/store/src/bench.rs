//! Raw-SQL baselines for `xiaohao bench`: the database limit our code path is measured
//! against, in the same run on the same database. Not used by the service.
// Benchmarks stamp their rows with the wall clock: they measure it, they do not test time.
#![allow(clippy::disallowed_methods)]

use crate::entities::{duty, item};
use crate::{Store, StoreResult};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Value;
use sea_orm::{
    ConnectionTrait, Database, DbBackend, EntityTrait, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};
use uuid::Uuid;
use xiaohao_core::event::GENESIS_HASH;
use xiaohao_core::{ItemId, UnitId};

/// Create a scratch PostgreSQL database next to `admin_url`; returns its URL.
///
/// # Errors
/// When the server is unreachable or refuses.
pub async fn create_pg_database(admin_url: &str, name: &str) -> StoreResult<String> {
    let admin = Database::connect(admin_url).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

/// Drop a scratch PostgreSQL database.
///
/// # Errors
/// When the server is unreachable or refuses.
pub async fn drop_pg_database(admin_url: &str, name: &str) -> StoreResult<()> {
    let admin = Database::connect(admin_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    Ok(())
}

fn ph(backend: DbBackend, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            if backend == DbBackend::Postgres {
                format!("${i}")
            } else {
                "?".into()
            }
        })
        .collect()
}

/// One change by hand: UPDATE the item, INSERT an event, INSERT an outbox row, in one
/// transaction.
///
/// # Errors
/// On database failure.
#[allow(clippy::too_many_arguments)]
pub async fn raw_change(
    db: &sea_orm::DatabaseConnection,
    backend: DbBackend,
    id: ItemId,
    seq: i64,
    lead: UnitId,
    w: usize,
    n: usize,
) -> StoreResult<()> {
    let mut options = TransactionOptions::default();
    if backend == DbBackend::Sqlite {
        options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
    }
    let txn = db.begin_with_options(options).await?;
    let now = Utc::now();
    let p = ph(backend, 3);
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!("UPDATE items SET version = version + 1, escalation_level = {}, updated_at = {} WHERE id = {}", p[0], p[1], p[2]),
        [Value::from(1i32), Value::from(now), Value::from(id.0)],
    ))
    .await?;
    let p = ph(backend, 12);
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO events (item_id, seq, kind, from_state, to_state, actor_unit_id, actor_role, actor_name, payload, at, prev_hash, hash) VALUES ({})",
            p.join(", ")
        ),
        [
            Value::from(id.0),
            Value::from(seq),
            Value::from("escalate"),
            Value::from("assigned"),
            Value::from("assigned"),
            Value::from(None::<Uuid>),
            Value::from("system"),
            Value::from("system"),
            Value::from("{}"),
            Value::from(now),
            Value::from(GENESIS_HASH),
            Value::from(GENESIS_HASH),
        ],
    ))
    .await?;
    let p = ph(backend, 13);
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO outbox (id, dedupe_key, kind, recipient_unit_id, item_id, urgent, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at) VALUES ({})",
            p.join(", ")
        ),
        [
            Value::from(Uuid::now_v7()),
            Value::from(format!("raw:{id}:w{w}n{n}")),
            Value::from("escalation:基准"),
            Value::from(lead.0),
            Value::from(id.0),
            Value::from(false),
            Value::from("{}"),
            Value::from("pending"),
            Value::from(0i32),
            Value::from(now),
            Value::from(None::<String>),
            Value::from(now),
            Value::from(None::<chrono::DateTime<Utc>>),
        ],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

impl Store {
    /// Seed `n` running items directly (bulk insert), `overdue` of them past due.
    ///
    /// # Errors
    /// On database failure.
    pub async fn bench_seed_items(
        &self,
        lead: UnitId,
        n: usize,
        overdue: usize,
    ) -> StoreResult<()> {
        let now = Utc::now();
        let today = now.date_naive();
        let rows: Vec<item::Model> = (0..n)
            .map(|i| item::Model {
                id: Uuid::now_v7(),
                kind: "task".into(),
                number: None,
                title: format!("基准事项{i}"),
                text: String::new(),
                plan_id: None,
                chain_id: None,
                owner_unit_id: None,
                lead_unit_id: Some(lead.0),
                leader_id: None,
                deadline: None,
                due_on: Some(if i < overdue {
                    today - Duration::days(30)
                } else {
                    today + Duration::days(400)
                }),
                deadline_text: None,
                grade: None,
                class: None,
                state: "in_progress".into(),
                suspended_from: None,
                escalation_level: 0,
                closure_requested_by: None,
                extension_requested: None,
                instructed_at: None,
                progress_percent: None,
                version: 1,
                created_at: now - Duration::days(60),
                updated_at: now,
                closed_at: None,
                last_seq: 0,
                last_hash: GENESIS_HASH.into(),
                near_due_on: None,
                lagging_on: None,
                number_sort: None,
            })
            .collect();
        crate::insert_all::<item::Entity, _>(&self.db, &rows).await?;
        Ok(())
    }

    /// The raw limit of an import: `n` item rows and their first events, multi-row, in one
    /// transaction. Returns the time taken.
    ///
    /// # Errors
    /// On database failure.
    pub async fn bench_raw_import(
        &self,
        lead: UnitId,
        n: usize,
    ) -> StoreResult<std::time::Duration> {
        use crate::entities::event;
        let now = Utc::now();
        let started = std::time::Instant::now();
        let items: Vec<item::Model> = (0..n)
            .map(|i| item::Model {
                id: Uuid::now_v7(),
                kind: "task".into(),
                number: Some(format!("{i}")),
                title: format!("导入基准事项{i}"),
                text: "（基准）".repeat(20),
                plan_id: None,
                chain_id: None,
                owner_unit_id: None,
                lead_unit_id: Some(lead.0),
                leader_id: None,
                deadline: None,
                due_on: None,
                deadline_text: Some("2026年底前".into()),
                grade: None,
                class: None,
                state: "draft".into(),
                suspended_from: None,
                escalation_level: 0,
                closure_requested_by: None,
                extension_requested: None,
                instructed_at: None,
                progress_percent: None,
                version: 1,
                created_at: now,
                updated_at: now,
                closed_at: None,
                last_seq: 1,
                last_hash: GENESIS_HASH.into(),
                near_due_on: None,
                lagging_on: None,
                number_sort: None,
            })
            .collect();
        let events: Vec<event::Model> = items
            .iter()
            .map(|it| event::Model {
                item_id: it.id,
                seq: 1,
                kind: "create".into(),
                from_state: None,
                to_state: "draft".into(),
                actor_unit_id: None,
                actor_role: "office".into(),
                actor_name: "基准".into(),
                payload: "{}".into(),
                at: now,
                prev_hash: GENESIS_HASH.into(),
                hash: GENESIS_HASH.into(),
            })
            .collect();
        let txn = self.begin_write().await?;
        crate::insert_all::<item::Entity, _>(&txn, &items).await?;
        crate::insert_all::<event::Entity, _>(&txn, &events).await?;
        txn.commit().await?;
        Ok(started.elapsed())
    }

    /// The set-based sweep: one UPDATE of every running item due by `today`; then put the
    /// levels back so our own sweep starts from the same data. Returns rows touched.
    ///
    /// # Errors
    /// On database failure.
    pub async fn bench_raw_sweep(
        &self,
        today: chrono::NaiveDate,
    ) -> StoreResult<(u64, std::time::Duration)> {
        let backend = self.backend();
        let p = ph(backend, 1);
        let started = std::time::Instant::now();
        let res = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "UPDATE items SET escalation_level = 4, version = version + 1 WHERE state IN ('assigned','accepted','in_progress') AND due_on <= {}",
                    p[0]
                ),
                [Value::from(today)],
            ))
            .await?;
        let took = started.elapsed();
        self.db
            .execute_unprepared("UPDATE items SET escalation_level = 0")
            .await?;
        Ok((res.rows_affected(), took))
    }

    /// The sweep's own writes done by hand, set-based, in one transaction: claim rows,
    /// the item rows, one event per item and one outbox row per item (what our sweep writes
    /// for the seeded data: the lead unit is the only recipient). Then everything is put
    /// back so our own sweep starts from the same data.
    ///
    /// # Errors
    /// On database failure.
    pub async fn bench_raw_sweep_writes(
        &self,
        today: chrono::NaiveDate,
    ) -> StoreResult<(u64, std::time::Duration)> {
        let backend = self.backend();
        let now = Utc::now();
        let (uuid, id_text) = if backend == DbBackend::Postgres {
            ("gen_random_uuid()", "id::text")
        } else {
            ("randomblob(16)", "hex(id)")
        };
        let due = "state IN ('assigned','accepted','in_progress') AND due_on <= ";
        let p = |n| ph(backend, n);
        let started = std::time::Instant::now();
        let txn = self.begin_write().await?;
        let q = p(2);
        let fires = txn
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "INSERT INTO escalation_fires (id, subject_kind, subject_id, item_id, unit_id, due_on, step, level, working_days_late, fired_at) \
                     SELECT {uuid}, 'item', id, id, lead_unit_id, due_on, '通报', 4, 20, {} FROM items WHERE {due}{}",
                    q[0], q[1]
                ),
                [Value::from(now), Value::from(today)],
            ))
            .await?
            .rows_affected();
        let q = p(3);
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE items SET escalation_level = 4, version = version + 1, updated_at = {}, last_seq = last_seq + 1, last_hash = {} WHERE {due}{}",
                q[0], q[1], q[2]
            ),
            [Value::from(now), Value::from(GENESIS_HASH), Value::from(today)],
        ))
        .await?;
        let q = p(4);
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO events (item_id, seq, kind, from_state, to_state, actor_unit_id, actor_role, actor_name, payload, at, prev_hash, hash) \
                 SELECT id, last_seq, 'escalate', state, state, NULL, 'system', 'system', '{{}}', {}, {}, {} FROM items WHERE {due}{}",
                q[0], q[1], q[2], q[3]
            ),
            [
                Value::from(now),
                Value::from(GENESIS_HASH),
                Value::from(GENESIS_HASH),
                Value::from(today),
            ],
        ))
        .await?;
        let q = p(3);
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO outbox (id, dedupe_key, kind, recipient_unit_id, item_id, urgent, payload, status, attempts, next_attempt_at, created_at) \
                 SELECT {uuid}, 'raw:' || {id_text}, 'escalation:通报', lead_unit_id, id, FALSE, '{{}}', 'pending', 0, {}, {} FROM items WHERE {due}{}",
                q[0], q[1], q[2]
            ),
            [Value::from(now), Value::from(now), Value::from(today)],
        ))
        .await?;
        txn.commit().await?;
        let took = started.elapsed();
        for reset in [
            "DELETE FROM outbox",
            "DELETE FROM events",
            "DELETE FROM escalation_fires",
        ] {
            self.db.execute_unprepared(reset).await?;
        }
        self.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "UPDATE items SET escalation_level = 0, version = 1, last_seq = 0, last_hash = {}",
                    p(1)[0]
                ),
                [Value::from(GENESIS_HASH)],
            ))
            .await?;
        Ok((fires, took))
    }

    /// Insert one duty row per item, multi-row, in one transaction: the raw limit for
    /// opening a cycle.
    ///
    /// # Errors
    /// On database failure.
    pub async fn bench_raw_duties(
        &self,
        unit: UnitId,
    ) -> StoreResult<(usize, std::time::Duration)> {
        let now = Utc::now();
        let ids: Vec<Uuid> = item::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let rows: Vec<duty::Model> = ids
            .iter()
            .map(|id| duty::Model {
                id: Uuid::now_v7(),
                cycle_key: "raw".into(),
                period_key: "2099-01".into(),
                kind: "progress".into(),
                unit_id: unit.0,
                item_id: Some(*id),
                subject_key: format!("raw:{id}"),
                title: "月度进展".into(),
                opens_on: now.date_naive(),
                due_on: now.date_naive(),
                status: "open".into(),
                submitted_at: None,
                report_text: None,
                escalation_level: 0,
                created_at: now,
            })
            .collect();
        let started = std::time::Instant::now();
        let txn = self.db.begin().await?;
        crate::insert_all::<duty::Entity, _>(&txn, &rows).await?;
        txn.commit().await?;
        Ok((rows.len(), started.elapsed()))
    }

    /// The baseline for the drain benchmark: claim and mark rows sent in batches with the
    /// same statements' shape but no rendering and no transport. Returns rows drained.
    ///
    /// # Errors
    /// On database failure.
    pub async fn raw_drain(
        &self,
        batch: u64,
        now: chrono::DateTime<Utc>,
        concurrency: usize,
        durable: bool,
    ) -> StoreResult<u64> {
        let mut total = 0;
        loop {
            let (token, rows) = self
                .claim_outbox(crate::ClaimSpec {
                    now,
                    lease: chrono::Duration::minutes(5),
                    limit: batch,
                    include_non_urgent: true,
                })
                .await?;
            if rows.is_empty() {
                return Ok(total);
            }
            total += rows.len() as u64;
            // The same number of marks in flight as the worker keeps.
            use futures_util::stream::{self, StreamExt, TryStreamExt};
            stream::iter(rows.iter().map(|r| r.id).collect::<Vec<_>>())
                .map(|id| self.mark_sent(id, token, now, durable))
                .buffer_unordered(concurrency.max(1))
                .try_collect::<Vec<bool>>()
                .await?;
        }
    }
}

/// A ledger to seed for the page benchmarks: items spread over units, chains and states
/// the way a working 专班's ledger is, kept by one office under one plan.
#[derive(Debug, Clone)]
pub struct SeedLedger {
    pub owner: UnitId,
    pub plan: Option<xiaohao_core::PlanId>,
    /// Each chain with its leader: items go round the chains.
    pub chains: Vec<(xiaohao_core::ChainId, Option<xiaohao_core::PersonId>)>,
    /// Lead units: items go round them.
    pub leads: Vec<UnitId>,
    pub items: usize,
}

impl Store {
    /// Seed a working ledger directly (bulk insert): of every ten items one is 10–60 days
    /// late, one due within the week, one struck off, one waiting for 核验 and one a draft;
    /// the rest run with a due date months ahead and a reported percent.
    ///
    /// # Errors
    /// On database failure.
    pub async fn bench_seed_ledger(&self, spec: &SeedLedger) -> StoreResult<()> {
        let now = Utc::now();
        let today = now.date_naive();
        let mut rows = Vec::with_capacity(spec.items.min(50_000));
        for i in 0..spec.items {
            let (chain, leader) = spec
                .chains
                .get(i % spec.chains.len().max(1))
                .copied()
                .map_or((None, None), |(c, l)| (Some(c.0), l.map(|p| p.0)));
            let (state, due) = match i % 10 {
                0 => ("in_progress", today - Duration::days(10 + (i % 50) as i64)),
                1 => ("accepted", today + Duration::days((i % 6) as i64)),
                2 => ("closed", today - Duration::days(5)),
                3 => ("closure_requested", today + Duration::days(30)),
                4 => ("draft", today + Duration::days(90)),
                _ => ("in_progress", today + Duration::days(60 + (i % 300) as i64)),
            };
            rows.push(item::Model {
                id: Uuid::now_v7(),
                kind: if i % 7 == 0 { "problem" } else { "task" }.into(),
                number: Some(format!("{}", i + 1)),
                title: format!("基准台账事项{i}：推进重点项目建设"),
                text: String::new(),
                plan_id: spec.plan.map(|p| p.0),
                chain_id: chain,
                owner_unit_id: Some(spec.owner.0),
                lead_unit_id: (state != "draft")
                    .then(|| spec.leads.get(i % spec.leads.len().max(1)).map(|u| u.0))
                    .flatten(),
                leader_id: leader,
                deadline: Some(due),
                due_on: (state != "draft").then_some(due),
                deadline_text: None,
                grade: (i % 5 == 0).then(|| "重点".to_owned()),
                class: None,
                state: state.into(),
                suspended_from: None,
                escalation_level: if i % 10 == 0 { 2 } else { 0 },
                closure_requested_by: None,
                extension_requested: None,
                instructed_at: None,
                progress_percent: (state != "draft").then_some((i % 10) as i32 * 10),
                version: 1,
                created_at: now - Duration::days(60),
                updated_at: now,
                closed_at: (state == "closed").then_some(now - Duration::days(3)),
                last_seq: 0,
                last_hash: GENESIS_HASH.into(),
                near_due_on: None,
                lagging_on: None,
                number_sort: None,
            });
            // The light dates the writer would keep (the serve child then has none to
            // compute at start).
            if let Some(row) = rows.last_mut()
                && let Ok(it) = crate::convert::item_from_row(row.clone(), Vec::new())
            {
                let d = self.lights.dates(&it);
                row.near_due_on = d.near_on;
                row.lagging_on = d.lagging_on;
                row.number_sort = Some(xiaohao_core::numbering::number_sort_key(
                    row.number.as_deref().unwrap_or(""),
                ));
            }
            if rows.len() == 50_000 {
                crate::insert_all::<item::Entity, _>(&self.db, &rows).await?;
                rows.clear();
            }
        }
        crate::insert_all::<item::Entity, _>(&self.db, &rows).await?;
        self.index_lights_done().await
    }
}
