//! What a reminder says: one entry per outbox row, grouped for the digest.

use chrono::NaiveDate;
use serde::Serialize;
use xiaohao_core::{Item, Policy};
use xiaohao_store::OutboxRow;

/// One reminder line, as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The outbox kind (`assigned`, `escalation:催办`, `duty_due` …).
    pub kind: String,
    /// Its Chinese label (交办, 催办, 报送提醒 …).
    pub label: String,
    pub number: Option<String>,
    pub title: String,
    pub state: String,
    pub deadline: Option<String>,
    /// Working days late (the policy's one figure).
    pub days_late: i64,
    /// 红灯, 黄灯, 绿灯, 已销号 or 未计时 (the policy's one light rule).
    pub light: String,
    pub link: String,
    pub actor: Option<String>,
    /// The reason, comment or step the event carried.
    pub note: Option<String>,
    #[serde(skip)]
    group: usize,
}

/// Digest sections in the order they are shown.
pub(crate) const GROUPS: &[&str] = &[
    "督办与通报",
    "预警与催办",
    "待报送事项",
    "新交办事项",
    "待核验的销号申请",
    "核验结果与退回",
    "其他提醒",
];

/// `(label, group index)` of an outbox kind.
pub(crate) fn label_of(kind: &str) -> (String, usize) {
    if let Some(step) = kind.strip_prefix("escalation:") {
        let group = if matches!(step, "督办" | "通报") {
            0
        } else {
            1
        };
        return (step.to_owned(), group);
    }
    let (label, group) = match kind {
        "duty_due" => ("报送提醒", 2),
        "duty_missed" => ("逾期未报", 2),
        "assigned" => ("交办", 3),
        "closure_requested" => ("销号申请", 4),
        "verified" => ("销号通过", 5),
        "rejected" => ("核验不通过", 5),
        "returned" => ("退回", 5),
        "reopened" => ("重新打开", 5),
        "rescheduled" => ("调整时限", 6),
        "extension_requested" => ("延期申请待审批", 6),
        "extension_approved" => ("同意延期", 6),
        "extension_refused" => ("不同意延期", 6),
        "instructed" => ("领导批示", 6),
        "instruction_answered" => ("批示回复", 6),
        "order_answered" => ("督办回复", 6),
        "order_reply_due" => ("督办单反馈提醒", 0),
        "order_reply_late" => ("督办单逾期未反馈", 0),
        other => (other, 6),
    };
    (label.to_owned(), group)
}

impl Entry {
    /// The line for one outbox row, its light and delay from the policy.
    pub fn new(
        row: &OutboxRow,
        item: Option<&Item>,
        policy: &Policy,
        today: NaiveDate,
        public_url: &str,
    ) -> Entry {
        let (label, group) = label_of(&row.kind);
        let ev = row.payload.get("event_payload");
        let note = ["reason", "comment", "note", "step"]
            .iter()
            .find_map(|k| ev.and_then(|p| p.get(*k)).and_then(|v| v.as_str()))
            .map(str::to_owned)
            .filter(|s| {
                !s.trim().is_empty() && Some(s.as_str()) != row.kind.strip_prefix("escalation:")
            });
        let actor = row
            .payload
            .get("actor")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let base = public_url.trim_end_matches('/');
        match item {
            Some(it) => Entry {
                kind: row.kind.clone(),
                label,
                number: it.number.clone(),
                title: it.title.clone(),
                state: it.state.label_zh().to_owned(),
                deadline: it.deadline.map(|d| d.to_string()),
                days_late: policy.working_days_late(it, today),
                light: policy.light(it, today).label_zh().to_owned(),
                link: format!("{base}/items/{}", it.id),
                actor,
                note,
                group,
            },
            None => Entry {
                kind: row.kind.clone(),
                title: row
                    .payload
                    .get("title")
                    .and_then(|v| v.as_str())
                    .unwrap_or(label.as_str())
                    .to_owned(),
                label,
                number: None,
                state: "—".into(),
                deadline: row
                    .payload
                    .get("due")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
                days_late: 0,
                light: "—".into(),
                link: base.to_owned(),
                actor,
                note,
                group,
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct Group {
    pub title: &'static str,
    pub entries: Vec<Entry>,
}

/// Entries in digest order: by section, then most days late first.
pub(crate) fn group(entries: Vec<Entry>) -> Vec<Group> {
    let mut groups: Vec<Group> = GROUPS
        .iter()
        .map(|t| Group {
            title: t,
            entries: Vec::new(),
        })
        .collect();
    for e in entries {
        let g = e.group.min(GROUPS.len() - 1);
        groups[g].entries.push(e);
    }
    for g in &mut groups {
        g.entries.sort_by_key(|e| std::cmp::Reverse(e.days_late));
    }
    groups.retain(|g| !g.entries.is_empty());
    groups
}
