//! The 督办回复 with files, on both databases: the lead unit's file goes with the answer
//! (another unit's file or an unknown id is refused on `attachments`), its SHA-256 sits in
//! the `OrderAnswered` payload so the chain and `audit verify --files` cover it; the print
//! page and the .docx list it by name, the order page and the timeline link it.

use super::act;
use super::world::World;
use crate::attachments::{PDF, upload};
use crate::bulletin::docx_text;
use crate::scheduler::{at, d};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaohao_core::AccountRole;
use xiaohao_core::payload::Payload;

#[tokio::test]
async fn a_reply_carries_the_lead_units_files_into_the_chain_and_onto_the_document() {
    let w = World::new().await;
    let t = &w.app.t;
    let id = w.item("推进古雷石化基地配套项目", "2026-03-02").await;
    w.tick(d(2026, 3, 5)).await;
    let order = t.engine.raw_store().orders_of_item(id).await.unwrap()[0].clone();
    let lead = w.app.token(w.lead.id, AccountRole::Unit).await;
    let co = w.app.token(w.co.id, AccountRole::Unit).await;
    let office = w.app.token(w.office.id, AccountRole::Office).await;
    let (status, file) = upload(&w.app, &lead, id, "整改报告（盖章）.pdf", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let (status, co_file) = upload(&w.app, &co, id, "配合材料.pdf", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{co_file}");
    let answer = |files: Value| json!({"action": "answer_order", "order": order.id, "text": "已整改到位", "attachments": files});

    // Another unit's file, an unknown id and a name are refused on `attachments`; the order
    // stays open.
    for bad in [
        json!([co_file["id"]]),
        json!([uuid::Uuid::now_v7()]),
        json!(["整改报告.pdf"]),
    ] {
        let (status, body) = act(&w, &lead, id, answer(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["field"], "attachments", "{body}");
    }
    assert!(
        t.engine
            .raw_store()
            .order(order.id)
            .await
            .unwrap()
            .answered_at
            .is_none()
    );

    t.clock.set(at(d(2026, 3, 10), 15));
    let (status, body) = act(&w, &lead, id, answer(json!([file["id"]]))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The hash is in the answer's payload and the chain verifies over it.
    let events = t.engine.raw_store().events(id).await.unwrap();
    xiaohao_core::event::verify_chain(&events).unwrap();
    let last = events.last().unwrap();
    let Ok(Payload::OrderAnswered(a)) = last.details() else {
        panic!("not an answer: {:?}", last.kind);
    };
    let f = a.attachments[0].file().expect("a stored file");
    assert_eq!(f.sha256, file["sha256"].as_str().unwrap());
    assert_eq!(f.name, "整改报告（盖章）.pdf");
    assert!(last.payload.contains(&f.sha256));
    let audit = t.engine.verify_files().await.unwrap();
    assert_eq!(audit.references, 1, "the answer references the file");
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);

    // The print page and the .docx list it by name.
    let print = w
        .page(&office, &format!("/orders/{}/print", order.id))
        .await;
    assert!(print.contains("附件：1.整改报告（盖章）.pdf"), "{print}");
    let docx = w
        .download(&office, &format!("/orders/{}/document.docx", order.id))
        .await;
    let text = docx_text(&docx);
    assert!(text.contains("附件：1.整改报告（盖章）.pdf"), "{text}");
    // The order page and the timeline link it; the office opens it.
    let href = format!("/api/attachments/{}", file["id"].as_str().unwrap());
    assert!(
        w.page(&office, &format!("/orders/{}", order.id))
            .await
            .contains(&href)
    );
    assert!(
        w.page(&office, &format!("/items/{id}"))
            .await
            .contains(&href)
    );
    assert_eq!(w.download(&office, &href).await, PDF);

    // A changed stored file is found by the audit at the answer's event.
    let stored = t.files_dir.join(&f.sha256[..2]).join(&f.sha256);
    std::fs::write(&stored, b"%PDF-1.4\nchanged afterwards\n").unwrap();
    let audit = t.engine.verify_files().await.unwrap();
    assert_eq!(audit.problems.len(), 1, "{:?}", audit.problems);
    assert_eq!(audit.problems[0].event_seq, Some(last.seq));
}
