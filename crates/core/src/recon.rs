//! 对账 (reconciliation): once per reconciliation cycle every unit that leads or co-handles
//! an open item receives a statement (对账单) with one line per such item — a snapshot of
//! the item as the ledger shows it at the opening. The unit confirms or disputes each line,
//! the keeping office answers every dispute, the unit signs, the office countersigns, and
//! the countersigned statement is frozen: its canonical content is hashed into a chain of
//! statements that `audit verify` checks.
//!
//! Everything here is a rule: which items, what a line holds, who may do what when, and
//! what is hashed. The engine loads and stores; it decides nothing of its own.

mod content;
mod rules;

pub use content::{
    BrokenSeal, GENESIS, Seal, canonical, canonical_time, seal_hash, verify_seal_chain,
};
pub use rules::{
    Answer, Mark, ReconError, answer_line, check_countersign, check_sign, mark_line, may_answer,
    may_countersign, may_mark, may_read,
};

use crate::ids::{ItemId, UnitId};
use crate::item::Item;
use crate::policy::Policy;
use crate::state::ItemState;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The kind of the reporting duty a statement carries: the unit owes its signature by the
/// due date, and an unsigned statement climbs the ladder like any missed duty.
pub const DUTY_KIND: &str = "statement";

/// The states of an open item: assigned and not yet struck off or cancelled. A draft is
/// nobody's task yet; a closed or cancelled item has nothing left to reconcile.
pub fn is_open(state: ItemState) -> bool {
    matches!(
        state,
        ItemState::Assigned
            | ItemState::Accepted
            | ItemState::InProgress
            | ItemState::ClosureRequested
            | ItemState::Suspended
    )
}

/// How the unit stands to the item on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// 牵头单位.
    Lead,
    /// 责任单位 (co-handling).
    Co,
}

impl Party {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Lead => "牵头",
            Self::Co => "配合",
        }
    }
}

/// The reasons a unit may give for disputing a line, as the issue lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeReason {
    /// 已办结待核销: the work is done, the strike-off is pending.
    DonePendingStrikeOff,
    /// 非本单位职责.
    NotOurDuty,
    /// 时限有误.
    WrongDeadline,
    /// 进度有误.
    WrongProgress,
    /// 其他 (a note is then required).
    Other,
}

impl DisputeReason {
    pub const ALL: [DisputeReason; 5] = [
        Self::DonePendingStrikeOff,
        Self::NotOurDuty,
        Self::WrongDeadline,
        Self::WrongProgress,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DonePendingStrikeOff => "done_pending_strike_off",
            Self::NotOurDuty => "not_our_duty",
            Self::WrongDeadline => "wrong_deadline",
            Self::WrongProgress => "wrong_progress",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::DonePendingStrikeOff => "已办结待核销",
            Self::NotOurDuty => "非本单位职责",
            Self::WrongDeadline => "时限有误",
            Self::WrongProgress => "进度有误",
            Self::Other => "其他",
        }
    }
}

impl FromStr for DisputeReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.label_zh() == s)
            .ok_or_else(|| {
                format!(
                    "unknown reason `{}`; expected one of {}",
                    s.chars().take(40).collect::<String>(),
                    Self::ALL.map(Self::as_str).join(", ")
                )
            })
    }
}

/// Where a line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 待确认.
    Pending,
    /// 确认.
    Confirmed,
    /// 有异议, waiting for the office.
    Disputed,
    /// 异议已处理: the office acted on the item (the line shows the item afterwards).
    Resolved,
    /// 异议不予采纳, with the office's reason.
    Rejected,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Self::Pending,
        Self::Confirmed,
        Self::Disputed,
        Self::Resolved,
        Self::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Disputed => "disputed",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Pending => "待确认",
            Self::Confirmed => "已确认",
            Self::Disputed => "有异议",
            Self::Resolved => "异议已处理",
            Self::Rejected => "异议未采纳",
        }
    }

    /// Agreed between unit and office: nothing stands in the way of signing.
    pub fn agreed(self) -> bool {
        matches!(self, Self::Confirmed | Self::Resolved | Self::Rejected)
    }
}

impl FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown verdict `{s}`"))
    }
}

/// Where a statement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 对账中: lines are being confirmed or disputed.
    Open,
    /// 单位已签署, waiting for the office's countersignature.
    Signed,
    /// 已会签 — frozen and sealed in the chain.
    Countersigned,
}

impl Status {
    pub const ALL: [Status; 3] = [Self::Open, Self::Signed, Self::Countersigned];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Signed => "signed",
            Self::Countersigned => "countersigned",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "对账中",
            Self::Signed => "单位已签署,待会签",
            Self::Countersigned => "已会签归档",
        }
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown statement status `{s}`"))
    }
}

/// A reporting duty of the unit on the item that is still owed at the opening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDuty {
    pub title: String,
    pub period_key: String,
    pub due_on: NaiveDate,
    /// `open` or `missed`.
    pub status: String,
}

/// The unit's own latest progress report on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnReport {
    pub period: String,
    pub percent: Option<i32>,
    pub text: String,
    pub reported_at: DateTime<Utc>,
}

/// One line as generated: the item as the ledger showed it to this unit at the opening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSnapshot {
    pub item_id: ItemId,
    pub number: Option<String>,
    pub title: String,
    pub party: Party,
    /// The office that keeps the item: it answers disputes on this line.
    pub owner_unit: Option<UnitId>,
    pub state: ItemState,
    pub deadline: Option<NaiveDate>,
    pub deadline_text: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// The unit's own latest report (not the lead's, on a co-handled item).
    pub percent: Option<i32>,
    pub report_period: Option<String>,
    pub report_text: Option<String>,
    /// Working days past the due date at the opening (the policy's one figure).
    pub working_days_late: i64,
    /// The count rests on a year without a calendar file (shown as （估）).
    pub late_assumed: bool,
    pub escalation_level: i32,
    pub open_duties: Vec<OpenDuty>,
}

/// The item as it stood when the office answered a dispute: what the line shows afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemAfter {
    pub state: ItemState,
    pub lead_unit: Option<UnitId>,
    pub deadline: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub working_days_late: i64,
    pub escalation_level: i32,
    pub percent: Option<i32>,
}

impl ItemAfter {
    pub fn of(item: &Item, policy: &Policy, today: NaiveDate) -> Self {
        Self {
            state: item.state,
            lead_unit: item.lead_unit,
            deadline: item.deadline,
            due_on: item.due_on,
            working_days_late: policy.working_days_late(item, today),
            escalation_level: item.escalation_level,
            percent: item.progress_percent,
        }
    }
}

/// A line with what unit and office did to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub seq: i32,
    pub snapshot: LineSnapshot,
    pub verdict: Verdict,
    pub reason: Option<DisputeReason>,
    pub note: Option<String>,
    pub attachments: Vec<String>,
    pub marked_at: Option<DateTime<Utc>>,
    /// The office's resolution note or its reason for rejecting.
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub after: Option<ItemAfter>,
}

impl Line {
    pub fn new(seq: i32, snapshot: LineSnapshot) -> Self {
        Self {
            seq,
            snapshot,
            verdict: Verdict::Pending,
            reason: None,
            note: None,
            attachments: Vec::new(),
            marked_at: None,
            answer: None,
            answered_by: None,
            answered_at: None,
            after: None,
        }
    }
}

/// A statement's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub id: Uuid,
    pub unit: UnitId,
    pub unit_name: String,
    pub cycle_key: String,
    pub period_key: String,
    pub title: String,
    pub opens_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: Status,
    pub signed_by: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    pub countersigned_by: Option<String>,
    pub countersigned_unit: Option<UnitId>,
    pub countersigned_at: Option<DateTime<Utc>>,
}

/// What the engine read for one opening: every open item that existed at the scheduled
/// time, each unit's own latest report per item, and the duties still owed per item and unit.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub items: Vec<Item>,
    pub reports: HashMap<(ItemId, UnitId), OwnReport>,
    pub duties: HashMap<(ItemId, UnitId), Vec<OpenDuty>>,
}

/// The statements of one opening: for every unit that leads or co-handles at least one open
/// item, its lines in a fixed order (led items first, then by due date, number, title).
/// Days late are the policy's working days on `today`, the opening day.
pub fn draft_statements(
    facts: &Facts,
    policy: &Policy,
    today: NaiveDate,
) -> BTreeMap<UnitId, Vec<LineSnapshot>> {
    let mut out: BTreeMap<UnitId, Vec<LineSnapshot>> = BTreeMap::new();
    for item in facts.items.iter().filter(|i| is_open(i.state)) {
        let lateness = policy.lateness(item, today);
        let mut parties: Vec<(UnitId, Party)> = Vec::new();
        if let Some(lead) = item.lead_unit {
            parties.push((lead, Party::Lead));
        }
        for co in &item.co_units {
            if !parties.iter().any(|(u, _)| u == co) {
                parties.push((*co, Party::Co));
            }
        }
        for (unit, party) in parties {
            let own = facts.reports.get(&(item.id, unit));
            let mut duties = facts
                .duties
                .get(&(item.id, unit))
                .cloned()
                .unwrap_or_default();
            duties.sort_by(|a, b| (a.due_on, &a.title).cmp(&(b.due_on, &b.title)));
            out.entry(unit).or_default().push(LineSnapshot {
                item_id: item.id,
                number: item.number.clone(),
                title: item.title.clone(),
                party,
                owner_unit: item.owner_unit,
                state: item.state,
                deadline: item.deadline,
                deadline_text: item.deadline_text.clone(),
                due_on: item.due_on,
                percent: own.and_then(|r| r.percent),
                report_period: own.map(|r| r.period.clone()),
                report_text: own.map(|r| r.text.clone()),
                working_days_late: lateness.working_days,
                late_assumed: lateness.assumed && lateness.working_days > 0,
                escalation_level: item.escalation_level,
                open_duties: duties,
            });
        }
    }
    for lines in out.values_mut() {
        lines.sort_by(|a, b| {
            (
                a.party,
                a.due_on.is_none(),
                a.due_on,
                &a.number,
                &a.title,
                a.item_id.0,
            )
                .cmp(&(
                    b.party,
                    b.due_on.is_none(),
                    b.due_on,
                    &b.number,
                    &b.title,
                    b.item_id.0,
                ))
        });
    }
    out
}

/// The title of a statement: `2026年10月对账单` for a month, `2026年第3季度对账单` for a
/// quarter, the period as printed otherwise.
pub fn title(period_key: &str) -> String {
    let shown = match period_key.split_once('-') {
        Some((y, m)) if m.len() == 2 && m.chars().all(|c| c.is_ascii_digit()) => {
            format!("{y}年{}月", m.trim_start_matches('0'))
        }
        Some((y, q)) if q.starts_with('Q') => format!("{y}年第{}季度", &q[1..]),
        _ => period_key.to_owned(),
    };
    format!("{shown}对账单")
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
