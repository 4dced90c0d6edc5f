//! (a) State changes through our command path, against the same three writes by hand.

use crate::error::fail;
use crate::fixtures::{assigned_items, raw_changes, report, units};
use crate::{BenchArgs, BenchResult};
use std::time::Instant;
use xiaohao_core::{Actor, Command, ItemId};
use xiaohao_engine::Engine;

/// (a) State changes: our command path (read, decide, one transaction: row with version
/// check + event + outbox) against one UPDATE + two INSERTs per change.
pub(crate) async fn changes(engine: &Engine, args: &BenchArgs, settings: &str) -> BenchResult {
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
                    reason: None,
                };
                engine.execute(id, &Actor::system(), &cmd, None).await?;
            }
            Ok::<(), xiaohao_engine::EngineError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(fail)??;
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
