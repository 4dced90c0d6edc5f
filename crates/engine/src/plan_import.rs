//! A parsed work plan as the store's import, shared by `xiaohao import plan` and the import
//! benchmark so both file the same rows.

use std::path::Path;
use xiaohao_core::Target;
use xiaohao_core::item::{MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use xiaohao_import::{ChainDraft, PlanDraft};
use xiaohao_store::{ChainImport, ItemImport, PlanImport};

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn chain_import(c: &ChainDraft) -> ChainImport {
    ChainImport {
        name: c.name.clone(),
        leaders: c.leaders.clone(),
        lead_units: c.lead_units.clone(),
        units: c.units.clone(),
        children: c.children.iter().map(chain_import).collect(),
    }
}

/// The draft as the store's import: dates parsed, other deadlines kept as text, titles and
/// texts cut to the domain's limits, unnamed targets named `指标`.
pub fn plan_import(draft: &PlanDraft, file: &Path, allow_duplicate: bool) -> PlanImport {
    let title = draft
        .title
        .clone()
        .or_else(|| draft.doc_number.clone())
        .unwrap_or_else(|| {
            file.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "plan".into())
        });
    PlanImport {
        title,
        doc_number: draft.doc_number.clone(),
        issuer: draft.issuer.clone(),
        issued_on: draft.date,
        chains: draft.chains.iter().map(chain_import).collect(),
        items: draft
            .tasks
            .iter()
            .map(|t| {
                let date = t
                    .deadline
                    .as_deref()
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                ItemImport {
                    number: Some(t.number.clone()).filter(|n| !n.is_empty()),
                    section: t.section.as_deref().map(|s| truncate(s, 64)),
                    title: truncate(&t.title, MAX_TITLE_CHARS),
                    text: truncate(&t.text, MAX_TEXT_CHARS),
                    lead: t.lead.clone(),
                    co: t.co.clone(),
                    leaders: t.leaders.clone(),
                    deadline: date,
                    deadline_text: if date.is_none() {
                        t.deadline.clone()
                    } else {
                        None
                    },
                    targets: t
                        .targets
                        .iter()
                        .map(|g| Target {
                            metric: if g.metric.trim().is_empty() {
                                "指标".into()
                            } else {
                                g.metric.clone()
                            },
                            value: g.value,
                            unit: g.unit.clone(),
                            year: g.year,
                            cmp: g.cmp.clone(),
                        })
                        .collect(),
                    chain: t.chain.clone(),
                }
            })
            .collect(),
        allow_duplicate,
    }
}
