use super::*;
use crate::command::{Capacity, decide};
use crate::item::NewItem;
use crate::state::ItemState;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 1, 0, 0).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

struct World {
    item: Item,
    circle: Circle,
    leader_unit: UnitId,
    supervision: Actor,
}

fn world(level: i32) -> World {
    let leader = PersonId::new();
    let leader_unit = UnitId::new();
    let circle = Circle {
        supervision: vec![UnitId::new()],
        leader_units: [(leader, leader_unit)].into_iter().collect(),
    };
    let office = Actor {
        unit: Some(UnitId::new()),
        capacity: Capacity::Office,
        name: "专班办公室".into(),
        jurisdiction: crate::access::Jurisdiction::All,
    };
    let mut item = crate::command::new_item(
        ItemId::new(),
        &NewItem {
            title: "推进古雷石化基地配套项目".into(),
            number: Some("(三)".into()),
            lead_unit: Some(UnitId::new()),
            co_units: vec![UnitId::new()],
            leader: Some(leader),
            deadline: Some(d(2026, 3, 2)),
            ..Default::default()
        },
        &office,
        now(),
    )
    .unwrap()
    .item;
    item.state = ItemState::InProgress;
    item.escalation_level = level;
    World {
        item,
        circle,
        leader_unit,
        supervision: Actor {
            unit: Some(UnitId::new()),
            capacity: Capacity::Supervision,
            name: "省政府督查室".into(),
            jurisdiction: crate::access::Jurisdiction::All,
        },
    }
}

#[test]
fn manual_escalation_takes_the_next_step_above_the_level_and_tells_its_audience() {
    let w = world(2);
    let f = manual_escalation(
        &Ladder::default(),
        &w.item,
        &w.circle,
        d(2026, 3, 10),
        Some(6),
        "多次催办仍未反馈",
    )
    .unwrap();
    let Command::Escalate {
        level,
        step,
        notify,
        urgent,
        reason,
        ..
    } = &f.command
    else {
        panic!("not an escalation: {:?}", f.command);
    };
    assert_eq!((step.as_str(), *level, *urgent), ("督办", 3, true));
    // 督办 tells lead, leader and office — the same rule as the scheduler's.
    assert_eq!(
        notify,
        &vec![
            w.item.lead_unit.unwrap(),
            w.leader_unit,
            w.item.owner_unit.unwrap()
        ]
    );
    assert_eq!(reason.as_deref(), Some("多次催办仍未反馈"));
    assert_eq!((f.fire.step.as_str(), f.fire.level), ("督办", 3));
    assert_eq!(f.fire.due_on, d(2026, 3, 2));
    assert!(f.order.as_deref().unwrap().contains("逾期 6 个工作日"));

    // From level 0 the next step is the first one, not "level + 1" of some step.
    let first = manual_escalation(
        &Ladder::default(),
        &world(0).item,
        &w.circle,
        d(2026, 3, 10),
        None,
        "事由",
    )
    .unwrap();
    assert_eq!(first.fire.step, "预警");
    assert!(first.order.is_none());
}

#[test]
fn manual_escalation_is_refused_at_the_top_of_the_ladder() {
    for level in [4, 5] {
        let w = world(level);
        let e = manual_escalation(
            &Ladder::default(),
            &w.item,
            &w.circle,
            d(2026, 3, 10),
            Some(6),
            "再督办",
        )
        .unwrap_err();
        assert_eq!(e.code(), "escalation_at_top");
        assert!(e.to_string().contains("最高一级"), "{e}");
        assert!(e.to_string().contains("通报"), "{e}");
    }
}

#[test]
fn manual_escalation_records_the_reason_apart_from_the_step() {
    let w = world(2);
    assert_eq!(
        manual_escalation(
            &Ladder::default(),
            &w.item,
            &w.circle,
            d(2026, 3, 10),
            Some(6),
            "  "
        )
        .unwrap_err()
        .field(),
        Some("reason")
    );
    let f = manual_escalation(
        &Ladder::default(),
        &w.item,
        &w.circle,
        d(2026, 3, 10),
        Some(6),
        "多次催办仍未反馈",
    )
    .unwrap();
    let decision = decide(&w.item, &w.supervision, &f.command, now()).unwrap();
    let payload: serde_json::Value =
        serde_json::from_str(&decision.event.payload.to_json()).unwrap();
    assert_eq!(payload["step"], "督办");
    assert_eq!(payload["reason"], "多次催办仍未反馈");
    assert_eq!(decision.event.actor_name, "省政府督查室");
    assert_eq!(decision.item.escalation_level, 3);
    assert_eq!(decision.notifications.len(), 3);
}

#[test]
fn order_text_counts_working_days_in_full_width_punctuation() {
    let w = world(2);
    let step = &Ladder::default().steps[2];
    let text = order_text(step, &w.item, d(2026, 3, 2), 6);
    assert_eq!(
        text,
        "督办单：(三)推进古雷石化基地配套项目（完成时限 2026年3月2日，已逾期 6 个工作日），请牵头单位立即办理并反馈。"
    );
    for half in [':', ',', '(', ')'] {
        assert!(
            !text.replace("(三)", "").contains(half),
            "half-width `{half}` in {text}"
        );
    }
}

#[test]
fn duty_escalation_of_an_item_duty_is_an_event_in_the_item_chain() {
    let w = world(0);
    let duty = DutySubject {
        id: Uuid::now_v7(),
        unit: w.item.lead_unit.unwrap(),
        item: Some(w.item.id),
        title: "月度进展(2026-02)".into(),
        period_key: "2026-02".into(),
        due_on: d(2026, 2, 25),
        statement: None,
    };
    let step = &Ladder::default().steps[2];
    let decision = decide_duty_escalation(step, &duty, Some(&w.item), &w.circle, 5, now());
    assert_eq!(decision.fire.subject_kind, "duty");
    assert_eq!(decision.fire.subject_id, duty.id);
    assert_eq!(decision.fire.working_days_late, 5);
    let units: Vec<UnitId> = decision.notifications.iter().map(|n| n.recipient).collect();
    assert_eq!(
        units,
        vec![duty.unit, w.leader_unit, w.item.owner_unit.unwrap()]
    );
    assert!(
        decision
            .notifications
            .iter()
            .all(|n| n.kind == "duty_missed" && n.urgent)
    );
    let on_item = decision.item.expect("an item duty leaves an event");
    assert_eq!(on_item.event.kind, DUTY_ESCALATED);
    assert_eq!(on_item.event.from_state, Some(ItemState::InProgress));
    assert_eq!(on_item.event.to_state, ItemState::InProgress);
    assert_eq!(on_item.event.actor_role, "system");
    assert_eq!(on_item.item.version, w.item.version + 1);
    assert_eq!(on_item.item.escalation_level, w.item.escalation_level);
    let payload: serde_json::Value =
        serde_json::from_str(&on_item.event.payload.to_json()).unwrap();
    assert_eq!(payload["step"], "督办");
    assert_eq!(payload["period"], "2026-02");

    // A unit's summary duty belongs to no item: no event, the rest the same.
    let summary = DutySubject { item: None, ..duty };
    let d2 = decide_duty_escalation(step, &summary, None, &w.circle, 5, now());
    assert!(d2.item.is_none());
    assert_eq!(d2.notifications.len(), 1);
}

#[test]
fn an_unsigned_statement_step_is_an_event_in_its_anchor_item_chain() {
    let w = world(0);
    let statement = Uuid::now_v7();
    let duty = DutySubject {
        id: Uuid::now_v7(),
        unit: w.item.lead_unit.unwrap(),
        item: None,
        title: "2026年11月对账单（3项）".into(),
        period_key: "2026-11".into(),
        due_on: d(2026, 11, 25),
        statement: Some(StatementAnchor {
            statement,
            item: w.item.id,
        }),
    };
    let step = &Ladder::default().steps[1];
    let decision = decide_duty_escalation(step, &duty, Some(&w.item), &w.circle, 2, now());
    let on_item = decision.item.expect("a statement's step leaves an event");
    assert_eq!(on_item.event.kind, DUTY_ESCALATED);
    assert_eq!(on_item.item.id, w.item.id);
    let payload: serde_json::Value =
        serde_json::from_str(&on_item.event.payload.to_json()).unwrap();
    assert_eq!(payload["statement"], statement.to_string());
    assert_eq!(payload["working_days_late"], 2);
    // An item that is not the anchor is never written.
    let mut other = w.item.clone();
    other.id = ItemId::new();
    let d2 = decide_duty_escalation(step, &duty, Some(&other), &w.circle, 2, now());
    assert!(d2.item.is_none());
}

#[test]
fn a_statement_is_anchored_on_its_first_line_the_unit_leads() {
    let (a, b, c) = (ItemId::new(), ItemId::new(), ItemId::new());
    assert_eq!(
        statement_anchor(&[(1, a, false), (2, b, true), (3, c, true)]),
        Some(b)
    );
    assert_eq!(statement_anchor(&[(2, b, false), (1, a, false)]), Some(a));
    assert_eq!(statement_anchor(&[]), None);
}

#[test]
fn manual_escalation_asks_who_may_before_the_ladder() {
    let w = world(4);
    let lead = Actor {
        unit: w.item.lead_unit,
        capacity: Capacity::Unit,
        name: "省工信厅".into(),
        jurisdiction: crate::access::Jurisdiction::All,
    };
    let e = decide_manual_escalation(
        &crate::policy::tests::test_policy(),
        &w.item,
        &lead,
        &w.circle,
        d(2026, 3, 10),
        Some(6),
        "事由",
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "not_permitted");
    let e = decide_manual_escalation(
        &crate::policy::tests::test_policy(),
        &w.item,
        &w.supervision,
        &w.circle,
        d(2026, 3, 10),
        Some(6),
        "事由",
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "escalation_at_top");
}

#[test]
fn a_manual_duban_sets_a_reply_date_in_working_days_on_the_order_and_the_event() {
    let w = world(2);
    let policy = crate::policy::tests::test_policy();
    // 2026-09-30 + 5 working days: 国庆 (10-01..10-07) is off, Saturday 10-10 is worked.
    let (decision, firing) = decide_manual_escalation(
        &policy,
        &w.item,
        &w.supervision,
        &w.circle,
        d(2026, 9, 30),
        Some(6),
        "多次催办仍未反馈",
        now(),
    )
    .unwrap();
    assert_eq!(firing.fire.step, "督办");
    let reply = firing.reply_due.expect("a 督办单 asks a reply");
    assert_eq!(reply, d(2026, 10, 13));
    assert!(
        firing
            .order
            .as_deref()
            .unwrap()
            .contains("请于2026年10月13日前书面反馈"),
        "{:?}",
        firing.order
    );
    match decision.event.payload {
        Payload::Escalated(e) => {
            assert_eq!(e.reply_due, Some(reply));
            assert_eq!(e.reason.as_deref(), Some("多次催办仍未反馈"));
        }
        other => panic!("{other:?}"),
    }
}
