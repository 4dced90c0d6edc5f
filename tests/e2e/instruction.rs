//! 批示 end to end, on both databases: a leader who reads the item (through his chain)
//! instructs, the lead and co-units are told at once and see it on their 待办 until the
//! lead unit answers; the office writes one on a leader's behalf only naming him; a unit
//! cannot instruct, a co-unit cannot answer, nothing open cannot be answered; the answer
//! carries the lead unit's files (never another unit's), their SHA-256 in the chain.

use crate::scheduler::{at, d};
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaohao_core::org::UnitKind;
use xiaohao_core::payload::Payload;
use xiaohao_core::{AccountRole, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest};
use xiaohao_store::NewChain;

async fn act(app: &TestApp, token: &str, id: ItemId, body: Value) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(app.url(&format!("/api/items/{id}/transitions")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn field(body: &Value) -> &str {
    body["error"]["field"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_leaders_instruction_stands_until_the_lead_unit_answers() {
    let app = TestApp::spawn().await;
    let t = &app.t;
    t.clock.set(at(d(2026, 3, 2), 10));
    let office = t.unit("专班办公室", UnitKind::Office).await;
    let lead = t.unit("省工信厅", UnitKind::Department).await;
    let co = t.unit("省科技厅", UnitKind::Department).await;
    let leader_office = t.unit("郭宁宁同志办公室", UnitKind::Office).await;
    let other_leader_office = t.unit("李明同志办公室", UnitKind::Office).await;
    t.engine
        .raw_store()
        .create_chain(
            NewChain {
                name: "石化产业链".into(),
                parent: None,
                plan: None,
                leaders: vec![],
                lead_units: vec![],
                units: vec![leader_office.id],
            },
            t.engine.now(),
        )
        .await
        .unwrap();
    let office_actor = Engine::actor_of(&office);
    let id = t
        .engine
        .file_item(
            &office_actor,
            &ItemRequest {
                title: "推进古雷石化基地配套项目".into(),
                lead_unit: Some("省工信厅".into()),
                co_units: vec!["省科技厅".into()],
                chain: Some("石化产业链".into()),
                deadline: Some("2026-06-30".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .item
        .id;
    let assign = Command::Assign {
        lead_unit: None,
        deadline: None,
    };
    t.engine
        .execute(id, &office_actor, &assign, None)
        .await
        .unwrap();
    let leader = app.token(leader_office.id, AccountRole::Leader).await;
    let other_leader = app.token(other_leader_office.id, AccountRole::Leader).await;
    let office_tok = app.token(office.id, AccountRole::Office).await;
    let lead_tok = app.token(lead.id, AccountRole::Unit).await;
    let co_tok = app.token(co.id, AccountRole::Unit).await;
    let instruct = |by: Option<&str>| json!({"action": "instruct", "by": by, "text": "请加快进度，月底前报送办理情况"});

    // A unit cannot instruct; a leader who does not read the item does not find it.
    let (status, body) = act(&app, &lead_tok, id, instruct(None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = act(&app, &other_leader, id, instruct(None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing open: nothing to answer.
    let (status, body) = act(
        &app,
        &lead_tok,
        id,
        json!({"action": "answer_instruction", "text": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), "instruction");

    // The leader of the chain instructs; both units are told at once.
    let (status, body) = act(&app, &leader, id, instruct(None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["event"]["actor_role"], "leader");
    assert!(body["item"]["instructed_at"].is_string(), "{body}");
    let outbox = t.engine.raw_store().outbox(None, 500).await.unwrap();
    let mut told: Vec<_> = outbox
        .iter()
        .filter(|o| o.kind == "instructed" && o.item == Some(id))
        .map(|o| o.recipient)
        .collect();
    told.sort();
    let mut want = vec![lead.id, co.id];
    want.sort();
    assert_eq!(told, want);

    // It stands on both units' 待办 until the lead unit answers.
    for tok in [&lead_tok, &co_tok] {
        let p = t.engine.authenticate(tok).await.unwrap().unwrap();
        let home = t.engine.unit_home(&p).await.unwrap();
        assert_eq!(
            home.instructions
                .rows
                .iter()
                .map(|e| e.item.id)
                .collect::<Vec<_>>(),
            vec![id]
        );
    }

    // The office writes on a leader's behalf only naming him.
    let (status, body) = act(&app, &office_tok, id, instruct(None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), "by");
    let (status, body) = act(&app, &office_tok, id, instruct(Some("郭宁宁"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let events = t.engine.raw_store().events(id).await.unwrap();
    let Ok(Payload::Instructed(x)) = events.last().unwrap().details() else {
        panic!("{:?}", events.last())
    };
    assert_eq!(x.by, "郭宁宁");

    // A co-unit cannot answer; the lead unit does, with its file — not another unit's.
    let pdf = crate::attachments::PDF.to_vec();
    let (status, co_file) =
        crate::attachments::upload(&app, &co_tok, id, "配合情况.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{co_file}");
    let (status, file) =
        crate::attachments::upload(&app, &lead_tok, id, "部署会议纪要.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let answer_with = |files: Value| json!({"action": "answer_instruction", "text": "已专题部署，月底前报送", "attachments": files});
    let answer = answer_with(json!([file["id"]]));
    let (status, body) = act(&app, &co_tok, id, answer_with(json!([co_file["id"]]))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for foreign in [json!([co_file["id"]]), json!([uuid::Uuid::now_v7()])] {
        let (status, body) = act(&app, &lead_tok, id, answer_with(foreign)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(field(&body), "attachments");
    }
    let (status, body) = act(&app, &lead_tok, id, answer.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["item"]["instructed_at"], Value::Null);
    let outbox = t.engine.raw_store().outbox(None, 500).await.unwrap();
    assert!(
        outbox
            .iter()
            .any(|o| o.kind == "instruction_answered" && o.recipient == office.id)
    );
    let p = t.engine.authenticate(&lead_tok).await.unwrap().unwrap();
    assert_eq!(t.engine.unit_home(&p).await.unwrap().instructions.total, 0);
    let (status, body) = act(&app, &lead_tok, id, answer).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), "instruction");
    let events = t.engine.raw_store().events(id).await.unwrap();
    let answered = events.last().unwrap();
    assert_eq!(
        answered.details().unwrap().summary_zh(),
        "回复：已专题部署，月底前报送；附件：部署会议纪要.pdf"
    );
    // The file's SHA-256 is in the chain, and the file audit checks it.
    assert!(answered.payload.contains(file["sha256"].as_str().unwrap()));
    assert!(xiaohao_core::event::verify_chain(&events).is_ok());
    let audit = t.engine.verify_files().await.unwrap();
    assert_eq!(
        (audit.files, audit.references),
        (1, 1),
        "one content, one reference"
    );
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    // The office opens it from the timeline.
    let page = app
        .http
        .get(app.url(&format!("/items/{id}")))
        .bearer_auth(&office_tok)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let href = format!("/api/attachments/{}", file["id"].as_str().unwrap());
    assert!(page.contains(&href), "the timeline links the answer's file");
}
