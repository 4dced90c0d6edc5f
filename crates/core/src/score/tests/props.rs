//! Random histories of events on a few items and units: every score is the base plus its
//! lines, every line names an event of the period, caps hold, recomputation (in any order of
//! the log) gives the same bytes, and ranks follow the scores with shared ties.

use super::*;

#[derive(Debug, Clone)]
enum Op {
    Assign(u8, u32),
    Transfer(u8),
    Reschedule(u32),
    Escalate(u8),
    Duty(u8, u8, i32),
    Statement(u8, u8, i32),
    Report(u8, u8),
    Request(u8),
    Reject,
    Verify,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1..4u8, 0..200u32).prop_map(|(u, d)| Op::Assign(u, d)),
        (1..4u8).prop_map(Op::Transfer),
        (0..200u32).prop_map(Op::Reschedule),
        (0..4u8).prop_map(Op::Escalate),
        (1..4u8, 7..13u8, -3..9i32).prop_map(|(u, m, l)| Op::Duty(u, m, l)),
        (1..4u8, 1..4u8, -2..6i32).prop_map(|(u, s, l)| Op::Statement(u, s, l)),
        (1..4u8, 7..13u8).prop_map(|(u, m)| Op::Report(u, m)),
        (1..4u8).prop_map(Op::Request),
        Just(Op::Reject),
        Just(Op::Verify),
    ]
}

/// Items, each with a grade and its operations (hours apart, operation).
type History = Vec<(Option<String>, Vec<(u32, Op)>)>;

fn history() -> impl Strategy<Value = History> {
    let grade = prop_oneof![
        Just(None),
        Just(Some("重点".to_owned())),
        Just(Some("一般".to_owned()))
    ];
    prop::collection::vec((grade, prop::collection::vec((0..6u32, op()), 0..25)), 1..6)
}

fn build(h: &History) -> Vec<Event> {
    let steps = ["预警", "催办", "督办", "通报"];
    let start = at(6, 1);
    let mut out = Vec::new();
    for (i, (grade, ops)) in h.iter().enumerate() {
        let mut log = Log::new(u8::try_from(100 + i).unwrap());
        let mut t = start;
        log.create(grade.as_deref(), t);
        for (gap, op) in ops {
            t += chrono::Duration::hours(i64::from(*gap) * 17 + 1);
            let date = |d: u32| day(6, 1) + chrono::Duration::days(i64::from(d));
            match op {
                Op::Assign(u, d) => log.assign(unit(*u), date(*d), t),
                Op::Transfer(u) => log.push(
                    "transfer",
                    None,
                    Payload::Transferred(Transferred {
                        reason: "r".into(),
                        from_unit: None,
                        to_unit: unit(*u),
                    }),
                    t,
                ),
                Op::Reschedule(d) => log.push(
                    "reschedule",
                    None,
                    Payload::Rescheduled(Rescheduled {
                        reason: "r".into(),
                        from: None,
                        deadline: date(*d),
                    }),
                    t,
                ),
                Op::Escalate(s) => log.escalate(steps[usize::from(*s)], t),
                Op::Duty(u, m, l) => {
                    let period = format!("2026-{m:02}");
                    let due = NaiveDate::from_ymd_opt(2026, u32::from(*m), 5).unwrap();
                    log.duty(unit(*u), &period, due, *l, t);
                }
                Op::Statement(u, s, l) => log.statement_step(unit(*u), *s, *l, t),
                Op::Report(u, m) => log.report(unit(*u), &format!("2026-{m:02}"), t),
                Op::Request(u) => log.request(unit(*u), t),
                Op::Reject => log.push(
                    "reject",
                    None,
                    Payload::Rejected(Reasoned { reason: "r".into() }),
                    t,
                ),
                Op::Verify => log.verify(t),
            }
        }
        out.extend(log.events);
    }
    out
}

fn tight_rules() -> ScoringRules {
    ScoringRules {
        max_deductions: Some(Points(95)),
        max_additions: Some(Points(15)),
        ..ScoringRules::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn scores_are_base_plus_lines_and_lines_point_to_events(
        h in history(),
        label in prop_oneof![Just("2026Q3"), Just("2026Q4"), Just("2026")],
        tight in any::<bool>(),
    ) {
        let events = build(&h);
        let rules = if tight { tight_rules() } else { ScoringRules::default() };
        let policy = test_policy();
        let period = Period::parse(label).unwrap();
        let card = compute(&rules, &policy, &period, &events, &names());
        for u in &card.units {
            let sum: Points = u.lines.iter().map(|l| l.points).sum();
            prop_assert_eq!(u.score, card.base + sum);
            let mut minus = Points::ZERO;
            let mut plus = Points::ZERO;
            let mut per_rule: BTreeMap<RuleKind, Points> = BTreeMap::new();
            for l in &u.lines {
                let e = events.iter().find(|e| e.item_id == l.item_id && e.seq == l.event_seq);
                prop_assert!(e.is_some(), "line {:?} names no event", l);
                let e = e.unwrap();
                prop_assert!(period.contains(policy.local_date(e.at)));
                prop_assert_eq!(l.on, policy.local_date(e.at));
                prop_assert!(l.trimmed.0 * l.points.0 >= 0 || l.points.0 == 0);
                let used = per_rule.entry(l.rule).or_default();
                *used = *used + l.points.abs();
                if l.points.0 < 0 { minus = minus + l.points.abs() } else { plus = plus + l.points }
            }
            for (k, used) in per_rule {
                if let Some(cap) = rules.rules[&k].cap { prop_assert!(used <= cap) }
            }
            if let Some(m) = rules.max_deductions { prop_assert!(minus <= m) }
            if let Some(m) = rules.max_additions { prop_assert!(plus <= m) }
        }
    }

    #[test]
    fn recomputation_gives_the_same_bytes_whatever_the_order(h in history(), seed in any::<u64>()) {
        let events = build(&h);
        let rules = ScoringRules::default();
        let first = serde_json::to_string(&card(&events).to_json(&rules)).unwrap();
        let again = serde_json::to_string(&card(&events).to_json(&rules)).unwrap();
        prop_assert_eq!(&first, &again);
        // A copy of the log in another order (as another database might return it).
        let mut copy = events.clone();
        let n = copy.len();
        for i in 0..n {
            let j = usize::try_from((seed.wrapping_mul(i as u64 + 7)) % n as u64).unwrap();
            copy.swap(i, j);
        }
        let shuffled = serde_json::to_string(&card(&copy).to_json(&rules)).unwrap();
        prop_assert_eq!(first, shuffled);
    }

    #[test]
    fn ranks_follow_scores_and_ties_share(h in history()) {
        let card = card(&build(&h));
        for (i, u) in card.units.iter().enumerate() {
            let higher = card.units.iter().filter(|o| o.score > u.score).count();
            prop_assert_eq!(u.rank as usize, higher + 1);
            if i > 0 { prop_assert!(card.units[i - 1].score >= u.score) }
        }
    }
}
