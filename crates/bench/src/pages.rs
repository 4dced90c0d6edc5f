//! `xiaohao bench pages` and `bench dashboard`: the workbench pages each role opens, over
//! HTTP from a real `xiaohao serve` child, with `--items` items in the ledger. Prints p50
//! and p95 per page and role, then one summary line with the worst p95 and the server's
//! resident memory after the run. There is no raw form of a page, so no ratio.

use crate::api::{Server, login, start_server};
use crate::error::fail;
use crate::fixtures::{Scratch, assigned_items, open, policy, units};
use crate::{BenchArgs, BenchResult};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xiaohao_core::AccountRole;
use xiaohao_engine::{Engine, SystemClock};
use xiaohao_store::NewChain;
use xiaohao_store::bench::SeedLedger;

/// Which pages a run opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pages {
    /// Every page of the workbench, as each role opens it.
    All,
    /// The supervision dashboard and a unit's 待办 (issue 17's measure).
    Dashboard,
    /// The ledger download of every item, as CSV and as a workbook.
    Export,
}

/// The accounts of the run: (username, role).
const ACCOUNTS: [(&str, AccountRole); 5] = [
    ("bench-office", AccountRole::Office),
    ("bench-unit", AccountRole::Unit),
    ("bench-leader", AccountRole::Leader),
    ("bench-supervision", AccountRole::Supervision),
    ("bench-admin", AccountRole::Admin),
];

/// The pages of the workbench: (who opens it, path). `{item}` is an item of the ledger.
fn pages(which: Pages) -> Vec<(&'static str, &'static str)> {
    let dashboard = vec![
        ("bench-supervision", "/"),
        ("bench-supervision", "/overview"),
        ("bench-unit", "/"),
    ];
    match which {
        Pages::Dashboard => return dashboard,
        Pages::Export => {
            return vec![
                ("bench-office", "/api/export/ledger.csv"),
                ("bench-office", "/api/export/ledger.xlsx"),
            ];
        }
        Pages::All => {}
    }
    let mut all = dashboard;
    all.extend([
        ("bench-office", "/"),
        ("bench-office", "/ledger"),
        ("bench-office", "/ledger?light=red"),
        ("bench-office", "/ledger?light=yellow"),
        ("bench-office", "/ledger?sort=late&dir=desc"),
        ("bench-office", "/ledger?sort=level&dir=desc"),
        ("bench-office", "/ledger?sort=number"),
        ("bench-office", "/orders"),
        ("bench-office", "/ledger?q=重点项目&overdue=true"),
        ("bench-office", "/overview"),
        ("bench-office", "/items/{item}"),
        ("bench-office", "/units"),
        ("bench-office", "/statements"),
        ("bench-office", "/bulletins"),
        ("bench-unit", "/ledger"),
        ("bench-unit", "/progress"),
        ("bench-unit", "/items/{item}"),
        ("bench-unit", "/statements"),
        ("bench-leader", "/"),
        ("bench-leader", "/overview"),
        ("bench-supervision", "/supervision"),
        ("bench-supervision", "/scores"),
        ("bench-admin", "/"),
    ]);
    all
}

/// The p-th percentile (0–100) of sorted durations, in milliseconds.
fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let k = ((sorted.len() - 1) * p).div_ceil(100);
    sorted[k.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

pub(crate) async fn pages_bench(scratch: &Scratch, args: &BenchArgs, which: Pages) -> BenchResult {
    let store = open(&scratch.url, 8).await?;
    let settings = store.durability_settings().await?;
    let engine = Engine::new(store.clone(), Arc::new(SystemClock), policy()?);
    let now = engine.now();
    let (office, lead) = units(&engine).await?;
    let office_unit = office
        .unit
        .ok_or_else(|| fail("office actor without unit"))?;
    // Forty lead units, eight chains with a leader each, one plan.
    let mut leads = vec![lead];
    for n in 1..40 {
        let u = store
            .create_unit(
                xiaohao_store::NewUnit {
                    name: format!("基准单位{n}"),
                    ..Default::default()
                },
                now,
            )
            .await?;
        leads.push(u.id);
    }
    let plan = store
        .create_plan(
            xiaohao_store::NewPlan {
                title: "基准工作方案".into(),
                ..Default::default()
            },
            now,
        )
        .await?;
    let mut chains = Vec::new();
    for n in 0..8 {
        let person = store
            .create_person(
                xiaohao_store::NewPerson {
                    name: format!("基准链长{n}"),
                    unit: Some(office_unit),
                    ..Default::default()
                },
                now,
            )
            .await?;
        let chain = store
            .create_chain(
                NewChain {
                    name: format!("基准产业链{n}"),
                    plan: Some(plan.id),
                    leaders: vec![person.id],
                    lead_units: vec![office_unit],
                    ..Default::default()
                },
                now,
            )
            .await?;
        chains.push((chain.id, Some(person.id)));
    }
    let seeding = Instant::now();
    store
        .bench_seed_ledger(&SeedLedger {
            owner: office_unit,
            plan: Some(plan.id),
            chains: chains.clone(),
            leads: leads.clone(),
            items: args.items,
        })
        .await?;
    eprintln!(
        "seeded {} items in {:.1}s",
        args.items,
        seeding.elapsed().as_secs_f64()
    );
    // Items with a real history for the item page.
    let item = assigned_items(&engine, &office, lead, 1, "基准事项页").await?[0];
    let supervision = store
        .create_unit(
            xiaohao_store::NewUnit {
                name: "基准督查室".into(),
                kind: Some(xiaohao_core::org::UnitKind::Supervision),
                ..Default::default()
            },
            now,
        )
        .await?;
    let leader_person = chains[0].1.map(|p| p.to_string());
    for (username, role) in ACCOUNTS {
        let unit = match role {
            AccountRole::Unit => lead,
            AccountRole::Supervision => supervision.id,
            _ => office_unit,
        };
        let person = (role == AccountRole::Leader)
            .then_some(leader_person.as_deref())
            .flatten();
        engine
            .add_user(
                username,
                None,
                &unit.to_string(),
                role,
                person,
                crate::api::PASSWORD,
            )
            .await?;
    }

    let dir = std::env::temp_dir().join(format!("xiaohao-bench-pages-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(fail)?;
    let server: Server = start_server(&scratch.url, 4, &dir).await?;
    let http = reqwest::Client::new();
    let mut tokens = std::collections::HashMap::new();
    for (username, _) in ACCOUNTS {
        tokens.insert(username, login(&http, &server.base, username).await?);
    }
    // `--ops` samples per page, at most 30: a slow page at 100,000 items must not take hours.
    let samples = args.ops.clamp(1, 30);
    let mut worst: (f64, String) = (0.0, String::new());
    let mut every = Vec::new();
    for (who, path) in pages(which) {
        let path = path.replace("{item}", &item.to_string());
        let token = &tokens[who];
        let mut times = Vec::with_capacity(samples);
        let mut bytes = 0;
        // One opening first: the figures are of a page someone returns to.
        for n in 0..=samples {
            let started = Instant::now();
            let resp = http
                .get(format!("{}{path}", server.base))
                .bearer_auth(token)
                .send()
                .await
                .map_err(fail)?;
            let status = resp.status();
            let body = resp.bytes().await.map_err(fail)?;
            if !status.is_success() {
                return Err(fail(format!("GET {path} as {who}: {status}")));
            }
            if n > 0 {
                times.push(started.elapsed());
            }
            bytes = body.len();
        }
        times.sort();
        let (p50, p95) = (percentile(&times, 50), percentile(&times, 95));
        println!(
            "page {path:<34} as {who:<18} p50_ms={p50:.0} p95_ms={p95:.0} kib={}",
            bytes / 1024
        );
        if p95 > worst.0 {
            worst = (p95, format!("{path} as {who}"));
        }
        every.extend(times);
    }
    every.sort();
    let rss = server.memory_mib().map_or(0.0, |(rss, _)| rss);
    let peak = server.memory_mib().map_or(0.0, |(_, peak)| peak);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let name = match which {
        Pages::All => "pages",
        Pages::Dashboard => "dashboard",
        Pages::Export => "export",
    };
    println!(
        "{name} items={} samples={samples} p50_ms={:.0} worst={} p95_ms={:.0} peak_rss_mib={peak:.0} rss_mib={rss:.0}   [{settings}]",
        args.items,
        percentile(&every, 50),
        worst.1,
        worst.0,
    );
    Ok(())
}
