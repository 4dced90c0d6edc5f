//! `serve` and `tick`: the HTTP service with its scheduler and mail worker, and one
//! scheduler tick at any instant.

use std::sync::Arc;
use xiaohao_engine::mail::MailWorker;
use xiaohao_engine::{Engine, Scheduler, Settings};

use crate::out;
use crate::run::*;

pub(crate) async fn tick(
    engine: Engine,
    settings: &Settings,
    now: Option<String>,
    json: bool,
) -> CliResult {
    let at = match now {
        Some(raw) => chrono::DateTime::parse_from_rfc3339(&raw)
            .map_err(|_| {
                usage(format!(
                    "--now: `{raw}` is not an RFC 3339 time (e.g. 2026-10-09T09:00:00+08:00)"
                ))
            })?
            .with_timezone(&chrono::Utc),
        None => engine.now(),
    };
    let scheduler = Scheduler::new(engine, settings)?;
    let report = scheduler.tick(at).await?;
    if json {
        return print_json(&report);
    }
    out!(
        "tick {at}: {} occurrences, {} duties opened, {} duties missed, items {:?}, duties {:?}, {} skipped",
        report.occurrences,
        report.duties_opened,
        report.duties_missed,
        report.item_steps,
        report.duty_steps,
        report.skipped
    );
    Ok(())
}

/// Tick every `scheduler.tick_seconds` until shutdown; a failed tick is logged and retried.
pub(crate) fn spawn_scheduler(
    engine: Engine,
    settings: &Settings,
    metrics: Arc<xiaohao_web::Metrics>,
) -> CliResult<tokio::sync::watch::Sender<bool>> {
    let scheduler = Scheduler::new(engine, settings)?;
    let period = settings.scheduler.tick_period()?;
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = stop_rx.changed() => break,
            }
            let started = std::time::Instant::now();
            let now = scheduler.engine().now();
            let result = scheduler.tick(now).await;
            metrics.record_tick(started.elapsed(), result.as_ref().ok().map(|_| now));
            match result {
                Ok(r) => tracing::debug!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    ?r,
                    "tick"
                ),
                Err(e) => tracing::error!(error = %e, "scheduler tick failed; retrying next tick"),
            }
        }
    });
    Ok(stop_tx)
}

pub(crate) async fn serve(
    engine: Engine,
    settings: &Settings,
    home: &std::path::Path,
    addr: Option<String>,
    demo: bool,
) -> CliResult {
    let addr = addr.unwrap_or_else(|| settings.server.addr.clone());
    let socket: std::net::SocketAddr = addr
        .parse()
        .map_err(|_| usage(format!("--addr `{addr}` is not host:port")))?;
    // Held until serve exits: `restore` refuses to replace a database in use.
    let _serve_lock = match settings.sqlite_file() {
        Some(file) => Some(xiaohao_engine::backup::ServeLock::acquire(&file)?),
        None => None,
    };
    let empty = engine.units().await?.is_empty();
    if empty && demo {
        let summary = crate::demo::load(&engine).await?;
        tracing::info!("{summary}");
    } else if empty {
        tracing::info!(
            "the database is empty: restart with --demo to load a demo ledger built from a real work plan"
        );
    }
    let listener = tokio::net::TcpListener::bind(socket)
        .await
        .map_err(|e| CliError::Failure(format!("cannot listen on {socket}: {e}")))?;
    tracing::info!(
        "xiaohao listening on http://{} ({})",
        listener.local_addr().map(|a| a.to_string()).unwrap_or(addr),
        engine.durability_settings().await.unwrap_or_default()
    );
    let mut state = xiaohao_web::AppState::new(engine.clone());
    state.metrics_access =
        xiaohao_web::MetricsAccess::from_settings(&settings.metrics).map_err(CliError::Usage)?;
    let scheduler_stop = if settings.scheduler.enabled {
        Some(spawn_scheduler(
            engine.clone(),
            settings,
            state.metrics.clone(),
        )?)
    } else {
        None
    };
    // The mail worker runs beside the HTTP server and stops with it: on a signal the
    // server drains its requests, the worker finishes the batch it holds, then we exit.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = if settings.mail.worker {
        let w = MailWorker::new(engine.clone(), settings, home)?;
        Some(tokio::spawn(w.run(stop_rx)))
    } else {
        None
    };
    let served = xiaohao_web::serve_with(listener, state, async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    })
    .await
    .map_err(|e| CliError::Failure(format!("server failed: {e}")));
    if let Some(handle) = worker
        && tokio::time::timeout(std::time::Duration::from_secs(60), handle)
            .await
            .is_err()
    {
        tracing::warn!("mail worker did not stop within 60 s");
    }
    if let Some(stop) = scheduler_stop {
        let _ = stop.send(true);
    }
    served
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
