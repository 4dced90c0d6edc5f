//! Database migrations for Xiaohao, one file per migration. The same DSL serves SQLite and
//! PostgreSQL; the service runs them at start and through `xiaohao migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_org;
mod m20261127_000002_items;
mod m20261127_000003_schedule;
mod m20261127_000004_mail;
mod m20261127_000005_accounts;
mod m20261201_000001_order_reply;
mod m20261201_000010_statements;
mod m20261201_000100_account_admin;
mod m20261201_000200_unit_contact;
mod m20261201_000300_bulletins;
mod m20261201_000410_extension_instruction;
mod m20261201_000500_attachments;
mod m20261201_000510_robots;
mod m20261201_000520_order_numbers;
mod m20261201_000600_derived_columns;
mod m20261201_000610_state_light_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_org::Migration),
            Box::new(m20261127_000002_items::Migration),
            Box::new(m20261127_000003_schedule::Migration),
            Box::new(m20261127_000004_mail::Migration),
            Box::new(m20261127_000005_accounts::Migration),
            Box::new(m20261201_000001_order_reply::Migration),
            Box::new(m20261201_000010_statements::Migration),
            Box::new(m20261201_000100_account_admin::Migration),
            Box::new(m20261201_000200_unit_contact::Migration),
            Box::new(m20261201_000300_bulletins::Migration),
            Box::new(m20261201_000410_extension_instruction::Migration),
            Box::new(m20261201_000500_attachments::Migration),
            Box::new(m20261201_000510_robots::Migration),
            Box::new(m20261201_000520_order_numbers::Migration),
            Box::new(m20261201_000600_derived_columns::Migration),
            Box::new(m20261201_000610_state_light_index::Migration),
        ]
    }
}

/// A foreign key from `table.column` to `target.id`.
pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

pub(crate) fn index(
    table: &'static str,
    name: &str,
    columns: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{name}")).table(table);
    for c in columns {
        stmt.col(*c);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}
