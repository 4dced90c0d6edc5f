//! 通报 as documents: drafts (figures frozen at drafting, fields the office edits) and
//! issued bulletins (numbered per office and year without gaps, the document frozen), and
//! the chain of seals of issued bulletins that `audit verify` checks.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bulletins")
                .col(pk_uuid("id"))
                // The issuing office (发文机关).
                .col(uuid("office_id"))
                .col(string_len("office_name", 200))
                .col(string_len("kind", 16))
                .col(string_len("period_label", 16))
                .col(date("period_from"))
                .col(date("period_to"))
                .col(string_len("status", 16))
                .col(big_integer("version"))
                // JSON of `xiaohao_core::bulletin::Facts`, frozen at drafting.
                .col(text("facts"))
                // JSON of the figures sheet (the .xlsx download), frozen with the facts.
                .col(text("figures"))
                .col(string_len("title", 400))
                .col(text("recipients"))
                .col(text("requirements"))
                .col(string_len("contact", 400))
                .col(string_len("doc_prefix", 100))
                .col(string_len("created_by", 200))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer_null("issued_year"))
                .col(integer_null("issued_seq"))
                .col(string_len_null("doc_number", 200))
                .col(string_len_null("issued_by", 200))
                .col(timestamp_with_time_zone_null("issued_at"))
                .col(date_null("issued_on"))
                // The issued document as canonical JSON: what was sealed.
                .col(text_null("document"))
                .col(string_len_null("content_hash", 64))
                .foreign_key(&mut fk(
                    "bulletins",
                    "office_id",
                    "units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // 文号 without duplicates per office and year (drafts carry NULLs).
        m.create_index(index(
            "bulletins",
            "number",
            &["office_id", "issued_year", "issued_seq"],
            true,
        ))
        .await?;
        m.create_index(index(
            "bulletins",
            "office",
            &["office_id", "created_at"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("bulletin_seals")
                .col(big_integer("seq").primary_key())
                .col(uuid_uniq("bulletin_id"))
                // Unique: two issues racing for the same place cannot fork the chain.
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
        for t in ["bulletin_seals", "bulletins"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
