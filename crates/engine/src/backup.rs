//! Backup and restore of the SQLite database; PostgreSQL has `pg_dump` and `pg_restore`
//! (README, *Backup and restore*).
//!
//! A backup is taken while `serve` keeps writing: the store copies one consistent instant
//! (`VACUUM INTO`) to a `.partial` file, which is checked and only then renamed to the name
//! asked for, so a file under that name is always whole. A restore checks the file first,
//! refuses to replace an existing database without `force` and a served one at all: every
//! `serve` holds a shared lock on `<database>.serve-lock` for its lifetime (the OS drops it
//! when the process dies, also by `kill -9`), a restore takes it exclusively.

use crate::{Engine, EngineError};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use xiaohao_store::{FileCheckError, SqliteFileFacts, inspect_sqlite_file};

/// The one line for a backup or restore asked of PostgreSQL.
pub const POSTGRES_TOOLS: &str = "PostgreSQL 数据库请用 pg_dump -Fc 备份、pg_restore 恢复（见 README「备份与恢复」）(the database is PostgreSQL: use pg_dump / pg_restore)";

/// What a backup or restore wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CopySummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub items: u64,
    pub events: u64,
}

impl CopySummary {
    fn new(path: &Path, facts: &SqliteFileFacts) -> Self {
        Self {
            path: path.to_path_buf(),
            bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
            items: facts.items,
            events: facts.events,
        }
    }
}

fn io(what: &str, path: &Path, e: &std::io::Error) -> EngineError {
    EngineError::Store(xiaohao_store::StoreError::Corrupt(format!(
        "{what} {}: {e}",
        path.display()
    )))
}

fn file_refused(field: &str, path: &Path, e: FileCheckError) -> EngineError {
    match e {
        FileCheckError::Store(s) => s.into(),
        other => EngineError::invalid(field, format!("{}: {other}", path.display())),
    }
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

impl Engine {
    /// Copy the SQLite database to `dest` (which must not exist) while the service may be
    /// writing; the copy is checked before it gets its name.
    ///
    /// # Errors
    /// `Invalid` on PostgreSQL or when `dest` exists; `Store` when the copy fails.
    pub async fn backup(&self, dest: &Path) -> Result<CopySummary, EngineError> {
        if !self.store().is_sqlite() {
            return Err(EngineError::invalid("database", POSTGRES_TOOLS));
        }
        if dest.exists() {
            return Err(EngineError::invalid(
                "FILE",
                format!("{} 已存在，请换一个文件名 (exists)", dest.display()),
            ));
        }
        let partial = sibling(dest, ".partial");
        // A `.partial` is what an interrupted backup left; it was never a backup.
        let _ = std::fs::remove_file(&partial);
        self.store().backup_into(&partial).await?;
        let facts = match inspect_sqlite_file(&partial).await {
            Ok(f) => f,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(file_refused("FILE", &partial, e));
            }
        };
        std::fs::rename(&partial, dest).map_err(|e| io("cannot rename to", dest, &e))?;
        Ok(CopySummary::new(dest, &facts))
    }
}

/// Held by `serve` while it runs on the SQLite file; see the module documentation.
#[derive(Debug)]
pub struct ServeLock {
    _file: File,
}

fn lock_file(db: &Path) -> Result<File, EngineError> {
    let path = sibling(db, ".serve-lock");
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io("cannot open", &path, &e))
}

impl ServeLock {
    /// Take the shared lock of the database file `db`.
    ///
    /// # Errors
    /// `Config` while a restore holds it.
    pub fn acquire(db: &Path) -> Result<ServeLock, EngineError> {
        let file = lock_file(db)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(ServeLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(EngineError::Config(format!(
                "{} is being restored; start serve when the restore has finished",
                db.display()
            ))),
            Err(TryLockError::Error(e)) => Err(io("cannot lock", db, &e)),
        }
    }
}

/// Replace the SQLite database `target` by the backup `from`.
///
/// The file is checked (a SQLite file, Xiaohao's tables, migrations this build knows,
/// SQLite's integrity check) on a copy beside `target`, which is then renamed over it with
/// the old database's `-wal` and `-shm` removed (they belong to the old file). A newer
/// schema is migrated when the database is next opened.
///
/// # Errors
/// `Invalid` when `from` is not a sound Xiaohao database, when `target` exists and `force`
/// is not set, or while a `serve` runs on it.
pub async fn restore_sqlite(
    from: &Path,
    target: &Path,
    force: bool,
) -> Result<CopySummary, EngineError> {
    if !from.is_file() {
        return Err(EngineError::invalid(
            "FILE",
            format!("{} 不存在 (no such file)", from.display()),
        ));
    }
    if target.exists() && !force {
        return Err(EngineError::invalid(
            "--force",
            format!(
                "数据库 {} 已存在；确认覆盖请加 --force (the database exists)",
                target.display()
            ),
        ));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, &e))?;
    }
    let lock = lock_file(target)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(EngineError::invalid(
                "database",
                format!(
                    "{} 正在被 serve 使用，请先停止服务再恢复 (in use by serve)",
                    target.display()
                ),
            ));
        }
        Err(TryLockError::Error(e)) => return Err(io("cannot lock", target, &e)),
    }
    let incoming = sibling(target, ".restoring");
    std::fs::copy(from, &incoming).map_err(|e| io("cannot copy to", &incoming, &e))?;
    let facts = match inspect_sqlite_file(&incoming).await {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_file(&incoming);
            return Err(file_refused("FILE", from, e));
        }
    };
    File::open(&incoming)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("cannot sync", &incoming, &e))?;
    for stale in [sibling(target, "-wal"), sibling(target, "-shm")] {
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("cannot remove", &stale, &e)),
        }
    }
    std::fs::rename(&incoming, target).map_err(|e| io("cannot rename to", target, &e))?;
    drop(lock);
    Ok(CopySummary::new(target, &facts))
}
