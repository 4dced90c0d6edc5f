//! One index that answers the workbench's lists by state and light without reading rows.
//!
//! Every 待办 section and light filter selects running items by state and due date, then
//! by the light dates, the scope (chain, lead unit, owner) and orders by creation or due
//! date. `ix_items_state_due` found the rows, but each match was then read from the table
//! (the rows' `id` too: SQLite's secondary indexes carry the rowid, not the primary key).
//! This index holds all of those columns, so the lists count, filter and sort from it; it
//! replaces `ix_items_state_due`, whose columns are its first two.

use crate::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 9] = [
    "state",
    "due_on",
    "near_due_on",
    "lagging_on",
    "chain_id",
    "lead_unit_id",
    "owner_unit_id",
    "created_at",
    "id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("items", "state_light", &COLUMNS, false))
            .await?;
        m.drop_index(
            Index::drop()
                .name("ix_items_state_due")
                .table("items")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("items", "state_due", &["state", "due_on"], false))
            .await?;
        m.drop_index(
            Index::drop()
                .name("ix_items_state_light")
                .table("items")
                .to_owned(),
        )
        .await
    }
}
