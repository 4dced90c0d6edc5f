//! A manual 督办 by the supervision office: the next step of the configured ladder above the
//! item's level, told to that step's audience, with its 督办单 — written by the one writer
//! like the scheduler's escalations (claim, row, event, 督办单, outbox in one transaction).

use crate::{Engine, EngineError, Outcome};
use xiaohao_core::escalation::decide_manual_escalation;
use xiaohao_core::{Actor, Item, ItemId};
use xiaohao_store::{StoreError, Write};

impl Engine {
    /// Escalate `id` one step up the ladder as `actor`, for `reason` (督办事由), on an item
    /// `admit` lets the actor see.
    ///
    /// # Errors
    /// `Domain(LadderTop)` at the top of the ladder, `Domain` when the actor may not or the
    /// reason is missing, `Conflict` when the item changed since `expected_version` or the
    /// step has already fired for this due date, `Store` on failure. Nothing is written then.
    #[tracing::instrument(name = "escalate", skip_all, fields(item = %id, actor = %actor.name))]
    pub async fn escalate(
        &self,
        id: ItemId,
        actor: &Actor,
        reason: &str,
        expected_version: Option<i64>,
        admit: impl FnOnce(&Item) -> bool,
    ) -> Result<Outcome, EngineError> {
        let (item, head) = self.store().item_with_head(id).await?;
        if !admit(&item) {
            return Err(StoreError::NotFound {
                what: "item",
                key: id.to_string(),
            }
            .into());
        }
        if let Some(v) = expected_version
            && v != item.version
        {
            return Err(EngineError::Conflict(format!(
                "item {id} is at version {}, you acted on version {v}; reload and try again",
                item.version
            )));
        }
        let today = self.today();
        let late = item
            .due_on
            .and_then(|due| self.calendar().working_days_between(due, today).ok());
        let circle = self.store().escalation_circle().await?;
        let (decision, firing) = decide_manual_escalation(
            self.policy(),
            &item,
            actor,
            &circle,
            today,
            late,
            reason,
            self.now(),
        )?;
        let after = decision.item.clone();
        let write = Write::decision_on(item, head, decision).firing(firing);
        match self.store().write_one(write).await? {
            Some(event) => Ok(Outcome { item: after, event }),
            None => Err(EngineError::Conflict(format!(
                "item {id}: the escalation was not written"
            ))),
        }
    }
}
