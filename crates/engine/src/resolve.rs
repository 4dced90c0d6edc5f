//! Requests as people write them — units and leaders by name or alias, dates as text,
//! actions by name — resolved into domain values, naming the first field at fault.

use crate::requests::{CommandRequest, ItemRequest, check_field, parse_date};
use crate::service::capacity_of;
use crate::{Engine, EngineError};
use xiaohao_core::org::Unit;
use xiaohao_core::validate;
use xiaohao_core::{Actor, Capacity, Command, Jurisdiction, NewItem, PersonId, UnitId};
use xiaohao_store::StoreError;

impl Engine {
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
            let parents = self.store().unit_parents().await?;
            actor.jurisdiction = Jurisdiction::office(unit, &parents);
        }
        Ok(actor)
    }

    pub(crate) async fn unit_ref(&self, field: &str, key: &str) -> Result<Unit, EngineError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(EngineError::invalid(field, "a unit is required"));
        }
        check_field(field, validate::UNIT_NAME, key)?;
        self.store().resolve_unit(key).await.map_err(|e| match e {
            StoreError::NotFound { .. } => {
                EngineError::invalid(field, format!("unknown unit `{key}`"))
            }
            other => other.into(),
        })
    }

    pub(crate) async fn unit_id(&self, field: &str, key: &str) -> Result<UnitId, EngineError> {
        Ok(self.unit_ref(field, key).await?.id)
    }

    pub(crate) async fn person_id(&self, field: &str, key: &str) -> Result<PersonId, EngineError> {
        check_field(field, validate::PERSON_NAME, key)?;
        if let Ok(id) = key.parse::<PersonId>() {
            return Ok(self
                .store()
                .person(id)
                .await
                .map_err(|_| EngineError::invalid(field, format!("unknown person `{key}`")))?
                .id);
        }
        let found = self.store().people_named(key).await?;
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
    pub(crate) async fn new_item_from(&self, req: &ItemRequest) -> Result<NewItem, EngineError> {
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

    pub(crate) async fn chain_id(&self, key: &str) -> Result<xiaohao_core::ChainId, EngineError> {
        let chains = self.store().chains().await?;
        chains
            .iter()
            .find(|c| c.id.to_string() == key || c.name == key.trim())
            .map(|c| c.id)
            .ok_or_else(|| EngineError::invalid("chain", format!("unknown chain `{key}`")))
    }

    /// Turn a request into a command: the units it names are looked up, then
    /// [`CommandRequest::to_command`] decodes it.
    ///
    /// # Errors
    /// `Invalid` naming the missing or malformed field.
    pub async fn command_from(&self, req: &CommandRequest) -> Result<Command, EngineError> {
        let mut units = Vec::new();
        for (field, key) in req.unit_keys() {
            units.push((field, self.unit_id(field, key).await?));
        }
        req.to_command(|field| units.iter().find(|(f, _)| *f == field).map(|(_, id)| *id))
    }
}
