//! The office's care of its unit directory: edit a unit (e-mails, contact, kind, level,
//! parent), confirm one an import created, and merge one into another in one transaction
//! with the item commands that move its items.

use crate::entities::{
    chain_unit, duty, item, item_co_unit, outbox, person, progress_report, unit, unit_alias,
    unit_channel, user,
};
use crate::outbox::OutboxStatus;
use crate::recon::rows::statement;
use crate::write::{Atomicity, Write, write_in};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QuerySelect,
};
use xiaohao_core::org::{Level, Unit, UnitKind, validate_email};
use xiaohao_core::unit_merge::UnitUsage;
use xiaohao_core::{ItemId, ItemState, UnitId, validate};

/// A unit as the office corrects it; every field is written as given.
#[derive(Debug, Clone)]
pub struct UnitEdit {
    pub kind: UnitKind,
    pub level: Option<Level>,
    pub parent: Option<UnitId>,
    pub emails: Vec<String>,
    pub contact: Option<String>,
}

/// How many e-mail addresses a unit may have.
pub const MAX_UNIT_EMAILS: usize = 10;

impl Store {
    /// Write `edit` over unit `id`.
    ///
    /// # Errors
    /// `Invalid` for a bad address, contact or parent (itself, or a unit below it);
    /// `NotFound` when the unit does not exist.
    pub async fn update_unit(&self, id: UnitId, edit: UnitEdit) -> StoreResult<Unit> {
        let emails = checked_emails(&edit.emails)?;
        let contact = edit
            .contact
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| validate::check(validate::CONTACT, c).map(|()| c.to_owned()))
            .transpose()
            .map_err(StoreError::Invalid)?;
        if let Some(p) = edit.parent {
            let parents = self.unit_parents().await?;
            let mut at = Some(p);
            while let Some(u) = at {
                if u == id {
                    return Err(StoreError::Invalid(xiaohao_core::DomainError::invalid(
                        "parent",
                        "a unit cannot be placed under itself or a unit below it",
                    )));
                }
                at = parents
                    .iter()
                    .find(|(x, _)| *x == u)
                    .and_then(|(_, up)| *up);
            }
        }
        let txn = self.begin_write().await?;
        let row = unit::Entity::find_by_id(id.0)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found("unit", id))?;
        let mut active = row.into_active_model();
        active.kind = sea_orm::Set(edit.kind.as_str().to_owned());
        active.level = sea_orm::Set(edit.level.map(|l| l.as_str().to_owned()));
        active.parent_id = sea_orm::Set(edit.parent.map(|p| p.0));
        active.emails =
            sea_orm::Set(serde_json::to_string(&emails).unwrap_or_else(|_| "[]".into()));
        active.contact = sea_orm::Set(contact);
        unit::Entity::update(active).exec(&txn).await?;
        txn.commit().await?;
        self.unit(id).await
    }

    /// Mark a unit an import created as checked by the office.
    ///
    /// # Errors
    /// `NotFound` when the unit does not exist.
    pub async fn confirm_unit(&self, id: UnitId) -> StoreResult<Unit> {
        let res = unit::Entity::update_many()
            .col_expr(unit::Column::NeedsReview, Expr::value(false))
            .filter(unit::Column::Id.eq(id.0))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::not_found("unit", id));
        }
        self.unit(id).await
    }

    /// Queue again every e-mail reminder to unit `id` that could not be delivered (its
    /// robots' rows are not helped by an address). Returns how many.
    ///
    /// # Errors
    /// On database failure.
    pub async fn requeue_dead_for_unit(&self, id: UnitId, now: DateTime<Utc>) -> StoreResult<u64> {
        self.requeue_where(
            Condition::all()
                .add(outbox::Column::RecipientUnitId.eq(id.0))
                .add(outbox::Column::ChannelId.is_null())
                .add(outbox::Column::Status.eq(OutboxStatus::Dead.as_str())),
            now,
        )
        .await
    }

    /// What refers to unit `id` that a merge would have to rewrite history for.
    ///
    /// # Errors
    /// On database failure.
    pub async fn unit_usage(&self, id: UnitId) -> StoreResult<UnitUsage> {
        usage_in(&self.db, id).await
    }

    /// Items (open or closed) that name `id` as lead or co-unit.
    ///
    /// # Errors
    /// On database failure.
    pub async fn items_naming_unit(&self, id: UnitId) -> StoreResult<Vec<ItemId>> {
        let mut ids: Vec<ItemId> = item::Entity::find()
            .select_only()
            .column(item::Column::Id)
            .filter(item::Column::LeadUnitId.eq(id.0))
            .into_tuple::<uuid::Uuid>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(ItemId::from)
            .collect();
        for i in item_co_unit::Entity::find()
            .select_only()
            .column(item_co_unit::Column::ItemId)
            .filter(item_co_unit::Column::UnitId.eq(id.0))
            .into_tuple::<uuid::Uuid>()
            .all(&self.db)
            .await?
        {
            if !ids.contains(&ItemId::from(i)) {
                ids.push(i.into());
            }
        }
        Ok(ids)
    }

    /// Merge unit `from` into `into` in one transaction: `writes` (the decisions that move
    /// its items) are written, its chain memberships, people, aliases, sub-units and
    /// undelivered reminders move to `into` (dead reminders are queued again), its name
    /// becomes an alias of `into`, and it is removed. `usage_ok` re-checks, inside the
    /// transaction, what the caller checked before deciding.
    ///
    /// # Errors
    /// `Conflict` when an item changed meanwhile or the unit came into use; `NotFound`.
    pub async fn merge_unit(
        &self,
        from: UnitId,
        into: UnitId,
        writes: &[Write],
        usage_ok: impl Fn(&UnitUsage) -> bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let txn = self.begin_write().await?;
        let gone = unit::Entity::find_by_id(from.0)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found("unit", from))?;
        unit::Entity::find_by_id(into.0)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found("unit", into))?;
        if !usage_ok(&usage_in(&txn, from).await?) {
            return Err(StoreError::Conflict(format!("unit {from} came into use")));
        }
        write_in(&txn, writes, Atomicity::All, &self.lights).await?;
        // Whatever still names the unit after the commands is a closed item: refuse.
        let left = item::Entity::find()
            .filter(item::Column::LeadUnitId.eq(from.0))
            .count(&txn)
            .await?
            + item_co_unit::Entity::find()
                .filter(item_co_unit::Column::UnitId.eq(from.0))
                .count(&txn)
                .await?;
        if left > 0 {
            return Err(StoreError::Conflict(format!(
                "{left} items still name unit {from}"
            )));
        }
        for m in chain_unit::Entity::find()
            .filter(chain_unit::Column::UnitId.eq(from.0))
            .all(&txn)
            .await?
        {
            let exists = chain_unit::Entity::find_by_id((m.chain_id, into.0, m.role.clone()))
                .one(&txn)
                .await?
                .is_some();
            chain_unit::Entity::delete_by_id((m.chain_id, from.0, m.role.clone()))
                .exec(&txn)
                .await?;
            if !exists {
                chain_unit::Entity::insert(
                    chain_unit::Model {
                        chain_id: m.chain_id,
                        unit_id: into.0,
                        role: m.role,
                    }
                    .into_active_model(),
                )
                .exec_without_returning(&txn)
                .await?;
            }
        }
        person::Entity::update_many()
            .col_expr(person::Column::UnitId, Expr::value(into.0))
            .filter(person::Column::UnitId.eq(from.0))
            .exec(&txn)
            .await?;
        unit::Entity::update_many()
            .col_expr(unit::Column::ParentId, Expr::value(into.0))
            .filter(unit::Column::ParentId.eq(from.0))
            .exec(&txn)
            .await?;
        unit_alias::Entity::update_many()
            .col_expr(unit_alias::Column::UnitId, Expr::value(into.0))
            .filter(unit_alias::Column::UnitId.eq(from.0))
            .exec(&txn)
            .await?;
        // Its uploads become the surviving unit's (its people now read them there).
        crate::entities::attachment::Entity::update_many()
            .col_expr(
                crate::entities::attachment::Column::UploadedByUnit,
                Expr::value(into.0),
            )
            .filter(crate::entities::attachment::Column::UploadedByUnit.eq(from.0))
            .exec(&txn)
            .await?;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::RecipientUnitId, Expr::value(into.0))
            .col_expr(
                outbox::Column::Status,
                Expr::value(OutboxStatus::Pending.as_str()),
            )
            .col_expr(outbox::Column::Attempts, Expr::value(0))
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
            .filter(outbox::Column::RecipientUnitId.eq(from.0))
            .filter(
                outbox::Column::Status
                    .is_in([OutboxStatus::Pending.as_str(), OutboxStatus::Dead.as_str()]),
            )
            .exec(&txn)
            .await?;
        // Its robots go with it: they are the group the merged unit's people sit in.
        unit_channel::Entity::update_many()
            .col_expr(unit_channel::Column::UnitId, Expr::value(into.0))
            .filter(unit_channel::Column::UnitId.eq(from.0))
            .exec(&txn)
            .await?;
        unit::Entity::delete_by_id(from.0).exec(&txn).await?;
        unit_alias::Entity::insert(
            unit_alias::Model {
                alias: gone.name.clone(),
                unit_id: into.0,
            }
            .into_active_model(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(|e| StoreError::unique(e, "alias", &gone.name))?;
        txn.commit().await?;
        Ok(())
    }
}

fn checked_emails(given: &[String]) -> StoreResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for e in given.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        let e = validate_email(e).map_err(StoreError::Invalid)?;
        if !out.iter().any(|x| x.eq_ignore_ascii_case(&e)) {
            out.push(e);
        }
    }
    if out.len() > MAX_UNIT_EMAILS {
        return Err(StoreError::Invalid(xiaohao_core::DomainError::invalid(
            "emails",
            format!("at most {MAX_UNIT_EMAILS} addresses"),
        )));
    }
    Ok(out)
}

async fn usage_in<C: ConnectionTrait>(conn: &C, id: UnitId) -> StoreResult<UnitUsage> {
    let closed: Vec<&str> = ItemState::ALL
        .into_iter()
        .filter(|s| !s.is_open() && *s != ItemState::Draft)
        .map(ItemState::as_str)
        .collect();
    let closed_lead = item::Entity::find()
        .filter(item::Column::LeadUnitId.eq(id.0))
        .filter(item::Column::State.is_in(closed.clone()))
        .count(conn)
        .await?;
    let co_items: Vec<uuid::Uuid> = item_co_unit::Entity::find()
        .select_only()
        .column(item_co_unit::Column::ItemId)
        .filter(item_co_unit::Column::UnitId.eq(id.0))
        .into_tuple()
        .all(conn)
        .await?;
    let mut closed_co = 0;
    for chunk in co_items.chunks(500) {
        closed_co += item::Entity::find()
            .filter(item::Column::Id.is_in(chunk.to_vec()))
            .filter(item::Column::State.is_in(closed.clone()))
            .count(conn)
            .await?;
    }
    Ok(UnitUsage {
        accounts: user::Entity::find()
            .filter(user::Column::UnitId.eq(id.0))
            .count(conn)
            .await?,
        reports: progress_report::Entity::find()
            .filter(progress_report::Column::UnitId.eq(id.0))
            .count(conn)
            .await?,
        duties: duty::Entity::find()
            .filter(duty::Column::UnitId.eq(id.0))
            .count(conn)
            .await?,
        statements: statement::Entity::find()
            .filter(statement::Column::UnitId.eq(id.0))
            .count(conn)
            .await?,
        reminders: outbox::Entity::find()
            .filter(outbox::Column::RecipientUnitId.eq(id.0))
            .filter(
                outbox::Column::Status
                    .is_not_in([OutboxStatus::Pending.as_str(), OutboxStatus::Dead.as_str()]),
            )
            .count(conn)
            .await?,
        closed_items: closed_lead + closed_co,
        kept_items: item::Entity::find()
            .filter(item::Column::OwnerUnitId.eq(id.0))
            .count(conn)
            .await?,
    })
}
