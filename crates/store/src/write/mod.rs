//! The one writer of decisions. A single command, a ledger import, a plan import, the
//! escalation sweep, a duty's ladder step and a manual 督办 are all a batch of [`Write`]s
//! written by [`Store::write`]; a single command is a batch of one.
//!
//! Inside one transaction, in this order: the claims of ladder steps (exactly once per
//! subject, due date and step), new items, a compare-and-set of every changed item row
//! (set-based, grouped by the columns it changes), and — for the writes that went through —
//! co-units, events, progress reports (settling the unit's duty), 督办单, duty levels and
//! outbox rows, each as multi-row statements. How the batch is written is a strategy of
//! this one writer, never a rule of its own: on PostgreSQL a batch of one plain decision is
//! one statement (one round trip), on SQLite one script in a transaction, see
//! [`sql::one_trip`].

mod orders;
mod sql;

use crate::convert::{event_to_row, item_to_row};
use crate::entities::{
    duty, escalation_fire, event, item, item_co_unit, item_target, progress_report,
    supervision_order,
};
use crate::items::{ChainHead, event_payload};
use crate::outbox::{insert_rows, notification_row};
use crate::{LightRule, Store, StoreError, StoreResult, insert_all, rows_per_statement};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;
use xiaohao_core::escalation::{DutyDecision, Fire, StepFiring};
use xiaohao_core::event::Event;
use xiaohao_core::notify::Notification;
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{Decision, Item, ItemId, Target};

/// What a write does to the ledger's items.
// A batch holds one `Write` per decision; boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Subject {
    /// Nothing on an item (a ladder step on a duty that has no item).
    None,
    /// A new item: the `create` decision and the item's targets.
    New {
        decision: Decision,
        targets: Vec<Target>,
    },
    /// A decision on an item taken at `decision.item.version - 1`. `before` and `head` are
    /// the item and its chain head as read, when the caller has them: then only the changed
    /// columns are written and the log is not read again.
    Item {
        before: Option<Item>,
        head: Option<ChainHead>,
        decision: Decision,
    },
}

/// One decision of the engine and everything that goes with it.
#[derive(Debug, Clone)]
pub struct Write {
    pub subject: Subject,
    /// When it was decided (the claim's time).
    pub at: DateTime<Utc>,
    /// The ladder step this write fires; it is written only if the step had not fired.
    pub claim: Option<Fire>,
    /// The text of the 督办单 the step makes, the date its reply is due and the local
    /// date it is issued on (its number is of that year).
    pub order: Option<String>,
    pub reply_due: Option<NaiveDate>,
    pub issued_on: Option<NaiveDate>,
    /// Notifications that carry `notice_payload` rather than the event (a duty's step).
    pub notices: Vec<Notification>,
    pub notice_payload: serde_json::Value,
}

impl Write {
    fn of(subject: Subject, at: DateTime<Utc>) -> Write {
        Write {
            subject,
            at,
            claim: None,
            order: None,
            reply_due: None,
            issued_on: None,
            notices: Vec::new(),
            notice_payload: serde_json::Value::Null,
        }
    }

    /// File a new item.
    pub fn create(decision: Decision, targets: Vec<Target>) -> Write {
        let at = decision.item.updated_at;
        Write::of(Subject::New { decision, targets }, at)
    }

    /// A decision on an item whose chain head the writer reads itself.
    pub fn decision(decision: Decision) -> Write {
        let at = decision.item.updated_at;
        Write::of(
            Subject::Item {
                before: None,
                head: None,
                decision,
            },
            at,
        )
    }

    /// A decision on `before`, read with its chain head `head`.
    pub fn decision_on(before: Item, head: ChainHead, decision: Decision) -> Write {
        let at = decision.item.updated_at;
        Write::of(
            Subject::Item {
                before: Some(before),
                head: Some(head),
                decision,
            },
            at,
        )
    }

    /// Fire a step of the ladder with this write, making its 督办单 when the step says so.
    #[must_use]
    pub fn firing(mut self, firing: StepFiring) -> Write {
        self.claim = Some(firing.fire);
        self.order = firing.order;
        self.reply_due = firing.reply_due;
        self.issued_on = firing.issued_on;
        self
    }

    /// A duty's step of the ladder (core's decision), with the duty's item as read when the
    /// decision appends an event to it.
    pub fn duty_step(d: DutyDecision, item: Option<(Item, ChainHead)>, at: DateTime<Utc>) -> Write {
        let subject = match (d.item, item) {
            (Some(decision), Some((before, head))) => Subject::Item {
                before: Some(before),
                head: Some(head),
                decision,
            },
            (Some(decision), None) => Subject::Item {
                before: None,
                head: None,
                decision,
            },
            (None, _) => Subject::None,
        };
        Write {
            subject,
            at,
            claim: Some(d.fire),
            order: None,
            reply_due: None,
            issued_on: None,
            notices: d.notifications,
            notice_payload: d.payload,
        }
    }

    fn decision_ref(&self) -> Option<&Decision> {
        match &self.subject {
            Subject::None => None,
            Subject::New { decision, .. } | Subject::Item { decision, .. } => Some(decision),
        }
    }

    fn item_id(&self) -> Option<ItemId> {
        self.decision_ref().map(|d| d.item.id)
    }
}

/// What one conflict in a batch does to the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Atomicity {
    /// Any conflict (a changed item, a step that had fired) writes nothing and is the
    /// batch's error: a command, an import.
    All,
    /// Each write stands alone (the sweep): one whose step had fired or whose item changed
    /// is left out and its claim given back, so the next tick retries it.
    Each,
}

/// What became of one write of a batch: the event it appended (none for a duty without
/// item), or why it was left out (`Conflict`).
pub type WriteResult = Result<Option<Event>, StoreError>;

impl Store {
    /// Write a batch of decisions in one transaction (see the module's documentation).
    ///
    /// # Errors
    /// With [`Atomicity::All`], `Conflict`/`NotFound` for the first write that cannot be
    /// written; on database failure in either mode. Nothing is written then.
    pub async fn write(
        &self,
        writes: &[Write],
        atomicity: Atomicity,
    ) -> StoreResult<Vec<WriteResult>> {
        if let [only] = writes
            && atomicity == Atomicity::All
            && let Some((before, head, decision)) = sql::fits_one_trip(only)
            && let Some(event) = sql::one_trip(self, decision, head, before, &self.lights).await?
        {
            return Ok(vec![Ok(Some(event))]);
        }
        let txn = self.begin_write().await?;
        let out = write_in(&txn, writes, atomicity, &self.lights).await?;
        txn.commit().await?;
        Ok(out)
    }

    /// A batch of one that must be written: its event.
    ///
    /// # Errors
    /// As [`Store::write`] with [`Atomicity::All`].
    pub async fn write_one(&self, write: Write) -> StoreResult<Option<Event>> {
        self.write(std::slice::from_ref(&write), Atomicity::All)
            .await?
            .pop()
            .unwrap_or(Ok(None))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Fate {
    Pending,
    Written,
    Fired,
    Changed,
}

/// Write `writes` inside `txn` (the plan import brings its own transaction).
pub(crate) async fn write_in(
    txn: &DatabaseTransaction,
    writes: &[Write],
    atomicity: Atomicity,
    lights: &LightRule,
) -> StoreResult<Vec<WriteResult>> {
    let backend = txn.get_database_backend();
    let mut fate = vec![Fate::Pending; writes.len()];
    let fires: Vec<Option<escalation_fire::Model>> = writes
        .iter()
        .map(|w| w.claim.as_ref().map(|f| sql::fire_model(f, w.at)))
        .collect();
    let claimed = sql::claim(txn, fires.iter().flatten()).await?;
    for (i, f) in fires.iter().enumerate() {
        if let Some(f) = f
            && !claimed.contains(&f.id)
        {
            if atomicity == Atomicity::All {
                return Err(already_fired(&writes[i]));
            }
            fate[i] = Fate::Fired;
        }
    }

    // Several decisions on one item follow each other's versions: each round holds at most
    // one write per item, and a later round continues from the chain head the earlier left.
    let mut heads: HashMap<ItemId, ChainHead> = HashMap::new();
    let mut latest: HashMap<ItemId, Item> = HashMap::new();
    let mut events: Vec<Option<Event>> = vec![None; writes.len()];
    let mut remaining: Vec<usize> = (0..writes.len())
        .filter(|&i| fate[i] == Fate::Pending)
        .collect();
    while !remaining.is_empty() {
        let mut seen = HashSet::new();
        let (round, rest): (Vec<usize>, Vec<usize>) = std::mem::take(&mut remaining)
            .into_iter()
            .partition(|&i| writes[i].item_id().is_none_or(|id| seen.insert(id)));
        remaining = rest;
        write_round(
            txn,
            writes,
            &round,
            atomicity,
            lights,
            &mut heads,
            &mut latest,
            &mut events,
            &mut fate,
        )
        .await?;
    }

    // Claims of writes whose item changed meanwhile are given back: the next tick retries.
    let stale: Vec<Uuid> = (0..writes.len())
        .filter(|&i| fate[i] == Fate::Changed)
        .filter_map(|i| fires[i].as_ref().map(|f| f.id))
        .collect();
    for chunk in stale.chunks(rows_per_statement(backend, 1)) {
        escalation_fire::Entity::delete_many()
            .filter(escalation_fire::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    write_consequences(txn, writes, &fires, &events, &fate).await?;

    Ok(writes
        .iter()
        .enumerate()
        .map(|(i, w)| match fate[i] {
            Fate::Written => Ok(events[i].clone()),
            Fate::Fired => Err(already_fired(w)),
            Fate::Changed | Fate::Pending => Err(StoreError::Conflict(format!(
                "item {} changed since it was read; retried next tick",
                w.item_id().map(|id| id.to_string()).unwrap_or_default()
            ))),
        })
        .collect())
}

fn already_fired(w: &Write) -> StoreError {
    let (step, subject) = w
        .claim
        .as_ref()
        .map(|f| (f.step.clone(), f.subject_id.to_string()))
        .unwrap_or_default();
    StoreError::Conflict(format!("step {step} already fired for {subject}"))
}

/// One round: new items, then the compare-and-set of the decided rows, then co-units,
/// events and progress reports of those that went through.
#[allow(clippy::too_many_arguments)]
async fn write_round(
    txn: &DatabaseTransaction,
    writes: &[Write],
    round: &[usize],
    atomicity: Atomicity,
    lights: &LightRule,
    heads: &mut HashMap<ItemId, ChainHead>,
    latest: &mut HashMap<ItemId, Item>,
    events: &mut [Option<Event>],
    fate: &mut [Fate],
) -> StoreResult<()> {
    // Chain heads the batch does not know yet are read in one statement.
    let unknown: Vec<ItemId> = round
        .iter()
        .filter_map(|&i| match &writes[i].subject {
            Subject::Item {
                head: None,
                decision,
                ..
            } if !heads.contains_key(&decision.item.id) => Some(decision.item.id),
            _ => None,
        })
        .collect();
    heads.extend(sql::read_heads(txn, &unknown).await?);

    let mut new_rows = Vec::new();
    let mut co_units = Vec::new();
    let mut targets = Vec::new();
    let mut updates: Vec<(Option<Item>, usize)> = Vec::new();
    for &i in round {
        let w = &writes[i];
        match &w.subject {
            Subject::None => fate[i] = Fate::Written,
            Subject::New {
                decision,
                targets: ts,
            } => {
                let it = &decision.item;
                let event = Event::chain(it.id, decision.event.clone(), it.updated_at, None);
                new_rows.push(item_to_row(it, event.seq, &event.hash, lights.dates(it)));
                co_units.extend(co_unit_rows(it));
                targets.extend(ts.iter().map(|t| target_row(it.id, t)));
                events[i] = Some(event);
                fate[i] = Fate::Written;
            }
            Subject::Item {
                before,
                head,
                decision,
            } => {
                let id = decision.item.id;
                let head = heads.get(&id).or(head.as_ref()).cloned();
                let Some(head) = head else {
                    if atomicity == Atomicity::All {
                        return Err(StoreError::not_found("item", id));
                    }
                    fate[i] = Fate::Changed;
                    continue;
                };
                let before = latest.get(&id).cloned().or_else(|| before.clone());
                events[i] = Some(Event::chain(
                    id,
                    decision.event.clone(),
                    decision.item.updated_at,
                    Some((head.seq, head.hash.as_str())),
                ));
                updates.push((before, i));
            }
        }
    }
    insert_all::<item::Entity, _>(txn, &new_rows).await?;

    let rows: Vec<(Option<&Item>, &Item, &Event)> = updates
        .iter()
        .filter_map(|(before, i)| {
            let d = writes[*i].decision_ref()?;
            Some((before.as_ref(), &d.item, events[*i].as_ref()?))
        })
        .collect();
    let updated = sql::update_items(txn, rows, lights).await?;
    for (_, i) in &updates {
        let Some(d) = writes[*i].decision_ref() else {
            continue;
        };
        if updated.contains(&d.item.id.0) {
            fate[*i] = Fate::Written;
            if d.co_units_changed {
                item_co_unit::Entity::delete_many()
                    .filter(item_co_unit::Column::ItemId.eq(d.item.id.0))
                    .exec(txn)
                    .await?;
                co_units.extend(co_unit_rows(&d.item));
            }
        } else if atomicity == Atomicity::All {
            return Err(sql::why_not_written(txn, d.item.id, d.item.version - 1).await);
        } else {
            fate[*i] = Fate::Changed;
        }
    }
    insert_all::<item_co_unit::Entity, _>(txn, &co_units).await?;
    insert_all::<item_target::Entity, _>(txn, &targets).await?;

    let written: Vec<usize> = round
        .iter()
        .copied()
        .filter(|&i| fate[i] == Fate::Written)
        .collect();
    let event_rows: Vec<event::Model> = written
        .iter()
        .filter_map(|&i| events[i].as_ref().map(event_to_row))
        .collect();
    insert_all::<event::Entity, _>(txn, &event_rows).await?;
    for &i in &written {
        let (Some(d), Some(event)) = (writes[i].decision_ref(), events[i].as_ref()) else {
            continue;
        };
        heads.insert(
            d.item.id,
            ChainHead {
                seq: event.seq,
                hash: event.hash.clone(),
            },
        );
        latest.insert(d.item.id, d.item.clone());
        if let Some(report) = &d.report {
            write_report(txn, d, event, report).await?;
        }
        if !orders::close_answered(txn, &d.event.payload, event).await? {
            // Another answer closed the order first: this one is refused whole.
            return Err(StoreError::Conflict(format!(
                "the 督办单 of item {} has already been answered",
                d.item.id
            )));
        }
    }
    Ok(())
}

/// What the written writes leave besides their rows and events: 督办单, duty levels and
/// the outbox rows.
async fn write_consequences(
    txn: &DatabaseTransaction,
    writes: &[Write],
    fires: &[Option<escalation_fire::Model>],
    events: &[Option<Event>],
    fate: &[Fate],
) -> StoreResult<()> {
    let backend = txn.get_database_backend();
    let mut orders = Vec::new();
    let mut duty_levels: BTreeMap<i32, Vec<Uuid>> = BTreeMap::new();
    let mut outbox = Vec::new();
    for (i, w) in writes.iter().enumerate() {
        if fate[i] != Fate::Written {
            continue;
        }
        if let (Some(fire), Some(claim)) = (&w.claim, &fires[i]) {
            if let (Some(text), Some(item)) = (&w.order, fire.item) {
                let office = w.decision_ref().map_or(Uuid::nil(), |d| {
                    xiaohao_core::order::issuing_office(&d.item)
                });
                let at = events[i].as_ref().map_or(w.at, |e| e.at);
                orders.push(supervision_order::Model {
                    id: Uuid::now_v7(),
                    item_id: item.0,
                    fire_id: claim.id,
                    step: fire.step.clone(),
                    due_on: fire.due_on,
                    working_days_late: fire.working_days_late,
                    text: text.clone(),
                    issued_at: at,
                    reply_due: w.reply_due,
                    office_unit_id: Some(office),
                    number_year: Some(w.issued_on.map_or(at.year(), |d| d.year())),
                    number_seq: None,
                    answered_at: None,
                    answer_text: None,
                    answer_seq: None,
                });
            }
            if fire.subject_kind == "duty" {
                duty_levels
                    .entry(fire.level)
                    .or_default()
                    .push(fire.subject_id);
            }
        }
        if let (Some(d), Some(event)) = (w.decision_ref(), &events[i]) {
            let payload = event_payload(event);
            outbox.extend(
                d.notifications
                    .iter()
                    .map(|n| notification_row(n, &payload, d.item.updated_at)),
            );
        }
        outbox.extend(
            w.notices
                .iter()
                .map(|n| notification_row(n, &w.notice_payload, w.at)),
        );
    }
    orders::number(txn, &mut orders).await?;
    insert_all::<supervision_order::Entity, _>(txn, &orders).await?;
    for (level, ids) in duty_levels {
        for chunk in ids.chunks(rows_per_statement(backend, 1)) {
            duty::Entity::update_many()
                .col_expr(duty::Column::EscalationLevel, Expr::value(level))
                .filter(duty::Column::Id.is_in(chunk.iter().copied()))
                .filter(duty::Column::EscalationLevel.lt(level))
                .exec(txn)
                .await?;
        }
    }
    insert_rows(txn, outbox).await?;
    Ok(())
}

/// A unit's progress report is its own row; it settles that unit's duty for the period.
async fn write_report(
    txn: &DatabaseTransaction,
    d: &Decision,
    event: &Event,
    report: &ProgressReport,
) -> StoreResult<()> {
    let it = &d.item;
    let row = progress_report::Model {
        id: Uuid::now_v7(),
        item_id: it.id.0,
        event_seq: event.seq,
        period: report.period.clone(),
        text: report.text.trim().to_owned(),
        percent: report.percent,
        actuals: serde_json::to_string(&report.actuals).unwrap_or_else(|_| "[]".into()),
        attachments: serde_json::to_string(&report.attachments).unwrap_or_else(|_| "[]".into()),
        unit_id: event.actor_unit.map(|u| u.0),
        reported_at: event.at,
    };
    insert_all::<progress_report::Entity, _>(txn, std::slice::from_ref(&row)).await?;
    if let Some(unit) = event.actor_unit {
        crate::schedule::fulfil_progress_duty(txn, it.id, unit, &report.period, event.at).await?;
    }
    Ok(())
}

fn co_unit_rows(it: &Item) -> impl Iterator<Item = item_co_unit::Model> + '_ {
    it.co_units
        .iter()
        .enumerate()
        .map(|(k, u)| item_co_unit::Model {
            item_id: it.id.0,
            unit_id: u.0,
            position: i32::try_from(k).unwrap_or(i32::MAX),
        })
}

fn target_row(item: ItemId, t: &Target) -> item_target::Model {
    item_target::Model {
        id: Uuid::now_v7(),
        item_id: item.0,
        metric: t.metric.trim().to_owned(),
        value: t.value,
        unit: t.unit.trim().to_owned(),
        year: t.year,
        cmp: t.cmp.clone(),
    }
}
