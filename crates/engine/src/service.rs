//! The engine: the one command path for every state change.

use crate::EngineError;
use crate::clock::Clock;
use crate::requests::{CommandRequest, ItemRequest};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::sync::Arc;
use xiaohao_core::calendar::WorkingCalendar;
use xiaohao_core::event::{Event, EventKind};
use xiaohao_core::light::Light;
use xiaohao_core::org::UnitKind;
use xiaohao_core::policy::{Lateness, Policy};
use xiaohao_core::sla::MilestoneStatus;
use xiaohao_core::{
    Action, Actor, Capacity, Command, Item, ItemId, NewItem, Target, decide, new_item,
};
use xiaohao_store::{ProgressRow, Store, StoreError, Write};

#[derive(Debug, Clone)]
pub struct Engine {
    store: Store,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
    /// Where evidence files are kept; none until [`Engine::with_files`].
    files: Option<crate::files::Files>,
}

/// How often a report without an expected version is re-read and re-decided when other
/// changes keep landing first: enough for dozens of units reporting on one item at once.
const APPEND_ATTEMPTS: u64 = 40;

/// What an accepted command left behind.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub item: Item,
    pub event: Event,
}

/// An item with everything a detail page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDetail {
    pub item: Item,
    /// 红黄绿灯 today.
    pub light: Light,
    /// Working days past the due date and left before it, and whether the count rests
    /// on a year without a calendar file (`assumed`).
    pub lateness: Lateness,
    /// SLA clocks: a problem's 应答/明确意见/办结 milestones, or a task's deadline.
    /// Serialised as `milestones`: the API's item view puts its `clocks` (today's light
    /// and working days) beside them, and one key must not hide the other.
    #[serde(rename = "milestones")]
    pub clocks: Vec<MilestoneStatus>,
    pub targets: Vec<Target>,
    pub events: Vec<Event>,
    /// Every report, oldest first, each naming its unit.
    pub progress: Vec<ProgressRow>,
    /// Each reporting unit's latest report, the lead's first (its figures are the item's).
    pub progress_by_unit: Vec<crate::progress::UnitProgress>,
    pub allowed_actions: Vec<Action>,
}

/// The capacity in which members of a unit act follows from the unit's kind.
pub fn capacity_of(kind: UnitKind) -> Capacity {
    match kind {
        UnitKind::Office => Capacity::Office,
        UnitKind::Supervision => Capacity::Supervision,
        _ => Capacity::Unit,
    }
}

impl Engine {
    /// The engine over `store`, reading time from `clock` and every rule from `policy`
    /// (the one value built at start and shared by every component).
    /// The store's writer keeps the policy's light dates on every item row from now on.
    pub fn new(store: Store, clock: Arc<dyn Clock>, policy: Arc<Policy>) -> Self {
        store.use_policy(policy.clone());
        Self {
            store,
            clock,
            policy,
            files: None,
        }
    }

    /// The engine keeping evidence files in `files`.
    pub fn with_files(mut self, files: crate::files::Files) -> Self {
        self.files = Some(files);
        self
    }

    /// Where evidence files are kept.
    ///
    /// # Errors
    /// `Config` when the engine was built without a file store.
    pub fn files(&self) -> Result<&crate::files::Files, EngineError> {
        self.files
            .as_ref()
            .ok_or_else(|| EngineError::Config("no file store configured ([files])".into()))
    }

    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    pub fn calendar(&self) -> &WorkingCalendar {
        &self.policy.calendar
    }

    /// Today in the configured time zone.
    pub fn today(&self) -> NaiveDate {
        self.policy.local_date(self.now())
    }

    /// The traffic light of an item today (the policy's one light rule).
    pub fn light_of(&self, item: &Item) -> Light {
        self.policy.light(item, self.today())
    }

    /// Working days late today, and working days left (the policy's one delay figure).
    pub fn lateness(&self, item: &Item) -> Lateness {
        self.policy.lateness(item, self.today())
    }

    /// Working days past the due date today; 0 when not late.
    pub fn working_days_late(&self, item: &Item) -> i64 {
        self.policy.working_days_late(item, self.today())
    }

    /// When the item was last suspended, for the rule that moves a resumed item's due date.
    async fn suspended_at(
        &self,
        before: &Item,
        command: &Command,
    ) -> Result<Option<DateTime<Utc>>, EngineError> {
        if !matches!(command, Command::Resume) || before.due_on.is_none() {
            return Ok(None);
        }
        Ok(self
            .store
            .events(before.id)
            .await?
            .into_iter()
            .rev()
            .find(|e| e.kind == EventKind::Action(Action::Suspend))
            .map(|e| e.at))
    }

    /// The store is the engine's alone: web and CLI call the engine's methods.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The store behind the engine, for tests and benchmarks only (feature `store-access`).
    #[cfg(feature = "store-access")]
    pub fn raw_store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// File a new item as a draft (the `create` command).
    ///
    /// # Errors
    /// Invalid input (naming the field), a refused actor, or a store failure.
    pub async fn file_item(
        &self,
        actor: &Actor,
        req: &ItemRequest,
    ) -> Result<Outcome, EngineError> {
        let new = self.new_item_from(req).await?;
        self.file_new_item(actor, &new).await
    }

    /// File an already-resolved item.
    ///
    /// # Errors
    /// As [`Engine::file_item`].
    #[tracing::instrument(name = "file_item", skip_all, fields(actor = %actor.name))]
    pub async fn file_new_item(
        &self,
        actor: &Actor,
        new: &NewItem,
    ) -> Result<Outcome, EngineError> {
        let decision = new_item(ItemId::new(), new, actor, self.now())?;
        let item = decision.item.clone();
        let event = self
            .store
            .write_one(Write::create(decision, new.targets.clone()))
            .await?
            .ok_or_else(|| EngineError::Conflict(format!("item {}: not written", item.id)))?;
        Ok(Outcome { item, event })
    }

    /// Apply one command to one item: load, decide, commit — one transaction, one event.
    ///
    /// # Errors
    /// `Domain` when the rules refuse, `Conflict` when the item changed since
    /// `expected_version` (or concurrently), `Store` on failure. Nothing is written then.
    pub async fn execute(
        &self,
        id: ItemId,
        actor: &Actor,
        command: &Command,
        expected_version: Option<i64>,
    ) -> Result<Outcome, EngineError> {
        self.execute_if(id, actor, command, expected_version, |_| true)
            .await
    }

    /// As [`Engine::execute`], on an item `admit` lets the actor see; any other item is
    /// `NotFound`, exactly as if it did not exist. One read serves the check and the command.
    /// An office power on an item outside the office's jurisdiction is refused by `decide`
    /// (`OutsideJurisdiction`, 403).
    ///
    /// # Errors
    /// As [`Engine::execute`].
    #[tracing::instrument(
        name = "command",
        skip_all,
        fields(item = %id, action = command.action().as_str(), actor = %actor.name)
    )]
    pub async fn execute_if(
        &self,
        id: ItemId,
        actor: &Actor,
        command: &Command,
        expected_version: Option<i64>,
        admit: impl Fn(&Item) -> bool,
    ) -> Result<Outcome, EngineError> {
        let actor = &self.with_jurisdiction(actor).await?;
        // A report without an expected version is an append: another report (or any change)
        // that bumped the version meanwhile is no reason to refuse it. It is re-read and
        // re-decided against the fresh item, so the rules still see the state it lands on.
        let attempts = if expected_version.is_none() && matches!(command, Command::Report { .. }) {
            APPEND_ATTEMPTS
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let (item, head) = self.store.item_with_head(id).await?;
            if !admit(&item) {
                return Err(xiaohao_store::StoreError::NotFound {
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
            let mut decision = decide(&item, actor, command, self.now())?;
            self.policy.admit_extension(&item, command, self.now())?;
            let suspended_at = self.suspended_at(&item, command).await?;
            self.policy
                .settle_due(&item, command, &mut decision, suspended_at)
                .map_err(|e| EngineError::Config(e.to_string()))?;
            let after = decision.item.clone();
            match self
                .store
                .write_one(Write::decision_on(item, head, decision))
                .await
            {
                Ok(Some(event)) => return Ok(Outcome { item: after, event }),
                Ok(None) => {
                    return Err(EngineError::Conflict(format!("item {id}: not written")));
                }
                Err(StoreError::Conflict(_)) if attempt < attempts => {
                    // A short random pause, growing a little, so racing appends spread out.
                    let ms = fastrand::u64(0..=2 * attempt.min(10));
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                    attempt += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Resolve a request (units by name, dates as text) and execute it.
    ///
    /// # Errors
    /// As [`Engine::execute`], plus `Invalid` for a malformed request.
    pub async fn execute_request(
        &self,
        id: ItemId,
        actor: &Actor,
        req: &CommandRequest,
    ) -> Result<Outcome, EngineError> {
        self.request_if(id, actor, req, |_| true).await
    }

    /// A request on an item `admit` lets the actor see. A manual 督办 (`escalate`) goes up
    /// the ladder ([`Engine::escalate`]); every other action is a command as given.
    pub(crate) async fn request_if(
        &self,
        id: ItemId,
        actor: &Actor,
        req: &CommandRequest,
        admit: impl Fn(&Item) -> bool,
    ) -> Result<Outcome, EngineError> {
        if req.action.trim() == Action::Escalate.as_str() {
            let reason = req.reason.as_deref().unwrap_or_default();
            return self.escalate(id, actor, reason, req.version, admit).await;
        }
        if req.action.trim() == Action::AnswerOrder.as_str() {
            return self.answer_order(id, actor, req, admit).await;
        }
        let mut command = self.command_from(req).await?;
        self.attach_referenced(id, actor, req, &mut command).await?;
        self.execute_if(id, actor, &command, req.version, admit)
            .await
    }

    /// Put the files `req.attachments` (and a report's) names on `command`: each a file of
    /// this item the acting unit uploaded; an unknown or another unit's id is `Invalid` on
    /// `attachments`.
    pub(crate) async fn attach_referenced(
        &self,
        id: ItemId,
        actor: &Actor,
        req: &CommandRequest,
        command: &mut Command,
    ) -> Result<(), EngineError> {
        let ids = req.attachment_ids()?;
        if !ids.is_empty() {
            let found = self.store.attachments_by_ids(&ids).await?;
            let files = xiaohao_core::attachment::referable(id, actor.unit, &ids, &found)?;
            xiaohao_core::attachment::attach(command, files)?;
        }
        Ok(())
    }

    /// The item's SLA clocks now (the policy's rule over its event trail).
    pub fn clocks_of(&self, item: &Item, events: &[Event]) -> Vec<MilestoneStatus> {
        self.policy.clocks(item, events, self.now())
    }

    /// An item with its targets, timeline and progress.
    ///
    /// # Errors
    /// `Store(NotFound)` when the item does not exist.
    pub async fn detail(&self, id: ItemId) -> Result<ItemDetail, EngineError> {
        let item = self.store.item(id).await?;
        let lateness = self.lateness(&item);
        let events = self.store.events(id).await?;
        let clocks = self.clocks_of(&item, &events);
        let progress = self.store.progress(id).await?;
        Ok(ItemDetail {
            progress_by_unit: crate::progress::by_unit(&item, &progress),
            progress,
            clocks,
            light: self.light_of(&item),
            lateness,
            allowed_actions: item.state.allowed_actions(),
            targets: self.store.targets(id).await?,
            events,
            item,
        })
    }
}
