//! Mail delivery: claim leases on outbox rows and the digest a row was folded into.
//!
//! - `claim_token`/`claimed_until`: a worker that claims a row writes a fresh token and a
//!   lease end; only the holder of the token may mark the row sent or failed, and a row whose
//!   lease has ended (the worker died) can be claimed again.
//! - `message_key`: the dedupe key of the message a row actually went out in — its own key,
//!   or the key of the daily digest (`digest:{unit}:{date}`) it was folded into.

use crate::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for col in [
            uuid_null("claim_token"),
            timestamp_with_time_zone_null("claimed_until"),
            string_len_null("message_key", 300),
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
        m.create_index(index("outbox", "message_key", &["message_key"], false))
            .await?;
        m.create_index(index(
            "outbox",
            "recipient_status",
            &["recipient_unit_id", "status"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for ix in ["ix_outbox_message_key", "ix_outbox_recipient_status"] {
            m.drop_index(Index::drop().name(ix).table("outbox").to_owned())
                .await?;
        }
        for col in ["message_key", "claimed_until", "claim_token"] {
            m.alter_table(Table::alter().table("outbox").drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
