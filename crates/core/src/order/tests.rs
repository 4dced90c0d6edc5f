use super::*;
use crate::access::Jurisdiction;
use crate::command::{Actor, Capacity, decide, new_item};
use crate::escalation::Ladder;
use crate::item::NewItem;
use crate::state::ItemState;
use chrono::TimeZone;

fn actor(name: &str, capacity: Capacity) -> Actor {
    Actor {
        unit: Some(UnitId::new()),
        capacity,
        name: name.into(),
        jurisdiction: Jurisdiction::OwnUnit,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 20, 1, 0, 0).unwrap()
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn running_item(office: &Actor, lead: &Actor, co: &Actor) -> Item {
    let new = NewItem {
        title: "推进古雷石化基地配套项目".into(),
        lead_unit: lead.unit,
        co_units: vec![co.unit.unwrap()],
        ..NewItem::default()
    };
    let mut item = new_item(ItemId::new(), &new, office, now()).unwrap().item;
    item.state = ItemState::InProgress;
    item.due_on = Some(date(9, 30));
    item
}

fn order(item: &Item) -> OrderRef {
    OrderRef {
        id: Uuid::now_v7(),
        item: item.id,
        number: Some(OrderRules::default().number(2026, 12)),
        reply_due: Some(date(10, 16)),
        answered_at: None,
    }
}

#[test]
fn the_number_follows_the_configured_format_and_needs_n() {
    let rules = OrderRules::default();
    assert_eq!(rules.number(2026, 12), "督〔2026〕12号");
    let custom = OrderRules {
        number_format: "闽专督〔{year}〕第{n}号".into(),
    };
    assert_eq!(custom.number(2027, 3), "闽专督〔2027〕第3号");
    assert!(custom.validate().is_ok());
    let bad = OrderRules {
        number_format: "督〔{year}〕号".into(),
    };
    assert!(bad.validate().unwrap_err().contains("{n}"));
}

#[test]
fn only_the_lead_unit_answers_an_open_order_of_its_item_and_the_office_hears() {
    let office = actor("专班办公室", Capacity::Office);
    let lead = actor("省工信厅", Capacity::Unit);
    let co = actor("省科技厅", Capacity::Unit);
    let item = running_item(&office, &lead, &co);
    assert_eq!(issuing_office(&item), office.unit.unwrap().0);
    let o = order(&item);
    let answer = |o: &OrderRef, text: &str| Command::AnswerOrder {
        order: o.clone(),
        text: text.into(),
        attachments: vec!["整改报告.pdf".into()],
    };
    assert!(may_answer(&item, &lead, &o));
    assert!(!may_answer(&item, &co, &o));
    assert!(!may_answer(&item, &office, &o));
    let d = decide(
        &item,
        &lead,
        &answer(&o, "已制定整改方案，11月底前完成"),
        now(),
    )
    .unwrap();
    assert_eq!(d.item.state, ItemState::InProgress);
    assert_eq!(d.notifications.len(), 1);
    assert_eq!(d.notifications[0].recipient, office.unit.unwrap());
    assert_eq!(d.notifications[0].kind, "order_answered");
    assert_eq!(
        d.event.payload.summary_zh(),
        "督办单：督〔2026〕12号；督办回复：已制定整改方案，11月底前完成；附件：整改报告.pdf"
    );
    // A co-unit may not answer; an empty answer names the field; an answered order is closed;
    // another item's order is refused.
    assert!(matches!(
        decide(&item, &co, &answer(&o, "x"), now()),
        Err(DomainError::NotPermitted { .. })
    ));
    assert_eq!(
        decide(&item, &lead, &answer(&o, "  "), now())
            .unwrap_err()
            .field(),
        Some("text")
    );
    let answered = OrderRef {
        answered_at: Some(now()),
        ..o.clone()
    };
    assert!(!may_answer(&item, &lead, &answered));
    assert_eq!(
        decide(&item, &lead, &answer(&answered, "再次回复"), now())
            .unwrap_err()
            .field(),
        Some("order")
    );
    let other = OrderRef {
        item: ItemId::new(),
        ..o
    };
    assert_eq!(
        decide(&item, &lead, &answer(&other, "x"), now())
            .unwrap_err()
            .field(),
        Some("order")
    );
}

#[test]
fn a_reply_with_files_carries_their_sha256_in_the_payload_and_the_document_lists_them() {
    use crate::attachment::{Attachment, FileRef};
    let office = actor("专班办公室", Capacity::Office);
    let lead = actor("省工信厅", Capacity::Unit);
    let co = actor("省科技厅", Capacity::Unit);
    let item = running_item(&office, &lead, &co);
    let o = order(&item);
    let file = FileRef {
        id: Uuid::now_v7(),
        name: "整改报告.pdf".into(),
        sha256: crate::attachment::sha256_hex(b"%PDF-1.4"),
        size: 8,
        content_type: "application/pdf".into(),
    };
    let command = Command::AnswerOrder {
        order: o.clone(),
        text: "已整改".into(),
        attachments: vec![Attachment::File(file.clone())],
    };
    let d = decide(&item, &lead, &command, now()).unwrap();
    assert_eq!(d.event.payload.files(), vec![&file]);
    assert!(d.event.payload.to_json().contains(&file.sha256));
    assert_eq!(
        d.event.payload.summary_zh_without_files(),
        "督办单：督〔2026〕12号；督办回复：已整改"
    );
    // The same file twice is refused on `attachments`.
    let twice = Command::AnswerOrder {
        order: o,
        text: "已整改".into(),
        attachments: vec![Attachment::File(file.clone()), Attachment::File(file)],
    };
    assert_eq!(
        decide(&item, &lead, &twice, now()).unwrap_err().field(),
        Some("attachments")
    );
    // Listed by name on the document, only once answered.
    let facts = OrderFacts {
        number: None,
        step: "督办".into(),
        item_number: None,
        item_title: "推进古雷石化基地配套项目".into(),
        lead_unit: "省工信厅".into(),
        co_units: vec![],
        issuer: "石化专班办公室".into(),
        due_on: date(9, 30),
        working_days_late: 5,
        issued_on: date(10, 13),
        reply_due: None,
        reason: None,
        missed_duties: vec![],
        answered: Some((date(10, 15), "已整改".into())),
        answer_files: vec!["整改报告.pdf".into(), "现场照片.jpg".into()],
    };
    assert_eq!(
        compose(&facts).answer_files,
        vec!["1.整改报告.pdf", "2.现场照片.jpg"]
    );
    assert!(
        compose(&OrderFacts {
            answered: None,
            ..facts
        })
        .answer_files
        .is_empty()
    );
}

#[test]
fn an_unanswered_order_climbs_the_ladder_from_its_reply_date_and_an_answered_one_does_not() {
    let office = actor("专班办公室", Capacity::Office);
    let lead = actor("省工信厅", Capacity::Unit);
    let co = actor("省科技厅", Capacity::Unit);
    let item = running_item(&office, &lead, &co);
    let o = order(&item);
    let ladder = Ladder::default();
    let step = &ladder.steps[1]; // 催办
    let d = decide_late_reply(step, &o, &item, &Circle::default(), 2, now()).unwrap();
    assert_eq!(d.fire.subject_kind, ORDER_SUBJECT);
    assert_eq!(d.fire.subject_id, o.id);
    assert_eq!(d.fire.due_on, date(10, 16));
    assert_eq!(d.fire.working_days_late, 2);
    let told: Vec<_> = d.notifications.iter().map(|n| n.recipient).collect();
    assert_eq!(told, vec![lead.unit.unwrap()]);
    assert!(d.notifications.iter().all(|n| n.kind == "order_reply_late"));
    let ev = d.item.unwrap();
    assert_eq!(ev.item.version, item.version + 1);
    assert_eq!(
        ev.event.payload.summary_zh(),
        "督办单：督〔2026〕12号；逾期未反馈：2 个工作日；督办：催办"
    );
    let answered = OrderRef {
        answered_at: Some(now()),
        ..o.clone()
    };
    assert!(decide_late_reply(step, &answered, &item, &Circle::default(), 2, now()).is_none());
    let mut closed = item.clone();
    closed.state = ItemState::Closed;
    assert!(decide_late_reply(step, &o, &closed, &Circle::default(), 2, now()).is_none());
}

#[test]
fn the_document_names_number_unit_days_late_missed_duties_and_the_reply_date() {
    let facts = OrderFacts {
        number: Some("督〔2026〕12号".into()),
        step: "督办".into(),
        item_number: Some("（十二）".into()),
        item_title: "推进古雷石化基地配套项目".into(),
        lead_unit: "省工信厅".into(),
        co_units: vec!["省科技厅".into()],
        issuer: "石化专班办公室".into(),
        due_on: date(9, 30),
        working_days_late: 5,
        issued_on: date(10, 13),
        reply_due: Some(date(10, 20)),
        reason: None,
        missed_duties: vec![("月度进展".into(), "2026-09".into(), date(9, 25))],
        answered: None,
        answer_files: vec![],
    };
    let doc = compose(&facts);
    assert_eq!(doc.number, "督〔2026〕12号");
    assert_eq!(doc.addressee, "省工信厅：");
    let body = doc.facts.join("");
    assert!(body.contains("已逾期5个工作日"), "{body}");
    assert!(body.contains("逾期未报送1项：月度进展（2026-09，应于2026年9月25日前报送）"));
    assert!(doc.requirements.join("").contains("请于2026年10月20日前"));
    let unnumbered = compose(&OrderFacts {
        number: None,
        missed_duties: Vec::new(),
        ..facts
    });
    assert_eq!(unnumbered.number, "未编号");
    assert!(unnumbered.facts.join("").contains("无逾期未报送"));
}
