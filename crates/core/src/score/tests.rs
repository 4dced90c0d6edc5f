use super::*;
use crate::ItemKind;
use crate::event::EventDraft;
use crate::payload::Payload;
use crate::payload::{
    Assigned, ClosureRequested, Created, DutyEscalated, Escalated, Reasoned, Reported, Rescheduled,
    Transferred, Verified,
};
use crate::policy::tests::test_policy;
use crate::state::ItemState;
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

fn at(m: u32, d: u32) -> DateTime<Utc> {
    // 10:00 in Shanghai.
    Utc.with_ymd_and_hms(2026, m, d, 2, 0, 0).unwrap()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn unit(n: u8) -> UnitId {
    UnitId(Uuid::from_bytes([n; 16]))
}

/// A chain under construction.
struct Log {
    item: ItemId,
    events: Vec<Event>,
}

impl Log {
    fn new(n: u8) -> Log {
        Log {
            item: ItemId(Uuid::from_bytes([n; 16])),
            events: Vec::new(),
        }
    }

    fn push(&mut self, kind: &str, who: Option<UnitId>, payload: Payload, when: DateTime<Utc>) {
        let draft = EventDraft {
            kind: kind.parse().unwrap(),
            from_state: None,
            to_state: ItemState::InProgress,
            actor_unit: who,
            actor_role: "unit".into(),
            actor_name: "x".into(),
            payload,
        };
        let prev = self.events.last().map(|e| (e.seq, e.hash.as_str()));
        let e = Event::chain(self.item, draft, when, prev);
        self.events.push(e);
    }

    fn create(&mut self, grade: Option<&str>, when: DateTime<Utc>) {
        let p = Payload::Created(Created {
            title: "t".into(),
            kind: ItemKind::Task,
            grade: grade.map(str::to_owned),
        });
        self.push("create", None, p, when);
    }

    fn assign(&mut self, lead: UnitId, deadline: NaiveDate, when: DateTime<Utc>) {
        let p = Payload::Assigned(Assigned {
            lead_unit: Some(lead),
            deadline: Some(deadline),
            due_on: None,
        });
        self.push("assign", None, p, when);
    }

    fn request(&mut self, who: UnitId, when: DateTime<Utc>) {
        let p = Payload::ClosureRequested(ClosureRequested {
            evidence: "e".into(),
            attachments: vec![],
        });
        self.push("request_closure", Some(who), p, when);
    }

    fn verify(&mut self, when: DateTime<Utc>) {
        let p = Payload::Verified(Verified {
            comment: None,
            requested_by: None,
        });
        self.push("verify", None, p, when);
    }

    fn escalate(&mut self, step: &str, when: DateTime<Utc>) {
        let p = Payload::Escalated(Escalated {
            step: step.into(),
            level: 3,
            deadline_key: String::new(),
            reason: None,
            reply_due: None,
        });
        self.push("escalate", None, p, when);
    }

    fn duty(&mut self, who: UnitId, period: &str, due: NaiveDate, late: i32, when: DateTime<Utc>) {
        let p = Payload::DutyEscalated(DutyEscalated {
            duty: Uuid::nil(),
            duty_title: "月度进展".into(),
            period: period.into(),
            due_on: due,
            step: "督办".into(),
            level: 3,
            working_days_late: late,
            unit: Some(who),
            statement: None,
            subject: None,
        });
        self.push("duty_escalated", None, p, when);
    }

    /// A step of the signature duty of `statement`, recorded on this (anchor) item.
    fn statement_step(&mut self, who: UnitId, statement: u8, late: i32, when: DateTime<Utc>) {
        let p = Payload::DutyEscalated(DutyEscalated {
            duty: Uuid::from_bytes([statement; 16]),
            duty_title: "2026年10月对账单（2项）".into(),
            period: "2026-10".into(),
            due_on: day(10, 30),
            step: if late > 0 { "催办" } else { "预警" }.into(),
            level: 2,
            working_days_late: late,
            unit: Some(who),
            statement: Some(Uuid::from_bytes([statement; 16])),
            subject: None,
        });
        self.push("duty_escalated", None, p, when);
    }

    fn report(&mut self, who: UnitId, period: &str, when: DateTime<Utc>) {
        let p = Payload::Reported(Reported {
            period: period.into(),
            percent: Some(50),
            attachments: vec![],
        });
        self.push("report", Some(who), p, when);
    }
}

fn names() -> BTreeMap<UnitId, String> {
    [(unit(1), "甲局"), (unit(2), "乙局"), (unit(3), "丙局")]
        .into_iter()
        .map(|(u, n)| (u, n.to_owned()))
        .collect()
}

fn q4() -> Period {
    Period::parse("2026Q4").unwrap()
}

fn card(events: &[Event]) -> Scorecard {
    compute(
        &ScoringRules::default(),
        &test_policy(),
        &q4(),
        events,
        &names(),
    )
}

fn rules_of(u: &UnitScore) -> Vec<(&'static str, i64)> {
    u.lines
        .iter()
        .map(|l| (l.rule.as_str(), l.points.0))
        .collect()
}

#[test]
fn the_shipped_file_is_valid_and_names_ladder_steps() {
    let r = ScoringRules::from_toml(rules::SHIPPED, Some(&crate::escalation::Ladder::default()))
        .unwrap();
    assert_eq!(r.base, Points(1000));
    assert_eq!(r.rules.len(), RuleKind::ALL.len());
    assert_eq!(r.weight(Some("重点")), 150);
    assert_eq!(r.weight(None), 100);
}

#[test]
fn a_bad_file_names_the_key() {
    let ladder = crate::escalation::Ladder::default();
    let cases = [
        (
            "base = 100\n[rules.nonsense]\nlabel = \"x\"",
            "rules.nonsense",
        ),
        ("base = 100.25", "base"),
        (
            "base = 100\n[rules.escalation]\nlabel = \"督办\"\nsteps = { \"约谈\" = -3 }",
            "rules.escalation.steps.约谈",
        ),
        (
            "base = 100\n[grade_weights]\n\"一级\" = 0",
            "grade_weights.一级",
        ),
        (
            "base = 100\n[rules.missed_report]\nlabel = \"缺报\"\ncap = -1",
            "rules.missed_report.cap",
        ),
        (
            "base = 100\n[rules.escalation]\nlabel = \"督办\"\nper_working_day = -1",
            "rules.escalation.per_working_day",
        ),
        (
            "base = 100\n[rules.late_report]\nlabel = \"\"",
            "rules.late_report.label",
        ),
    ];
    for (text, key) in cases {
        let err = ScoringRules::from_toml(text, Some(&ladder)).unwrap_err();
        assert!(
            err.to_string().contains(&format!("`{key}`")),
            "{text}: {err}"
        );
    }
    let err = ScoringRules::from_toml("base = 100\nbonus = 1", None).unwrap_err();
    assert!(err.to_string().contains("bonus"), "{err}");
}

#[test]
fn periods_parse_and_refuse_nonsense() {
    let p = Period::parse("2026q4").unwrap();
    assert_eq!(
        (p.label.as_str(), p.from, p.to),
        ("2026Q4", day(10, 1), day(12, 31))
    );
    assert_eq!(Period::parse("2026").unwrap().to, day(12, 31));
    assert_eq!(Period::parse("2026-Q1").unwrap().to, day(3, 31));
    assert_eq!(p.title_zh(), "2026年第四季度");
    for bad in ["2026Q5", "26Q1", "2026Q", "abc", "", "2026-13", "99999"] {
        assert!(Period::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn points_print_and_round() {
    assert_eq!(Points(-25).to_string(), "-2.5");
    assert_eq!(Points(10).to_string(), "+1");
    assert_eq!(Points(-20).weighted(150), Points(-30));
    assert_eq!(Points(-5).weighted(150), Points(-8), "half away from zero");
    assert_eq!(Points(-25).to_json().to_string(), "-2.5");
    assert_eq!(Points(1000).to_json().to_string(), "100");
}

/// 甲局 closes one item on time, misses a report and gets a 督办; 乙局 closes late after a
/// 核验不通过 and reports late; 丙局 leads an item on which nothing happens.
fn quarter_story() -> Vec<Event> {
    let (a, b, c) = (unit(1), unit(2), unit(3));
    let mut one = Log::new(11);
    one.create(Some("重点"), at(9, 1));
    one.assign(a, day(10, 30), at(9, 2));
    one.duty(a, "2026-10", day(11, 5), 0, at(11, 5));
    one.duty(a, "2026-10", day(11, 5), 3, at(11, 10));
    one.escalate("督办", at(11, 4));
    one.request(a, at(10, 29));
    one.verify(at(11, 12));
    let mut two = Log::new(12);
    two.create(None, at(9, 1));
    two.assign(b, day(10, 30), at(9, 2));
    two.request(b, at(11, 3));
    two.push(
        "reject",
        None,
        Payload::Rejected(Reasoned { reason: "r".into() }),
        at(11, 4),
    );
    two.duty(b, "2026-10", day(11, 5), 0, at(11, 5));
    two.report(b, "2026-10", at(11, 6));
    two.request(b, at(11, 9));
    two.verify(at(11, 10));
    let mut three = Log::new(13);
    three.create(None, at(9, 1));
    three.assign(c, day(12, 31), at(9, 2));
    [one.events, two.events, three.events].concat()
}

#[test]
fn a_quarter_scores_each_event_once_with_its_rule() {
    let card = card(&quarter_story());
    let by = |n: &str| card.units.iter().find(|u| u.unit == n).unwrap();
    // 甲局 (item weighs 1.5): 缺报 −3, 督办 −3, 按期销号 +1.5 (asked 10-29, due 10-30).
    let a = by("甲局");
    assert_eq!(
        rules_of(a),
        vec![
            ("escalation", -30),
            ("missed_report", -30),
            ("closed_on_time", 15)
        ]
    );
    assert_eq!(a.score, Points(1000 - 30 - 30 + 15));
    // 乙局: 核验不通过 −1, 迟报 −1 (11-06 after 11-05), 逾期销号 −1 (asked 11-09).
    let b = by("乙局");
    assert_eq!(
        rules_of(b),
        vec![
            ("closure_rejected", -10),
            ("late_report", -10),
            ("closed_late", -10)
        ]
    );
    assert_eq!(b.lines[1].working_days_late, Some(1));
    assert_eq!(
        b.lines[2].working_days_late,
        Some(6),
        "10-30 → 11-09: six working days"
    );
    // 丙局 leads an item and keeps the base; ranks 1, 2, 3.
    let c = by("丙局");
    assert!(c.lines.is_empty());
    assert_eq!(
        card.units
            .iter()
            .map(|u| (u.unit.as_str(), u.rank))
            .collect::<Vec<_>>(),
        vec![("丙局", 1), ("乙局", 2), ("甲局", 3)]
    );
}

#[test]
fn a_line_belongs_to_the_period_of_its_event_and_later_events_are_not_read() {
    let events = quarter_story();
    let q3 = compute(
        &ScoringRules::default(),
        &test_policy(),
        &Period::parse("2026Q3").unwrap(),
        &events,
        &names(),
    );
    assert!(q3.units.iter().all(|u| u.lines.is_empty()), "{q3:?}");
    let year = compute(
        &ScoringRules::default(),
        &test_policy(),
        &Period::parse("2026").unwrap(),
        &events,
        &names(),
    );
    assert_eq!(
        year.to_json(&ScoringRules::default())["units"],
        card(&events).to_json(&ScoringRules::default())["units"]
    );
}

#[test]
fn a_report_after_the_quarter_of_the_miss_does_not_undo_it() {
    let a = unit(1);
    let mut log = Log::new(21);
    log.create(None, at(9, 1));
    log.assign(a, day(12, 31), at(9, 2));
    log.duty(a, "2026-09", day(9, 25), 3, at(9, 30));
    log.report(a, "2026-09", at(10, 9));
    let q3 = compute(
        &ScoringRules::default(),
        &test_policy(),
        &Period::parse("2026Q3").unwrap(),
        &log.events,
        &names(),
    );
    assert_eq!(rules_of(&q3.units[0]), vec![("missed_report", -20)]);
    // The late report is not charged again in the next quarter.
    assert!(card(&log.events).units[0].lines.is_empty());
    // Reported within the quarter of the miss: 迟报, not 缺报.
    let mut log = Log::new(22);
    log.create(None, at(9, 1));
    log.assign(a, day(12, 31), at(9, 2));
    log.duty(a, "2026-10", day(10, 26), 3, at(10, 29));
    log.report(a, "2026-10", at(10, 30));
    let u = &card(&log.events).units[0];
    assert_eq!(rules_of(u), vec![("late_report", -10)]);
    assert_eq!(u.lines[0].working_days_late, Some(4));
}

#[test]
fn caps_trim_later_lines_and_keep_what_fits() {
    let a = unit(1);
    let mut log = Log::new(31);
    log.create(None, at(9, 1));
    log.assign(a, day(9, 30), at(9, 2));
    // Seven 通报 (−5 each) under the rule's cap of 30: six count, the seventh keeps 0.
    for d in 1..=7 {
        log.escalate("通报", at(10, d + 8));
    }
    let u = &card(&log.events).units[0];
    let pts: Vec<i64> = u.lines.iter().map(|l| l.points.0).collect();
    assert_eq!(pts, vec![-50, -50, -50, -50, -50, -50, 0]);
    assert_eq!(u.lines[6].trimmed, Points(-50));
    assert_eq!(u.score, Points(700));
    // A unit cap of 12 deductions: the third line keeps −2, later ones 0.
    let rules = ScoringRules {
        max_deductions: Some(Points(120)),
        ..ScoringRules::default()
    };
    let c = compute(&rules, &test_policy(), &q4(), &log.events, &names());
    let pts: Vec<i64> = c.units[0].lines.iter().map(|l| l.points.0).collect();
    assert_eq!(pts, vec![-50, -50, -20, 0, 0, 0, 0]);
    assert_eq!(c.units[0].score, Points(880));
}

#[test]
fn a_transfer_charges_the_new_lead_and_a_reschedule_moves_the_due_date() {
    let (a, b) = (unit(1), unit(2));
    let mut log = Log::new(41);
    log.create(None, at(9, 1));
    log.assign(a, day(10, 15), at(9, 2));
    log.escalate("督办", at(10, 21));
    log.push(
        "transfer",
        None,
        Payload::Transferred(Transferred {
            reason: "r".into(),
            from_unit: Some(a),
            to_unit: b,
        }),
        at(10, 22),
    );
    log.push(
        "reschedule",
        None,
        Payload::Rescheduled(Rescheduled {
            reason: "r".into(),
            from: Some(day(10, 15)),
            deadline: day(11, 30),
        }),
        at(10, 23),
    );
    log.request(b, at(11, 20));
    log.verify(at(11, 21));
    let card = card(&log.events);
    let by = |n: &str| card.units.iter().find(|u| u.unit == n).unwrap();
    assert_eq!(rules_of(by("甲局")), vec![("escalation", -20)]);
    assert_eq!(rules_of(by("乙局")), vec![("closed_on_time", 10)]);
}

#[test]
fn a_draft_is_nobodys_until_assigned() {
    let mut log = Log::new(51);
    log.create(None, at(10, 1));
    let edit = Payload::Edited(crate::payload::Edited {
        reason: "r".into(),
        lead_unit: Some(crate::payload::Change {
            from: None,
            to: Some(unit(1)),
        }),
        ..Default::default()
    });
    log.push("edit", None, edit, at(10, 2));
    assert!(card(&log.events).units.is_empty());
    log.assign(unit(1), day(12, 31), at(10, 3));
    assert_eq!(card(&log.events).units[0].unit, "甲局");
}

#[test]
fn ties_share_a_rank() {
    let mk = |score| UnitScore {
        unit_id: UnitId::new(),
        unit: format!("{score}"),
        score: Points(score),
        rank: 0,
        lines: vec![],
    };
    let mut units = vec![mk(90), mk(100), mk(100), mk(80)];
    rank(&mut units);
    let ranks: Vec<u32> = units.iter().map(|u| u.rank).collect();
    assert_eq!(ranks, vec![1, 1, 3, 4]);
}

/// Property tests over random event histories.
#[test]
fn an_approved_extension_costs_its_points_and_moves_the_due_date() {
    let (a, b) = (unit(1), unit(2));
    let mut log = Log::new(61);
    log.create(None, at(9, 1));
    log.assign(a, day(10, 15), at(9, 2));
    log.push(
        "request_extension",
        Some(a),
        Payload::ExtensionRequested(crate::payload::ExtensionRequested {
            requested_deadline: day(11, 30),
            due_on: Some(day(10, 15)),
            reason: "r".into(),
            attachments: vec![],
        }),
        at(10, 9),
    );
    log.push(
        "approve_extension",
        Some(b),
        Payload::ExtensionApproved(crate::payload::ExtensionApproved {
            from: Some(day(10, 15)),
            to: day(11, 30),
            comment: None,
        }),
        at(10, 12),
    );
    // Asked after the old date, before the new one: on time, by the extension.
    log.request(a, at(11, 20));
    log.verify(at(11, 21));
    let card = card(&log.events);
    assert_eq!(
        card.units.len(),
        1,
        "the approving office is charged nothing"
    );
    assert_eq!(
        rules_of(&card.units[0]),
        vec![("extension_approved", -5), ("closed_on_time", 10)]
    );
    let line = &card.units[0].lines[0];
    assert_eq!((line.item_id, line.event_seq), (log.item, 4));
    // A refused request scores nothing.
    let mut refused = Log::new(62);
    refused.create(None, at(9, 1));
    refused.assign(a, day(10, 15), at(9, 2));
    refused.push(
        "refuse_extension",
        Some(b),
        Payload::ExtensionRefused(crate::payload::ExtensionRefused {
            reason: "r".into(),
            requested_deadline: Some(day(11, 30)),
        }),
        at(10, 12),
    );
    assert!(card_lines(&refused.events).is_empty());
}

#[test]
fn an_unsigned_statement_costs_one_line_per_statement_at_its_first_late_step() {
    let (a, b) = (unit(1), unit(2));
    let mut log = Log::new(71);
    log.create(Some("重点"), at(9, 1));
    log.assign(b, day(12, 31), at(9, 2));
    // 甲局 co-handles the item and owes its statement's signature: a warning before the
    // due date costs nothing, the first late step costs one line, later steps nothing more.
    log.statement_step(a, 7, 0, at(10, 28));
    log.statement_step(a, 7, 2, at(11, 3));
    log.statement_step(a, 7, 5, at(11, 6));
    // Another statement of the same unit, anchored on the same item, is another line.
    log.statement_step(a, 8, 1, at(12, 2));
    let card = card(&log.events);
    let a_card = card.units.iter().find(|u| u.unit == "甲局").unwrap();
    assert_eq!(
        rules_of(a_card),
        vec![("statement_unsigned", -10), ("statement_unsigned", -10)],
        "not weighted by the anchor item's grade (重点)"
    );
    assert_eq!(
        (a_card.lines[0].item_id, a_card.lines[0].event_seq),
        (log.item, 4)
    );
    assert_eq!(a_card.lines[0].working_days_late, Some(2));
    // The lead unit is charged nothing, and a statement step is no 缺报.
    let b_card = card.units.iter().find(|u| u.unit == "乙局").unwrap();
    assert!(b_card.lines.is_empty());
}

fn card_lines(events: &[Event]) -> Vec<Line> {
    card(events)
        .units
        .into_iter()
        .flat_map(|u| u.lines)
        .collect()
}

mod props;
