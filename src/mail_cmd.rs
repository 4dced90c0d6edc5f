//! `mail list|retry|drain|send-test`: the outbox and its delivery.

use crate::cli::MailCommand;
use xiaohao_engine::mail::MailWorker;
use xiaohao_engine::{Engine, Settings};
use xiaohao_store::OutboxStatus;

use crate::out;
use crate::run::*;

pub(crate) async fn mail(
    engine: Engine,
    settings: &Settings,
    home: &std::path::Path,
    cmd: MailCommand,
) -> CliResult {
    match cmd {
        MailCommand::List {
            status,
            limit,
            json,
        } => {
            let mut rows = Vec::new();
            if status.is_empty() {
                rows = engine.outbox(None, limit).await?;
            } else {
                for s in &status {
                    let st: OutboxStatus = s
                        .parse()
                        .map_err(|e: String| usage(format!("--status: {e}")))?;
                    rows.extend(engine.outbox(Some(st.as_str()), limit).await?);
                }
            }
            if json {
                return print_json(&rows);
            }
            for r in &rows {
                out!(
                    "{}\t{}\t{}\tattempts {}\tnext {}\t{}\t{}{}",
                    r.id,
                    r.status,
                    r.kind,
                    r.attempts,
                    r.next_attempt_at.format("%Y-%m-%d %H:%M:%S"),
                    r.dedupe_key,
                    r.message_key
                        .as_deref()
                        .map(|k| format!("via {k}"))
                        .unwrap_or_default(),
                    r.last_error
                        .as_deref()
                        .map(|e| format!("\terror: {e}"))
                        .unwrap_or_default(),
                );
            }
            out!("{} rows", rows.len());
            Ok(())
        }
        MailCommand::Retry { id, all_dead } => match (id, all_dead) {
            (Some(_), true) | (None, false) => {
                Err(usage("mail retry: give one row id or --all-dead"))
            }
            (Some(id), false) => {
                let id: uuid::Uuid = id
                    .parse()
                    .map_err(|_| usage(format!("`{id}` is not an outbox row id")))?;
                engine.requeue_outbox(id).await?;
                out!("re-queued {id}");
                Ok(())
            }
            (None, true) => {
                let n = engine.requeue_all_dead().await?;
                out!("re-queued {n} dead rows");
                Ok(())
            }
        },
        MailCommand::SendTest { address } => {
            let worker = MailWorker::new(engine, settings, home)?;
            worker.send_test(&address).await?;
            out!(
                "sent a test message to {address} via {}",
                worker.transport().describe()
            );
            Ok(())
        }
        MailCommand::Drain => {
            let worker = MailWorker::new(engine, settings, home)?;
            let report = worker.drain().await?;
            out!("{report}");
            Ok(())
        }
    }
}
