//! Accounts and scopes: a table of every API endpoint × every role with the status each
//! must get, plus logout/revocation, the login rate limit, the calendar feed, metrics and
//! the OpenAPI document.

use crate::support::{PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, Actor, Capacity, Command, ItemId};
use xiaohao_engine::ItemRequest;
use xiaohao_store::{NewChain, NewPerson};

const ROLES: [&str; 7] = [
    "admin",
    "office",
    "unit_a",
    "unit_b",
    "leader",
    "supervision",
    "anonymous",
];

struct World {
    app: TestApp,
    tokens: Vec<(&'static str, Option<String>)>,
    /// Led by unit A, on the chain the leader leads, filed by the office.
    item_a: ItemId,
    unit_a: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let t = &app.t;
    let admin_unit = t.unit("信息中心", UnitKind::Office).await;
    let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
    let unit_a = t.unit("省工信厅", UnitKind::Department).await;
    let unit_b = t.unit("省科技厅", UnitKind::Department).await;
    let sup = t.unit("省政府督查室", UnitKind::Supervision).await;
    let gov = t.unit("省政府办公厅", UnitKind::Government).await;
    let store = t.engine.store();
    let now = t.engine.now();
    let leader = store
        .create_person(
            NewPerson {
                name: "张链长".into(),
                title: Some("副省长".into()),
                unit: Some(gov.id),
                email: None,
            },
            now,
        )
        .await
        .unwrap();
    let chain = store
        .create_chain(
            NewChain {
                name: "石化产业链".into(),
                leaders: vec![leader.id],
                lead_units: vec![unit_a.id],
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    let e = &t.engine;
    let office_actor = Actor {
        unit: Some(office.id),
        capacity: Capacity::Office,
        name: "专班".into(),
    };
    let file = |title: &str, lead: &str, chain: Option<String>| ItemRequest {
        title: title.into(),
        lead_unit: Some(lead.into()),
        chain,
        deadline: Some("2026-06-30".into()),
        ..Default::default()
    };
    let a = e
        .file_item(
            &office_actor,
            &file(
                "延伸炼化一体化产业链",
                "省工信厅",
                Some(chain.id.to_string()),
            ),
        )
        .await
        .unwrap()
        .item
        .id;
    let b = e
        .file_item(&office_actor, &file("建设中试基地", "省科技厅", None))
        .await
        .unwrap()
        .item
        .id;
    let actor_a = xiaohao_engine::Engine::actor_of(&unit_a);
    let actor_b = xiaohao_engine::Engine::actor_of(&unit_b);
    for (id, lead) in [(a, &actor_a), (b, &actor_b)] {
        e.execute(
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
        e.execute(id, lead, &Command::Accept, None).await.unwrap();
        e.execute(id, lead, &Command::Start, None).await.unwrap();
    }
    let leader_name = format!("leader-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    e.add_user(
        &leader_name,
        None,
        "省政府办公厅",
        AccountRole::Leader,
        Some("张链长"),
        PASSWORD,
    )
    .await
    .unwrap();
    let tokens = vec![
        (
            "admin",
            Some(app.token(admin_unit.id, AccountRole::Admin).await),
        ),
        (
            "office",
            Some(app.token(office.id, AccountRole::Office).await),
        ),
        (
            "unit_a",
            Some(app.token(unit_a.id, AccountRole::Unit).await),
        ),
        (
            "unit_b",
            Some(app.token(unit_b.id, AccountRole::Unit).await),
        ),
        ("leader", Some(app.login(&leader_name).await)),
        (
            "supervision",
            Some(app.token(sup.id, AccountRole::Supervision).await),
        ),
        ("anonymous", None),
    ];
    World {
        app,
        tokens,
        item_a: a,
        unit_a: unit_a.id.to_string(),
    }
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String) {
    let mut req = app.http.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    (status, resp.text().await.unwrap_or_default())
}

#[tokio::test]
async fn every_endpoint_answers_every_role_as_the_table_says() {
    let w = world().await;
    let app = &w.app;
    let x = w.item_a.to_string();
    const OK: u16 = 200;
    const NEW: u16 = 201;
    const UNAUTH: u16 = 401;
    const FORBID: u16 = 403;
    const HIDDEN: u16 = 404;
    // Columns: admin, office, unit_a, unit_b, leader, supervision, anonymous.
    let every = [OK, OK, OK, OK, OK, OK, UNAUTH];
    let readers_of_a = [OK, OK, OK, HIDDEN, OK, OK, UNAUTH];
    let table: Vec<(Method, String, Option<Value>, [u16; 7])> = vec![
        (Method::GET, "/api/me".into(), None, every),
        (Method::GET, "/api/items".into(), None, every),
        (Method::GET, format!("/api/items/{x}"), None, readers_of_a),
        (
            Method::GET,
            format!("/api/items/{x}/events"),
            None,
            readers_of_a,
        ),
        (
            Method::GET,
            format!("/api/items/{x}/progress"),
            None,
            readers_of_a,
        ),
        (
            Method::POST,
            format!("/api/items/{x}/progress"),
            Some(json!({"period": "2026-03", "text": "完成备案"})),
            [FORBID, FORBID, OK, HIDDEN, FORBID, FORBID, UNAUTH],
        ),
        (
            Method::POST,
            format!("/api/items/{x}/transitions"),
            Some(json!({"action": "escalate", "reason": "多次催办仍未反馈"})),
            [OK, OK, FORBID, HIDDEN, FORBID, OK, UNAUTH],
        ),
        (
            Method::POST,
            format!("/api/items/{x}/transitions"),
            Some(json!({"action": "request_closure", "evidence": " "})),
            // Permission first, then input: only the lead unit gets as far as "evidence
            // is required".
            [FORBID, FORBID, 422, HIDDEN, FORBID, FORBID, UNAUTH],
        ),
        (
            Method::POST,
            "/api/items".into(),
            Some(json!({"title": "新事项"})),
            [NEW, NEW, FORBID, FORBID, FORBID, NEW, UNAUTH],
        ),
        (Method::GET, "/api/units".into(), None, every),
        (
            Method::POST,
            "/api/units".into(),
            Some(json!({"name": "UNIQUE"})),
            [NEW, NEW, FORBID, FORBID, FORBID, FORBID, UNAUTH],
        ),
        (
            Method::GET,
            format!("/api/units/{}/feed", w.unit_a),
            None,
            [OK, FORBID, OK, FORBID, FORBID, FORBID, UNAUTH],
        ),
        (Method::GET, "/api/chains".into(), None, every),
        (Method::GET, "/api/plans".into(), None, every),
        (Method::GET, "/api/duties".into(), None, every),
        (Method::GET, "/api/stats".into(), None, every),
        (
            Method::GET,
            "/api/supervision".into(),
            None,
            [OK, FORBID, FORBID, FORBID, FORBID, OK, UNAUTH],
        ),
        (
            Method::GET,
            "/api/users".into(),
            None,
            [OK, FORBID, FORBID, FORBID, FORBID, FORBID, UNAUTH],
        ),
        (
            Method::POST,
            "/api/users".into(),
            Some(
                json!({"username": "UNIQUE", "unit": "省科技厅", "role": "unit", "password": "a long password"}),
            ),
            [NEW, FORBID, FORBID, FORBID, FORBID, FORBID, UNAUTH],
        ),
        (Method::GET, "/api/export/ledger.csv".into(), None, every),
        (Method::GET, "/api/export/ledger.xlsx".into(), None, every),
        (
            Method::POST,
            "/api/auth/logout".into(),
            None,
            [204, 204, 204, 204, 204, 204, UNAUTH],
        ),
    ];
    let mut mismatches = Vec::new();
    let mut cells = 0;
    for (method, path, body, expected) in &table {
        for (col, (role, token)) in w.tokens.iter().enumerate() {
            // Logging out would end the token for the rest of the table: use a fresh one.
            let fresh;
            let token = if path == "/api/auth/logout" && token.is_some() {
                fresh = fresh_token(app, token.as_deref()).await;
                Some(fresh.as_str())
            } else {
                token.as_deref()
            };
            let body = body.clone().map(uniquify);
            let (status, text) = call(app, method.clone(), path, token, body).await;
            cells += 1;
            if status.as_u16() != expected[col] {
                mismatches.push(format!(
                    "{method} {path} as {role}: expected {}, got {status}: {text}",
                    expected[col]
                ));
            }
            if !status.is_success() && status != StatusCode::NO_CONTENT {
                let err: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                assert!(
                    err["error"]["code"].is_string() && err["error"]["message"].is_string(),
                    "{method} {path} as {role}: error envelope missing: {text}"
                );
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(cells, table.len() * ROLES.len());

    // What each role sees in the list and the export.
    let tok = |r: &str| {
        w.tokens
            .iter()
            .find(|(n, _)| *n == r)
            .and_then(|(_, t)| t.clone())
            .unwrap()
    };
    for (role, titles_visible) in [
        ("unit_a", true),
        ("unit_b", false),
        ("leader", true),
        ("office", true),
    ] {
        let (_, csv) = call(
            app,
            Method::GET,
            "/api/export/ledger.csv",
            Some(&tok(role)),
            None,
        )
        .await;
        assert!(csv.starts_with('\u{feff}'), "BOM");
        assert_eq!(
            csv.contains("延伸炼化一体化产业链"),
            titles_visible,
            "{role} export: {csv}"
        );
        let (_, list) = call(
            app,
            Method::GET,
            "/api/items?q=炼化",
            Some(&tok(role)),
            None,
        )
        .await;
        let list: Value = serde_json::from_str(&list).unwrap();
        assert_eq!(list["total"], u64::from(titles_visible), "{role}: {list}");
    }
    // Unit B cannot change A's item even with a well-formed request naming its version.
    let (status, _) = call(
        app,
        Method::POST,
        &format!("/api/items/{x}/transitions"),
        Some(&tok("unit_b")),
        Some(json!({"action": "request_closure", "evidence": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let item = app.t.engine.store().item(w.item_a).await.unwrap();
    assert_eq!(item.state.as_str(), "in_progress");
}

/// A second token for the same account as `token`.
async fn fresh_token(app: &TestApp, token: Option<&str>) -> String {
    let (_, me) = call(app, Method::GET, "/api/me", token, None).await;
    let me: Value = serde_json::from_str(&me).unwrap();
    app.login(me["user"]["username"].as_str().unwrap()).await
}

fn uniquify(v: Value) -> Value {
    let s = v.to_string().replace(
        "UNIQUE",
        &format!("u{}", &uuid::Uuid::new_v4().simple().to_string()[..10]),
    );
    serde_json::from_str(&s).unwrap()
}

#[tokio::test]
async fn logout_revokes_and_failed_logins_are_rate_limited() {
    let app = TestApp::spawn().await;
    let unit = app.t.unit("省商务厅", UnitKind::Department).await;
    let name = app.user(unit.id, AccountRole::Unit).await;
    let token = app.login(&name).await;
    let (status, _) = call(&app, Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, Method::POST, "/api/auth/logout", Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The admin revokes every token of a user.
    let admin = app.token(unit.id, AccountRole::Admin).await;
    let t2 = app.login(&name).await;
    let (_, me) = call(&app, Method::GET, "/api/me", Some(&t2), None).await;
    let uid = serde_json::from_str::<Value>(&me).unwrap()["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/api/users/{uid}/revoke"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = call(&app, Method::GET, "/api/me", Some(&t2), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Five wrong passwords, then 429 even for the right one; other usernames are unaffected.
    let login = |user: &str, pw: &str| {
        app.http
            .post(app.url("/api/auth/login"))
            .json(&json!({"username": user, "password": pw}))
            .send()
    };
    for _ in 0..5 {
        let r = login(&name, "wrong password").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "unauthorized");
    }
    let r = login(&name, PASSWORD).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = app.user(unit.id, AccountRole::Unit).await;
    assert_eq!(
        login(&other, PASSWORD).await.unwrap().status(),
        StatusCode::OK
    );
    // Fifteen minutes later the lock has lifted.
    app.t.clock.advance(chrono::Duration::minutes(15));
    assert_eq!(
        login(&name, PASSWORD).await.unwrap().status(),
        StatusCode::OK
    );
    // Bad input to login names the field.
    let r = app
        .http
        .post(app.url("/api/auth/login"))
        .json(&json!({"username": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "password");
}

#[tokio::test]
async fn feed_metrics_openapi_and_the_login_redirect() {
    let w = world().await;
    let app = &w.app;
    let unit_a_tok = w.tokens[2].1.clone().unwrap();
    let (status, body) = call(
        app,
        Method::GET,
        &format!("/api/units/{}/feed", w.unit_a),
        Some(&unit_a_tok),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = serde_json::from_str::<Value>(&body).unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let ics = app.http.get(&url).send().await.unwrap();
    assert_eq!(ics.status(), StatusCode::OK);
    assert!(
        ics.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = ics.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(ics.contains("DTSTART;VALUE=DATE:20260630\r\n"), "{ics}");
    assert!(ics.contains(&format!("UID:{}-deadline@xiaohao\r\n", w.item_a)));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "only unit A's item");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "unfolded line: {line}");
        assert!(!line.contains('\n'));
    }
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.contains("SUMMARY:【时限】延伸炼化一体化产业链"));
    // Wrong token, another unit's id, no token.
    let bad = url.replace("token=", "token=x");
    assert_eq!(
        app.http.get(&bad).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let other_unit = url.replace(&w.unit_a, &uuid::Uuid::now_v7().to_string());
    assert_eq!(
        app.http.get(&other_unit).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let bare = url.split('?').next().unwrap().to_owned();
    assert_eq!(
        app.http.get(&bare).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // Metrics.
    let m = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("xiaohao_items{state=\"in_progress\"} 2"), "{m}");
    assert!(
        m.contains("xiaohao_items_by_light{light=\"green\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("xiaohao_outbox_messages{status=\"pending\"}"),
        "{m}"
    );
    assert!(m.contains("# TYPE xiaohao_scheduler_last_tick_seconds gauge"));

    // OpenAPI, generated from the handlers.
    let doc: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/items",
        "/api/items/{id}",
        "/api/items/{id}/transitions",
        "/api/auth/login",
        "/api/stats",
        "/api/duties",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    let ui = app.http.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(ui.status(), StatusCode::OK);

    // The link in a reminder e-mail: not signed in → login, then back to the item.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirects
        .get(app.url(&format!("/items/{}", w.item_a)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()[reqwest::header::LOCATION].to_str().unwrap();
    assert_eq!(loc, format!("/login?next=/items/{}", w.item_a));
    // A cookie-authenticated POST from a foreign origin is refused.
    let cookie_client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = cookie_client
        .post(app.url(&format!("/items/{}/act", w.item_a)))
        .header("cookie", format!("xh_session={unit_a_tok}"))
        .header("origin", "http://evil.example")
        .form(&[("action", "request_closure"), ("evidence", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let item = app.t.engine.store().item(w.item_a).await.unwrap();
    assert_eq!(item.state.as_str(), "in_progress");
}

#[tokio::test]
async fn every_page_renders_for_every_role() {
    let w = world().await;
    let app = &w.app;
    let x = w.item_a;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Columns as in ROLES; anonymous is sent to the login page (303).
    let table: Vec<(String, [u16; 7])> = vec![
        ("/".into(), [200, 200, 200, 200, 200, 200, 303]),
        (
            "/ledger?light=green&q=产业".into(),
            [200, 200, 200, 200, 200, 200, 303],
        ),
        (format!("/items/{x}"), [200, 200, 200, 404, 200, 200, 303]),
        ("/progress".into(), [200, 200, 200, 200, 200, 200, 303]),
        ("/supervision".into(), [200, 403, 403, 403, 403, 200, 303]),
        ("/login".into(), [200, 200, 200, 200, 200, 200, 200]),
    ];
    let mut wrong = Vec::new();
    for (path, expected) in &table {
        for (col, (role, token)) in w.tokens.iter().enumerate() {
            let mut req = client.get(app.url(path));
            if let Some(t) = token {
                req = req.header("cookie", format!("xh_session={t}"));
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            if status != expected[col] {
                wrong.push(format!(
                    "{path} as {role}: {status} (expected {})",
                    expected[col]
                ));
            }
            if status == 200 {
                assert!(body.contains("<html lang=\"zh-CN\">"), "{path} as {role}");
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let css = app
        .http
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
}
