//! `xiaohao bench api`: (b) state changes through the HTTP API of a real `xiaohao serve`
//! child process, against the raw SQL of the same changes with as many connections, and
//! (g) that server's resident memory with `--items` extra items loaded, idle and under load.

use crate::error::fail;
use crate::fixtures::{Scratch, assigned_items, open, policy, raw_changes, report, units};
use crate::{BenchArgs, BenchResult};
use std::process::{Child, Command as Process, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xiaohao_core::{AccountRole, ItemId};
use xiaohao_engine::{Engine, SystemClock};

pub(crate) const PASSWORD: &str = "bench-password-1";

/// The serve child; killed when dropped, whatever happened.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Resident and peak resident memory of the server, in MiB (Linux /proc).
    pub(crate) fn memory_mib(&self) -> Option<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
                .map(|kib| kib / 1024.0)
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }
}

pub(crate) async fn start_server(
    url: &str,
    writers: usize,
    dir: &std::path::Path,
) -> BenchResult<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(fail)?
        .port();
    let exe = std::env::current_exe().map_err(fail)?;
    // The child runs in a scratch folder: it reads the calendars and rules of this checkout.
    let config = std::env::current_dir().map_err(fail)?.join("config");
    let child = Process::new(exe)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .current_dir(dir)
        .env("XIAOHAO_DATABASE_URL", url)
        // Enough connections for every writer, as the raw side gets.
        .env(
            "XIAOHAO_DATABASE__MAX_CONNECTIONS",
            (writers + 2).to_string(),
        )
        // Only the API is measured: no ticks, no mail.
        .env("XIAOHAO_SCHEDULER__ENABLED", "false")
        .env("XIAOHAO_MAIL__WORKER", "false")
        // XIAOHAO_BENCH_SERVER_LOG (e.g. `warn,sqlx::query=debug`) to see its statements.
        .env(
            "XIAOHAO_LOG",
            std::env::var("XIAOHAO_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .env("XIAOHAO_CALENDAR_DIR", config.join("calendar"))
        .env("XIAOHAO_SCORING_FILE", config.join("scoring.toml"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| fail(format!("cannot start `xiaohao serve`: {e}")))?;
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{}/health", server.base)).send().await
            && r.status().is_success()
        {
            return Ok(server);
        }
        if started.elapsed() > Duration::from_secs(120) {
            return Err(fail("`xiaohao serve` did not answer /health within 120 s"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn api(scratch: &Scratch, args: &BenchArgs) -> BenchResult {
    let writers = args.writers.max(1);
    let store = open(&scratch.url, u32::try_from(writers + 2).unwrap_or(10)).await?;
    let settings = store.durability_settings().await?;
    let engine = Engine::new(store.clone(), Arc::new(SystemClock), policy()?);
    let (office, lead) = units(&engine).await?;
    let office_unit = office
        .unit
        .ok_or_else(|| fail("office actor without unit"))?;
    engine
        .add_user(
            "bench-office",
            None,
            &office_unit.to_string(),
            AccountRole::Office,
            None,
            PASSWORD,
        )
        .await?;
    // A supervision account sees every item: its dashboard is the worst case for memory.
    let supervision = store
        .create_unit(
            xiaohao_store::NewUnit {
                name: "基准督查室".into(),
                kind: Some(xiaohao_core::org::UnitKind::Supervision),
                ..Default::default()
            },
            engine.now(),
        )
        .await?;
    engine
        .add_user(
            "bench-supervision",
            None,
            &supervision.id.to_string(),
            AccountRole::Supervision,
            None,
            PASSWORD,
        )
        .await?;
    if args.items > 0 {
        let seeding = Instant::now();
        store.bench_seed_items(lead, args.items, 0).await?;
        eprintln!(
            "seeded {} items in {:.1}s",
            args.items,
            seeding.elapsed().as_secs_f64()
        );
    }
    let ids = assigned_items(&engine, &office, lead, writers * 8, "接口基准事项").await?;

    let dir = std::env::temp_dir().join(format!("xiaohao-bench-serve-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(fail)?;
    let server = start_server(&scratch.url, writers, &dir).await?;
    let http = reqwest::Client::new();
    let token = login(&http, &server.base, "bench-office").await?;
    // Idle: started, answered /health and a login, nothing else.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.memory_mib();

    let per_writer = args.ops.max(writers) / writers;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let http = http.clone();
        let token = token.clone();
        let base = server.base.clone();
        let mine: Vec<ItemId> = ids.iter().copied().skip(w).step_by(writers).collect();
        tasks.push(tokio::spawn(async move {
            for n in 0..per_writer {
                let id = mine[n % mine.len()];
                let resp = http
                    .post(format!("{base}/api/items/{id}/transitions"))
                    .bearer_auth(&token)
                    // A manual 督办 climbs the ladder and stops at its top, so the repeatable
                    // change measured is a reschedule (a new deadline each time).
                    .json(&serde_json::json!({
                        "action": "reschedule",
                        "deadline": (chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default()
                            + chrono::Duration::days(i64::try_from(n).unwrap_or(0)))
                        .to_string(),
                        "reason": "基准",
                    }))
                    .send()
                    .await
                    .map_err(|e| format!("request: {e}"))?;
                if !resp.status().is_success() {
                    let status = resp.status();
                    let body = resp.text().await.unwrap_or_default();
                    return Err(format!("{status}: {body}"));
                }
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await.map_err(fail)?.map_err(fail)?;
    }
    let ours = (per_writer * writers) as f64 / started.elapsed().as_secs_f64();
    let loaded = server.memory_mib();
    // A monitoring scrape and a ledger page over all the items, as a dashboard would poll.
    for path in ["/metrics", "/api/items?limit=100"] {
        let resp = http
            .get(format!("{}{path}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .map_err(fail)?;
        if !resp.status().is_success() {
            return Err(fail(format!("GET {path}: {}", resp.status())));
        }
        resp.bytes().await.map_err(fail)?;
    }
    let scraped = server.memory_mib();
    // The dashboard of an account that sees everything.
    let supervision_token = login(&http, &server.base, "bench-supervision").await?;
    let started = Instant::now();
    let resp = http
        .get(format!("{}/", server.base))
        .bearer_auth(&supervision_token)
        .send()
        .await
        .map_err(fail)?;
    let dashboard_status = resp.status();
    resp.bytes().await.map_err(fail)?;
    let dashboard_secs = started.elapsed().as_secs_f64();
    let dashboard = server.memory_mib();
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    let raw = raw_changes(&engine, &ids, lead, writers, per_writer).await?;
    report(
        &format!("api changes, {writers} writer(s)"),
        ours,
        raw,
        "ops/s",
        true,
        &settings,
    );
    if let (Some((idle_rss, _)), Some((rss, _)), Some((scraped_rss, peak))) =
        (idle, loaded, scraped)
    {
        println!(
            "server memory with {} items: idle {idle_rss:.1} MiB RSS; after the API run {rss:.1} MiB; after GET /metrics and a ledger page {scraped_rss:.1} MiB; peak {peak:.1} MiB   [{settings}]",
            args.items + ids.len()
        );
    }
    if let Some((rss, peak)) = dashboard {
        println!(
            "supervision dashboard over all items: {dashboard_status} in {dashboard_secs:.2} s; server then {rss:.1} MiB RSS, peak {peak:.1} MiB"
        );
    }
    Ok(())
}

pub(crate) async fn login(
    http: &reqwest::Client,
    base: &str,
    username: &str,
) -> BenchResult<String> {
    let resp = http
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .map_err(fail)?;
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.map_err(fail)?;
    body.get("token")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| fail(format!("login answered {status}: {body}")))
}
