//! A SQLite database copied while it is in use, and a copy checked before it replaces one.
//!
//! `VACUUM INTO` reads the database inside one read transaction, so the copy is the state of
//! one instant, while other connections (the service) keep writing through WAL.

use crate::{Store, StoreError, StoreResult};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::Path;

/// What a SQLite file holds, as far as a restore needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteFileFacts {
    /// Migrations recorded in the file, in order.
    pub migrations: Vec<String>,
    pub items: u64,
    pub events: u64,
}

/// Why a file cannot be restored.
#[derive(Debug, thiserror::Error)]
pub enum FileCheckError {
    #[error("not a SQLite database")]
    NotSqlite,
    #[error("not a Xiaohao database (no table {0})")]
    NotXiaohao(&'static str),
    #[error("made by a newer Xiaohao (migration {0} is unknown to this one)")]
    Newer(String),
    #[error("damaged: {0}")]
    Damaged(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Whether this is a SQLite database (backup and restore work on SQLite only).
    pub fn is_sqlite(&self) -> bool {
        self.backend() == DbBackend::Sqlite
    }

    /// Write a consistent copy of this SQLite database to `dest`, which must not exist.
    ///
    /// # Errors
    /// On PostgreSQL (`pg_dump` is its tool), or when SQLite cannot write `dest`.
    pub async fn backup_into(&self, dest: &Path) -> StoreResult<()> {
        if !self.is_sqlite() {
            return Err(StoreError::Corrupt(
                "backup_into works on SQLite only".into(),
            ));
        }
        let path = dest.to_string_lossy().into_owned();
        self.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "VACUUM INTO ?",
                [path.into()],
            ))
            .await?;
        Ok(())
    }
}

/// Open the SQLite file at `path` on its own (no WAL switch, no migration) and check that
/// it is a sound Xiaohao database this build can run: its tables, its migrations, SQLite's
/// integrity check.
///
/// # Errors
/// [`FileCheckError`] saying what the file is not.
pub async fn inspect_sqlite_file(path: &Path) -> Result<SqliteFileFacts, FileCheckError> {
    use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok();
    if !read || &head != b"SQLite format 3\0" {
        return Err(FileCheckError::NotSqlite);
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| FileCheckError::Damaged(e.to_string()))?;
    let db = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
    let facts = check(&db).await;
    db.close().await.ok();
    facts
}

async fn check(db: &sea_orm::DatabaseConnection) -> Result<SqliteFileFacts, FileCheckError> {
    let rows =
        |sql: &str| db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql.to_owned()));
    let damaged = |e: sea_orm::DbErr| FileCheckError::Damaged(e.to_string());
    let tables: Vec<String> = rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        .await
        .map_err(damaged)?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    for table in ["seaql_migrations", "units", "items", "events", "outbox"] {
        if !tables.iter().any(|t| t == table) {
            return Err(FileCheckError::NotXiaohao(table));
        }
    }
    let integrity: Vec<String> = rows("PRAGMA integrity_check")
        .await
        .map_err(damaged)?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    if integrity != ["ok"] {
        return Err(FileCheckError::Damaged(integrity.join("; ")));
    }
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let migrations: Vec<String> = rows("SELECT version FROM seaql_migrations ORDER BY version")
        .await
        .map_err(damaged)?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    if let Some(unknown) = migrations.iter().find(|m| !known.contains(m)) {
        return Err(FileCheckError::Newer(unknown.clone()));
    }
    let count = |table: &'static str| async move {
        let row = rows(&format!("SELECT COUNT(*) FROM {table}"))
            .await
            .map_err(damaged)?;
        let n = row
            .first()
            .and_then(|r| r.try_get_by_index::<i64>(0).ok())
            .unwrap_or(0);
        Ok::<u64, FileCheckError>(u64::try_from(n).unwrap_or(0))
    };
    Ok(SqliteFileFacts {
        migrations,
        items: count("items").await?,
        events: count("events").await?,
    })
}
