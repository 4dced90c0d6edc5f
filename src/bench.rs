//! `xiaohao bench`: our code path against the raw database limit, measured in the same run
//! on the same database. Prints `ours`, `raw`, `ratio` and the durability settings.
// Benchmarks stamp their rows with the wall clock: they measure it, they do not test time.
#![allow(clippy::disallowed_methods)]

use crate::cli::{BenchArgs, BenchDb, BenchWorkload};
use crate::run::{CliError, open_url};
use chrono::Utc;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;
use xiaohao_core::cycles::CycleDef;
use xiaohao_core::org::UnitKind;
use xiaohao_core::{Actor, Command, ItemId, UnitId};
use xiaohao_engine::{Engine, ManualClock, Scheduler, Settings};
use xiaohao_store::NewUnit;
use xiaohao_store::bench::{create_pg_database, drop_pg_database, raw_change};

/// A scratch database that is removed afterwards.
pub(crate) struct Scratch {
    pub(crate) url: String,
    cleanup: Option<Box<dyn FnOnce() + Send>>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(f) = self.cleanup.take() {
            f();
        }
    }
}

async fn scratch(db: BenchDb) -> Result<Scratch, CliError> {
    match db {
        BenchDb::Sqlite => {
            let dir = std::env::temp_dir().join(format!("xiaohao-bench-{}", Uuid::new_v4()));
            std::fs::create_dir_all(&dir).map_err(|e| CliError::Failure(e.to_string()))?;
            let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
            Ok(Scratch {
                url,
                cleanup: Some(Box::new(move || {
                    let _ = std::fs::remove_dir_all(&dir);
                })),
            })
        }
        BenchDb::Postgres => {
            let admin_url = std::env::var("XIAOHAO_BENCH_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let name = format!("xh_bench_{}", Uuid::new_v4().simple());
            let url = create_pg_database(&admin_url, &name)
                .await
                .map_err(|e| CliError::Failure(format!("PostgreSQL at {admin_url}: {e}")))?;
            Ok(Scratch {
                url,
                cleanup: Some(Box::new(move || {
                    let _ = std::thread::spawn(move || {
                        let rt = tokio::runtime::Builder::new_current_thread()
                            .enable_all()
                            .build()
                            .ok()?;
                        rt.block_on(drop_pg_database(&admin_url, &name)).ok()
                    })
                    .join();
                })),
            })
        }
    }
}

pub(crate) fn report(
    workload: &str,
    ours: f64,
    raw: f64,
    unit: &str,
    higher_is_better: bool,
    settings: &str,
) {
    let ratio = if higher_is_better {
        ours / raw
    } else {
        raw / ours
    };
    println!(
        "{workload:<28} ours {ours:>10.3} {unit:<6} raw {raw:>10.3} {unit:<6} ratio {ratio:.2}   [{settings}]"
    );
}

pub async fn run(args: BenchArgs) -> Result<(), CliError> {
    if let BenchWorkload::Outbox = args.workload {
        let db = match args.db {
            BenchDb::Sqlite => "sqlite",
            BenchDb::Postgres => "postgres",
        };
        let pg = std::env::var("XIAOHAO_BENCH_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let report = crate::bench_outbox::outbox(
            db,
            args.messages,
            args.in_flight,
            args.smtp.as_deref(),
            &pg,
        )
        .await?;
        println!("{report}");
        return Ok(());
    }
    let scratch = scratch(args.db).await?;
    if let BenchWorkload::Api = args.workload {
        return crate::bench_api::api(&scratch, &args).await;
    }
    let store = open_url(&scratch.url, (args.writers as u32 + 2).max(4)).await?;
    let settings = store.durability_settings().await?;
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let engine = Engine::new(store.clone(), clock.clone(), policy()?);
    match args.workload {
        BenchWorkload::Changes => changes(&engine, &args, &settings).await,
        BenchWorkload::Sweep => sweep(&engine, clock, &args, &settings).await,
        BenchWorkload::Cycle => cycle(&engine, &args, &settings).await,
        BenchWorkload::Import => import(&engine, &args, &settings).await,
        BenchWorkload::Outbox | BenchWorkload::Api => Ok(()),
    }
}

pub(crate) async fn units(engine: &Engine) -> Result<(Actor, UnitId), CliError> {
    let now = engine.now();
    let store = engine.store();
    let office = store
        .create_unit(
            NewUnit {
                name: "基准专班".into(),
                kind: Some(UnitKind::Office),
                ..Default::default()
            },
            now,
        )
        .await?;
    let lead = store
        .create_unit(
            NewUnit {
                name: "基准单位".into(),
                ..Default::default()
            },
            now,
        )
        .await?;
    Ok((Engine::actor_of(&office), lead.id))
}

/// (a) State changes: our command path (read, decide, one transaction: row with version
/// check + event + outbox) against one UPDATE + two INSERTs per change.
async fn changes(engine: &Engine, args: &BenchArgs, settings: &str) -> Result<(), CliError> {
    let (office, lead) = units(engine).await?;
    let ids = assigned_items(engine, &office, lead, args.writers.max(1) * 8, "基准事项").await?;
    let ops = args.ops.max(args.writers);
    let per_writer = ops / args.writers.max(1);

    // Ours.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..args.writers.max(1) {
        let engine = engine.clone();
        let mine: Vec<ItemId> = ids
            .iter()
            .copied()
            .skip(w)
            .step_by(args.writers.max(1))
            .collect();
        tasks.push(tokio::spawn(async move {
            for n in 0..per_writer {
                let id = mine[n % mine.len()];
                let cmd = Command::Escalate {
                    level: 1,
                    step: "基准".into(),
                    notify: vec![lead],
                    deadline_key: format!("w{w}n{n}"),
                    urgent: false,
                };
                engine.execute(id, &Actor::system(), &cmd, None).await?;
            }
            Ok::<(), xiaohao_engine::EngineError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| CliError::Failure(e.to_string()))??;
    }
    let ours = (per_writer * args.writers.max(1)) as f64 / started.elapsed().as_secs_f64();

    // Raw: the same three writes per change, hand-written SQL, same connections.
    let raw = raw_changes(engine, &ids, lead, args.writers.max(1), per_writer).await?;
    report(
        &format!("changes, {} writer(s)", args.writers),
        ours,
        raw,
        "ops/s",
        true,
        settings,
    );
    Ok(())
}

/// `n` items filed by `office` and assigned to `lead`: the subjects of repeated changes.
pub(crate) async fn assigned_items(
    engine: &Engine,
    office: &Actor,
    lead: UnitId,
    n: usize,
    title: &str,
) -> Result<Vec<ItemId>, CliError> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let out = engine
            .file_new_item(
                office,
                &xiaohao_core::NewItem {
                    title: format!("{title}{i}"),
                    lead_unit: Some(lead),
                    ..Default::default()
                },
            )
            .await?;
        engine
            .execute(
                out.item.id,
                office,
                &Command::Assign {
                    lead_unit: None,
                    deadline: None,
                },
                None,
            )
            .await?;
        ids.push(out.item.id);
    }
    Ok(ids)
}

/// The raw side of a change: UPDATE + event INSERT + outbox INSERT in one transaction,
/// `writers` at once, each on its own share of `ids`. Returns changes per second.
pub(crate) async fn raw_changes(
    engine: &Engine,
    ids: &[ItemId],
    lead: UnitId,
    writers: usize,
    per_writer: usize,
) -> Result<f64, CliError> {
    let db = engine.store().connection().clone();
    let backend = engine.store().backend();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let db = db.clone();
        let mine: Vec<ItemId> = ids.iter().copied().skip(w).step_by(writers).collect();
        tasks.push(tokio::spawn(async move {
            let mut seq: std::collections::HashMap<ItemId, i64> = std::collections::HashMap::new();
            for n in 0..per_writer {
                let id = mine[n % mine.len()];
                let s = seq.entry(id).or_insert(1_000_000);
                *s += 1;
                raw_change(&db, backend, id, *s, lead, w, n).await?;
            }
            Ok::<(), xiaohao_store::StoreError>(())
        }));
    }
    for t in tasks {
        t.await
            .map_err(|e| CliError::Failure(e.to_string()))?
            .map_err(|e| CliError::Failure(e.to_string()))?;
    }
    Ok((per_writer * writers) as f64 / started.elapsed().as_secs_f64())
}

/// (c) Escalation sweep: find the overdue items among many, escalate each (event, claim,
/// outbox) — against one set-based UPDATE of the same rows.
async fn sweep(
    engine: &Engine,
    clock: Arc<ManualClock>,
    args: &BenchArgs,
    settings: &str,
) -> Result<(), CliError> {
    let (_, lead) = units(engine).await?;
    let seeding = Instant::now();
    engine
        .store()
        .bench_seed_items(lead, args.items, args.overdue)
        .await?;
    eprintln!(
        "seeded {} items in {:.1}s",
        args.items,
        seeding.elapsed().as_secs_f64()
    );
    let (touched, raw) = engine
        .store()
        .bench_raw_sweep(Utc::now().date_naive())
        .await?;
    let raw = raw.as_secs_f64();
    eprintln!("raw set-based UPDATE touched {touched} rows");
    let (claimed, raw_writes) = engine
        .store()
        .bench_raw_sweep_writes(Utc::now().date_naive())
        .await?;
    let raw_writes = raw_writes.as_secs_f64();
    eprintln!("raw set-based writes (claims, items, events, outbox) for {claimed} items");

    // The sweep alone: no cycles, which would open a duty for every seeded item.
    let s = Settings {
        cycles: Vec::<CycleDef>::new(),
        ..Settings::default()
    };
    let scheduler = Scheduler::new(engine.clone(), &s)?;
    clock.set(Utc::now());
    let started = Instant::now();
    let r = scheduler.tick(engine.now()).await?;
    let ours = started.elapsed().as_secs_f64();
    eprintln!("ours escalated {:?}", r.item_steps);
    report(
        &format!("sweep {}/{} vs UPDATE", args.overdue, args.items),
        ours,
        raw,
        "s",
        false,
        settings,
    );
    report(
        &format!("sweep {}/{} vs writes", args.overdue, args.items),
        ours,
        raw_writes,
        "s",
        false,
        settings,
    );
    Ok(())
}

/// (d) Monthly cycle opening duties for every running item, against one multi-row insert
/// of the same rows.
async fn cycle(engine: &Engine, args: &BenchArgs, settings: &str) -> Result<(), CliError> {
    let (_, lead) = units(engine).await?;
    engine.store().bench_seed_items(lead, args.items, 0).await?;
    let cycle = CycleDef::defaults().remove(0);
    let now = Utc::now();
    let started = Instant::now();
    let n = engine
        .store()
        .open_cycle(&cycle, "2099-01", now, now.date_naive(), now, &|t| {
            t.date_naive()
        })
        .await?
        .unwrap_or(0);
    let ours = started.elapsed().as_secs_f64();

    let (_, raw) = engine.store().bench_raw_duties(lead).await?;
    let raw = raw.as_secs_f64();
    eprintln!("ours opened {n} duties");
    report(
        &format!("monthly cycle, {} items", args.items),
        ours,
        raw,
        "s",
        false,
        settings,
    );
    Ok(())
}

/// (f) Import of a work plan: read the file, decode, parse, resolve units and people, and
/// write plan, chains and items in one transaction — repeated, median of the runs; against
/// one transaction inserting as many item rows and their first events by hand.
async fn import(engine: &Engine, args: &BenchArgs, settings: &str) -> Result<(), CliError> {
    let (office, lead) = units(engine).await?;
    let runs = 15;
    let mut ours = Vec::with_capacity(runs);
    let mut items = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let draft = crate::imports::parse_plan_file(&args.file, 20 * 1024 * 1024)?;
        let plan = crate::imports::plan_import(&draft, &args.file, true);
        let summary = engine
            .store()
            .import_plan(&plan, &office, engine.now())
            .await?;
        ours.push(started.elapsed().as_secs_f64());
        items = summary.items.len();
    }
    let mut raw = Vec::with_capacity(runs);
    for _ in 0..runs {
        raw.push(
            engine
                .store()
                .bench_raw_import(lead, items)
                .await?
                .as_secs_f64(),
        );
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let bytes = std::fs::metadata(&args.file).map_or(0, |m| m.len());
    eprintln!(
        "{}: {bytes} bytes, {items} items per import, median of {runs}",
        args.file.display()
    );
    report(
        &format!("import plan, {} KB", bytes / 1024),
        median(&mut ours) * 1000.0,
        median(&mut raw) * 1000.0,
        "ms",
        false,
        settings,
    );
    Ok(())
}

/// The policy of the configuration in the current directory (benches run from the
/// repository, whose `config/` holds the calendar files).
pub(crate) fn policy() -> Result<Arc<xiaohao_core::Policy>, CliError> {
    let home = std::path::Path::new(".");
    let settings = xiaohao_engine::Settings::load(home)?;
    Ok(Arc::new(xiaohao_engine::load_policy(&settings, home)?))
}
