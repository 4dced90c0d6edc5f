//! Units (with aliases), people, plans and chains.

use crate::convert::unit_from_row;
use crate::entities::{chain, chain_leader, chain_unit, person, plan, unit, unit_alias};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use xiaohao_core::org::{
    Chain, ChainRole, Level, Person, Plan, Unit, UnitKind, normalize_name, validate_email,
    validate_unit_name,
};
use xiaohao_core::{ChainId, PersonId, PlanId, UnitId};

#[derive(Debug, Clone, Default)]
pub struct NewUnit {
    pub name: String,
    pub kind: Option<UnitKind>,
    pub level: Option<Level>,
    pub parent: Option<UnitId>,
    pub emails: Vec<String>,
    pub aliases: Vec<String>,
    pub needs_review: bool,
}

#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub name: String,
    pub title: Option<String>,
    pub unit: Option<UnitId>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewPlan {
    pub title: String,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct NewChain {
    pub name: String,
    pub parent: Option<ChainId>,
    pub plan: Option<PlanId>,
    pub leaders: Vec<PersonId>,
    pub lead_units: Vec<UnitId>,
    pub units: Vec<UnitId>,
}

impl Store {
    /// Create a unit with its aliases, in one transaction.
    ///
    /// # Errors
    /// `Duplicate` when the name or an alias is taken; `Invalid…` inputs are refused
    /// before anything is written.
    pub async fn create_unit(&self, new: NewUnit, now: DateTime<Utc>) -> StoreResult<Unit> {
        let name = validate_unit_name(&new.name).map_err(invalid)?;
        let emails = new
            .emails
            .iter()
            .map(|e| validate_email(e))
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        let mut aliases = Vec::new();
        for a in &new.aliases {
            let a = validate_unit_name(a).map_err(invalid)?;
            if a != name && !aliases.contains(&a) {
                aliases.push(a);
            }
        }
        let id = UnitId::new();
        let txn = self.begin_write().await?;
        // A name may not shadow another unit's alias, nor an alias another unit's name.
        for n in std::iter::once(&name).chain(aliases.iter()) {
            if self.find_unit_id_in(&txn, n).await?.is_some() {
                return Err(StoreError::Duplicate {
                    field: "name",
                    value: n.clone(),
                });
            }
        }
        let row = unit::Model {
            id: id.0,
            name: name.clone(),
            kind: new.kind.unwrap_or(UnitKind::Department).as_str().to_owned(),
            level: new.level.map(|l| l.as_str().to_owned()),
            parent_id: new.parent.map(|p| p.0),
            emails: serde_json::to_string(&emails).unwrap_or_else(|_| "[]".into()),
            needs_review: new.needs_review,
            created_at: now,
            contact: None,
        };
        unit::Entity::insert(row.clone().into_active_model())
            .exec_without_returning(&txn)
            .await
            .map_err(|e| StoreError::unique(e, "name", &name))?;
        for a in &aliases {
            unit_alias::Entity::insert(
                unit_alias::Model {
                    alias: a.clone(),
                    unit_id: id.0,
                }
                .into_active_model(),
            )
            .exec_without_returning(&txn)
            .await
            .map_err(|e| StoreError::unique(e, "alias", a))?;
        }
        txn.commit().await?;
        unit_from_row(row, aliases)
    }

    /// Add an alias (e.g. 工信厅 for 省工业和信息化厅).
    ///
    /// # Errors
    /// `Duplicate` when the alias already names a unit.
    pub async fn add_unit_alias(&self, unit: UnitId, alias: &str) -> StoreResult<()> {
        let alias = validate_unit_name(alias).map_err(invalid)?;
        let txn = self.begin_write().await?;
        if self.find_unit_id_in(&txn, &alias).await?.is_some() {
            return Err(StoreError::Duplicate {
                field: "alias",
                value: alias,
            });
        }
        unit_alias::Entity::insert(
            unit_alias::Model {
                alias: alias.clone(),
                unit_id: unit.0,
            }
            .into_active_model(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(|e| StoreError::unique(e, "alias", &alias))?;
        txn.commit().await?;
        Ok(())
    }

    pub(crate) async fn find_unit_id_in<C: ConnectionTrait>(
        &self,
        conn: &C,
        name: &str,
    ) -> StoreResult<Option<UnitId>> {
        let key = normalize_name(name);
        if let Some(u) = unit::Entity::find()
            .filter(unit::Column::Name.eq(key.clone()))
            .one(conn)
            .await?
        {
            return Ok(Some(u.id.into()));
        }
        Ok(unit_alias::Entity::find_by_id(key)
            .one(conn)
            .await?
            .map(|a| a.unit_id.into()))
    }

    /// Resolve a unit by id, name or alias.
    ///
    /// # Errors
    /// `NotFound` when nothing matches.
    pub async fn resolve_unit(&self, key: &str) -> StoreResult<Unit> {
        // A key no unit could bear (too long, control characters) names nothing; it never
        // reaches the database, whose refusal would differ between backends.
        if xiaohao_core::validate::check(xiaohao_core::validate::UNIT_NAME, key).is_err() {
            return Err(StoreError::not_found(
                "unit",
                key.chars().take(40).collect::<String>(),
            ));
        }
        if let Ok(id) = key.parse::<UnitId>() {
            return self.unit(id).await;
        }
        match self.find_unit_id_in(&self.db, key).await? {
            Some(id) => self.unit(id).await,
            None => Err(StoreError::not_found("unit", key)),
        }
    }

    /// # Errors
    /// `NotFound` when the unit does not exist.
    pub async fn unit(&self, id: UnitId) -> StoreResult<Unit> {
        let row = unit::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found("unit", id))?;
        let aliases = unit_alias::Entity::find()
            .filter(unit_alias::Column::UnitId.eq(id.0))
            .order_by_asc(unit_alias::Column::Alias)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| a.alias)
            .collect();
        unit_from_row(row, aliases)
    }

    /// All units, by name, with their aliases.
    ///
    /// # Errors
    /// On database failure.
    pub async fn units(&self) -> StoreResult<Vec<Unit>> {
        let mut aliases: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
        for a in unit_alias::Entity::find()
            .order_by_asc(unit_alias::Column::Alias)
            .all(&self.db)
            .await?
        {
            aliases.entry(a.unit_id).or_default().push(a.alias);
        }
        unit::Entity::find()
            .order_by_asc(unit::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                let al = aliases.remove(&row.id).unwrap_or_default();
                unit_from_row(row, al)
            })
            .collect()
    }

    /// Every unit with its parent: the org tree an office's jurisdiction is computed from.
    ///
    /// # Errors
    /// On database failure.
    pub async fn unit_parents(&self) -> StoreResult<Vec<(UnitId, Option<UnitId>)>> {
        Ok(unit::Entity::find()
            .select_only()
            .column(unit::Column::Id)
            .column(unit::Column::ParentId)
            .into_tuple::<(uuid::Uuid, Option<uuid::Uuid>)>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|(id, parent)| (id.into(), parent.map(Into::into)))
            .collect())
    }

    /// # Errors
    /// On invalid input or database failure.
    pub async fn create_person(&self, new: NewPerson, now: DateTime<Utc>) -> StoreResult<Person> {
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(invalid(xiaohao_core::DomainError::invalid(
                "name",
                "must not be empty",
            )));
        }
        let email = new
            .email
            .as_deref()
            .map(validate_email)
            .transpose()
            .map_err(invalid)?;
        let row = person::Model {
            id: PersonId::new().0,
            name,
            title: new.title.clone(),
            unit_id: new.unit.map(|u| u.0),
            email,
            created_at: now,
        };
        row.clone().into_active_model().insert(&self.db).await?;
        Ok(person_from_row(row))
    }

    /// People with this exact name (leaders are usually known by name only).
    ///
    /// # Errors
    /// On database failure.
    pub async fn people_named(&self, name: &str) -> StoreResult<Vec<Person>> {
        if xiaohao_core::validate::check(xiaohao_core::validate::PERSON_NAME, name).is_err() {
            return Ok(Vec::new());
        }
        Ok(person::Entity::find()
            .filter(person::Column::Name.eq(name.trim()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(person_from_row)
            .collect())
    }

    /// # Errors
    /// `NotFound` when the person does not exist.
    pub async fn person(&self, id: PersonId) -> StoreResult<Person> {
        person::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .map(person_from_row)
            .ok_or_else(|| StoreError::not_found("person", id))
    }

    /// # Errors
    /// On invalid input or database failure.
    pub async fn create_plan(&self, new: NewPlan, now: DateTime<Utc>) -> StoreResult<Plan> {
        let title = new.title.trim().to_owned();
        if title.is_empty() {
            return Err(invalid(xiaohao_core::DomainError::invalid(
                "title",
                "a plan needs a title",
            )));
        }
        let row = plan::Model {
            id: PlanId::new().0,
            title,
            doc_number: new.doc_number.clone(),
            issuer: new.issuer.clone(),
            issued_on: new.issued_on,
            created_at: now,
        };
        row.clone().into_active_model().insert(&self.db).await?;
        Ok(plan_from_row(row))
    }

    /// # Errors
    /// On database failure.
    pub async fn plans(&self) -> StoreResult<Vec<Plan>> {
        Ok(plan::Entity::find()
            .order_by_asc(plan::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(plan_from_row)
            .collect())
    }

    /// Create a chain with its leaders and units, in one transaction.
    ///
    /// # Errors
    /// On invalid input or database failure (e.g. an unknown parent).
    pub async fn create_chain(&self, new: NewChain, now: DateTime<Utc>) -> StoreResult<Chain> {
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(invalid(xiaohao_core::DomainError::invalid(
                "name",
                "a chain needs a name",
            )));
        }
        let id = ChainId::new();
        let txn = self.begin_write().await?;
        chain::Model {
            id: id.0,
            name: name.clone(),
            parent_id: new.parent.map(|p| p.0),
            plan_id: new.plan.map(|p| p.0),
            created_at: now,
        }
        .into_active_model()
        .insert(&txn)
        .await?;
        for p in dedup(&new.leaders) {
            chain_leader::Model {
                chain_id: id.0,
                person_id: p.0,
            }
            .into_active_model()
            .insert(&txn)
            .await?;
        }
        for (role, units) in [
            (ChainRole::Lead, &new.lead_units),
            (ChainRole::Responsible, &new.units),
        ] {
            for u in dedup(units) {
                chain_unit::Model {
                    chain_id: id.0,
                    unit_id: u.0,
                    role: role.as_str().to_owned(),
                }
                .into_active_model()
                .insert(&txn)
                .await?;
            }
        }
        txn.commit().await?;
        Ok(Chain {
            id,
            name,
            parent: new.parent,
            plan: new.plan,
            leaders: dedup(&new.leaders),
            lead_units: dedup(&new.lead_units),
            units: dedup(&new.units),
        })
    }

    /// All chains with leaders and units; parents before children.
    ///
    /// # Errors
    /// On database failure.
    pub async fn chains(&self) -> StoreResult<Vec<Chain>> {
        let mut leaders: HashMap<uuid::Uuid, Vec<PersonId>> = HashMap::new();
        for l in chain_leader::Entity::find().all(&self.db).await? {
            leaders
                .entry(l.chain_id)
                .or_default()
                .push(l.person_id.into());
        }
        let mut units: HashMap<(uuid::Uuid, String), Vec<UnitId>> = HashMap::new();
        for u in chain_unit::Entity::find().all(&self.db).await? {
            units
                .entry((u.chain_id, u.role))
                .or_default()
                .push(u.unit_id.into());
        }
        let rows = chain::Entity::find()
            .order_by_asc(chain::Column::CreatedAt)
            .order_by_asc(chain::Column::Name)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| Chain {
                id: c.id.into(),
                name: c.name,
                parent: c.parent_id.map(Into::into),
                plan: c.plan_id.map(Into::into),
                leaders: leaders.remove(&c.id).unwrap_or_default(),
                lead_units: units
                    .remove(&(c.id, ChainRole::Lead.as_str().to_owned()))
                    .unwrap_or_default(),
                units: units
                    .remove(&(c.id, ChainRole::Responsible.as_str().to_owned()))
                    .unwrap_or_default(),
            })
            .collect())
    }
}

fn dedup<T: PartialEq + Copy>(v: &[T]) -> Vec<T> {
    let mut out = Vec::new();
    for x in v {
        if !out.contains(x) {
            out.push(*x);
        }
    }
    out
}

fn invalid(e: xiaohao_core::DomainError) -> StoreError {
    StoreError::Invalid(e)
}

fn person_from_row(p: person::Model) -> Person {
    Person {
        id: p.id.into(),
        name: p.name,
        title: p.title,
        unit: p.unit_id.map(Into::into),
        email: p.email,
    }
}

fn plan_from_row(p: plan::Model) -> Plan {
    Plan {
        id: p.id.into(),
        title: p.title,
        doc_number: p.doc_number,
        issuer: p.issuer,
        issued_on: p.issued_on,
    }
}
