//! Items, their co-units, targets and actuals, progress reports, the event log, the outbox.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("items")
                .col(pk_uuid("id"))
                .col(string_len("kind", 16))
                .col(string_len_null("number", 64))
                .col(text("title"))
                .col(text("text"))
                .col(uuid_null("plan_id"))
                .col(uuid_null("chain_id"))
                .col(uuid_null("owner_unit_id"))
                .col(uuid_null("lead_unit_id"))
                .col(uuid_null("leader_id"))
                .col(date_null("deadline"))
                .col(string_len_null("deadline_text", 200))
                .col(string_len_null("grade", 64))
                .col(string_len_null("class", 16))
                .col(string_len("state", 32))
                .col(string_len_null("suspended_from", 32))
                .col(integer("escalation_level"))
                .col(uuid_null("closure_requested_by"))
                .col(integer_null("progress_percent"))
                .col(big_integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .foreign_key(&mut fk(
                    "items",
                    "plan_id",
                    "plans",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "items",
                    "chain_id",
                    "chains",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "items",
                    "owner_unit_id",
                    "units",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "items",
                    "lead_unit_id",
                    "units",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "items",
                    "leader_id",
                    "people",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "items",
            "state_deadline",
            &["state", "deadline"],
            false,
        ))
        .await?;
        m.create_index(index(
            "items",
            "lead_state",
            &["lead_unit_id", "state"],
            false,
        ))
        .await?;
        m.create_index(index("items", "chain", &["chain_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("item_co_units")
                .col(uuid("item_id"))
                .col(uuid("unit_id"))
                .col(integer("position"))
                .primary_key(Index::create().col("item_id").col("unit_id"))
                .foreign_key(&mut fk(
                    "item_co_units",
                    "item_id",
                    "items",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "item_co_units",
                    "unit_id",
                    "units",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("item_co_units", "unit", &["unit_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("item_targets")
                .col(pk_uuid("id"))
                .col(uuid("item_id"))
                .col(string_len("metric", 200))
                .col(double("value"))
                .col(string_len("unit", 32))
                .col(integer_null("year"))
                .col(string_len_null("cmp", 4))
                .foreign_key(&mut fk(
                    "item_targets",
                    "item_id",
                    "items",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("item_targets", "item", &["item_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("progress_reports")
                .col(pk_uuid("id"))
                .col(uuid("item_id"))
                .col(big_integer("event_seq"))
                .col(string_len("period", 16))
                .col(text("text"))
                .col(integer_null("percent"))
                .col(text("actuals"))
                .col(text("attachments"))
                .col(uuid_null("unit_id"))
                .col(timestamp_with_time_zone("reported_at"))
                .foreign_key(&mut fk(
                    "progress_reports",
                    "item_id",
                    "items",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "progress_reports",
            "item_period",
            &["item_id", "period"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("events")
                .col(uuid("item_id"))
                .col(big_integer("seq"))
                .col(string_len("kind", 32))
                .col(string_len_null("from_state", 32))
                .col(string_len("to_state", 32))
                .col(uuid_null("actor_unit_id"))
                .col(string_len("actor_role", 32))
                .col(string_len("actor_name", 200))
                .col(text("payload"))
                .col(timestamp_with_time_zone("at"))
                .col(char_len("prev_hash", 64))
                .col(char_len("hash", 64))
                .primary_key(Index::create().col("item_id").col("seq"))
                .foreign_key(&mut fk(
                    "events",
                    "item_id",
                    "items",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("events", "at", &["at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("outbox")
                .col(pk_uuid("id"))
                .col(string_len_uniq("dedupe_key", 300))
                .col(string_len("kind", 64))
                .col(uuid("recipient_unit_id"))
                .col(uuid_null("item_id"))
                .col(boolean("urgent"))
                .col(text("payload"))
                .col(string_len("status", 16))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .foreign_key(&mut fk(
                    "outbox",
                    "recipient_unit_id",
                    "units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "outbox",
            "status_next",
            &["status", "next_attempt_at"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "outbox",
            "events",
            "progress_reports",
            "item_targets",
            "item_co_units",
            "items",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
