//! 待办: what each role has to do today, for the first page after login. Every list is cut
//! to the reader's [`xiaohao_core::Scope`], bounded to [`HOME_ROWS`] rows with the full
//! count beside it, and every light and delay in it comes from the one policy.

mod oversight;

use crate::accounts::Principal;
use crate::{Engine, EngineError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use xiaohao_core::channel::is_unreachable;
use xiaohao_core::org::Unit;
use xiaohao_core::{
    AccountRole, Action, ChainId, Item, ItemId, ItemState, Lateness, Light, UnitId,
    permitted_actions,
};
use xiaohao_store::{DutyRow, ItemFilter, OrderRow};

/// Rows a home list shows; the rest is one click away in the ledger.
pub const HOME_ROWS: usize = 20;
/// How many of the newest 督办单 and dead messages a home looks through.
const RECENT: u64 = 500;

/// One line of a 待办 list.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub item: Item,
    pub light: Light,
    pub lateness: Lateness,
    /// When the item entered its state (the request's age for 待核验).
    pub since: DateTime<Utc>,
    /// The day that matters here: the next ladder step for a 被督办 item.
    pub due: Option<NaiveDate>,
    /// The ladder step that falls due on `due`.
    pub step: Option<String>,
    /// For a 被督办 item: the reply date its newest 督办单 sets.
    pub reply_due: Option<NaiveDate>,
    /// The reason given (退回理由).
    pub reason: Option<String>,
    /// 序时进度 the item lags behind, in percent.
    pub expected_percent: Option<i32>,
}

/// A bounded list and how many there are in all.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Section<T> {
    pub rows: Vec<T>,
    pub total: u64,
}

impl<T> Section<T> {
    fn of(mut all: Vec<T>) -> Self {
        let total = all.len() as u64;
        all.truncate(HOME_ROWS);
        Self { rows: all, total }
    }
}

/// A reminder that could not be delivered.
#[derive(Debug, Clone, Serialize)]
pub struct DeadMail {
    pub id: uuid::Uuid,
    pub kind: String,
    pub recipient: UnitId,
    pub recipient_name: String,
    /// The recipient has no e-mail address (the usual cause of an e-mail row's death).
    pub recipient_has_email: bool,
    /// The robot the message was for; `None` for e-mail.
    pub channel: Option<xiaohao_core::channel::ChannelKind>,
    pub item: Option<ItemId>,
    pub item_title: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// A 督办单 with the item it concerns.
#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub order: OrderRow,
    pub item: Item,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficeHome {
    pub drafts: Section<Entry>,
    /// Closure requests this office may verify, oldest request first.
    pub to_verify: Section<Entry>,
    /// 延期申请 this office may answer, oldest first.
    pub extensions: Section<Entry>,
    /// 对账单 lines a unit disputed, waiting for this office's answer.
    pub disputes: Section<xiaohao_store::DisputeRow>,
    pub red: Section<Entry>,
    /// 督办单 on items in this office's scope still waiting for the lead unit's reply.
    pub orders: Section<Order>,
    /// Units that neither an e-mail address nor a robot reaches.
    pub units_unreachable: Section<Unit>,
    pub dead_mail: Section<DeadMail>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitHome {
    /// 领导批示 not yet answered (回复) by the lead unit, newest first: they come first.
    pub instructions: Section<Entry>,
    /// Items this unit leads, waiting for 签收.
    pub to_accept: Section<Entry>,
    /// Open report duties, earliest due first.
    pub to_report: Section<DutyRow>,
    /// 督办单 on items this unit leads, waiting for its 督办回复, newest first.
    pub orders: Section<Order>,
    /// Items under 督办, with the next ladder step.
    pub escalated: Section<Entry>,
    /// Closure refused or item reopened: to redo.
    pub returned: Section<Entry>,
    /// This unit's 延期申请 waiting for the office's answer.
    pub extensions: Section<Entry>,
    /// Yellow items: due within the window or behind 序时进度.
    pub due_soon: Section<Entry>,
}

/// One chain's figures for a leader's one-line summary.
#[derive(Debug, Clone, Serialize)]
pub struct ChainLine {
    pub id: Option<uuid::Uuid>,
    pub name: String,
    pub counts: crate::LightCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeaderHome {
    /// The leader's own name (the person linked to the account, else the account's name).
    pub name: String,
    pub chains: Vec<ChainLine>,
    pub red: Section<Entry>,
    pub yellow: Section<Entry>,
    pub lagging: Section<Entry>,
    pub orders: Section<Order>,
}

/// Filters of the 督查室 ranking.
#[derive(Debug, Clone, Default)]
pub struct RankingFilter {
    pub chain: Option<ChainId>,
    pub unit: Option<UnitId>,
    pub plan: Option<xiaohao_core::PlanId>,
}

/// One row of an overdue ranking (by lead unit or by chain), in working days.
#[derive(Debug, Clone, Serialize)]
pub struct RankRow {
    pub id: Option<uuid::Uuid>,
    pub name: String,
    pub late_items: u64,
    pub total_days_late: i64,
    pub max_days_late: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SupervisionHome {
    pub by_unit: Vec<RankRow>,
    pub by_chain: Vec<RankRow>,
    pub open_orders: Section<Order>,
    pub missed_duties: Section<DutyRow>,
}

fn payload_reason(payload: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()?
        .get("reason")?
        .as_str()
        .map(str::to_owned)
}

/// Whether an office answers for a reminder: to a unit of its jurisdiction, or about an
/// item it keeps (reading an item through a chain is not keeping it).
fn answers_for(who: &Principal, recipient: UnitId, item: Option<&Item>) -> bool {
    who.role() == AccountRole::Admin
        || who.scope.owners.contains(&recipient)
        || item.is_some_and(|i| who.actor.jurisdiction.covers(who.actor.unit, i.owner_unit))
}

impl Engine {
    fn entry(&self, item: Item) -> Entry {
        Entry {
            light: self.light_of(&item),
            lateness: self.lateness(&item),
            since: item.updated_at,
            due: None,
            step: None,
            reply_due: None,
            reason: None,
            expected_percent: None,
            item,
        }
    }

    /// A page of `filter` as a home section: the same rows and total the ledger shows for
    /// the same filter.
    async fn section(
        &self,
        who: &Principal,
        filter: ItemFilter,
    ) -> Result<Section<Entry>, EngineError> {
        let page = self
            .list_for(
                who,
                ItemFilter {
                    limit: HOME_ROWS as u64,
                    offset: 0,
                    ..filter
                },
            )
            .await?;
        Ok(Section {
            rows: page.items.into_iter().map(|i| self.entry(i)).collect(),
            total: page.total,
        })
    }

    /// Items of `who`'s scope matching `filter` and `keep`, ordered by `key`: only the
    /// keys of the whole list are held, only the shown rows are loaded.
    async fn picked_section<K: Ord>(
        &self,
        who: &Principal,
        filter: ItemFilter,
        keep: impl Fn(&Item) -> bool,
        key: impl Fn(&Item) -> K,
    ) -> Result<Section<Entry>, EngineError> {
        let filter = ItemFilter {
            scope: Some(who.scope.clone()),
            ..filter
        };
        let mut keys = Vec::new();
        self.walk(&filter, |it| {
            if keep(it) {
                keys.push((key(it), it.id));
            }
        })
        .await?;
        keys.sort();
        let shown: Vec<ItemId> = keys.iter().take(HOME_ROWS).map(|k| k.1).collect();
        let mut found = self.store().items_by_ids(&shown).await?;
        Ok(Section {
            rows: shown
                .iter()
                .filter_map(|id| found.remove(id))
                .map(|i| self.entry(i))
                .collect(),
            total: keys.len() as u64,
        })
    }

    fn light_only(&self, light: Light) -> ItemFilter {
        ItemFilter {
            light: Some(self.light_filter(light)),
            ..ItemFilter::default()
        }
    }

    /// The office's 待办: drafts to 交办, closure requests to verify (oldest first),
    /// 延期申请 to answer, its red items, units that neither an e-mail address nor a robot
    /// reaches, and reminders that could not be sent.
    ///
    /// # Errors
    /// `Forbidden` for other roles; on store failure.
    pub async fn office_home(&self, who: &Principal) -> Result<OfficeHome, EngineError> {
        if !who.is_office_or_admin() {
            return Err(EngineError::Forbidden(
                "the office's list is for offices".into(),
            ));
        }
        let drafts = self
            .section(
                who,
                ItemFilter {
                    state: Some(ItemState::Draft),
                    ..ItemFilter::default()
                },
            )
            .await?;
        let actor = &who.actor;
        // What the office may verify: requests on items it governs, not asked for by its
        // own unit (`permitted_actions`, in SQL); the oldest first.
        let to_verify = self
            .section(
                who,
                ItemFilter {
                    state: Some(ItemState::ClosureRequested),
                    owned_by: actor.jurisdiction.governed_owners(actor.unit),
                    closure_not_by: actor.unit,
                    order: xiaohao_store::ItemOrder::OldestChange,
                    ..ItemFilter::default()
                },
            )
            .await?;
        debug_assert!(
            to_verify
                .rows
                .iter()
                .all(|e| permitted_actions(&e.item, actor).contains(&Action::Verify))
        );
        let extensions = self
            .picked_section(
                who,
                ItemFilter {
                    extension_pending: true,
                    ..ItemFilter::default()
                },
                |it| permitted_actions(it, actor).contains(&Action::ApproveExtension),
                |it| (it.updated_at, it.id),
            )
            .await?;
        let red = self.section(who, self.light_only(Light::Red)).await?;
        let units = self.store().units().await?;
        let robots = self.store().channel_counts().await?;
        let robots_of = |u: UnitId| robots.get(&u).copied().unwrap_or(0);
        let units_unreachable = Section::of(
            units
                .iter()
                .filter(|u| is_unreachable(&u.emails, robots_of(u.id)))
                .cloned()
                .collect(),
        );
        let dead_mail = Section::of(self.dead_mail_for(who, &units, &robots).await?);
        let disputes = Section::of(self.disputes_for(who, RECENT).await?);
        let orders = self
            .orders_for(who, xiaohao_store::OrderStatus::Open, |_| true)
            .await?;
        Ok(OfficeHome {
            drafts,
            to_verify,
            extensions,
            disputes,
            red,
            orders,
            units_unreachable,
            dead_mail,
        })
    }

    /// Dead reminders `who` answers for: to its units (its jurisdiction) or about items it
    /// reads; an administrator's are all of them. Looks at the newest [`RECENT`].
    ///
    /// An e-mail that died for want of an address is left out when the unit has a robot:
    /// the robot's copy of it is what reaches the unit (and shows here if it failed too).
    async fn dead_mail_for(
        &self,
        who: &Principal,
        units: &[Unit],
        robots: &std::collections::HashMap<UnitId, usize>,
    ) -> Result<Vec<DeadMail>, EngineError> {
        let rows = self.store().outbox(Some("dead"), RECENT).await?;
        let mut kinds = std::collections::HashMap::new();
        for c in rows.iter().filter_map(|r| r.channel) {
            if let std::collections::hash_map::Entry::Vacant(e) = kinds.entry(c) {
                e.insert(self.store().channel(c).await.ok().map(|ch| ch.kind));
            }
        }
        let ids: Vec<ItemId> = rows.iter().filter_map(|r| r.item).collect();
        let items = self.store().items_by_ids(&ids).await?;
        let unit = |id: UnitId| units.iter().find(|u| u.id == id);
        let mut out = Vec::new();
        for r in rows {
            let item = r.item.and_then(|i| items.get(&i));
            let ours = answers_for(who, r.recipient, item);
            let has_email = unit(r.recipient).is_some_and(|u| !u.emails.is_empty());
            if !ours || (r.channel.is_none() && !has_email && robots.contains_key(&r.recipient)) {
                continue;
            }
            out.push(DeadMail {
                id: r.id,
                kind: r.kind,
                recipient: r.recipient,
                recipient_name: unit(r.recipient)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                recipient_has_email: has_email,
                channel: r.channel.and_then(|c| kinds.get(&c).copied().flatten()),
                item: r.item,
                item_title: item.map(|i| i.title.clone()),
                attempts: r.attempts,
                created_at: r.created_at,
            });
        }
        Ok(out)
    }

    /// Send a dead reminder again, as an office from its 待办 list: only one it answers for.
    ///
    /// # Errors
    /// `Forbidden` for roles other than office and admin; `Store(NotFound)` for a message
    /// that is not dead or not the office's.
    pub async fn retry_dead_mail(
        &self,
        who: &Principal,
        id: uuid::Uuid,
    ) -> Result<(), EngineError> {
        if !who.is_office_or_admin() {
            return Err(EngineError::Forbidden(
                "only an office re-sends reminders".into(),
            ));
        }
        let units = self.store().units().await?;
        let row = self.store().outbox_row(id).await?;
        let item = match row.item {
            Some(i) => self.store().items_by_ids(&[i]).await?.remove(&i),
            None => None,
        };
        let ours = answers_for(who, row.recipient, item.as_ref());
        if row.status != "dead" || !ours || !units.iter().any(|u| u.id == row.recipient) {
            return Err(xiaohao_store::StoreError::NotFound {
                what: "message",
                key: id.to_string(),
            }
            .into());
        }
        self.requeue_outbox(id).await
    }

    /// A unit's 待办: items to 签收, report duties open now, items under 督办 with the next
    /// ladder step, closures refused or items reopened, its 延期申请 waiting for an answer,
    /// and yellow items; first of all, 领导批示 waiting for the lead unit's 回复.
    ///
    /// # Errors
    /// On store failure.
    pub async fn unit_home(&self, who: &Principal) -> Result<UnitHome, EngineError> {
        let unit = who.user.unit;
        let mine = || ItemFilter {
            unit: Some(unit),
            ..ItemFilter::default()
        };
        let to_accept = self
            .picked_section(
                who,
                ItemFilter {
                    state: Some(ItemState::Assigned),
                    ..mine()
                },
                |it| it.lead_unit == Some(unit),
                |it| (it.due_on, it.updated_at),
            )
            .await?;
        let duties = self
            .store()
            .duties(Some(unit), Some(xiaohao_store::schedule::DUTY_OPEN), RECENT)
            .await?;
        let to_report = Section::of(duties);
        let mut escalated = self
            .section(
                who,
                ItemFilter {
                    escalated_open: true,
                    order: xiaohao_store::ItemOrder::Due,
                    ..mine()
                },
            )
            .await?;
        let ids: Vec<_> = escalated.rows.iter().map(|e| e.item.id).collect();
        let orders = self.store().latest_orders(&ids).await?;
        for e in &mut escalated.rows {
            if let Some((step, on)) = self.policy().next_step(&e.item) {
                e.step = Some(step.name.clone());
                e.due = Some(on);
            }
            e.reply_due = orders.get(&e.item.id).and_then(|o| o.reply_due);
        }
        let returned = self.returned(who, mine()).await?;
        let instructions = self
            .picked_section(
                who,
                ItemFilter {
                    instruction_pending: true,
                    ..mine()
                },
                |it| it.instructed_at.is_some(),
                |it| (std::cmp::Reverse(it.instructed_at), it.id),
            )
            .await?;
        let extensions = self
            .picked_section(
                who,
                ItemFilter {
                    extension_pending: true,
                    ..mine()
                },
                |it| it.lead_unit == Some(unit),
                |it| (it.updated_at, it.id),
            )
            .await?;
        let due_soon = self
            .section(
                who,
                ItemFilter {
                    light: Some(self.light_filter(Light::Yellow)),
                    ..mine()
                },
            )
            .await?;
        let orders = self
            .orders_for(who, xiaohao_store::OrderStatus::Open, |it| {
                it.lead_unit == Some(unit)
            })
            .await?;
        Ok(UnitHome {
            instructions,
            to_accept,
            to_report,
            orders,
            escalated,
            returned,
            extensions,
            due_soon,
        })
    }

    /// Items 办理中 whose last change of state was a refused closure (核验不通过) or a
    /// reopening, with the reason given.
    async fn returned(
        &self,
        who: &Principal,
        filter: ItemFilter,
    ) -> Result<Section<Entry>, EngineError> {
        let filter = ItemFilter {
            state: Some(ItemState::InProgress),
            scope: Some(who.scope.clone()),
            ..filter
        };
        let mut redo: Vec<(DateTime<Utc>, ItemId, Option<String>)> = self
            .store()
            .last_entered_by(&filter, &["reject", "reopen"])
            .await?
            .into_iter()
            .map(|(id, t)| (t.at, id, payload_reason(&t.payload)))
            .collect();
        redo.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let total = redo.len() as u64;
        redo.truncate(HOME_ROWS);
        let shown: Vec<ItemId> = redo.iter().map(|r| r.1).collect();
        let mut found = self.store().items_by_ids(&shown).await?;
        let rows = redo
            .into_iter()
            .filter_map(|(at, id, reason)| {
                let mut e = self.entry(found.remove(&id)?);
                e.since = at;
                e.reason = reason;
                Some(e)
            })
            .collect();
        Ok(Section { rows, total })
    }
}
