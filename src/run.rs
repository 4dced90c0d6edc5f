//! What each command does. Failures become a `CliError` here, and an exit code in `main`:
//! 2 for input the user can fix, 1 for everything else.

use crate::cli::{AuditCommand, Cli, Command, DutyCommand, ImportCommand};
use crate::items::{audit_verify, item};
use crate::mail_cmd::mail;
use crate::org::{calendar, unit, user};
use crate::serve::{serve, tick};
use std::sync::Arc;
use xiaohao_core::ItemId;
use xiaohao_engine::mail::MailError;
use xiaohao_engine::{Clock, Engine, EngineError, FileClock, Settings, SystemClock};
use xiaohao_store::{DbSettings, Store, StoreError};

/// Print a line to stdout; a closed pipe (`xiaohao item list | head`) ends quietly.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

pub enum CliError {
    /// Bad input: exit 2.
    Usage(String),
    /// Anything else: exit 1.
    Failure(String),
}

impl CliError {
    pub fn message(&self) -> &str {
        match self {
            Self::Usage(m) | Self::Failure(m) => m,
        }
    }
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::Failure(_) => 1,
        }
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Domain(_)
            | EngineError::Invalid { .. }
            | EngineError::Conflict(_)
            | EngineError::Unauthorized(_)
            | EngineError::Forbidden(_) => Self::Usage(e.to_string()),
            EngineError::Config(m) => Self::Usage(format!("configuration: {m}")),
            EngineError::Store(s) => s.into(),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. }
            | StoreError::Duplicate { .. }
            | StoreError::Invalid(_)
            | StoreError::Conflict(_) => Self::Usage(e.to_string()),
            StoreError::Corrupt(_) | StoreError::Db(_) => Self::Failure(e.to_string()),
        }
    }
}

impl From<MailError> for CliError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Store(s) => s.into(),
            MailError::Config(_) | MailError::Template { .. } | MailError::Unaddressable(_) => {
                Self::Usage(e.to_string())
            }
            MailError::Send(_) | MailError::Timeout(_) => Self::Failure(e.to_string()),
        }
    }
}

pub(crate) type CliResult<T = ()> = Result<T, CliError>;

pub(crate) fn usage(m: impl Into<String>) -> CliError {
    CliError::Usage(m.into())
}

/// Connect and migrate: every command needs a current schema.
pub async fn open(settings: &Settings) -> CliResult<Store> {
    open_url(&settings.database.url, settings.database.max_connections).await
}

/// Connect to `url` and migrate, creating a SQLite file's directory first.
pub async fn open_url(url: &str, max_connections: u32) -> CliResult<Store> {
    let settings = Settings {
        database: xiaohao_engine::config::DatabaseSettings {
            url: url.to_owned(),
            max_connections,
        },
        ..Settings::default()
    };
    if let Some(dir) = settings.sqlite_dir()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(&dir).map_err(|e| {
            CliError::Failure(format!(
                "cannot create database directory {}: {e}",
                dir.display()
            ))
        })?;
    }
    let store = Store::connect(&DbSettings {
        url: settings.database.url.clone(),
        max_connections: settings.database.max_connections,
    })
    .await
    .map_err(|e| {
        CliError::Failure(format!(
            "cannot open database {}: {e}",
            redact(&settings.database.url)
        ))
    })?;
    store
        .migrate()
        .await
        .map_err(|e| CliError::Failure(format!("migration failed: {e}")))?;
    Ok(store)
}

/// Hide a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub async fn run(cli: Cli) -> CliResult {
    // A dry run of a plan import parses only: no configuration, no database.
    if let Command::Import(ImportCommand::Plan {
        file,
        dry_run: true,
        format,
        max_bytes,
        ..
    }) = &cli.command
    {
        return crate::imports::plan_dry_run(file, format, *max_bytes);
    }
    let settings = Settings::load(&cli.home)?;
    if let Command::Calendar(c) = &cli.command {
        return calendar(&settings, &cli.home, c);
    }
    if let Command::Restore { file, force } = &cli.command {
        return crate::backup::restore(&settings, &cli.home, file, *force).await;
    }
    if let Command::Migrate { status: true } = cli.command {
        let store = Store::connect(&DbSettings {
            url: settings.database.url.clone(),
            max_connections: 1,
        })
        .await?;
        for (name, applied) in store.migration_status().await? {
            out!("{} {name}", if applied { "applied" } else { "pending" });
        }
        return Ok(());
    }
    if let Command::Simulate(args) = cli.command {
        return crate::simulate::run(&settings, &cli.home, args).await;
    }
    #[cfg(feature = "bench")]
    if let Command::Bench(args) = cli.command {
        return xiaohao_bench::run(args).await.map_err(|e| match e {
            xiaohao_bench::BenchError::Usage(m) => CliError::Usage(m),
            xiaohao_bench::BenchError::Engine(e) => e.into(),
            xiaohao_bench::BenchError::Store(e) => e.into(),
            xiaohao_bench::BenchError::Failure(m) => CliError::Failure(m),
        });
    }
    let policy = std::sync::Arc::new(xiaohao_engine::load_policy(&settings, &cli.home)?);
    let clock = clock(&settings, &cli.home)?;
    if !cli.command.creates_database()
        && let Some(file) = settings.sqlite_file()
        && !file.exists()
    {
        return Err(usage(format!(
            "数据库文件 {} 不存在；请先运行 xiaohao migrate、serve 或 import (no database)",
            file.display()
        )));
    }
    let store = open(&settings).await?;
    let files = xiaohao_engine::files::Files::from_settings(&settings.files, &cli.home)?;
    let engine = Engine::new(store, clock, policy).with_files(files);
    // Rows written before this version, or under another calendar or light thresholds,
    // get the light dates the pages select by.
    engine.index_lights().await?;
    if matches!(cli.command, Command::Serve { .. } | Command::Tick { .. }) {
        let year = chrono::Datelike::year(&engine.today());
        if let Some(w) = xiaohao_engine::calendar::coverage_warning(engine.calendar(), year) {
            tracing::warn!("{w}");
        }
    }
    match cli.command {
        Command::Serve { addr, demo } => serve(engine, &settings, &cli.home, addr, demo).await,
        Command::Simulate(_) | Command::Calendar(_) | Command::Restore { .. } => Ok(()),
        Command::Backup { file, json } => crate::backup::backup(&engine, &file, json).await,
        #[cfg(feature = "bench")]
        Command::Bench(_) => Ok(()),
        Command::Tick { now, json } => tick(engine, &settings, now, json).await,
        Command::Duty(DutyCommand::List {
            unit,
            status,
            limit,
            json,
        }) => {
            let unit = match unit {
                Some(u) => Some(
                    engine
                        .resolve_unit(&u)
                        .await
                        .map_err(|_| usage(format!("--unit: unknown unit `{u}`")))?
                        .id,
                ),
                None => None,
            };
            if let Some(s) = status.as_deref()
                && !matches!(s, "open" | "missed" | "submitted")
            {
                return Err(usage(format!(
                    "--status: `{s}` is not open, missed or submitted"
                )));
            }
            let duties = engine.duties(unit, status.as_deref(), limit).await?;
            if json {
                return print_json(&duties);
            }
            for d in &duties {
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    d.id,
                    d.status,
                    d.due_on,
                    d.period_key,
                    d.title
                );
            }
            out!("{} duties", duties.len());
            Ok(())
        }
        Command::Migrate { .. } => {
            out!("migrations applied");
            Ok(())
        }
        Command::Demo => {
            let summary = crate::demo::load(&engine).await?;
            out!("{summary}");
            Ok(())
        }
        Command::Import(cmd) => crate::imports::import(&engine, cmd).await,
        Command::Export(cmd) => crate::imports::export(&engine, cmd).await,
        Command::Report(cmd) => crate::imports::report(&engine, cmd).await,
        Command::Unit(cmd) => unit(&engine, cmd).await,
        Command::Item(cmd) => item(&engine, cmd).await,
        Command::Audit(AuditCommand::Verify { files }) => audit_verify(&engine, files).await,
        Command::Mail(cmd) => mail(engine, &settings, &cli.home, cmd).await,
        Command::User(cmd) => user(&engine, cmd).await,
    }
}

/// The wall clock, or — for tests and drills only — the instant in `clock_file`
/// (`XIAOHAO_CLOCK_FILE`), said loudly. A missing or malformed file stops the command.
pub(crate) fn clock(settings: &Settings, home: &std::path::Path) -> CliResult<Arc<dyn Clock>> {
    let Some(file) = settings
        .clock_file
        .as_deref()
        .filter(|f| !f.trim().is_empty())
    else {
        return Ok(Arc::new(SystemClock));
    };
    let path = home.join(file);
    let clock = FileClock::open(&path).map_err(|e| usage(format!("configuration: {e}")))?;
    tracing::warn!(
        "TEST CLOCK: time is read from {} (clock_file / XIAOHAO_CLOCK_FILE) and stands at {} until the file changes; a test and drill facility, never for production",
        path.display(),
        clock.now().to_rfc3339()
    );
    Ok(Arc::new(clock))
}

pub(crate) fn print_json<T: serde::Serialize>(v: &T) -> CliResult {
    let s = serde_json::to_string_pretty(v).map_err(|e| CliError::Failure(e.to_string()))?;
    out!("{s}");
    Ok(())
}

pub(crate) fn parse_item_id(raw: &str) -> CliResult<ItemId> {
    raw.parse()
        .map_err(|_| usage(format!("`{raw}` is not an item id")))
}
