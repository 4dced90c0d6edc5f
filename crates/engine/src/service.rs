//! The engine: the one command path for every state change.

use crate::EngineError;
use crate::clock::Clock;
use crate::requests::{CommandRequest, ItemRequest, parse_date};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;
use xiaohao_core::event::Event;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{
    Action, Actor, Capacity, Command, Item, ItemId, NewItem, PersonId, Target, UnitId, decide,
    new_item,
};
use xiaohao_store::{ProgressRow, Store, StoreError};

#[derive(Debug, Clone)]
pub struct Engine {
    store: Store,
    clock: Arc<dyn Clock>,
}

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
    pub targets: Vec<Target>,
    pub events: Vec<Event>,
    pub progress: Vec<ProgressRow>,
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
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The actor for someone acting on behalf of a unit (id, name or alias).
    ///
    /// # Errors
    /// `Invalid` naming `field` when the unit is unknown.
    pub async fn actor_for(&self, field: &str, unit_key: &str) -> Result<Actor, EngineError> {
        let unit = self.unit_ref(field, unit_key).await?;
        Ok(Self::actor_of(&unit))
    }

    pub fn actor_of(unit: &Unit) -> Actor {
        Actor {
            unit: Some(unit.id),
            capacity: capacity_of(unit.kind),
            name: unit.name.clone(),
        }
    }

    async fn unit_ref(&self, field: &str, key: &str) -> Result<Unit, EngineError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(EngineError::invalid(field, "a unit is required"));
        }
        self.store.resolve_unit(key).await.map_err(|e| match e {
            StoreError::NotFound { .. } => {
                EngineError::invalid(field, format!("unknown unit `{key}`"))
            }
            other => other.into(),
        })
    }

    async fn unit_id(&self, field: &str, key: &str) -> Result<UnitId, EngineError> {
        Ok(self.unit_ref(field, key).await?.id)
    }

    pub(crate) async fn person_id(&self, field: &str, key: &str) -> Result<PersonId, EngineError> {
        if let Ok(id) = key.parse::<PersonId>() {
            return Ok(self
                .store
                .person(id)
                .await
                .map_err(|_| EngineError::invalid(field, format!("unknown person `{key}`")))?
                .id);
        }
        let found = self.store.people_named(key).await?;
        match found.as_slice() {
            [one] => Ok(one.id),
            [] => Err(EngineError::invalid(
                field,
                format!("unknown person `{key}`"),
            )),
            _ => Err(EngineError::invalid(
                field,
                format!("`{key}` names several people; use the id"),
            )),
        }
    }

    /// Resolve a request into a domain `NewItem`, naming the first field at fault.
    async fn new_item_from(&self, req: &ItemRequest) -> Result<NewItem, EngineError> {
        let kind = req
            .kind
            .as_deref()
            .map(|k| {
                k.parse()
                    .map_err(|e: String| EngineError::invalid("kind", e))
            })
            .transpose()?;
        let class = req
            .class
            .as_deref()
            .map(|c| {
                c.parse()
                    .map_err(|e: String| EngineError::invalid("class", e))
            })
            .transpose()?;
        let lead_unit = match &req.lead_unit {
            Some(k) => Some(self.unit_id("lead_unit", k).await?),
            None => None,
        };
        let mut co_units = Vec::new();
        for k in &req.co_units {
            co_units.push(self.unit_id("co_units", k).await?);
        }
        let leader = match &req.leader {
            Some(k) => Some(self.person_id("leader", k).await?),
            None => None,
        };
        let deadline = req
            .deadline
            .as_deref()
            .map(|d| parse_date("deadline", d))
            .transpose()?;
        let plan_id = match &req.plan {
            Some(p) => Some(
                p.parse()
                    .map_err(|_| EngineError::invalid("plan", format!("`{p}` is not a plan id")))?,
            ),
            None => None,
        };
        let chain_id = match &req.chain {
            Some(c) => Some(self.chain_id(c).await?),
            None => None,
        };
        Ok(NewItem {
            kind,
            number: req.number.clone(),
            title: req.title.clone(),
            text: req.text.clone(),
            plan_id,
            chain_id,
            owner_unit: None,
            lead_unit,
            co_units,
            leader,
            deadline,
            deadline_text: req.deadline_text.clone(),
            grade: req.grade.clone(),
            class,
            targets: req.targets.clone(),
        })
    }

    async fn chain_id(&self, key: &str) -> Result<xiaohao_core::ChainId, EngineError> {
        let chains = self.store.chains().await?;
        chains
            .iter()
            .find(|c| c.id.to_string() == key || c.name == key.trim())
            .map(|c| c.id)
            .ok_or_else(|| EngineError::invalid("chain", format!("unknown chain `{key}`")))
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
    pub async fn file_new_item(
        &self,
        actor: &Actor,
        new: &NewItem,
    ) -> Result<Outcome, EngineError> {
        let decision = new_item(ItemId::new(), new, actor, self.now())?;
        let event = self.store.insert_item(&decision, &new.targets).await?;
        Ok(Outcome {
            item: decision.item,
            event,
        })
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
        let item = self.store.item(id).await?;
        if let Some(v) = expected_version
            && v != item.version
        {
            return Err(EngineError::Conflict(format!(
                "item {id} is at version {}, you acted on version {v}; reload and try again",
                item.version
            )));
        }
        let decision = decide(&item, actor, command, self.now())?;
        let event = self.store.commit_decision(&decision).await?;
        Ok(Outcome {
            item: decision.item,
            event,
        })
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
        let command = self.command_from(req).await?;
        self.execute(id, actor, &command, req.version).await
    }

    /// Turn a request into a command.
    ///
    /// # Errors
    /// `Invalid` naming the missing or malformed field.
    pub async fn command_from(&self, req: &CommandRequest) -> Result<Command, EngineError> {
        let action: Action = req
            .action
            .parse()
            .map_err(|e: String| EngineError::invalid("action", e))?;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Ok(match action {
            Action::Assign => Command::Assign {
                lead_unit: match &req.lead_unit {
                    Some(k) => Some(self.unit_id("lead_unit", k).await?),
                    None => None,
                },
                deadline: req
                    .deadline
                    .as_deref()
                    .map(|d| parse_date("deadline", d))
                    .transpose()?,
            },
            Action::Return => Command::Return {
                reason: text(&req.reason),
            },
            Action::Accept => Command::Accept,
            Action::Start => Command::Start,
            Action::Report => {
                let r = req.report.as_ref().ok_or_else(|| {
                    EngineError::invalid("report", "a progress report is required")
                })?;
                Command::Report {
                    report: ProgressReport {
                        period: r.period.trim().to_owned(),
                        text: r.text.clone(),
                        percent: r.percent,
                        actuals: r.actuals.clone(),
                        attachments: r.attachments.clone(),
                    },
                }
            }
            Action::RequestClosure => Command::RequestClosure {
                evidence: text(&req.evidence),
                attachments: req.attachments.clone(),
            },
            Action::Verify => Command::Verify {
                comment: req.comment.clone(),
            },
            Action::Reject => Command::Reject {
                reason: text(&req.reason),
            },
            Action::Reopen => Command::Reopen {
                reason: text(&req.reason),
            },
            Action::Suspend => Command::Suspend {
                reason: text(&req.reason),
            },
            Action::Resume => Command::Resume,
            Action::Cancel => Command::Cancel {
                reason: text(&req.reason),
            },
            Action::Transfer => {
                let to = req
                    .to
                    .as_deref()
                    .ok_or_else(|| EngineError::invalid("to", "the new lead unit is required"))?;
                Command::Transfer {
                    to: self.unit_id("to", to).await?,
                    reason: text(&req.reason),
                }
            }
            Action::Escalate => Command::Escalate {
                level: req
                    .level
                    .ok_or_else(|| EngineError::invalid("level", "is required"))?,
                step: text(&req.step),
                notify: Vec::new(),
                deadline_key: format!("manual:{}", self.now().format("%Y-%m-%dT%H:%M:%S")),
                urgent: true,
            },
        })
    }

    /// An item with its targets, timeline and progress.
    ///
    /// # Errors
    /// `Store(NotFound)` when the item does not exist.
    pub async fn detail(&self, id: ItemId) -> Result<ItemDetail, EngineError> {
        let item = self.store.item(id).await?;
        Ok(ItemDetail {
            allowed_actions: item.state.allowed_actions(),
            targets: self.store.targets(id).await?,
            events: self.store.events(id).await?,
            progress: self.store.progress(id).await?,
            item,
        })
    }
}
