//! A plan imported from the web: the office uploads the document (.txt in UTF-8 or
//! GB18030, or .docx), reads the parsed draft, corrects it, maps each unit name that matches
//! no unit to an existing unit (the name is kept as its alias) or lets it be created for
//! review, and confirms: the drafts are filed in one transaction under a plan.

use crate::plan_import::plan_import;
use crate::{Engine, EngineError, Principal};
use serde::Serialize;
use std::path::Path;
use xiaohao_core::UnitId;
use xiaohao_import::{ChainDraft, ImportError, PlanDraft};
use xiaohao_store::{ImportSummary, StoreError};

/// The parsed plan and the unit names it uses that no unit bears.
#[derive(Debug, Clone, Serialize)]
pub struct PlanPreview {
    pub draft: PlanDraft,
    pub unknown_units: Vec<String>,
}

fn office(who: &Principal) -> Result<(), EngineError> {
    if who.is_office_or_admin() {
        Ok(())
    } else {
        Err(EngineError::Forbidden(
            "only an office imports plans".into(),
        ))
    }
}

fn chain_names(c: &ChainDraft, out: &mut Vec<String>) {
    out.extend(c.lead_units.iter().chain(&c.units).cloned());
    for child in &c.children {
        chain_names(child, out);
    }
}

fn rename_in_chain(c: &mut ChainDraft, from: &str, to: &str) {
    for u in c.lead_units.iter_mut().chain(c.units.iter_mut()) {
        if u == from {
            to.clone_into(u);
        }
    }
    for child in &mut c.children {
        rename_in_chain(child, from, to);
    }
}

/// Every unit name of the draft, in order of appearance, once each.
fn unit_names(draft: &PlanDraft) -> Vec<String> {
    let mut all = Vec::new();
    for c in &draft.chains {
        chain_names(c, &mut all);
    }
    for t in &draft.tasks {
        all.extend(t.lead.iter().chain(&t.co).cloned());
    }
    let mut seen = Vec::new();
    for n in all {
        let n = n.trim().to_owned();
        if !n.is_empty() && !seen.contains(&n) {
            seen.push(n);
        }
    }
    seen
}

impl Engine {
    /// Read an uploaded plan.
    ///
    /// # Errors
    /// `Forbidden` for anyone but an office; `Invalid` on `file` when it cannot be read or
    /// holds no task.
    pub async fn preview_plan(
        &self,
        who: &Principal,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<PlanPreview, EngineError> {
        office(who)?;
        let draft =
            xiaohao_import::read_plan(file_name, bytes).map_err(|e| EngineError::Invalid {
                field: "file".into(),
                message: match e {
                    ImportError::BinaryFormat(kind) => {
                        format!("a {kind} file cannot be read; upload .docx or .txt")
                    }
                    other => other.to_string(),
                },
            })?;
        if draft.tasks.is_empty() {
            return Err(EngineError::Invalid {
                field: "file".into(),
                message: "no task found in the document".into(),
            });
        }
        let unknown_units = self.unknown_units(&draft).await?;
        Ok(PlanPreview {
            draft,
            unknown_units,
        })
    }

    /// The unit names of `draft` that name no unit (by name or alias).
    ///
    /// # Errors
    /// On store failure.
    pub async fn unknown_units(&self, draft: &PlanDraft) -> Result<Vec<String>, EngineError> {
        let mut unknown = Vec::new();
        for name in unit_names(draft) {
            match self.store().resolve_unit(&name).await {
                Ok(_) => {}
                Err(StoreError::NotFound { .. }) => unknown.push(name),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(unknown)
    }

    /// File the reviewed draft: each `(name, Some(unit))` of `mapping` is recorded as an
    /// alias of that unit and the draft names the unit instead; other unknown names are
    /// created as units to review. The drafts go in one transaction under a new plan.
    ///
    /// # Errors
    /// `Forbidden`; `Store(Duplicate)` when a plan with the same 文号 or title exists;
    /// `Invalid`.
    #[tracing::instrument(name = "import_reviewed_plan", skip_all, fields(tasks = draft.tasks.len()))]
    pub async fn import_reviewed_plan(
        &self,
        who: &Principal,
        mut draft: PlanDraft,
        mapping: &[(String, Option<UnitId>)],
        file_name: &str,
    ) -> Result<ImportSummary, EngineError> {
        office(who)?;
        for (name, target) in mapping {
            let Some(id) = target else { continue };
            let unit = self.store().unit(*id).await?;
            match self.store().add_unit_alias(unit.id, name).await {
                Ok(()) | Err(StoreError::Duplicate { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            for c in &mut draft.chains {
                rename_in_chain(c, name, &unit.name);
            }
            for t in &mut draft.tasks {
                if t.lead.as_deref() == Some(name.as_str()) {
                    t.lead = Some(unit.name.clone());
                }
                for u in &mut t.co {
                    if u == name {
                        u.clone_from(&unit.name);
                    }
                }
            }
        }
        let imp = plan_import(&draft, Path::new(file_name), false);
        let actor = self.with_jurisdiction(&who.actor).await?;
        self.import_plan(&imp, &actor).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xiaohao_import::TaskDraft;

    #[test]
    fn unit_names_come_once_each_in_order() {
        let draft = PlanDraft {
            chains: vec![ChainDraft {
                name: "石化".into(),
                lead_units: vec!["省工信厅".into()],
                units: vec!["省发改委".into()],
                ..ChainDraft::default()
            }],
            tasks: vec![TaskDraft {
                lead: Some("省发改委".into()),
                co: vec!["省科技厅".into(), " ".into()],
                ..TaskDraft::default()
            }],
            ..PlanDraft::default()
        };
        assert_eq!(unit_names(&draft), ["省工信厅", "省发改委", "省科技厅"]);
    }
}
