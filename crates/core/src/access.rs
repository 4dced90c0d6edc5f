//! Who may see what: account roles, the domain [`Actor`] each role acts as, and the
//! [`Scope`] of items a user may read. Pure; the store turns a scope into a query and the
//! engine checks single items with [`Scope::admits`].

use crate::command::{Actor, Capacity};
use crate::ids::{ChainId, UnitId};
use crate::item::Item;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The role of a user account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    /// Manages accounts; acts as an office and sees everything.
    Admin,
    /// 工作专班办公室: items it owns and items of the chains it is linked to.
    Office,
    /// A responsible unit: only items it leads or co-handles.
    Unit,
    /// 链长 / leader: reads the items of its chains.
    Leader,
    /// 督查室 / 效能办: reads everything, audits, escalates (督办).
    Supervision,
}

impl AccountRole {
    pub const ALL: [AccountRole; 5] = [
        Self::Admin,
        Self::Office,
        Self::Unit,
        Self::Leader,
        Self::Supervision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Office => "office",
            Self::Unit => "unit",
            Self::Leader => "leader",
            Self::Supervision => "supervision",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Admin => "系统管理员",
            Self::Office => "工作专班办公室",
            Self::Unit => "责任单位",
            Self::Leader => "牵头领导",
            Self::Supervision => "督查室",
        }
    }

    /// The capacity in which the domain sees this role act.
    pub fn capacity(self) -> Capacity {
        match self {
            Self::Admin | Self::Office => Capacity::Office,
            Self::Unit => Capacity::Unit,
            Self::Leader => Capacity::Leader,
            Self::Supervision => Capacity::Supervision,
        }
    }

    /// The domain actor for a user of this role in `unit`.
    pub fn actor(self, unit: UnitId, name: &str) -> Actor {
        Actor {
            unit: Some(unit),
            capacity: self.capacity(),
            name: name.to_owned(),
        }
    }

    /// May file new items and register units.
    pub fn may_file(self) -> bool {
        matches!(self, Self::Admin | Self::Office | Self::Supervision)
    }
}

impl fmt::Display for AccountRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role `{s}`; expected admin, office, unit, leader or supervision")
            })
    }
}

/// The items a user may read: all of them, or those matching any of the listed ties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub all: bool,
    /// Items this unit owns (filed; the office that keeps them).
    pub owner: Option<UnitId>,
    /// Items this unit leads or co-handles.
    pub party: Option<UnitId>,
    /// Items of these chains.
    pub chains: Vec<ChainId>,
}

impl Scope {
    pub fn all() -> Self {
        Self {
            all: true,
            ..Self::default()
        }
    }

    /// The scope of a user with `role` in `unit`; `chains` are the chains the unit is
    /// linked to (office) or the user leads (leader).
    pub fn of(role: AccountRole, unit: UnitId, chains: Vec<ChainId>) -> Self {
        match role {
            AccountRole::Admin | AccountRole::Supervision => Self::all(),
            AccountRole::Office => Self {
                all: false,
                owner: Some(unit),
                party: Some(unit),
                chains,
            },
            AccountRole::Unit => Self {
                all: false,
                owner: None,
                party: Some(unit),
                chains: Vec::new(),
            },
            AccountRole::Leader => Self {
                all: false,
                owner: None,
                party: None,
                chains,
            },
        }
    }

    pub fn admits(&self, item: &Item) -> bool {
        if self.all {
            return true;
        }
        if self.owner.is_some() && item.owner_unit == self.owner {
            return true;
        }
        if let Some(u) = self.party
            && (item.lead_unit == Some(u) || item.co_units.contains(&u))
        {
            return true;
        }
        item.chain_id.is_some_and(|c| self.chains.contains(&c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{ItemKind, NewItem};
    use crate::{ItemId, new_item};
    use chrono::Utc;

    fn item(owner: UnitId, lead: UnitId, co: UnitId, chain: Option<ChainId>) -> Item {
        let office = AccountRole::Office.actor(owner, "专班");
        let new = NewItem {
            kind: Some(ItemKind::Task),
            title: "x".into(),
            lead_unit: Some(lead),
            co_units: vec![co],
            chain_id: chain,
            ..NewItem::default()
        };
        new_item(ItemId::new(), &new, &office, Utc::now())
            .expect("file")
            .item
    }

    #[test]
    fn each_role_sees_what_its_scope_says() {
        let (office, lead, co, other) =
            (UnitId::new(), UnitId::new(), UnitId::new(), UnitId::new());
        let chain = ChainId::new();
        let on_chain = item(UnitId::new(), lead, co, Some(chain));
        let owned = item(office, lead, co, None);
        let unit = |u| Scope::of(AccountRole::Unit, u, vec![]);
        assert!(unit(lead).admits(&owned) && unit(co).admits(&owned));
        assert!(!unit(other).admits(&owned));
        let off = Scope::of(AccountRole::Office, office, vec![chain]);
        assert!(off.admits(&owned) && off.admits(&on_chain));
        assert!(!Scope::of(AccountRole::Office, office, vec![]).admits(&on_chain));
        let leader = Scope::of(AccountRole::Leader, other, vec![chain]);
        assert!(leader.admits(&on_chain) && !leader.admits(&owned));
        assert!(Scope::of(AccountRole::Supervision, other, vec![]).admits(&owned));
        assert!(!Scope::of(AccountRole::Leader, other, vec![]).admits(&on_chain));
    }

    #[test]
    fn roles_map_to_capacities_and_parse() {
        for r in AccountRole::ALL {
            assert_eq!(r.as_str().parse::<AccountRole>(), Ok(r));
        }
        assert_eq!(AccountRole::Admin.capacity(), Capacity::Office);
        assert_eq!(AccountRole::Leader.capacity(), Capacity::Leader);
        assert!(!AccountRole::Unit.may_file() && AccountRole::Supervision.may_file());
    }
}
