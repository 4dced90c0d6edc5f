//! What every workload shares: the scratch database, the wall clock, the policy, the units
//! and items the changes act on, the raw side of a change, and the report line.
// Benchmarks stamp their rows with the wall clock: they measure it, they do not test time.
#![allow(clippy::disallowed_methods)]

use crate::error::fail;
use crate::{BenchDb, BenchResult};
use chrono::Utc;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;
use xiaohao_core::org::UnitKind;
use xiaohao_core::{Actor, Command, ItemId, UnitId};
use xiaohao_engine::{Engine, ManualClock};
use xiaohao_store::bench::{create_pg_database, drop_pg_database, raw_change};
use xiaohao_store::{DbSettings, NewUnit, Store};

/// The PostgreSQL server that holds scratch databases: XIAOHAO_BENCH_PG_URL, else the local one.
pub(crate) fn pg_admin_url() -> String {
    std::env::var("XIAOHAO_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A scratch database that is removed afterwards.
pub(crate) struct Scratch {
    pub(crate) url: String,
    cleanup: Option<Box<dyn FnOnce() + Send>>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // XIAOHAO_BENCH_KEEP=1 keeps the database for a look at its query plans afterwards.
        if std::env::var_os("XIAOHAO_BENCH_KEEP").is_some() {
            eprintln!("kept the scratch database: {}", self.url);
            return;
        }
        if let Some(f) = self.cleanup.take() {
            f();
        }
    }
}

pub(crate) async fn scratch(db: BenchDb) -> BenchResult<Scratch> {
    match db {
        BenchDb::Sqlite => {
            let dir = std::env::temp_dir().join(format!("xiaohao-bench-{}", Uuid::new_v4()));
            std::fs::create_dir_all(&dir).map_err(fail)?;
            let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
            Ok(Scratch {
                url,
                cleanup: Some(Box::new(move || {
                    let _ = std::fs::remove_dir_all(&dir);
                })),
            })
        }
        BenchDb::Postgres => {
            let admin_url = pg_admin_url();
            let name = format!("xh_bench_{}", Uuid::new_v4().simple());
            let url = create_pg_database(&admin_url, &name)
                .await
                .map_err(|e| fail(format!("PostgreSQL at {admin_url}: {e}")))?;
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

/// Connect to a scratch database and migrate it.
pub(crate) async fn open(url: &str, max_connections: u32) -> BenchResult<Store> {
    let store = Store::connect(&DbSettings {
        url: url.to_owned(),
        max_connections,
    })
    .await
    .map_err(|e| fail(format!("cannot open the scratch database: {e}")))?;
    store
        .migrate()
        .await
        .map_err(|e| fail(format!("migration failed: {e}")))?;
    Ok(store)
}

/// A clock at the wall clock's now, moved by the sweep.
pub(crate) fn wall_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Utc::now()))
}

/// The policy of the configuration in the current directory (benches run from the
/// repository, whose `config/` holds the calendar files).
pub(crate) fn policy() -> BenchResult<Arc<xiaohao_core::Policy>> {
    let home = std::path::Path::new(".");
    let settings = xiaohao_engine::Settings::load(home)?;
    Ok(Arc::new(xiaohao_engine::load_policy(&settings, home)?))
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

/// An office (whose actor files items) and a lead unit.
pub(crate) async fn units(engine: &Engine) -> BenchResult<(Actor, UnitId)> {
    let now = engine.now();
    let store = engine.raw_store();
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

/// `n` items filed by `office` and assigned to `lead`: the subjects of repeated changes.
pub(crate) async fn assigned_items(
    engine: &Engine,
    office: &Actor,
    lead: UnitId,
    n: usize,
    title: &str,
) -> BenchResult<Vec<ItemId>> {
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
) -> BenchResult<f64> {
    let db = engine.raw_store().connection().clone();
    let backend = engine.raw_store().backend();
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
        t.await.map_err(fail)?.map_err(fail)?;
    }
    Ok((per_writer * writers) as f64 / started.elapsed().as_secs_f64())
}
