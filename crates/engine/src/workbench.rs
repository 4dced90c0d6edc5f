//! The office's workbench on the ledger: the ledger sorted by any of its columns, drafts
//! handed out (交办) in bulk, and an item corrected from a form. Every change is a command
//! through [`Engine::execute_if`] (one command path, cut to the user's scope); every figure
//! a column sorts by is the policy's (light, working days late).

use crate::{Engine, EngineError, Outcome, Principal};
use std::cmp::Ordering;
pub use xiaohao_core::numbering::number_key;
use xiaohao_core::{Command, Item, ItemId, ItemState, PersonId};
use xiaohao_store::{ItemFilter, ItemPage};
pub use xiaohao_store::{LedgerSort, SortKey};

/// The reason recorded on the edit a bulk 交办 makes before it hands a draft out.
pub const BULK_ASSIGN_REASON: &str = "批量交办";

/// What a bulk 交办 sets on every selected draft; `None` or empty keeps the draft's own.
#[derive(Debug, Clone, Default)]
pub struct BulkAssign {
    pub lead_unit: Option<String>,
    pub co_units: Vec<String>,
    pub leader: Option<String>,
    /// `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub chain: Option<String>,
}

/// What became of one selected draft.
#[derive(Debug)]
pub struct BulkRow {
    pub item: ItemId,
    /// The title, when the item could be read.
    pub title: Option<String>,
    pub result: Result<Outcome, EngineError>,
}

/// A correction of an item as a form sends it: names as typed, empty fields kept.
#[derive(Debug, Clone, Default)]
pub struct ItemEdit {
    pub title: Option<String>,
    pub text: Option<String>,
    pub number: Option<String>,
    /// Only while a draft: an assigned item changes hands by 转办.
    pub lead_unit: Option<String>,
    /// `Some` replaces the list (an empty list clears it).
    pub co_units: Option<Vec<String>>,
    pub leader: Option<String>,
    pub chain: Option<String>,
    pub reason: String,
}

fn blank(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

impl Engine {
    /// A page of the ledger `who` may read, sorted by a column (newest first without
    /// one): ordered by the database, so a page reads only its own rows.
    ///
    /// # Errors
    /// On store failure.
    pub async fn ledger_page_for(
        &self,
        who: &Principal,
        mut filter: ItemFilter,
        sort: Option<LedgerSort>,
    ) -> Result<ItemPage, EngineError> {
        if let Some(sort) = sort {
            filter.order = xiaohao_store::ItemOrder::By {
                sort,
                today: self.today(),
            };
        }
        self.list_for(who, filter).await
    }

    /// 交办 the selected drafts with what `req` sets: for each, an edit (co-units, leader,
    /// chain) when asked, then the `assign` command — each through the one command path,
    /// within `who`'s scope. A draft that cannot be handed out is reported, not skipped
    /// silently, and the others go on. What would refuse the `assign` (not a draft, no lead
    /// unit) is checked before the edit, so a refused row is left as it was.
    ///
    /// # Errors
    /// `Invalid` naming the field when a unit, leader, chain or date of `req` is unknown or
    /// malformed (then nothing is done); store failures.
    pub async fn assign_drafts(
        &self,
        who: &Principal,
        ids: &[ItemId],
        req: &BulkAssign,
    ) -> Result<Vec<BulkRow>, EngineError> {
        let lead = match blank(req.lead_unit.as_ref()) {
            Some(k) => Some(self.unit_id("lead_unit", k).await?),
            None => None,
        };
        let mut co = Vec::new();
        for k in req
            .co_units
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            co.push(self.unit_id("co_units", k).await?);
        }
        let leader: Option<PersonId> = match blank(req.leader.as_ref()) {
            Some(k) => Some(self.person_id("leader", k).await?),
            None => None,
        };
        let chain = match blank(req.chain.as_ref()) {
            Some(k) => Some(self.chain_id(k).await?),
            None => None,
        };
        let deadline = blank(req.deadline.as_ref())
            .map(|d| crate::requests::parse_date("deadline", d))
            .transpose()?;
        let edit = (!co.is_empty() || leader.is_some() || chain.is_some()).then(|| Command::Edit {
            title: None,
            text: None,
            lead_unit: None,
            co_units: (!co.is_empty()).then(|| co.clone()),
            number: None,
            leader,
            chain,
            reason: BULK_ASSIGN_REASON.into(),
        });
        let assign = Command::Assign {
            lead_unit: lead,
            deadline,
        };
        let admit = |it: &Item| who.scope.admits(it);
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let item = match self.store().item(id).await {
                Ok(it) if admit(&it) => it,
                Ok(_) | Err(xiaohao_store::StoreError::NotFound { .. }) => {
                    out.push(BulkRow {
                        item: id,
                        title: None,
                        result: Err(xiaohao_store::StoreError::NotFound {
                            what: "item",
                            key: id.to_string(),
                        }
                        .into()),
                    });
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let title = Some(item.title.clone());
            // Only drafts are handed out; the edit must not land on anything else.
            if item.state != ItemState::Draft {
                out.push(BulkRow {
                    item: id,
                    title,
                    result: Err(xiaohao_core::DomainError::InvalidTransition {
                        state: item.state,
                        action: xiaohao_core::Action::Assign,
                        allowed: item.state.allowed_actions(),
                    }
                    .into()),
                });
                continue;
            }
            // Without a lead unit it cannot be handed out: refuse before any edit lands.
            if lead.is_none() && item.lead_unit.is_none() {
                out.push(BulkRow {
                    item: id,
                    title,
                    result: Err(xiaohao_core::DomainError::invalid(
                        "lead_unit",
                        "an item needs a lead unit (牵头单位) before it can be assigned",
                    )
                    .into()),
                });
                continue;
            }
            let edited = match &edit {
                Some(e) => match self.execute_if(id, &who.actor, e, None, admit).await {
                    Ok(_) => Ok(()),
                    // The draft already has all of it: go on to 交办.
                    Err(EngineError::Domain(xiaohao_core::DomainError::Invalid {
                        field: "edit",
                        ..
                    })) => Ok(()),
                    Err(e) => Err(e),
                },
                None => Ok(()),
            };
            let result = match edited {
                Ok(()) => self.execute_if(id, &who.actor, &assign, None, admit).await,
                Err(e) => Err(e),
            };
            out.push(BulkRow {
                item: id,
                title,
                result,
            });
        }
        Ok(out)
    }

    /// A person's name (牵头领导), for forms that show the current one.
    ///
    /// # Errors
    /// `Store(NotFound)` for an unknown id; store failures.
    pub async fn person_name(&self, id: PersonId) -> Result<String, EngineError> {
        Ok(self.store().person(id).await?.name)
    }

    /// Correct an item (编辑) as `who`: the `edit` command with the names of `req`
    /// resolved, at the version the form showed.
    ///
    /// # Errors
    /// `Invalid` naming the field; otherwise as [`Engine::execute`].
    pub async fn edit_as(
        &self,
        who: &Principal,
        id: ItemId,
        version: Option<i64>,
        req: &ItemEdit,
    ) -> Result<Outcome, EngineError> {
        let lead_unit = match blank(req.lead_unit.as_ref()) {
            Some(k) => Some(self.unit_id("lead_unit", k).await?),
            None => None,
        };
        let co_units = match &req.co_units {
            Some(keys) => {
                let mut ids = Vec::new();
                for k in keys.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                    ids.push(self.unit_id("co_units", k).await?);
                }
                Some(ids)
            }
            None => None,
        };
        let leader = match blank(req.leader.as_ref()) {
            Some(k) => Some(self.person_id("leader", k).await?),
            None => None,
        };
        let chain = match blank(req.chain.as_ref()) {
            Some(k) => Some(self.chain_id(k).await?),
            None => None,
        };
        let command = Command::Edit {
            title: req.title.clone(),
            text: req.text.clone(),
            lead_unit,
            co_units,
            number: req.number.clone(),
            leader,
            chain,
            reason: req.reason.clone(),
        };
        self.execute_if(id, &who.actor, &command, version, |it| who.scope.admits(it))
            .await
    }
}

/// Sort order of two printed 序号 (for tests of the page order).
pub fn compare_numbers(a: &str, b: &str) -> Ordering {
    number_key(a).cmp(&number_key(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_numbers_sort_as_numbers() {
        let mut v = vec!["(十二)", "(二)", "(一)", "(十)"];
        v.sort_by(|a, b| compare_numbers(a, b));
        assert_eq!(v, ["(一)", "(二)", "(十)", "(十二)"]);
    }

    #[test]
    fn sort_keys_round_trip() {
        for k in SortKey::ALL {
            assert_eq!(k.as_str().parse::<SortKey>(), Ok(k));
        }
        assert!("drop table".parse::<SortKey>().is_err());
    }
}
