//! Progress per unit: each unit's reports are its own rows, the item carries the lead unit's
//! figures; concurrent reports are appends; a report filed early in a period settles the
//! period's duty.

use crate::support::{TestApp, TestEngine};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{AccountRole, Actor, Command, ItemId};
use xiaohao_engine::report::Period;
use xiaohao_engine::{Engine, ItemRequest, Scheduler, Settings};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// `h` o'clock in Beijing on `date`.
fn at(date: NaiveDate, h: u32) -> DateTime<Utc> {
    Shanghai
        .from_local_datetime(&date.and_hms_opt(h, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn report(period: &str, percent: i32) -> Command {
    Command::Report {
        report: ProgressReport {
            period: period.into(),
            text: format!("完成 {percent}%"),
            percent: Some(percent),
            actuals: vec![],
            attachments: vec![],
        },
    }
}

/// An office, a lead unit and co-units, and an item led by the lead with the co-units,
/// assigned and accepted by the lead.
struct Parties {
    office: Actor,
    lead: Unit,
    co: Vec<Unit>,
}

async fn parties(t: &TestEngine, co_units: usize) -> Parties {
    let office = Engine::actor_of(&t.unit("专班办公室", UnitKind::Office).await);
    let lead = t.unit("省发改委", UnitKind::Department).await;
    let mut co = Vec::new();
    for name in ["省工信厅", "省科技厅", "省商务厅", "省财政厅"]
        .into_iter()
        .take(co_units)
    {
        co.push(t.unit(name, UnitKind::Department).await);
    }
    Parties { office, lead, co }
}

async fn accepted_item(t: &TestEngine, p: &Parties, deadline: &str) -> ItemId {
    let e = &t.engine;
    let id = e
        .file_item(
            &p.office,
            &ItemRequest {
                title: "强化产业分析研判".into(),
                lead_unit: Some(p.lead.name.clone()),
                co_units: p.co.iter().map(|u| u.name.clone()).collect(),
                deadline: Some(deadline.into()),
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
    e.execute(id, &p.office, &assign, None).await.unwrap();
    e.execute(id, &Engine::actor_of(&p.lead), &Command::Accept, None)
        .await
        .unwrap();
    id
}

async fn post_report(app: &TestApp, id: ItemId, token: &str, percent: i32) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(app.url(&format!("/api/items/{id}/progress")))
        .bearer_auth(token)
        .json(&json!({"period": "2026-03", "text": format!("完成 {percent}%"), "percent": percent}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn progress_per_unit_the_item_carries_the_lead_units_latest_report_only() {
    let app = TestApp::spawn().await;
    let p = parties(&app.t, 1).await;
    let id = accepted_item(&app.t, &p, "2026-12-31").await;
    let lead_tok = app.token(p.lead.id, AccountRole::Unit).await;
    let co_tok = app.token(p.co[0].id, AccountRole::Unit).await;

    // A co-unit's report on an accepted item: stored, but 开始办理 is the lead's.
    let (status, body) = post_report(&app, id, &co_tok, 10).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["item"]["state"], "accepted");
    assert_eq!(body["item"]["progress_percent"], Value::Null);

    let (status, body) = post_report(&app, id, &lead_tok, 60).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["item"]["state"], "in_progress");
    assert_eq!(body["item"]["progress_percent"], 60);

    // The co-unit's 10 % does not overwrite the lead's 60 %.
    let (status, body) = post_report(&app, id, &co_tok, 10).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["item"]["progress_percent"], 60);

    let view: Value = app
        .http
        .get(app.url(&format!("/api/items/{id}")))
        .bearer_auth(&lead_tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["item"]["progress_percent"], 60);
    let names: Vec<&str> = view["progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["省工信厅", "省发改委", "省工信厅"]);
    let by_unit = view["progress_by_unit"].as_array().unwrap();
    assert_eq!(by_unit.len(), 2, "{by_unit:?}");
    assert_eq!(by_unit[0]["unit_name"], "省发改委");
    assert_eq!(by_unit[0]["lead"], true);
    assert_eq!(by_unit[0]["latest"]["percent"], 60);
    assert_eq!(by_unit[1]["unit_name"], "省工信厅");
    assert_eq!(by_unit[1]["lead"], false);
    assert_eq!(by_unit[1]["reports"], 2);
    assert_eq!(by_unit[1]["latest"]["percent"], 10);

    // The page names who reported what, the lead's figures as the item's.
    let page = app
        .http
        .get(app.url(&format!("/items/{id}")))
        .bearer_auth(&lead_tok)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("省发改委(牵头单位,事项进度以此为准)"),
        "{page}"
    );
    assert!(page.contains("省工信厅(配合单位)"), "{page}");
    assert!(page.contains("省发改委(牵头)"), "{page}");
}

#[tokio::test]
async fn concurrent_reports_are_appends_twenty_at_once_all_succeed() {
    let app = TestApp::spawn().await;
    let p = parties(&app.t, 3).await;
    let id = accepted_item(&app.t, &p, "2026-12-31").await;
    let lead_tok = app.token(p.lead.id, AccountRole::Unit).await;
    let mut tokens = vec![lead_tok.clone()];
    for u in &p.co {
        tokens.push(app.token(u.id, AccountRole::Unit).await);
    }
    let stale = app.t.engine.raw_store().item(id).await.unwrap().version;

    // Twenty at once, none naming a version: the lead and three co-units.
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..20usize {
        let token = tokens[i % tokens.len()].clone();
        let (http, url) = (
            app.http.clone(),
            app.url(&format!("/api/items/{id}/progress")),
        );
        sends.spawn(async move {
            let resp = http
                .post(url)
                .bearer_auth(token)
                .json(&json!({"period": "2026-03", "text": format!("第 {i} 份"), "percent": i * 5}))
                .send()
                .await
                .unwrap();
            let status = resp.status();
            (status, resp.text().await.unwrap_or_default())
        });
    }
    let results = sends.join_all().await;
    for (status, body) in &results {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }

    let store = app.t.engine.raw_store();
    let rows = store.progress(id).await.unwrap();
    assert_eq!(rows.len(), 20);
    let item = store.item(id).await.unwrap();
    let events = store.events(id).await.unwrap();
    assert_eq!(events.len() as i64, item.version, "one event per version");
    assert_eq!(events.iter().filter(|e| e.kind == "report").count(), 20);
    let (_, _, broken) = store.verify_all_chains().await.unwrap();
    assert!(broken.is_none(), "{broken:?}");
    // The item's percent is the lead's latest report.
    let lead_latest = rows
        .iter()
        .rev()
        .find(|r| r.unit == Some(p.lead.id))
        .unwrap();
    assert_eq!(item.progress_percent, lead_latest.report.percent);
    assert_eq!(item.state, xiaohao_core::ItemState::InProgress);

    // A report that names a version it saw still gets 409 when that version is stale.
    let resp = app
        .http
        .post(app.url(&format!("/api/items/{id}/transitions")))
        .bearer_auth(&lead_tok)
        .json(&json!({"action": "report", "version": stale,
                      "report": {"period": "2026-03", "text": "过时的版本", "percent": 99}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert_eq!(store.progress(id).await.unwrap().len(), 20);
}

#[tokio::test]
async fn duty_settlement_a_report_filed_early_in_the_period_settles_its_duty() {
    let t = TestEngine::new().await;
    t.clock.set(at(d(2026, 10, 26), 10));
    let p = parties(&t, 1).await;
    let lead = Engine::actor_of(&p.lead);
    let co = Engine::actor_of(&p.co[0]);
    // The lead reports for November on 2 November; on the other item only the co-unit does.
    let reported = accepted_item(&t, &p, "2027-06-30").await;
    let co_only = accepted_item(&t, &p, "2027-06-30").await;
    let scheduler = Scheduler::new(t.engine.clone(), &Settings::default()).unwrap();

    let tick_days = |from: NaiveDate, to: NaiveDate| {
        let (t, scheduler) = (&t, &scheduler);
        async move {
            let mut day = from;
            while day <= to {
                t.clock.set(at(day, 9));
                scheduler.tick(at(day, 9)).await.unwrap();
                day += Duration::days(1);
            }
        }
    };
    tick_days(d(2026, 10, 27), d(2026, 11, 1)).await;
    t.clock.set(at(d(2026, 11, 2), 10));
    t.engine
        .execute(reported, &lead, &report("2026-11", 30), None)
        .await
        .unwrap();
    t.engine
        .execute(co_only, &co, &report("2026-11", 30), None)
        .await
        .unwrap();
    // The monthly duty opens on the 20th, due the 25th; the 26th is past it.
    tick_days(d(2026, 11, 2), d(2026, 11, 26)).await;
    // A co-unit's report after the duty opened settles nothing of the lead's either.
    t.clock.set(at(d(2026, 11, 23), 10));
    t.engine
        .execute(co_only, &co, &report("2026-11", 40), None)
        .await
        .unwrap();
    tick_days(d(2026, 11, 27), d(2026, 11, 30)).await;

    let store = t.engine.raw_store();
    let duties = store.duties(Some(p.lead.id), None, 50).await.unwrap();
    let of = |item: ItemId| {
        duties
            .iter()
            .filter(|x| x.item == Some(item) && x.period_key == "2026-11")
            .collect::<Vec<_>>()
    };
    let settled = of(reported);
    assert_eq!(settled.len(), 1, "{duties:?}");
    assert_eq!(settled[0].status, "submitted");
    assert_eq!(settled[0].submitted_at, Some(at(d(2026, 11, 2), 10)));
    let unsettled = of(co_only);
    assert_eq!(unsettled.len(), 1, "{duties:?}");
    assert_eq!(unsettled[0].status, "missed");

    // No 逾期未报 for the settled duty; the unsettled one got it (the test can see one).
    let outbox = store.outbox(None, 500).await.unwrap();
    let missed_mail = |item: ItemId| {
        outbox
            .iter()
            .filter(|o| o.kind == "duty_missed" && o.item == Some(item))
            .count()
    };
    assert_eq!(missed_mail(reported), 0);
    assert!(missed_mail(co_only) > 0);

    // The quarterly bulletin counts the unsettled duty only as 缺报.
    let bulletin = t
        .engine
        .bulletin(&Period::quarter("2026Q4").unwrap())
        .await
        .unwrap();
    assert_eq!(bulletin.total.duties_missed, 1);
}
