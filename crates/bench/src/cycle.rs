//! (d) A monthly cycle opening duties for every running item, against one multi-row insert.
// Benchmarks stamp their rows with the wall clock: they measure it, they do not test time.
#![allow(clippy::disallowed_methods)]

use crate::fixtures::{report, units};
use crate::{BenchArgs, BenchResult};
use chrono::Utc;
use std::time::Instant;
use xiaohao_core::cycles::CycleDef;
use xiaohao_engine::Engine;

/// (d) Monthly cycle opening duties for every running item, against one multi-row insert
/// of the same rows.
pub(crate) async fn cycle(engine: &Engine, args: &BenchArgs, settings: &str) -> BenchResult {
    let (_, lead) = units(engine).await?;
    engine
        .raw_store()
        .bench_seed_items(lead, args.items, 0)
        .await?;
    let cycle = CycleDef::defaults().remove(0);
    let now = Utc::now();
    let started = Instant::now();
    let n = engine
        .raw_store()
        .open_cycle(
            &cycle,
            &xiaohao_core::cycles::Occurrence {
                period_key: "2099-01".into(),
                opens_on: now.date_naive(),
                due_on: cycle.due_on(now.date_naive()),
            },
            now,
            now,
            &|t| t.date_naive(),
        )
        .await?
        .unwrap_or(0);
    let ours = started.elapsed().as_secs_f64();

    let (_, raw) = engine.raw_store().bench_raw_duties(lead).await?;
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
