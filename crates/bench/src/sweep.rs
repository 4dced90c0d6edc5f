//! (c) The escalation sweep over many items, some overdue, against set-based SQL.
// Benchmarks stamp their rows with the wall clock: they measure it, they do not test time.
#![allow(clippy::disallowed_methods)]

use crate::fixtures::{report, units};
use crate::{BenchArgs, BenchResult};
use chrono::Utc;
use std::sync::Arc;
use std::time::Instant;
use xiaohao_core::Policy;
use xiaohao_engine::{Engine, ManualClock, Scheduler, Settings};

/// (c) Escalation sweep: find the overdue items among many, escalate each (event, claim,
/// outbox) — against one set-based UPDATE of the same rows.
pub(crate) async fn sweep(
    engine: &Engine,
    clock: Arc<ManualClock>,
    args: &BenchArgs,
    settings: &str,
) -> BenchResult {
    let (_, lead) = units(engine).await?;
    let seeding = Instant::now();
    engine
        .raw_store()
        .bench_seed_items(lead, args.items, args.overdue)
        .await?;
    eprintln!(
        "seeded {} items in {:.1}s",
        args.items,
        seeding.elapsed().as_secs_f64()
    );
    // As `serve` does at start: the rows' light dates and the planner's statistics (the
    // tick would otherwise run SQLite's first ANALYZE of the whole table inside the timing).
    let indexing = Instant::now();
    engine.index_lights().await?;
    eprintln!(
        "light dates and statistics in {:.1}s",
        indexing.elapsed().as_secs_f64()
    );
    let (touched, raw) = engine
        .raw_store()
        .bench_raw_sweep(Utc::now().date_naive())
        .await?;
    let raw = raw.as_secs_f64();
    eprintln!("raw set-based UPDATE touched {touched} rows");
    let (claimed, raw_writes) = engine
        .raw_store()
        .bench_raw_sweep_writes(Utc::now().date_naive())
        .await?;
    let raw_writes = raw_writes.as_secs_f64();
    eprintln!("raw set-based writes (claims, items, events, outbox) for {claimed} items");

    let (sweeper, scheduler) = sweep_scheduler(engine, clock.clone())?;
    clock.set(Utc::now());
    let started = Instant::now();
    let r = scheduler.tick(sweeper.now()).await?;
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

/// The sweep alone: no cycles, which would open a duty for every seeded item. The scheduler
/// takes its cycles from the engine's policy, so it runs on an engine (same store and clock)
/// whose policy has none.
fn sweep_scheduler(engine: &Engine, clock: Arc<ManualClock>) -> BenchResult<(Engine, Scheduler)> {
    let policy = Policy {
        cycles: Vec::new(),
        ..Policy::clone(engine.policy())
    };
    let sweeper = Engine::new(engine.raw_store().clone(), clock, Arc::new(policy));
    let scheduler = Scheduler::new(sweeper.clone(), &Settings::default())?;
    Ok((sweeper, scheduler))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BenchDb;
    use crate::fixtures::{open, scratch, wall_clock};
    use std::path::Path;

    #[tokio::test]
    async fn sweep_benchmark_times_the_sweep_alone_without_opening_cycles() {
        let postgres =
            std::env::var("XIAOHAO_TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"));
        let db = if postgres {
            BenchDb::Postgres
        } else {
            BenchDb::Sqlite
        };
        let scratch = scratch(db).await.unwrap();
        let store = open(&scratch.url, 4).await.unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let settings = Settings::load(&root).unwrap();
        let policy = xiaohao_engine::load_policy(&settings, &root).unwrap();
        assert!(
            !policy.cycles.is_empty(),
            "the configured policy has cycles"
        );
        let clock = wall_clock();
        let engine = Engine::new(store, clock.clone(), Arc::new(policy));
        let (_, lead) = units(&engine).await.unwrap();
        engine
            .raw_store()
            .bench_seed_items(lead, 20, 3)
            .await
            .unwrap();

        let (sweeper, scheduler) = sweep_scheduler(&engine, clock).unwrap();
        let report = scheduler.tick(sweeper.now()).await.unwrap();

        assert_eq!(report.duties_opened, 0, "{report:?}");
        assert_eq!(report.item_steps.values().sum::<u64>(), 3, "{report:?}");
    }
}
