//! 对账单: reconciliation statements (one per unit and period), their lines (a frozen
//! snapshot of each item plus what unit and office did to it), and the chain of seals of
//! countersigned statements that `audit verify` checks.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("statements")
                .col(pk_uuid("id"))
                .col(string_len("cycle_key", 64))
                .col(string_len("period_key", 16))
                .col(uuid("unit_id"))
                .col(string_len("unit_name", 200))
                .col(string_len("title", 300))
                .col(date("opens_on"))
                .col(date("due_on"))
                .col(string_len("status", 16))
                // Every act bumps it: acts decided on a stale read are refused (409).
                .col(big_integer("version"))
                // The duty that carries the unit's signature through the ladder.
                .col(uuid_null("duty_id"))
                .col(string_len_null("signed_by", 200))
                .col(timestamp_with_time_zone_null("signed_at"))
                .col(string_len_null("countersigned_by", 200))
                .col(uuid_null("countersigned_unit_id"))
                .col(timestamp_with_time_zone_null("countersigned_at"))
                .col(string_len_null("content_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "statements",
                    "unit_id",
                    "units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // Exactly one statement per unit and period, however many instances tick.
        m.create_index(index(
            "statements",
            "once",
            &["cycle_key", "period_key", "unit_id"],
            true,
        ))
        .await?;
        m.create_index(index("statements", "unit", &["unit_id", "opens_on"], false))
            .await?;
        m.create_index(index("statements", "status", &["status", "due_on"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("statement_lines")
                .col(pk_uuid("id"))
                .col(uuid("statement_id"))
                .col(integer("seq"))
                // No foreign key: a frozen line outlives whatever becomes of the item.
                .col(uuid("item_id"))
                .col(uuid_null("owner_unit_id"))
                .col(text("snapshot"))
                .col(string_len("verdict", 16))
                .col(string_len_null("reason", 32))
                .col(text_null("note"))
                .col(text("attachments"))
                .col(timestamp_with_time_zone_null("marked_at"))
                .col(text_null("answer"))
                .col(string_len_null("answered_by", 200))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(text_null("after"))
                .foreign_key(&mut fk(
                    "statement_lines",
                    "statement_id",
                    "statements",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "statement_lines",
            "seq",
            &["statement_id", "seq"],
            true,
        ))
        .await?;
        // The office's list of disputes to answer.
        m.create_index(index(
            "statement_lines",
            "owner_verdict",
            &["owner_unit_id", "verdict"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("statement_seals")
                .col(big_integer("seq").primary_key())
                .col(uuid_uniq("statement_id"))
                // Unique: each seal has at most one successor, so two countersignatures
                // racing for the same place cannot fork the chain.
                .col(string_len_uniq("prev_hash", 64))
                .col(string_len("hash", 64))
                .col(text("content"))
                .col(timestamp_with_time_zone("sealed_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["statement_seals", "statement_lines", "statements"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
