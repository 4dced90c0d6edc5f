//! `import plan`, `import ledger`, `export ledger` and `report`: file formats in, commands
//! through the engine, files out.

use crate::cli::{ExportCommand, ImportCommand, ReportCommand, ReportOutput};
use crate::out;
use crate::run::{CliError, CliResult, print_json, usage};
use std::path::Path;
use xiaohao_core::ChainId;
use xiaohao_engine::ledger::LedgerEntry;
use xiaohao_engine::plan_import::plan_import;
use xiaohao_engine::report::Period;
use xiaohao_engine::{Engine, EngineError};
use xiaohao_import::{ChainDraft, PlanDraft};
use xiaohao_store::StoreError;

fn read_file(path: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| usage(format!("cannot read {}: {e}", path.display())))
}

fn write_file(path: &Path, bytes: &[u8]) -> CliResult {
    std::fs::write(path, bytes)
        .map_err(|e| CliError::Failure(format!("cannot write {}: {e}", path.display())))
}

/// Read at most `max_bytes` of `path`: a larger file (or an endless one such as
/// `/dev/zero`) is refused without reading further.
fn read_capped(path: &Path, max_bytes: u64) -> CliResult<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)
        .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    f.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
    if bytes.len() as u64 > max_bytes {
        return Err(usage(format!(
            "{}: 文件超过 {max_bytes} 字节上限 (larger than --max-bytes {max_bytes})",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Read and parse a plan file (plain text or `.docx`); bad bytes are the user's to fix
/// (exit 2): too large, empty, or neither text nor a Word document.
pub(crate) fn parse_plan_file(file: &Path, max_bytes: u64) -> CliResult<PlanDraft> {
    let bytes = read_capped(file, max_bytes)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let text = match xiaohao_import::read_plan_text(&name, &bytes, max_bytes) {
        Ok(text) => text,
        Err(xiaohao_import::ImportError::Empty) => {
            return Err(usage(format!("{}: 文件为空 (empty file)", file.display())));
        }
        Err(e) => return Err(usage(format!("{}: {e}", file.display()))),
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
    {
        return Err(usage(format!(
            "{}: 不是文本文件 (not a text file: control characters)",
            file.display()
        )));
    }
    Ok(xiaohao_import::parse_plan(&text))
}

/// `import plan FILE --dry-run`: print the draft; never touches configuration or a database.
pub fn plan_dry_run(file: &Path, format: &str, max_bytes: u64) -> CliResult {
    let draft = parse_plan_file(file, max_bytes)?;
    match format {
        "json" => {
            let json = draft
                .to_json()
                .map_err(|e| CliError::Failure(format!("cannot serialise the draft: {e}")))?;
            out!("{json}");
        }
        "text" => {
            out!(
                "{} {} ({}, {})",
                draft.title.as_deref().unwrap_or("(no title)"),
                draft.doc_number.as_deref().unwrap_or(""),
                draft.issuer.as_deref().unwrap_or("-"),
                draft
                    .date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into())
            );
            out!(
                "{} chains, {} tasks",
                count_chains(&draft.chains),
                draft.tasks.len()
            );
            for t in &draft.tasks {
                out!(
                    "{}\t{}\t{}\t{}",
                    t.number,
                    t.lead.as_deref().unwrap_or("-"),
                    t.deadline.as_deref().unwrap_or("-"),
                    t.title
                );
            }
        }
        other => return Err(usage(format!("--format: `{other}` is not json or text"))),
    }
    Ok(())
}

fn count_chains(chains: &[ChainDraft]) -> usize {
    chains.iter().map(|c| 1 + count_chains(&c.children)).sum()
}

pub async fn import(engine: &Engine, cmd: ImportCommand) -> CliResult {
    match cmd {
        ImportCommand::Plan {
            file,
            dry_run,
            format,
            actor,
            allow_duplicate,
            allow_empty,
            max_bytes,
        } => {
            if dry_run {
                return plan_dry_run(&file, &format, max_bytes);
            }
            if !matches!(format.as_str(), "json" | "text") {
                return Err(usage(format!("--format: `{format}` is not json or text")));
            }
            let actor = actor.ok_or_else(|| {
                usage("import plan needs --as OFFICE (the office filing the items), or --dry-run")
            })?;
            let draft = parse_plan_file(&file, max_bytes)?;
            if draft.tasks.is_empty() && !allow_empty {
                return Err(usage(format!(
                    "{}: 未找到任务 (no tasks found); use --allow-empty to import it anyway",
                    file.display()
                )));
            }
            let actor = engine.actor_for("--as", &actor).await?;
            let imp = plan_import(&draft, &file, allow_duplicate);
            let summary = match engine.import_plan(&imp, &actor).await {
                Ok(s) => s,
                Err(EngineError::Store(StoreError::Duplicate { field, value }))
                    if field.starts_with("plan") =>
                {
                    return Err(usage(format!(
                        "a plan with {} `{value}` was already imported; use --allow-duplicate to import it again",
                        field.trim_start_matches("plan ")
                    )));
                }
                Err(e) => return Err(e.into()),
            };
            if format == "json" {
                return print_json(&summary);
            }
            out!(
                "imported {}: {} units created (to review), {} resolved, {} people created, {} resolved, {} chains, {} items as drafts",
                imp.title,
                summary.units_created.len(),
                summary.units_resolved,
                summary.people_created,
                summary.people_resolved,
                summary.chains,
                summary.items.len()
            );
            for u in &summary.units_created {
                out!("  new unit (needs review): {u}");
            }
            Ok(())
        }
        ImportCommand::Ledger {
            file,
            actor,
            dry_run,
            json,
        } => import_ledger(engine, &file, &actor, dry_run, json).await,
    }
}

async fn import_ledger(
    engine: &Engine,
    file: &Path,
    actor: &str,
    dry_run: bool,
    json: bool,
) -> CliResult {
    let bytes = read_file(file)?;
    let actor = engine.actor_for("--as", actor).await?;
    let plan = engine
        .plan_ledger_workbook(&actor, &bytes)
        .await
        .map_err(|e| match e {
            EngineError::Invalid { message, .. } => usage(format!("{}: {message}", file.display())),
            other => other.into(),
        })?;
    if !plan.errors.is_empty() {
        return Err(usage(format!("{}: {}", file.display(), plan.refusal())));
    }
    let plan = if dry_run {
        plan
    } else {
        engine.apply_ledger_plan(plan).await?
    };
    if json {
        return print_json(&serde_json::json!({
            "dry_run": dry_run,
            "created": plan.new_items.len(),
            "changed": plan.changes.len() - plan.new_items.len(),
            "commands": plan.decisions.len(),
            "unchanged": plan.unchanged,
            "rows": plan.changes,
        }));
    }
    for c in &plan.changes {
        out!("第{}行\t{}\t{}", c.row, c.item, c.actions.join(","));
    }
    out!(
        "{}{} new drafts, {} items changed ({} commands), {} unchanged",
        if dry_run { "dry run: " } else { "" },
        plan.new_items.len(),
        plan.changes.len() - plan.new_items.len(),
        plan.decisions.len(),
        plan.unchanged
    );
    Ok(())
}

async fn chain_ref(engine: &Engine, key: &str) -> CliResult<ChainId> {
    let chains = engine.chains().await?;
    chains
        .iter()
        .find(|c| c.id.to_string() == key || c.name == key.trim())
        .map(|c| c.id)
        .ok_or_else(|| usage(format!("--chain: unknown chain `{key}`")))
}

pub async fn export(engine: &Engine, cmd: ExportCommand) -> CliResult {
    let ExportCommand::Ledger { xlsx, chain, unit } = cmd;
    let chain = match chain {
        Some(c) => Some(chain_ref(engine, &c).await?),
        None => None,
    };
    let unit = match unit {
        Some(u) => Some(
            engine
                .resolve_unit(&u)
                .await
                .map_err(|_| usage(format!("--unit: unknown unit `{u}`")))?
                .id,
        ),
        None => None,
    };
    let entries = engine.ledger(chain, unit).await?;
    let rows: Vec<_> = entries.iter().map(LedgerEntry::row).collect();
    let bytes = xiaohao_import::ledger::write_ledger(&rows)
        .map_err(|e| CliError::Failure(e.to_string()))?;
    write_file(&xlsx, &bytes)?;
    out!("{} items written to {}", rows.len(), xlsx.display());
    Ok(())
}

pub async fn report(engine: &Engine, cmd: ReportCommand) -> CliResult {
    let (period, output): (Period, ReportOutput) = match cmd {
        ReportCommand::Quarterly { period, output } => (
            Period::quarter(&period).map_err(|e| usage(format!("--{e}")))?,
            output,
        ),
        ReportCommand::Annual { year, output } => (
            Period::year(year).map_err(|e| usage(format!("--{e}")))?,
            output,
        ),
        ReportCommand::Score(args) => return crate::score_cmd::run(engine, args).await,
    };
    if !matches!(output.format.as_str(), "md" | "html" | "xlsx" | "json") {
        return Err(usage(format!(
            "--format: `{}` is not md, html, xlsx or json",
            output.format
        )));
    }
    if output.format == "xlsx" && output.out.is_none() {
        return Err(usage("--format xlsx needs --out FILE"));
    }
    let office = match &output.office {
        Some(key) => Some(
            engine
                .resolve_unit(key)
                .await
                .map_err(|_| usage(format!("--office: unknown unit `{key}`")))?
                .id,
        ),
        None => None,
    };
    if let Some(path) = &output.docx {
        let doc = engine.bulletin_preview(&period, office).await?;
        let bytes = xiaohao_web::bulletin::docx::render(&doc).map_err(CliError::Failure)?;
        write_file(path, &bytes)?;
        out!("{} written to {}", doc.title, path.display());
        if output.out.is_none() {
            return Ok(());
        }
    }
    let bulletin = engine.bulletin(&period).await?;
    let names = xiaohao_web::bulletin::figures::level_names(&engine.policy().ladder, &bulletin);
    let bytes: Vec<u8> =
        match output.format.as_str() {
            "md" => crate::report::markdown(&bulletin, &names).into_bytes(),
            "html" => crate::report::html(&bulletin, &names).into_bytes(),
            "json" => serde_json::to_vec_pretty(&bulletin)
                .map_err(|e| CliError::Failure(e.to_string()))?,
            _ => crate::report::xlsx(&bulletin, &names)
                .map_err(|e| CliError::Failure(e.to_string()))?,
        };
    match output.out {
        Some(path) => {
            write_file(&path, &bytes)?;
            out!("{} written to {}", bulletin.title, path.display());
        }
        None => {
            use std::io::Write as _;
            let _ = std::io::stdout().lock().write_all(&bytes);
        }
    }
    Ok(())
}
