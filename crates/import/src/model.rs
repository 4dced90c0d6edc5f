//! The draft ledger produced by [`crate::parse_plan`].
//!
//! The field order and names of these types are the JSON contract of the CLI
//! (`xiaohao import`); `None` serialises as `null`, never skipped.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A plan document read into a draft ledger: header, chain tree and tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanDraft {
    /// The plan's own title (`关于…的工作方案`), not the covering notice's.
    pub title: Option<String>,
    /// Document number with the year in `〔〕`, e.g. `闽发改工业〔2022〕193号`.
    pub doc_number: Option<String>,
    /// Issuing office(s); several signing offices are joined with `、`.
    pub issuer: Option<String>,
    /// Signing (成文) date.
    pub date: Option<NaiveDate>,
    /// Industrial chains / clusters / special task forces, possibly nested.
    pub chains: Vec<ChainDraft>,
    /// Tasks in document order, de-duplicated.
    pub tasks: Vec<TaskDraft>,
}

/// One chain (产业链, 产业集群, 专项) with its leaders and units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainDraft {
    /// Name without its printed number, e.g. `古雷石化基地`.
    pub name: String,
    /// Leaders (牵头省领导, 链长, 联系省领导), spaces inside names removed.
    pub leaders: Vec<String>,
    /// Lead units (牵头单位).
    pub lead_units: Vec<String>,
    /// Responsible and co-operating units (责任单位, 配合单位).
    pub units: Vec<String>,
    /// Sub-chains, e.g. `古雷石化基地` under `石化-化纤-纺织-鞋服产业`.
    pub children: Vec<ChainDraft>,
}

/// One task of the plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskDraft {
    /// Number as printed; a nested item carries its parent's number, e.g. `(四)1.`.
    pub number: String,
    /// The enclosing top-level heading, e.g. `二、拓展延伸产业链`.
    pub section: Option<String>,
    /// First sentence (up to the first `。`).
    pub title: String,
    /// Full text of the item without its number and without the unit assignment.
    pub text: String,
    /// Lead unit (牵头单位).
    pub lead: Option<String>,
    /// Co-units (other responsible and co-operating units).
    pub co: Vec<String>,
    /// Responsible leaders (责任领导, 牵头领导).
    pub leaders: Vec<String>,
    /// Normalised deadline, see the crate documentation.
    pub deadline: Option<String>,
    /// Quantified targets found in the text.
    pub targets: Vec<TargetDraft>,
    /// Name of the chain (as in [`ChainDraft::name`]) whose heading or table
    /// row the task stands under; the innermost one when chains nest.
    pub chain: Option<String>,
}

/// A quantified target such as `力争2021年产业实现产值320亿元`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetDraft {
    /// The noun phrase before the number, e.g. `产值`.
    pub metric: String,
    /// The number as printed (`320` for `320亿元`).
    pub value: f64,
    /// The unit as printed, including magnitude (`亿元`, `个`, `%`).
    pub unit: String,
    /// The year written beside the target, else the plan's own year (see
    /// the crate documentation); `None` for recurring goals (`每年`).
    pub year: Option<i32>,
    /// One of `>=`, `>`, `<=`, `<`, `=`, `~` (`左右`); `None` means "reach
    /// this value" (a plain number or `达到`).
    pub cmp: Option<String>,
}

impl PlanDraft {
    /// The CLI's JSON form of this draft.
    ///
    /// # Errors
    /// Only if serialisation itself fails (it does not for these types, except
    /// for a non-finite `value`, which the parser never produces).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}
