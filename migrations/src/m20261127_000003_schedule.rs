//! Supervision over time: the effective due date of items, reporting duties, cycle
//! occurrences (claimed once across instances), escalation steps fired (once per subject,
//! due date and step) and 督办单 records.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The due date the ladder works on: the deadline, an SLA milestone, extended by
        // suspensions. `deadline` stays as printed in the plan.
        m.alter_table(
            Table::alter()
                .table("items")
                .add_column(date_null("due_on"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("items", "state_due", &["state", "due_on"], false))
            .await?;
        // The head of the item's event chain, kept on the row so a command appends its
        // event without reading the log; guarded by the same version check.
        m.alter_table(
            Table::alter()
                .table("items")
                .add_column(big_integer("last_seq").default(0))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("items")
                .add_column(string_len("last_hash", 64).default(""))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE items SET \
                 last_seq = COALESCE((SELECT MAX(e.seq) FROM events e WHERE e.item_id = items.id), 0), \
                 last_hash = COALESCE((SELECT e.hash FROM events e WHERE e.item_id = items.id ORDER BY e.seq DESC LIMIT 1), '')",
            )
            .await?;

        m.create_table(
            Table::create()
                .table("cycle_occurrences")
                .col(string_len("cycle_key", 64))
                .col(string_len("period_key", 16))
                .col(timestamp_with_time_zone("scheduled_at"))
                .col(timestamp_with_time_zone("fired_at"))
                .col(integer("duties_created"))
                .primary_key(Index::create().col("cycle_key").col("period_key"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("duties")
                .col(pk_uuid("id"))
                .col(string_len("cycle_key", 64))
                .col(string_len("period_key", 16))
                .col(string_len("kind", 32))
                .col(uuid("unit_id"))
                .col(uuid_null("item_id"))
                // Uniqueness of (cycle, period, unit, item) without NULL pitfalls.
                .col(string_len_uniq("subject_key", 200))
                .col(string_len("title", 300))
                .col(date("opens_on"))
                .col(date("due_on"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(text_null("report_text"))
                .col(integer("escalation_level"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "duties",
                    "unit_id",
                    "units",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "duties",
                    "item_id",
                    "items",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("duties", "status_due", &["status", "due_on"], false))
            .await?;
        m.create_index(index(
            "duties",
            "unit_status",
            &["unit_id", "status"],
            false,
        ))
        .await?;
        m.create_index(index(
            "duties",
            "item_period",
            &["item_id", "period_key"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("escalation_fires")
                .col(pk_uuid("id"))
                // "item" or "duty"
                .col(string_len("subject_kind", 16))
                .col(uuid("subject_id"))
                .col(uuid_null("item_id"))
                .col(uuid_null("unit_id"))
                .col(date("due_on"))
                .col(string_len("step", 32))
                .col(integer("level"))
                .col(integer("working_days_late"))
                .col(timestamp_with_time_zone("fired_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "escalation_fires",
            "once",
            &["subject_id", "due_on", "step"],
            true,
        ))
        .await?;
        m.create_index(index("escalation_fires", "fired", &["fired_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("supervision_orders")
                .col(pk_uuid("id"))
                .col(uuid("item_id"))
                .col(uuid("fire_id"))
                .col(string_len("step", 32))
                .col(date("due_on"))
                .col(integer("working_days_late"))
                .col(text("text"))
                .col(timestamp_with_time_zone("issued_at"))
                .foreign_key(&mut fk(
                    "supervision_orders",
                    "item_id",
                    "items",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("supervision_orders", "item", &["item_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "supervision_orders",
            "escalation_fires",
            "duties",
            "cycle_occurrences",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.drop_index(
            Index::drop()
                .name("ix_items_state_due")
                .table("items")
                .to_owned(),
        )
        .await?;
        for c in ["due_on", "last_seq", "last_hash"] {
            m.alter_table(Table::alter().table("items").drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
