//! Accounts: users (each belongs to a unit and has one role), revocable session and API
//! tokens (stored only as SHA-256 hashes), and per-unit calendar feed tokens.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("users")
                .col(pk_uuid("id"))
                .col(string_len_uniq("username", 100))
                .col(string_len("display_name", 200))
                .col(uuid("unit_id"))
                .col(string_len("role", 16))
                .col(uuid_null("person_id"))
                .col(text("password_hash"))
                .col(boolean("disabled"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "users",
                    "unit_id",
                    "units",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "users",
                    "person_id",
                    "people",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("users", "unit", &["unit_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("auth_tokens")
                // SHA-256 of the secret, hex: a leaked table does not leak sessions.
                .col(string_len("token_hash", 64).primary_key())
                .col(uuid("user_id"))
                // `session` (browser cookie) or `api` (bearer token)
                .col(string_len("kind", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "auth_tokens",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("auth_tokens", "user", &["user_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("unit_feeds")
                .col(uuid("unit_id").primary_key())
                .col(string_len_uniq("token", 64))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "unit_feeds",
                    "unit_id",
                    "units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["unit_feeds", "auth_tokens", "users"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
