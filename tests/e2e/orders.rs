//! 督办单 end to end, on both databases: numbered per office and year without gaps or
//! duplicates while two instances (two engines with their own pools, two schedulers) issue
//! orders at once; the .docx names the number and the unit; the lead unit's 督办回复 closes
//! the order (an event on the item, refused twice and to anyone else); an order unanswered
//! past its reply date climbs the ladder like a missed duty, and stops once answered; the
//! reply's files are in the chain and on the document (`files`).

mod browser;
mod files;
mod world;

use crate::bulletin::docx_text;
use crate::scheduler::{at, d};
use crate::support::NowUtc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use world::World;
use xiaohao_core::payload::Payload;
use xiaohao_core::{AccountRole, ItemId};
use xiaohao_engine::{Engine, Scheduler, Settings};
use xiaohao_store::OrderStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_numbers_have_no_gaps_or_duplicates_under_concurrent_escalation() {
    let w = World::new().await;
    let t = &w.app.t;
    t.clock.set(at(d(2026, 3, 2), 10));
    // Group A: due today; the 督查室 takes them up the ladder by hand (预警, 催办 now; the
    // 督办 that issues the order below, concurrently). Group C: four working days late,
    // so a tick fires 督办 (with its order) on each.
    let mut group_a = Vec::new();
    let mut group_c = Vec::new();
    for i in 0..8 {
        group_a.push(w.item(&format!("甲类事项{i}"), "2026-03-02").await);
        group_c.push(w.item(&format!("丙类事项{i}"), "2026-02-24").await);
    }
    let sup = Engine::actor_of(&w.sup);
    for id in &group_a {
        for _ in 0..2 {
            t.engine
                .escalate(*id, &sup, "进度滞后", None, |_| true)
                .await
                .unwrap();
        }
    }
    // A second instance: its own pool on the same database, its own scheduler.
    let other = Engine::new(
        t.db.store().await,
        t.clock.clone(),
        crate::support::policy(),
    );
    let mut settings = Settings::default();
    settings.scheduler.batch_size = 3;
    let engines = [t.engine.clone(), other];
    let now = t.clock.now_utc();
    let mut tasks = Vec::new();
    for e in &engines {
        let s = Scheduler::new(e.clone(), &settings).unwrap();
        tasks.push(tokio::spawn(async move {
            s.tick(now).await.unwrap();
        }));
    }
    for (k, id) in group_a.iter().enumerate() {
        let e = engines[k % 2].clone();
        let (id, sup) = (*id, sup.clone());
        tasks.push(tokio::spawn(async move {
            e.escalate(id, &sup, "逾期未办结，予以督办", None, |_| true)
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }

    let orders = t
        .engine
        .raw_store()
        .orders(OrderStatus::All, None, 1000)
        .await
        .unwrap();
    assert_eq!(orders.len(), 16, "one 督办单 per item");
    let items: BTreeSet<ItemId> = orders.iter().map(|o| o.item).collect();
    assert_eq!(items.len(), 16);
    let seqs: Vec<i32> = {
        let mut v: Vec<i32> = orders.iter().map(|o| o.number_seq.unwrap()).collect();
        v.sort_unstable();
        v
    };
    assert_eq!(
        seqs,
        (1..=16).collect::<Vec<_>>(),
        "1…16: no gap, no duplicate"
    );
    assert!(
        orders
            .iter()
            .all(|o| o.office == Some(w.office.id.0) && o.number_year == Some(2026))
    );
    let rules = &t.engine.policy().orders;
    let numbers: BTreeSet<String> = orders.iter().filter_map(|o| o.number(rules)).collect();
    assert!(numbers.contains("督〔2026〕1号") && numbers.contains("督〔2026〕16号"));
    // The next order continues the count: the counter stands at 16.
    let next = w.item("丁类事项", "2026-02-24").await;
    let s = Scheduler::new(t.engine.clone(), &settings).unwrap();
    s.tick(now).await.unwrap();
    let o = &t.engine.raw_store().orders_of_item(next).await.unwrap()[0];
    assert_eq!(o.number(rules).as_deref(), Some("督〔2026〕17号"));
}

async fn act(w: &World, token: &str, id: ItemId, body: Value) -> (StatusCode, Value) {
    let resp = w
        .app
        .http
        .post(w.app.url(&format!("/api/items/{id}/transitions")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_lead_units_reply_closes_the_order_and_the_docx_names_number_and_unit() {
    let w = World::new().await;
    let t = &w.app.t;
    let id = w.item("推进古雷石化基地配套项目", "2026-03-02").await;
    // Three working days late on 5 March: the ladder's 督办 issues the order.
    let report = w.tick(d(2026, 3, 5)).await;
    assert_eq!(report.item_steps.get("督办"), Some(&1), "{report:?}");
    let order = t.engine.raw_store().orders_of_item(id).await.unwrap()[0].clone();
    assert_eq!(order.reply_due, Some(d(2026, 3, 12)));
    let lead = w.app.token(w.lead.id, AccountRole::Unit).await;
    let co = w.app.token(w.co.id, AccountRole::Unit).await;
    let other = w.app.token(w.other.id, AccountRole::Unit).await;
    let office = w.app.token(w.office.id, AccountRole::Office).await;

    // The document: print page and .docx name the number, the unit, the days late.
    let page = w.page(&lead, &format!("/orders/{}/print", order.id)).await;
    assert!(
        page.contains("督〔2026〕1号") && page.contains("省工信厅："),
        "{page}"
    );
    let docx = w
        .download(&office, &format!("/orders/{}/document.docx", order.id))
        .await;
    let text = docx_text(&docx);
    assert!(text.contains("督〔2026〕1号"), "{text}");
    assert!(text.contains("省工信厅："), "{text}");
    assert!(text.contains("已逾期3个工作日"), "{text}");
    assert!(text.contains("请于2026年3月12日前将整改落实情况书面报送石化产业工作专班办公室"));
    // Another unit does not find it, exactly as a missing one.
    let resp = w.get(&other, &format!("/orders/{}", order.id)).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = w
        .get(&other, &format!("/orders/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // The unit sees it open in its list (JSON as the page), another unit does not.
    let listed: Value = w.get(&lead, "/api/orders").await.json().await.unwrap();
    assert_eq!(listed[0]["number"], "督〔2026〕1号", "{listed}");
    assert_eq!(listed[0]["status"], "open");
    assert_eq!(listed[0]["lead_unit"], "省工信厅");
    let none: Value = w
        .get(&other, "/api/orders?status=all")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none, json!([]));
    // The unit sees it open on its 待办.
    let home = w.page(&lead, "/").await;
    assert!(home.contains("督办单待回复") && home.contains(&format!("/orders/{}", order.id)));

    let answer = |text: &str| json!({"action": "answer_order", "order": order.id, "text": text});
    let (status, body) = act(&w, &co, id, answer("配合推进")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a co-unit does not answer: {body}"
    );
    let (status, body) = act(&w, &lead, id, answer("   ")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "text");
    let (status, body) = act(
        &w,
        &lead,
        id,
        json!({"action": "answer_order", "order": "not-an-id", "text": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "order");
    t.clock.set(at(d(2026, 3, 10), 15));
    let (status, body) = act(&w, &lead, id, answer("已制定整改方案，3月底前完成管廊建设")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = act(&w, &lead, id, answer("再次回复")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "answered once: {body}"
    );
    assert_eq!(body["error"]["field"], "order");

    let closed = t.engine.raw_store().order(order.id).await.unwrap();
    assert!(closed.answered_at.is_some());
    assert_eq!(
        closed.answer_text.as_deref(),
        Some("已制定整改方案，3月底前完成管廊建设")
    );
    // The answer is an event on the item, in the chain, naming the order.
    let events = t.engine.raw_store().events(id).await.unwrap();
    xiaohao_core::event::verify_chain(&events).unwrap();
    let last = events.last().unwrap();
    assert_eq!(Some(last.seq), closed.answer_seq);
    match last.details().unwrap() {
        Payload::OrderAnswered(a) => {
            assert_eq!(a.order, order.id);
            assert_eq!(a.number.as_deref(), Some("督〔2026〕1号"));
        }
        other => panic!("not an answer: {other:?}"),
    }
    // The office is told; the print page and item page show the answer; the list has it answered.
    let page = w
        .page(&office, &format!("/orders/{}/print", order.id))
        .await;
    assert!(page.contains("督办回复（2026年3月10日）"), "{page}");
    let item_page = w.page(&office, &format!("/items/{id}")).await;
    assert!(item_page.contains("督办回复：已制定整改方案") && item_page.contains("查看督办单"));
    let answered = w.page(&office, "/orders?status=answered").await;
    assert!(answered.contains("督〔2026〕1号") && answered.contains("已回复"));
    let listed: Value = w
        .get(&office, "/api/orders?status=answered")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["status"], "answered", "{listed}");
    assert_eq!(listed[0]["reply_days_late"], 0);
    let open = w.page(&office, "/orders?status=open").await;
    assert!(open.contains("暂无督办单"), "{open}");
    let home = w.page(&lead, "/").await;
    assert!(
        !home.contains(&format!("/orders/{}", order.id)),
        "no longer open on the 待办"
    );
    let outbox = t.engine.raw_store().outbox(None, 1000).await.unwrap();
    assert!(
        outbox
            .iter()
            .any(|r| r.kind == "order_answered" && r.recipient == w.office.id)
    );
}

#[tokio::test]
async fn an_unanswered_order_climbs_the_ladder_after_its_reply_date_until_answered() {
    let w = World::new().await;
    let t = &w.app.t;
    let id = w.item("编制石化产业链招商图谱", "2026-03-02").await;
    w.tick(d(2026, 3, 5)).await;
    let order = t.engine.raw_store().orders_of_item(id).await.unwrap()[0].clone();
    assert_eq!(order.reply_due, Some(d(2026, 3, 12)));
    // In time: nothing climbs.
    let report = w.tick(d(2026, 3, 6)).await;
    assert!(report.order_steps.values().all(|n| *n == 0), "{report:?}");
    // Three working days past the reply date: the order's own 督办 step.
    let report = w.tick(d(2026, 3, 17)).await;
    assert_eq!(report.order_steps.get("督办"), Some(&1), "{report:?}");
    let again = w.tick(d(2026, 3, 17)).await;
    assert!(
        again.order_steps.values().all(|n| *n == 0),
        "once: {again:?}"
    );
    let events = t.engine.raw_store().events(id).await.unwrap();
    xiaohao_core::event::verify_chain(&events).unwrap();
    let climbed = events
        .iter()
        .filter_map(|e| match e.details() {
            Ok(Payload::DutyEscalated(x)) if x.subject.as_deref() == Some("order") => Some(x),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(climbed.len(), 1);
    assert_eq!(climbed[0].duty, order.id);
    assert_eq!(climbed[0].working_days_late, 3);
    assert_eq!(climbed[0].period, "督〔2026〕1号");
    let outbox = t.engine.raw_store().outbox(None, 1000).await.unwrap();
    assert!(
        outbox
            .iter()
            .any(|r| r.kind == "order_reply_late" && r.recipient == w.lead.id)
    );
    // The late reply closes it; the ladder stops for it.
    let lead = w.app.token(w.lead.id, AccountRole::Unit).await;
    let (status, body) = act(
        &w,
        &lead,
        id,
        json!({"action": "answer_order", "order": order.id, "text": "已补报整改情况"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let later = w.tick(d(2026, 3, 31)).await;
    assert!(later.order_steps.values().all(|n| *n == 0), "{later:?}");
    let list = t
        .engine
        .orders_for_reader(&w.principal(&lead).await, OrderStatus::Answered)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].reply_days_late, 3,
        "answered three working days late"
    );
}

#[tokio::test]
async fn the_migration_numbers_orders_issued_before_it_in_issue_order() {
    use migration::MigratorTrait;
    let w = World::new().await;
    let t = &w.app.t;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(w.item(&format!("事项{i}"), "2026-03-02").await);
    }
    w.tick(d(2026, 3, 5)).await;
    let store = t.engine.raw_store();
    let numbered = |orders: Vec<xiaohao_store::OrderRow>| {
        let mut v: Vec<(uuid::Uuid, Option<i32>, Option<i32>)> = orders
            .into_iter()
            .map(|o| (o.id, o.number_year, o.number_seq))
            .collect();
        v.sort();
        v
    };
    let before = numbered(store.orders(OrderStatus::All, None, 100).await.unwrap());
    assert_eq!(before.len(), 3);
    // Back to the schema before numbering (orders without numbers), then up again as
    // `serve` does at start: the migration numbers them as the writer had.
    // (On one connection of its own, as `xiaohao migrate` would.)
    let db = sea_orm::Database::connect(&t.db.url).await.unwrap();
    migration::Migrator::down(&db, Some(1)).await.unwrap();
    migration::Migrator::up(&db, None).await.unwrap();
    db.close().await.ok();
    let after = numbered(store.orders(OrderStatus::All, None, 100).await.unwrap());
    assert_eq!(after, before);
    let seqs: BTreeSet<i32> = after.iter().filter_map(|x| x.2).collect();
    assert_eq!(seqs, BTreeSet::from([1, 2, 3]));
    // The counter continues after them.
    let next = w.item("事项3", "2026-03-02").await;
    w.tick(d(2026, 3, 6)).await;
    let o = &store.orders_of_item(next).await.unwrap()[0];
    assert_eq!(o.number_seq, Some(4));
}
