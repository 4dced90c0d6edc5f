//! 通报 (bulletin) as a document: the figures of a quarter or a year for the items one
//! office keeps, written as a 公文 — 发文机关, 文号, 标题, 主送, a narrative built from the
//! figures (总体情况, 进展较快的单位, 滞后的单位 and their items with working days late, 对账
//! 情况, optionally 考核排名), 下一步工作要求, 联系人, 落款 and 日期.
//!
//! Pure: the engine gathers the [`Facts`] (every figure computed by the policy's one rule),
//! the office edits a few fields ([`Edits`]), [`compose`] writes the [`Document`], and an
//! issued document is frozen: its canonical JSON is sealed in a chain that `audit verify`
//! checks ([`seal`]).

mod compose;
pub mod seal;
pub mod text;

pub use compose::{DEFAULT_REQUIREMENTS, compose, default_title};

/// The edits a new draft starts with: the default title, the units concerned as 主送, the
/// default 下一步工作要求, and the 机关代字 given.
pub fn default_edits(facts: &Facts, doc_prefix: &str) -> Edits {
    compose::default_edits(facts, doc_prefix)
}

use crate::access::{AccountRole, Jurisdiction};
use crate::ids::{ItemId, UnitId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Quarterly or annual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Quarter,
    Year,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Quarter => "季度通报",
            Self::Year => "年度通报",
        }
    }
}

impl FromStr for PeriodKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "quarter" => Ok(Self::Quarter),
            "year" => Ok(Self::Year),
            _ => Err(format!("unknown bulletin period kind `{s}`")),
        }
    }
}

/// Counts over the period (definitions in `xiaohao_engine::report`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub total: u64,
    pub closed: u64,
    pub closed_on_time: u64,
    pub overdue: u64,
    pub returned: u64,
    pub duties_missed: u64,
    /// Level → escalation steps fired.
    pub escalations: BTreeMap<i32, u64>,
}

/// A lead unit with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitCounts {
    pub unit: Option<UnitId>,
    pub name: String,
    pub counts: Counts,
}

/// An item past its due date on `as_of`, with the policy's working days late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaggingItem {
    pub item_id: ItemId,
    pub number: Option<String>,
    pub title: String,
    pub lead: Option<UnitId>,
    pub lead_name: String,
    pub due_on: Option<NaiveDate>,
    pub working_days_late: i64,
    pub escalation_level: i32,
}

/// 对账单 of the period: how many were issued to units, how far they got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconCounts {
    pub statements: u64,
    /// Countersigned (frozen).
    pub countersigned: u64,
    /// Signed by the unit, waiting for the office.
    pub signed: u64,
    /// Units whose statement is still open (unsigned), by name.
    pub unsigned_units: Vec<String>,
}

/// One line of the 考核 ranking (computed elsewhere; the bulletin only prints it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankLine {
    pub unit: String,
    pub score: f64,
    pub rank: u32,
}

/// Everything a bulletin says, gathered by the engine at drafting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub kind: PeriodKind,
    /// `2026Q4`, `2026`.
    pub period_label: String,
    /// 2026年第四季度, 2026年度.
    pub period_title: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day the figures stand on: the period's end, or the drafting day while it runs.
    pub as_of: NaiveDate,
    pub total: Counts,
    pub units: Vec<UnitCounts>,
    /// Most days late first.
    pub lagging: Vec<LaggingItem>,
    pub recon: ReconCounts,
    /// The 考核 ranking, when scores exist for the period.
    pub ranking: Option<Vec<RankLine>>,
    /// Level → ladder name, frozen with the figures (二级催办).
    pub level_names: BTreeMap<i32, String>,
}

/// What the office may change before issuing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edits {
    pub title: String,
    /// 主送: the units concerned, as one line (各有关单位).
    pub recipients: String,
    /// 下一步工作要求: one paragraph a line.
    pub requirements: String,
    /// 联系人 and telephone, printed as the 附注.
    pub contact: String,
    /// 机关代字 of the 文号 (闽督通 in 闽督通〔2026〕12号).
    pub doc_prefix: String,
}

/// A block of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum Block {
    /// 一、总体情况 (黑体).
    Heading(String),
    /// （一）… (楷体) — a paragraph that starts with a sub-heading.
    SubHeading(String),
    /// A body paragraph (仿宋, first line indented two characters).
    Para(String),
}

/// The bulletin as a document: what the .docx, the print view and the preview show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// 发文机关 (the issuing office's name).
    pub issuer: String,
    /// 文号, assigned at issue; `None` on a draft.
    pub doc_number: Option<String>,
    pub title: String,
    /// 主送, ending with a full-width colon.
    pub recipients: String,
    pub body: Vec<Block>,
    /// 附注: （联系人：…）.
    pub contact: Option<String>,
    /// 落款.
    pub signature: String,
    /// 成文日期, the issue date; `None` on a draft.
    pub date: Option<NaiveDate>,
}

impl Document {
    /// Every text of the document, in reading order (for tests and search).
    pub fn plain_text(&self) -> String {
        let mut out = vec![self.issuer.clone()];
        out.extend(self.doc_number.clone());
        out.push(self.title.clone());
        out.push(self.recipients.clone());
        for b in &self.body {
            match b {
                Block::Heading(t) | Block::SubHeading(t) | Block::Para(t) => out.push(t.clone()),
            }
        }
        out.push(self.signature.clone());
        out.extend(self.date.map(text::date));
        out.extend(self.contact.clone());
        out.join("\n")
    }
}

/// Where a bulletin stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 草稿: figures frozen at drafting, fields editable.
    Draft,
    /// 已印发: numbered, frozen and sealed.
    Issued,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Issued => "issued",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Issued => "已印发",
        }
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "draft" => Ok(Self::Draft),
            "issued" => Ok(Self::Issued),
            _ => Err(format!("unknown bulletin status `{s}`")),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may draft, edit and issue bulletins: offices (for the items they keep), 督查室 and
/// administrators (for every item).
pub fn may_draft(role: AccountRole) -> bool {
    matches!(
        role,
        AccountRole::Office | AccountRole::Supervision | AccountRole::Admin
    )
}

/// Whether `role` acting with `jurisdiction` from `own_unit` may edit or issue a bulletin
/// issued in the name of `office`: its own office's (or one below it, for an office),
/// any for an administrator.
pub fn may_manage(
    role: AccountRole,
    jurisdiction: &Jurisdiction,
    own_unit: Option<UnitId>,
    office: UnitId,
) -> bool {
    match role {
        AccountRole::Admin => true,
        AccountRole::Office => jurisdiction.covers(own_unit, Some(office)),
        AccountRole::Supervision => own_unit == Some(office),
        AccountRole::Unit | AccountRole::Leader => false,
    }
}

/// Limits of the editable fields, in characters.
pub const TITLE_MAX: usize = 200;
pub const RECIPIENTS_MAX: usize = 500;
pub const REQUIREMENTS_MAX: usize = 5000;
pub const CONTACT_MAX: usize = 200;
pub const PREFIX_MAX: usize = 40;

/// Check and tidy the edits: trimmed, within the limits, a title and a 机关代字 present.
///
/// # Errors
/// `(field, message)` naming the first field out of bounds.
pub fn check_edits(e: &Edits) -> Result<Edits, (&'static str, String)> {
    let label = |name: &str| match name {
        "title" => "标题",
        "recipients" => "主送",
        "requirements" => "下一步工作要求",
        "contact" => "联系人",
        _ => "机关代字",
    };
    let field = |name: &'static str, v: &str, max: usize, required: bool| {
        let v = v.trim().replace("\r\n", "\n");
        if required && v.is_empty() {
            return Err((name, format!("{}不能为空", label(name))));
        }
        if v.chars().count() > max {
            return Err((name, format!("{}不能超过{max}个字", label(name))));
        }
        if v.chars().any(|c| c.is_control() && c != '\n') {
            return Err((name, format!("{}含有不可打印的字符", label(name))));
        }
        Ok(v)
    };
    let one_line = |name: &'static str, v: String| {
        if v.contains('\n') {
            Err((name, format!("{}只能写一行", label(name))))
        } else {
            Ok(v)
        }
    };
    Ok(Edits {
        title: one_line("title", field("title", &e.title, TITLE_MAX, true)?)?,
        recipients: one_line(
            "recipients",
            field("recipients", &e.recipients, RECIPIENTS_MAX, true)?,
        )?,
        requirements: field("requirements", &e.requirements, REQUIREMENTS_MAX, false)?,
        contact: one_line("contact", field("contact", &e.contact, CONTACT_MAX, false)?)?,
        doc_prefix: one_line(
            "doc_prefix",
            field("doc_prefix", &e.doc_prefix, PREFIX_MAX, true)?,
        )?,
    })
}

#[cfg(test)]
mod tests;
