//! Which items a list holds: the filter and its SQL, the twins of the rules in core (the
//! scope of [`Scope::admits`], the light of [`xiaohao_core::light::light_on`]).

use crate::entities::{item, item_co_unit};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition};
use xiaohao_core::{ChainId, ItemState, Light, PlanId, Scope, UnitId};

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub state: Option<ItemState>,
    /// Items this unit leads or co-handles.
    pub unit: Option<UnitId>,
    pub chain: Option<ChainId>,
    /// Items of this plan (the source document).
    pub plan: Option<PlanId>,
    /// Items at this escalation level (督办级别; 0: not escalated).
    pub level: Option<i32>,
    /// Items with a running clock whose due date is before this date (red).
    pub overdue_on: Option<NaiveDate>,
    /// Substring of title, text or number.
    pub text: Option<String>,
    /// Only items a user with this scope may read.
    pub scope: Option<Scope>,
    /// Only items of this light: the policy's rule over the light dates the writer keeps.
    pub light: Option<LightFilter>,
    /// Only running items behind 序时进度 on this day (the lag half of yellow).
    pub lagging_on: Option<NaiveDate>,
    /// Only items with a 延期申请 waiting for the office's answer.
    pub extension_pending: bool,
    /// Only items with a 批示 the lead unit has not answered yet.
    pub instruction_pending: bool,
    /// Only open items under 督办 (escalation level above 0).
    pub escalated_open: bool,
    /// Only items owned by one of these units (an office's jurisdiction).
    pub owned_by: Option<Vec<UnitId>>,
    /// Only items whose closure was not asked for by this unit (it may not verify its own).
    pub closure_not_by: Option<UnitId>,
    /// The order of a page ([`Store::items`]).
    pub order: crate::order::ItemOrder,
    pub limit: u64,
    pub offset: u64,
}

/// The rows a page holds for a requested `limit`: 50 when none is asked, at most 1,000.
pub fn page_limit(requested: u64) -> u64 {
    if requested == 0 {
        50
    } else {
        Ord::min(requested, 1000)
    }
}

/// A light on a day, as the store selects it: [`xiaohao_core::light::light_on`] in SQL over
/// the state, the due date and the light dates the writer keeps on each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LightFilter {
    pub light: Light,
    /// The local day the light is for.
    pub today: NaiveDate,
}

/// The WHERE clause of an item filter.
pub(crate) fn filter_condition(f: &ItemFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(s) = f.state {
        cond = cond.add(item::Column::State.eq(s.as_str()));
    }
    if let Some(c) = f.chain {
        cond = cond.add(item::Column::ChainId.eq(c.0));
    }
    if let Some(u) = f.unit {
        cond = cond.add(party_condition(u));
    }
    if let Some(p) = f.plan {
        cond = cond.add(item::Column::PlanId.eq(p.0));
    }
    if let Some(level) = f.level {
        cond = cond.add(item::Column::EscalationLevel.eq(level));
    }
    if let Some(day) = f.overdue_on {
        // Overdue is red: a running clock past the due date (a suspended item is not late).
        cond = cond
            .add(item::Column::DueOn.lt(day))
            .add(item::Column::State.is_in(running_states()));
    }
    if let Some(q) = f.text.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        cond = cond.add(
            Condition::any()
                .add(item::Column::Title.contains(q))
                .add(item::Column::Text.contains(q))
                .add(item::Column::Number.contains(q)),
        );
    }
    if let Some(scope) = &f.scope {
        cond = cond.add(scope_condition(scope, f.unit));
    }
    if let Some(l) = f.light {
        cond = cond.add(light_condition(&l));
    }
    if let Some(day) = f.lagging_on {
        cond = cond
            .add(item::Column::State.is_in(running_states()))
            .add(item::Column::DueOn.gte(day))
            .add(item::Column::LaggingOn.lte(day));
    }
    if f.extension_pending {
        cond = cond.add(item::Column::ExtensionRequested.is_not_null());
    }
    if f.instruction_pending {
        cond = cond.add(item::Column::InstructedAt.is_not_null());
    }
    if let Some(owners) = &f.owned_by {
        // No owner at all selects nothing: the primary key is never NULL.
        cond = cond.add(if owners.is_empty() {
            Condition::all().add(item::Column::Id.is_null())
        } else {
            Condition::all().add(item::Column::OwnerUnitId.is_in(owners.iter().map(|u| u.0)))
        });
    }
    if let Some(u) = f.closure_not_by {
        cond = cond.add(
            Condition::any()
                .add(item::Column::ClosureRequestedBy.is_null())
                .add(item::Column::ClosureRequestedBy.ne(u.0)),
        );
    }
    if f.escalated_open {
        let open: Vec<&str> = ItemState::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str())
            .collect();
        cond = cond
            .add(item::Column::EscalationLevel.gt(0))
            .add(item::Column::State.is_in(open));
    }
    cond
}

/// Items `u` leads or co-handles: one id list (the items it leads, by index, and its
/// co-unit rows), which the database builds once and looks the items up by, instead of
/// testing an `OR` on every row of the table.
fn party_condition(u: UnitId) -> Condition {
    use sea_orm::sea_query::{Query, UnionType};
    let mut leads = Query::select()
        .column(item::Column::Id)
        .from(item::Entity)
        .and_where(Expr::col(item::Column::LeadUnitId).eq(u.0))
        .to_owned();
    let co = Query::select()
        .column(item_co_unit::Column::ItemId)
        .from(item_co_unit::Entity)
        .and_where(Expr::col(item_co_unit::Column::UnitId).eq(u.0))
        .to_owned();
    Condition::all()
        .add(item::Column::Id.in_subquery(leads.union(UnionType::Distinct, co).to_owned()))
}

/// The SQL twin of [`Scope::admits`]; `scope_twin_agrees_with_admits` (e2e) checks them
/// against each other for every state × role × tie. `listed_party` is the unit the filter
/// already restricts to its own items: a scope whose only tie is that same unit adds
/// nothing to it, and building the unit's id list a second time doubled the cost of every
/// list a unit opens.
fn scope_condition(scope: &Scope, listed_party: Option<UnitId>) -> Condition {
    let mut cond = Condition::all();
    if !scope.drafts {
        cond = cond.add(item::Column::State.ne(ItemState::Draft.as_str()));
    }
    if scope.all {
        return cond;
    }
    if scope.owners.is_empty()
        && scope.chains.is_empty()
        && scope.party.is_some()
        && scope.party == listed_party
    {
        return cond;
    }
    // A scope with no ties sees nothing: the primary key is never NULL.
    if scope.owners.is_empty() && scope.party.is_none() && scope.chains.is_empty() {
        return cond.add(item::Column::Id.is_null());
    }
    let mut any = Condition::any();
    if !scope.owners.is_empty() {
        any = any.add(item::Column::OwnerUnitId.is_in(scope.owners.iter().map(|u| u.0)));
    }
    if let Some(u) = scope.party {
        any = any.add(party_condition(u));
    }
    if !scope.chains.is_empty() {
        any = any.add(item::Column::ChainId.is_in(scope.chains.iter().map(|c| c.0)));
    }
    cond.add(any)
}

/// The SQL twin of [`xiaohao_core::light::light_on`] (and so of the policy's light rule,
/// which `light_dates_agree_with_the_rule` proves it equal to). A row whose dates were not
/// computed yet (due date but no `near_due_on`) is neither yellow nor green until the
/// engine fills them in at start.
pub(crate) fn light_condition(f: &LightFilter) -> Condition {
    let running = || item::Column::State.is_in(running_states());
    match f.light {
        Light::Blue => Condition::all().add(item::Column::State.eq(ItemState::Closed.as_str())),
        Light::Grey => Condition::all().add(item::Column::State.is_in([
            ItemState::Draft.as_str(),
            ItemState::Cancelled.as_str(),
            ItemState::Suspended.as_str(),
        ])),
        Light::Red => Condition::all()
            .add(running())
            .add(item::Column::DueOn.lt(f.today)),
        // Due today or later: near the date, or lagging behind 序时进度.
        Light::Yellow => Condition::all()
            .add(running())
            .add(item::Column::DueOn.gte(f.today))
            .add(
                Condition::any()
                    .add(item::Column::NearDueOn.lte(f.today))
                    .add(item::Column::LaggingOn.lte(f.today)),
            ),
        Light::Green => Condition::all().add(running()).add(
            Condition::any().add(item::Column::DueOn.is_null()).add(
                Condition::all()
                    .add(item::Column::DueOn.gte(f.today))
                    .add(item::Column::NearDueOn.gt(f.today))
                    .add(
                        Condition::any()
                            .add(item::Column::LaggingOn.is_null())
                            .add(item::Column::LaggingOn.gt(f.today)),
                    ),
            ),
        ),
    }
}

pub(crate) fn running_states() -> Vec<&'static str> {
    ItemState::ALL
        .iter()
        .filter(|s| xiaohao_core::light::running(**s))
        .map(|s| s.as_str())
        .collect()
}
