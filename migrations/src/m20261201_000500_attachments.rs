//! Evidence files (佐证材料): one row per upload, beside the item it was uploaded on. The
//! bytes live in the object store under their SHA-256; events that reference a file carry
//! that hash in their payload.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("attachments")
                .col(pk_uuid("id"))
                .col(uuid("item_id"))
                .col(string_len("sha256", 64))
                .col(string_len("name", 255))
                .col(big_integer("size"))
                .col(string_len("content_type", 100))
                .col(uuid("uploaded_by_unit"))
                // The account is kept as a plain id: an account may be removed, its uploads stay.
                .col(uuid_null("uploaded_by_account"))
                .col(string_len("uploader_role", 16))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "attachments",
                    "item_id",
                    "items",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "attachments",
                    "uploaded_by_unit",
                    "units",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "attachments",
            "item",
            &["item_id", "created_at"],
            false,
        ))
        .await?;
        m.create_index(index("attachments", "sha256", &["sha256"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("attachments").to_owned())
            .await
    }
}
