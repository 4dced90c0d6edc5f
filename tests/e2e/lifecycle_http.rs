//! The whole lifecycle of an item over HTTP, with the refusals a real office runs into.

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xiaohao_core::AccountRole;
use xiaohao_core::org::UnitKind;

/// POST as the holder of `token`.
async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn act(app: &TestApp, item: &str, token: &str, body: Value) -> (StatusCode, Value) {
    post(app, &format!("/api/items/{item}/transitions"), token, body).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    app.http
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
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
    let office_tok = app.token(office.id, AccountRole::Office).await;
    let lead_tok = app.token(lead.id, AccountRole::Unit).await;
    let supervision_tok = app.token(supervision.id, AccountRole::Supervision).await;

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
        &office_tok,
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
    let (status, err) = act(&app, &id, &office_tok, json!({"action": "verify"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["error"]["code"], "invalid_transition");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("verify") && msg.contains("draft") && msg.contains("assign"),
        "{msg}"
    );

    let steps: Vec<(&str, Value, &str)> = vec![
        (&office_tok, json!({"action": "assign"}), "assigned"),
        (&lead_tok, json!({"action": "accept"}), "accepted"),
        (
            &lead_tok,
            json!({"action": "report", "report": {"period": "2026-03", "text": "完成图谱初稿", "percent": 40,
                   "actuals": [{"metric": "产值", "value": 80.5}]}}),
            "in_progress",
        ),
        (
            &lead_tok,
            json!({"action": "request_closure", "evidence": "图谱和清单已印发"}),
            "closure_requested",
        ),
        (
            &office_tok,
            json!({"action": "reject", "reason": "缺少招商项目清单"}),
            "in_progress",
        ),
        (
            &lead_tok,
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
    let (status, err) = act(&app, &id, &lead_tok, json!({"action": "verify"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");

    // A stale version is a conflict and writes nothing.
    let (status, err) = act(
        &app,
        &id,
        &supervision_tok,
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
        &supervision_tok,
        json!({"action": "verify", "version": version, "comment": "材料齐全,同意销号"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["item"]["state"], "closed");
    assert!(out["item"]["closed_at"].is_string());

    // The detail shows the whole trail, the report and the target; the chain verifies.
    let detail = get(&app, &format!("/api/items/{id}"), &lead_tok).await;
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
    let events = get(&app, &format!("/api/items/{id}/events"), &supervision_tok).await;
    assert_eq!(events["chain_ok"], true);

    // Reminders were written with the changes: assignment to lead and co-unit, closure
    // requests to the office, the verdicts to the lead unit.
    let outbox = app.t.engine.raw_store().outbox(None, 100).await.unwrap();
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
    let list = get(
        &app,
        &format!("/api/items?unit={}&state=closed", co.id),
        &office_tok,
    )
    .await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_naming_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let office = app.t.unit("专班办公室", UnitKind::Office).await;
    let unit = app.t.unit("省科技厅", UnitKind::Department).await;
    let office_tok = app.token(office.id, AccountRole::Office).await;
    let unit_tok = app.token(unit.id, AccountRole::Unit).await;

    // No actor.
    let resp = app
        .http
        .post(app.url("/api/items"))
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // Unknown token.
    let (status, _) = post(&app, "/api/items", "no-such-token", json!({"title": "x"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A token from logging in by username works (the session of a second office user).
    let username = app.user(office.id, AccountRole::Office).await;
    let by_login = app.login(&username).await;
    let (status, body) = post(
        &app,
        "/api/items",
        &by_login,
        json!({"title": "按名称提交"}),
    )
    .await;
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
        let (status, err) = post(&app, "/api/items", &office_tok, body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
        assert!(
            err["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // A unit may not file items.
    let (status, err) = post(&app, "/api/items", &unit_tok, json!({"title": "x"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");

    // Only the one good item exists.
    let list = get(&app, "/api/items", &office_tok).await;
    assert_eq!(list["total"], 1);

    // Transitions: missing reason, bad action, bad id, unknown item.
    let id = body["item"]["id"].as_str().unwrap();
    let (status, err) = act(&app, id, &office_tok, json!({"action": "cancel"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "reason");
    let (status, err) = act(&app, id, &office_tok, json!({"action": "teleport"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "action");
    let (status, err) = act(&app, "not-a-uuid", &office_tok, json!({"action": "assign"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["field"], "id");
    let (status, _) = act(
        &app,
        &uuid::Uuid::now_v7().to_string(),
        &office_tok,
        json!({"action": "assign"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Assign without a lead unit is refused, naming lead_unit.
    let (status, err) = act(&app, id, &office_tok, json!({"action": "assign"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "lead_unit");
    let detail = get(&app, &format!("/api/items/{id}"), &office_tok).await;
    assert_eq!(detail["item"]["version"], 1);
    assert_eq!(detail["events"].as_array().unwrap().len(), 1);
}
