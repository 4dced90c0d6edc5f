//! `item add|list|show|do` and `audit verify`: the ledger from a terminal.

use crate::cli::{ItemAdd, ItemCommand, ItemDo};
use xiaohao_core::ItemState;
use xiaohao_engine::files::FileState;
use xiaohao_engine::{CommandRequest, Engine, ItemRequest, ReportRequest};
use xiaohao_store::ItemFilter;

use crate::out;
use crate::run::*;

pub(crate) async fn item(engine: &Engine, cmd: ItemCommand) -> CliResult {
    match cmd {
        ItemCommand::Add(add) => item_add(engine, add).await,
        ItemCommand::List {
            state,
            unit,
            overdue,
            q,
            limit,
            json,
        } => {
            let store = engine;
            let mut filter = ItemFilter {
                state: state
                    .as_deref()
                    .map(str::parse::<ItemState>)
                    .transpose()
                    .map_err(|e| usage(format!("--state: {e}")))?,
                text: q,
                limit,
                ..Default::default()
            };
            if let Some(u) = unit {
                filter.unit = Some(
                    store
                        .resolve_unit(&u)
                        .await
                        .map_err(|_| usage(format!("--unit: unknown unit `{u}`")))?
                        .id,
                );
            }
            if overdue {
                filter.overdue_on = Some(engine.today());
            }
            let page = store.list(&filter).await?;
            if json {
                return print_json(&page);
            }
            for it in &page.items {
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    it.id,
                    it.state.label_zh(),
                    it.deadline
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into()),
                    it.number.as_deref().unwrap_or(""),
                    it.title
                );
            }
            out!("{} of {} items", page.items.len(), page.total);
            Ok(())
        }
        ItemCommand::Show { id, json } => {
            let detail = engine.detail(parse_item_id(&id)?).await?;
            if json {
                return print_json(&detail);
            }
            let it = &detail.item;
            out!("{} {}", it.number.as_deref().unwrap_or(""), it.title);
            out!("id: {}  version: {}", it.id, it.version);
            out!("state: {} ({})", it.state.label_zh(), it.state);
            if let Some(d) = it.deadline {
                out!("deadline: {d}");
            }
            out!(
                "allowed: {}",
                detail
                    .allowed_actions
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for e in &detail.events {
                out!(
                    "  #{} {} {} → {} by {} ({}) {}",
                    e.seq,
                    e.at.format("%Y-%m-%d %H:%M"),
                    e.kind,
                    e.to_state,
                    e.actor_name,
                    e.actor_role,
                    e.payload
                );
            }
            Ok(())
        }
        ItemCommand::Do(d) => item_do(engine, d).await,
    }
}

pub(crate) async fn item_add(engine: &Engine, add: ItemAdd) -> CliResult {
    let actor = engine.actor_for("--as", &add.actor).await?;
    let req = ItemRequest {
        kind: Some(add.kind),
        number: add.number,
        title: add.title,
        text: add.text,
        lead_unit: add.lead,
        co_units: add.co,
        leader: add.leader,
        deadline: add.deadline,
        chain: add.chain,
        ..Default::default()
    };
    let out = engine.file_item(&actor, &req).await?;
    if add.json {
        return print_json(&out);
    }
    out!(
        "{}\t{}\t{}",
        out.item.id,
        out.item.state.label_zh(),
        out.item.title
    );
    Ok(())
}

pub(crate) async fn item_do(engine: &Engine, d: ItemDo) -> CliResult {
    let id = parse_item_id(&d.id)?;
    let actor = engine.actor_for("--as", &d.actor).await?;
    let report = if d.action == "report" {
        Some(ReportRequest {
            period: d
                .period
                .clone()
                .ok_or_else(|| usage("report needs --period (e.g. 2026-11)"))?,
            text: d.text.clone().ok_or_else(|| usage("report needs --text"))?,
            percent: d.percent,
            actuals: vec![],
            // The files go on the command's `attachments` (ids of uploads).
            attachments: vec![],
        })
    } else {
        None
    };
    let req = CommandRequest {
        action: d.action,
        version: d.version,
        reason: d.reason,
        evidence: d.evidence,
        comment: d.comment,
        attachments: d.attachments,
        to: d.to,
        lead_unit: d.lead,
        deadline: d.deadline,
        text: d.text.clone().filter(|_| report.is_none()),
        by: d.by,
        order: d.order,
        report,
    };
    let out = engine.execute_request(id, &actor, &req).await?;
    if d.json {
        return print_json(&out);
    }
    out!(
        "{}\t{} → {}\tversion {}\tevent #{}",
        out.item.id,
        out.event.from_state.map(|s| s.label_zh()).unwrap_or("-"),
        out.item.state.label_zh(),
        out.item.version,
        out.event.seq
    );
    Ok(())
}

pub(crate) async fn audit_verify(engine: &Engine, files: bool) -> CliResult {
    let (items, events, broken) = engine.verify_all_chains().await?;
    if let Some(b) = broken {
        return Err(CliError::Failure(format!(
            "broken chain: item {} event #{}: {} (checked {items} items, {events} events)",
            b.item_id, b.seq, b.reason
        )));
    }
    // Countersigned 对账单: the chain of seals, and each statement against its seal.
    let (seals, broken) = engine.verify_statement_seals().await?;
    if let Some(b) = broken {
        return Err(CliError::Failure(format!(
            "broken statement seal #{}: statement {}: {} (checked {seals} seals)",
            b.seq, b.statement_id, b.reason
        )));
    }
    // Issued 通报: the chain of seals, and each stored copy against its seal.
    let (bulletins, broken) = engine.verify_bulletin_seals().await?;
    if let Some(b) = broken {
        return Err(CliError::Failure(format!(
            "broken bulletin seal #{}: bulletin {}: {} (checked {bulletins} seals)",
            b.seq, b.bulletin_id, b.reason
        )));
    }
    let mut line = format!(
        "ok: {items} items, {events} events, {seals} statements sealed, {bulletins} bulletins sealed, every hash chain intact"
    );
    if files {
        // Each stored file against the hash its events (and its upload) recorded.
        let audit = engine.verify_files().await?;
        if let Some(p) = audit.problems.first() {
            let what = match &p.state {
                FileState::Missing => "missing".to_owned(),
                FileState::Changed { sha256 } => format!("changed (now sha256 {sha256})"),
                FileState::Intact => "intact".to_owned(),
            };
            let by = p
                .event_seq
                .map(|s| format!("event #{s}"))
                .unwrap_or_else(|| "upload".to_owned());
            return Err(CliError::Failure(format!(
                "file {what}: sha256 {} `{}`, item {} {by}; {} of {} files bad (checked {} references)",
                p.sha256,
                p.name,
                p.item_id,
                audit.problems.len(),
                audit.files,
                audit.references
            )));
        }
        line.push_str(&format!(
            ", {} files intact ({} references)",
            audit.files, audit.references
        ));
    }
    out!("{line}");
    Ok(())
}
