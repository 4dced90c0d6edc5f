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
use xiaohao_store::{ItemFilter, ItemOrder, ItemPage, LedgerSort, LightFilter, SortKey};

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
    fn add(&mut self, l: Light, n: u64) {
        match l {
            Light::Red => self.red += n,
            Light::Yellow => self.yellow += n,
            Light::Green => self.green += n,
            Light::Blue => self.blue += n,
            Light::Grey => self.grey += n,
        }
        self.total += n;
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
    /// The most overdue items (at most [`SUPERVISION_ROWS`]), most working days late first.
    pub overdue: Vec<Item>,
    /// All overdue items.
    pub overdue_total: u64,
    /// Open items under 督办 (at most [`SUPERVISION_ROWS`]), highest level first.
    pub escalated: Vec<Item>,
    /// All open items under 督办.
    pub escalated_total: u64,
    pub delays: Vec<DelayRow>,
    pub audit: AuditStatus,
}

/// Rows of each list on the supervision page; the ledger, filtered, lists them all.
pub const SUPERVISION_ROWS: u64 = 100;

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

    /// The light filter for `light` today: the policy's rule, in SQL over the light dates
    /// the writer keeps on each row.
    pub fn light_filter(&self, light: Light) -> LightFilter {
        LightFilter {
            light,
            today: self.today(),
        }
    }

    /// Compute the light dates the store keeps on each item row where they are missing,
    /// or on every row when the policy they were computed with changed (a new calendar
    /// year, other thresholds), and refresh the query planner's statistics. Run at start,
    /// before any page is served.
    ///
    /// # Errors
    /// On store failure.
    pub async fn index_lights(&self) -> Result<xiaohao_store::LightIndexRun, EngineError> {
        self.store().refresh_planner_statistics().await?;
        let run = self
            .store()
            .index_lights(&self.policy().light_fingerprint())
            .await?;
        if run.updated > 0 {
            tracing::info!(
                read = run.read,
                updated = run.updated,
                full = run.full,
                "light dates computed"
            );
        }
        Ok(run)
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

    /// A page of items in the filter's order (newest first unless it says otherwise);
    /// the light is the policy's, selected in SQL.
    ///
    /// # Errors
    /// On store failure.
    pub async fn list(&self, filter: &ItemFilter) -> Result<ItemPage, EngineError> {
        Ok(self.store().items(filter).await?)
    }

    /// Visit every item matching `filter`, by id, 2,000 rows at a time: bounded memory
    /// over any number of items (a supervision account sees them all).
    ///
    /// # Errors
    /// On store failure.
    pub async fn walk(
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
        Ok(self.store().all_items(&filter).await?)
    }

    /// Items per state and per light today (the policy's rule), for `/metrics`: counted
    /// in SQL.
    ///
    /// # Errors
    /// On store failure.
    pub async fn item_counts(
        &self,
    ) -> Result<(Vec<(String, u64)>, Vec<(Light, u64)>), EngineError> {
        let by_state = self.store().item_counts_by_state().await?;
        let counts = self
            .store()
            .light_counts(&ItemFilter::default(), self.today())
            .await?;
        let by_light = Light::ALL
            .into_iter()
            .map(|l| {
                let n = counts
                    .iter()
                    .filter(|c| c.light == l)
                    .map(|c| c.items)
                    .sum();
                (l, n)
            })
            .collect();
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
        // Counted in SQL by chain, lead unit, state and light: a supervision account sees
        // every item, and reading them took seconds at 100,000.
        let filter = ItemFilter {
            scope: Some(who.scope.clone()),
            ..ItemFilter::default()
        };
        for c in self.store().light_counts(&filter, today).await? {
            all.add(c.light, c.items);
            *by_state.entry(c.state).or_insert(0) += c.items;
            by_chain
                .entry(c.chain.map(xiaohao_core::ChainId))
                .or_default()
                .add(c.light, c.items);
            by_unit
                .entry(c.lead_unit.map(UnitId))
                .or_default()
                .add(c.light, c.items);
        }
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
        let items: Vec<Item> = items.into_iter().filter(|i| i.state.is_open()).collect();
        let ids: Vec<ItemId> = items.iter().map(|i| i.id).collect();
        let reported_ids = self.store().reported_by(unit, &period, &ids).await?;
        let mut out = Vec::new();
        for item in items {
            let reported = reported_ids.contains(&item.id);
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
        let units: BTreeMap<_, _> = self.unit_names().await?;
        let scope = ItemFilter {
            scope: Some(who.scope.clone()),
            ..ItemFilter::default()
        };
        // Delays per lead unit: the items per due date counted in SQL, each due date's
        // working days late counted once by the policy.
        let mut delays: BTreeMap<UnitId, DelayRow> = BTreeMap::new();
        for group in self.store().late_by_due_date(&scope, today).await? {
            let Some(u) = group.lead_unit.map(UnitId) else {
                continue;
            };
            let late = self.policy().days_late_on(group.due_on, today);
            let row = delays.entry(u).or_insert_with(|| DelayRow {
                unit: u,
                name: units.get(&u).cloned().unwrap_or_default(),
                late_items: 0,
                total_days_late: 0,
                max_days_late: 0,
            });
            row.late_items += group.items;
            row.total_days_late += late * i64::try_from(group.items).unwrap_or(i64::MAX);
            row.max_days_late = row.max_days_late.max(late);
        }
        let mut delays: Vec<DelayRow> = delays.into_values().collect();
        delays.sort_by_key(|d| std::cmp::Reverse(d.total_days_late));
        // Both lists most first (days late, 督办 level).
        let by = |key, today| ItemOrder::By {
            sort: LedgerSort {
                key,
                descending: true,
            },
            today,
        };
        let overdue = self
            .store()
            .items(&ItemFilter {
                light: Some(self.light_filter(Light::Red)),
                order: by(SortKey::DaysLate, today),
                limit: SUPERVISION_ROWS,
                ..scope.clone()
            })
            .await?;
        let escalated = self
            .store()
            .items(&ItemFilter {
                escalated_open: true,
                order: by(SortKey::Level, today),
                limit: SUPERVISION_ROWS,
                ..scope
            })
            .await?;
        let audit = self.audit_status().await?;
        Ok(Supervision {
            today,
            overdue: overdue.items,
            overdue_total: overdue.total,
            escalated: escalated.items,
            escalated_total: escalated.total,
            delays,
            audit,
        })
    }

    /// Whether every item's event chain still verifies (the 督查室 page's 审计链 line).
    ///
    /// # Errors
    /// On store failure.
    pub async fn audit_status(&self) -> Result<AuditStatus, EngineError> {
        let (items_checked, events_checked, broken) = self.store().verify_all_chains().await?;
        Ok(AuditStatus {
            items_checked,
            events_checked,
            ok: broken.is_none(),
            broken: broken.map(|b| format!("item {} seq {}: {}", b.item_id, b.seq, b.reason)),
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
