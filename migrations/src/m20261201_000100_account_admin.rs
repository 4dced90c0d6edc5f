//! Account administration: a forced password change after an administrator's reset, the
//! time of the last login, and calendar-feed tokens kept as SHA-256 hashes only. Existing
//! feed tokens are hashed in place, so subscribed calendars keep working.

use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};
use sha2::{Digest, Sha256};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(boolean("must_change_password").default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(timestamp_with_time_zone_null("last_login_at"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("unit_feeds")
                .rename_column("token", "token_hash")
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT unit_id, token_hash FROM unit_feeds",
            ))
            .await?;
        for row in rows {
            let unit: uuid::Uuid = row.try_get("", "unit_id")?;
            let plain: String = row.try_get("", "token_hash")?;
            let hashed = hex::encode(Sha256::digest(plain.as_bytes()));
            let update = Query::update()
                .table("unit_feeds")
                .value("token_hash", hashed)
                .and_where(Expr::col("unit_id").eq(unit))
                .to_owned();
            db.execute(&update).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Hashes cannot be turned back into tokens: the feeds are dropped, and a new one
        // is issued on the next visit.
        let db = m.get_connection();
        db.execute(&Query::delete().from_table("unit_feeds").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("unit_feeds")
                .rename_column("token_hash", "token")
                .to_owned(),
        )
        .await?;
        for c in ["last_login_at", "must_change_password"] {
            m.alter_table(Table::alter().table("users").drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
