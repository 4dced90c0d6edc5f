//! Who may see what and who may act where: account roles, the domain [`Actor`] each role
//! acts as, the [`Scope`] of items a user may read, and the [`Jurisdiction`] over which an
//! office uses its office powers. Pure; the store turns a scope into a query, the engine
//! checks single items with [`Scope::admits`] and loads the org tree for
//! [`Jurisdiction::office`].

use crate::command::{Actor, Capacity};
use crate::ids::{ChainId, UnitId};
use crate::item::Item;
use crate::state::ItemState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
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

    /// The domain actor for a user of this role in `unit`. An office's jurisdiction is its
    /// own unit until the engine widens it to the unit's subtree ([`Jurisdiction::office`]);
    /// an administrator's is everything.
    pub fn actor(self, unit: UnitId, name: &str) -> Actor {
        Actor {
            unit: Some(unit),
            capacity: self.capacity(),
            name: name.to_owned(),
            jurisdiction: if self == Self::Admin {
                Jurisdiction::All
            } else {
                Jurisdiction::OwnUnit
            },
        }
    }

    /// Sees items while they are drafts (待交办). Units and leaders see an item only from
    /// 交办 on: a draft is the office's working copy, not yet anybody's task.
    pub fn sees_drafts(self) -> bool {
        !matches!(self, Self::Unit | Self::Leader)
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

/// Over which items an actor in the office capacity uses office powers (the `office` role
/// of the transition table: 交办, 核验, 暂缓, 撤销, 转办, 调整时限 …): the items owned
/// (`owner_unit`) by its own unit or by a unit below it in the org tree. A 领导小组办公室
/// above the chains' 专班 acts on all of theirs; one chain's 专班 never on another's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jurisdiction {
    /// Items owned by the actor's own unit: what an actor carries until the engine has
    /// loaded the org tree. Never wider than the truth.
    #[default]
    OwnUnit,
    /// Items owned by one of these units: the office's unit and every unit below it.
    Units(BTreeSet<UnitId>),
    /// Every item: administrators.
    All,
}

impl Jurisdiction {
    /// The jurisdiction of an office in `office`, given every unit's parent. Cycles in the
    /// parent links (a data error) end the walk instead of looping.
    pub fn office(office: UnitId, parents: &[(UnitId, Option<UnitId>)]) -> Self {
        let mut below = BTreeSet::from([office]);
        loop {
            let before = below.len();
            for (unit, parent) in parents {
                if parent.is_some_and(|p| below.contains(&p)) {
                    below.insert(*unit);
                }
            }
            if below.len() == before {
                return Self::Units(below);
            }
        }
    }

    /// Whether an office acting from `own_unit` holds office powers over an item owned by
    /// `owner`. An item without an owner is nobody's but the administrators'.
    pub fn covers(&self, own_unit: Option<UnitId>, owner: Option<UnitId>) -> bool {
        match self {
            Self::All => true,
            Self::Units(units) => owner.is_some_and(|o| units.contains(&o)),
            Self::OwnUnit => owner.is_some() && owner == own_unit,
        }
    }

    /// The owners whose items this jurisdiction governs (the SQL twin of
    /// [`Jurisdiction::covers`]); `None` for every item.
    pub fn governed_owners(&self, own_unit: Option<UnitId>) -> Option<Vec<UnitId>> {
        match self {
            Self::All => None,
            Self::Units(units) => Some(units.iter().copied().collect()),
            Self::OwnUnit => Some(own_unit.into_iter().collect()),
        }
    }

    /// The owners whose items this jurisdiction reaches, besides `own_unit` (for the
    /// [`Scope`] of an office, which reads what it may act on).
    fn owners(&self, own_unit: UnitId) -> Vec<UnitId> {
        match self {
            Self::Units(units) => units.iter().copied().collect(),
            Self::OwnUnit | Self::All => vec![own_unit],
        }
    }
}

/// The items a user may read: all of them, or those matching any of the listed ties —
/// drafts only when `drafts` says so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub all: bool,
    /// Drafts (待交办) are readable; otherwise an item is readable only from 交办 on.
    pub drafts: bool,
    /// Items owned (filed, kept) by one of these units: an office's unit and the units
    /// below it.
    pub owners: Vec<UnitId>,
    /// Items this unit leads or co-handles.
    pub party: Option<UnitId>,
    /// Items of these chains.
    pub chains: Vec<ChainId>,
}

impl Scope {
    pub fn all() -> Self {
        Self {
            all: true,
            drafts: true,
            ..Self::default()
        }
    }

    /// The scope of a user with `role` in `unit`; `chains` are the chains the unit is
    /// linked to (office) or the user leads (leader); `jurisdiction` is the office's
    /// (it reads every item it may act on).
    pub fn of(
        role: AccountRole,
        unit: UnitId,
        chains: Vec<ChainId>,
        jurisdiction: &Jurisdiction,
    ) -> Self {
        let drafts = role.sees_drafts();
        match role {
            AccountRole::Admin | AccountRole::Supervision => Self::all(),
            AccountRole::Office => Self {
                all: false,
                drafts,
                owners: jurisdiction.owners(unit),
                party: Some(unit),
                chains,
            },
            AccountRole::Unit => Self {
                all: false,
                drafts,
                owners: Vec::new(),
                party: Some(unit),
                chains: Vec::new(),
            },
            AccountRole::Leader => Self {
                all: false,
                drafts,
                owners: Vec::new(),
                party: None,
                chains,
            },
        }
    }

    /// The one rule of reading; the store's `scope_condition` is its SQL twin.
    pub fn admits(&self, item: &Item) -> bool {
        if item.state == ItemState::Draft && !self.drafts {
            return false;
        }
        if self.all {
            return true;
        }
        if item.owner_unit.is_some_and(|o| self.owners.contains(&o)) {
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
    use chrono::{DateTime, Utc};

    const OWN: &Jurisdiction = &Jurisdiction::OwnUnit;

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
        let mut item = new_item(ItemId::new(), &new, &office, DateTime::<Utc>::UNIX_EPOCH)
            .expect("file")
            .item;
        item.state = ItemState::Assigned;
        item
    }

    #[test]
    fn each_role_sees_what_its_scope_says() {
        let (office, lead, co, other) =
            (UnitId::new(), UnitId::new(), UnitId::new(), UnitId::new());
        let chain = ChainId::new();
        let on_chain = item(UnitId::new(), lead, co, Some(chain));
        let owned = item(office, lead, co, None);
        let unit = |u| Scope::of(AccountRole::Unit, u, vec![], OWN);
        assert!(unit(lead).admits(&owned) && unit(co).admits(&owned));
        assert!(!unit(other).admits(&owned));
        let off = Scope::of(AccountRole::Office, office, vec![chain], OWN);
        assert!(off.admits(&owned) && off.admits(&on_chain));
        assert!(!Scope::of(AccountRole::Office, office, vec![], OWN).admits(&on_chain));
        let leader = Scope::of(AccountRole::Leader, other, vec![chain], OWN);
        assert!(leader.admits(&on_chain) && !leader.admits(&owned));
        assert!(Scope::of(AccountRole::Supervision, other, vec![], OWN).admits(&owned));
        assert!(!Scope::of(AccountRole::Leader, other, vec![], OWN).admits(&on_chain));
    }

    #[test]
    fn drafts_are_office_only() {
        let (office, lead, co) = (UnitId::new(), UnitId::new(), UnitId::new());
        let chain = ChainId::new();
        let mut draft = item(office, lead, co, Some(chain));
        draft.state = ItemState::Draft;
        for role in AccountRole::ALL {
            let unit = if role == AccountRole::Office {
                office
            } else {
                lead
            };
            let scope = Scope::of(role, unit, vec![chain], OWN);
            assert_eq!(scope.admits(&draft), role.sees_drafts(), "{role}");
            let mut assigned = draft.clone();
            assigned.state = ItemState::Assigned;
            assert!(scope.admits(&assigned), "{role} sees it from 交办 on");
        }
        // The lead unit, a co-unit and the chain's leader: none of them sees the draft.
        assert!(!Scope::of(AccountRole::Unit, co, vec![], OWN).admits(&draft));
        assert!(!AccountRole::Unit.sees_drafts() && !AccountRole::Leader.sees_drafts());
    }

    #[test]
    fn office_powers_reach_only_the_offices_subtree() {
        // 领导小组办公室 → 石化专班 → 古雷专班; 新能源专班 beside 石化.
        let (top, petro, gulei, energy) =
            (UnitId::new(), UnitId::new(), UnitId::new(), UnitId::new());
        let parents = [
            (top, None),
            (petro, Some(top)),
            (gulei, Some(petro)),
            (energy, Some(top)),
        ];
        let of = |u| Jurisdiction::office(u, &parents);
        assert!(
            [top, petro, gulei, energy]
                .iter()
                .all(|o| of(top).covers(Some(top), Some(*o)))
        );
        assert!(of(petro).covers(Some(petro), Some(gulei)));
        assert!(!of(petro).covers(Some(petro), Some(energy)));
        assert!(!of(petro).covers(Some(petro), Some(top)), "never upwards");
        assert!(!of(energy).covers(Some(energy), Some(petro)));
        assert!(
            !of(gulei).covers(Some(gulei), None),
            "no owner: admins only"
        );
        assert!(Jurisdiction::All.covers(None, None));
        assert!(OWN.covers(Some(petro), Some(petro)) && !OWN.covers(Some(petro), Some(gulei)));
        // A cycle in the parent links ends the walk.
        let cyclic = [(petro, Some(gulei)), (gulei, Some(petro))];
        assert_eq!(
            Jurisdiction::office(petro, &cyclic),
            Jurisdiction::Units(BTreeSet::from([petro, gulei]))
        );
        // An office reads what it may act on.
        let scope = Scope::of(AccountRole::Office, top, vec![], &of(top));
        assert!(scope.admits(&item(gulei, UnitId::new(), UnitId::new(), None)));
        assert_eq!(
            AccountRole::Admin.actor(top, "x").jurisdiction,
            Jurisdiction::All
        );
        assert_eq!(AccountRole::Office.actor(top, "x").jurisdiction, *OWN);
        // The owners listed for SQL are exactly those `covers` admits.
        for (j, own) in [
            (of(top), top),
            (of(petro), petro),
            (OWN.clone(), petro),
            (Jurisdiction::All, top),
        ] {
            for owner in [top, petro, gulei, energy] {
                let listed = j
                    .governed_owners(Some(own))
                    .is_none_or(|o| o.contains(&owner));
                assert_eq!(listed, j.covers(Some(own), Some(owner)), "{j:?} {owner}");
            }
        }
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
