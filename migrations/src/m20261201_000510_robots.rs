//! Webhook robots beside e-mail (企业微信群机器人, 钉钉自定义机器人).
//!
//! - `unit_channels`: a unit's robots — kind, webhook address, the optional DingTalk 加签
//!   secret; a removed robot keeps its row (`removed_at`) so the messages still queued for
//!   it can say why they were not sent.
//! - `outbox.channel_id`: the robot a row goes to; `NULL` is the e-mail row, which is what a
//!   change writes. `outbox.fanned_out`: the e-mail row's copies for the recipient's robots
//!   have been written (one row per robot, dedupe key `{key}|robot:{channel}`). Rows that
//!   exist before this migration count as fanned out.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("unit_channels")
                .col(pk_uuid("id"))
                .col(uuid("unit_id"))
                .col(string_len("kind", 16))
                .col(string_len("webhook_url", 500))
                .col(string_len_null("secret", 200))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("removed_at"))
                .foreign_key(&mut fk(
                    "unit_channels",
                    "unit_id",
                    "units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("unit_channels", "unit", &["unit_id"], false))
            .await?;
        // SQLite alters one column per statement.
        for col in [
            uuid_null("channel_id"),
            boolean("fanned_out").default(false).to_owned(),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("outbox")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.exec_stmt(
            Query::update()
                .table("outbox")
                .value("fanned_out", true)
                .to_owned(),
        )
        .await?;
        m.create_index(index("outbox", "fanned_out", &["fanned_out"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_outbox_fanned_out")
                .table("outbox")
                .to_owned(),
        )
        .await?;
        for col in ["fanned_out", "channel_id"] {
            m.alter_table(Table::alter().table("outbox").drop_column(col).to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table("unit_channels").to_owned())
            .await
    }
}
