//! The homes of those who oversee rather than do: a leader over his chains, the 督查室
//! over everything (rankings in working days, open 督办单, missed duties).

use super::{
    ChainLine, LeaderHome, Order, RECENT, RankRow, RankingFilter, Section, SupervisionHome,
};
use crate::accounts::Principal;
use crate::{Engine, EngineError};
use std::collections::BTreeMap;
use xiaohao_core::{AccountRole, ChainId, Item, ItemId, Light, UnitId};
use xiaohao_store::ItemFilter;

impl RankRow {
    /// `items` more late items, each `days_late` working days late.
    fn add(&mut self, items: u64, days_late: i64) {
        self.late_items += items;
        self.total_days_late += days_late * i64::try_from(items).unwrap_or(i64::MAX);
        self.max_days_late = self.max_days_late.max(days_late);
    }
}

/// Rows by total working days late, then by count, then by name.
fn ranked<K>(m: BTreeMap<K, RankRow>) -> Vec<RankRow> {
    let mut v: Vec<RankRow> = m.into_values().collect();
    v.sort_by(|a, b| {
        b.total_days_late
            .cmp(&a.total_days_late)
            .then(b.late_items.cmp(&a.late_items))
            .then(a.name.cmp(&b.name))
    });
    v
}

impl Engine {
    /// The newest 督办单 on items `who` reads and `keep` accepts.
    pub(super) async fn orders_for(
        &self,
        who: &Principal,
        status: xiaohao_store::OrderStatus,
        keep: impl Fn(&Item) -> bool,
    ) -> Result<Section<Order>, EngineError> {
        let orders = self.store().orders(status, None, RECENT).await?;
        let ids: Vec<ItemId> = orders.iter().map(|o| o.item).collect();
        let items = self.store().items_by_ids(&ids).await?;
        Ok(Section::of(
            orders
                .into_iter()
                .filter_map(|o| {
                    let item = items.get(&o.item)?;
                    (who.scope.admits(item) && keep(item)).then(|| Order {
                        item: item.clone(),
                        order: o,
                    })
                })
                .collect(),
        ))
    }

    /// A leader's 待办 over his chains only: a line per chain, red and yellow items, items
    /// behind 序时进度 and the latest 督办单.
    ///
    /// # Errors
    /// `Forbidden` for other roles; on store failure.
    pub async fn leader_home(&self, who: &Principal) -> Result<LeaderHome, EngineError> {
        if who.role() != AccountRole::Leader {
            return Err(EngineError::Forbidden(
                "the leader's list is for leaders".into(),
            ));
        }
        let name = match who.user.person {
            Some(p) => self.store().person(p).await?.name,
            None => who.user.display_name.clone(),
        };
        let stats = self.stats_for(who).await?;
        let chains = stats
            .by_chain
            .into_iter()
            .filter(|r| r.id.is_some())
            .map(|r| ChainLine {
                id: r.id,
                name: r.name,
                counts: r.counts,
            })
            .collect();
        let today = self.today();
        let mut lagging = self
            .section(
                who,
                ItemFilter {
                    lagging_on: Some(today),
                    order: xiaohao_store::ItemOrder::Due,
                    ..ItemFilter::default()
                },
            )
            .await?;
        for e in &mut lagging.rows {
            e.expected_percent = self.policy().lagging(&e.item, today);
        }
        Ok(LeaderHome {
            name,
            chains,
            red: self.section(who, self.light_only(Light::Red)).await?,
            yellow: self.section(who, self.light_only(Light::Yellow)).await?,
            lagging,
            orders: self
                .orders_for(who, xiaohao_store::OrderStatus::All, |_| true)
                .await?,
        })
    }

    /// The 督查室's home: overdue rankings by lead unit and by chain (working days, from
    /// the policy), open 督办单 and missed report duties, under `f`.
    ///
    /// # Errors
    /// `Forbidden` unless `who` is supervision or admin; on store failure.
    pub async fn supervision_home(
        &self,
        who: &Principal,
        f: &RankingFilter,
    ) -> Result<SupervisionHome, EngineError> {
        if !matches!(who.role(), AccountRole::Supervision | AccountRole::Admin) {
            return Err(EngineError::Forbidden(
                "the supervision view is for 督查室 and administrators".into(),
            ));
        }
        let units: BTreeMap<UnitId, String> = self.unit_names().await?;
        let chains: BTreeMap<ChainId, String> = self.chain_names().await?;
        let filter = ItemFilter {
            scope: Some(who.scope.clone()),
            chain: f.chain,
            unit: f.unit,
            plan: f.plan,
            ..ItemFilter::default()
        };
        let today = self.today();
        let mut by_unit: BTreeMap<Option<UnitId>, RankRow> = BTreeMap::new();
        let mut by_chain: BTreeMap<Option<ChainId>, RankRow> = BTreeMap::new();
        let blank = |id: Option<uuid::Uuid>, name: String| RankRow {
            id,
            name,
            late_items: 0,
            total_days_late: 0,
            max_days_late: 0,
        };
        // The late items per due date are counted in SQL; each due date's working days
        // late are counted once, by the policy.
        for group in self.store().late_by_due_date(&filter, today).await? {
            let late = self.policy().days_late_on(group.due_on, today);
            let n = group.items;
            let lead = group.lead_unit.map(UnitId);
            let u = by_unit.entry(lead).or_insert_with(|| {
                let name = lead.and_then(|u| units.get(&u).cloned());
                blank(
                    group.lead_unit,
                    name.unwrap_or_else(|| "(未定牵头单位)".into()),
                )
            });
            u.add(n, late);
            let chain = group.chain.map(ChainId);
            let c = by_chain.entry(chain).or_insert_with(|| {
                let name = chain.and_then(|c| chains.get(&c).cloned());
                blank(group.chain, name.unwrap_or_else(|| "(未归链)".into()))
            });
            c.add(n, late);
        }
        let open_orders = self
            .orders_for(who, xiaohao_store::OrderStatus::Open, |it| {
                it.state.is_open()
                    && f.chain.is_none_or(|c| it.chain_id == Some(c))
                    && f.unit.is_none_or(|u| it.involves(u))
                    && f.plan.is_none_or(|p| it.plan_id == Some(p))
            })
            .await?;
        let missed = self
            .store()
            .duties(f.unit, Some(xiaohao_store::schedule::DUTY_MISSED), RECENT)
            .await?;
        Ok(SupervisionHome {
            by_unit: ranked(by_unit),
            by_chain: ranked(by_chain),
            open_orders,
            missed_duties: Section::of(missed),
        })
    }
}
