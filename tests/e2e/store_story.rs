//! The organisation and the audit trail, as stored.

use crate::support::TestEngine;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use sea_orm::{ConnectionTrait, Statement};
use xiaohao_core::org::{Level, UnitKind};
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{Actor, Command};
use xiaohao_engine::{Engine, ItemRequest};
use xiaohao_store::{ItemFilter, NewChain, NewPerson, NewPlan, NewUnit, StoreError};

#[tokio::test]
async fn units_resolve_by_alias_and_chains_nest() {
    let t = TestEngine::new().await;
    let store = t.engine.raw_store();
    let now = t.engine.now();
    let gxt = store
        .create_unit(
            NewUnit {
                name: "省工信厅".into(),
                kind: Some(UnitKind::Department),
                level: Some(Level::Province),
                emails: vec!["gxt@fujian.gov.cn".into()],
                aliases: vec!["省工业和信息化厅".into(), "工信厅".into()],
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    for name in [
        "省工信厅",
        "省工业和信息化厅",
        "工信厅",
        " 工信厅 ",
        &gxt.id.to_string(),
    ] {
        assert_eq!(store.resolve_unit(name).await.unwrap().id, gxt.id, "{name}");
    }
    assert!(matches!(
        store.resolve_unit("省财政厅").await,
        Err(StoreError::NotFound { .. })
    ));
    // A name may not shadow an alias, and an alias not a name.
    let dup = store
        .create_unit(
            NewUnit {
                name: "工信厅".into(),
                ..Default::default()
            },
            now,
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate { .. })), "{dup:?}");
    let bad_mail = store
        .create_unit(
            NewUnit {
                name: "省财政厅".into(),
                emails: vec!["nope".into()],
                ..Default::default()
            },
            now,
        )
        .await;
    assert!(matches!(bad_mail, Err(StoreError::Invalid(_))));
    assert_eq!(
        store.units().await.unwrap().len(),
        1,
        "nothing half-written"
    );

    let city = store
        .create_unit(
            NewUnit {
                name: "漳州市政府".into(),
                kind: Some(UnitKind::Government),
                level: Some(Level::City),
                parent: None,
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    let leader = store
        .create_person(
            NewPerson {
                name: "郭宁宁".into(),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    let plan = store
        .create_plan(
            NewPlan {
                title: "关于建立专项协调机制推动产业高质量发展的工作方案".into(),
                doc_number: Some("闽发改工业〔2022〕193号".into()),
                issuer: Some("福建省发展和改革委员会".into()),
                issued_on: chrono::NaiveDate::from_ymd_opt(2022, 3, 24),
            },
            now,
        )
        .await
        .unwrap();
    let root = store
        .create_chain(
            NewChain {
                name: "石化-化纤-纺织-鞋服产业".into(),
                plan: Some(plan.id),
                leaders: vec![leader.id],
                lead_units: vec![gxt.id],
                units: vec![city.id],
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    let child = store
        .create_chain(
            NewChain {
                name: "古雷石化基地".into(),
                parent: Some(root.id),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    let grandchild = store
        .create_chain(
            NewChain {
                name: "古雷炼化一体化项目".into(),
                parent: Some(child.id),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    let chains = store.chains().await.unwrap();
    assert_eq!(chains.len(), 3);
    let g = chains.iter().find(|c| c.id == grandchild.id).unwrap();
    assert_eq!(g.parent, Some(child.id));
    let r = chains.iter().find(|c| c.id == root.id).unwrap();
    assert_eq!(
        (r.leaders.clone(), r.lead_units.clone(), r.units.clone()),
        (vec![leader.id], vec![gxt.id], vec![city.id])
    );
    assert_eq!(
        store.plans().await.unwrap()[0].doc_number.as_deref(),
        Some("闽发改工业〔2022〕193号")
    );
}

#[tokio::test]
async fn audit_finds_the_first_edited_event() {
    let t = TestEngine::new().await;
    let office = Engine::actor_of(&t.unit("专班办公室", UnitKind::Office).await);
    t.unit("省科技厅", UnitKind::Department).await;
    let e = &t.engine;
    let mut ids = Vec::new();
    for title in ["实施龙头企业培育计划", "开展新一轮技改行动"] {
        let out = e
            .file_item(
                &office,
                &ItemRequest {
                    title: title.into(),
                    lead_unit: Some("省科技厅".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        e.execute(
            out.item.id,
            &office,
            &Command::Assign {
                lead_unit: None,
                deadline: None,
            },
            None,
        )
        .await
        .unwrap();
        ids.push(out.item.id);
    }
    let (items, events, broken) = e.raw_store().verify_all_chains().await.unwrap();
    assert_eq!((items, events, broken), (2, 4, None));
    // The walk reads the events by keyset pages: chains straddling pages check the same.
    for page in [1, 3, 4] {
        let walked = e.raw_store().verify_all_chains_by(page).await.unwrap();
        assert_eq!(walked, (2, 4, None), "pages of {page}");
    }

    // Someone edits a stored event behind the application's back.
    let db = e.raw_store().connection();
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "UPDATE events SET payload = '{\"forged\":true}' WHERE seq = 2 AND item_id = $1"
        }
        _ => "UPDATE events SET payload = '{\"forged\":true}' WHERE seq = 2 AND item_id = ?",
    };
    let victim = ids[1];
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [victim.0.into()],
    ))
    .await
    .unwrap();
    let (_, _, broken) = e.raw_store().verify_all_chains().await.unwrap();
    let broken = broken.expect("the edit is found");
    assert_eq!((broken.item_id, broken.seq), (victim, 2));
    for page in [1, 3] {
        let (_, _, broken) = e.raw_store().verify_all_chains_by(page).await.unwrap();
        let broken = broken.expect("the edit is found whatever the page");
        assert_eq!((broken.item_id, broken.seq), (victim, 2), "pages of {page}");
    }
}

#[tokio::test]
async fn filters_find_items_by_unit_state_text_and_overdue() {
    let t = TestEngine::new().await;
    let office = Engine::actor_of(&t.unit("专班办公室", UnitKind::Office).await);
    let a = t.unit("省发改委", UnitKind::Department).await;
    let b = t.unit("省财政厅", UnitKind::Department).await;
    let e = &t.engine;
    for (title, lead, co, deadline) in [
        ("强化产业分析研判", "省发改委", vec![], "2026-02-28"),
        (
            "加大招商引资力度",
            "省财政厅",
            vec!["省发改委".to_owned()],
            "2026-12-31",
        ),
        ("夯实园区载体建设", "省财政厅", vec![], "2026-01-31"),
    ] {
        let out = e
            .file_item(
                &office,
                &ItemRequest {
                    title: title.into(),
                    lead_unit: Some(lead.into()),
                    co_units: co,
                    deadline: Some(deadline.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        e.execute(
            out.item.id,
            &office,
            &Command::Assign {
                lead_unit: None,
                deadline: None,
            },
            None,
        )
        .await
        .unwrap();
    }
    let store = e.raw_store();
    // Keyset paging (the dashboard's walk) visits every matching item once, in id order.
    let mut walked = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .items_after(&ItemFilter::default(), after, 2)
            .await
            .unwrap();
        walked.extend(page.iter().map(|i| i.id));
        match page.last() {
            Some(last) if page.len() == 2 => after = Some(last.id),
            _ => break,
        }
    }
    let mut all: Vec<_> = store
        .all_items(&ItemFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    all.sort();
    assert_eq!(walked, all);
    let led_by_a = store
        .items_after(
            &ItemFilter {
                unit: Some(a.id),
                ..ItemFilter::default()
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(led_by_a.len(), 2, "lead or co-unit");
    let by = |f: ItemFilter| async move { store.items(&f).await.unwrap() };
    assert_eq!(
        by(ItemFilter {
            unit: Some(a.id),
            ..Default::default()
        })
        .await
        .total,
        2
    );
    assert_eq!(
        by(ItemFilter {
            unit: Some(b.id),
            ..Default::default()
        })
        .await
        .total,
        2
    );
    assert_eq!(
        by(ItemFilter {
            text: Some("招商".into()),
            ..Default::default()
        })
        .await
        .total,
        1
    );
    let overdue = by(ItemFilter {
        overdue_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 2),
        ..Default::default()
    })
    .await;
    assert_eq!(overdue.total, 2);
    let page = by(ItemFilter {
        limit: 2,
        offset: 2,
        ..Default::default()
    })
    .await;
    assert_eq!((page.total, page.items.len()), (3, 1));
}

/// Random command sequences through the real engine and database: every accepted command
/// leaves exactly one event, the version counts them, the chain holds.
#[tokio::test]
async fn random_sequences_leave_one_event_per_accepted_command() {
    let t = TestEngine::new().await;
    let office = Engine::actor_of(&t.unit("专班办公室", UnitKind::Office).await);
    let sup = Engine::actor_of(&t.unit("督查室", UnitKind::Supervision).await);
    let lead = Engine::actor_of(&t.unit("省工信厅", UnitKind::Department).await);
    let other = t.unit("省科技厅", UnitKind::Department).await;
    let actors = [office.clone(), sup, lead.clone(), Actor::system()];
    let commands = vec![
        Command::Assign {
            lead_unit: None,
            deadline: None,
        },
        Command::Return {
            reason: "退回".into(),
        },
        Command::Accept,
        Command::Start,
        Command::Report {
            report: ProgressReport {
                period: "2026-03".into(),
                text: "进展".into(),
                percent: Some(50),
                actuals: vec![],
                attachments: vec![],
            },
        },
        Command::RequestClosure {
            evidence: "证明".into(),
            attachments: vec![],
        },
        Command::Verify { comment: None },
        Command::Reject {
            reason: "不通过".into(),
        },
        Command::Reopen {
            reason: "重开".into(),
        },
        Command::Suspend {
            reason: "暂缓".into(),
        },
        Command::Resume,
        Command::Transfer {
            to: other.id,
            reason: "转办".into(),
        },
        Command::Escalate {
            level: 1,
            step: "催办".into(),
            notify: vec![],
            deadline_key: "d".into(),
            urgent: false,
            reason: None,
        },
    ];
    let mut runner = TestRunner::new(Config {
        cases: 6,
        ..Config::default()
    });
    let strategy = prop::collection::vec((0..actors.len(), 0..commands.len()), 10..40);
    let mut sequences = Vec::new();
    for _ in 0..6 {
        sequences.push(strategy.new_tree(&mut runner).unwrap().current());
    }
    for seq in sequences {
        let out = t
            .engine
            .file_item(
                &office,
                &ItemRequest {
                    title: "随机序列".into(),
                    lead_unit: Some("省工信厅".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let id = out.item.id;
        let mut accepted = 0i64;
        for (who, what) in seq {
            let mut actor = actors[who].clone();
            if actor.unit == lead.unit {
                // Whoever leads now (a transfer moves the lead).
                let current = t.engine.raw_store().item(id).await.unwrap();
                actor.unit = current.lead_unit;
            }
            if t.engine
                .execute(id, &actor, &commands[what], None)
                .await
                .is_ok()
            {
                accepted += 1;
            }
        }
        let item = t.engine.raw_store().item(id).await.unwrap();
        let events = t.engine.raw_store().events(id).await.unwrap();
        assert_eq!(item.version, accepted + 1);
        assert_eq!(events.len() as i64, accepted + 1);
        assert!(xiaohao_core::event::verify_chain(&events).is_ok());
    }
}

/// The streamed ledger reads every item exactly once, in filing order, page after page —
/// also across items filed at the same instant (the id breaks the tie) — and the cursor
/// returns what the whole list holds.
#[tokio::test]
async fn the_ledger_streams_every_item_once_in_filing_order() {
    let t = TestEngine::new().await;
    let office = Engine::actor_of(&t.unit("石化产业链工作专班", UnitKind::Office).await);
    t.unit("省工信厅", UnitKind::Department).await;
    let start = t.engine.now();
    for i in 0..9i64 {
        // Three items per instant.
        t.clock.set(start + chrono::Duration::minutes(i / 3));
        t.engine
            .file_item(
                &office,
                &ItemRequest {
                    title: format!("事项{i}"),
                    lead_unit: Some("省工信厅".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("file");
    }
    let store = t.engine.raw_store();
    let filter = ItemFilter::default();
    for page in [1u64, 2, 4, 9, 10] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let items = store
                .items_filed_after(&filter, after, page)
                .await
                .expect("page");
            seen.extend(items.iter().map(|i| (i.created_at, i.id)));
            match items.last() {
                Some(last) if items.len() as u64 == page => {
                    after = Some((last.created_at, last.id));
                }
                _ => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(seen, sorted, "pages of {page}: in order, none twice");
        assert_eq!(seen.len(), 9, "pages of {page}: every item");
    }
    let entries = t.engine.ledger(None, None).await.expect("ledger");
    let titles: Vec<&str> = entries.iter().map(|e| e.item.title.as_str()).collect();
    assert_eq!(titles.len(), 9);
    let keys: Vec<_> = entries
        .iter()
        .map(|e| (e.item.created_at, e.item.id))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "plan order");
}
