//! The ladder whoever climbs it: a manual 督办 takes the next configured step (with its
//! audience, 督办单 and claim, like the scheduler's), a duty's step is an event in its
//! item's chain, and cycle dates on rest days move to working days.

use crate::scheduler::{at, d, world};
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest};
use xiaohao_store::NewPerson;

async fn escalate(app: &TestApp, token: &str, id: ItemId, reason: &str) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(app.url(&format!("/api/items/{id}/transitions")))
        .bearer_auth(token)
        .json(&json!({"action": "escalate", "reason": reason}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn manual_escalation_takes_the_next_ladder_step_with_its_audience_and_order() {
    let app = TestApp::spawn().await;
    let t = &app.t;
    // Monday 2026-03-16: six working days after the deadline of Friday 03-06.
    t.clock.set(at(d(2026, 3, 2), 10));
    let office = t.unit("专班办公室", UnitKind::Office).await;
    let lead = t.unit("省工信厅", UnitKind::Department).await;
    let co = t.unit("省科技厅", UnitKind::Department).await;
    let supervision = t.unit("省政府督查室", UnitKind::Supervision).await;
    let leader_office = t.unit("郭宁宁同志办公室", UnitKind::Office).await;
    t.engine
        .raw_store()
        .create_person(
            NewPerson {
                name: "郭宁宁".into(),
                unit: Some(leader_office.id),
                ..Default::default()
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
                number: Some("(三)".into()),
                title: "推进古雷石化基地配套项目".into(),
                lead_unit: Some("省工信厅".into()),
                co_units: vec!["省科技厅".into()],
                leader: Some("郭宁宁".into()),
                deadline: Some("2026-03-06".into()),
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
            &office_actor,
            &Command::Assign {
                lead_unit: None,
                deadline: None,
            },
            None,
        )
        .await
        .unwrap();
    t.clock.set(at(d(2026, 3, 16), 10));
    let token = app.token(supervision.id, AccountRole::Supervision).await;

    // The ladder, one step at a time, from level 0: 预警, 催办, 督办, 通报 — never "level + 1"
    // past the top.
    let expected = [
        ("预警", 1, vec![lead.id]),
        ("催办", 2, vec![lead.id, co.id]),
        ("督办", 3, vec![lead.id, leader_office.id, office.id]),
        ("通报", 4, vec![lead.id, office.id, supervision.id]),
    ];
    for (step, level, audience) in &expected {
        let (status, body) = escalate(&app, &token, id, "多次催办仍未反馈").await;
        assert_eq!(status, StatusCode::OK, "{step}: {body}");
        assert_eq!(body["item"]["escalation_level"], *level, "{body}");
        let payload: Value =
            serde_json::from_str(body["event"]["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload["step"], *step);
        assert_eq!(payload["reason"], "多次催办仍未反馈");
        // A step that makes a 督办单 asks a written reply in five working days.
        let reply = if *step == "督办" {
            json!("2026-03-23")
        } else {
            Value::Null
        };
        assert_eq!(
            payload.get("reply_due").cloned().unwrap_or(Value::Null),
            reply
        );
        // Who did it: the supervision account, recorded on the event.
        assert!(
            body["event"]["actor_name"]
                .as_str()
                .unwrap()
                .starts_with("省政府督查室"),
            "{body}"
        );
        assert_eq!(body["event"]["actor_role"], "supervision");
        let outbox = t.engine.raw_store().outbox(None, 200).await.unwrap();
        let mut told: Vec<_> = outbox
            .iter()
            .filter(|o| o.kind == format!("escalation:{step}"))
            .map(|o| o.recipient)
            .collect();
        let mut want = audience.clone();
        told.sort();
        want.sort();
        assert_eq!(told, want, "{step}");
    }

    // One 督办单, for the step that makes one, counted in working days, full-width.
    let db = t.engine.raw_store().connection();
    use sea_orm::{ConnectionTrait, Statement};
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT step, text, working_days_late, reply_due FROM supervision_orders",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let text: String = rows[0].try_get("", "text").unwrap();
    assert_eq!(rows[0].try_get::<String>("", "step").unwrap(), "督办");
    assert_eq!(rows[0].try_get::<i32>("", "working_days_late").unwrap(), 6);
    assert!(text.contains("已逾期 6 个工作日"), "{text}");
    assert!(text.contains("请于2026年3月23日前书面反馈"), "{text}");
    assert_eq!(
        rows[0]
            .try_get::<chrono::NaiveDate>("", "reply_due")
            .unwrap(),
        d(2026, 3, 23)
    );
    assert!(
        text.contains('：') && text.contains('，') && !text.contains(','),
        "{text}"
    );
    // Each step is claimed for the due date, so the scheduler will not fire it again.
    let fires = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM escalation_fires WHERE subject_kind = 'item'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(fires, 4);

    // At the top: refused, in words a user reads, with a code a program reads.
    let (status, body) = escalate(&app, &token, id, "再次督办").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "escalation_at_top");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("最高一级"),
        "{body}"
    );
    let item = t.engine.raw_store().item(id).await.unwrap();
    assert_eq!(item.escalation_level, 4);

    // A reason is required; the step is not it.
    let (status, body) = escalate(&app, &token, id, " ").await;
    assert!(status.is_client_error(), "{body}");
    let (_, _, broken) = t.engine.raw_store().verify_all_chains().await.unwrap();
    assert!(broken.is_none(), "{broken:?}");
}

#[tokio::test]
async fn a_duty_escalation_is_an_event_in_its_item_chain() {
    let w = world(at(d(2026, 3, 2), 10)).await;
    let id = w.assigned("task", Some("2026-12-31")).await;
    w.run(id, &w.lead, Command::Accept).await;
    // Opens 03-20 (预警 at once: due 03-25 is within three working days), 催办 on 03-25,
    // 督办 on 03-30.
    w.tick_days(d(2026, 3, 3), d(2026, 3, 31)).await;
    let events = w.t.engine.raw_store().events(id).await.unwrap();
    let steps: Vec<String> = events
        .iter()
        .filter(|e| e.kind == "duty_escalated")
        .map(|e| {
            let p: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
            assert_eq!(p["period"], "2026-03");
            assert_eq!(e.actor_role, "system");
            p["step"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(steps, ["预警", "催办", "督办"]);
    let item = w.t.engine.raw_store().item(id).await.unwrap();
    assert_eq!(item.version, events.last().unwrap().seq);
    let (_, _, broken) = w.t.engine.raw_store().verify_all_chains().await.unwrap();
    assert!(broken.is_none(), "{broken:?}");
    // The duty's notifications went out once per step, as before.
    assert_eq!(
        w.count("SELECT COUNT(*) FROM escalation_fires WHERE subject_kind = 'duty'")
            .await,
        3
    );
}

#[tokio::test]
async fn a_duty_due_on_a_rest_day_is_due_the_next_working_day_and_not_missed_on_it() {
    let w = world(at(d(2026, 10, 12), 10)).await;
    let id = w.assigned("task", Some("2026-12-31")).await;
    w.run(id, &w.lead, Command::Accept).await;
    // 2026-10-25 is a Sunday: the October duty is due Monday 10-26.
    let (_, total) = w.tick_days(d(2026, 10, 13), d(2026, 10, 26)).await;
    assert_eq!(total.duties_opened, 1);
    assert_eq!(total.duties_missed, 0);
    let duties =
        w.t.engine
            .raw_store()
            .duties(w.lead.unit, None, 10)
            .await
            .unwrap();
    assert_eq!(duties.len(), 1);
    assert_eq!(duties[0].period_key, "2026-10");
    assert_eq!(duties[0].due_on, d(2026, 10, 26));
    assert_eq!(duties[0].status, "open", "not missed on its due date");
    let (_, total) = w.tick_days(d(2026, 10, 27), d(2026, 10, 27)).await;
    assert_eq!(total.duties_missed, 1);
}

#[tokio::test]
async fn a_cycle_scheduled_on_a_holiday_opens_on_the_next_working_day() {
    // The quarterly summary is scheduled for 10-01 (国庆): it opens 10-08 for 2026-Q3.
    let w = world(at(d(2026, 9, 28), 10)).await;
    w.assigned("task", Some("2026-12-31")).await;
    let q3 = |duties: &[xiaohao_store::DutyRow]| {
        duties
            .iter()
            .filter(|x| x.period_key == "2026-Q3")
            .cloned()
            .collect::<Vec<_>>()
    };
    w.tick_days(d(2026, 9, 29), d(2026, 10, 7)).await;
    let duties =
        w.t.engine
            .raw_store()
            .duties(w.lead.unit, None, 10)
            .await
            .unwrap();
    assert!(q3(&duties).is_empty(), "nothing opens during the holiday");
    w.tick_days(d(2026, 10, 8), d(2026, 10, 8)).await;
    let duties =
        w.t.engine
            .raw_store()
            .duties(w.lead.unit, None, 10)
            .await
            .unwrap();
    let q3 = q3(&duties);
    assert_eq!(q3.len(), 1);
    assert_eq!(
        (q3[0].opens_on, q3[0].due_on),
        (d(2026, 10, 8), d(2026, 10, 10))
    );
}
