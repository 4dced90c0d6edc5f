//! The office's workbench on the ledger: the ledger sorted by any of its columns, drafts
//! handed out (交办) in bulk, and an item corrected from a form. Every change is a command
//! through [`Engine::execute_if`] (one command path, cut to the user's scope); every figure
//! a column sorts by is the policy's (light, working days late).

use crate::{Engine, EngineError, Outcome, Principal};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::str::FromStr;
use xiaohao_core::{ChainId, Command, Item, ItemId, ItemState, Light, PersonId, UnitId};
use xiaohao_store::{ItemFilter, ItemPage};

/// The reason recorded on the edit a bulk 交办 makes before it hands a draft out.
pub const BULK_ASSIGN_REASON: &str = "批量交办";

/// A ledger column the page sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// 序号 as printed, read as numbers: (二) before (十二).
    Number,
    Title,
    Lead,
    Chain,
    State,
    Deadline,
    /// 逾期(工作日), the policy's count.
    DaysLate,
    /// Red first, as the policy colours.
    Light,
    Level,
    Percent,
}

impl SortKey {
    pub const ALL: [SortKey; 10] = [
        Self::Number,
        Self::Title,
        Self::Lead,
        Self::Chain,
        Self::State,
        Self::Deadline,
        Self::DaysLate,
        Self::Light,
        Self::Level,
        Self::Percent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Title => "title",
            Self::Lead => "lead",
            Self::Chain => "chain",
            Self::State => "state",
            Self::Deadline => "deadline",
            Self::DaysLate => "late",
            Self::Light => "light",
            Self::Level => "level",
            Self::Percent => "percent",
        }
    }
}

impl FromStr for SortKey {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| format!("`{s}` is not a ledger column"))
    }
}

/// A column and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerSort {
    pub key: SortKey,
    pub descending: bool,
}

/// One item's value in a sort column; an empty cell sorts last either way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue {
    Numbers(Vec<u32>, String),
    Int(i64),
    Text(String),
}

/// The numbers a printed 序号 carries, in order: `(十二)` → [12], `2.3` → [2, 3].
pub fn number_key(number: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut digits = String::new();
    let mut chinese = String::new();
    let flush = |digits: &mut String, chinese: &mut String, out: &mut Vec<u32>| {
        if !digits.is_empty() {
            out.push(digits.parse().unwrap_or(u32::MAX));
            digits.clear();
        }
        if !chinese.is_empty() {
            out.push(chinese_number(chinese));
            chinese.clear();
        }
    };
    for c in number.chars() {
        if c.is_ascii_digit() {
            if !chinese.is_empty() {
                flush(&mut digits, &mut chinese, &mut out);
            }
            digits.push(c);
        } else if chinese_digit(c).is_some() || matches!(c, '十' | '百') {
            if !digits.is_empty() {
                flush(&mut digits, &mut chinese, &mut out);
            }
            chinese.push(c);
        } else {
            flush(&mut digits, &mut chinese, &mut out);
        }
    }
    flush(&mut digits, &mut chinese, &mut out);
    out
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// 十二 → 12, 二十 → 20, 一百零五 → 105.
fn chinese_number(s: &str) -> u32 {
    let (mut total, mut digit) = (0u32, 0u32);
    for c in s.chars() {
        match c {
            '十' => {
                total += digit.max(1) * 10;
                digit = 0;
            }
            '百' => {
                total += digit.max(1) * 100;
                digit = 0;
            }
            other => digit = chinese_digit(other).unwrap_or(0),
        }
    }
    total + digit
}

fn light_rank(l: Light) -> i64 {
    match l {
        Light::Red => 0,
        Light::Yellow => 1,
        Light::Green => 2,
        Light::Blue => 3,
        Light::Grey => 4,
    }
}

/// What a bulk 交办 sets on every selected draft; `None` or empty keeps the draft's own.
#[derive(Debug, Clone, Default)]
pub struct BulkAssign {
    pub lead_unit: Option<String>,
    pub co_units: Vec<String>,
    pub leader: Option<String>,
    /// `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub chain: Option<String>,
}

/// What became of one selected draft.
#[derive(Debug)]
pub struct BulkRow {
    pub item: ItemId,
    /// The title, when the item could be read.
    pub title: Option<String>,
    pub result: Result<Outcome, EngineError>,
}

/// A correction of an item as a form sends it: names as typed, empty fields kept.
#[derive(Debug, Clone, Default)]
pub struct ItemEdit {
    pub title: Option<String>,
    pub text: Option<String>,
    pub number: Option<String>,
    /// Only while a draft: an assigned item changes hands by 转办.
    pub lead_unit: Option<String>,
    /// `Some` replaces the list (an empty list clears it).
    pub co_units: Option<Vec<String>>,
    pub leader: Option<String>,
    pub chain: Option<String>,
    pub reason: String,
}

fn blank(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

impl Engine {
    /// A page of the ledger `who` may read, sorted by a column (the store's order,
    /// newest first, without one). Sorting walks the matching items keeping only a key per
    /// item, so memory stays bounded; the light and days late are the policy's.
    ///
    /// # Errors
    /// On store failure.
    pub async fn ledger_page_for(
        &self,
        who: &Principal,
        mut filter: ItemFilter,
        sort: Option<LedgerSort>,
    ) -> Result<ItemPage, EngineError> {
        let Some(sort) = sort else {
            return self.list_for(who, filter).await;
        };
        filter.scope = Some(who.scope.clone());
        let units: HashMap<UnitId, String> = self.unit_names().await?;
        let chains: HashMap<ChainId, String> = self.chain_names().await?;
        let mut keys: Vec<(SortValue, chrono::DateTime<chrono::Utc>, ItemId)> = Vec::new();
        // By id, 2,000 at a time, without co-units (no sort key needs them); the light
        // filter by the policy's rule, as `Engine::walk` applies it.
        const BATCH: u64 = 2000;
        let mut after = None;
        loop {
            let batch = self
                .store()
                .items_after_without_co_units(&filter, after, BATCH)
                .await?;
            for it in &batch {
                if self.passes_light(&filter, it) {
                    keys.push((
                        self.sort_value(sort.key, it, &units, &chains),
                        it.created_at,
                        it.id,
                    ));
                }
            }
            match batch.last() {
                Some(last) if batch.len() as u64 == BATCH => after = Some(last.id),
                _ => break,
            }
        }
        keys.sort_by(|a, b| {
            let by_value = match (&a.0, &b.0) {
                // Empty cells last in both directions.
                (SortValue::Text(x), SortValue::Text(y)) if x.is_empty() != y.is_empty() => {
                    return x.is_empty().cmp(&y.is_empty());
                }
                (x, y) => x.cmp(y),
            };
            let by_value = if sort.descending {
                by_value.reverse()
            } else {
                by_value
            };
            by_value.then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
        });
        let limit = xiaohao_store::page_limit(filter.limit);
        let page: Vec<ItemId> = keys
            .iter()
            .skip(usize::try_from(filter.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|k| k.2)
            .collect();
        let mut found = self.store().items_by_ids(&page).await?;
        Ok(ItemPage {
            items: page.iter().filter_map(|id| found.remove(id)).collect(),
            total: keys.len() as u64,
            limit,
            offset: filter.offset,
        })
    }

    fn sort_value(
        &self,
        key: SortKey,
        it: &Item,
        units: &HashMap<UnitId, String>,
        chains: &HashMap<ChainId, String>,
    ) -> SortValue {
        let text = |s: Option<&String>| SortValue::Text(s.cloned().unwrap_or_default());
        match key {
            SortKey::Number => {
                let n = it.number.clone().unwrap_or_default();
                SortValue::Numbers(number_key(&n), n)
            }
            SortKey::Title => SortValue::Text(it.title.clone()),
            SortKey::Lead => text(it.lead_unit.as_ref().and_then(|u| units.get(u))),
            SortKey::Chain => text(it.chain_id.as_ref().and_then(|c| chains.get(c))),
            SortKey::State => SortValue::Int(
                ItemState::ALL
                    .iter()
                    .position(|s| *s == it.state)
                    .unwrap_or_default() as i64,
            ),
            SortKey::Deadline => SortValue::Int(it.deadline.map_or(i64::MAX, |d| {
                i64::from(chrono::Datelike::num_days_from_ce(&d))
            })),
            SortKey::DaysLate => SortValue::Int(self.lateness(it).working_days),
            SortKey::Light => SortValue::Int(light_rank(self.light_of(it))),
            SortKey::Level => SortValue::Int(i64::from(it.escalation_level)),
            SortKey::Percent => SortValue::Int(it.progress_percent.map_or(-1, i64::from)),
        }
    }

    /// 交办 the selected drafts with what `req` sets: for each, an edit (co-units, leader,
    /// chain) when asked, then the `assign` command — each through the one command path,
    /// within `who`'s scope. A draft that cannot be handed out is reported, not skipped
    /// silently, and the others go on. What would refuse the `assign` (not a draft, no lead
    /// unit) is checked before the edit, so a refused row is left as it was.
    ///
    /// # Errors
    /// `Invalid` naming the field when a unit, leader, chain or date of `req` is unknown or
    /// malformed (then nothing is done); store failures.
    pub async fn assign_drafts(
        &self,
        who: &Principal,
        ids: &[ItemId],
        req: &BulkAssign,
    ) -> Result<Vec<BulkRow>, EngineError> {
        let lead = match blank(req.lead_unit.as_ref()) {
            Some(k) => Some(self.unit_id("lead_unit", k).await?),
            None => None,
        };
        let mut co = Vec::new();
        for k in req
            .co_units
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            co.push(self.unit_id("co_units", k).await?);
        }
        let leader: Option<PersonId> = match blank(req.leader.as_ref()) {
            Some(k) => Some(self.person_id("leader", k).await?),
            None => None,
        };
        let chain = match blank(req.chain.as_ref()) {
            Some(k) => Some(self.chain_id(k).await?),
            None => None,
        };
        let deadline = blank(req.deadline.as_ref())
            .map(|d| crate::requests::parse_date("deadline", d))
            .transpose()?;
        let edit = (!co.is_empty() || leader.is_some() || chain.is_some()).then(|| Command::Edit {
            title: None,
            text: None,
            lead_unit: None,
            co_units: (!co.is_empty()).then(|| co.clone()),
            number: None,
            leader,
            chain,
            reason: BULK_ASSIGN_REASON.into(),
        });
        let assign = Command::Assign {
            lead_unit: lead,
            deadline,
        };
        let admit = |it: &Item| who.scope.admits(it);
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let item = match self.store().item(id).await {
                Ok(it) if admit(&it) => it,
                Ok(_) | Err(xiaohao_store::StoreError::NotFound { .. }) => {
                    out.push(BulkRow {
                        item: id,
                        title: None,
                        result: Err(xiaohao_store::StoreError::NotFound {
                            what: "item",
                            key: id.to_string(),
                        }
                        .into()),
                    });
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let title = Some(item.title.clone());
            // Only drafts are handed out; the edit must not land on anything else.
            if item.state != ItemState::Draft {
                out.push(BulkRow {
                    item: id,
                    title,
                    result: Err(xiaohao_core::DomainError::InvalidTransition {
                        state: item.state,
                        action: xiaohao_core::Action::Assign,
                        allowed: item.state.allowed_actions(),
                    }
                    .into()),
                });
                continue;
            }
            // Without a lead unit it cannot be handed out: refuse before any edit lands.
            if lead.is_none() && item.lead_unit.is_none() {
                out.push(BulkRow {
                    item: id,
                    title,
                    result: Err(xiaohao_core::DomainError::invalid(
                        "lead_unit",
                        "an item needs a lead unit (牵头单位) before it can be assigned",
                    )
                    .into()),
                });
                continue;
            }
            let edited = match &edit {
                Some(e) => match self.execute_if(id, &who.actor, e, None, admit).await {
                    Ok(_) => Ok(()),
                    // The draft already has all of it: go on to 交办.
                    Err(EngineError::Domain(xiaohao_core::DomainError::Invalid {
                        field: "edit",
                        ..
                    })) => Ok(()),
                    Err(e) => Err(e),
                },
                None => Ok(()),
            };
            let result = match edited {
                Ok(()) => self.execute_if(id, &who.actor, &assign, None, admit).await,
                Err(e) => Err(e),
            };
            out.push(BulkRow {
                item: id,
                title,
                result,
            });
        }
        Ok(out)
    }

    /// A person's name (牵头领导), for forms that show the current one.
    ///
    /// # Errors
    /// `Store(NotFound)` for an unknown id; store failures.
    pub async fn person_name(&self, id: PersonId) -> Result<String, EngineError> {
        Ok(self.store().person(id).await?.name)
    }

    /// Correct an item (编辑) as `who`: the `edit` command with the names of `req`
    /// resolved, at the version the form showed.
    ///
    /// # Errors
    /// `Invalid` naming the field; otherwise as [`Engine::execute`].
    pub async fn edit_as(
        &self,
        who: &Principal,
        id: ItemId,
        version: Option<i64>,
        req: &ItemEdit,
    ) -> Result<Outcome, EngineError> {
        let lead_unit = match blank(req.lead_unit.as_ref()) {
            Some(k) => Some(self.unit_id("lead_unit", k).await?),
            None => None,
        };
        let co_units = match &req.co_units {
            Some(keys) => {
                let mut ids = Vec::new();
                for k in keys.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                    ids.push(self.unit_id("co_units", k).await?);
                }
                Some(ids)
            }
            None => None,
        };
        let leader = match blank(req.leader.as_ref()) {
            Some(k) => Some(self.person_id("leader", k).await?),
            None => None,
        };
        let chain = match blank(req.chain.as_ref()) {
            Some(k) => Some(self.chain_id(k).await?),
            None => None,
        };
        let command = Command::Edit {
            title: req.title.clone(),
            text: req.text.clone(),
            lead_unit,
            co_units,
            number: req.number.clone(),
            leader,
            chain,
            reason: req.reason.clone(),
        };
        self.execute_if(id, &who.actor, &command, version, |it| who.scope.admits(it))
            .await
    }
}

/// Sort order of two sort values (for tests of the page order).
pub fn compare_numbers(a: &str, b: &str) -> Ordering {
    number_key(a).cmp(&number_key(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_numbers_sort_as_numbers() {
        assert_eq!(number_key("(十二)"), vec![12]);
        assert_eq!(number_key("(二十)"), vec![20]);
        assert_eq!(number_key("一百零五、"), vec![105]);
        assert_eq!(number_key("2.3"), vec![2, 3]);
        assert_eq!(number_key(""), Vec::<u32>::new());
        let mut v = vec!["(十二)", "(二)", "(一)", "(十)"];
        v.sort_by(|a, b| compare_numbers(a, b));
        assert_eq!(v, ["(一)", "(二)", "(十)", "(十二)"]);
    }

    #[test]
    fn sort_keys_round_trip() {
        for k in SortKey::ALL {
            assert_eq!(k.as_str().parse::<SortKey>(), Ok(k));
        }
        assert!("drop table".parse::<SortKey>().is_err());
    }
}
