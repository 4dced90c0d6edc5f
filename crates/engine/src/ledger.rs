//! The 台账 as rows: what an export shows, and how an edited sheet turns back into
//! commands. The layout itself (columns, headers, the .xlsx and CSV writers, the reader) is
//! one definition in `xiaohao_import::ledger`; here every figure of a row is decided
//! (light, working days late) and an edited sheet becomes commands. Every change is a
//! command decided by the domain; the whole sheet is validated first and then applied in
//! one transaction — or refused with every row at fault named, and nothing applied.

use crate::{Engine, EngineError, Principal};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use xiaohao_core::light::Light;
use xiaohao_core::{
    Actor, ChainId, Command, Decision, Item, ItemId, ItemState, NewItem, UnitId, decide, new_item,
};
use xiaohao_import::ledger::{DeadlineCell, LedgerInput, LedgerRow, LightCell, read_ledger};
use xiaohao_store::{Atomicity, ItemFilter, Write};

/// The reason recorded on every command an imported sheet yields.
pub const LEDGER_REASON: &str = "台账导入";

/// One item as the exported ledger shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerEntry {
    pub item: Item,
    pub chain: Option<String>,
    pub lead: Option<String>,
    pub co: Vec<String>,
    pub leader: Option<String>,
    pub light: Light,
    pub latest_progress: Option<String>,
    /// [`Engine::working_days_late`]: 0 when not late.
    pub working_days_late: i64,
}

impl LedgerEntry {
    /// The entry as a row of the one 台账 layout, the same for every export.
    pub fn row(&self) -> LedgerRow {
        let item = &self.item;
        LedgerRow {
            number: item.number.clone().unwrap_or_default(),
            kind: item.kind.label_zh().to_owned(),
            title: item.title.clone(),
            chain: self.chain.clone().unwrap_or_default(),
            lead: self.lead.clone().unwrap_or_default(),
            co: self.co.clone(),
            leader: self.leader.clone().unwrap_or_default(),
            deadline: match (item.deadline, &item.deadline_text) {
                (Some(d), _) => DeadlineCell::Date(d),
                (None, Some(t)) => DeadlineCell::Text(t.clone()),
                (None, None) => DeadlineCell::Empty,
            },
            state: item.state.label_zh().to_owned(),
            light: match self.light {
                Light::Red => LightCell::Red,
                Light::Yellow => LightCell::Yellow,
                Light::Green => LightCell::Green,
                Light::Blue | Light::Grey => LightCell::None,
            },
            percent: item.progress_percent,
            working_days_late: (self.working_days_late > 0).then_some(self.working_days_late),
            escalation: if item.escalation_level > 0 {
                format!("{}级", item.escalation_level)
            } else {
                String::new()
            },
            latest_progress: self.latest_progress.clone().unwrap_or_default(),
            text: item.text.clone(),
            id: item.id.to_string(),
        }
    }
}

/// A deadline cell as read: the layout's own type.
pub type LedgerDeadline = DeadlineCell;

/// One row of an edited ledger, as the layout's reader returns it. `None` for a column the
/// sheet does not have.
pub type LedgerLine = LedgerInput;

/// A row that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub row: u32,
    pub reason: String,
}

/// What one row will do.
#[derive(Debug, Clone, Serialize)]
pub struct LineChange {
    pub row: u32,
    pub item: ItemId,
    /// `create`, or the actions in order (`edit`, `transfer`, `reschedule`).
    pub actions: Vec<String>,
}

/// The validated effect of a sheet, ready to commit.
#[derive(Debug, Clone, Default)]
pub struct LedgerPlan {
    pub new_items: Vec<(Decision, Vec<xiaohao_core::Target>)>,
    pub decisions: Vec<Decision>,
    pub changes: Vec<LineChange>,
    pub unchanged: usize,
    pub errors: Vec<LineError>,
}

/// Rows read per page of a streamed ledger.
const LEDGER_PAGE: u64 = 1000;

/// The ledger page by page in plan order (filed first first): items with names, light,
/// latest progress and working days late, read by keyset pages so memory stays flat.
pub struct LedgerCursor {
    engine: Engine,
    filter: ItemFilter,
    after: Option<(chrono::DateTime<chrono::Utc>, ItemId)>,
    done: bool,
    units: HashMap<UnitId, String>,
    chains: HashMap<ChainId, String>,
    people: HashMap<xiaohao_core::PersonId, String>,
}

impl LedgerCursor {
    /// The next page; empty at the end.
    ///
    /// # Errors
    /// On store failure.
    pub async fn next_page(&mut self) -> Result<Vec<LedgerEntry>, EngineError> {
        if self.done {
            return Ok(Vec::new());
        }
        let store = self.engine.store();
        let items = store
            .items_filed_after(&self.filter, self.after, LEDGER_PAGE)
            .await?;
        self.done = (items.len() as u64) < LEDGER_PAGE;
        self.after = items.last().map(|i| (i.created_at, i.id));
        let ids: Vec<ItemId> = items.iter().map(|i| i.id).collect();
        let mut progress = store.latest_progress_of(&ids).await?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let leader = match item.leader {
                Some(p) => {
                    if let std::collections::hash_map::Entry::Vacant(e) = self.people.entry(p) {
                        e.insert(store.person(p).await?.name);
                    }
                    self.people.get(&p).cloned()
                }
                None => None,
            };
            out.push(LedgerEntry {
                chain: item.chain_id.and_then(|c| self.chains.get(&c).cloned()),
                lead: item.lead_unit.and_then(|u| self.units.get(&u).cloned()),
                co: item
                    .co_units
                    .iter()
                    .filter_map(|u| self.units.get(u).cloned())
                    .collect(),
                leader,
                light: self.engine.light_of(&item),
                latest_progress: progress.remove(&item.id),
                working_days_late: self.engine.working_days_late(&item),
                item,
            });
        }
        Ok(out)
    }

    /// Every remaining entry at once (the command line, tests).
    ///
    /// # Errors
    /// On store failure.
    pub async fn collect(mut self) -> Result<Vec<LedgerEntry>, EngineError> {
        let mut all = Vec::new();
        loop {
            let page = self.next_page().await?;
            if page.is_empty() {
                return Ok(all);
            }
            all.extend(page);
        }
    }
}

impl Engine {
    /// Every item (optionally of one chain, or led or co-handled by one unit) as the
    /// ledger shows it, in plan order. For the command line, which sees everything.
    ///
    /// # Errors
    /// On store failure.
    pub async fn ledger(
        &self,
        chain: Option<ChainId>,
        unit: Option<UnitId>,
    ) -> Result<Vec<LedgerEntry>, EngineError> {
        let filter = ItemFilter {
            chain,
            unit,
            ..Default::default()
        };
        self.ledger_cursor(filter).await?.collect().await
    }

    /// The items `who` may read that match `filter` (no paging), as the ledger shows
    /// them, in plan order.
    ///
    /// # Errors
    /// On store failure.
    pub async fn ledger_for(
        &self,
        who: &Principal,
        filter: ItemFilter,
    ) -> Result<Vec<LedgerEntry>, EngineError> {
        self.ledger_cursor_for(who, filter).await?.collect().await
    }

    /// The ledger `who` may read that matches `filter`, page by page in plan order: the
    /// web download streams it in bounded memory.
    ///
    /// # Errors
    /// On store failure.
    pub async fn ledger_cursor_for(
        &self,
        who: &Principal,
        mut filter: ItemFilter,
    ) -> Result<LedgerCursor, EngineError> {
        filter.scope = Some(who.scope.clone());
        self.ledger_cursor(filter).await
    }

    async fn ledger_cursor(&self, filter: ItemFilter) -> Result<LedgerCursor, EngineError> {
        Ok(LedgerCursor {
            engine: self.clone(),
            filter,
            after: None,
            done: false,
            units: self.unit_names().await?,
            chains: self.chain_names().await?,
            people: HashMap::new(),
        })
    }

    /// Read an edited workbook of the 台账 layout and validate it against the ledger
    /// ([`Engine::plan_ledger_import`]); rows the reader refused are among the errors,
    /// in row order. Nothing is written.
    ///
    /// # Errors
    /// `Invalid` (field `ledger`) when the bytes are not a ledger workbook; store failures.
    pub async fn plan_ledger_workbook(
        &self,
        actor: &Actor,
        bytes: &[u8],
    ) -> Result<LedgerPlan, EngineError> {
        let (lines, unreadable) =
            read_ledger(bytes).map_err(|e| EngineError::invalid("ledger", e.to_string()))?;
        let mut plan = self.plan_ledger_import(actor, &lines).await?;
        plan.errors
            .extend(unreadable.into_iter().map(|e| LineError {
                row: e.row,
                reason: e.reason,
            }));
        plan.errors.sort_by_key(|e| e.row);
        Ok(plan)
    }

    /// Read, validate and apply an edited workbook in one transaction; with any row at
    /// fault, apply nothing and name them all.
    ///
    /// # Errors
    /// As [`Engine::plan_ledger_workbook`] and [`Engine::import_ledger`].
    #[tracing::instrument(name = "import_ledger", skip_all, fields(actor = %actor.name))]
    pub async fn import_ledger_workbook(
        &self,
        actor: &Actor,
        bytes: &[u8],
    ) -> Result<LedgerPlan, EngineError> {
        let plan = self.plan_ledger_workbook(actor, bytes).await?;
        self.apply_ledger_plan(plan).await
    }

    /// Validate an edited sheet against the ledger: new rows become drafts, changed rows
    /// commands (序号/title/text/co-units/牵头领导/draft lead → `edit`; lead of an assigned item →
    /// `transfer`; deadline → `reschedule`), each decided by the domain in order. Nothing
    /// is written.
    ///
    /// # Errors
    /// On store failure; rows that cannot be applied are in `errors`.
    pub async fn plan_ledger_import(
        &self,
        actor: &Actor,
        lines: &[LedgerLine],
    ) -> Result<LedgerPlan, EngineError> {
        let actor = &self.with_jurisdiction(actor).await?;
        let mut plan = LedgerPlan::default();
        let now = self.now();
        let mut seen: HashSet<ItemId> = HashSet::new();
        for line in lines {
            let row = line.row;
            let mut fail = |reason: String| {
                plan.errors.push(LineError { row, reason });
            };
            let lead = match line.lead.as_deref() {
                Some(k) => match self.store().resolve_unit(k).await {
                    Ok(u) => Some(u.id),
                    Err(_) => {
                        fail(format!("牵头单位: unknown unit `{k}`"));
                        continue;
                    }
                },
                None => None,
            };
            let mut co = None;
            if let Some(names) = &line.co {
                let mut ids = Vec::new();
                let mut bad = None;
                for k in names {
                    match self.store().resolve_unit(k).await {
                        Ok(u) => ids.push(u.id),
                        Err(_) => {
                            bad = Some(k.clone());
                            break;
                        }
                    }
                }
                if let Some(k) = bad {
                    fail(format!("责任单位: unknown unit `{k}`"));
                    continue;
                }
                co = Some(ids);
            }
            let Some(raw_id) = line.id.as_deref() else {
                let new_leader = match line.leader.as_deref() {
                    Some(name) => match self.store().people_named(name).await?.as_slice() {
                        [one] => Some(one.id),
                        _ => {
                            fail(format!("牵头领导: unknown or ambiguous person `{name}`"));
                            continue;
                        }
                    },
                    None => None,
                };
                let (deadline, deadline_text) = match &line.deadline {
                    Some(LedgerDeadline::Date(d)) => (Some(*d), None),
                    Some(LedgerDeadline::Text(t)) => (None, Some(t.clone())),
                    _ => (None, None),
                };
                let new = NewItem {
                    number: line.number.clone(),
                    title: line.title.clone(),
                    text: line.text.clone().unwrap_or_default(),
                    lead_unit: lead,
                    co_units: co.unwrap_or_default(),
                    leader: new_leader,
                    deadline,
                    deadline_text,
                    ..Default::default()
                };
                match new_item(ItemId::new(), &new, actor, now) {
                    Ok(d) => {
                        plan.changes.push(LineChange {
                            row,
                            item: d.item.id,
                            actions: vec!["create".into()],
                        });
                        plan.new_items.push((d, Vec::new()));
                    }
                    Err(e) => fail(e.to_string()),
                }
                continue;
            };
            let Ok(id) = raw_id.parse::<ItemId>() else {
                fail(format!("ID `{raw_id}` is not an item id"));
                continue;
            };
            if !seen.insert(id) {
                fail(format!("ID `{raw_id}` appears on more than one row"));
                continue;
            }
            let item = match self.store().item(id).await {
                Ok(i) => i,
                Err(xiaohao_store::StoreError::NotFound { .. }) => {
                    fail(format!("no item with ID `{raw_id}`"));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let mut commands = Vec::new();
            let title = (line.title.trim() != item.title).then(|| line.title.clone());
            let text = line
                .text
                .as_ref()
                .filter(|t| t.trim() != item.text)
                .cloned();
            let co_units = co.filter(|c| {
                let mut c = c.clone();
                c.retain(|u| Some(*u) != lead.or(item.lead_unit));
                c != item.co_units
            });
            let number = line
                .number
                .as_deref()
                .map(str::trim)
                .filter(|n| Some(*n) != item.number.as_deref())
                .map(str::to_owned);
            let mut leader = None;
            if let Some(name) = line.leader.as_deref().map(str::trim) {
                let current = match item.leader {
                    Some(p) => Some(self.store().person(p).await?.name),
                    None => None,
                };
                if current.as_deref() != Some(name) {
                    match self.store().people_named(name).await?.as_slice() {
                        [one] => leader = Some(one.id),
                        [] => {
                            fail(format!("牵头领导: unknown person `{name}`"));
                            continue;
                        }
                        _ => {
                            fail(format!("牵头领导: `{name}` names several people"));
                            continue;
                        }
                    }
                }
            }
            let mut edit_lead = None;
            match (lead, item.lead_unit) {
                (None, Some(_)) => {
                    fail("牵头单位 cannot be cleared".into());
                    continue;
                }
                (Some(l), cur) if Some(l) != cur => {
                    if item.state == ItemState::Draft {
                        edit_lead = Some(l);
                    } else {
                        commands.push(Command::Transfer {
                            to: l,
                            reason: LEDGER_REASON.into(),
                        });
                    }
                }
                _ => {}
            }
            if title.is_some()
                || text.is_some()
                || co_units.is_some()
                || edit_lead.is_some()
                || number.is_some()
                || leader.is_some()
            {
                commands.insert(
                    0,
                    Command::Edit {
                        title,
                        text,
                        lead_unit: edit_lead,
                        co_units,
                        number,
                        leader,
                        chain: None,
                        reason: LEDGER_REASON.into(),
                    },
                );
            }
            match &line.deadline {
                Some(LedgerDeadline::Date(d)) if item.deadline != Some(*d) => {
                    commands.push(Command::Reschedule {
                        deadline: *d,
                        reason: LEDGER_REASON.into(),
                    });
                }
                Some(LedgerDeadline::Text(t))
                    if item.deadline.is_some()
                        || item.deadline_text.as_deref() != Some(t.as_str()) =>
                {
                    fail(format!(
                        "完成时限: `{t}` is not a date; only a date can be set by import"
                    ));
                    continue;
                }
                Some(LedgerDeadline::Empty)
                    if item.deadline.is_some() || item.deadline_text.is_some() =>
                {
                    fail("完成时限 cannot be cleared".into());
                    continue;
                }
                _ => {}
            }
            if commands.is_empty() {
                plan.unchanged += 1;
                continue;
            }
            let mut current = item;
            let mut decisions = Vec::new();
            let mut refused = None;
            for c in &commands {
                match decide(&current, actor, c, now) {
                    Ok(d) => {
                        current = d.item.clone();
                        decisions.push(d);
                    }
                    Err(e) => {
                        refused = Some(format!("{}: {e}", c.action()));
                        break;
                    }
                }
            }
            if let Some(reason) = refused {
                fail(reason);
                continue;
            }
            plan.changes.push(LineChange {
                row,
                item: id,
                actions: commands.iter().map(|c| c.action().to_string()).collect(),
            });
            plan.decisions.extend(decisions);
        }
        Ok(plan)
    }

    /// Validate the sheet, then apply every row in one transaction; with any row at
    /// fault, apply nothing and name them all.
    ///
    /// # Errors
    /// `Invalid` (field `ledger`) listing the rows at fault; `Conflict` when an item
    /// changed meanwhile; store failures.
    pub async fn import_ledger(
        &self,
        actor: &Actor,
        lines: &[LedgerLine],
    ) -> Result<LedgerPlan, EngineError> {
        let plan = self.plan_ledger_import(actor, lines).await?;
        self.apply_ledger_plan(plan).await
    }

    /// Commit a validated plan, or refuse it whole when any row is at fault.
    ///
    /// # Errors
    /// `Invalid` when any row is at fault, `Conflict` when an item changed since it was read;
    /// nothing is written then.
    pub async fn apply_ledger_plan(&self, plan: LedgerPlan) -> Result<LedgerPlan, EngineError> {
        if !plan.errors.is_empty() {
            return Err(EngineError::invalid("ledger", plan.refusal()));
        }
        let writes: Vec<Write> = plan
            .new_items
            .iter()
            .map(|(d, targets)| Write::create(d.clone(), targets.clone()))
            .chain(plan.decisions.iter().cloned().map(Write::decision))
            .collect();
        self.store().write(&writes, Atomicity::All).await?;
        Ok(plan)
    }
}

impl LedgerPlan {
    /// Why nothing of this plan may be applied: every row at fault, named as Excel numbers
    /// it (`第4行: …`).
    pub fn refusal(&self) -> String {
        format!(
            "nothing imported; {} row(s) cannot be applied: {}",
            self.errors.len(),
            self.errors
                .iter()
                .map(|e| format!("第{}行: {}", e.row, e.reason))
                .collect::<Vec<_>>()
                .join("; ")
        )
    }
}
