//! 延期申请 and 批示 on the item: the deadline a pending extension request asks for, kept
//! until the office answers (so at most one waits, and the office's 待办 finds them by one
//! column), and when the open 批示 was written, kept until the lead unit answers it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("items")
                .add_column(date_null("extension_requested"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("items")
                .add_column(timestamp_with_time_zone_null("instructed_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("items")
                .drop_column("instructed_at")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("items")
                .drop_column("extension_requested")
                .to_owned(),
        )
        .await
    }
}
