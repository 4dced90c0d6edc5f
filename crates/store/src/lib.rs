//! Persistence for Xiaohao on sea-orm: SQLite by default, PostgreSQL in production.
//!
//! The store knows `xiaohao_core` types and speaks them at its boundary; sea-orm types
//! never leave this crate. Every decision is written by the one writer, [`Store::write`], in
//! one transaction: item row with a version check, one event, outbox rows (`write/`).

mod account_admin;
mod accounts;
mod attachments;
mod backup;
mod bulletin;
mod channels;
// Raw-SQL baselines, compiled only for `xiaohao-bench`.
#[cfg(feature = "bench")]
pub mod bench;
mod convert;
pub mod entities;
mod error;
mod filter;
mod import;
mod items;
mod lights;
mod order;
mod orders;
mod org;
mod outbox;
mod recon;
mod report;
pub mod schedule;
mod score;
mod unit_admin;
mod worklist;
mod write;

pub use accounts::{NewUser, TokenHolder, TokenKind, User};
pub use attachments::ReferencedFile;
pub use backup::{FileCheckError, SqliteFileFacts, inspect_sqlite_file};
pub use bulletin::{BulletinSummary, IssueRequest, Issued, NewBulletin, StoredBulletin};
pub use channels::Channel;
pub use error::StoreError;
pub use filter::{ItemFilter, LightFilter, page_limit};
pub use import::{ChainImport, ImportSummary, ItemImport, PlanImport};
pub use items::{ChainHead, ItemPage, ProgressRow};
pub use lights::{DueCount, LightCount, LightIndexRun};
pub use order::{ItemOrder, LedgerSort, SortKey};
pub use orders::OrderStatus;
pub use org::{NewChain, NewPerson, NewPlan, NewUnit};
pub use outbox::{ClaimSpec, DIGEST_KIND, OutboxRow, OutboxStatus, digest_key};
pub use recon::{DisputeRow, NewStatement, StatementFilter, StatementSummary, StoredStatement};
pub use report::{FireCount, MissedCount, ReportData};
pub use schedule::{Circle, DutyRow, FireRow, ScheduleCounts};
pub use unit_admin::{MAX_UNIT_EMAILS, UnitEdit};
pub use worklist::{OrderRow, Transition};
pub use write::{Atomicity, Subject, Write, WriteResult};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

pub type StoreResult<T> = Result<T, StoreError>;

/// The PostgreSQL advisory lock that serialises migrations ("xiaohao" in ASCII).
const MIGRATION_LOCK: i64 = 0x0078_6961_6f68_616f;

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbSettings {
    /// `sqlite://data/xiaohao.db?mode=rwc` or `postgres://user@host/db`.
    pub url: String,
    pub max_connections: u32,
}

/// The handle the engine and the CLI hold.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// The policy's light dates rule, shared by every clone of this handle.
    lights: LightRule,
}

/// How the writer computes the light dates it keeps on each item row: the policy the
/// engine was built with ([`Store::use_policy`]); all clones of a store share it. A store
/// without one writes no dates, and the engine fills them in at start.
#[derive(Debug, Clone, Default)]
pub(crate) struct LightRule(
    std::sync::Arc<std::sync::RwLock<Option<std::sync::Arc<xiaohao_core::Policy>>>>,
);

impl LightRule {
    pub(crate) fn dates(&self, item: &xiaohao_core::Item) -> xiaohao_core::light::LightDates {
        self.0
            .read()
            .ok()
            .and_then(|p| p.as_ref().map(|p| p.light_dates(item)))
            .unwrap_or_default()
    }

    /// The light dates of an item before and after a decision (see
    /// [`xiaohao_core::Policy::light_dates_of_change`]).
    pub(crate) fn dates_of_change(
        &self,
        before: &xiaohao_core::Item,
        after: &xiaohao_core::Item,
    ) -> (
        xiaohao_core::light::LightDates,
        xiaohao_core::light::LightDates,
    ) {
        self.0
            .read()
            .ok()
            .and_then(|p| p.as_ref().map(|p| p.light_dates_of_change(before, after)))
            .unwrap_or_default()
    }
}

/// Rows per multi-row statement with `columns` bound values a row. PostgreSQL takes up to
/// 65,535 parameters and binds in linear time; on SQLite binding is quadratic in the
/// parameter count (sqlx looks each parameter's name up, and SQLite finds it by a linear
/// scan), so statements there stay near a thousand parameters.
pub(crate) fn rows_per_statement(backend: DbBackend, columns: usize) -> usize {
    let params = if backend == DbBackend::Postgres {
        30_000
    } else {
        1_000
    };
    (params / columns.max(1)).max(1)
}

/// Insert `rows` with multi-row statements of at most [`rows_per_statement`] rows each.
pub(crate) async fn insert_all<E, C>(conn: &C, rows: &[E::Model]) -> StoreResult<()>
where
    E: sea_orm::EntityTrait,
    E::Model: sea_orm::IntoActiveModel<E::ActiveModel> + Clone,
    C: ConnectionTrait,
{
    use sea_orm::Iterable;
    let columns = E::Column::iter().count();
    for chunk in rows.chunks(rows_per_statement(conn.get_database_backend(), columns)) {
        E::insert_many(
            chunk
                .iter()
                .cloned()
                .map(sea_orm::IntoActiveModel::into_active_model),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Connect with the settings every deployment needs: on SQLite WAL, a busy timeout
    /// and foreign keys; on PostgreSQL a bounded pool.
    ///
    /// # Errors
    /// When the database cannot be reached or opened.
    pub async fn connect(settings: &DbSettings) -> StoreResult<Store> {
        let mut opt = ConnectOptions::new(settings.url.clone());
        opt.max_connections(settings.max_connections.max(1))
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            // Every statement at TRACE (`XIAOHAO_LOG=sqlx::query=trace` shows them with
            // their time); one slower than a second at WARN, which the default log shows.
            .sqlx_logging(true)
            .sqlx_logging_level(log::LevelFilter::Trace)
            .sqlx_slow_statements_logging_settings(log::LevelFilter::Warn, Duration::from_secs(1));
        if settings.url.starts_with("sqlite:") {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            opt.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(15))
                    .foreign_keys(true)
            });
        }
        // Switching a fresh SQLite file to WAL needs an exclusive lock and does not wait
        // for it: processes opening one new file at the same moment may be told "database
        // is locked". The switch is made once per file, so a short retry settles it.
        let mut attempt = 0u64;
        loop {
            match Database::connect(opt.clone()).await {
                Ok(db) => {
                    return Ok(Store {
                        db,
                        lights: LightRule::default(),
                    });
                }
                Err(e)
                    if settings.url.starts_with("sqlite:")
                        && attempt < 20
                        && e.to_string().contains("locked") =>
                {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(25 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Wrap an existing connection (tests, benchmarks).
    pub fn from_connection(db: DatabaseConnection) -> Store {
        Store {
            db,
            lights: LightRule::default(),
        }
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Whether the database answers.
    ///
    /// # Errors
    /// When it does not.
    pub async fn ping(&self) -> StoreResult<()> {
        Ok(self.db.ping().await?)
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Apply all pending migrations, safely when several processes start at once.
    ///
    /// sea-orm-migration takes no lock: two processes migrating one database at the same
    /// time both try to create the same tables and one fails. So the migrations run in one
    /// transaction that first takes a lock — `pg_advisory_xact_lock` on PostgreSQL, the
    /// write lock of an `IMMEDIATE` transaction on SQLite. A process that waited finds
    /// nothing pending.
    ///
    /// # Errors
    /// When a migration fails; nothing of this run is kept then (on SQLite, a statement
    /// SQLite cannot roll back excepted — ours have none).
    pub async fn migrate(&self) -> StoreResult<()> {
        let txn = self.begin_write().await?;
        if self.backend() == DbBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
                .await?;
        }
        Migrator::up(&txn, None).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Names of applied and pending migrations.
    ///
    /// # Errors
    /// When the migration table cannot be read.
    pub async fn migration_status(&self) -> StoreResult<Vec<(String, bool)>> {
        let applied = Migrator::get_applied_migrations(&self.db).await?;
        let pending = Migrator::get_pending_migrations(&self.db).await?;
        let mut out: Vec<(String, bool)> = applied
            .iter()
            .map(|m| (m.name().to_owned(), true))
            .collect();
        out.extend(pending.iter().map(|m| (m.name().to_owned(), false)));
        Ok(out)
    }

    /// A write transaction. On SQLite it starts IMMEDIATE so that a transaction that reads
    /// before it writes waits for the lock instead of failing with SQLITE_BUSY.
    pub(crate) async fn begin_write(&self) -> StoreResult<DatabaseTransaction> {
        let mut options = TransactionOptions::default();
        if self.backend() == DbBackend::Sqlite {
            options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
        }
        Ok(self.db.begin_with_options(options).await?)
    }

    /// Keep the query planner's statistics current. SQLite has none until `ANALYZE` runs,
    /// and without them it reads a unit's items through the state index (most of the
    /// table) instead of the unit's id list: 140 ms instead of 20 at 100,000 items. The
    /// first call analyses; later ones ask `PRAGMA optimize`, which analyses again only
    /// the tables that grew or shrank a lot. PostgreSQL's autovacuum does this itself.
    ///
    /// # Errors
    /// On database failure.
    pub async fn refresh_planner_statistics(&self) -> StoreResult<()> {
        if self.backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let analysed = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                "SELECT 1 AS one FROM sqlite_master WHERE name = 'sqlite_stat1'",
            ))
            .await?
            .is_some();
        let sql = if analysed {
            // 0x10002: look at every table, not only those this connection queried.
            "PRAGMA optimize = 0x10002"
        } else {
            "ANALYZE"
        };
        self.db
            .execute_raw(sea_orm::Statement::from_string(DbBackend::Sqlite, sql))
            .await?;
        Ok(())
    }

    /// Settings that matter for durability and throughput, for logs and benchmarks.
    ///
    /// # Errors
    /// When the pragma/setting query fails.
    pub async fn durability_settings(&self) -> StoreResult<String> {
        let db = &self.db;
        Ok(match self.backend() {
            DbBackend::Sqlite => {
                let jm = scalar_string(db, "PRAGMA journal_mode").await?;
                let sync = scalar_string(db, "PRAGMA synchronous").await?;
                format!("sqlite journal_mode={jm} synchronous={sync}")
            }
            DbBackend::Postgres => {
                let sc = scalar_string(db, "SHOW synchronous_commit").await?;
                format!("postgres synchronous_commit={sc}")
            }
            other => format!("{other:?}"),
        })
    }
}

async fn scalar_string(db: &DatabaseConnection, sql: &str) -> StoreResult<String> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await?;
    let Some(row) = row else {
        return Ok(String::new());
    };
    if let Ok(s) = row.try_get_by_index::<String>(0) {
        return Ok(s);
    }
    Ok(row
        .try_get_by_index::<i64>(0)
        .map(|i| i.to_string())
        .unwrap_or_default())
}
