//! 延期申请: the deadline a pending extension request asks for, kept on the item until the
//! office answers (so at most one waits, and the office's 待办 finds them by one column).

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
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("items")
                .drop_column("extension_requested")
                .to_owned(),
        )
        .await
    }
}
