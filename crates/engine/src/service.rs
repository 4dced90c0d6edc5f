//! The engine: the one command path for every state change.

use crate::EngineError;
use crate::clock::Clock;
use crate::requests::{CommandRequest, ItemRequest, check_field, parse_date};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use std::sync::Arc;
use xiaohao_core::calendar::WorkingCalendar;
use xiaohao_core::event::Event;
use xiaohao_core::light::Light;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::policy::{Lateness, Policy};
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::sla::{MilestoneStatus, Pause, deadline_clock, policy_clocks};
use xiaohao_core::validate;
use xiaohao_core::{
    Action, Actor, Capacity, Command, Item, ItemId, Jurisdiction, NewItem, PersonId, Target,
    UnitId, decide, new_item,
};
use xiaohao_core::{Decision, ItemKind};
use xiaohao_store::{ProgressRow, Store, StoreError};

#[derive(Debug, Clone)]
pub struct Engine {
    store: Store,
    clock: Arc<dyn Clock>,
    policy: Arc<Policy>,
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
    pub fn new(store: Store, clock: Arc<dyn Clock>, policy: Arc<Policy>) -> Self {
        Self {
            store,
            clock,
            policy,
        }
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

    fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        self.policy.local(at)
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

    /// Move the due date where the rules say: a problem assigned without a deadline is due
    /// when its SLA's last milestone falls; a resumed item is due later by the working days
    /// it spent suspended. Recorded in the event's payload.
    async fn adjust_due(
        &self,
        before: &Item,
        command: &Command,
        decision: &mut Decision,
    ) -> Result<(), EngineError> {
        let now = decision.item.updated_at;
        let cal = &self.policy.calendar;
        let new_due = match command {
            Command::Assign { .. }
                if decision.item.kind == ItemKind::Problem && decision.item.deadline.is_none() =>
            {
                let days = self
                    .policy
                    .problem_sla
                    .milestones
                    .last()
                    .map_or(5, |m| m.working_days);
                Some(
                    cal.add_working_days(self.local(now).date(), days)
                        .map_err(|e| EngineError::Config(e.to_string()))?,
                )
            }
            Command::Resume => {
                let Some(due) = before.due_on else {
                    return Ok(());
                };
                let suspended_at = self
                    .store
                    .events(before.id)
                    .await?
                    .into_iter()
                    .rev()
                    .find(|e| e.kind == "suspend")
                    .map(|e| e.at);
                let Some(from) = suspended_at else {
                    return Ok(());
                };
                let pause = Pause {
                    from: self.local(from),
                    to: Some(self.local(now)),
                };
                let clock = deadline_clock(cal, due, &[pause], None, self.local(now))
                    .map_err(|e| EngineError::Config(e.to_string()))?;
                Some(clock.due_date)
            }
            _ => None,
        };
        if let Some(due) = new_due
            && decision.item.due_on != Some(due)
        {
            decision.item.due_on = Some(due);
            let mut payload: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&decision.event.payload).unwrap_or_default();
            payload.insert("due_on".into(), serde_json::json!(due));
            decision.event.payload = serde_json::Value::Object(payload).to_string();
        }
        Ok(())
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
            jurisdiction: Jurisdiction::OwnUnit,
        }
    }

    /// The actor with its office jurisdiction loaded from the org tree: an office still at
    /// [`Jurisdiction::OwnUnit`] widens to its unit and every unit below it. Every command
    /// path goes through here, so an office's powers never depend on who built the actor.
    ///
    /// # Errors
    /// On store failure.
    pub async fn with_jurisdiction(&self, actor: &Actor) -> Result<Actor, EngineError> {
        let mut actor = actor.clone();
        if let (Capacity::Office, Jurisdiction::OwnUnit, Some(unit)) =
            (actor.capacity, &actor.jurisdiction, actor.unit)
        {
            let parents = self.store.unit_parents().await?;
            actor.jurisdiction = Jurisdiction::office(unit, &parents);
        }
        Ok(actor)
    }

    async fn unit_ref(&self, field: &str, key: &str) -> Result<Unit, EngineError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(EngineError::invalid(field, "a unit is required"));
        }
        check_field(field, validate::UNIT_NAME, key)?;
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
        check_field(field, validate::PERSON_NAME, key)?;
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
            self.adjust_due(&item, command, &mut decision).await?;
            match self.store.commit_decision_at(&item, &decision, &head).await {
                Ok(event) => {
                    return Ok(Outcome {
                        item: decision.item,
                        event,
                    });
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
                level: {
                    let level = req
                        .level
                        .ok_or_else(|| EngineError::invalid("level", "is required"))?;
                    // The ladder's top rung: its number of steps (or a higher configured level).
                    let ladder = &self.policy.ladder;
                    let top = ladder
                        .steps
                        .iter()
                        .map(|s| usize::try_from(s.level).unwrap_or(0))
                        .chain([ladder.steps.len()])
                        .max()
                        .unwrap_or(0);
                    validate::check_level(level, top)?;
                    level
                },
                step: text(&req.step),
                notify: Vec::new(),
                deadline_key: format!("manual:{}", self.now().format("%Y-%m-%dT%H:%M:%S")),
                urgent: true,
            },
            Action::Edit => Command::Edit {
                title: None,
                text: None,
                lead_unit: match &req.lead_unit {
                    Some(k) => Some(self.unit_id("lead_unit", k).await?),
                    None => None,
                },
                co_units: None,
                number: None,
                leader: None,
                reason: text(&req.reason),
            },
            Action::Reschedule => Command::Reschedule {
                deadline: parse_date(
                    "deadline",
                    req.deadline.as_deref().ok_or_else(|| {
                        EngineError::invalid("deadline", "the new deadline is required")
                    })?,
                )?,
                reason: text(&req.reason),
            },
        })
    }

    /// The item's SLA clocks, from its event trail (suspensions pause them). Empty when the
    /// calendar does not cover the dates or the item has not been assigned.
    pub fn clocks_of(&self, item: &Item, events: &[Event]) -> Vec<MilestoneStatus> {
        let cal = &self.policy.calendar;
        let now = self.local(self.now());
        let first = |kind: &str| {
            events
                .iter()
                .find(|e| e.kind == kind)
                .map(|e| self.local(e.at))
        };
        let mut pauses: Vec<Pause> = Vec::new();
        for e in events {
            match e.kind.as_str() {
                "suspend" => pauses.push(Pause {
                    from: self.local(e.at),
                    to: None,
                }),
                "resume" => {
                    if let Some(p) = pauses.last_mut() {
                        p.to = Some(self.local(e.at));
                    }
                }
                _ => {}
            }
        }
        let Some(assigned) = first("assign") else {
            return Vec::new();
        };
        if let Some(deadline) = item.deadline {
            return deadline_clock(cal, deadline, &pauses, first("request_closure"), now)
                .map(|clock| {
                    vec![MilestoneStatus {
                        key: "deadline".into(),
                        label: "完成时限".into(),
                        clock,
                    }]
                })
                .unwrap_or_default();
        }
        if item.kind != ItemKind::Problem {
            return Vec::new();
        }
        let met = |key: &str| match key {
            xiaohao_core::sla::RESPOND => first("accept"),
            xiaohao_core::sla::OPINION => first("report"),
            xiaohao_core::sla::RESOLVE => first("request_closure"),
            _ => None,
        };
        policy_clocks(cal, &self.policy.problem_sla, assigned, &pauses, met, now)
            .unwrap_or_default()
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
