//! 考核 on the web: the ranking page with each unit's lines ([`page`]), the JSON API and
//! the .xlsx download ([`api`], [`xlsx`]). Every figure is the engine's score card; this
//! module only turns it into display text.

pub(crate) mod api;
mod page;
mod xlsx;

pub(crate) use page::routes;

use chrono::{Datelike, NaiveDate};
use xiaohao_core::score::{Line, Points, RuleKind, Scorecard, ScoringRules};

/// A line in display strings, for the page and the workbook.
pub(crate) struct LineText {
    pub on: String,
    pub label: String,
    pub points: String,
    pub item_id: String,
    pub item_title: String,
    pub seq: i64,
    pub note: String,
}

/// One unit's row of the ranking, with its lines.
pub(crate) struct UnitText {
    pub id: String,
    pub rank: u32,
    pub unit: String,
    pub score: String,
    pub minus: String,
    pub plus: String,
    pub lines: Vec<LineText>,
}

/// A score without the plus sign: 95.5.
fn plain(p: Points) -> String {
    p.to_string().trim_start_matches('+').to_owned()
}

fn note(l: &Line, rules: &ScoringRules) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(p) = &l.duty_period {
        parts.push(format!("报告期 {p}"));
    }
    match (l.rule, l.working_days_late) {
        (RuleKind::MissedReport, Some(d)) if d > 0 => {
            parts.push(format!("截至督办时逾期 {d} 个工作日未报送"));
        }
        (_, Some(d)) if d > 0 => parts.push(format!("逾期 {d} 个工作日")),
        _ => {}
    }
    if l.trimmed != Points::ZERO {
        parts.push(format!(
            "超出{}上限，核减 {} 分",
            if rules.rules.get(&l.rule).and_then(|r| r.cap).is_some() {
                "本项或单位"
            } else {
                "单位"
            },
            plain(l.trimmed.abs())
        ));
    }
    parts.join("；")
}

/// The card as display rows.
pub(crate) fn texts(card: &Scorecard, rules: &ScoringRules) -> Vec<UnitText> {
    card.units
        .iter()
        .map(|u| {
            let (minus, plus) = u.totals();
            UnitText {
                id: u.unit_id.to_string(),
                rank: u.rank,
                unit: u.unit.clone(),
                score: plain(u.score),
                minus: if minus == Points::ZERO {
                    "0".into()
                } else {
                    minus.to_string()
                },
                plus: plus.to_string(),
                lines: u
                    .lines
                    .iter()
                    .map(|l| LineText {
                        on: crate::pages::zh_date(l.on),
                        label: rules.line_label(l),
                        points: if l.points == Points::ZERO {
                            "0".into()
                        } else {
                            l.points.to_string()
                        },
                        item_id: l.item_id.to_string(),
                        item_title: card.titles.get(&l.item_id).cloned().unwrap_or_default(),
                        seq: l.event_seq,
                        note: note(l, rules),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The quarter `today` lies in: `2026Q4`.
pub(crate) fn current_quarter(today: NaiveDate) -> String {
    format!("{}Q{}", today.year(), today.month0() / 3 + 1)
}

/// The periods offered in the chooser: this quarter and the seven before it, this year and
/// last year, as (value, label).
pub(crate) fn period_choices(today: NaiveDate) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut y, mut q) = (today.year(), today.month0() / 3 + 1);
    for _ in 0..8 {
        out.push((
            format!("{y}Q{q}"),
            format!("{y}年第{}季度", ["一", "二", "三", "四"][(q - 1) as usize]),
        ));
        if q == 1 {
            y -= 1;
            q = 4;
        } else {
            q -= 1;
        }
    }
    for y in [today.year(), today.year() - 1] {
        out.push((y.to_string(), format!("{y}年度")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chooser_offers_eight_quarters_back_and_two_years() {
        let today = NaiveDate::from_ymd_opt(2027, 2, 3).unwrap();
        assert_eq!(current_quarter(today), "2027Q1");
        let c = period_choices(today);
        assert_eq!(c.len(), 10);
        assert_eq!(c[0], ("2027Q1".to_owned(), "2027年第一季度".to_owned()));
        assert_eq!(c[1].0, "2026Q4");
        assert_eq!(c[7].0, "2025Q2");
        assert_eq!(c[9], ("2026".to_owned(), "2026年度".to_owned()));
    }
}
