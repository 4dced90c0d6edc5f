//! `backup FILE` and `restore FILE [--force]`: the SQLite database copied while `serve`
//! runs, and put back. PostgreSQL is refused with a pointer to pg_dump / pg_restore.

use std::path::Path;
use xiaohao_engine::backup::{POSTGRES_TOOLS, restore_sqlite};
use xiaohao_engine::{Engine, Settings};

use crate::out;
use crate::run::*;

pub(crate) async fn backup(engine: &Engine, file: &Path, json: bool) -> CliResult {
    let summary = engine.backup(file).await?;
    if json {
        return print_json(&summary);
    }
    out!(
        "backup written to {}: {} bytes, {} items, {} events",
        summary.path.display(),
        summary.bytes,
        summary.items,
        summary.events
    );
    Ok(())
}

pub(crate) async fn restore(
    settings: &Settings,
    home: &Path,
    file: &Path,
    force: bool,
) -> CliResult {
    let Some(target) = settings.sqlite_file() else {
        if settings.database.url.starts_with("postgres") {
            return Err(usage(POSTGRES_TOOLS));
        }
        return Err(usage(
            "restore needs a SQLite database file (database.url names none)",
        ));
    };
    let summary = restore_sqlite(file, &target, force).await?;
    // Open it as every command does (an older schema is migrated here) and prove the trail.
    let policy = std::sync::Arc::new(xiaohao_engine::load_policy(settings, home)?);
    let engine = Engine::new(open(settings).await?, clock(settings, home)?, policy);
    let (items, events, broken) = engine.verify_all_chains().await?;
    if let Some(b) = broken {
        return Err(CliError::Failure(format!(
            "restored, but the audit chain is broken: item {} event #{}: {}",
            b.item_id, b.seq, b.reason
        )));
    }
    out!(
        "restored {} into {}: {items} items, {events} events, every hash chain intact",
        file.display(),
        summary.path.display()
    );
    Ok(())
}
