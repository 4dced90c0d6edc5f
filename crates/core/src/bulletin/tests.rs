use super::seal::{self, Seal};
use super::*;
use crate::escalation::Ladder;
use std::collections::BTreeSet;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn counts(total: u64, closed: u64, on_time: u64, overdue: u64, missed: u64) -> Counts {
    Counts {
        total,
        closed,
        closed_on_time: on_time,
        overdue,
        returned: 0,
        duties_missed: missed,
        escalations: BTreeMap::new(),
    }
}

fn facts() -> (Facts, UnitId, UnitId) {
    let (gxt, fgw) = (UnitId::new(), UnitId::new());
    let facts = Facts {
        kind: PeriodKind::Quarter,
        period_label: "2026Q4".into(),
        period_title: "2026年第四季度".into(),
        from: d(2026, 10, 1),
        to: d(2026, 12, 31),
        as_of: d(2026, 12, 31),
        total: Counts {
            returned: 1,
            escalations: BTreeMap::from([(1, 15), (3, 2)]),
            ..counts(5, 3, 2, 2, 1)
        },
        units: vec![
            UnitCounts {
                unit: Some(gxt),
                name: "省工信厅".into(),
                counts: counts(2, 2, 2, 0, 0),
            },
            UnitCounts {
                unit: Some(fgw),
                name: "省发改委".into(),
                counts: counts(3, 1, 0, 2, 1),
            },
        ],
        lagging: vec![LaggingItem {
            item_id: ItemId::new(),
            number: Some("(二)".into()),
            title: "编制石化产业链招商图谱".into(),
            lead: Some(fgw),
            lead_name: "省发改委".into(),
            due_on: Some(d(2026, 12, 1)),
            working_days_late: 22,
            escalation_level: 3,
        }],
        recon: ReconCounts {
            statements: 3,
            countersigned: 1,
            signed: 1,
            unsigned_units: vec!["省发改委".into()],
        },
        ranking: None,
        level_names: crate::bulletin::text::level_names(&Ladder::default(), [1, 2, 3, 4]),
    };
    (facts, gxt, fgw)
}

fn edits(f: &Facts) -> Edits {
    default_edits(f, "闽督通")
}

fn body_text(doc: &Document) -> String {
    doc.body
        .iter()
        .map(|b| match b {
            Block::Heading(t) | Block::SubHeading(t) | Block::Para(t) => t.as_str(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_narrative_is_written_from_the_figures() {
    let (f, ..) = facts();
    let doc = compose(&f, &edits(&f), "省政府督查室", None, None);
    let text = body_text(&doc);
    assert_eq!(doc.title, "关于2026年第四季度对账销号工作情况的通报");
    assert_eq!(doc.recipients, "省工信厅、省发改委：");
    assert!(
        text.contains("截至2026年12月31日，纳入台账管理的事项共5项。"),
        "{text}"
    );
    assert!(text.contains("本期销号3项，其中按期销号2项，按期销号率67%；逾期未销号2项；退回或核验不通过1次；报送缺报1次。"), "{text}");
    assert!(
        text.contains("本期共启动一级预警15次、三级督办2次。"),
        "{text}"
    );
    assert!(text.contains("省工信厅等1个单位工作推进有力"), "{text}");
    assert!(text.contains("（一）省发改委"), "{text}");
    assert!(
        text.contains("1．（二）编制石化产业链招商图谱，完成时限2026年12月1日，已逾期22个工作日，已启动三级督办。"),
        "{text}"
    );
    assert!(text.contains("尚未签署1份（省发改委）"), "{text}");
    // Sections in order, numbered without gaps; no ranking section without scores.
    let heads: Vec<&str> = doc
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Heading(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        heads,
        [
            "一、总体情况",
            "二、进展较快的单位",
            "三、滞后的单位及事项",
            "四、对账情况",
            "五、下一步工作要求"
        ]
    );
    // No half-width punctuation or "级×" in the generated text.
    for bad in ["×", "1级", ",", ";", "(", ")"] {
        assert!(
            !doc.plain_text().contains(bad),
            "{bad} in {}",
            doc.plain_text()
        );
    }
    assert_eq!(doc.doc_number, None);
    assert_eq!(doc.date, None);
    assert_eq!(doc.signature, "省政府督查室");
}

#[test]
fn a_ranking_renders_when_given() {
    let (mut f, ..) = facts();
    f.ranking = Some(vec![
        RankLine {
            unit: "省发改委".into(),
            score: 88.0,
            rank: 2,
        },
        RankLine {
            unit: "省工信厅".into(),
            score: 97.5,
            rank: 1,
        },
    ]);
    let doc = compose(&f, &edits(&f), "省政府督查室", None, None);
    let text = body_text(&doc);
    assert!(text.contains("五、考核排名"), "{text}");
    assert!(text.contains("六、下一步工作要求"), "{text}");
    let first = text.find("第1名　省工信厅　97.5分").expect(&text);
    let second = text.find("第2名　省发改委　88分").expect(&text);
    assert!(first < second);
}

#[test]
fn edits_are_checked_and_shown_as_typed_in_full_width() {
    let (f, ..) = facts();
    let mut e = edits(&f);
    e.requirements = "(一)加快推进,确保年底前销号.\n\n(二)按时签署对账单".into();
    e.recipients = "各有关单位".into();
    e.contact = "张三,0591-87654321".into();
    let e = check_edits(&e).unwrap();
    let doc = compose(
        &f,
        &e,
        "省政府督查室",
        Some("闽督通〔2026〕1号".into()),
        Some(d(2027, 1, 5)),
    );
    let text = body_text(&doc);
    assert!(
        text.contains("（一）加快推进，确保年底前销号。\n（二）按时签署对账单"),
        "{text}"
    );
    assert_eq!(doc.recipients, "各有关单位：");
    assert_eq!(
        doc.contact.as_deref(),
        Some("（联系人：张三，0591-87654321）")
    );
    assert!(doc.plain_text().contains("2027年1月5日"));
    let mut long = e.clone();
    long.title = "标".repeat(TITLE_MAX + 1);
    assert_eq!(check_edits(&long).unwrap_err().0, "title");
    let mut blank = e.clone();
    blank.doc_prefix = "  ".into();
    assert_eq!(check_edits(&blank).unwrap_err().0, "doc_prefix");
    let mut two = e;
    two.title = "一\n二".into();
    assert_eq!(check_edits(&two).unwrap_err().0, "title");
}

#[test]
fn nothing_late_says_so() {
    let (mut f, ..) = facts();
    f.units.iter_mut().for_each(|u| {
        u.counts.overdue = 0;
        u.counts.duties_missed = 0;
    });
    f.total.overdue = 0;
    f.lagging.clear();
    f.recon = ReconCounts::default();
    f.total.escalations.clear();
    let text = body_text(&compose(&f, &edits(&f), "专班", None, None));
    assert!(
        text.contains("本期无逾期未销号事项，无报送缺报。"),
        "{text}"
    );
    assert!(text.contains("本期未生成对账单。"), "{text}");
    assert!(text.contains("本期未启动督办程序。"), "{text}");
}

#[test]
fn who_manages_a_bulletin() {
    let (top, below, other) = (UnitId::new(), UnitId::new(), UnitId::new());
    let j = Jurisdiction::Units(BTreeSet::from([top, below]));
    assert!(may_manage(AccountRole::Office, &j, Some(top), below));
    assert!(!may_manage(AccountRole::Office, &j, Some(top), other));
    assert!(may_manage(
        AccountRole::Supervision,
        &Jurisdiction::OwnUnit,
        Some(other),
        other
    ));
    assert!(!may_manage(
        AccountRole::Supervision,
        &Jurisdiction::OwnUnit,
        Some(other),
        top
    ));
    assert!(may_manage(
        AccountRole::Admin,
        &Jurisdiction::All,
        None,
        top
    ));
    assert!(!may_manage(
        AccountRole::Unit,
        &Jurisdiction::All,
        Some(top),
        top
    ));
    assert!(may_draft(AccountRole::Supervision) && !may_draft(AccountRole::Leader));
}

#[test]
fn the_seal_chain_finds_an_edited_copy() {
    let (f, ..) = facts();
    let doc = compose(
        &f,
        &edits(&f),
        "省政府督查室",
        Some("闽督通〔2026〕1号".into()),
        Some(d(2026, 12, 31)),
    );
    let content = seal::canonical(&doc);
    assert_eq!(content, seal::canonical(&doc.clone()), "deterministic");
    let first = Seal {
        seq: 1,
        bulletin_id: uuid::Uuid::nil(),
        prev_hash: seal::FIRST.into(),
        hash: seal::hash(seal::FIRST, &content),
        content: content.clone(),
    };
    assert_eq!(seal::verify(None, &first, Some(&content)), Ok(()));
    let edited = content.replace("22个工作日", "2个工作日");
    assert!(seal::verify(None, &first, Some(&edited)).is_err());
    assert!(seal::verify(None, &first, None).is_err());
    let second = Seal {
        seq: 2,
        bulletin_id: uuid::Uuid::nil(),
        prev_hash: first.hash.clone(),
        hash: seal::hash(&first.hash, "x"),
        content: "x".into(),
    };
    assert_eq!(seal::verify(Some(&first), &second, Some("x")), Ok(()));
    let forged = Seal {
        hash: "0".repeat(64),
        ..second.clone()
    };
    assert!(seal::verify(Some(&first), &forged, Some("x")).is_err());
    let gap = Seal { seq: 3, ..second };
    assert!(seal::verify(Some(&first), &gap, Some("x")).is_err());
}
