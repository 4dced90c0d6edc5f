//! The whole lifecycle of an item over HTTP, with the refusals a real office runs into.

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaohao_core::org::UnitKind;

async fn post(app: &TestApp, path: &str, unit: &str, body: Value) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(app.url(path))
        .header("x-xiaohao-unit", unit)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn act(app: &TestApp, item: &str, unit: &str, body: Value) -> (StatusCode, Value) {
    post(app, &format!("/api/items/{item}/transitions"), unit, body).await
}

#[tokio::test]
async fn an_item_goes_from_draft_to_struck_off_over_http() {
    let app = TestApp::spawn().await;
    let office = app.t.unit("石化产业工作专班办公室", UnitKind::Office).await;
    let supervision = app.t.unit("省政府督查室", UnitKind::Supervision).await;
    let lead = app.t.unit("省发改委", UnitKind::Department).await;
    let co = app.t.unit("省工信厅", UnitKind::Department).await;
    let office_id = office.id.to_string();
    let lead_id = lead.id.to_string();

    // Health.
    let health: Value = app
        .http
        .get(app.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");

    // File a draft; units by name, deadline as a date.
    let (status, created) = post(
        &app,
        "/api/items",
        &office_id,
        json!({
            "number": "(一)",
            "title": "强化产业分析研判",
            "text": "全面梳理重点产业链龙头企业……",
            "lead_unit": "省发改委",
            "co_units": ["省工信厅"],
            "deadline": "2026-06-30",
            "targets": [{"metric": "产值", "value": 320.0, "unit": "亿元", "year": 2026, "cmp": ">="}]
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["item"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["item"]["state"], "draft");
    assert_eq!(created["item"]["co_units"][0], co.id.to_string());

    // Illegal transition: a clear 409 naming state, action and what is allowed.
    let (status, err) = act(&app, &id, &office_id, json!({"action": "verify"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["error"]["code"], "invalid_transition");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("verify") && msg.contains("draft") && msg.contains("assign"),
        "{msg}"
    );

    let steps: Vec<(&str, Value, &str)> = vec![
        (&office_id, json!({"action": "assign"}), "assigned"),
        (&lead_id, json!({"action": "accept"}), "accepted"),
        (
            &lead_id,
            json!({"action": "report", "report": {"period": "2026-03", "text": "完成图谱初稿", "percent": 40,
                   "actuals": [{"metric": "产值", "value": 80.5}], "attachments": ["图谱初稿.pdf"]}}),
            "in_progress",
        ),
        (
            &lead_id,
            json!({"action": "request_closure", "evidence": "图谱和清单已印发"}),
            "closure_requested",
        ),
        (
            &office_id,
            json!({"action": "reject", "reason": "缺少招商项目清单"}),
            "in_progress",
        ),
        (
            &lead_id,
            json!({"action": "request_closure", "evidence": "补充了招商项目清单"}),
            "closure_requested",
        ),
    ];
    let mut version = 1;
    for (unit, body, expect) in steps {
        let (status, out) = act(&app, &id, unit, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body} → {out}");
        assert_eq!(out["item"]["state"], expect);
        version += 1;
        assert_eq!(out["item"]["version"], version);
    }

    // The lead unit asked for closure: it may never verify, even were it an office.
    let (status, err) = act(&app, &id, &lead_id, json!({"action": "verify"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");

    // A stale version is a conflict and writes nothing.
    let (status, err) = act(
        &app,
        &id,
        &supervision.id.to_string(),
        json!({"action": "verify", "version": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["error"]["code"], "version_conflict");
    assert_eq!(err["error"]["field"], "version");

    // Verified by the supervision unit: struck off.
    let (status, out) = act(
        &app,
        &id,
        &supervision.id.to_string(),
        json!({"action": "verify", "version": version, "comment": "材料齐全,同意销号"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["item"]["state"], "closed");
    assert!(out["item"]["closed_at"].is_string());

    // The detail shows the whole trail, the report and the target; the chain verifies.
    let detail: Value = app
        .http
        .get(app.url(&format!("/api/items/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "create",
            "assign",
            "accept",
            "report",
            "request_closure",
            "reject",
            "request_closure",
            "verify"
        ]
    );
    assert_eq!(detail["progress"][0]["percent"], 40);
    assert_eq!(detail["progress"][0]["actuals"][0]["metric"], "产值");
    assert_eq!(detail["targets"][0]["value"], 320.0);
    assert_eq!(detail["allowed_actions"], json!(["reopen"]));
    let events: Value = app
        .http
        .get(app.url(&format!("/api/items/{id}/events")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events["chain_ok"], true);

    // Reminders were written with the changes: assignment to lead and co-unit, closure
    // requests to the office, the verdicts to the lead unit.
    let outbox = app.t.engine.store().outbox(None, 100).await.unwrap();
    let mut kinds: Vec<(String, String)> = outbox
        .iter()
        .map(|o| (o.kind.clone(), o.recipient.to_string()))
        .collect();
    kinds.sort();
    let mut expected = vec![
        ("assigned".to_owned(), lead_id.clone()),
        ("assigned".to_owned(), co.id.to_string()),
        ("closure_requested".to_owned(), office_id.clone()),
        ("closure_requested".to_owned(), office_id.clone()),
        ("rejected".to_owned(), lead_id.clone()),
        ("verified".to_owned(), lead_id.clone()),
    ];
    expected.sort();
    assert_eq!(kinds, expected);

    // The list filters by unit and state.
    let list: Value = app
        .http
        .get(app.url(&format!("/api/items?unit={}&state=closed", co.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_naming_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let office = app.t.unit("专班办公室", UnitKind::Office).await;
    let unit = app.t.unit("省科技厅", UnitKind::Department).await;
    let office_id = office.id.to_string();

    // No actor.
    let resp = app
        .http
        .post(app.url("/api/items"))
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // Unknown actor.
    let (status, _) = post(&app, "/api/items", "no-such-unit", json!({"title": "x"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A name works when percent-encoded.
    let encoded: String = "专班办公室".bytes().map(|b| format!("%{b:02X}")).collect();
    let (status, body) = post(&app, "/api/items", &encoded, json!({"title": "按名称提交"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    for (body, field) in [
        (json!({"text": "no title"}), "title"),
        (json!({"title": "   "}), "title"),
        (
            json!({"title": "x", "lead_unit": "不存在的单位"}),
            "lead_unit",
        ),
        (json!({"title": "x", "deadline": "2026-02-30"}), "deadline"),
        (json!({"title": "x", "kind": "wish"}), "kind"),
        (json!({"title": "x", "colour": "red"}), "colour"),
        (json!({"title": 5}), "title"),
    ] {
        let (status, err) = post(&app, "/api/items", &office_id, body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
        assert!(
            err["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // A unit may not file items.
    let (status, err) = post(
        &app,
        "/api/items",
        &unit.id.to_string(),
        json!({"title": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");

    // Only the one good item exists.
    let list: Value = app
        .http
        .get(app.url("/api/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);

    // Transitions: missing reason, bad action, bad id, unknown item.
    let id = body["item"]["id"].as_str().unwrap();
    let (status, err) = act(&app, id, &office_id, json!({"action": "cancel"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "reason");
    let (status, err) = act(&app, id, &office_id, json!({"action": "teleport"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "action");
    let (status, err) = act(&app, "not-a-uuid", &office_id, json!({"action": "assign"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["field"], "id");
    let (status, _) = act(
        &app,
        &uuid::Uuid::now_v7().to_string(),
        &office_id,
        json!({"action": "assign"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Assign without a lead unit is refused, naming lead_unit.
    let (status, err) = act(&app, id, &office_id, json!({"action": "assign"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "lead_unit");
    let detail: Value = app
        .http
        .get(app.url(&format!("/api/items/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["item"]["version"], 1);
    assert_eq!(detail["events"].as_array().unwrap().len(), 1);
}
