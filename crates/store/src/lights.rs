//! Lights in SQL: the light dates the writer keeps on each item row (computed again when
//! the policy they were computed with changes), and counts per light and per due date for
//! the dashboards and rankings, so those pages read aggregates instead of every item.

use crate::entities::{item, light_index};
use crate::filter::{filter_condition, running_states};
use crate::{ItemFilter, Store, StoreResult, rows_per_statement};
use chrono::NaiveDate;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, TransactionTrait, Value,
};
use std::sync::Arc;
use uuid::Uuid;
use xiaohao_core::numbering::number_sort_key;
use xiaohao_core::{ItemState, Light, Policy};

/// Items per light, state, chain and lead unit on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LightCount {
    pub chain: Option<Uuid>,
    pub lead_unit: Option<Uuid>,
    pub state: String,
    pub light: Light,
    pub items: u64,
}

/// Items due on one day, per lead unit and chain (the days-late rankings weigh each due
/// date once with the policy's working-day count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCount {
    pub lead_unit: Option<Uuid>,
    pub chain: Option<Uuid>,
    pub due_on: NaiveDate,
    pub items: u64,
}

/// What [`Store::index_lights`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LightIndexRun {
    /// Rows read.
    pub read: u64,
    /// Rows whose dates changed.
    pub updated: u64,
    /// Every row was read (the policy changed, or the dates were never computed).
    pub full: bool,
}

/// chain, lead unit, state, items, red, yellow.
type CountRow = (Option<Uuid>, Option<Uuid>, String, i64, i64, i64);

/// One row's derived columns.
struct Derived {
    id: Uuid,
    near_on: Option<NaiveDate>,
    lagging_on: Option<NaiveDate>,
    number_sort: String,
}

/// Rows read per page while the dates are computed.
const PAGE: u64 = 2000;

/// The SQL light of a row on `today` (the twin of `xiaohao_core::light::light_on`), each
/// light written as `value` gives it.
pub(crate) fn light_expr(today: NaiveDate, value: impl Fn(Light) -> Expr) -> Expr {
    let st = |s: ItemState| item::Column::State.eq(s.as_str());
    let turned = |c: item::Column| Expr::col(c).lte(today);
    Expr::case(st(ItemState::Closed), value(Light::Blue))
        .case(
            item::Column::State.is_in([
                ItemState::Draft.as_str(),
                ItemState::Cancelled.as_str(),
                ItemState::Suspended.as_str(),
            ]),
            value(Light::Grey),
        )
        .case(item::Column::DueOn.is_null(), value(Light::Green))
        .case(item::Column::DueOn.lt(today), value(Light::Red))
        .case(
            turned(item::Column::NearDueOn).or(turned(item::Column::LaggingOn)),
            value(Light::Yellow),
        )
        .finally(value(Light::Green))
        .into()
}

impl Store {
    /// From now on the writer keeps the light dates of `policy` on every item row it
    /// writes, through this handle and every clone of it.
    pub fn use_policy(&self, policy: Arc<Policy>) {
        if let Ok(mut p) = self.lights.0.write() {
            *p = Some(policy);
        }
    }

    /// Compute the derived columns (light dates, 序号 sort key) of the rows that need them:
    /// every row when `fingerprint` (the policy's [`Policy::light_fingerprint`]) is not
    /// the one the dates were computed with, else only rows missing them (written before
    /// this version, or by a store without a policy).
    ///
    /// # Errors
    /// On database failure; without a policy ([`Store::use_policy`]) nothing is done.
    pub async fn index_lights(&self, fingerprint: &str) -> StoreResult<LightIndexRun> {
        let Some(policy) = self.lights.0.read().ok().and_then(|p| p.clone()) else {
            return Ok(LightIndexRun::default());
        };
        let stored = light_index::Entity::find_by_id(1)
            .one(&self.db)
            .await?
            .map(|r| r.fingerprint);
        let full = stored.as_deref() != Some(fingerprint);
        let mut run = LightIndexRun {
            full,
            ..LightIndexRun::default()
        };
        let mut after: Option<Uuid> = None;
        loop {
            let mut q = item::Entity::find().order_by_asc(item::Column::Id);
            if !full {
                q = q.filter(
                    Condition::any()
                        .add(item::Column::NumberSort.is_null())
                        .add(
                            Condition::all()
                                .add(item::Column::DueOn.is_not_null())
                                .add(item::Column::NearDueOn.is_null()),
                        ),
                );
            }
            if let Some(a) = after {
                q = q.filter(item::Column::Id.gt(a));
            }
            let rows = q.limit(PAGE).all(&self.db).await?;
            let changed: Vec<Derived> = rows
                .iter()
                .filter_map(|row| {
                    let it = crate::convert::item_from_row(row.clone(), Vec::new()).ok()?;
                    let d = policy.light_dates(&it);
                    let number = number_sort_key(row.number.as_deref().unwrap_or(""));
                    (d.near_on != row.near_due_on
                        || d.lagging_on != row.lagging_on
                        || row.number_sort.as_deref() != Some(number.as_str()))
                    .then_some(Derived {
                        id: row.id,
                        near_on: d.near_on,
                        lagging_on: d.lagging_on,
                        number_sort: number,
                    })
                })
                .collect();
            run.read += rows.len() as u64;
            run.updated += changed.len() as u64;
            self.set_derived(&changed).await?;
            match rows.last() {
                Some(last) if rows.len() as u64 == PAGE => after = Some(last.id),
                _ => break,
            }
        }
        if full {
            self.record_light_fingerprint(fingerprint).await?;
        }
        Ok(run)
    }

    /// Every row's light dates are the policy's (a bulk seed computed them).
    #[cfg(feature = "bench")]
    pub(crate) async fn index_lights_done(&self) -> StoreResult<()> {
        let policy = self.lights.0.read().ok().and_then(|p| p.clone());
        match policy {
            Some(p) => self.record_light_fingerprint(&p.light_fingerprint()).await,
            None => Ok(()),
        }
    }

    async fn record_light_fingerprint(&self, fingerprint: &str) -> StoreResult<()> {
        light_index::Entity::insert(light_index::ActiveModel {
            id: sea_orm::Set(1),
            fingerprint: sea_orm::Set(fingerprint.to_owned()),
        })
        .on_conflict(
            OnConflict::column(light_index::Column::Id)
                .update_column(light_index::Column::Fingerprint)
                .to_owned(),
        )
        .exec(&self.db)
        .await?;
        Ok(())
    }

    /// Set the derived columns of many rows, a multi-row statement at a time, in one
    /// transaction. Not a decision: no version, no event (nothing recorded changes).
    async fn set_derived(&self, rows: &[Derived]) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let backend = self.backend();
        let mark = |n: usize| {
            if backend == DbBackend::Postgres {
                format!("${n}")
            } else {
                format!("?{n}")
            }
        };
        // PostgreSQL does not type the parameters of a VALUES list from their use.
        let (id_t, date_t) = if backend == DbBackend::Postgres {
            ("::uuid", "::date")
        } else {
            ("", "")
        };
        let txn = self.db.begin().await?;
        for chunk in rows.chunks(rows_per_statement(backend, 4)) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
            let mut tuples = Vec::with_capacity(chunk.len());
            for row in chunk {
                values.push(Value::from(row.id));
                values.push(Value::from(row.near_on));
                values.push(Value::from(row.lagging_on));
                values.push(Value::from(row.number_sort.clone()));
                let n = values.len();
                tuples.push(format!(
                    "({}{id_t}, {}{date_t}, {}{date_t}, {})",
                    mark(n - 3),
                    mark(n - 2),
                    mark(n - 1),
                    mark(n)
                ));
            }
            let sql = format!(
                "WITH v(c0, c1, c2, c3) AS (VALUES {}) UPDATE items \
                 SET near_due_on = v.c1, lagging_on = v.c2, number_sort = v.c3 \
                 FROM v WHERE items.id = v.c0",
                tuples.join(", ")
            );
            txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Items matching `filter` per chain, lead unit, state and light on `today`. Grouped
    /// by chain, lead unit and state (the order of an index), each light summed in the
    /// group, so the database needs no sort.
    ///
    /// # Errors
    /// On database failure.
    pub async fn light_counts(
        &self,
        filter: &ItemFilter,
        today: NaiveDate,
    ) -> StoreResult<Vec<LightCount>> {
        // Red and yellow as `light_on` tells them for a running item; the state (a group
        // key) decides the rest below. One plain condition per sum: the whole light CASE per
        // row made the count ten times slower on SQLite. PostgreSQL sums integers as
        // numeric: the sums are read back as bigints.
        let count_if = |cond: Condition| {
            let one: Expr = Expr::case(cond, 1i64).finally(0i64).into();
            one.sum().cast_as("BIGINT")
        };
        let red = Condition::all().add(item::Column::DueOn.lt(today));
        let yellow = Condition::all().add(item::Column::DueOn.gte(today)).add(
            Condition::any()
                .add(item::Column::NearDueOn.lte(today))
                .add(item::Column::LaggingOn.lte(today)),
        );
        let rows: Vec<CountRow> = item::Entity::find()
            .select_only()
            .column(item::Column::ChainId)
            .column(item::Column::LeadUnitId)
            .column(item::Column::State)
            .column_as(Expr::col(Asterisk).count(), "n")
            .column_as(count_if(red), "red")
            .column_as(count_if(yellow), "yellow")
            .filter(filter_condition(filter))
            .group_by(item::Column::ChainId)
            .group_by(item::Column::LeadUnitId)
            .group_by(item::Column::State)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len() * 2);
        for (chain, lead_unit, state, n, red, yellow) in rows {
            let parsed: ItemState = state.parse().map_err(crate::StoreError::Corrupt)?;
            let count = |n: i64| u64::try_from(n).unwrap_or(0);
            let mut push = |light: Light, items: u64| {
                if items > 0 {
                    out.push(LightCount {
                        chain,
                        lead_unit,
                        state: state.clone(),
                        light,
                        items,
                    });
                }
            };
            let (n, red, yellow) = (count(n), count(red), count(yellow));
            match parsed {
                ItemState::Closed => push(Light::Blue, n),
                s if !xiaohao_core::light::running(s) => push(Light::Grey, n),
                _ => {
                    push(Light::Red, red);
                    push(Light::Yellow, yellow);
                    push(Light::Green, n.saturating_sub(red + yellow));
                }
            }
        }
        Ok(out)
    }

    /// Running items matching `filter` and due before `today` (red), per lead unit, chain
    /// and due date.
    ///
    /// # Errors
    /// On database failure.
    pub async fn late_by_due_date(
        &self,
        filter: &ItemFilter,
        today: NaiveDate,
    ) -> StoreResult<Vec<DueCount>> {
        let rows: Vec<(Option<Uuid>, Option<Uuid>, NaiveDate, i64)> = item::Entity::find()
            .select_only()
            .column(item::Column::LeadUnitId)
            .column(item::Column::ChainId)
            .column(item::Column::DueOn)
            .column_as(Expr::col(Asterisk).count(), "n")
            .filter(filter_condition(filter))
            .filter(item::Column::State.is_in(running_states()))
            .filter(item::Column::DueOn.lt(today))
            .group_by(item::Column::LeadUnitId)
            .group_by(item::Column::ChainId)
            .group_by(item::Column::DueOn)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(lead_unit, chain, due_on, n)| DueCount {
                lead_unit,
                chain,
                due_on,
                items: u64::try_from(n).unwrap_or(0),
            })
            .collect())
    }
}
