//! The order of a page of items, in SQL: the ledger's sortable columns, each as the
//! database can order it so that a sorted page reads only its own rows. Text columns
//! compare by code point (as Rust strings do), 序号 by the numbers it carries, days late by
//! due date (an earlier due date is never fewer working days late), the light by the
//! policy's rule over the stored light dates.

use crate::entities::item;
use crate::filter::running_states;
use crate::lights::light_expr;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, DbBackend, Order, QueryOrder, Select};
use std::str::FromStr;
use xiaohao_core::{ItemState, Light};

/// A ledger column the page sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// 序号 as printed, read as numbers: (二) before (十二).
    Number,
    Title,
    Lead,
    Chain,
    State,
    Deadline,
    /// 逾期(工作日), the policy's count.
    DaysLate,
    /// Red first, as the policy colours.
    Light,
    Level,
    Percent,
}

impl SortKey {
    pub const ALL: [SortKey; 10] = [
        Self::Number,
        Self::Title,
        Self::Lead,
        Self::Chain,
        Self::State,
        Self::Deadline,
        Self::DaysLate,
        Self::Light,
        Self::Level,
        Self::Percent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Title => "title",
            Self::Lead => "lead",
            Self::Chain => "chain",
            Self::State => "state",
            Self::Deadline => "deadline",
            Self::DaysLate => "late",
            Self::Light => "light",
            Self::Level => "level",
            Self::Percent => "percent",
        }
    }
}

impl FromStr for SortKey {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| format!("`{s}` is not a ledger column"))
    }
}

/// A column and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerSort {
    pub key: SortKey,
    pub descending: bool,
}

/// The order of a page of items. Ties fall back to the filing time and the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ItemOrder {
    /// Newest first.
    #[default]
    Newest,
    /// The earliest due date first (none last), then by id.
    Due,
    /// The longest unchanged first (the oldest last change), then by id.
    OldestChange,
    /// By a ledger column on `today` (days late and the light depend on the day); an empty
    /// cell sorts last either way.
    By { sort: LedgerSort, today: NaiveDate },
}

/// The rank of a light in its column: red first.
fn light_rank(l: Light) -> i32 {
    match l {
        Light::Red => 0,
        Light::Yellow => 1,
        Light::Green => 2,
        Light::Blue => 3,
        Light::Grey => 4,
    }
}

/// `column` compared by code point: PostgreSQL would otherwise use the database's locale.
fn by_code_point(backend: DbBackend, sql: &str) -> Expr {
    if backend == DbBackend::Postgres {
        Expr::cust(format!("{sql} COLLATE \"C\""))
    } else {
        Expr::cust(sql.to_owned())
    }
}

/// A name looked up by the row's id in `table` (the lead unit's, the chain's).
fn name_of(table: &str, column: &str) -> String {
    format!("(SELECT name FROM {table} WHERE {table}.id = items.{column})")
}

fn expr(case: sea_orm::sea_query::CaseStatement) -> Expr {
    case.into()
}

/// `query` in `order`.
pub(crate) fn ordered(
    query: Select<item::Entity>,
    order: ItemOrder,
    backend: DbBackend,
) -> Select<item::Entity> {
    let (sort, today) = match order {
        ItemOrder::Newest => {
            return query
                .order_by_desc(item::Column::CreatedAt)
                .order_by_asc(item::Column::Id);
        }
        ItemOrder::Due => {
            return query
                .order_by_asc(expr(
                    Expr::case(item::Column::DueOn.is_null(), 1).finally(0),
                ))
                .order_by_asc(item::Column::DueOn)
                .order_by_asc(item::Column::Id);
        }
        ItemOrder::OldestChange => {
            return query
                .order_by_asc(item::Column::UpdatedAt)
                .order_by_asc(item::Column::Id);
        }
        ItemOrder::By { sort, today } => (sort, today),
    };
    let dir = if sort.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    // Empty cells last in both directions, before the column itself.
    let empty_last =
        |e: Expr| -> Expr { expr(Expr::case(e.clone().is_null().or(e.eq("")), 1).finally(0)) };
    let query = match sort.key {
        SortKey::Number => query
            .order_by(Expr::col(item::Column::NumberSort), dir.clone())
            .order_by(by_code_point(backend, "COALESCE(items.number, '')"), dir),
        SortKey::Title => query
            .order_by(empty_last(Expr::col(item::Column::Title)), Order::Asc)
            .order_by(by_code_point(backend, "items.title"), dir),
        SortKey::Lead | SortKey::Chain => {
            let name = if sort.key == SortKey::Lead {
                name_of("units", "lead_unit_id")
            } else {
                name_of("chains", "chain_id")
            };
            query
                .order_by(empty_last(Expr::cust(name.clone())), Order::Asc)
                .order_by(by_code_point(backend, &name), dir)
        }
        SortKey::State => {
            let mut case = sea_orm::sea_query::CaseStatement::new();
            for (i, s) in ItemState::ALL.iter().enumerate() {
                case = case.case(
                    item::Column::State.eq(s.as_str()),
                    i32::try_from(i).unwrap_or(0),
                );
            }
            query.order_by(expr(case.finally(99)), dir)
        }
        SortKey::Deadline => query
            .order_by(
                expr(Expr::case(item::Column::Deadline.is_null(), 1).finally(0)),
                dir.clone(),
            )
            .order_by(item::Column::Deadline, dir),
        SortKey::DaysLate => {
            let late = Condition::all()
                .add(item::Column::State.is_in(running_states()))
                .add(item::Column::DueOn.lt(today));
            // Most days late first: late rows (0) by due date, then the rest (1); the
            // other way round for the fewest first.
            let (late_rank, due) = if sort.descending {
                (Expr::case(late.clone(), 0).finally(1), Order::Asc)
            } else {
                (Expr::case(late.clone(), 1).finally(0), Order::Desc)
            };
            let late_due = expr(
                Expr::case(late, Expr::col(item::Column::DueOn))
                    .finally(Expr::val(None::<NaiveDate>)),
            );
            query
                .order_by(expr(late_rank), Order::Asc)
                .order_by(late_due, due)
        }
        SortKey::Light => query.order_by(light_expr(today, |l| Expr::val(light_rank(l))), dir),
        SortKey::Level => query.order_by(item::Column::EscalationLevel, dir),
        SortKey::Percent => query.order_by(Expr::cust("COALESCE(items.progress_percent, -1)"), dir),
    };
    query
        .order_by_asc(item::Column::CreatedAt)
        .order_by_asc(item::Column::Id)
}
