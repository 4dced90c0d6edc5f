//! The ledger item: a task (任务) or a problem (问题) with its lead unit, deadline and targets.

use crate::ids::{ChainId, ItemId, PersonId, PlanId, UnitId};
use crate::state::ItemState;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 任务: from a work plan, with a deadline or a standing duty.
    Task,
    /// 问题: raised by an enterprise or found by supervision; answered on an SLA.
    Problem,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Task => "task",
            Self::Problem => "problem",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Task => "任务",
            Self::Problem => "问题",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ItemKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "task" | "任务" => Ok(Self::Task),
            "problem" | "问题" => Ok(Self::Problem),
            _ => Err(format!("unknown item kind `{s}`; expected task or problem")),
        }
    }
}

/// 共性 problems concern many enterprises; 个别 ones a single case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemClass {
    Common,
    Individual,
}

impl ItemClass {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Common => "common",
            Self::Individual => "individual",
        }
    }
}

impl FromStr for ItemClass {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "common" | "共性" => Ok(Self::Common),
            "individual" | "个别" => Ok(Self::Individual),
            _ => Err(format!(
                "unknown item class `{s}`; expected common (共性) or individual (个别)"
            )),
        }
    }
}

/// A quantified target such as 力争2021年产值320亿元.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub metric: String,
    pub value: f64,
    pub unit: String,
    pub year: Option<i32>,
    /// ">=", ">", "<=", "<", "=" or none.
    pub cmp: Option<String>,
}

/// A ledger item as the domain sees it. Persisted as one row (co-units in a side table);
/// `version` increases by one with every accepted command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    pub kind: ItemKind,
    /// The number as printed in the plan: `(十二)`, `2.`.
    pub number: Option<String>,
    pub title: String,
    pub text: String,
    pub plan_id: Option<PlanId>,
    pub chain_id: Option<ChainId>,
    /// The office (工作专班) that keeps this item in its ledger and verifies closures.
    pub owner_unit: Option<UnitId>,
    pub lead_unit: Option<UnitId>,
    pub co_units: Vec<UnitId>,
    pub leader: Option<PersonId>,
    pub deadline: Option<NaiveDate>,
    /// The due date supervision works on: the deadline, or an SLA milestone, moved later
    /// by suspensions (暂缓). `deadline` stays as printed.
    pub due_on: Option<NaiveDate>,
    /// The deadline as written when it is not a date: 长期坚持, 每季度.
    pub deadline_text: Option<String>,
    pub grade: Option<String>,
    pub class: Option<ItemClass>,
    pub state: ItemState,
    /// The state to resume into after 暂缓.
    pub suspended_from: Option<ItemState>,
    pub escalation_level: i32,
    /// The unit that asked for closure; it may never verify.
    pub closure_requested_by: Option<UnitId>,
    /// The deadline asked for in the pending 延期申请, until the office answers it: at most
    /// one request waits per item.
    #[serde(default)]
    pub extension_requested: Option<NaiveDate>,
    /// When the open 批示 was written, until the lead unit answers it (回复).
    #[serde(default)]
    pub instructed_at: Option<DateTime<Utc>>,
    pub progress_percent: Option<i32>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Item {
    /// Does this unit take part in the item (lead or co-unit)?
    pub fn involves(&self, unit: UnitId) -> bool {
        self.lead_unit == Some(unit) || self.co_units.contains(&unit)
    }
}

/// What is needed to file a new item (as a draft).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewItem {
    pub kind: Option<ItemKind>,
    pub number: Option<String>,
    pub title: String,
    #[serde(default)]
    pub text: String,
    pub plan_id: Option<PlanId>,
    pub chain_id: Option<ChainId>,
    pub owner_unit: Option<UnitId>,
    pub lead_unit: Option<UnitId>,
    #[serde(default)]
    pub co_units: Vec<UnitId>,
    pub leader: Option<PersonId>,
    pub deadline: Option<NaiveDate>,
    pub deadline_text: Option<String>,
    pub grade: Option<String>,
    pub class: Option<ItemClass>,
    #[serde(default)]
    pub targets: Vec<Target>,
}

pub use crate::validate::{MAX_TEXT_CHARS, MAX_TITLE_CHARS};
