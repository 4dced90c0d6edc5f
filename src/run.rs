//! What each command does. Failures become a `CliError` here, and an exit code in `main`:
//! 2 for input the user can fix, 1 for everything else.

use crate::cli::{
    AuditCommand, CalendarCommand, Cli, Command, DutyCommand, ImportCommand, ItemAdd, ItemCommand,
    ItemDo, MailCommand, UnitCommand, UserCommand,
};
use std::sync::Arc;
use xiaohao_core::org::{Level, UnitKind};
use xiaohao_core::{ItemId, ItemState};
use xiaohao_engine::mail::{MailError, MailWorker};
use xiaohao_engine::{
    Clock, CommandRequest, Engine, EngineError, FileClock, ItemRequest, ReportRequest, Scheduler,
    Settings, SystemClock,
};
use xiaohao_store::{DbSettings, ItemFilter, NewUnit, OutboxStatus, Store, StoreError};

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

/// `calendar import|show`: files only, no database.
fn calendar(settings: &Settings, home: &std::path::Path, c: &CalendarCommand) -> CliResult {
    let dir = home.join(&settings.calendar_dir);
    match c {
        CalendarCommand::Import { file, replace } => {
            let (year, path) =
                xiaohao_engine::calendar::import_calendar_file(file, &dir, *replace)?;
            out!(
                "calendar {} installed as {} ({} holidays, {} working days); restart serve to use it",
                year.year(),
                path.display(),
                year.holidays().len(),
                year.working_day_count()
            );
        }
        CalendarCommand::Show => {
            let cal = xiaohao_engine::calendar::load_calendar(&dir)?;
            let today = xiaohao_engine::SystemClock.now().date_naive();
            out!("covered: {:?}", cal.coverage());
            if let Some(w) =
                xiaohao_engine::calendar::coverage_warning(&cal, chrono::Datelike::year(&today))
            {
                out!("{w}");
            }
        }
    }
    Ok(())
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
    let engine = Engine::new(store, clock, policy);
    if matches!(cli.command, Command::Serve { .. } | Command::Tick { .. }) {
        let year = chrono::Datelike::year(&engine.today());
        if let Some(w) = xiaohao_engine::calendar::coverage_warning(engine.calendar(), year) {
            tracing::warn!("{w}");
        }
    }
    match cli.command {
        Command::Serve { addr, demo } => serve(engine, &settings, &cli.home, addr, demo).await,
        Command::Simulate(_) | Command::Calendar(_) => Ok(()),
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
        Command::Audit(AuditCommand::Verify) => audit_verify(&engine).await,
        Command::Mail(cmd) => mail(engine, &settings, &cli.home, cmd).await,
        Command::User(cmd) => user(&engine, cmd).await,
    }
}

/// The wall clock, or — for tests and drills only — the instant in `clock_file`
/// (`XIAOHAO_CLOCK_FILE`), said loudly. A missing or malformed file stops the command.
fn clock(settings: &Settings, home: &std::path::Path) -> CliResult<Arc<dyn Clock>> {
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

async fn user(engine: &Engine, cmd: UserCommand) -> CliResult {
    match cmd {
        UserCommand::Add {
            username,
            unit,
            role,
            name,
            person,
            password_stdin,
        } => {
            let role: xiaohao_core::AccountRole = role.parse().map_err(usage)?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .map_err(|e| CliError::Failure(format!("cannot read stdin: {e}")))?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (xiaohao_engine::new_secret()[..20].to_owned(), true)
            };
            let u = engine
                .add_user(
                    &username,
                    name.as_deref(),
                    &unit,
                    role,
                    person.as_deref(),
                    &password,
                )
                .await?;
            out!("user {} ({}) created: {}", u.username, u.role, u.id);
            if generated {
                out!("password: {password}");
                out!("(shown once; store it safely)");
            }
            Ok(())
        }
        UserCommand::List => {
            let units = engine.units().await?;
            for u in engine.users().await? {
                let unit = units
                    .iter()
                    .find(|x| x.id == u.unit)
                    .map(|x| x.name.as_str())
                    .unwrap_or("?");
                out!(
                    "{}\t{}\t{}\t{}{}",
                    u.username,
                    u.role,
                    unit,
                    u.display_name,
                    if u.disabled { "\t(disabled)" } else { "" }
                );
            }
            Ok(())
        }
        UserCommand::Revoke { username } => {
            let Some(u) = engine.user_named(&username).await? else {
                return Err(usage(format!("unknown user `{username}`")));
            };
            let n = engine.revoke_user_tokens(u.id).await?;
            out!("revoked {n} session(s)/token(s) of {}", u.username);
            Ok(())
        }
    }
}

async fn tick(engine: Engine, settings: &Settings, now: Option<String>, json: bool) -> CliResult {
    let at = match now {
        Some(raw) => chrono::DateTime::parse_from_rfc3339(&raw)
            .map_err(|_| {
                usage(format!(
                    "--now: `{raw}` is not an RFC 3339 time (e.g. 2026-10-09T09:00:00+08:00)"
                ))
            })?
            .with_timezone(&chrono::Utc),
        None => engine.now(),
    };
    let scheduler = Scheduler::new(engine, settings)?;
    let report = scheduler.tick(at).await?;
    if json {
        return print_json(&report);
    }
    out!(
        "tick {at}: {} occurrences, {} duties opened, {} duties missed, items {:?}, duties {:?}, {} skipped",
        report.occurrences,
        report.duties_opened,
        report.duties_missed,
        report.item_steps,
        report.duty_steps,
        report.skipped
    );
    Ok(())
}

/// Tick every `scheduler.tick_seconds` until shutdown; a failed tick is logged and retried.
fn spawn_scheduler(
    engine: Engine,
    settings: &Settings,
    metrics: Arc<xiaohao_web::Metrics>,
) -> CliResult<tokio::sync::watch::Sender<bool>> {
    let scheduler = Scheduler::new(engine, settings)?;
    let period = settings.scheduler.tick_period()?;
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = stop_rx.changed() => break,
            }
            let started = std::time::Instant::now();
            let now = scheduler.engine().now();
            let result = scheduler.tick(now).await;
            metrics.record_tick(started.elapsed(), result.as_ref().ok().map(|_| now));
            match result {
                Ok(r) => tracing::debug!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    ?r,
                    "tick"
                ),
                Err(e) => tracing::error!(error = %e, "scheduler tick failed; retrying next tick"),
            }
        }
    });
    Ok(stop_tx)
}

async fn mail(
    engine: Engine,
    settings: &Settings,
    home: &std::path::Path,
    cmd: MailCommand,
) -> CliResult {
    match cmd {
        MailCommand::List {
            status,
            limit,
            json,
        } => {
            let mut rows = Vec::new();
            if status.is_empty() {
                rows = engine.outbox(None, limit).await?;
            } else {
                for s in &status {
                    let st: OutboxStatus = s
                        .parse()
                        .map_err(|e: String| usage(format!("--status: {e}")))?;
                    rows.extend(engine.outbox(Some(st.as_str()), limit).await?);
                }
            }
            if json {
                return print_json(&rows);
            }
            for r in &rows {
                out!(
                    "{}\t{}\t{}\tattempts {}\tnext {}\t{}\t{}{}",
                    r.id,
                    r.status,
                    r.kind,
                    r.attempts,
                    r.next_attempt_at.format("%Y-%m-%d %H:%M:%S"),
                    r.dedupe_key,
                    r.message_key
                        .as_deref()
                        .map(|k| format!("via {k}"))
                        .unwrap_or_default(),
                    r.last_error
                        .as_deref()
                        .map(|e| format!("\terror: {e}"))
                        .unwrap_or_default(),
                );
            }
            out!("{} rows", rows.len());
            Ok(())
        }
        MailCommand::Retry { id, all_dead } => match (id, all_dead) {
            (Some(_), true) | (None, false) => {
                Err(usage("mail retry: give one row id or --all-dead"))
            }
            (Some(id), false) => {
                let id: uuid::Uuid = id
                    .parse()
                    .map_err(|_| usage(format!("`{id}` is not an outbox row id")))?;
                engine.requeue_outbox(id).await?;
                out!("re-queued {id}");
                Ok(())
            }
            (None, true) => {
                let n = engine.requeue_all_dead().await?;
                out!("re-queued {n} dead rows");
                Ok(())
            }
        },
        MailCommand::SendTest { address } => {
            let worker = MailWorker::new(engine, settings, home)?;
            worker.send_test(&address).await?;
            out!(
                "sent a test message to {address} via {}",
                worker.transport().describe()
            );
            Ok(())
        }
        MailCommand::Drain => {
            let worker = MailWorker::new(engine, settings, home)?;
            let report = worker.drain().await?;
            out!("{report}");
            Ok(())
        }
    }
}

async fn serve(
    engine: Engine,
    settings: &Settings,
    home: &std::path::Path,
    addr: Option<String>,
    demo: bool,
) -> CliResult {
    let addr = addr.unwrap_or_else(|| settings.server.addr.clone());
    let socket: std::net::SocketAddr = addr
        .parse()
        .map_err(|_| usage(format!("--addr `{addr}` is not host:port")))?;
    let empty = engine.units().await?.is_empty();
    if empty && demo {
        let summary = crate::demo::load(&engine).await?;
        tracing::info!("{summary}");
    } else if empty {
        tracing::info!(
            "the database is empty: restart with --demo to load a demo ledger built from a real work plan"
        );
    }
    let listener = tokio::net::TcpListener::bind(socket)
        .await
        .map_err(|e| CliError::Failure(format!("cannot listen on {socket}: {e}")))?;
    tracing::info!(
        "xiaohao listening on http://{} ({})",
        listener.local_addr().map(|a| a.to_string()).unwrap_or(addr),
        engine.durability_settings().await.unwrap_or_default()
    );
    let mut state = xiaohao_web::AppState::new(engine.clone());
    state.metrics_access =
        xiaohao_web::MetricsAccess::from_settings(&settings.metrics).map_err(CliError::Usage)?;
    let scheduler_stop = if settings.scheduler.enabled {
        Some(spawn_scheduler(
            engine.clone(),
            settings,
            state.metrics.clone(),
        )?)
    } else {
        None
    };
    // The mail worker runs beside the HTTP server and stops with it: on a signal the
    // server drains its requests, the worker finishes the batch it holds, then we exit.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = if settings.mail.worker {
        let w = MailWorker::new(engine.clone(), settings, home)?;
        Some(tokio::spawn(w.run(stop_rx)))
    } else {
        None
    };
    let served = xiaohao_web::serve_with(listener, state, async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    })
    .await
    .map_err(|e| CliError::Failure(format!("server failed: {e}")));
    if let Some(handle) = worker
        && tokio::time::timeout(std::time::Duration::from_secs(60), handle)
            .await
            .is_err()
    {
        tracing::warn!("mail worker did not stop within 60 s");
    }
    if let Some(stop) = scheduler_stop {
        let _ = stop.send(true);
    }
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

async fn unit(engine: &Engine, cmd: UnitCommand) -> CliResult {
    let store = engine;
    match cmd {
        UnitCommand::Add {
            name,
            kind,
            level,
            parent,
            emails,
            aliases,
        } => {
            let kind: UnitKind = kind
                .parse()
                .map_err(|e: String| usage(format!("--kind: {e}")))?;
            let level: Option<Level> = level
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: String| usage(format!("--level: {e}")))?;
            let parent = match parent {
                Some(p) => Some(
                    store
                        .resolve_unit(&p)
                        .await
                        .map_err(|_| usage(format!("--parent: unknown unit `{p}`")))?
                        .id,
                ),
                None => None,
            };
            let unit = store
                .create_unit(NewUnit {
                    name,
                    kind: Some(kind),
                    level,
                    parent,
                    emails,
                    aliases,
                    needs_review: false,
                })
                .await?;
            out!("{}\t{}", unit.id, unit.name);
        }
        UnitCommand::Alias { unit, alias } => {
            let u = store.resolve_unit(&unit).await?;
            store.add_unit_alias(u.id, &alias).await?;
            out!("{} = {}", alias.trim(), u.name);
        }
        UnitCommand::List { json } => {
            let units = store.units().await?;
            if json {
                print_json(&units)?;
            } else {
                for u in units {
                    let aliases = if u.aliases.is_empty() {
                        String::new()
                    } else {
                        format!(" (= {})", u.aliases.join(", "))
                    };
                    out!("{}\t{}\t{}{aliases}", u.id, u.kind, u.name);
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn print_json<T: serde::Serialize>(v: &T) -> CliResult {
    let s = serde_json::to_string_pretty(v).map_err(|e| CliError::Failure(e.to_string()))?;
    out!("{s}");
    Ok(())
}

fn parse_item_id(raw: &str) -> CliResult<ItemId> {
    raw.parse()
        .map_err(|_| usage(format!("`{raw}` is not an item id")))
}

async fn item(engine: &Engine, cmd: ItemCommand) -> CliResult {
    match cmd {
        ItemCommand::Add(add) => item_add(engine, add).await,
        ItemCommand::List {
            state,
            unit,
            overdue,
            q,
            limit,
            json,
        } => {
            let store = engine;
            let mut filter = ItemFilter {
                state: state
                    .as_deref()
                    .map(str::parse::<ItemState>)
                    .transpose()
                    .map_err(|e| usage(format!("--state: {e}")))?,
                text: q,
                limit,
                ..Default::default()
            };
            if let Some(u) = unit {
                filter.unit = Some(
                    store
                        .resolve_unit(&u)
                        .await
                        .map_err(|_| usage(format!("--unit: unknown unit `{u}`")))?
                        .id,
                );
            }
            if overdue {
                filter.overdue_on = Some(engine.today());
            }
            let page = store.list(&filter).await?;
            if json {
                return print_json(&page);
            }
            for it in &page.items {
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    it.id,
                    it.state.label_zh(),
                    it.deadline
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into()),
                    it.number.as_deref().unwrap_or(""),
                    it.title
                );
            }
            out!("{} of {} items", page.items.len(), page.total);
            Ok(())
        }
        ItemCommand::Show { id, json } => {
            let detail = engine.detail(parse_item_id(&id)?).await?;
            if json {
                return print_json(&detail);
            }
            let it = &detail.item;
            out!("{} {}", it.number.as_deref().unwrap_or(""), it.title);
            out!("id: {}  version: {}", it.id, it.version);
            out!("state: {} ({})", it.state.label_zh(), it.state);
            if let Some(d) = it.deadline {
                out!("deadline: {d}");
            }
            out!(
                "allowed: {}",
                detail
                    .allowed_actions
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for e in &detail.events {
                out!(
                    "  #{} {} {} → {} by {} ({}) {}",
                    e.seq,
                    e.at.format("%Y-%m-%d %H:%M"),
                    e.kind,
                    e.to_state,
                    e.actor_name,
                    e.actor_role,
                    e.payload
                );
            }
            Ok(())
        }
        ItemCommand::Do(d) => item_do(engine, d).await,
    }
}

async fn item_add(engine: &Engine, add: ItemAdd) -> CliResult {
    let actor = engine.actor_for("--as", &add.actor).await?;
    let req = ItemRequest {
        kind: Some(add.kind),
        number: add.number,
        title: add.title,
        text: add.text,
        lead_unit: add.lead,
        co_units: add.co,
        leader: add.leader,
        deadline: add.deadline,
        chain: add.chain,
        ..Default::default()
    };
    let out = engine.file_item(&actor, &req).await?;
    if add.json {
        return print_json(&out);
    }
    out!(
        "{}\t{}\t{}",
        out.item.id,
        out.item.state.label_zh(),
        out.item.title
    );
    Ok(())
}

async fn item_do(engine: &Engine, d: ItemDo) -> CliResult {
    let id = parse_item_id(&d.id)?;
    let actor = engine.actor_for("--as", &d.actor).await?;
    let report = if d.action == "report" {
        Some(ReportRequest {
            period: d
                .period
                .clone()
                .ok_or_else(|| usage("report needs --period (e.g. 2026-11)"))?,
            text: d.text.clone().ok_or_else(|| usage("report needs --text"))?,
            percent: d.percent,
            actuals: vec![],
            attachments: d.attachments.clone(),
        })
    } else {
        None
    };
    let req = CommandRequest {
        action: d.action,
        version: d.version,
        reason: d.reason,
        evidence: d.evidence,
        comment: d.comment,
        attachments: d.attachments,
        to: d.to,
        lead_unit: d.lead,
        deadline: d.deadline,
        report,
    };
    let out = engine.execute_request(id, &actor, &req).await?;
    if d.json {
        return print_json(&out);
    }
    out!(
        "{}\t{} → {}\tversion {}\tevent #{}",
        out.item.id,
        out.event.from_state.map(|s| s.label_zh()).unwrap_or("-"),
        out.item.state.label_zh(),
        out.item.version,
        out.event.seq
    );
    Ok(())
}

async fn audit_verify(engine: &Engine) -> CliResult {
    let (items, events, broken) = engine.verify_all_chains().await?;
    match broken {
        None => {
            out!("ok: {items} items, {events} events, every hash chain intact");
            Ok(())
        }
        Some(b) => Err(CliError::Failure(format!(
            "broken chain: item {} event #{}: {} (checked {items} items, {events} events)",
            b.item_id, b.seq, b.reason
        ))),
    }
}
