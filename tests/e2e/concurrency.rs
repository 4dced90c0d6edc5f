//! Optimistic locking: of two concurrent changes to one item exactly one wins; the other
//! gets a conflict and leaves no trace.

use crate::support::{TestApp, TestEngine};
use reqwest::StatusCode;
use serde_json::json;
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, Actor, Command, ItemId, decide};
use xiaohao_engine::{Engine, EngineError, ItemRequest};
use xiaohao_store::{StoreError, Write};

/// An item waiting for verification, and two different offices ready to verify it.
async fn closure_requested(t: &TestEngine) -> (ItemId, Actor, Actor) {
    let office_a = Engine::actor_of(&t.unit("专班办公室", UnitKind::Office).await);
    let office_b = Engine::actor_of(&t.unit("省政府督查室", UnitKind::Supervision).await);
    let lead = Engine::actor_of(&t.unit("省工信厅", UnitKind::Department).await);
    let e = &t.engine;
    let out = e
        .file_item(
            &office_a,
            &ItemRequest {
                title: "加快产业向专业园区聚集".into(),
                lead_unit: Some("省工信厅".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let id = out.item.id;
    for (actor, cmd) in [
        (
            &office_a,
            Command::Assign {
                lead_unit: None,
                deadline: None,
            },
        ),
        (&lead, Command::Accept),
        (&lead, Command::Start),
        (
            &lead,
            Command::RequestClosure {
                evidence: "园区已挂牌".into(),
                attachments: vec![],
            },
        ),
    ] {
        e.execute(id, actor, &cmd, None).await.unwrap();
    }
    (id, office_a, office_b)
}

/// Nothing half-written: the item one version on from `read_version`, one verify event,
/// one verified notice, an intact chain.
async fn one_verification_written(store: &xiaohao_store::Store, id: ItemId, read_version: i64) {
    let after = store.item(id).await.unwrap();
    assert_eq!(after.version, read_version + 1);
    let events = store.events(id).await.unwrap();
    assert_eq!(events.len() as i64, after.version);
    assert_eq!(events.iter().filter(|e| e.kind == "verify").count(), 1);
    let verified = store
        .outbox(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.kind == "verified")
        .count();
    assert_eq!(verified, 1);
    assert!(xiaohao_core::event::verify_chain(&events).is_ok());
}

#[tokio::test]
async fn two_concurrent_verifications_one_wins_one_conflicts() {
    let t = TestEngine::new().await;
    let (id, a, b) = closure_requested(&t).await;
    let store = t.engine.raw_store();
    let item = store.item(id).await.unwrap();
    let now = t.engine.now();
    // Both decided on the same version, then committed at the same time.
    let da = decide(
        &item,
        &a,
        &Command::Verify {
            comment: Some("A".into()),
        },
        now,
    )
    .unwrap();
    let db = decide(
        &item,
        &b,
        &Command::Verify {
            comment: Some("B".into()),
        },
        now,
    )
    .unwrap();
    let (ra, rb) = tokio::join!(
        store.write_one(Write::decision(da)),
        store.write_one(Write::decision(db))
    );
    let results = [ra, rb];
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict(_))))
        .count();
    assert_eq!((ok, conflicts), (1, 1), "{results:?}");

    one_verification_written(store, id, item.version).await;
}

/// A single command read with its chain head takes the one-trip path (PostgreSQL: one
/// statement; SQLite: one script guarded by `changes()`): a second decision on the same
/// read finds the version moved and writes neither its row, its event nor its mail.
#[tokio::test]
async fn a_stale_single_command_in_one_trip_writes_nothing() {
    let t = TestEngine::new().await;
    let (id, a, b) = closure_requested(&t).await;
    let store = t.engine.raw_store();
    let (item, head) = store.item_with_head(id).await.unwrap();
    let now = t.engine.now();
    let verify = |who: &Actor, comment: &str| {
        decide(
            &item,
            who,
            &Command::Verify {
                comment: Some(comment.into()),
            },
            now,
        )
        .unwrap()
    };
    let first = store
        .write_one(Write::decision_on(
            item.clone(),
            head.clone(),
            verify(&a, "A"),
        ))
        .await;
    assert!(first.is_ok(), "{first:?}");
    let second = store
        .write_one(Write::decision_on(
            item.clone(),
            head.clone(),
            verify(&b, "B"),
        ))
        .await;
    assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");

    one_verification_written(store, id, item.version).await;
}

#[tokio::test]
async fn a_burst_of_concurrent_commands_keeps_one_event_per_version() {
    let t = TestEngine::new().await;
    let (id, a, _) = closure_requested(&t).await;
    // Reject and reopen cycles race against each other through the engine.
    let e = &t.engine;
    e.execute(
        id,
        &a,
        &Command::Reject {
            reason: "再补材料".into(),
        },
        None,
    )
    .await
    .unwrap();
    let mut handles = Vec::new();
    for i in 0..8 {
        let engine = e.clone();
        let actor = a.clone();
        handles.push(tokio::spawn(async move {
            let cmd = Command::Escalate {
                level: i,
                step: format!("催办{i}"),
                notify: vec![],
                deadline_key: format!("k{i}"),
                urgent: false,
                reason: None,
            };
            engine.execute(id, &actor, &cmd, None).await
        }));
    }
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => ok += 1,
            Err(EngineError::Conflict(_)) | Err(EngineError::Domain(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(ok >= 1);
    let item = e.raw_store().item(id).await.unwrap();
    let events = e.raw_store().events(id).await.unwrap();
    assert_eq!(events.len() as i64, item.version, "one event per version");
    assert!(xiaohao_core::event::verify_chain(&events).is_ok());
}

#[tokio::test]
async fn two_concurrent_http_verifications_one_wins_one_gets_409() {
    let app = TestApp::spawn().await;
    let (id, a, b) = closure_requested(&app.t).await;
    let version = app.t.engine.raw_store().item(id).await.unwrap().version;
    let tok_a = app.token(a.unit.unwrap(), AccountRole::Office).await;
    let tok_b = app.token(b.unit.unwrap(), AccountRole::Supervision).await;
    let send = |token: &str| {
        app.http
            .post(app.url(&format!("/api/items/{id}/transitions")))
            .bearer_auth(token)
            .json(&json!({"action": "verify", "version": version}))
            .send()
    };
    let (ra, rb) = tokio::join!(send(&tok_a), send(&tok_b));
    let mut statuses = [ra.unwrap().status(), rb.unwrap().status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let events = app.t.engine.raw_store().events(id).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "verify").count(), 1);
}
