//! Bulk writes: a whole plan draft, and a batch of ledger changes — each in ONE transaction,
//! so that a failure on the last row leaves nothing half-written.

use crate::entities::{chain, chain_leader, chain_unit, person, plan, unit, unit_alias};
use crate::write::{Atomicity, Write, write_in};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde::Serialize;
use std::collections::HashMap;
use xiaohao_core::org::{ChainRole, guess_kind, guess_level, validate_unit_name};
use xiaohao_core::{
    Actor, ChainId, DomainError, ItemId, NewItem, PersonId, PlanId, Target, UnitId, new_item,
};

/// A plan document read into a draft ledger, with units and leaders still named as printed.
#[derive(Debug, Clone, Default)]
pub struct PlanImport {
    pub title: String,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub chains: Vec<ChainImport>,
    pub items: Vec<ItemImport>,
    /// Import even when a plan with the same document number (or title) exists.
    pub allow_duplicate: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ChainImport {
    pub name: String,
    pub leaders: Vec<String>,
    pub lead_units: Vec<String>,
    pub units: Vec<String>,
    pub children: Vec<ChainImport>,
}

#[derive(Debug, Clone, Default)]
pub struct ItemImport {
    pub number: Option<String>,
    /// The enclosing section heading; stored as the item's grade (分级).
    pub section: Option<String>,
    pub title: String,
    pub text: String,
    pub lead: Option<String>,
    pub co: Vec<String>,
    /// The first leader becomes the item's leader.
    pub leaders: Vec<String>,
    pub deadline: Option<NaiveDate>,
    pub deadline_text: Option<String>,
    pub targets: Vec<Target>,
    /// Name of the chain of this plan the item belongs to (a chain of `chains`; the first
    /// of that name when several share it). An unknown name links nothing.
    pub chain: Option<String>,
}

impl PlanImport {
    /// Every text and date of the plan against the one validation layer
    /// ([`xiaohao_core::validate`]), before any statement runs.
    ///
    /// # Errors
    /// `Invalid` naming the field (and, for a task, its number or title).
    pub fn validate(&self) -> Result<(), DomainError> {
        use xiaohao_core::validate::{self as v, check, check_opt};
        check(v::PLAN_TITLE, &self.title)?;
        check_opt(v::DOC_NUMBER, self.doc_number.as_deref())?;
        check_opt(v::ISSUER, self.issuer.as_deref())?;
        if let Some(d) = self.issued_on {
            v::check_date("date", d)?;
        }
        let mut chains: Vec<&ChainImport> = self.chains.iter().collect();
        while let Some(c) = chains.pop() {
            check(v::CHAIN_NAME, &c.name)?;
            c.leaders
                .iter()
                .try_for_each(|l| check(v::PERSON_NAME, l))?;
            c.lead_units
                .iter()
                .chain(&c.units)
                .try_for_each(|u| check(v::UNIT_NAME, u))?;
            chains.extend(&c.children);
        }
        for it in &self.items {
            // Name the task, so the office finds it in the plan.
            let within = |e: DomainError| match e {
                DomainError::Invalid { field, message } => {
                    let shown: String = it.title.chars().take(30).collect();
                    DomainError::invalid(field, format!("{message} (任务: {shown})"))
                }
                other => other,
            };
            (|| {
                check_opt(v::NUMBER, it.number.as_deref())?;
                check_opt(v::GRADE, it.section.as_deref())?;
                check(v::TITLE, &it.title)?;
                check(v::ITEM_TEXT, &it.text)?;
                check_opt(v::UNIT_NAME, it.lead.as_deref())?;
                it.co.iter().try_for_each(|u| check(v::UNIT_NAME, u))?;
                it.leaders
                    .iter()
                    .try_for_each(|l| check(v::PERSON_NAME, l))?;
                if let Some(d) = it.deadline {
                    v::check_date("deadline", d)?;
                }
                check_opt(v::DEADLINE_TEXT, it.deadline_text.as_deref())?;
                it.targets.iter().try_for_each(|t| {
                    check(v::TARGET_METRIC, &t.metric)?;
                    check(v::TARGET_UNIT, &t.unit)
                })
            })()
            .map_err(within)?;
        }
        Ok(())
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub plan: Option<PlanId>,
    /// Units created (needs_review = true), by name.
    pub units_created: Vec<String>,
    /// Distinct names resolved to existing units (by name or alias).
    pub units_resolved: usize,
    pub people_created: usize,
    pub people_resolved: usize,
    pub chains: usize,
    pub items: Vec<ItemId>,
}

/// Units and people met during one import, resolved once each.
struct Resolver<'a> {
    txn: &'a DatabaseTransaction,
    now: DateTime<Utc>,
    units: HashMap<String, UnitId>,
    people: HashMap<String, PersonId>,
    summary: ImportSummary,
}

impl Resolver<'_> {
    async fn unit(&mut self, name: &str) -> StoreResult<UnitId> {
        let key = validate_unit_name(name).map_err(|e| {
            StoreError::Invalid(DomainError::invalid("unit", format!("`{name}`: {}", e)))
        })?;
        if let Some(id) = self.units.get(&key) {
            return Ok(*id);
        }
        let found = match unit::Entity::find()
            .filter(unit::Column::Name.eq(key.clone()))
            .one(self.txn)
            .await?
        {
            Some(u) => Some(u.id),
            None => unit_alias::Entity::find_by_id(key.clone())
                .one(self.txn)
                .await?
                .map(|a| a.unit_id),
        };
        let id = match found {
            Some(id) => {
                self.summary.units_resolved += 1;
                UnitId::from(id)
            }
            None => {
                let id = UnitId::new();
                unit::Entity::insert(
                    unit::Model {
                        id: id.0,
                        name: key.clone(),
                        kind: guess_kind(&key).as_str().to_owned(),
                        level: guess_level(&key).map(|l| l.as_str().to_owned()),
                        parent_id: None,
                        emails: "[]".into(),
                        needs_review: true,
                        created_at: self.now,
                        contact: None,
                    }
                    .into_active_model(),
                )
                .exec_without_returning(self.txn)
                .await
                .map_err(|e| StoreError::unique(e, "name", &key))?;
                self.summary.units_created.push(key.clone());
                id
            }
        };
        self.units.insert(key, id);
        Ok(id)
    }

    async fn units(&mut self, names: &[String]) -> StoreResult<Vec<UnitId>> {
        let mut out = Vec::new();
        for n in names {
            let id = self.unit(n).await?;
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    async fn person(&mut self, name: &str) -> StoreResult<PersonId> {
        let key: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        if key.is_empty() {
            return Err(StoreError::Invalid(DomainError::invalid(
                "leader",
                "a leader needs a name",
            )));
        }
        if let Some(id) = self.people.get(&key) {
            return Ok(*id);
        }
        let existing = person::Entity::find()
            .filter(person::Column::Name.eq(key.clone()))
            .order_by_asc(person::Column::CreatedAt)
            .one(self.txn)
            .await?;
        let id = match existing {
            Some(p) => {
                self.summary.people_resolved += 1;
                PersonId::from(p.id)
            }
            None => {
                let id = PersonId::new();
                person::Entity::insert(
                    person::Model {
                        id: id.0,
                        name: key.clone(),
                        title: None,
                        unit_id: None,
                        email: None,
                        created_at: self.now,
                    }
                    .into_active_model(),
                )
                .exec_without_returning(self.txn)
                .await?;
                self.summary.people_created += 1;
                id
            }
        };
        self.people.insert(key, id);
        Ok(id)
    }
}

impl Store {
    /// Write a whole plan — plan row, units (resolved through aliases, unknown ones created
    /// with `needs_review`), leaders, the chain tree and every item as a draft filed by
    /// `actor` — in one transaction. Any failure (an invalid item late in the plan, a
    /// database error) rolls everything back.
    ///
    /// # Errors
    /// `Duplicate` when a plan with the same document number (or, without one, the same
    /// title) exists and `allow_duplicate` is off; `Invalid` naming the task at fault.
    pub async fn import_plan(
        &self,
        imp: &PlanImport,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> StoreResult<ImportSummary> {
        let title = imp.title.trim();
        if title.is_empty() {
            return Err(StoreError::Invalid(DomainError::invalid(
                "title",
                "a plan needs a title",
            )));
        }
        imp.validate().map_err(StoreError::Invalid)?;
        let txn = self.begin_write().await?;
        if !imp.allow_duplicate {
            let existing = match imp.doc_number.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => plan::Entity::find()
                    .filter(plan::Column::DocNumber.eq(n))
                    .one(&txn)
                    .await?
                    .map(|_| ("doc_number", n.to_owned())),
                _ => plan::Entity::find()
                    .filter(plan::Column::Title.eq(title))
                    .one(&txn)
                    .await?
                    .map(|_| ("title", title.to_owned())),
            };
            if let Some((field, value)) = existing {
                return Err(StoreError::Duplicate {
                    field: if field == "title" {
                        "plan title"
                    } else {
                        "plan doc_number"
                    },
                    value,
                });
            }
        }
        let plan_id = PlanId::new();
        plan::Entity::insert(
            plan::Model {
                id: plan_id.0,
                title: title.to_owned(),
                doc_number: imp.doc_number.clone(),
                issuer: imp.issuer.clone(),
                issued_on: imp.issued_on,
                created_at: now,
            }
            .into_active_model(),
        )
        .exec_without_returning(&txn)
        .await?;
        let mut r = Resolver {
            txn: &txn,
            now,
            units: HashMap::new(),
            people: HashMap::new(),
            summary: ImportSummary {
                plan: Some(plan_id),
                ..Default::default()
            },
        };

        // Chains, parents before children; their ids by name, for the items.
        let mut chain_ids: HashMap<String, ChainId> = HashMap::new();
        let mut stack: Vec<(Option<ChainId>, &ChainImport)> =
            imp.chains.iter().rev().map(|c| (None, c)).collect();
        while let Some((parent, c)) = stack.pop() {
            let name = c.name.trim();
            if name.is_empty() {
                continue;
            }
            let id = ChainId::new();
            chain::Entity::insert(
                chain::Model {
                    id: id.0,
                    name: name.to_owned(),
                    parent_id: parent.map(|p| p.0),
                    plan_id: Some(plan_id.0),
                    created_at: now,
                }
                .into_active_model(),
            )
            .exec_without_returning(&txn)
            .await?;
            chain_ids.entry(name.to_owned()).or_insert(id);
            let mut leaders: Vec<PersonId> = Vec::new();
            for l in &c.leaders {
                let p = r.person(l).await?;
                if !leaders.contains(&p) {
                    leaders.push(p);
                }
            }
            for p in leaders {
                chain_leader::Entity::insert(
                    chain_leader::Model {
                        chain_id: id.0,
                        person_id: p.0,
                    }
                    .into_active_model(),
                )
                .exec_without_returning(&txn)
                .await?;
            }
            let lead = r.units(&c.lead_units).await?;
            let mut units = r.units(&c.units).await?;
            units.retain(|u| !lead.contains(u));
            for (role, list) in [(ChainRole::Lead, lead), (ChainRole::Responsible, units)] {
                for u in list {
                    chain_unit::Entity::insert(
                        chain_unit::Model {
                            chain_id: id.0,
                            unit_id: u.0,
                            role: role.as_str().to_owned(),
                        }
                        .into_active_model(),
                    )
                    .exec_without_returning(&txn)
                    .await?;
                }
            }
            r.summary.chains += 1;
            for child in c.children.iter().rev() {
                stack.push((Some(id), child));
            }
        }

        let mut writes = Vec::with_capacity(imp.items.len());
        for (i, it) in imp.items.iter().enumerate() {
            let at_fault = |e: DomainError| {
                StoreError::Invalid(DomainError::invalid(
                    "tasks",
                    format!(
                        "task {} `{}`: {e}",
                        i + 1,
                        it.number.as_deref().unwrap_or("")
                    ),
                ))
            };
            let lead = match &it.lead {
                Some(l) => Some(r.unit(l).await?),
                None => None,
            };
            let co = r.units(&it.co).await?;
            let leader = match it.leaders.first() {
                Some(l) => Some(r.person(l).await?),
                None => None,
            };
            let new = NewItem {
                kind: None,
                number: it.number.clone(),
                title: it.title.clone(),
                text: it.text.clone(),
                plan_id: Some(plan_id),
                chain_id: it
                    .chain
                    .as_deref()
                    .and_then(|c| chain_ids.get(c.trim()).copied()),
                owner_unit: None,
                lead_unit: lead,
                co_units: co,
                leader,
                deadline: it.deadline,
                deadline_text: it.deadline_text.clone(),
                grade: it.section.clone(),
                class: None,
                targets: it.targets.clone(),
            };
            let decision = new_item(ItemId::new(), &new, actor, now).map_err(at_fault)?;
            r.summary.items.push(decision.item.id);
            writes.push(Write::create(decision, new.targets));
        }
        write_in(&txn, &writes, Atomicity::All, &self.lights).await?;
        let summary = r.summary;
        txn.commit().await?;
        Ok(summary)
    }
}
