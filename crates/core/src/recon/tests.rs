use super::*;
use crate::policy::tests::{item, test_policy};
use crate::{AccountRole, Actor, Jurisdiction};
use chrono::TimeZone;
use std::collections::BTreeSet;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0).unwrap()
}

struct World {
    office: UnitId,
    lead: UnitId,
    co: UnitId,
    facts: Facts,
}

fn world() -> World {
    let (office, lead, co) = (UnitId::new(), UnitId::new(), UnitId::new());
    let mut open = item(ItemState::InProgress, d(2026, 9, 30));
    open.title = "推进古雷石化基地配套项目".into();
    open.owner_unit = Some(office);
    open.lead_unit = Some(lead);
    open.co_units = vec![co];
    open.escalation_level = 2;
    open.progress_percent = Some(60);
    let mut led_only = item(ItemState::Assigned, d(2026, 12, 31));
    led_only.owner_unit = Some(office);
    led_only.lead_unit = Some(lead);
    let mut closed = item(ItemState::Closed, d(2026, 9, 1));
    closed.lead_unit = Some(co);
    let mut draft = item(ItemState::Draft, d(2026, 9, 1));
    draft.lead_unit = Some(co);
    let mut facts = Facts {
        items: vec![open.clone(), led_only, closed, draft],
        ..Facts::default()
    };
    facts.reports.insert(
        (open.id, co),
        OwnReport {
            period: "2026-10".into(),
            percent: Some(30),
            text: "配合完成用地预审".into(),
            reported_at: at(1),
        },
    );
    facts.duties.insert(
        (open.id, lead),
        vec![OpenDuty {
            title: "月度进展(2026-10)".into(),
            period_key: "2026-10".into(),
            due_on: d(2026, 10, 26),
            status: "missed".into(),
        }],
    );
    World {
        office,
        lead,
        co,
        facts,
    }
}

#[test]
fn one_statement_per_party_of_an_open_item_with_its_own_figures() {
    let w = world();
    let p = test_policy();
    let drafts = draft_statements(&w.facts, &p, d(2026, 10, 9));
    assert_eq!(
        drafts.keys().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from([w.lead, w.co]),
        "closed and draft items make no line"
    );
    let lead = &drafts[&w.lead];
    assert_eq!(lead.len(), 2);
    assert_eq!(lead[0].due_on, Some(d(2026, 9, 30)), "earliest due first");
    assert_eq!(lead[0].party, Party::Lead);
    // 国庆 10-01..07 are off: only 10-09 counts (the policy's working days).
    assert_eq!(lead[0].working_days_late, 2);
    assert_eq!(
        lead[0].percent, None,
        "the lead filed nothing: not the item's figure"
    );
    assert_eq!(lead[0].open_duties.len(), 1);
    assert_eq!(lead[0].escalation_level, 2);
    let co = &drafts[&w.co];
    assert_eq!(co.len(), 1);
    assert_eq!(co[0].party, Party::Co);
    assert_eq!(co[0].percent, Some(30), "the co-unit's own report");
    assert_eq!(co[0].report_text.as_deref(), Some("配合完成用地预审"));
    assert!(co[0].open_duties.is_empty());
}

fn line() -> Line {
    let w = world();
    let drafts = draft_statements(&w.facts, &test_policy(), d(2026, 10, 9));
    Line::new(1, drafts[&w.lead][0].clone())
}

#[test]
fn a_dispute_is_answered_before_the_unit_signs_and_nothing_moves_after() {
    let l = line();
    assert!(check_sign(Status::Open, std::slice::from_ref(&l)).is_err());
    let other = Mark::Dispute {
        reason: DisputeReason::Other,
        note: Some("  ".into()),
        attachments: vec![],
    };
    assert!(matches!(
        mark_line(Status::Open, &l, &other, at(2)),
        Err(ReconError::Invalid { field: "note", .. })
    ));
    let dispute = Mark::Dispute {
        reason: DisputeReason::WrongDeadline,
        note: Some("时限已调整至12月".into()),
        attachments: vec!["批复.pdf".into()],
    };
    let disputed = mark_line(Status::Open, &l, &dispute, at(2)).unwrap();
    assert_eq!(disputed.verdict, Verdict::Disputed);
    assert!(check_sign(Status::Open, std::slice::from_ref(&disputed)).is_err());
    assert!(matches!(
        answer_line(
            Status::Open,
            &disputed,
            Answer::Reject { reason: " ".into() },
            "专班",
            at(3)
        ),
        Err(ReconError::Invalid {
            field: "reason",
            ..
        })
    ));
    let mut it = item(ItemState::InProgress, d(2026, 12, 31));
    it.lead_unit = Some(UnitId::new());
    let after = ItemAfter::of(&it, &test_policy(), d(2026, 10, 9));
    let resolved = answer_line(
        Status::Open,
        &disputed,
        Answer::Resolve {
            note: Some("已调整时限".into()),
            after,
        },
        "石化专班",
        at(3),
    )
    .unwrap();
    assert_eq!(resolved.verdict, Verdict::Resolved);
    assert_eq!(resolved.after.as_ref().unwrap().working_days_late, 0);
    assert!(
        mark_line(Status::Open, &resolved, &Mark::Confirm, at(4)).is_err(),
        "answered lines are settled"
    );
    check_sign(Status::Open, std::slice::from_ref(&resolved)).unwrap();
    assert!(check_countersign(Status::Open).is_err());
    check_countersign(Status::Signed).unwrap();
    assert!(mark_line(Status::Signed, &l, &Mark::Confirm, at(4)).is_err());
    assert!(check_countersign(Status::Countersigned).is_err());
}

#[test]
fn units_see_their_own_offices_what_they_keep() {
    let w = world();
    let unit = AccountRole::Unit.actor(w.lead, "u");
    let other = AccountRole::Unit.actor(w.co, "c");
    let owners = [Some(w.office)];
    assert!(may_read(AccountRole::Unit, &unit, w.lead, &owners));
    assert!(!may_read(AccountRole::Unit, &other, w.lead, &owners));
    let office = AccountRole::Office.actor(w.office, "o");
    assert!(may_read(AccountRole::Office, &office, w.lead, &owners));
    let stranger = AccountRole::Office.actor(UnitId::new(), "x");
    assert!(!may_read(AccountRole::Office, &stranger, w.lead, &owners));
    assert!(!may_read(
        AccountRole::Leader,
        &AccountRole::Leader.actor(w.lead, "l"),
        w.lead,
        &owners
    ));
    may_mark(&unit, w.lead).unwrap();
    assert!(may_mark(&other, w.lead).is_err());
    may_answer(&office, w.lead, Some(w.office)).unwrap();
    assert!(may_answer(&stranger, w.lead, Some(w.office)).is_err());
    assert!(may_answer(&unit, w.lead, Some(w.office)).is_err());
    may_countersign(&office, w.lead, &owners).unwrap();
    assert!(may_countersign(&office, w.lead, &[Some(w.office), Some(UnitId::new())]).is_err());
    let admin = Actor {
        jurisdiction: Jurisdiction::All,
        ..AccountRole::Admin.actor(UnitId::new(), "a")
    };
    may_countersign(&admin, w.lead, &[None]).unwrap();
}

fn header(unit: UnitId) -> Header {
    Header {
        id: Uuid::nil(),
        unit,
        unit_name: "省工信厅".into(),
        cycle_key: "reconciliation".into(),
        period_key: "2026-10".into(),
        title: title("2026-10"),
        opens_on: d(2026, 11, 2),
        due_on: d(2026, 11, 10),
        status: Status::Countersigned,
        signed_by: Some("gxt".into()),
        signed_at: Some(at(5)),
        countersigned_by: Some("office".into()),
        countersigned_unit: None,
        countersigned_at: Some(at(6)),
    }
}

#[test]
fn the_content_is_canonical_and_the_chain_finds_an_edit() {
    let l = line();
    let h = header(UnitId::new());
    assert_eq!(h.title, "2026年10月对账单");
    assert_eq!(title("2026-Q3"), "2026年第3季度对账单");
    let c1 = canonical(&h, std::slice::from_ref(&l));
    assert_eq!(
        c1,
        canonical(&h, std::slice::from_ref(&l)),
        "same rows, same bytes"
    );
    let first = Seal {
        seq: 1,
        statement_id: h.id,
        prev_hash: GENESIS.into(),
        hash: seal_hash(GENESIS, &c1),
        content: c1.clone(),
    };
    verify_seal_chain(None, &first, Some(&c1)).unwrap();
    let mut edited = l.clone();
    edited.note = Some("事后补写".into());
    let c2 = canonical(&h, &[edited]);
    assert_ne!(c1, c2);
    let broken = verify_seal_chain(None, &first, Some(&c2)).unwrap_err();
    assert_eq!(broken.seq, 1);
    let second = Seal {
        seq: 2,
        statement_id: Uuid::from_u128(2),
        prev_hash: first.hash.clone(),
        hash: seal_hash(&first.hash, &c2),
        content: c2.clone(),
    };
    verify_seal_chain(Some(&first), &second, Some(&c2)).unwrap();
    let mut forged = second.clone();
    forged.content = c1.clone();
    assert!(verify_seal_chain(Some(&first), &forged, Some(&c1)).is_err());
    assert!(
        verify_seal_chain(None, &second, Some(&c2)).is_err(),
        "a gap"
    );
}

#[test]
fn reasons_parse_from_code_or_label() {
    for r in DisputeReason::ALL {
        assert_eq!(r.as_str().parse::<DisputeReason>(), Ok(r));
        assert_eq!(r.label_zh().parse::<DisputeReason>(), Ok(r));
    }
    assert!("maybe".parse::<DisputeReason>().is_err());
    assert!(Verdict::Resolved.agreed() && !Verdict::Disputed.agreed());
}
