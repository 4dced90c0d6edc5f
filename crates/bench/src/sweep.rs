//! (c) The escalation sweep over many items, some overdue, against set-based SQL.
// Benchmarks stamp their rows with the wall clock: they measure it, they do not test time.
#![allow(clippy::disallowed_methods)]

use crate::fixtures::{report, units};
use crate::{BenchArgs, BenchResult};
use chrono::Utc;
use std::sync::Arc;
use std::time::Instant;
use xiaohao_core::cycles::CycleDef;
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
