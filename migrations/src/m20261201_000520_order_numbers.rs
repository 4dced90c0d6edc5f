//! 督办单 as documents: each order is numbered per issuing office and year (督〔2026〕12号,
//! the format is the policy's), without gaps or duplicates — a counter row per (office,
//! year) is advanced in the same transaction as the order it numbers — and the lead unit's
//! 督办回复 closes it (when, with what text, at which event of the item).
//!
//! Orders issued before this migration are numbered here, per (the item's keeping office,
//! year of issue in Asia/Shanghai), in the order they were issued, and the counters start
//! after them; an item without a keeping office numbers under the nil office.

use crate::index;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};
use std::collections::BTreeMap;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            uuid_null("office_unit_id"),
            integer_null("number_year"),
            integer_null("number_seq"),
            timestamp_with_time_zone_null("answered_at"),
            text_null("answer_text"),
            big_integer_null("answer_seq"),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("supervision_orders")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("order_counters")
                .col(uuid("office_unit_id"))
                .col(integer("year"))
                .col(integer("last"))
                .primary_key(Index::create().col("office_unit_id").col("year"))
                .to_owned(),
        )
        .await?;
        // No number twice for one office and year, whatever writes it.
        m.create_index(index(
            "supervision_orders",
            "number",
            &["office_unit_id", "number_year", "number_seq"],
            true,
        ))
        .await?;
        // The open orders (a unit's 待办, the late-reply sweep).
        m.create_index(index(
            "supervision_orders",
            "open",
            &["answered_at", "reply_due"],
            false,
        ))
        .await?;
        number_existing(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for ix in ["ix_supervision_orders_number", "ix_supervision_orders_open"] {
            m.drop_index(
                Index::drop()
                    .name(ix)
                    .table("supervision_orders")
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table("order_counters").to_owned())
            .await?;
        for c in [
            "answer_seq",
            "answer_text",
            "answered_at",
            "number_seq",
            "number_year",
            "office_unit_id",
        ] {
            m.alter_table(
                Table::alter()
                    .table("supervision_orders")
                    .drop_column(c)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

/// Number the orders issued so far in issue order, and set the counters after them.
async fn number_existing(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = db.get_database_backend();
    let year = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "CAST(EXTRACT(YEAR FROM o.issued_at AT TIME ZONE 'Asia/Shanghai') AS INTEGER)"
        }
        _ => "CAST(strftime('%Y', o.issued_at, '+8 hours') AS INTEGER)",
    };
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT o.id AS id, i.owner_unit_id AS office, {year} AS year \
                 FROM supervision_orders o JOIN items i ON i.id = o.item_id \
                 ORDER BY o.issued_at, o.id"
            ),
        ))
        .await?;
    let mut counters: BTreeMap<(uuid::Uuid, i32), i32> = BTreeMap::new();
    for row in rows {
        let id: uuid::Uuid = row.try_get("", "id")?;
        let office: Option<uuid::Uuid> = row.try_get("", "office")?;
        let year: i32 = row.try_get("", "year")?;
        let office = office.unwrap_or(uuid::Uuid::nil());
        let seq = counters.entry((office, year)).or_insert(0);
        *seq += 1;
        let update = Query::update()
            .table("supervision_orders")
            .value("office_unit_id", office)
            .value("number_year", year)
            .value("number_seq", *seq)
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        db.execute(&update).await?;
    }
    for ((office, year), last) in counters {
        let insert = Query::insert()
            .into_table("order_counters")
            .columns(["office_unit_id", "year", "last"])
            .values_panic([office.into(), year.into(), last.into()])
            .to_owned();
        db.execute(&insert).await?;
    }
    Ok(())
}
