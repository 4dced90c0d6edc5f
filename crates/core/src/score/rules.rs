//! The 考核 rules as `config/scoring.toml` writes them, and their validation. Points are
//! kept in tenths ([`Points`]) so that a score is an exact sum of its lines whatever the
//! weights: every figure is rounded once, on its line.

use crate::escalation::Ladder;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Points in tenths: `Points(-25)` is −2.5. Printed as a JSON number (`-2.5`, `-2`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// From a configured decimal with at most one decimal place.
    ///
    /// # Errors
    /// Naming `key` when the value has more decimals or is out of range.
    pub fn from_config(key: &str, v: f64) -> Result<Points, ScoringError> {
        let tenths = v * 10.0;
        if !v.is_finite() || v.abs() > 1000.0 || (tenths - tenths.round()).abs() > 1e-6 {
            return Err(ScoringError::invalid(
                key,
                format!("{v} must be between -1000 and 1000 with at most one decimal place"),
            ));
        }
        Ok(Points(tenths.round() as i64))
    }

    /// `self × weight`, `weight` in hundredths, rounded half away from zero to a tenth.
    pub fn weighted(self, weight_hundredths: i64) -> Points {
        let p = self.0 * weight_hundredths;
        let q = (p.abs() + 50) / 100;
        Points(if p < 0 { -q } else { q })
    }

    pub fn abs(self) -> Points {
        Points(self.0.abs())
    }

    /// The value as a JSON number: an integer when whole.
    pub fn to_json(self) -> serde_json::Value {
        if self.0 % 10 == 0 {
            serde_json::Value::from(self.0 / 10)
        } else {
            serde_json::Value::from(self.0 as f64 / 10.0)
        }
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}

impl std::ops::Sub for Points {
    type Output = Points;
    fn sub(self, o: Points) -> Points {
        Points(self.0 - o.0)
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        Points(iter.map(|p| p.0).sum())
    }
}

impl fmt::Display for Points {
    /// `-2.5`, `+1`, `0`: signed, one decimal only when needed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.0.signum() {
            1 => "+",
            -1 => "-",
            _ => "",
        };
        let a = self.0.abs();
        if a % 10 == 0 {
            write!(f, "{sign}{}", a / 10)
        } else {
            write!(f, "{sign}{}.{}", a / 10, a % 10)
        }
    }
}

impl Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// What is wrong with the scoring file, naming the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoringError {
    #[error("scoring rules: `{key}`: {message}")]
    Invalid { key: String, message: String },
    #[error("scoring rules: {0}")]
    Parse(String),
    #[error("`{0}` is not a quarter like 2026Q4 or a year like 2026")]
    BadPeriod(String),
}

impl ScoringError {
    pub fn invalid(key: &str, message: impl Into<String>) -> ScoringError {
        ScoringError::Invalid {
            key: key.to_owned(),
            message: message.into(),
        }
    }
}

/// The kinds of 考核 lines. Their `as_str` is the stable `rule` of the JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// 缺报: a reporting duty the ladder recorded as overdue, still unreported at the end of
    /// that quarter.
    MissedReport,
    /// 迟报: a report after its duty's due date.
    LateReport,
    /// 督办 / 通报: a step of the ladder on an item (points per step name).
    Escalation,
    /// 按期销号: closed, closure asked for on or before the due date.
    ClosedOnTime,
    /// 逾期销号: closed, closure asked for after the due date.
    ClosedLate,
    /// 核验不通过: a closure request sent back by the office.
    ClosureRejected,
    /// 批准延期: an extension (延期申请) the office approved, charged to the lead unit.
    ExtensionApproved,
    /// 对账单逾期未签: a statement's first step past its due date, charged to the unit that
    /// owes the signature; the event stands in the chain of the statement's anchor item.
    StatementUnsigned,
}

impl RuleKind {
    pub const ALL: [RuleKind; 8] = [
        Self::MissedReport,
        Self::LateReport,
        Self::Escalation,
        Self::ClosedOnTime,
        Self::ClosedLate,
        Self::ClosureRejected,
        Self::ExtensionApproved,
        Self::StatementUnsigned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissedReport => "missed_report",
            Self::LateReport => "late_report",
            Self::Escalation => "escalation",
            Self::ClosedOnTime => "closed_on_time",
            Self::ClosedLate => "closed_late",
            Self::ClosureRejected => "closure_rejected",
            Self::ExtensionApproved => "extension_approved",
            Self::StatementUnsigned => "statement_unsigned",
        }
    }
}

/// One rule as written in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// The Chinese label shown on pages and in the workbook.
    pub label: String,
    /// Points per occurrence (negative: a deduction).
    #[serde(default)]
    pub points: f64,
    /// Further points per working day late (迟报, 逾期销号 only).
    #[serde(default)]
    pub per_working_day: f64,
    /// Points per ladder step name (escalation only): `{ "督办" = -2, "通报" = -5 }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub steps: BTreeMap<String, f64>,
    /// The most this rule may move one unit's score in one period (absolute); none: no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
}

/// Caps over all of a unit's lines in one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitCaps {
    /// The most a unit loses in one period (absolute); none: no cap.
    #[serde(default)]
    pub deductions: Option<f64>,
    /// The most a unit gains in one period; none: no cap.
    #[serde(default)]
    pub additions: Option<f64>,
}

/// `config/scoring.toml`, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringConfig {
    pub base: f64,
    /// Weight of an item's points by its grade (分级); other grades weigh 1.
    #[serde(default)]
    pub grade_weights: BTreeMap<String, f64>,
    #[serde(default)]
    pub unit_caps: UnitCaps,
    /// Rule name → rule; a rule left out scores nothing.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleConfig>,
}

/// One validated rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub kind: RuleKind,
    pub label: String,
    pub points: Points,
    pub per_working_day: Points,
    pub steps: BTreeMap<String, Points>,
    pub cap: Option<Points>,
}

/// The validated rules the computation reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoringRules {
    pub base: Points,
    /// Grade → weight in hundredths.
    pub grade_weights: BTreeMap<String, i64>,
    pub max_deductions: Option<Points>,
    pub max_additions: Option<Points>,
    pub rules: BTreeMap<RuleKind, Rule>,
}

/// The shipped `config/scoring.toml`; the built-in rules are exactly this file.
pub const SHIPPED: &str = include_str!("../../../../config/scoring.toml");

impl Default for ScoringRules {
    fn default() -> Self {
        // The shipped file is checked by a test; an error here is a build defect.
        ScoringRules::from_toml(SHIPPED, None).unwrap_or_else(|_| ScoringRules {
            base: Points(1000),
            grade_weights: BTreeMap::new(),
            max_deductions: None,
            max_additions: None,
            rules: BTreeMap::new(),
        })
    }
}

fn cap(key: &str, v: Option<f64>) -> Result<Option<Points>, ScoringError> {
    v.map(|v| {
        let p = Points::from_config(key, v)?;
        if p.0 < 0 {
            return Err(ScoringError::invalid(
                key,
                "a cap is a positive number of points",
            ));
        }
        Ok(p)
    })
    .transpose()
}

impl ScoringRules {
    /// Parse and validate the text of a scoring file. With a `ladder`, escalation steps
    /// must name steps of it.
    ///
    /// # Errors
    /// [`ScoringError`] naming the key at fault.
    pub fn from_toml(text: &str, ladder: Option<&Ladder>) -> Result<ScoringRules, ScoringError> {
        let config: ScoringConfig =
            toml::from_str(text).map_err(|e| ScoringError::Parse(e.to_string()))?;
        Self::from_config(&config, ladder)
    }

    /// Validate a parsed scoring file.
    ///
    /// # Errors
    /// [`ScoringError`] naming the key at fault.
    pub fn from_config(
        c: &ScoringConfig,
        ladder: Option<&Ladder>,
    ) -> Result<ScoringRules, ScoringError> {
        let base = Points::from_config("base", c.base)?;
        if base.0 < 0 {
            return Err(ScoringError::invalid("base", "must not be negative"));
        }
        let mut grade_weights = BTreeMap::new();
        for (grade, w) in &c.grade_weights {
            let key = format!("grade_weights.{grade}");
            let h = w * 100.0;
            if !w.is_finite() || *w <= 0.0 || *w > 10.0 || (h - h.round()).abs() > 1e-6 {
                return Err(ScoringError::invalid(
                    &key,
                    format!("{w} must be above 0 and at most 10, with at most two decimals"),
                ));
            }
            grade_weights.insert(grade.clone(), h.round() as i64);
        }
        let mut rules = BTreeMap::new();
        for (name, r) in &c.rules {
            let key = format!("rules.{name}");
            let kind = RuleKind::ALL
                .into_iter()
                .find(|k| k.as_str() == name)
                .ok_or_else(|| {
                    ScoringError::invalid(
                        &key,
                        format!(
                            "unknown rule; expected one of {}",
                            RuleKind::ALL.map(RuleKind::as_str).join(", ")
                        ),
                    )
                })?;
            if r.label.trim().is_empty() || r.label.chars().count() > 20 {
                return Err(ScoringError::invalid(
                    &format!("{key}.label"),
                    "a label of 1 to 20 characters is required",
                ));
            }
            let per_day =
                Points::from_config(&format!("{key}.per_working_day"), r.per_working_day)?;
            if per_day != Points::ZERO
                && !matches!(kind, RuleKind::LateReport | RuleKind::ClosedLate)
            {
                return Err(ScoringError::invalid(
                    &format!("{key}.per_working_day"),
                    "only late_report and closed_late count working days",
                ));
            }
            let mut steps = BTreeMap::new();
            if !r.steps.is_empty() && kind != RuleKind::Escalation {
                return Err(ScoringError::invalid(
                    &format!("{key}.steps"),
                    "only the escalation rule has points per step",
                ));
            }
            for (step, v) in &r.steps {
                let skey = format!("{key}.steps.{step}");
                if let Some(l) = ladder
                    && !l.steps.iter().any(|s| &s.name == step)
                {
                    return Err(ScoringError::invalid(
                        &skey,
                        format!(
                            "the escalation ladder has no step `{step}` (it has {})",
                            l.steps
                                .iter()
                                .map(|s| s.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                steps.insert(step.clone(), Points::from_config(&skey, *v)?);
            }
            rules.insert(
                kind,
                Rule {
                    kind,
                    label: r.label.trim().to_owned(),
                    points: Points::from_config(&format!("{key}.points"), r.points)?,
                    per_working_day: per_day,
                    steps,
                    cap: cap(&format!("{key}.cap"), r.cap)?,
                },
            );
        }
        Ok(ScoringRules {
            base,
            grade_weights,
            max_deductions: cap("unit_caps.deductions", c.unit_caps.deductions)?,
            max_additions: cap("unit_caps.additions", c.unit_caps.additions)?,
            rules,
        })
    }

    /// The weight (hundredths) of an item of `grade`.
    pub fn weight(&self, grade: Option<&str>) -> i64 {
        grade
            .and_then(|g| self.grade_weights.get(g.trim()))
            .copied()
            .unwrap_or(100)
    }

    /// The label of a line: its ladder step for an escalation (督办, 通报), else its rule's.
    pub fn line_label(&self, line: &super::Line) -> String {
        match (&line.rule, &line.step) {
            (RuleKind::Escalation, Some(step)) => step.clone(),
            _ => self.label(line.rule).to_owned(),
        }
    }

    /// The label of a rule, or its name when the rule is not configured.
    pub fn label(&self, kind: RuleKind) -> &str {
        self.rules
            .get(&kind)
            .map_or(kind.as_str(), |r| r.label.as_str())
    }
}
