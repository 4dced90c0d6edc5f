//! The engine's reads of the organisation, accounts, trail and outbox, and the few
//! writes outside the item command path (units, re-queued mail). Web and CLI call these:
//! the store is the engine's alone, so every rule stays on one side of it.

use crate::{Engine, EngineError};
use xiaohao_core::event::{BrokenLink, Event};
use xiaohao_core::org::{Chain, Person, Plan, Unit};
use xiaohao_core::{Actor, ChainId, ItemId, UnitId};
use xiaohao_store::schedule::DutyRow;
use xiaohao_store::{
    ImportSummary, NewChain, NewPerson, NewPlan, NewUnit, OutboxRow, PlanImport, ProgressRow,
    ScheduleCounts, User,
};

impl Engine {
    /// Whether the database answers (for `/health`).
    ///
    /// # Errors
    /// When it does not.
    pub async fn ping(&self) -> Result<(), EngineError> {
        Ok(self.store().ping().await?)
    }

    /// The database behind the store: `sqlite` or `postgres`.
    pub fn database_backend(&self) -> String {
        format!("{:?}", self.store().backend()).to_lowercase()
    }

    /// # Errors
    /// `Store(NotFound)` for an unknown unit.
    pub async fn unit(&self, id: UnitId) -> Result<Unit, EngineError> {
        Ok(self.store().unit(id).await?)
    }

    /// Every unit, by name.
    ///
    /// # Errors
    /// On store failure.
    pub async fn units(&self) -> Result<Vec<Unit>, EngineError> {
        Ok(self.store().units().await?)
    }

    /// A unit by id, name or alias.
    ///
    /// # Errors
    /// `Store(NotFound)` when nothing matches.
    pub async fn resolve_unit(&self, key: &str) -> Result<Unit, EngineError> {
        Ok(self.store().resolve_unit(key).await?)
    }

    /// Register a unit.
    ///
    /// # Errors
    /// `Store(Duplicate/Invalid)` for a name or alias taken, or a malformed address.
    pub async fn create_unit(&self, new: NewUnit) -> Result<Unit, EngineError> {
        Ok(self.store().create_unit(new, self.now()).await?)
    }

    /// # Errors
    /// On store failure.
    pub async fn chains(&self) -> Result<Vec<Chain>, EngineError> {
        Ok(self.store().chains().await?)
    }

    /// Every unit's name by id, for pages, lists and reports that print names.
    ///
    /// # Errors
    /// On store failure.
    pub async fn unit_names<M: FromIterator<(UnitId, String)>>(&self) -> Result<M, EngineError> {
        Ok(self
            .store()
            .units()
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect())
    }

    /// Every chain's name by id.
    ///
    /// # Errors
    /// On store failure.
    pub async fn chain_names<M: FromIterator<(ChainId, String)>>(&self) -> Result<M, EngineError> {
        Ok(self
            .store()
            .chains()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect())
    }

    /// # Errors
    /// On store failure.
    pub async fn plans(&self) -> Result<Vec<Plan>, EngineError> {
        Ok(self.store().plans().await?)
    }

    /// Every account.
    ///
    /// # Errors
    /// On store failure.
    pub async fn users(&self) -> Result<Vec<User>, EngineError> {
        Ok(self.store().users().await?)
    }

    /// An item's event trail, oldest first.
    ///
    /// # Errors
    /// On store failure.
    pub async fn events(&self, id: ItemId) -> Result<Vec<Event>, EngineError> {
        Ok(self.store().events(id).await?)
    }

    /// An item's progress reports, oldest first.
    ///
    /// # Errors
    /// On store failure.
    pub async fn progress(&self, id: ItemId) -> Result<Vec<ProgressRow>, EngineError> {
        Ok(self.store().progress(id).await?)
    }

    /// Recompute every item's hash chain: `(items, events, first broken link)`.
    ///
    /// # Errors
    /// On store failure.
    pub async fn verify_all_chains(&self) -> Result<(u64, u64, Option<BrokenLink>), EngineError> {
        Ok(self.store().verify_all_chains().await?)
    }

    /// Reporting duties, newest first.
    ///
    /// # Errors
    /// On store failure.
    pub async fn duties(
        &self,
        unit: Option<UnitId>,
        status: Option<&str>,
        limit: u64,
    ) -> Result<Vec<DutyRow>, EngineError> {
        Ok(self.store().duties(unit, status, limit).await?)
    }

    /// Outbox rows, optionally of one status.
    ///
    /// # Errors
    /// On store failure.
    pub async fn outbox(
        &self,
        status: Option<&str>,
        limit: u64,
    ) -> Result<Vec<OutboxRow>, EngineError> {
        Ok(self.store().outbox(status, limit).await?)
    }

    /// Outbox messages per status (for `/metrics`).
    ///
    /// # Errors
    /// On store failure.
    pub async fn outbox_depth(&self) -> Result<Vec<(String, u64)>, EngineError> {
        Ok(self.store().outbox_depth().await?)
    }

    /// Send a dead (or failed) message again, now.
    ///
    /// # Errors
    /// `Store(NotFound)` for an unknown row.
    pub async fn requeue_outbox(&self, id: uuid::Uuid) -> Result<(), EngineError> {
        Ok(self.store().requeue_outbox(id, self.now()).await?)
    }

    /// Send every dead message again; returns how many.
    ///
    /// # Errors
    /// On store failure.
    pub async fn requeue_all_dead(&self) -> Result<u64, EngineError> {
        Ok(self.store().requeue_all_dead(self.now()).await?)
    }

    /// Another name by which `unit` is known (省工业和信息化厅 for 省工信厅).
    ///
    /// # Errors
    /// `Store(Duplicate)` when the name is taken.
    pub async fn add_unit_alias(&self, unit: UnitId, alias: &str) -> Result<(), EngineError> {
        Ok(self.store().add_unit_alias(unit, alias).await?)
    }

    /// Register a person (a leader).
    ///
    /// # Errors
    /// On store failure.
    pub async fn create_person(&self, new: NewPerson) -> Result<Person, EngineError> {
        Ok(self.store().create_person(new, self.now()).await?)
    }

    /// Register a plan (the source document).
    ///
    /// # Errors
    /// `Store(Duplicate)` for a 文号 seen before.
    pub async fn create_plan(&self, new: NewPlan) -> Result<Plan, EngineError> {
        Ok(self.store().create_plan(new, self.now()).await?)
    }

    /// Register a chain (产业链/专项) with its leaders and units.
    ///
    /// # Errors
    /// On store failure.
    pub async fn create_chain(&self, new: NewChain) -> Result<Chain, EngineError> {
        Ok(self.store().create_chain(new, self.now()).await?)
    }

    /// Write a parsed work plan as drafts in one transaction.
    ///
    /// # Errors
    /// `Domain` for a task the rules refuse, `Store` on failure; nothing is written then.
    pub async fn import_plan(
        &self,
        imp: &PlanImport,
        actor: &Actor,
    ) -> Result<ImportSummary, EngineError> {
        Ok(self.store().import_plan(imp, actor, self.now()).await?)
    }

    /// An account by user name.
    ///
    /// # Errors
    /// On store failure.
    pub async fn user_named(&self, username: &str) -> Result<Option<User>, EngineError> {
        Ok(self
            .store()
            .user_for_login(username)
            .await?
            .map(|(user, _)| user))
    }

    /// End every session and token of an account; returns how many.
    ///
    /// # Errors
    /// On store failure.
    pub async fn revoke_user_tokens(&self, user: uuid::Uuid) -> Result<u64, EngineError> {
        Ok(self.store().revoke_user_tokens(user, self.now()).await?)
    }

    /// The durability settings of the database, for the start-up log.
    ///
    /// # Errors
    /// On store failure.
    pub async fn durability_settings(&self) -> Result<String, EngineError> {
        Ok(self.store().durability_settings().await?)
    }

    /// Occurrences, duties and escalations so far (for `simulate`).
    ///
    /// # Errors
    /// On store failure.
    pub async fn schedule_counts(&self) -> Result<ScheduleCounts, EngineError> {
        Ok(self.store().schedule_counts().await?)
    }
}
