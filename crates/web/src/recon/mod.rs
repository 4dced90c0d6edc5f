//! 对账单 on the web: the JSON API ([`api`]), the zh-CN pages ([`pages`]) and the .xlsx
//! download ([`xlsx`]). Every figure comes from the stored statement as the engine returns
//! it (a frozen snapshot, never recomputed); this module only turns it into display text.

pub(crate) mod api;
mod pages;
mod xlsx;

pub(crate) use pages::routes;

use xiaohao_core::Policy;
use xiaohao_core::recon::{ItemAfter, Line, LineSnapshot};

/// `2026-09-30`, the deadline as written, or a dash.
fn deadline(date: Option<chrono::NaiveDate>, text: Option<&str>) -> String {
    match (date, text) {
        (Some(d), _) => d.to_string(),
        (None, Some(t)) if !t.is_empty() => t.to_owned(),
        _ => "—".into(),
    }
}

/// 逾期 N 个工作日 (the policy's count as frozen in the line), or 未逾期.
fn late(days: i64, assumed: bool) -> String {
    if days > 0 {
        format!(
            "逾期 {days} 个工作日{}",
            if assumed { "（估）" } else { "" }
        )
    } else {
        "未逾期".into()
    }
}

/// The ladder's step at `level`: 催办 (2级); a dash for 0.
fn level(policy: &Policy, level: i32) -> String {
    if level <= 0 {
        return "—".into();
    }
    match policy.ladder.steps.iter().rev().find(|s| s.level <= level) {
        Some(s) => format!("{}（{level}级）", s.name),
        None => format!("{level}级"),
    }
}

fn percent(p: Option<i32>) -> String {
    p.map_or_else(|| "—".into(), |p| format!("{p}%"))
}

/// One line in display strings, for the page, the print view and the workbook.
pub(crate) struct LineText {
    pub seq: i32,
    pub item_id: String,
    pub number: String,
    pub title: String,
    pub party: &'static str,
    pub state: &'static str,
    pub deadline: String,
    pub percent: String,
    pub report: String,
    pub late: String,
    pub is_late: bool,
    pub level: String,
    pub duties: Vec<String>,
    pub verdict: &'static str,
    pub verdict_code: &'static str,
    pub reason: String,
    pub note: String,
    pub attachments: String,
    pub answer: String,
    pub answered_by: String,
    pub after: String,
}

fn after_text(policy: &Policy, a: &ItemAfter) -> String {
    format!(
        "{}；完成时限 {}；{}；督办 {}；进度 {}",
        a.state.label_zh(),
        deadline(a.due_on.or(a.deadline), None),
        late(a.working_days_late, false),
        level(policy, a.escalation_level),
        percent(a.percent)
    )
}

impl LineText {
    pub(crate) fn of(policy: &Policy, l: &Line) -> LineText {
        let s: &LineSnapshot = &l.snapshot;
        LineText {
            seq: l.seq,
            item_id: s.item_id.to_string(),
            number: s.number.clone().unwrap_or_default(),
            title: s.title.clone(),
            party: s.party.label_zh(),
            state: s.state.label_zh(),
            deadline: deadline(s.deadline, s.deadline_text.as_deref()),
            percent: percent(s.percent),
            report: match (&s.report_period, &s.report_text) {
                (Some(p), Some(t)) => format!("（{p}）{t}"),
                _ => "本单位未报送进展".into(),
            },
            late: late(s.working_days_late, s.late_assumed),
            is_late: s.working_days_late > 0,
            level: level(policy, s.escalation_level),
            duties: s
                .open_duties
                .iter()
                .map(|d| {
                    format!(
                        "{}，{}前报送{}",
                        d.title,
                        d.due_on,
                        if d.status == "missed" {
                            "（已逾期）"
                        } else {
                            ""
                        }
                    )
                })
                .collect(),
            verdict: l.verdict.label_zh(),
            verdict_code: l.verdict.as_str(),
            reason: l
                .reason
                .map(|r| r.label_zh().to_owned())
                .unwrap_or_default(),
            note: l.note.clone().unwrap_or_default(),
            attachments: l.attachments.join("、"),
            answer: l.answer.clone().unwrap_or_default(),
            answered_by: l.answered_by.clone().unwrap_or_default(),
            after: l
                .after
                .as_ref()
                .map(|a| after_text(policy, a))
                .unwrap_or_default(),
        }
    }
}

/// `2026-11-02 09:00` in the policy's time zone.
fn local_time(policy: &Policy, t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| policy.local(t).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
