//! The office's unit directory: every unit with its accounts and undelivered reminders,
//! the review of units an import created (confirm, correct, merge into an existing unit),
//! and aliases. Offices and administrators keep it.
//!
//! A merge moves the unit's open items by the normal commands (decided in core, each with
//! its event) and rewrites its memberships, in one transaction of the store.

use crate::{Engine, EngineError, Principal};
use serde::Serialize;
use xiaohao_core::org::Unit;
use xiaohao_core::unit_merge::{check_merge, merge_command};
use xiaohao_core::{UnitId, decide};
use xiaohao_store::{OutboxStatus, UnitEdit, Write};

fn keeper(who: &Principal) -> Result<(), EngineError> {
    if who.is_office_or_admin() {
        Ok(())
    } else {
        Err(EngineError::Forbidden(
            "only an office or an administrator keeps the unit directory".into(),
        ))
    }
}

/// One line of the directory.
#[derive(Debug, Clone, Serialize)]
pub struct DirectoryRow {
    pub unit: Unit,
    pub accounts: u64,
    /// Reminders to it that could not be delivered.
    pub dead_mail: u64,
    /// Its webhook robots (企业微信, 钉钉).
    pub robots: usize,
}

impl DirectoryRow {
    /// Neither an e-mail address nor a robot reaches the unit.
    pub fn unreachable(&self) -> bool {
        xiaohao_core::channel::is_unreachable(&self.unit.emails, self.robots)
    }
}

/// What a merge did.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Merged {
    pub items_moved: usize,
}

impl Engine {
    /// Every unit, those an import created and nobody checked first, then by name.
    ///
    /// # Errors
    /// `Forbidden` for anyone but an office or an administrator.
    pub async fn unit_directory(&self, who: &Principal) -> Result<Vec<DirectoryRow>, EngineError> {
        keeper(who)?;
        let units = self.store().units().await?;
        let users = self.store().users().await?;
        let dead = self
            .store()
            .outbox(Some(OutboxStatus::Dead.as_str()), 100_000)
            .await?;
        let robots = self.store().channel_counts().await?;
        let mut rows: Vec<DirectoryRow> = units
            .into_iter()
            .map(|u| DirectoryRow {
                robots: robots.get(&u.id).copied().unwrap_or(0),
                accounts: users.iter().filter(|x| x.unit == u.id).count() as u64,
                dead_mail: dead.iter().filter(|m| m.recipient == u.id).count() as u64,
                unit: u,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.unit
                .needs_review
                .cmp(&a.unit.needs_review)
                .then_with(|| a.unit.name.cmp(&b.unit.name))
        });
        Ok(rows)
    }

    /// Correct a unit; when it has an address afterwards, its undelivered reminders are
    /// queued again. Returns the unit and how many reminders were queued again.
    ///
    /// # Errors
    /// `Forbidden`; `Invalid` naming the field; `NotFound`.
    pub async fn edit_unit(
        &self,
        who: &Principal,
        id: UnitId,
        edit: UnitEdit,
    ) -> Result<(Unit, u64), EngineError> {
        keeper(who)?;
        let unit = self.store().update_unit(id, edit).await?;
        let requeued = if unit.emails.is_empty() {
            0
        } else {
            self.store().requeue_dead_for_unit(id, self.now()).await?
        };
        tracing::info!(unit = %id, requeued, "unit edited");
        Ok((unit, requeued))
    }

    /// The office has checked a unit an import created.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound`.
    pub async fn confirm_unit(&self, who: &Principal, id: UnitId) -> Result<Unit, EngineError> {
        keeper(who)?;
        Ok(self.store().confirm_unit(id).await?)
    }

    /// Another name the unit goes by (工信厅 for 省工业和信息化厅).
    ///
    /// # Errors
    /// `Forbidden`; `Duplicate` when the name is taken; `Invalid`.
    pub async fn add_alias_as(
        &self,
        who: &Principal,
        id: UnitId,
        alias: &str,
    ) -> Result<(), EngineError> {
        keeper(who)?;
        Ok(self.store().add_unit_alias(id, alias).await?)
    }

    /// Merge unit `from` into `into`: its open items change hands by command (a draft is
    /// edited, an assigned item transferred), each with its event; its name becomes an alias
    /// of `into`. Refused while anyone has acted as `from` (core's rule).
    ///
    /// # Errors
    /// `Forbidden`; `Conflict` naming why it is refused; a command's own refusal.
    #[tracing::instrument(name = "merge_unit", skip_all, fields(from = %from, into = %into))]
    pub async fn merge_unit(
        &self,
        who: &Principal,
        from: UnitId,
        into: UnitId,
    ) -> Result<Merged, EngineError> {
        keeper(who)?;
        let gone = self.store().unit(from).await?;
        let kept = self.store().unit(into).await?;
        let usage = self.store().unit_usage(from).await?;
        check_merge(from, into, &usage).map_err(|r| EngineError::Conflict(r.label_zh()))?;
        let actor = self.with_jurisdiction(&who.actor).await?;
        let reason = format!("单位合并：{}并入{}", gone.name, kept.name);
        let now = self.now();
        let mut writes = Vec::new();
        for id in self.store().items_naming_unit(from).await? {
            let (item, head) = self.store().item_with_head(id).await?;
            let Some(command) = merge_command(&item, from, into, &reason) else {
                continue;
            };
            let mut decision = decide(&item, &actor, &command, now)?;
            self.policy()
                .settle_due(&item, &command, &mut decision, None)
                .map_err(|e| EngineError::Config(e.to_string()))?;
            writes.push(Write::decision_on(item, head, decision));
        }
        let items_moved = writes.len();
        self.store()
            .merge_unit(
                from,
                into,
                &writes,
                |u| check_merge(from, into, u).is_ok(),
                now,
            )
            .await?;
        tracing::info!(items_moved, "unit merged");
        Ok(Merged { items_moved })
    }
}
