//! 延期申请 end to end, on both databases: the lead unit asks before the due date, the
//! office approves (deadline and due date move, the timeline reads old and new dates, the
//! ladder starts again from the new date, 考核 counts it) or refuses (nothing moves); asked
//! after the due date, by a co-unit or another unit, answered by a unit, or twice: refused.

use crate::scheduler::{at, d};
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::payload::Payload;
use xiaohao_core::score::Period;
use xiaohao_core::{AccountRole, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest, Scheduler, Settings};

struct World {
    app: TestApp,
    office: Unit,
    lead: Unit,
    co: Unit,
    office_token: String,
    lead_token: String,
    co_token: String,
    stranger_token: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let t = &app.t;
    // Monday 2026-03-02, 10:00.
    t.clock.set(at(d(2026, 3, 2), 10));
    let office = t.unit("专班办公室", UnitKind::Office).await;
    let lead = t.unit("省工信厅", UnitKind::Department).await;
    let co = t.unit("省科技厅", UnitKind::Department).await;
    let stranger = t.unit("省财政厅", UnitKind::Department).await;
    let office_token = app.token(office.id, AccountRole::Office).await;
    let lead_token = app.token(lead.id, AccountRole::Unit).await;
    let co_token = app.token(co.id, AccountRole::Unit).await;
    let stranger_token = app.token(stranger.id, AccountRole::Unit).await;
    World {
        app,
        office,
        lead,
        co,
        office_token,
        lead_token,
        co_token,
        stranger_token,
    }
}

impl World {
    /// An item due on `deadline`, assigned to 省工信厅 (with 省科技厅) and signed for.
    async fn item(&self, deadline: &str) -> ItemId {
        let engine = &self.app.t.engine;
        let office = Engine::actor_of(&self.office);
        let id = engine
            .file_item(
                &office,
                &ItemRequest {
                    title: "推进古雷石化基地配套项目".into(),
                    lead_unit: Some("省工信厅".into()),
                    co_units: vec!["省科技厅".into()],
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
        engine.execute(id, &office, &assign, None).await.unwrap();
        let (status, body) = self
            .act(&self.lead_token, id, json!({"action": "accept"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        id
    }

    async fn act(&self, token: &str, id: ItemId, body: Value) -> (StatusCode, Value) {
        let resp = self
            .app
            .http
            .post(self.app.url(&format!("/api/items/{id}/transitions")))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn ask(&self, token: &str, id: ItemId, deadline: &str) -> (StatusCode, Value) {
        self.act(
            token,
            id,
            json!({
                "action": "request_extension",
                "deadline": deadline,
                "reason": "项目环评批复延后，需顺延完成时限",
            }),
        )
        .await
    }

    /// The 延期申请 messages queued for `unit` about `id`, by kind.
    async fn told(&self, unit: &Unit, id: ItemId) -> Vec<String> {
        let rows = self
            .app
            .t
            .engine
            .raw_store()
            .outbox(None, 500)
            .await
            .unwrap();
        rows.into_iter()
            .filter(|r| {
                r.recipient == unit.id && r.item == Some(id) && r.kind.starts_with("extension_")
            })
            .map(|r| r.kind)
            .collect()
    }

    async fn events(&self, id: ItemId) -> Vec<xiaohao_core::event::Event> {
        self.app.t.engine.raw_store().events(id).await.unwrap()
    }
}

fn field(body: &Value) -> &str {
    body["error"]["field"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn an_approved_extension_moves_the_deadline_and_restarts_the_ladder() {
    let w = world().await;
    let t = &w.app.t;
    // Due Friday 2026-03-20.
    let id = w.item("2026-03-20").await;

    // Nobody but the lead unit asks: a co-unit and the office are refused, another unit
    // does not even see the item.
    let (status, body) = w.ask(&w.co_token, id, "2026-04-30").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = w.ask(&w.office_token, id, "2026-04-30").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = w.ask(&w.stranger_token, id, "2026-04-30").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A date not after the due date is no extension.
    let (status, body) = w.ask(&w.lead_token, id, "2026-03-20").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), "deadline");

    let (status, body) = w.ask(&w.lead_token, id, "2026-04-30").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["item"]["extension_requested"], "2026-04-30");
    assert_eq!(body["item"]["due_on"], "2026-03-20", "asking moves nothing");
    assert_eq!(w.told(&w.office, id).await, vec!["extension_requested"]);

    // One pending at a time.
    let (status, body) = w.ask(&w.lead_token, id, "2026-05-29").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), "extension");
    // A unit cannot answer it.
    for token in [&w.lead_token, &w.co_token] {
        let (status, body) = w
            .act(token, id, json!({"action": "approve_extension"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }

    // Both 待办 lists show it until it is answered.
    let office_p = t
        .engine
        .authenticate(&w.office_token)
        .await
        .unwrap()
        .unwrap();
    let lead_p = t.engine.authenticate(&w.lead_token).await.unwrap().unwrap();
    let pending = |s: &xiaohao_engine::worklist::Section<xiaohao_engine::worklist::Entry>| {
        s.rows.iter().map(|e| e.item.id).collect::<Vec<_>>()
    };
    assert_eq!(
        pending(&t.engine.office_home(&office_p).await.unwrap().extensions),
        vec![id]
    );
    assert_eq!(
        pending(&t.engine.unit_home(&lead_p).await.unwrap().extensions),
        vec![id]
    );

    t.clock.set(at(d(2026, 3, 4), 15));
    let (status, body) = w
        .act(
            &w.office_token,
            id,
            json!({"action": "approve_extension", "comment": "同意延期"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["item"]["deadline"], "2026-04-30");
    assert_eq!(body["item"]["due_on"], "2026-04-30");
    assert_eq!(body["item"]["extension_requested"], Value::Null);
    assert_eq!(w.told(&w.lead, id).await, vec!["extension_approved"]);
    assert!(
        w.told(&w.co, id).await.is_empty(),
        "the co-unit is not told"
    );
    assert!(pending(&t.engine.office_home(&office_p).await.unwrap().extensions).is_empty());
    assert!(pending(&t.engine.unit_home(&lead_p).await.unwrap().extensions).is_empty());

    // The timeline names the old and the new date.
    let events = w.events(id).await;
    let last = events.last().unwrap();
    assert_eq!(last.kind, "approve_extension");
    let Ok(Payload::ExtensionApproved(x)) = last.details() else {
        panic!("{last:?}")
    };
    assert_eq!((x.from, x.to), (Some(d(2026, 3, 20)), d(2026, 4, 30)));
    assert_eq!(
        last.details().unwrap().summary_zh(),
        "原时限：2026年3月20日；新时限：2026年4月30日；意见：同意延期"
    );
    assert!(xiaohao_core::event::verify_chain(&events).is_ok());

    // The ladder: on Thursday 03-26, four working days after the old date, the old date's
    // 督办 would have fired; from the new date nothing is due yet.
    let scheduler = Scheduler::new(t.engine.clone(), &Settings::default()).unwrap();
    t.clock.set(at(d(2026, 3, 26), 10));
    scheduler.tick(t.engine.now()).await.unwrap();
    let item = t.engine.raw_store().item(id).await.unwrap();
    assert_eq!(item.escalation_level, 0, "no step from the old date");
    assert!(
        !w.events(id).await.iter().any(|e| e.kind == "escalate"),
        "no escalation event"
    );
    // Once the new date has passed, the ladder climbs again, keyed by the new date.
    t.clock.set(at(d(2026, 5, 12), 10));
    scheduler.tick(t.engine.now()).await.unwrap();
    let item = t.engine.raw_store().item(id).await.unwrap();
    assert!(
        item.escalation_level >= 2,
        "level {}",
        item.escalation_level
    );
    let steps: Vec<_> = w
        .events(id)
        .await
        .iter()
        .filter_map(|e| match e.details() {
            Ok(Payload::Escalated(x)) => Some(x.deadline_key),
            _ => None,
        })
        .collect();
    assert!(
        !steps.is_empty() && steps.iter().all(|k| k == "2026-04-30"),
        "{steps:?}"
    );

    // 考核: one 批准延期 line for the lead unit, on the approval event.
    let card = t
        .engine
        .scorecard(&Period::parse("2026Q1").unwrap())
        .await
        .unwrap();
    let lines: Vec<_> = card
        .units
        .iter()
        .flat_map(|u| u.lines.iter().map(move |l| (u.unit_id, l)))
        .filter(|(_, l)| l.rule.as_str() == "extension_approved")
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let (unit, line) = lines[0];
    assert_eq!(unit, w.lead.id);
    assert_eq!(line.item_id, id);
    assert_eq!(line.points.0, -5, "−0.5 points");
    assert_eq!(
        events[usize::try_from(line.event_seq).unwrap() - 1].kind,
        "approve_extension"
    );
}

#[tokio::test]
async fn a_refused_extension_keeps_the_deadline_and_late_requests_are_refused() {
    let w = world().await;
    let t = &w.app.t;
    // Due Friday 2026-03-06.
    let id = w.item("2026-03-06").await;
    // Nothing to answer yet.
    let (status, body) = w
        .act(&w.office_token, id, json!({"action": "approve_extension"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), "extension");

    let (status, body) = w.ask(&w.lead_token, id, "2026-03-31").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = w
        .act(
            &w.office_token,
            id,
            json!({"action": "refuse_extension", "reason": " "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), "reason");
    let (status, body) = w
        .act(
            &w.office_token,
            id,
            json!({"action": "refuse_extension", "reason": "理由不充分，请按原时限办结"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["item"]["deadline"], "2026-03-06");
    assert_eq!(body["item"]["due_on"], "2026-03-06");
    assert_eq!(body["item"]["extension_requested"], Value::Null);
    assert_eq!(w.told(&w.lead, id).await, vec!["extension_refused"]);
    let events = w.events(id).await;
    assert_eq!(
        events.last().unwrap().details().unwrap().summary_zh(),
        "申请延期至：2026年3月31日；不同意理由：理由不充分，请按原时限办结"
    );

    // On the due date a new request is still in time; the next working day it is not.
    t.clock.set(at(d(2026, 3, 9), 9));
    let (status, body) = w.ask(&w.lead_token, id, "2026-03-31").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field(&body), "due_on");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2026-03-06"),
        "{body}"
    );
    let item = t.engine.raw_store().item(id).await.unwrap();
    assert_eq!(item.extension_requested, None);
    assert_eq!(item.version, events.last().unwrap().seq, "nothing written");
    // No score line for a refusal.
    let card = t
        .engine
        .scorecard(&Period::parse("2026Q1").unwrap())
        .await
        .unwrap();
    assert!(
        card.units
            .iter()
            .flat_map(|u| &u.lines)
            .all(|l| l.rule.as_str() != "extension_approved")
    );
}
