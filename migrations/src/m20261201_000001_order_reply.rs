//! A 督办单 asks the lead unit for a written reply by a date (working days from the step).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("supervision_orders")
                .add_column(date_null("reply_due"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("supervision_orders")
                .drop_column("reply_due")
                .to_owned(),
        )
        .await
    }
}
