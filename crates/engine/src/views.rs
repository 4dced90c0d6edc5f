//! Reads as a signed-in user sees them: every list is cut to the user's [`Scope`], every
//! single item is checked with [`Engine::visible_item`]. Handlers and pages call these.

use crate::accounts::Principal;
use crate::{CommandRequest, Engine, EngineError, ItemDetail, ItemRequest, Outcome};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use xiaohao_core::{
    AccountRole, Action, Item, ItemId, ItemState, Light, Scope, UnitId, permitted_actions,
};
use xiaohao_store::{ItemFilter, ItemPage, LightFilter};

/// An item's clocks, as of today in the policy's time zone. Delays are working days.
#[derive(Debug, Clone, Serialize)]
pub struct Clocks {
    pub today: NaiveDate,
    pub light: Light,
    pub deadline: Option<NaiveDate>,
    /// The due date supervision works on (the deadline moved by 暂缓 or an SLA).
    pub due_on: Option<NaiveDate>,
    /// Working days left until the due date (0 on or after it); `None` without one.
    pub working_days_left: Option<i64>,
    /// Working days past the due date (逾期 N 个工作日).
    pub working_days_late: i64,
    /// The counts rest on a year without a working-day calendar (Monday–Friday assumed).
    pub assumed: bool,
    pub escalation_level: i32,
    /// Whole days since the last change.
    pub days_in_state: i64,
}

/// The detail a page or API client shows.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    #[serde(flatten)]
    pub detail: ItemDetail,
    pub clocks: Clocks,
    /// What the viewer may do now (the page's buttons): the transition table, the
    /// self-verification rule and the office's jurisdiction.
    pub permitted_actions: Vec<Action>,
}

/// Traffic-light counts for one row of the dashboard.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LightCounts {
    pub red: u64,
    pub yellow: u64,
    pub green: u64,
    /// 已销号.
    pub blue: u64,
    /// Not running: draft, suspended, cancelled.
    pub grey: u64,
    pub total: u64,
}

impl LightCounts {
    fn add(&mut self, l: Light) {
        match l {
            Light::Red => self.red += 1,
            Light::Yellow => self.yellow += 1,
            Light::Green => self.green += 1,
            Light::Blue => self.blue += 1,
            Light::Grey => self.grey += 1,
        }
        self.total += 1;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StatsRow {
    pub id: Option<uuid::Uuid>,
    pub name: String,
    #[serde(flatten)]
    pub counts: LightCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub today: NaiveDate,
    pub all: LightCounts,
    pub by_state: BTreeMap<String, u64>,
    pub by_chain: Vec<StatsRow>,
    pub by_unit: Vec<StatsRow>,
}

/// One open item a unit owes a progress report on this period.
#[derive(Debug, Clone, Serialize)]
pub struct Duty {
    pub item: Item,
    pub light: Light,
    /// `2026-03`.
    pub period: String,
    pub reported: bool,
    /// The unit may report: it leads or co-handles the item in a state that takes reports.
    pub can_report: bool,
}

/// Delay audit: how late each lead unit is, over its open items, in working days.
#[derive(Debug, Clone, Serialize)]
pub struct DelayRow {
    pub unit: UnitId,
    pub name: String,
    pub late_items: u64,
    pub total_days_late: i64,
    pub max_days_late: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditStatus {
    pub items_checked: u64,
    pub events_checked: u64,
    pub ok: bool,
    pub broken: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Supervision {
    pub today: NaiveDate,
    pub overdue: Vec<Item>,
    pub escalated: Vec<Item>,
    pub delays: Vec<DelayRow>,
    pub audit: AuditStatus,
}

/// The month a report is due for, as stored in `period` (`YYYY-MM`).
pub fn month_period(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

impl Engine {
    pub fn clocks(&self, item: &Item) -> Clocks {
        let today = self.today();
        let lateness = self.lateness(item);
        Clocks {
            today,
            light: self.light_of(item),
            deadline: item.deadline,
            due_on: item.due_on,
            working_days_left: lateness.working_days_left,
            working_days_late: lateness.working_days,
            assumed: lateness.assumed,
            escalation_level: item.escalation_level,
            days_in_state: (self.now() - item.updated_at).num_days(),
        }
    }

    /// The light filter for `light` today, from the policy.
    pub fn light_filter(&self, light: Light) -> LightFilter {
        let today = self.today();
        LightFilter {
            light,
            today,
            yellow_until: self.policy().yellow_until(today),
        }
    }

    /// Whether `item` passes the part of `filter` SQL cannot decide: the light, by the
    /// policy's one rule.
    pub(crate) fn passes_light(&self, filter: &ItemFilter, item: &Item) -> bool {
        filter
            .light
            .is_none_or(|l| l.is_exact() || self.policy().light(item, l.today) == l.light)
    }

    /// A page of the items `who` may read.
    ///
    /// # Errors
    /// On store failure.
    pub async fn list_for(
        &self,
        who: &Principal,
        mut filter: ItemFilter,
    ) -> Result<ItemPage, EngineError> {
        filter.scope = Some(who.scope.clone());
        self.list(&filter).await
    }

    /// A page of items, newest first. A yellow or green filter walks the SQL candidates by
    /// id and keeps those the policy colours so, so the list holds exactly what the pages
    /// and the dashboard's tiles show.
    ///
    /// # Errors
    /// On store failure.
    pub async fn list(&self, filter: &ItemFilter) -> Result<ItemPage, EngineError> {
        if filter.light.is_none_or(|l| l.is_exact()) {
            return Ok(self.store().items(filter).await?);
        }
        let mut keys: Vec<(chrono::DateTime<chrono::Utc>, ItemId)> = Vec::new();
        self.walk(filter, |it| keys.push((it.created_at, it.id)))
            .await?;
        // The store's order: newest first, then by id.
        keys.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let limit = xiaohao_store::page_limit(filter.limit);
        let page: Vec<ItemId> = keys
            .iter()
            .skip(usize::try_from(filter.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|k| k.1)
            .collect();
        let mut found = self.store().items_by_ids(&page).await?;
        Ok(ItemPage {
            items: page.iter().filter_map(|id| found.remove(id)).collect(),
            total: keys.len() as u64,
            limit,
            offset: filter.offset,
        })
    }

    /// Visit every item matching `filter` (the light by the policy), 2,000 rows at a time.
    ///
    /// # Errors
    /// On store failure.
    pub async fn walk(
        &self,
        filter: &ItemFilter,
        mut visit: impl FnMut(&Item),
    ) -> Result<(), EngineError> {
        self.walk_rows(filter, |it| {
            if self.passes_light(filter, it) {
                visit(it);
            }
        })
        .await
    }

    /// Visit every row the SQL side of `filter` selects, by id, 2,000 at a time: bounded
    /// memory over any number of items (a supervision account sees them all).
    async fn walk_rows(
        &self,
        filter: &ItemFilter,
        mut visit: impl FnMut(&Item),
    ) -> Result<(), EngineError> {
        const PAGE: u64 = 2000;
        let mut after = None;
        loop {
            let page = self.store().items_after(filter, after, PAGE).await?;
            page.iter().for_each(&mut visit);
            match page.last() {
                Some(last) if page.len() as u64 == PAGE => after = Some(last.id),
                _ => return Ok(()),
            }
        }
    }

    /// Every item `who` may read that matches (no paging).
    ///
    /// # Errors
    /// On store failure.
    pub async fn all_for(
        &self,
        who: &Principal,
        mut filter: ItemFilter,
    ) -> Result<Vec<Item>, EngineError> {
        filter.scope = Some(who.scope.clone());
        let mut items = self.store().all_items(&filter).await?;
        items.retain(|it| self.passes_light(&filter, it));
        Ok(items)
    }

    /// Items per state and per light today (the policy's rule), for `/metrics`. Red, blue
    /// and grey are counted in SQL; yellow and green by walking the running items that are
    /// not red.
    ///
    /// # Errors
    /// On store failure.
    pub async fn item_counts(
        &self,
    ) -> Result<(Vec<(String, u64)>, Vec<(Light, u64)>), EngineError> {
        let by_state = self.store().item_counts_by_state().await?;
        let mut by_light = Vec::with_capacity(Light::ALL.len());
        let (mut yellow, mut green) = (0u64, 0u64);
        let candidates = ItemFilter {
            light: Some(self.light_filter(Light::Yellow)),
            ..ItemFilter::default()
        };
        let today = self.today();
        self.walk_rows(&candidates, |it| match self.policy().light(it, today) {
            Light::Yellow => yellow += 1,
            Light::Green => green += 1,
            _ => {}
        })
        .await?;
        // Green items without a due date are not in the yellow candidates.
        let undated = ItemFilter {
            light: Some(self.light_filter(Light::Green)),
            ..ItemFilter::default()
        };
        green += self.store().count_items_without_due(&undated).await?;
        for light in Light::ALL {
            let n = match light {
                Light::Yellow => yellow,
                Light::Green => green,
                exact => {
                    self.store()
                        .count_items(&ItemFilter {
                            light: Some(self.light_filter(exact)),
                            ..ItemFilter::default()
                        })
                        .await?
                }
            };
            by_light.push((light, n));
        }
        Ok((by_state, by_light))
    }

    /// # Errors
    /// `Store(NotFound)` when missing or out of `who`'s scope.
    pub async fn view_for(&self, who: &Principal, id: ItemId) -> Result<ItemView, EngineError> {
        self.visible_item(who, id).await?;
        let detail = self.detail(id).await?;
        let clocks = self.clocks(&detail.item);
        let permitted_actions = permitted_actions(&detail.item, &who.actor);
        Ok(ItemView {
            detail,
            clocks,
            permitted_actions,
        })
    }

    /// Act on an item `who` may see. An item out of scope is `NotFound`, never a hint.
    ///
    /// # Errors
    /// As [`Engine::execute_request`].
    pub async fn act_as(
        &self,
        who: &Principal,
        id: ItemId,
        req: &CommandRequest,
    ) -> Result<Outcome, EngineError> {
        self.request_if(id, &who.actor, req, |item| who.scope.admits(item))
            .await
    }

    /// File an item as `who`.
    ///
    /// # Errors
    /// `Forbidden` for roles that do not file items; otherwise as [`Engine::file_item`].
    pub async fn file_as(
        &self,
        who: &Principal,
        req: &ItemRequest,
    ) -> Result<Outcome, EngineError> {
        if !who.role().may_file() {
            return Err(EngineError::Forbidden(format!(
                "a {} account may not file items",
                who.role()
            )));
        }
        self.file_item(&who.actor, req).await
    }

    /// Traffic-light counts per chain and per lead unit over `who`'s items.
    ///
    /// # Errors
    /// On store failure.
    pub async fn stats_for(&self, who: &Principal) -> Result<Stats, EngineError> {
        let today = self.today();
        let chains: BTreeMap<_, _> = self.chain_names().await?;
        let units: BTreeMap<_, _> = self.unit_names().await?;
        let mut all = LightCounts::default();
        let mut by_state = BTreeMap::new();
        let mut by_chain: BTreeMap<Option<xiaohao_core::ChainId>, LightCounts> = BTreeMap::new();
        let mut by_unit: BTreeMap<Option<UnitId>, LightCounts> = BTreeMap::new();
        // Page by page: a supervision account sees every item, and a million of them at once
        // took gigabytes (100k: 1.3 s and 420 MiB before paging).
        let filter = ItemFilter {
            scope: Some(who.scope.clone()),
            ..ItemFilter::default()
        };
        self.walk_rows(&filter, |it| {
            let l = self.light_of(it);
            all.add(l);
            *by_state.entry(it.state.as_str().to_owned()).or_insert(0) += 1;
            by_chain.entry(it.chain_id).or_default().add(l);
            by_unit.entry(it.lead_unit).or_default().add(l);
        })
        .await?;
        let row = |id: Option<uuid::Uuid>, name: String, counts: LightCounts| StatsRow {
            id,
            name,
            counts,
        };
        Ok(Stats {
            today,
            all,
            by_state,
            by_chain: by_chain
                .into_iter()
                .map(|(c, n)| {
                    let name = c
                        .and_then(|c| chains.get(&c).cloned())
                        .unwrap_or_else(|| "(未归链)".into());
                    row(c.map(|c| c.0), name, n)
                })
                .collect(),
            by_unit: by_unit
                .into_iter()
                .map(|(u, n)| {
                    let name = u
                        .and_then(|u| units.get(&u).cloned())
                        .unwrap_or_else(|| "(未定牵头单位)".into());
                    row(u.map(|u| u.0), name, n)
                })
                .collect(),
        })
    }

    /// This month's progress duties of `who`'s unit: its open items, each with whether a
    /// report for the month is already in.
    ///
    /// # Errors
    /// On store failure.
    pub async fn duties_for(&self, who: &Principal) -> Result<Vec<Duty>, EngineError> {
        let today = self.today();
        let period = month_period(today);
        let unit = who.user.unit;
        let items = self
            .all_for(
                who,
                ItemFilter {
                    unit: Some(unit),
                    ..ItemFilter::default()
                },
            )
            .await?;
        let mut out = Vec::new();
        for item in items.into_iter().filter(|i| i.state.is_open()) {
            let reported = self
                .store()
                .progress(item.id)
                .await?
                .iter()
                .any(|p| p.report.period == period && p.unit == Some(unit));
            let can_report = matches!(who.role(), AccountRole::Unit | AccountRole::Office)
                && matches!(item.state, ItemState::Accepted | ItemState::InProgress);
            out.push(Duty {
                light: self.light_of(&item),
                item,
                period: period.clone(),
                reported,
                can_report,
            });
        }
        Ok(out)
    }

    /// Overdue and escalated items, delays by lead unit, and the audit chain — for the
    /// supervision page.
    ///
    /// # Errors
    /// `Forbidden` unless `who` is supervision or admin.
    pub async fn supervision_for(&self, who: &Principal) -> Result<Supervision, EngineError> {
        if !matches!(who.role(), AccountRole::Supervision | AccountRole::Admin) {
            return Err(EngineError::Forbidden(
                "the supervision view is for 督查室 and administrators".into(),
            ));
        }
        let today = self.today();
        let items = self.all_for(who, ItemFilter::default()).await?;
        let units: BTreeMap<_, _> = self.unit_names().await?;
        let mut delays: BTreeMap<UnitId, DelayRow> = BTreeMap::new();
        let mut overdue = Vec::new();
        let mut escalated = Vec::new();
        for it in items {
            if self.light_of(&it) == Light::Red {
                let late = self.working_days_late(&it);
                if let Some(u) = it.lead_unit {
                    let row = delays.entry(u).or_insert_with(|| DelayRow {
                        unit: u,
                        name: units.get(&u).cloned().unwrap_or_default(),
                        late_items: 0,
                        total_days_late: 0,
                        max_days_late: 0,
                    });
                    row.late_items += 1;
                    row.total_days_late += late;
                    row.max_days_late = row.max_days_late.max(late);
                }
                overdue.push(it.clone());
            }
            if it.escalation_level > 0 && it.state.is_open() {
                escalated.push(it);
            }
        }
        let mut delays: Vec<DelayRow> = delays.into_values().collect();
        delays.sort_by_key(|d| std::cmp::Reverse(d.total_days_late));
        overdue.sort_by_key(|i| i.due_on);
        let (items_checked, events_checked, broken) = self.store().verify_all_chains().await?;
        Ok(Supervision {
            today,
            overdue,
            escalated,
            delays,
            audit: AuditStatus {
                items_checked,
                events_checked,
                ok: broken.is_none(),
                broken: broken.map(|b| format!("item {} seq {}: {}", b.item_id, b.seq, b.reason)),
            },
        })
    }

    /// Open items with a deadline that `unit` leads or co-handles (the calendar feed), as
    /// the unit's scope reads them: never a draft.
    ///
    /// # Errors
    /// On store failure.
    pub async fn unit_deadlines(&self, unit: UnitId) -> Result<Vec<Item>, EngineError> {
        let scope = Scope::of(
            AccountRole::Unit,
            unit,
            Vec::new(),
            &xiaohao_core::Jurisdiction::OwnUnit,
        );
        let items = self
            .store()
            .all_items(&ItemFilter {
                unit: Some(unit),
                scope: Some(scope),
                ..ItemFilter::default()
            })
            .await?;
        Ok(items
            .into_iter()
            .filter(|i| i.state.is_open() && i.deadline.is_some())
            .collect())
    }
}
