//! (f) Import of a work plan, as `xiaohao import plan` does it, against hand-written inserts.

use crate::error::BenchError;
use crate::fixtures::{report, units};
use crate::{BenchArgs, BenchResult};
use std::path::Path;
use std::time::Instant;
use xiaohao_engine::Engine;
use xiaohao_engine::plan_import::plan_import;
use xiaohao_import::PlanDraft;

/// Read, decode and parse the plan file; a bad file is the user's to fix.
fn parse_plan_file(file: &Path) -> BenchResult<PlanDraft> {
    let bytes = std::fs::read(file)
        .map_err(|e| BenchError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let text = xiaohao_import::decode(&bytes)
        .map_err(|e| BenchError::Usage(format!("{}: {e}", file.display())))?;
    Ok(xiaohao_import::parse_plan(&text))
}

/// (f) Import of a work plan: read the file, decode, parse, resolve units and people, and
/// write plan, chains and items in one transaction — repeated, median of the runs; against
/// one transaction inserting as many item rows and their first events by hand.
pub(crate) async fn import(engine: &Engine, args: &BenchArgs, settings: &str) -> BenchResult {
    let (office, lead) = units(engine).await?;
    let runs = 15;
    let mut ours = Vec::with_capacity(runs);
    let mut items = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let draft = parse_plan_file(&args.file)?;
        let plan = plan_import(&draft, &args.file, true);
        let summary = engine
            .raw_store()
            .import_plan(&plan, &office, engine.now())
            .await?;
        ours.push(started.elapsed().as_secs_f64());
        items = summary.items.len();
    }
    let mut raw = Vec::with_capacity(runs);
    for _ in 0..runs {
        raw.push(
            engine
                .raw_store()
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
