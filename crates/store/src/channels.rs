//! A unit's webhook robots, and the outbox rows that go to them.
//!
//! A change writes one e-mail row per notification (`channel_id` NULL), in its transaction.
//! [`Store::fan_out_channels`] then writes, for each such row not yet fanned out, one copy
//! per robot the recipient has (dedupe key `{key}|robot:{channel}`) and marks the e-mail row
//! fanned out — in one transaction, so a row is fanned out once and each copy exists once.
//! From there a copy lives exactly like an e-mail row: claims, leases, retries, `dead`,
//! digests (per unit and channel) and quiet hours are the outbox's own.

use crate::entities::{outbox, unit_channel};
use crate::outbox::{DIGEST_KIND, OutboxStatus};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;
use xiaohao_core::UnitId;
use xiaohao_core::channel::{ChannelKind, NewChannel, channel_dedupe_key};

/// E-mail rows fanned out per transaction.
const FAN_OUT_BATCH: u64 = 500;

/// A robot of a unit, as stored (the secret included: the worker signs with it).
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub id: Uuid,
    pub unit: UnitId,
    pub kind: ChannelKind,
    pub webhook_url: String,
    #[serde(skip)]
    pub secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

impl TryFrom<unit_channel::Model> for Channel {
    type Error = StoreError;
    fn try_from(m: unit_channel::Model) -> StoreResult<Channel> {
        Ok(Channel {
            id: m.id,
            unit: m.unit_id.into(),
            kind: m
                .kind
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("channel {}: kind {}", m.id, m.kind)))?,
            webhook_url: m.webhook_url,
            secret: m.secret,
            created_at: m.created_at,
            removed_at: m.removed_at,
        })
    }
}

fn active() -> Condition {
    Condition::all().add(unit_channel::Column::RemovedAt.is_null())
}

impl Store {
    /// The robots of `unit` not removed, oldest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn channels(&self, unit: UnitId) -> StoreResult<Vec<Channel>> {
        unit_channel::Entity::find()
            .filter(active())
            .filter(unit_channel::Column::UnitId.eq(unit.0))
            .order_by_asc(unit_channel::Column::CreatedAt)
            .order_by_asc(unit_channel::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Channel::try_from)
            .collect()
    }

    /// One robot, removed or not.
    ///
    /// # Errors
    /// `NotFound` when there is no such robot.
    pub async fn channel(&self, id: Uuid) -> StoreResult<Channel> {
        unit_channel::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found("channel", id))?
            .try_into()
    }

    /// How many robots each unit has (units without any are absent).
    ///
    /// # Errors
    /// On database failure.
    pub async fn channel_counts(&self) -> StoreResult<HashMap<UnitId, usize>> {
        let ids: Vec<Uuid> = unit_channel::Entity::find()
            .select_only()
            .column(unit_channel::Column::UnitId)
            .filter(active())
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut counts = HashMap::new();
        for id in ids {
            *counts.entry(UnitId::from(id)).or_insert(0) += 1;
        }
        Ok(counts)
    }

    /// Add a robot to `unit`, checked by the domain against the robots it has. The unit's
    /// e-mail reminders that could not be delivered are fanned out again, so the new robot
    /// receives them. Returns the robot and how many reminders it will receive.
    ///
    /// # Errors
    /// `Invalid` naming the field; `NotFound` for an unknown unit.
    pub async fn add_channel(
        &self,
        unit: UnitId,
        kind: ChannelKind,
        webhook_url: &str,
        secret: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<(Channel, u64)> {
        self.unit(unit).await?;
        let txn = self.begin_write().await?;
        let existing = unit_channel::Entity::find()
            .filter(active())
            .filter(unit_channel::Column::UnitId.eq(unit.0))
            .all(&txn)
            .await?
            .len();
        let new = NewChannel::checked(kind, webhook_url, secret, existing)
            .map_err(StoreError::Invalid)?;
        let row = unit_channel::Model {
            id: Uuid::now_v7(),
            unit_id: unit.0,
            kind: new.kind.as_str().to_owned(),
            webhook_url: new.webhook_url,
            secret: new.secret,
            created_at: now,
            removed_at: None,
        };
        unit_channel::Entity::insert(row.clone().into_active_model())
            .exec_without_returning(&txn)
            .await?;
        let again = outbox::Entity::update_many()
            .col_expr(outbox::Column::FannedOut, Expr::value(false))
            .filter(outbox::Column::RecipientUnitId.eq(unit.0))
            .filter(outbox::Column::ChannelId.is_null())
            .filter(outbox::Column::Kind.ne(DIGEST_KIND))
            .filter(outbox::Column::Status.eq(OutboxStatus::Dead.as_str()))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok((row.try_into()?, again.rows_affected))
    }

    /// Remove a robot of `unit`. Rows still queued for it go `dead` when the worker meets
    /// them (the robot is gone); sent ones keep naming it.
    ///
    /// # Errors
    /// `NotFound` when `unit` has no such robot (or it was removed already).
    pub async fn remove_channel(
        &self,
        unit: UnitId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let res = unit_channel::Entity::update_many()
            .col_expr(unit_channel::Column::RemovedAt, Expr::value(now))
            .filter(unit_channel::Column::Id.eq(id))
            .filter(unit_channel::Column::UnitId.eq(unit.0))
            .filter(active())
            .exec(&self.db)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::not_found("channel", id));
        }
        Ok(())
    }

    /// Write the robots' copies of e-mail rows not yet fanned out: for each, one row per
    /// robot its recipient has now, and the e-mail row marked fanned out, in one transaction
    /// per batch. A copy's dedupe key is the e-mail row's with the channel appended, so doing
    /// this twice (two workers, a crash between batches) writes each copy once. Returns how
    /// many copies were written.
    ///
    /// # Errors
    /// On database failure; batches written before it stay written.
    pub async fn fan_out_channels(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut written = 0;
        loop {
            let txn = self.begin_write().await?;
            let rows = outbox::Entity::find()
                .filter(outbox::Column::FannedOut.eq(false))
                .filter(outbox::Column::ChannelId.is_null())
                .order_by_asc(outbox::Column::CreatedAt)
                .order_by_asc(outbox::Column::Id)
                .limit(FAN_OUT_BATCH)
                // PostgreSQL: concurrent workers fan out disjoint rows (SQLite's IMMEDIATE
                // transaction serialises them; sea-orm writes no lock clause there).
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .all(&txn)
                .await?;
            if rows.is_empty() {
                txn.commit().await?;
                return Ok(written);
            }
            let mut units: Vec<Uuid> = rows.iter().map(|r| r.recipient_unit_id).collect();
            units.sort_unstable();
            units.dedup();
            let mut robots: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
            for (id, unit) in unit_channel::Entity::find()
                .select_only()
                .column(unit_channel::Column::Id)
                .column(unit_channel::Column::UnitId)
                .filter(active())
                .filter(unit_channel::Column::UnitId.is_in(units))
                .order_by_asc(unit_channel::Column::Id)
                .into_tuple::<(Uuid, Uuid)>()
                .all(&txn)
                .await?
            {
                robots.entry(unit).or_default().push(id);
            }
            let mut copies = Vec::new();
            for r in &rows {
                // A digest is folded per channel already; it has no copies.
                if r.kind == DIGEST_KIND {
                    continue;
                }
                for c in robots.get(&r.recipient_unit_id).into_iter().flatten() {
                    copies.push(outbox::Model {
                        id: Uuid::now_v7(),
                        dedupe_key: channel_dedupe_key(&r.dedupe_key, *c),
                        status: OutboxStatus::Pending.as_str().to_owned(),
                        attempts: 0,
                        next_attempt_at: now,
                        last_error: None,
                        created_at: r.created_at,
                        sent_at: None,
                        claim_token: None,
                        claimed_until: None,
                        message_key: None,
                        channel_id: Some(*c),
                        fanned_out: true,
                        ..r.clone()
                    });
                }
            }
            written += crate::outbox::insert_rows(&txn, copies).await?;
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            for chunk in ids.chunks(crate::rows_per_statement(txn.get_database_backend(), 1)) {
                outbox::Entity::update_many()
                    .col_expr(outbox::Column::FannedOut, Expr::value(true))
                    .filter(outbox::Column::Id.is_in(chunk.iter().copied()))
                    .exec(&txn)
                    .await?;
            }
            txn.commit().await?;
        }
    }
}
