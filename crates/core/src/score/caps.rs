//! Caps, applied to one unit's lines of one period. Lines are taken in the order their
//! events happened (instant, then item id, then seq). First each rule's cap: the line that
//! reaches it keeps what still fits, later lines of the rule keep 0. Then the unit's caps,
//! the same way over all deductions and over all additions. What a cap takes off a line
//! is kept in its `trimmed`, so the sheet shows why a line counts less.

use super::Line;
use super::replay::Candidate;
use super::rules::{Points, RuleKind, ScoringRules};
use std::collections::BTreeMap;

/// Trim `line` so that the running total `used` (absolute) stays within `cap`.
fn trim(line: &mut Line, used: &mut Points, cap: Option<Points>) {
    let Some(cap) = cap else {
        *used = *used + line.points.abs();
        return;
    };
    let room = Points((cap.0 - used.0).max(0));
    let keep = line.points.abs().min(room);
    let kept = Points(keep.0 * line.points.0.signum());
    line.trimmed = line.trimmed + (line.points - kept);
    line.points = kept;
    *used = *used + keep;
}

/// The unit's lines, in order, with caps applied.
pub(crate) fn apply(rules: &ScoringRules, mut candidates: Vec<Candidate>) -> Vec<Line> {
    candidates.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then_with(|| a.line.item_id.cmp(&b.line.item_id))
            .then_with(|| a.line.event_seq.cmp(&b.line.event_seq))
            .then_with(|| a.line.rule.cmp(&b.line.rule))
    });
    let mut lines: Vec<Line> = candidates.into_iter().map(|c| c.line).collect();
    let mut per_rule: BTreeMap<RuleKind, Points> = BTreeMap::new();
    for l in &mut lines {
        let cap = rules.rules.get(&l.rule).and_then(|r| r.cap);
        let used = per_rule.entry(l.rule).or_default();
        trim(l, used, cap);
    }
    let (mut minus, mut plus) = (Points::ZERO, Points::ZERO);
    for l in &mut lines {
        if l.points.0 < 0 {
            trim(l, &mut minus, rules.max_deductions);
        } else if l.points.0 > 0 {
            trim(l, &mut plus, rules.max_additions);
        }
    }
    lines
}
