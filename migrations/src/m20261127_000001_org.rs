//! The organisation: units and their aliases, people, plans, chains.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("units")
                .col(pk_uuid("id"))
                .col(string_len_uniq("name", 200))
                .col(string_len("kind", 32))
                .col(string_len_null("level", 16))
                .col(uuid_null("parent_id"))
                .col(text("emails"))
                .col(boolean("needs_review"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "units",
                    "parent_id",
                    "units",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("unit_aliases")
                .col(string_len("alias", 200).primary_key())
                .col(uuid("unit_id"))
                .foreign_key(&mut fk(
                    "unit_aliases",
                    "unit_id",
                    "units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("unit_aliases", "unit", &["unit_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("people")
                .col(pk_uuid("id"))
                .col(string_len("name", 100))
                .col(string_len_null("title", 200))
                .col(uuid_null("unit_id"))
                .col(string_len_null("email", 320))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "people",
                    "unit_id",
                    "units",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("people", "name", &["name"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("plans")
                .col(pk_uuid("id"))
                .col(text("title"))
                .col(string_len_null("doc_number", 200))
                .col(string_len_null("issuer", 200))
                .col(date_null("issued_on"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("chains")
                .col(pk_uuid("id"))
                .col(string_len("name", 200))
                .col(uuid_null("parent_id"))
                .col(uuid_null("plan_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "chains",
                    "parent_id",
                    "chains",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "chains",
                    "plan_id",
                    "plans",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("chains", "parent", &["parent_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("chain_leaders")
                .col(uuid("chain_id"))
                .col(uuid("person_id"))
                .primary_key(Index::create().col("chain_id").col("person_id"))
                .foreign_key(&mut fk(
                    "chain_leaders",
                    "chain_id",
                    "chains",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "chain_leaders",
                    "person_id",
                    "people",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("chain_units")
                .col(uuid("chain_id"))
                .col(uuid("unit_id"))
                .col(string_len("role", 16))
                .primary_key(Index::create().col("chain_id").col("unit_id").col("role"))
                .foreign_key(&mut fk(
                    "chain_units",
                    "chain_id",
                    "chains",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "chain_units",
                    "unit_id",
                    "units",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("chain_units", "unit", &["unit_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "chain_units",
            "chain_leaders",
            "chains",
            "plans",
            "people",
            "unit_aliases",
            "units",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
