//! 督办单 in a real browser: the lead unit opens its open 督办单 from its 待办 on a phone
//! (390 px), reads it and answers with a PDF; the office sees it answered in its list at
//! 1366 px, opens the reply's file from the order and the A4 print view that lists it.
//! Screenshots go to `test-artifacts/`.

use super::world::World;
use crate::attachments::{PDF, pdf_file};
use crate::browser::Browser;
use crate::scheduler::d;
use fantoccini::Locator;
use serde_json::Value;
use xiaohao_core::AccountRole;

/// Wait until the browser has arrived where a form post redirects to.
async fn arrive(b: &Browser, part: &str) {
    for _ in 0..100 {
        if b.path().await.contains(part) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("never arrived at {part}: {}", b.path().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_answers_its_order_on_a_phone_and_the_office_sees_it_answered() {
    let w = World::new().await;
    let prefix = if w.app.t.db.is_postgres() {
        "orders-postgres"
    } else {
        "orders-sqlite"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    let t = &w.app.t;
    let id = w.item("推进古雷石化基地配套项目", "2026-03-02").await;
    w.tick(d(2026, 3, 5)).await;
    let order = t.engine.raw_store().orders_of_item(id).await.unwrap()[0].clone();
    let lead_user = w.app.user(w.lead.id, AccountRole::Unit).await;
    let office_user = w.app.user(w.office.id, AccountRole::Office).await;
    let base = w.app.url("");

    // The unit, on its phone: 待办 → the 督办单 → its answer.
    b.size(390, 900).await;
    b.login(&base, "/", &lead_user).await;
    let todo = b.text("#todo-orders-open").await;
    assert!(todo.contains("督〔2026〕1号"), "{todo}");
    assert!(!b.overflows().await, "the 待办 fits at 390 px");
    b.shot("390-unit-home").await;
    b.click(&format!("#todo-orders-open a[href='/orders/{}']", order.id))
        .await;
    arrive(&b, &format!("/orders/{}", order.id)).await;
    assert_eq!(b.text("#order-number").await, "督〔2026〕1号");
    assert!(b.text("#order-addressee").await.contains("省工信厅"));
    assert_eq!(b.text("#order-status").await, "待回复");
    b.fill("#order-answer-text", "已制定整改方案，3月底前完成管廊建设")
        .await;
    // The 整改报告 goes with the answer (typed into the file input as a path).
    let pdf = pdf_file("整改报告（盖章）.pdf");
    b.fill("#order-answer-files", &pdf.display().to_string())
        .await;
    assert!(
        !b.overflows().await,
        "the 督办单 and its form fit at 390 px"
    );
    b.shot("390-unit-answers").await;
    b.click("#order-answer-submit").await;
    arrive(&b, "ok=answer_order").await;
    assert!(b.text("#flash-ok").await.contains("已报送督办回复"));
    let timeline = b.text("#timeline").await;
    assert!(timeline.contains("督办回复：已制定整改方案"), "{timeline}");
    assert!(
        timeline.contains("整改报告（盖章）.pdf"),
        "the timeline links the reply's file: {timeline}"
    );
    assert!(!b.overflows().await, "the timeline fits at 390 px");
    b.shot("390-unit-answered").await;
    b.logout().await;

    // The office, at its desk: nothing open on its 待办, the list of answered orders (its
    // link from the 待办), the order, the print view.
    b.size(1366, 900).await;
    b.login(&base, "/", &office_user).await;
    assert_eq!(b.text("#todo-orders-open-count").await, "0");
    b.click("#todo-orders-open p.more a").await;
    arrive(&b, "/orders?status=all").await;
    b.click("#order-tabs a[href='/orders?status=answered']")
        .await;
    arrive(&b, "status=answered").await;
    let list = b.text("#order-list").await;
    assert!(
        list.contains("督〔2026〕1号") && list.contains("已回复"),
        "{list}"
    );
    assert!(!b.overflows().await);
    b.shot("1366-office-answered").await;
    b.click(&format!("#order-list a[href='/orders/{}']", order.id))
        .await;
    arrive(&b, &format!("/orders/{}", order.id)).await;
    assert_eq!(b.text("#order-status").await, "已回复");
    assert!(
        b.text("#order-answer")
            .await
            .contains("已制定整改方案，3月底前完成管廊建设")
    );
    // The reply's file, linked on the order; the office opens it in the browser.
    let link = b
        .c()
        .find(Locator::Css("#order-answer-files-list a"))
        .await
        .expect("the reply's file is linked on the order");
    assert_eq!(link.text().await.unwrap(), "整改报告（盖章）.pdf");
    assert_eq!(
        link.attr("target").await.unwrap().as_deref(),
        Some("_blank"),
        "a PDF opens for preview"
    );
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.starts_with("/api/attachments/"), "{href}");
    b.shot("1366-office-order").await;
    // What the browser gets for that link with the office's session.
    let got = b
        .c()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(async r => done([r.status,
                 r.headers.get('content-type'), (await r.arrayBuffer()).byteLength]));",
            vec![Value::from(href.clone())],
        )
        .await
        .expect("fetch the file");
    assert_eq!(got[0], 200, "{got}");
    assert_eq!(got[1], "application/pdf", "{got}");
    assert_eq!(got[2], PDF.len(), "{got}");
    b.c()
        .goto(&format!("{base}/orders/{}/print", order.id))
        .await
        .unwrap();
    assert_eq!(b.text("#order-number").await, "督〔2026〕1号");
    assert!(
        b.text("#order-answer-files")
            .await
            .contains("附件：1.整改报告（盖章）.pdf")
    );
    b.shot("1366-office-print").await;
    b.close().await;
    let _ = std::fs::remove_dir_all(pdf.parent().unwrap());
}
