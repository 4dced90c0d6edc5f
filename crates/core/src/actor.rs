//! Who acts: a person or process in a capacity (office, unit, leader, supervision,
//! system), and the roles that capacity gives towards one item.

use crate::access::Jurisdiction;
use crate::ids::UnitId;
use crate::item::Item;
use crate::state::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// In which capacity a person or process acts. Roles towards a given item follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// A member of a task-force office (工作专班).
    Office,
    /// A member of a responsible unit; lead or co-unit depending on the item.
    Unit,
    /// 督查室 / 效能办.
    Supervision,
    /// A leader: reads, does not move items.
    Leader,
    /// The scheduler.
    System,
}

impl Capacity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Office => "office",
            Self::Unit => "unit",
            Self::Supervision => "supervision",
            Self::Leader => "leader",
            Self::System => "system",
        }
    }
}

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub unit: Option<UnitId>,
    pub capacity: Capacity,
    /// A readable name for the audit trail: the unit or person.
    pub name: String,
    /// Where an office uses office powers; ignored for other capacities.
    #[serde(default)]
    pub jurisdiction: Jurisdiction,
}

impl Actor {
    pub fn system() -> Self {
        Self {
            unit: None,
            capacity: Capacity::System,
            name: "system".into(),
            jurisdiction: Jurisdiction::OwnUnit,
        }
    }

    /// An office holding office powers over `item`: its jurisdiction covers the item's owner.
    pub fn governs(&self, item: &Item) -> bool {
        self.capacity == Capacity::Office && self.jurisdiction.covers(self.unit, item.owner_unit)
    }

    /// The roles this actor holds towards `item`.
    pub fn roles_for(&self, item: &Item) -> BTreeSet<Role> {
        let mut roles = BTreeSet::new();
        match self.capacity {
            Capacity::Office => {
                if self.governs(item) {
                    roles.insert(Role::Office);
                }
            }
            Capacity::Supervision => {
                roles.insert(Role::Supervision);
            }
            Capacity::System => {
                roles.insert(Role::System);
            }
            // A leader acts only on items the engine lets him read (his chains).
            Capacity::Leader => {
                roles.insert(Role::Leader);
            }
            Capacity::Unit => {}
        }
        if matches!(self.capacity, Capacity::Unit | Capacity::Office)
            && let Some(unit) = self.unit
        {
            if item.lead_unit == Some(unit) {
                roles.insert(Role::LeadUnit);
            } else if item.co_units.contains(&unit) {
                roles.insert(Role::CoUnit);
            }
        }
        roles
    }

    pub(crate) fn describe(&self) -> String {
        format!("{} ({})", self.name, self.capacity.as_str())
    }
}
