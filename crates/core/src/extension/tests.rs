use super::*;
use crate::access::Jurisdiction;
use crate::command::{Actor, Capacity, decide};
use crate::ids::ItemId;
use crate::item::NewItem;
use crate::state::{Action, ItemState};
use chrono::TimeZone;

fn actor(name: &str, capacity: Capacity) -> Actor {
    Actor {
        unit: Some(UnitId::new()),
        capacity,
        name: name.into(),
        jurisdiction: Jurisdiction::OwnUnit,
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Monday 2026-03-02, 09:00 in Beijing.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

struct World {
    office: Actor,
    lead: Actor,
    co: Actor,
    stranger: Actor,
    item: Item,
}

/// An item in progress, due Friday 2026-03-06, kept by `office`.
fn world() -> World {
    let office = actor("专班办公室", Capacity::Office);
    let lead = actor("省工信厅", Capacity::Unit);
    let co = actor("省科技厅", Capacity::Unit);
    let new = NewItem {
        title: "推进古雷石化基地配套项目".into(),
        lead_unit: lead.unit,
        co_units: vec![co.unit.unwrap()],
        deadline: Some(d(2026, 3, 6)),
        ..NewItem::default()
    };
    let mut item = crate::command::new_item(ItemId::new(), &new, &office, now())
        .unwrap()
        .item;
    item.state = ItemState::InProgress;
    World {
        office,
        lead,
        co,
        stranger: actor("省财政厅", Capacity::Unit),
        item,
    }
}

fn ask(deadline: NaiveDate) -> Command {
    Command::RequestExtension {
        deadline,
        reason: "项目环评批复延后".into(),
        attachments: vec!["环评受理通知.pdf".into()],
    }
}

#[test]
fn the_lead_unit_asks_and_the_office_is_told() {
    let w = world();
    let dec = decide(&w.item, &w.lead, &ask(d(2026, 4, 30)), now()).unwrap();
    assert_eq!(dec.item.extension_requested, Some(d(2026, 4, 30)));
    assert_eq!(dec.item.due_on, Some(d(2026, 3, 6)), "asking moves nothing");
    assert_eq!(dec.item.state, ItemState::InProgress);
    assert_eq!(dec.event.kind, "request_extension");
    assert_eq!(dec.notifications.len(), 1);
    assert_eq!(Some(dec.notifications[0].recipient), w.item.owner_unit);
    assert_eq!(dec.notifications[0].kind, "extension_requested");
    assert_eq!(
        dec.event.payload.summary_zh(),
        "原时限：2026年3月6日；申请延期至：2026年4月30日；理由：项目环评批复延后；附件：环评受理通知.pdf"
    );
    // One at a time.
    let again = decide(&dec.item, &w.lead, &ask(d(2026, 5, 29)), now()).unwrap_err();
    assert_eq!(again.field(), Some("extension"), "{again}");
}

#[test]
fn only_the_lead_unit_asks_and_only_the_office_answers() {
    let w = world();
    for who in [&w.co, &w.stranger, &w.office] {
        let err = decide(&w.item, who, &ask(d(2026, 4, 30)), now()).unwrap_err();
        assert!(
            matches!(
                err,
                DomainError::NotPermitted { .. } | DomainError::OutsideJurisdiction { .. }
            ),
            "{}: {err}",
            who.name
        );
    }
    let asked = decide(&w.item, &w.lead, &ask(d(2026, 4, 30)), now())
        .unwrap()
        .item;
    let approve = Command::ApproveExtension { comment: None };
    for who in [&w.lead, &w.co, &w.stranger] {
        assert!(matches!(
            decide(&asked, who, &approve, now()),
            Err(DomainError::NotPermitted { .. })
        ));
    }
    // Another office: outside its jurisdiction.
    let sibling = actor("新能源专班办公室", Capacity::Office);
    assert!(matches!(
        decide(&asked, &sibling, &approve, now()),
        Err(DomainError::OutsideJurisdiction { .. })
    ));
}

#[test]
fn approval_moves_deadline_and_due_date_and_tells_the_lead() {
    let w = world();
    let asked = decide(&w.item, &w.lead, &ask(d(2026, 4, 30)), now())
        .unwrap()
        .item;
    let dec = decide(
        &asked,
        &w.office,
        &Command::ApproveExtension {
            comment: Some("同意".into()),
        },
        now(),
    )
    .unwrap();
    assert_eq!(dec.item.deadline, Some(d(2026, 4, 30)));
    assert_eq!(dec.item.due_on, Some(d(2026, 4, 30)));
    assert_eq!(dec.item.extension_requested, None);
    assert_eq!(dec.notifications[0].recipient, w.lead.unit.unwrap());
    assert_eq!(dec.notifications[0].kind, "extension_approved");
    assert_eq!(
        dec.event.payload.summary_zh(),
        "原时限：2026年3月6日；新时限：2026年4月30日；意见：同意"
    );
    // Nothing waits any more: a second answer is refused.
    let err = decide(
        &dec.item,
        &w.office,
        &Command::RefuseExtension { reason: "x".into() },
        now(),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("extension"));
}

#[test]
fn refusal_keeps_the_deadline_and_frees_the_item_for_another_request() {
    let w = world();
    let asked = decide(&w.item, &w.lead, &ask(d(2026, 4, 30)), now())
        .unwrap()
        .item;
    let refuse = |reason: &str| Command::RefuseExtension {
        reason: reason.into(),
    };
    assert_eq!(
        decide(&asked, &w.office, &refuse(" "), now())
            .unwrap_err()
            .field(),
        Some("reason")
    );
    let dec = decide(&asked, &w.office, &refuse("理由不充分"), now()).unwrap();
    assert_eq!(dec.item.deadline, Some(d(2026, 3, 6)));
    assert_eq!(dec.item.due_on, Some(d(2026, 3, 6)));
    assert_eq!(dec.item.extension_requested, None);
    assert_eq!(dec.notifications[0].kind, "extension_refused");
    assert_eq!(
        dec.event.payload.summary_zh(),
        "申请延期至：2026年4月30日；不同意理由：理由不充分"
    );
    assert!(decide(&dec.item, &w.lead, &ask(d(2026, 3, 31)), now()).is_ok());
}

#[test]
fn the_new_date_must_lie_after_the_due_date_and_a_reason_is_required() {
    let w = world();
    for day in [d(2026, 3, 6), d(2026, 3, 1)] {
        let err = decide(&w.item, &w.lead, &ask(day), now()).unwrap_err();
        assert_eq!(err.field(), Some("deadline"), "{err}");
    }
    let blank = Command::RequestExtension {
        deadline: d(2026, 4, 30),
        reason: "  ".into(),
        attachments: vec![],
    };
    assert_eq!(
        decide(&w.item, &w.lead, &blank, now()).unwrap_err().field(),
        Some("reason")
    );
    let mut open_ended = w.item.clone();
    open_ended.deadline = None;
    open_ended.due_on = None;
    assert!(decide(&open_ended, &w.lead, &ask(d(2026, 4, 30)), now()).is_err());
}

#[test]
fn a_closed_transferred_or_cancelled_item_keeps_no_request() {
    let w = world();
    let asked = decide(&w.item, &w.lead, &ask(d(2026, 4, 30)), now())
        .unwrap()
        .item;
    let transferred = decide(
        &asked,
        &w.office,
        &Command::Transfer {
            to: w.co.unit.unwrap(),
            reason: "职责调整".into(),
        },
        now(),
    )
    .unwrap()
    .item;
    assert_eq!(transferred.extension_requested, None);
    let cancelled = decide(
        &asked,
        &w.office,
        &Command::Cancel {
            reason: "不再实施".into(),
        },
        now(),
    )
    .unwrap()
    .item;
    assert_eq!(cancelled.extension_requested, None);
}

#[test]
fn after_the_due_date_the_policy_refuses_unless_allowed() {
    let w = world();
    let mut policy = crate::policy::tests::test_policy();
    let cmd = ask(d(2026, 4, 30));
    let on = |y, m, day| Utc.with_ymd_and_hms(y, m, day, 1, 0, 0).unwrap();
    // On the due date itself, still in time.
    assert!(
        policy
            .admit_extension(&w.item, &cmd, on(2026, 3, 6))
            .is_ok()
    );
    let err = policy
        .admit_extension(&w.item, &cmd, on(2026, 3, 9))
        .unwrap_err();
    assert_eq!(err.field(), Some("due_on"), "{err}");
    assert!(err.to_string().contains("2026-03-06"), "{err}");
    // Other commands are not this guard's business.
    let approve = Command::ApproveExtension { comment: None };
    assert!(
        policy
            .admit_extension(&w.item, &approve, on(2026, 3, 9))
            .is_ok()
    );
    policy.extension.allow_after_due = true;
    assert!(
        policy
            .admit_extension(&w.item, &cmd, on(2026, 3, 9))
            .is_ok()
    );
    assert_eq!(Action::RequestExtension.label_zh(), "申请延期");
}
