//! The one writer: a command, an import and the sweep are batches of the same `Store::write`.
//! An atomic batch writes all or nothing; decisions on one item in one batch follow each
//! other's versions and chain; the sweep's batch leaves out only what changed under it.

use crate::support::TestEngine;
use xiaohao_core::org::UnitKind;
use xiaohao_core::{Actor, Command, Decision, Item, ItemId, decide};
use xiaohao_engine::{Engine, ItemRequest};
use xiaohao_store::{Atomicity, StoreError, Write};

async fn assigned(t: &TestEngine, office: &Actor, title: &str) -> Item {
    let id = t
        .engine
        .file_item(
            office,
            &ItemRequest {
                title: title.into(),
                lead_unit: Some("省工信厅".into()),
                deadline: Some("2026-06-30".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .item
        .id;
    t.engine
        .execute(
            id,
            office,
            &Command::Assign {
                lead_unit: None,
                deadline: None,
            },
            None,
        )
        .await
        .unwrap()
        .item
}

async fn setup() -> (TestEngine, Actor, Actor) {
    let t = TestEngine::new().await;
    let office = t.unit("专班办公室", UnitKind::Office).await;
    let lead = t.unit("省工信厅", UnitKind::Department).await;
    (t, Engine::actor_of(&office), Engine::actor_of(&lead))
}

async fn counts(t: &TestEngine, id: ItemId) -> (i64, usize) {
    let store = t.engine.raw_store();
    let item = store.item(id).await.unwrap();
    (item.version, store.events(id).await.unwrap().len())
}

#[tokio::test]
async fn one_writer_an_atomic_batch_with_a_stale_write_writes_nothing() {
    let (t, office, lead) = setup().await;
    let a = assigned(&t, &office, "甲").await;
    let b = assigned(&t, &office, "乙").await;
    let now = t.engine.now();
    let accept_a = decide(&a, &lead, &Command::Accept, now).unwrap();
    // Decided on b's old version, then b moves on.
    let accept_b = decide(&b, &lead, &Command::Accept, now).unwrap();
    t.engine
        .execute(b.id, &lead, &Command::Accept, None)
        .await
        .unwrap();
    let before = (counts(&t, a.id).await, counts(&t, b.id).await);
    let outbox_before = t.engine.raw_store().outbox(None, 500).await.unwrap().len();

    let res = t
        .engine
        .raw_store()
        .write(
            &[Write::decision(accept_a), Write::decision(accept_b)],
            Atomicity::All,
        )
        .await;
    assert!(matches!(res, Err(StoreError::Conflict(_))), "{res:?}");
    assert_eq!((counts(&t, a.id).await, counts(&t, b.id).await), before);
    assert_eq!(
        t.engine.raw_store().outbox(None, 500).await.unwrap().len(),
        outbox_before,
        "no outbox row of the refused batch"
    );
}

#[tokio::test]
async fn one_writer_decisions_on_one_item_in_one_batch_follow_each_others_versions() {
    let (t, office, lead) = setup().await;
    let a = assigned(&t, &office, "甲").await;
    let now = t.engine.now();
    let accept: Decision = decide(&a, &lead, &Command::Accept, now).unwrap();
    let start = decide(&accept.item, &lead, &Command::Start, now).unwrap();
    let written = t
        .engine
        .raw_store()
        .write(
            &[Write::decision(accept), Write::decision(start)],
            Atomicity::All,
        )
        .await
        .unwrap();
    let seqs: Vec<i64> = written
        .iter()
        .map(|r| r.as_ref().unwrap().as_ref().unwrap().seq)
        .collect();
    assert_eq!(seqs, [3, 4]);
    assert_eq!(counts(&t, a.id).await, (a.version + 2, 4));
    let (_, _, broken) = t.engine.raw_store().verify_all_chains().await.unwrap();
    assert!(broken.is_none(), "{broken:?}");
}

#[tokio::test]
async fn one_writer_a_sweep_batch_leaves_out_only_the_changed_item() {
    let (t, office, lead) = setup().await;
    let a = assigned(&t, &office, "甲").await;
    let b = assigned(&t, &office, "乙").await;
    let now = t.engine.now();
    let accept_a = decide(&a, &lead, &Command::Accept, now).unwrap();
    let accept_b = decide(&b, &lead, &Command::Accept, now).unwrap();
    t.engine
        .execute(b.id, &lead, &Command::Accept, None)
        .await
        .unwrap();
    let written = t
        .engine
        .raw_store()
        .write(
            &[Write::decision(accept_a), Write::decision(accept_b)],
            Atomicity::Each,
        )
        .await
        .unwrap();
    assert!(written[0].is_ok(), "{written:?}");
    assert!(matches!(written[1], Err(StoreError::Conflict(_))));
    assert_eq!(counts(&t, a.id).await, (a.version + 1, 3));
    assert_eq!(counts(&t, b.id).await, (b.version + 1, 3));
}
