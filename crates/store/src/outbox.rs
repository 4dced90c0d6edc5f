//! The outbox: every notification is a row written in the same transaction as the change that
//! caused it; a mail worker claims due rows, sends them, and marks them sent or failed.
//!
//! Row life: `pending` → (claim) `sending` → `sent`, or back to `pending` with a later
//! `next_attempt_at`, or `dead` after the last attempt (an office can re-queue it). With the
//! daily digest, non-urgent rows go `pending` → `folded` (into one `digest` row per unit and
//! day, `message_key` naming it) → `sent` when that digest is sent.
//!
//! A claim writes a fresh `claim_token` and a lease end (`claimed_until`); only the token's
//! holder can finish the row, and a row whose lease ended (its worker died) is claimable again.

use crate::entities::outbox;
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LockBehavior, LockType, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TryInsertResult,
};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;
use xiaohao_core::channel::channel_dedupe_key;
use xiaohao_core::notify::Notification;
use xiaohao_core::{ItemId, UnitId};

/// Where a row is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxStatus {
    /// Waiting to be sent (or to be folded into a digest).
    Pending,
    /// Claimed by a worker whose lease has not ended.
    Sending,
    /// Handed to the mail server (or file) — its own message or the digest it was folded in.
    Sent,
    /// Folded into a digest that has not gone out yet.
    Folded,
    /// Gave up after the configured attempts; `xiaohao mail retry` re-queues it.
    Dead,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 5] = [
        Self::Pending,
        Self::Sending,
        Self::Sent,
        Self::Folded,
        Self::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Folded => "folded",
            Self::Dead => "dead",
        }
    }
}

impl fmt::Display for OutboxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutboxStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
            .ok_or_else(|| {
                format!("unknown status `{s}`; use pending, sending, sent, folded or dead")
            })
    }
}

/// The kind of the one-per-unit-per-day digest row.
pub const DIGEST_KIND: &str = "digest";

/// The dedupe key of a unit's e-mail digest for a (local) date: it is sent at most once.
/// A robot's digest appends the channel (`xiaohao_core::channel::channel_dedupe_key`).
pub fn digest_key(unit: UnitId, date: chrono::NaiveDate) -> String {
    format!("digest:{unit}:{date}")
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    pub id: Uuid,
    pub dedupe_key: String,
    pub kind: String,
    pub recipient: UnitId,
    pub item: Option<ItemId>,
    pub urgent: bool,
    pub payload: serde_json::Value,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The claim this row is held under (only while `sending`).
    pub claim_token: Option<Uuid>,
    /// The dedupe key of the message the row went (or will go) out in.
    pub message_key: Option<String>,
    /// The robot the row goes to; `None` for e-mail.
    pub channel: Option<Uuid>,
}

impl From<outbox::Model> for OutboxRow {
    fn from(o: outbox::Model) -> Self {
        OutboxRow {
            id: o.id,
            dedupe_key: o.dedupe_key,
            kind: o.kind,
            recipient: o.recipient_unit_id.into(),
            item: o.item_id.map(Into::into),
            urgent: o.urgent,
            payload: serde_json::from_str(&o.payload).unwrap_or(serde_json::Value::Null),
            status: o.status,
            attempts: o.attempts,
            next_attempt_at: o.next_attempt_at,
            last_error: o.last_error,
            created_at: o.created_at,
            sent_at: o.sent_at,
            claim_token: o.claim_token,
            message_key: o.message_key,
            channel: o.channel_id,
        }
    }
}

/// Which rows a claim may take.
#[derive(Debug, Clone, Copy)]
pub struct ClaimSpec {
    pub now: DateTime<Utc>,
    /// How long the claim holds before another worker may take the row.
    pub lease: chrono::Duration,
    pub limit: u64,
    /// With digests on, non-urgent rows wait to be folded and are not claimed one by one.
    pub include_non_urgent: bool,
}

/// The `sent` mark of a claimed row: only while `token` still holds it.
fn sent_update(id: Uuid, token: Uuid, now: DateTime<Utc>) -> sea_orm::UpdateMany<outbox::Entity> {
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Status,
            Expr::value(OutboxStatus::Sent.as_str()),
        )
        .col_expr(outbox::Column::SentAt, Expr::value(now))
        .col_expr(
            outbox::Column::MessageKey,
            Expr::col(outbox::Column::DedupeKey),
        )
        .col_expr(
            outbox::Column::ClaimToken,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::ClaimToken.eq(token))
        .filter(outbox::Column::Status.eq(OutboxStatus::Sending.as_str()))
}

/// The outbox row of one notification.
pub(crate) fn notification_row(
    n: &Notification,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> outbox::Model {
    new_row(
        n.dedupe_key.clone(),
        n.kind.clone(),
        n.recipient,
        n.item,
        n.urgent,
        payload,
        now,
    )
}

/// Insert outbox rows in the caller's transaction; a dedupe key seen before is skipped.
/// Returns how many rows were new.
pub(crate) async fn enqueue_rows<C: ConnectionTrait>(
    conn: &C,
    notifications: &[Notification],
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let rows = notifications
        .iter()
        .map(|n| notification_row(n, payload, now))
        .collect();
    insert_rows(conn, rows).await
}

/// Insert ready-made outbox rows with multi-row statements; a dedupe key seen before (or
/// twice in `rows`) is skipped. Returns how many rows were new.
pub(crate) async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    mut rows: Vec<outbox::Model>,
) -> StoreResult<u64> {
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert(r.dedupe_key.clone()));
    let mut inserted = 0;
    for chunk in rows.chunks(crate::rows_per_statement(
        conn.get_database_backend(),
        <outbox::Column as sea_orm::Iterable>::iter().count(),
    )) {
        let res = outbox::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
        .exec_without_returning(conn)
        .await?;
        if let TryInsertResult::Inserted(k) = res {
            inserted += k;
        }
    }
    Ok(inserted)
}

pub(crate) fn new_row(
    dedupe_key: String,
    kind: String,
    recipient: UnitId,
    item: Option<ItemId>,
    urgent: bool,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> outbox::Model {
    outbox::Model {
        id: Uuid::now_v7(),
        dedupe_key,
        kind,
        recipient_unit_id: recipient.0,
        item_id: item.map(|i| i.0),
        urgent,
        payload: payload.to_string(),
        status: OutboxStatus::Pending.as_str().to_owned(),
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        created_at: now,
        sent_at: None,
        claim_token: None,
        claimed_until: None,
        message_key: None,
        channel_id: None,
        fanned_out: false,
    }
}

fn due_for_digest(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
        .add(outbox::Column::Urgent.eq(false))
        .add(outbox::Column::Kind.ne(DIGEST_KIND))
        .add(outbox::Column::NextAttemptAt.lte(now))
}

impl Store {
    /// Enqueue notifications on their own (no state change to join): for jobs such as the
    /// scheduler's duty reminders and for tests. Returns how many rows were new.
    ///
    /// # Errors
    /// On database failure.
    pub async fn enqueue(
        &self,
        notifications: &[Notification],
        payload: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let txn = self.begin_write().await?;
        let n = enqueue_rows(&txn, notifications, payload, now).await?;
        txn.commit().await?;
        Ok(n)
    }

    /// Outbox rows, newest first, optionally of one status.
    ///
    /// # Errors
    /// On database failure.
    pub async fn outbox(&self, status: Option<&str>, limit: u64) -> StoreResult<Vec<OutboxRow>> {
        let mut q = outbox::Entity::find();
        if let Some(s) = status {
            q = q.filter(outbox::Column::Status.eq(s));
        }
        Ok(q.order_by_desc(outbox::Column::CreatedAt)
            .order_by_asc(outbox::Column::DedupeKey)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(OutboxRow::from)
            .collect())
    }

    /// One outbox row.
    ///
    /// # Errors
    /// `NotFound` when there is no such row.
    pub async fn outbox_row(&self, id: Uuid) -> StoreResult<OutboxRow> {
        outbox::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(OutboxRow::from)
            .ok_or_else(|| StoreError::not_found("outbox row", id))
    }

    /// The rows folded into the message with this dedupe key, oldest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn folded_into(&self, message_key: &str) -> StoreResult<Vec<OutboxRow>> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::MessageKey.eq(message_key))
            .filter(outbox::Column::Kind.ne(DIGEST_KIND))
            .order_by_asc(outbox::Column::CreatedAt)
            .order_by_asc(outbox::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(OutboxRow::from)
            .collect())
    }

    /// Fold every unit's due non-urgent rows into that unit's digest for `date`: one
    /// transaction per unit inserts the digest row (dedupe key `digest:{unit}:{date}`) and
    /// marks the rows `folded` with it. A unit whose digest for `date` exists already keeps
    /// its rows pending for the next day's digest, so no unit gets two digests in one day.
    /// Returns the keys of the digests created.
    ///
    /// # Errors
    /// On database failure; units folded before the failure stay folded.
    pub async fn fold_digests(
        &self,
        date: chrono::NaiveDate,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<String>> {
        // One digest per unit and channel: its e-mail and each of its robots.
        let units: Vec<(Uuid, Option<Uuid>)> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::RecipientUnitId)
            .column(outbox::Column::ChannelId)
            .distinct()
            .filter(due_for_digest(now))
            .into_tuple::<(Uuid, Option<Uuid>)>()
            .all(&self.db)
            .await?;
        let mut created = Vec::new();
        for (unit, channel) in units {
            let unit = UnitId::from(unit);
            let key = match channel {
                None => digest_key(unit, date),
                Some(c) => channel_dedupe_key(&digest_key(unit, date), c),
            };
            let txn = self.begin_write().await?;
            let payload = serde_json::json!({ "date": date.to_string() });
            let mut row = new_row(
                key.clone(),
                DIGEST_KIND.into(),
                unit,
                None,
                false,
                &payload,
                now,
            );
            row.channel_id = channel;
            row.fanned_out = true;
            let res = outbox::Entity::insert(row.into_active_model())
                .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
                .exec_without_returning(&txn)
                .await?;
            if !matches!(res, TryInsertResult::Inserted(n) if n > 0) {
                txn.rollback().await?;
                continue;
            }
            let folded = outbox::Entity::update_many()
                .col_expr(
                    outbox::Column::Status,
                    Expr::value(OutboxStatus::Folded.as_str()),
                )
                .col_expr(outbox::Column::MessageKey, Expr::value(key.clone()))
                .filter(due_for_digest(now))
                .filter(outbox::Column::RecipientUnitId.eq(unit.0))
                .filter(match channel {
                    None => outbox::Column::ChannelId.is_null(),
                    Some(c) => outbox::Column::ChannelId.eq(c),
                })
                .exec(&txn)
                .await?;
            if folded.rows_affected == 0 {
                // Another worker folded them first: no empty digest.
                txn.rollback().await?;
                continue;
            }
            txn.commit().await?;
            created.push(key);
        }
        Ok(created)
    }

    /// Claim up to `spec.limit` due rows for one worker: `pending` rows whose time has come
    /// and `sending` rows whose lease ended. Each claimed row gets `status = sending`, the
    /// returned token, a lease end and `attempts + 1`. On PostgreSQL the candidate rows are
    /// locked `FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint rows; on SQLite
    /// the claim runs in an IMMEDIATE transaction, which serialises writers.
    ///
    /// # Errors
    /// On database failure; nothing is claimed then.
    pub async fn claim_outbox(&self, spec: ClaimSpec) -> StoreResult<(Uuid, Vec<OutboxRow>)> {
        let token = Uuid::new_v4();
        let mut pending = Condition::all()
            .add(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .add(outbox::Column::NextAttemptAt.lte(spec.now));
        if !spec.include_non_urgent {
            pending = pending.add(
                Condition::any()
                    .add(outbox::Column::Urgent.eq(true))
                    .add(outbox::Column::Kind.eq(DIGEST_KIND)),
            );
        }
        let expired = Condition::all()
            .add(outbox::Column::Status.eq(OutboxStatus::Sending.as_str()))
            .add(outbox::Column::ClaimedUntil.lt(spec.now));
        let mut candidates = Query::select();
        candidates
            .column(outbox::Column::Id)
            .from(outbox::Entity)
            .cond_where(Condition::any().add(pending).add(expired))
            .order_by(outbox::Column::NextAttemptAt, sea_orm::Order::Asc)
            .order_by(outbox::Column::Id, sea_orm::Order::Asc)
            .limit(Ord::max(spec.limit, 1))
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        let txn = self.begin_write().await?;
        // UPDATE … WHERE id IN (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED]), then read the
        // rows back by their fresh token (sea-orm uses RETURNING on PostgreSQL only).
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Status,
                Expr::value(OutboxStatus::Sending.as_str()),
            )
            .col_expr(outbox::Column::ClaimToken, Expr::value(token))
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(spec.now + spec.lease),
            )
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).add(1),
            )
            .filter(outbox::Column::Id.in_subquery(candidates))
            .exec(&txn)
            .await?;
        let rows = outbox::Entity::find()
            .filter(outbox::Column::ClaimToken.eq(token))
            .all(&txn)
            .await?;
        txn.commit().await?;
        let mut rows: Vec<OutboxRow> = rows.into_iter().map(OutboxRow::from).collect();
        rows.sort_by(|a, b| {
            a.next_attempt_at
                .cmp(&b.next_attempt_at)
                .then(a.id.cmp(&b.id))
        });
        Ok((token, rows))
    }

    /// Mark a claimed row sent (and, for a digest, the rows folded into it). Returns false
    /// when the claim was lost (the lease ended and another worker took the row).
    ///
    /// # Errors
    /// On database failure.
    pub async fn mark_sent(
        &self,
        id: Uuid,
        token: Uuid,
        now: DateTime<Utc>,
        durable: bool,
    ) -> StoreResult<bool> {
        let update = sent_update(id, token, now)
            // A digest also settles the rows folded into it, in one transaction (below).
            .filter(outbox::Column::Kind.ne(DIGEST_KIND));
        let sent = if !durable && self.backend() == DbBackend::Postgres {
            // The mark only saves a resend: if the database server itself crashes before
            // the WAL writer flushed it (well under a second), the message goes out again
            // with the same Message-ID — the guarantee a crash between send and mark already
            // gives. Not waiting for the flush lets one worker mark thousands per second.
            let txn = sea_orm::TransactionTrait::begin(&self.db).await?;
            txn.execute_unprepared("SET LOCAL synchronous_commit = off")
                .await?;
            let res = update.exec(&txn).await?;
            txn.commit().await?;
            res
        } else {
            update.exec(&self.db).await?
        };
        // One statement, atomic on its own: the common case costs one round trip.
        if sent.rows_affected == 1 {
            return Ok(true);
        }
        let txn = self.begin_write().await?;
        let Some(row) = outbox::Entity::find_by_id(id).one(&txn).await? else {
            return Ok(false);
        };
        if row.claim_token != Some(token) || row.status != OutboxStatus::Sending.as_str() {
            return Ok(false);
        }
        let res = sent_update(id, token, now).exec(&txn).await?;
        if res.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        if row.kind == DIGEST_KIND {
            outbox::Entity::update_many()
                .col_expr(
                    outbox::Column::Status,
                    Expr::value(OutboxStatus::Sent.as_str()),
                )
                .col_expr(outbox::Column::SentAt, Expr::value(now))
                .filter(outbox::Column::MessageKey.eq(row.dedupe_key.as_str()))
                .filter(outbox::Column::Status.eq(OutboxStatus::Folded.as_str()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Record a failed attempt on a claimed row: back to `pending` at `retry_at`, or `dead`
    /// when `retry_at` is `None`. Returns false when the claim was lost.
    ///
    /// # Errors
    /// On database failure.
    pub async fn mark_failed(
        &self,
        id: Uuid,
        token: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        let (status, next) = match retry_at {
            Some(at) => (OutboxStatus::Pending, Some(at)),
            None => (OutboxStatus::Dead, None),
        };
        let mut upd = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(status.as_str()))
            .col_expr(outbox::Column::LastError, Expr::value(error.to_owned()))
            .col_expr(
                outbox::Column::ClaimToken,
                Expr::value(Option::<Uuid>::None),
            )
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        if let Some(at) = next {
            upd = upd.col_expr(outbox::Column::NextAttemptAt, Expr::value(at));
        }
        let res = upd
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::ClaimToken.eq(token))
            .filter(outbox::Column::Status.eq(OutboxStatus::Sending.as_str()))
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// Put a `dead` row back to `pending` with fresh attempts, due now.
    ///
    /// # Errors
    /// `NotFound` for an unknown id, `Conflict` when the row is not dead.
    pub async fn requeue_outbox(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        let row = self.outbox_row(id).await?;
        if row.status != OutboxStatus::Dead.as_str() {
            return Err(StoreError::Conflict(format!(
                "outbox row {id} is {}, only dead rows can be re-queued",
                row.status
            )));
        }
        self.requeue_where(
            Condition::all()
                .add(outbox::Column::Id.eq(id))
                .add(outbox::Column::Status.eq(OutboxStatus::Dead.as_str())),
            now,
        )
        .await?;
        Ok(())
    }

    /// Put every `dead` row back to `pending`. Returns how many.
    ///
    /// # Errors
    /// On database failure.
    pub async fn requeue_all_dead(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.requeue_where(
            Condition::all().add(outbox::Column::Status.eq(OutboxStatus::Dead.as_str())),
            now,
        )
        .await
    }

    pub(crate) async fn requeue_where(
        &self,
        cond: Condition,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let res = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Status,
                Expr::value(OutboxStatus::Pending.as_str()),
            )
            .col_expr(outbox::Column::Attempts, Expr::value(0))
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
            .filter(cond)
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected)
    }

    /// Rows per status, for `mail list` and the benchmark.
    ///
    /// # Errors
    /// On database failure.
    pub async fn outbox_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        Ok(outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Status)
            .column_as(Expr::from(Func::count(Expr::col(outbox::Column::Id))), "n")
            .group_by(outbox::Column::Status)
            .order_by_asc(outbox::Column::Status)
            .into_tuple::<(String, i64)>()
            .all(&self.db)
            .await?)
    }

    /// Insert `n` pending rows for one unit in batches (benchmark set-up).
    ///
    /// # Errors
    /// On database failure.
    pub async fn seed_outbox(
        &self,
        unit: UnitId,
        prefix: &str,
        n: u64,
        urgent: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let payload = serde_json::json!({"event_kind": "bench"});
        let mut i = 0;
        while i < n {
            let end = Ord::min(i + 500, n);
            let txn: DatabaseTransaction = self.begin_write().await?;
            let rows = (i..end).map(|k| {
                new_row(
                    format!("{prefix}:{k}"),
                    "escalation:督办".into(),
                    unit,
                    None,
                    urgent,
                    &payload,
                    now,
                )
                .into_active_model()
            });
            outbox::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
            txn.commit().await?;
            i = end;
        }
        Ok(())
    }
}
