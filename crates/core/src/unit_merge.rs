//! Merging a unit into another (an imported name that turns out to be an existing unit):
//! which units may be merged, and what becomes of each item that names the merged unit.
//!
//! Only a unit nobody has acted as may be merged: no accounts, no reports, no report
//! duties, no 对账单, no reminders, no closed items. Its open items change hands by the
//! normal commands (a draft is edited, an assigned item transferred), so each change has its
//! event; its name becomes an alias of the unit it joins.

use crate::command::Command;
use crate::ids::UnitId;
use crate::item::Item;
use crate::state::ItemState;

/// What refers to a unit besides open items, chain memberships, people and aliases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitUsage {
    pub accounts: u64,
    pub reports: u64,
    pub duties: u64,
    pub statements: u64,
    pub reminders: u64,
    pub closed_items: u64,
    /// Items it keeps as office (owner).
    pub kept_items: u64,
}

/// Why a merge is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MergeRefusal {
    #[error("a unit cannot be merged into itself")]
    SameUnit,
    #[error("the unit is in use: {count} {what}")]
    InUse { what: &'static str, count: u64 },
}

impl MergeRefusal {
    /// The refusal as the page says it.
    pub fn label_zh(self) -> String {
        match self {
            Self::SameUnit => "不能将单位并入其自身。".into(),
            Self::InUse { what, count } => {
                let noun = match what {
                    "accounts" => "个账号",
                    "reports" => "条进展报送",
                    "duties" => "项报送任务",
                    "statements" => "份对账单",
                    "reminders" => "条提醒",
                    "closed_items" => "项已办结事项",
                    _ => "项由其主管的事项",
                };
                format!("该单位已有{count}{noun}，不能合并；请编辑该单位或逐项转办。")
            }
        }
    }
}

/// Whether `from` may be merged into `into`, given what refers to `from`.
///
/// # Errors
/// The first reason it may not.
pub fn check_merge(from: UnitId, into: UnitId, usage: &UnitUsage) -> Result<(), MergeRefusal> {
    if from == into {
        return Err(MergeRefusal::SameUnit);
    }
    for (what, count) in [
        ("accounts", usage.accounts),
        ("reports", usage.reports),
        ("duties", usage.duties),
        ("statements", usage.statements),
        ("reminders", usage.reminders),
        ("closed_items", usage.closed_items),
        ("kept_items", usage.kept_items),
    ] {
        if count > 0 {
            return Err(MergeRefusal::InUse { what, count });
        }
    }
    Ok(())
}

/// The command that moves `item` from unit `from` to unit `into`, or `None` when the item
/// does not name `from`. A draft is edited (lead and co-units); an open item whose lead is
/// `from` is transferred; an open item that has `from` among its co-units has them edited.
pub fn merge_command(item: &Item, from: UnitId, into: UnitId, reason: &str) -> Option<Command> {
    let leads = item.lead_unit == Some(from);
    let co = item.co_units.contains(&from);
    if !leads && !co {
        return None;
    }
    let lead = if leads { Some(into) } else { item.lead_unit };
    let co_units = co.then(|| {
        let mut v: Vec<UnitId> = Vec::new();
        for u in item
            .co_units
            .iter()
            .map(|u| if *u == from { into } else { *u })
        {
            if Some(u) != lead && !v.contains(&u) {
                v.push(u);
            }
        }
        v
    });
    if item.state == ItemState::Draft {
        return Some(Command::Edit {
            title: None,
            text: None,
            lead_unit: leads.then_some(into),
            co_units,
            number: None,
            leader: None,
            chain: None,
            reason: reason.to_owned(),
        });
    }
    if leads {
        return Some(Command::Transfer {
            to: into,
            reason: reason.to_owned(),
        });
    }
    Some(Command::Edit {
        title: None,
        text: None,
        lead_unit: None,
        co_units,
        number: None,
        leader: None,
        chain: None,
        reason: reason.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_in_use_is_not_merged_and_says_why() {
        let (a, b) = (UnitId::new(), UnitId::new());
        assert_eq!(
            check_merge(a, a, &UnitUsage::default()),
            Err(MergeRefusal::SameUnit)
        );
        assert_eq!(check_merge(a, b, &UnitUsage::default()), Ok(()));
        let used = UnitUsage {
            accounts: 2,
            ..UnitUsage::default()
        };
        let refusal = check_merge(a, b, &used).unwrap_err();
        assert_eq!(
            refusal.label_zh(),
            "该单位已有2个账号，不能合并；请编辑该单位或逐项转办。"
        );
    }
}
