//! `xiaohao bench outbox`: how fast the mail worker drains the outbox into a local sink
//! (`.eml` files), against the raw claim-and-mark rate of the same database in the same run.

use crate::error::fail;
use crate::fixtures::policy;
use crate::{BenchDb, BenchError, BenchResult};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use xiaohao_core::org::UnitKind;
use xiaohao_engine::mail::{MailWorker, Transport};
use xiaohao_engine::{Engine, Settings, SystemClock};
use xiaohao_store::bench::{create_pg_database, drop_pg_database};
use xiaohao_store::{DbSettings, NewUnit, Store};

pub(crate) async fn outbox(
    db: BenchDb,
    messages: u64,
    in_flight: Option<usize>,
    smtp: Option<&str>,
    pg_url: &str,
) -> BenchResult<String> {
    let smtp = smtp
        .map(|s| {
            let (host, port) = s
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
                .ok_or_else(|| BenchError::Usage(format!("--smtp `{s}`: use HOST:PORT")))?;
            Ok::<_, BenchError>(xiaohao_engine::config::SmtpSettings {
                host,
                port,
                tls: xiaohao_engine::config::TlsMode::None,
                ..Default::default()
            })
        })
        .transpose()?;
    if messages == 0 {
        return Err(BenchError::Usage("--messages must be at least 1".into()));
    }
    let tmp = std::env::temp_dir().join(format!("xiaohao-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&tmp).map_err(fail)?;
    let (url, pg) = match db {
        BenchDb::Sqlite => (
            format!("sqlite://{}?mode=rwc", tmp.join("bench.db").display()),
            None,
        ),
        BenchDb::Postgres => {
            let name = format!("xh_bench_{}", uuid::Uuid::new_v4().simple());
            let url = create_pg_database(pg_url, &name)
                .await
                .map_err(|e| fail(format!("cannot reach {pg_url}: {e}")))?;
            (url, Some(name))
        }
    };
    let result = run(&url, messages, in_flight, smtp, &tmp).await;
    if let Some(name) = pg {
        let _ = drop_pg_database(pg_url, &name).await;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

async fn run(
    url: &str,
    n: u64,
    in_flight: Option<usize>,
    smtp: Option<xiaohao_engine::config::SmtpSettings>,
    tmp: &Path,
) -> BenchResult<String> {
    let mut settings = Settings::default();
    settings.mail.smtp = smtp;
    if let Some(k) = in_flight {
        settings.mail.concurrency = k.max(1);
    }
    let store = Store::connect(&DbSettings {
        url: url.to_owned(),
        // The claim's connection plus one per message in flight.
        max_connections: u32::try_from(settings.mail.concurrency + 2).unwrap_or(8),
    })
    .await
    .map_err(fail)?;
    store.migrate().await.map_err(fail)?;
    let durability = store.durability_settings().await.map_err(fail)?;
    let engine = Engine::new(store.clone(), Arc::new(SystemClock), policy()?);
    let now = engine.now();
    let unit = store
        .create_unit(
            NewUnit {
                name: "基准测试单位".into(),
                kind: Some(UnitKind::Department),
                emails: vec!["bench@example.gov.cn".into()],
                ..Default::default()
            },
            now,
        )
        .await
        .map_err(fail)?;
    settings.mail.quiet_start = "00:00".into();
    settings.mail.quiet_end = "00:00".into();
    settings.mail.digest = false;
    let batch = settings.mail.batch_size;

    store
        .seed_outbox(unit.id, "raw", n, true, now)
        .await
        .map_err(fail)?;
    let t = Instant::now();
    let raw_n = store
        .raw_drain(
            batch,
            engine.now(),
            settings.mail.concurrency,
            settings.mail.durable_marks,
        )
        .await
        .map_err(fail)?;
    let raw_s = t.elapsed().as_secs_f64();

    store
        .seed_outbox(unit.id, "ours", n, true, engine.now())
        .await
        .map_err(fail)?;
    settings.mail.outbox_dir = tmp.join("outbox").display().to_string();
    let transport = Transport::from_settings(&settings.mail, tmp).map_err(fail)?;
    let sink = transport.describe();
    let worker =
        MailWorker::with_transport(engine, &settings, Path::new("."), transport).map_err(fail)?;
    let t = Instant::now();
    let report = worker.drain().await.map_err(fail)?;
    let ours_s = t.elapsed().as_secs_f64();
    if report.sent != n || raw_n != n {
        return Err(fail(format!(
            "drained {} (worker) and {raw_n} (raw) of {n}: {report}",
            report.sent
        )));
    }
    let ours = n as f64 / ours_s;
    let raw = raw_n as f64 / raw_s;
    Ok(format!(
        "outbox drain, {n} messages to {sink}, batch {batch}, {} in flight, {durability}\n\
         ours: {ours:.0} msg/s ({ours_s:.2} s: claim + render zh-CN text/HTML + send + mark sent)\n\
         raw:  {raw:.0} msg/s ({raw_s:.2} s: claim + mark sent only)\n\
         ratio ours/raw: {:.2}",
        settings.mail.concurrency,
        ours / raw
    ))
}
