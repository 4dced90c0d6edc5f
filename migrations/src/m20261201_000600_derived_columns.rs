//! What pages need to select, count and sort in SQL instead of reading every item.
//!
//! - `items.near_due_on`, `items.lagging_on`: the days the item's traffic light turns
//!   yellow (the due date enters the window; progress falls behind 序时进度). With the due
//!   date they decide the light on any day. They come from the policy, so the store's one
//!   writer keeps them, and rows written before this migration are filled in when the
//!   engine starts; `light_index` remembers the policy they were computed with, and a
//!   changed policy (a new calendar year, other thresholds) computes them again.
//! - `items.number_sort`: the numbers the printed 序号 carries, as text that sorts as they
//!   do, for the ledger sorted by 序号.
//! - an index on `events.kind`: the rare refusals and reopenings a unit's 待办 lists.
//! - an index that covers the light counts (chain, lead unit, state and the light's
//!   columns, then the owner an office's scope asks for): the dashboards count from it in
//!   its order without reading the rows.

use crate::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            date_null("near_due_on"),
            date_null("lagging_on"),
            string_null("number_sort"),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("items")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("light_index")
                .col(integer("id").primary_key())
                .col(string_len("fingerprint", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(index("events", "kind", &["kind"], false))
            .await?;
        m.create_index(index(
            "items",
            "light_counts",
            &[
                "chain_id",
                "lead_unit_id",
                "state",
                "due_on",
                "near_due_on",
                "lagging_on",
                "owner_unit_id",
            ],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_items_light_counts")
                .table("items")
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("ix_events_kind")
                .table("events")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("light_index").to_owned())
            .await?;
        for c in ["number_sort", "lagging_on", "near_due_on"] {
            m.alter_table(Table::alter().table("items").drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
