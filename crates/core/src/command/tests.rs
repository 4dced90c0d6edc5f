use super::*;
use crate::access::Jurisdiction;
use crate::event::{Event, verify_chain};
use crate::progress::ProgressReport;
use chrono::TimeZone;
use proptest::prelude::*;

struct World {
    office: Actor,
    /// The office above `office` (领导小组办公室): office powers over its items too.
    office2: Actor,
    /// Another chain's office beside `office`: no office powers over its items.
    sibling: Actor,
    supervision: Actor,
    lead: Actor,
    co: Actor,
    stranger: Actor,
    other_unit: UnitId,
}

fn unit_actor(name: &str, capacity: Capacity) -> Actor {
    Actor {
        unit: Some(UnitId::new()),
        capacity,
        name: name.into(),
        jurisdiction: Jurisdiction::OwnUnit,
    }
}

fn world() -> World {
    let office = unit_actor("专班办公室", Capacity::Office);
    let mut office2 = unit_actor("领导小组办公室", Capacity::Office);
    let (top, below) = (office2.unit.unwrap(), office.unit);
    office2.jurisdiction = Jurisdiction::office(top, &[(top, None), (below.unwrap(), Some(top))]);
    World {
        office,
        office2,
        sibling: unit_actor("新能源专班办公室", Capacity::Office),
        supervision: unit_actor("督查室", Capacity::Supervision),
        lead: unit_actor("省工信厅", Capacity::Unit),
        co: unit_actor("省科技厅", Capacity::Unit),
        stranger: unit_actor("省财政厅", Capacity::Unit),
        other_unit: UnitId::new(),
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn draft(w: &World) -> Item {
    let new = NewItem {
        title: "强化产业分析研判".into(),
        lead_unit: w.lead.unit,
        co_units: vec![w.co.unit.unwrap()],
        ..Default::default()
    };
    new_item(ItemId::new(), &new, &w.office, now())
        .unwrap()
        .item
}

fn apply(item: &Item, actor: &Actor, cmd: Command) -> Result<Item, DomainError> {
    decide(item, actor, &cmd, now()).map(|d| d.item)
}

fn report() -> Command {
    Command::Report {
        report: ProgressReport {
            period: "2026-03".into(),
            text: "已完成图谱初稿".into(),
            percent: Some(40),
            actuals: vec![],
            attachments: vec![],
        },
    }
}

#[test]
fn whole_lifecycle() {
    let w = world();
    let item = draft(&w);
    assert_eq!(item.owner_unit, w.office.unit);
    let item = apply(
        &item,
        &w.office,
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
    )
    .unwrap();
    assert_eq!(item.state, ItemState::Assigned);
    let item = apply(&item, &w.lead, Command::Accept).unwrap();
    let item = apply(&item, &w.lead, report()).unwrap();
    assert_eq!(item.state, ItemState::InProgress);
    assert_eq!(item.progress_percent, Some(40));
    let item = apply(
        &item,
        &w.lead,
        Command::RequestClosure {
            evidence: "图谱已印发".into(),
            attachments: vec![],
        },
    )
    .unwrap();
    assert_eq!(item.closure_requested_by, w.lead.unit);
    let d = decide(&item, &w.office, &Command::Verify { comment: None }, now()).unwrap();
    assert_eq!(d.item.state, ItemState::Closed);
    assert_eq!(d.item.version, 6);
    assert_eq!(d.item.closed_at, Some(now()));
    assert_eq!(d.notifications.len(), 1);
    assert_eq!(d.notifications[0].recipient, w.lead.unit.unwrap());
}

fn report_of(percent: i32) -> Command {
    Command::Report {
        report: ProgressReport {
            period: "2026-03".into(),
            text: "配合单位进展".into(),
            percent: Some(percent),
            actuals: vec![],
            attachments: vec![],
        },
    }
}

#[test]
fn progress_per_unit_a_co_units_report_moves_neither_state_nor_percent() {
    let w = world();
    let item = draft(&w);
    let item = apply(
        &item,
        &w.office,
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
    )
    .unwrap();
    let accepted = apply(&item, &w.lead, Command::Accept).unwrap();
    // 开始办理 is the lead's: a co-unit's report leaves an accepted item accepted.
    let d = decide(&accepted, &w.co, &report_of(10), now()).unwrap();
    assert_eq!(d.item.state, ItemState::Accepted);
    assert_eq!(d.event.to_state, ItemState::Accepted);
    assert_eq!(d.event.actor_role, "co_unit");
    assert_eq!(d.item.progress_percent, None);
    assert!(d.report.is_some(), "the co-unit's report is still stored");
    // The lead's report moves it and sets the item's percent; a co-unit's later 10 % does
    // not overwrite the lead's 60 %.
    let item = apply(&d.item, &w.lead, report_of(60)).unwrap();
    assert_eq!(item.state, ItemState::InProgress);
    assert_eq!(item.progress_percent, Some(60));
    let item = apply(&item, &w.co, report_of(10)).unwrap();
    assert_eq!(item.progress_percent, Some(60));
    assert_eq!(item.state, ItemState::InProgress);
    // A lead report without a percent keeps the lead's last figure.
    let mut no_percent = report_of(0);
    if let Command::Report { report } = &mut no_percent {
        report.percent = None;
    }
    let item = apply(&item, &w.lead, no_percent).unwrap();
    assert_eq!(item.progress_percent, Some(60));
}

#[test]
fn illegal_transition_names_state_action_and_allowed() {
    let w = world();
    let item = draft(&w);
    let err = apply(&item, &w.office, Command::Verify { comment: None }).unwrap_err();
    match &err {
        DomainError::InvalidTransition {
            state,
            action,
            allowed,
        } => {
            assert_eq!(*state, ItemState::Draft);
            assert_eq!(*action, Action::Verify);
            assert_eq!(
                allowed,
                &vec![
                    Action::Assign,
                    Action::Cancel,
                    Action::Edit,
                    Action::Reschedule
                ]
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("verify") && msg.contains("draft") && msg.contains("assign"));
}

#[test]
fn reschedule_moves_deadline_and_due_date_with_a_reason() {
    let w = world();
    let item = draft(&w);
    let new = chrono::NaiveDate::from_ymd_opt(2026, 7, 31).unwrap();
    let cmd = |reason: &str| Command::Reschedule {
        deadline: new,
        reason: reason.into(),
    };
    assert!(apply(&item, &w.office, cmd(" ")).is_err());
    assert!(apply(&item, &w.lead, cmd("台账导入")).is_err());
    let d = decide(&item, &w.office, &cmd("台账导入"), now()).unwrap();
    assert_eq!(d.item.deadline, Some(new));
    assert_eq!(d.item.due_on, Some(new));
    assert_eq!(d.item.state, item.state);
    assert_eq!(d.event.kind, "reschedule");
    assert!(d.event.payload.to_json().contains("2026-07-31"));
    // The same deadline again is refused: nothing to change.
    assert!(apply(&d.item, &w.office, cmd("台账导入")).is_err());
}

#[test]
fn edit_changes_text_but_the_lead_of_an_assigned_item_only_by_transfer() {
    let w = world();
    let item = draft(&w);
    let edit = |lead: Option<UnitId>| Command::Edit {
        title: Some("新标题".into()),
        text: None,
        lead_unit: lead,
        co_units: None,
        number: None,
        leader: None,
        chain: None,
        reason: "台账导入".into(),
    };
    let d = decide(&item, &w.office, &edit(w.co.unit), now()).unwrap();
    assert_eq!(d.item.title, "新标题");
    assert_eq!(d.item.lead_unit, w.co.unit);
    assert!(!d.item.co_units.contains(&w.co.unit.unwrap()));
    let assigned = apply(
        &item,
        &w.office,
        Command::Assign {
            lead_unit: w.lead.unit,
            deadline: None,
        },
    )
    .unwrap();
    let err = apply(&assigned, &w.office, edit(w.co.unit)).unwrap_err();
    assert!(err.to_string().contains("transfer"), "{err}");
    assert!(apply(&assigned, &w.office, edit(None)).is_ok());
    assert!(apply(&assigned, &w.lead, edit(None)).is_err());
}

#[test]
fn requester_can_never_verify_even_as_office() {
    let w = world();
    // An office that is itself the lead unit of an item.
    let mut item = draft(&w);
    item.lead_unit = w.office.unit;
    item.co_units.clear();
    let item = apply(
        &item,
        &w.office,
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
    )
    .unwrap();
    let item = apply(&item, &w.office, Command::Accept).unwrap();
    let item = apply(&item, &w.office, Command::Start).unwrap();
    let item = apply(
        &item,
        &w.office,
        Command::RequestClosure {
            evidence: "done".into(),
            attachments: vec![],
        },
    )
    .unwrap();
    assert_eq!(
        apply(&item, &w.office, Command::Verify { comment: None }).unwrap_err(),
        DomainError::SelfVerification
    );
    assert!(apply(&item, &w.office2, Command::Verify { comment: None }).is_ok());
}

#[test]
fn an_office_acts_with_office_powers_only_within_its_jurisdiction() {
    let w = world();
    let assign = || Command::Assign {
        lead_unit: None,
        deadline: None,
    };
    let draft = draft(&w);
    let err = apply(&draft, &w.sibling, assign()).unwrap_err();
    assert!(
        matches!(
            err,
            DomainError::OutsideJurisdiction {
                action: Action::Assign,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(permitted_actions(&draft, &w.sibling).is_empty());
    // The office above acts on its office's items; the owner itself too.
    assert!(permitted_actions(&draft, &w.office2).contains(&Action::Assign));
    let assigned = apply(&draft, &w.office2, assign()).unwrap();
    for cmd in [
        Command::Cancel { reason: "r".into() },
        Command::Reschedule {
            deadline: chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            reason: "r".into(),
        },
        Command::Transfer {
            to: w.other_unit,
            reason: "r".into(),
        },
    ] {
        assert!(matches!(
            apply(&assigned, &w.sibling, cmd.clone()),
            Err(DomainError::OutsideJurisdiction { .. })
        ));
        assert!(apply(&assigned, &w.office, cmd).is_ok());
    }
    // Never upwards: an item the office above keeps is outside the office's jurisdiction.
    let mut kept_above = draft.clone();
    kept_above.owner_unit = w.office2.unit;
    assert!(apply(&kept_above, &w.office, assign()).is_err());
    // An office that leads an item still acts as its lead unit, wherever the item is kept.
    let mut led = assigned.clone();
    led.lead_unit = w.sibling.unit;
    assert_eq!(
        permitted_actions(&led, &w.sibling),
        vec![Action::Return, Action::Accept]
    );
    // An administrator acts on every item, even one without an owner.
    let mut admin = w.sibling.clone();
    admin.jurisdiction = Jurisdiction::All;
    let mut unowned = draft.clone();
    unowned.owner_unit = None;
    assert!(apply(&unowned, &admin, assign()).is_ok());
    assert!(apply(&unowned, &w.office, assign()).is_err());
}

#[test]
fn units_may_only_act_on_their_own_items() {
    let w = world();
    let item = apply(
        &draft(&w),
        &w.office,
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
    )
    .unwrap();
    let err = apply(&item, &w.stranger, Command::Accept).unwrap_err();
    assert!(matches!(err, DomainError::NotPermitted { .. }), "{err:?}");
    // A co-unit may report but not accept.
    assert!(apply(&item, &w.co, Command::Accept).is_err());
    // A unit cannot assign.
    assert!(matches!(
        apply(
            &draft(&w),
            &w.lead,
            Command::Assign {
                lead_unit: None,
                deadline: None
            }
        ),
        Err(DomainError::NotPermitted { .. })
    ));
}

#[test]
fn reasons_and_evidence_are_required() {
    let w = world();
    let assigned = apply(
        &draft(&w),
        &w.office,
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
    )
    .unwrap();
    let err = apply(
        &assigned,
        &w.lead,
        Command::Return {
            reason: "  ".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    let back = apply(
        &assigned,
        &w.lead,
        Command::Return {
            reason: "不属于本单位职责".into(),
        },
    )
    .unwrap();
    assert_eq!(back.state, ItemState::Draft);

    let started = apply(
        &apply(&assigned, &w.lead, Command::Accept).unwrap(),
        &w.lead,
        Command::Start,
    )
    .unwrap();
    let err = apply(
        &started,
        &w.lead,
        Command::RequestClosure {
            evidence: String::new(),
            attachments: vec![],
        },
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("evidence"));
}

#[test]
fn suspend_resumes_into_the_state_it_left() {
    let w = world();
    let item = apply(
        &draft(&w),
        &w.office,
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
    )
    .unwrap();
    let accepted = apply(&item, &w.lead, Command::Accept).unwrap();
    let suspended = apply(
        &accepted,
        &w.office,
        Command::Suspend {
            reason: "等待省政府决策".into(),
        },
    )
    .unwrap();
    assert_eq!(suspended.suspended_from, Some(ItemState::Accepted));
    let resumed = apply(&suspended, &w.office, Command::Resume).unwrap();
    assert_eq!(resumed.state, ItemState::Accepted);
    assert_eq!(resumed.suspended_from, None);
}

#[test]
fn a_suspended_item_can_be_cancelled_and_forgets_where_it_was() {
    let w = world();
    let item = apply(
        &draft(&w),
        &w.office,
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
    )
    .unwrap();
    let accepted = apply(&item, &w.lead, Command::Accept).unwrap();
    let suspended = apply(
        &accepted,
        &w.office,
        Command::Suspend {
            reason: "暂缓".into(),
        },
    )
    .unwrap();
    let cancelled = apply(
        &suspended,
        &w.office,
        Command::Cancel {
            reason: "撤销".into(),
        },
    )
    .unwrap();
    assert_eq!(cancelled.state, ItemState::Cancelled);
    assert_eq!(cancelled.suspended_from, None);
}

#[test]
fn transfer_hands_the_item_to_a_new_lead_who_must_accept() {
    let w = world();
    let item = apply(
        &draft(&w),
        &w.office,
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
    )
    .unwrap();
    let accepted = apply(&item, &w.lead, Command::Accept).unwrap();
    let d = decide(
        &accepted,
        &w.office,
        &Command::Transfer {
            to: w.other_unit,
            reason: "职责调整".into(),
        },
        now(),
    )
    .unwrap();
    assert_eq!(d.item.state, ItemState::Assigned);
    assert_eq!(d.item.lead_unit, Some(w.other_unit));
    assert_eq!(d.notifications[0].recipient, w.other_unit);
    assert!(apply(&d.item, &w.lead, Command::Accept).is_err());
}

#[test]
fn escalation_never_goes_down_and_dedupes_per_deadline() {
    let w = world();
    let item = apply(
        &draft(&w),
        &w.office,
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
    )
    .unwrap();
    let esc = |level: i32| Command::Escalate {
        level,
        step: "督办".into(),
        notify: vec![w.lead.unit.unwrap()],
        deadline_key: "2026-03-31".into(),
        urgent: true,
        reason: None,
    };
    let d = decide(&item, &Actor::system(), &esc(2), now()).unwrap();
    assert_eq!(d.item.escalation_level, 2);
    assert!(d.notifications[0].urgent);
    let again = decide(&d.item, &Actor::system(), &esc(2), now()).unwrap();
    assert_eq!(
        d.notifications[0].dedupe_key,
        again.notifications[0].dedupe_key
    );
    assert!(decide(&d.item, &Actor::system(), &esc(1), now()).is_err());
}

#[test]
fn new_items_are_validated() {
    let w = world();
    let empty = NewItem::default();
    assert_eq!(
        new_item(ItemId::new(), &empty, &w.office, now())
            .unwrap_err()
            .field(),
        Some("title")
    );
    let by_unit = NewItem {
        title: "x".into(),
        ..Default::default()
    };
    assert!(new_item(ItemId::new(), &by_unit, &w.lead, now()).is_err());
}

// ---------- property tests ----------

#[derive(Debug, Clone)]
enum Who {
    Office,
    Office2,
    Sibling,
    Supervision,
    Lead,
    Co,
    Stranger,
    System,
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        Just(Who::Office),
        Just(Who::Office2),
        Just(Who::Sibling),
        Just(Who::Supervision),
        Just(Who::Lead),
        Just(Who::Co),
        Just(Who::Stranger),
        Just(Who::System),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("  ".to_owned()),
        Just("理由".to_owned())
    ]
}

fn command(other: UnitId, lead: UnitId) -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Assign {
            lead_unit: None,
            deadline: None
        }),
        text().prop_map(|reason| Command::Return { reason }),
        Just(Command::Accept),
        Just(Command::Start),
        (0i32..120).prop_map(|p| Command::Report {
            report: ProgressReport {
                period: "2026-05".into(),
                text: "进展".into(),
                percent: Some(p),
                actuals: vec![],
                attachments: vec![],
            }
        }),
        text().prop_map(|evidence| Command::RequestClosure {
            evidence,
            attachments: vec![]
        }),
        Just(Command::Verify { comment: None }),
        text().prop_map(|reason| Command::Reject { reason }),
        text().prop_map(|reason| Command::Reopen { reason }),
        text().prop_map(|reason| Command::Suspend { reason }),
        Just(Command::Resume),
        text().prop_map(|reason| Command::Cancel { reason }),
        (prop::bool::ANY, text()).prop_map(move |(b, reason)| Command::Transfer {
            to: if b { other } else { lead },
            reason
        }),
        (0i32..5).prop_map(|level| Command::Escalate {
            level,
            step: "催办".into(),
            notify: vec![],
            deadline_key: "d".into(),
            urgent: false,
            reason: None,
        }),
        (text(), prop::bool::ANY, text()).prop_map(move |(t, b, reason)| Command::Edit {
            title: Some(t),
            text: None,
            lead_unit: if b { Some(other) } else { None },
            co_units: if b { None } else { Some(vec![lead, other]) },
            number: if b { None } else { Some("(二)".into()) },
            leader: None,
            chain: None,
            reason
        }),
        ((1u32..28), text()).prop_map(|(d, reason)| Command::Reschedule {
            deadline: chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap_or_default(),
            reason
        }),
        ((1u32..28), text()).prop_map(|(d, reason)| Command::RequestExtension {
            deadline: chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap_or_default(),
            reason,
            attachments: vec![],
        }),
        Just(Command::ApproveExtension { comment: None }),
        text().prop_map(|reason| Command::RefuseExtension { reason }),
    ]
}

fn check_invariants(item: &Item) -> Result<(), TestCaseError> {
    prop_assert!(ItemState::ALL.contains(&item.state));
    prop_assert_eq!(item.state == ItemState::Closed, item.closed_at.is_some());
    if item.state == ItemState::ClosureRequested {
        prop_assert!(item.closure_requested_by.is_some());
    }
    prop_assert_eq!(
        item.state == ItemState::Suspended,
        item.suspended_from.is_some()
    );
    if let Some(from) = item.suspended_from {
        prop_assert!(matches!(from, ItemState::Accepted | ItemState::InProgress));
    }
    if item.state != ItemState::Draft {
        prop_assert!(item.lead_unit.is_some());
    }
    if let Some(lead) = item.lead_unit {
        prop_assert!(!item.co_units.contains(&lead));
    }
    if let Some(p) = item.progress_percent {
        prop_assert!((0..=100).contains(&p));
    }
    if matches!(item.state, ItemState::Closed | ItemState::Cancelled) {
        // A request waits only on an item that can still be extended.
        prop_assert!(item.extension_requested.is_none());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn random_command_sequences_keep_every_invariant(
        steps in prop::collection::vec((who(), command(UnitId::new(), UnitId::new())), 1..60)
    ) {
        let w = world();
        let mut item = draft(&w);
        let mut events = vec![Event::chain(item.id, new_item(item.id, &NewItem { title: "t".into(), ..Default::default() }, &w.office, now()).unwrap().event, now(), None)];
        let mut accepted = 0usize;
        for (who, cmd) in steps {
            let actor = match who {
                Who::Office => w.office.clone(),
                Who::Office2 => w.office2.clone(),
                Who::Sibling => w.sibling.clone(),
                Who::Supervision => w.supervision.clone(),
                // The lead actor is whoever leads the item now, so transfers keep it reachable.
                Who::Lead => Actor { unit: item.lead_unit, ..w.lead.clone() },
                Who::Co => w.co.clone(),
                Who::Stranger => w.stranger.clone(),
                Who::System => Actor::system(),
            };
            let before = item.clone();
            match decide(&item, &actor, &cmd, now()) {
                Ok(d) => {
                    accepted += 1;
                    prop_assert_eq!(d.item.version, before.version + 1);
                    prop_assert!(d.item.escalation_level >= before.escalation_level);
                    prop_assert_eq!(d.event.from_state, Some(before.state));
                    prop_assert_eq!(d.event.to_state, d.item.state);
                    prop_assert!(crate::state::transition(before.state, cmd.action()).is_some());
                    // Office powers only within the office's jurisdiction.
                    if d.event.actor_role == Role::Office.as_str() {
                        prop_assert!(actor.governs(&before));
                    }
                    if matches!(cmd, Command::Report { .. }) && before.lead_unit != actor.unit {
                        // Progress per unit: only the lead's report moves the item.
                        prop_assert_eq!(d.item.state, before.state);
                        prop_assert_eq!(d.item.progress_percent, before.progress_percent);
                    }
                    if d.item.state == ItemState::Closed && before.state != ItemState::Closed {
                        // Verified by a named unit other than the requester.
                        prop_assert!(actor.unit.is_some());
                        prop_assert_ne!(actor.unit, before.closure_requested_by);
                        prop_assert!(before.closure_requested_by.is_some());
                    }
                    let last = events.last().map(|e: &Event| (e.seq, e.hash.clone()));
                    let prev = last.as_ref().map(|(s, h)| (*s, h.as_str()));
                    events.push(Event::chain(item.id, d.event, now(), prev));
                    item = d.item;
                }
                Err(_) => {
                    // A refused command changes nothing.
                    prop_assert_eq!(&item, &before);
                }
            }
            check_invariants(&item)?;
        }
        // Exactly one event per accepted command, plus `create`; and the chain holds.
        prop_assert_eq!(events.len(), accepted + 1);
        prop_assert_eq!(item.version as usize, accepted + 1);
        prop_assert!(verify_chain(&events).is_ok());
    }
}
