//! Accounts and scopes: a table of every API endpoint × every role with the status each
//! must get, plus logout/revocation, the login rate limit, the calendar feed, metrics and
//! the OpenAPI document.

mod workbench;
pub(crate) mod world;

use crate::support::{PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use world::{ROLES, world};
use xiaohao_core::AccountRole;
use xiaohao_core::org::UnitKind;

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
    let d = w.draft.to_string();
    let c = w.item_c.to_string();
    const OK: u16 = 200;
    const NEW: u16 = 201;
    const UNAUTH: u16 = 401;
    const FORBID: u16 = 403;
    const HIDDEN: u16 = 404;
    const BAD: u16 = 422;
    // Columns as in ROLES: admin, office (石化专班), top_office (领导小组办公室 above both
    // 专班), other_office (新能源专班, linked to the 石化 chain), unit_a, unit_b, leader,
    // supervision, anonymous.
    let every = [OK, OK, OK, OK, OK, OK, OK, OK, UNAUTH];
    let readers_of_a = [OK, OK, OK, OK, OK, HIDDEN, OK, OK, UNAUTH];
    // A draft is office-only: its future lead unit and the chain's leader do not see it.
    let readers_of_draft = [OK, OK, OK, OK, HIDDEN, HIDDEN, HIDDEN, OK, UNAUTH];
    // Kept by the other chain's office: the 石化 office does not even read it.
    let readers_of_c = [OK, HIDDEN, OK, OK, HIDDEN, OK, HIDDEN, OK, UNAUTH];
    let mut table: Vec<(Method, String, Option<Value>, [u16; 9])> = vec![
        (Method::GET, "/api/me".into(), None, every),
        (Method::GET, "/api/items".into(), None, every),
        (
            Method::POST,
            format!("/api/items/{x}/progress"),
            Some(json!({"period": "2026-03", "text": "完成备案"})),
            [
                FORBID, FORBID, FORBID, FORBID, OK, HIDDEN, FORBID, FORBID, UNAUTH,
            ],
        ),
        (
            Method::POST,
            format!("/api/items/{x}/transitions"),
            Some(json!({"action": "escalate", "reason": "多次催办仍未反馈"})),
            // Office powers: the keeper, the office above it and the administrator; the
            // other chain's office reads the item but is refused.
            [OK, OK, OK, FORBID, FORBID, HIDDEN, FORBID, OK, UNAUTH],
        ),
        (
            Method::POST,
            format!("/api/items/{x}/transitions"),
            Some(json!({"action": "reschedule", "reason": " ", "deadline": "2026-09-30"})),
            // Permission first, then input: only office powers get as far as "reason".
            [
                BAD, BAD, BAD, FORBID, FORBID, HIDDEN, FORBID, FORBID, UNAUTH,
            ],
        ),
        (
            Method::POST,
            format!("/api/items/{x}/transitions"),
            Some(json!({"action": "request_closure", "evidence": " "})),
            // Only the lead unit gets as far as "evidence is required".
            [
                FORBID, FORBID, FORBID, FORBID, BAD, HIDDEN, FORBID, FORBID, UNAUTH,
            ],
        ),
        (
            Method::POST,
            format!("/api/items/{d}/transitions"),
            Some(json!({"action": "cancel", "reason": " "})),
            [
                BAD, BAD, BAD, FORBID, HIDDEN, HIDDEN, HIDDEN, FORBID, UNAUTH,
            ],
        ),
        (
            Method::POST,
            format!("/api/items/{c}/transitions"),
            Some(json!({"action": "escalate", "reason": "多次催办仍未反馈"})),
            // The office above acts on its other 专班's item too; the 石化 office cannot
            // even see it.
            [OK, HIDDEN, OK, OK, HIDDEN, FORBID, HIDDEN, OK, UNAUTH],
        ),
        (
            Method::POST,
            "/api/items".into(),
            Some(json!({"title": "新事项"})),
            [NEW, NEW, NEW, NEW, FORBID, FORBID, FORBID, NEW, UNAUTH],
        ),
        (Method::GET, "/api/units".into(), None, every),
        (
            Method::POST,
            "/api/units".into(),
            Some(json!({"name": "UNIQUE"})),
            [NEW, NEW, NEW, NEW, FORBID, FORBID, FORBID, FORBID, UNAUTH],
        ),
        (
            Method::GET,
            format!("/api/units/{}/feed", w.unit_a),
            None,
            [
                OK, FORBID, FORBID, FORBID, OK, FORBID, FORBID, FORBID, UNAUTH,
            ],
        ),
        (
            Method::POST,
            format!("/api/units/{}/feed", w.unit_a),
            None,
            [
                OK, FORBID, FORBID, FORBID, OK, FORBID, FORBID, FORBID, UNAUTH,
            ],
        ),
        (
            // Everyone may change their own password; a wrong old one is bad input.
            Method::POST,
            "/api/auth/password".into(),
            Some(json!({"old_password": "not the password", "new_password": "a brand new secret"})),
            [BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, UNAUTH],
        ),
        (
            Method::POST,
            format!("/api/users/{}/password", w.victim),
            Some(json!({"password": "a temporary secret"})),
            [
                OK, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, UNAUTH,
            ],
        ),
        (
            Method::POST,
            format!("/api/users/{}/disable", w.victim),
            None,
            [
                OK, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, UNAUTH,
            ],
        ),
        (
            Method::POST,
            format!("/api/users/{}/enable", w.victim),
            None,
            [
                OK, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, UNAUTH,
            ],
        ),
        (
            Method::POST,
            format!("/api/users/{}/revoke", w.victim),
            None,
            [
                OK, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, UNAUTH,
            ],
        ),
        (Method::GET, "/api/chains".into(), None, every),
        (Method::GET, "/api/plans".into(), None, every),
        (Method::GET, "/api/duties".into(), None, every),
        (Method::GET, "/api/orders".into(), None, every),
        (Method::GET, "/api/orders?status=all".into(), None, every),
        (
            Method::GET,
            "/api/orders?status=bogus".into(),
            None,
            [BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, UNAUTH],
        ),
        (Method::GET, "/api/stats".into(), None, every),
        (
            Method::GET,
            "/api/supervision".into(),
            None,
            [
                OK, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK, UNAUTH,
            ],
        ),
        (
            Method::GET,
            "/api/users".into(),
            None,
            [
                OK, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, UNAUTH,
            ],
        ),
        (
            Method::POST,
            "/api/users".into(),
            Some(
                json!({"username": "UNIQUE", "unit": "省科技厅", "role": "unit", "password": "a long password"}),
            ),
            [
                NEW, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, UNAUTH,
            ],
        ),
        (Method::GET, "/api/export/ledger.csv".into(), None, every),
        (Method::GET, "/api/export/ledger.xlsx".into(), None, every),
        (
            Method::POST,
            "/api/auth/logout".into(),
            None,
            [204, 204, 204, 204, 204, 204, 204, 204, UNAUTH],
        ),
    ];
    for (id, readers) in [
        (&x, readers_of_a),
        (&d, readers_of_draft),
        (&c, readers_of_c),
    ] {
        for tail in ["", "/events", "/progress", "/attachments"] {
            table.push((Method::GET, format!("/api/items/{id}{tail}"), None, readers));
        }
    }
    // A file unit A uploaded on item A: read as item A is, except by another unit (none
    // here besides unit B, who does not read item A at all).
    let (status, file) = crate::attachments::upload(
        app,
        &w.token("unit_a"),
        w.item_a,
        "办结报告.pdf",
        crate::attachments::PDF.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    table.push((
        Method::GET,
        format!("/api/attachments/{}", file["id"].as_str().unwrap()),
        None,
        readers_of_a,
    ));
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

    // Uploading a file (multipart): whoever reads the item may attach to it.
    for (id, readers) in [
        (&x, readers_of_a),
        (&d, readers_of_draft),
        (&c, readers_of_c),
    ] {
        for (col, (role, token)) in w.tokens.iter().enumerate() {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(crate::attachments::PDF.to_vec())
                    .file_name("佐证.pdf"),
            );
            let mut req = app
                .http
                .post(app.url(&format!("/api/items/{id}/attachments")))
                .multipart(form);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let status = req.send().await.expect("upload").status().as_u16();
            let expected = if readers[col] == OK {
                NEW
            } else {
                readers[col]
            };
            assert_eq!(status, expected, "upload to {id} as {role}");
        }
    }

    // What each role sees in the list, the export and the statistics: item A from 交办 on,
    // the draft only where drafts are read (offices, 督查室, administrators).
    let tok = |r: &str| w.token(r);
    for (role, a_visible, draft_visible) in [
        ("unit_a", true, false),
        ("unit_b", false, false),
        ("leader", true, false),
        ("office", true, true),
        ("top_office", true, true),
        ("other_office", true, true),
        ("supervision", true, true),
        ("admin", true, true),
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
            a_visible,
            "{role} export: {csv}"
        );
        assert_eq!(
            csv.contains("编制石化产业招商图谱"),
            draft_visible,
            "{role} export: {csv}"
        );
        for (q, visible) in [("炼化", a_visible), ("招商图谱", draft_visible)] {
            let (_, list) = call(
                app,
                Method::GET,
                &format!("/api/items?q={q}"),
                Some(&tok(role)),
                None,
            )
            .await;
            let list: Value = serde_json::from_str(&list).unwrap();
            assert_eq!(list["total"], u64::from(visible), "{role} {q}: {list}");
        }
        let (_, stats) = call(app, Method::GET, "/api/stats", Some(&tok(role)), None).await;
        let stats: Value = serde_json::from_str(&stats).unwrap();
        assert_eq!(
            stats["by_state"]["draft"].is_u64(),
            draft_visible,
            "{role}: {stats}"
        );
    }
    // Unit A and the leader count item A alone: neither the draft nor anything else.
    for role in ["unit_a", "leader"] {
        let (_, stats) = call(app, Method::GET, "/api/stats", Some(&tok(role)), None).await;
        let stats: Value = serde_json::from_str(&stats).unwrap();
        assert_eq!(stats["all"]["total"], 1, "{role}: {stats}");
    }
    // The page's actions agree with the command path: the other chain's office reads item A
    // but is offered no office power; the office above is offered them.
    for (role, offered) in [
        ("other_office", false),
        ("top_office", true),
        ("office", true),
        ("admin", true),
    ] {
        let (_, view) = call(
            app,
            Method::GET,
            &format!("/api/items/{x}"),
            Some(&tok(role)),
            None,
        )
        .await;
        let view: Value = serde_json::from_str(&view).unwrap();
        let actions = view["permitted_actions"].as_array().unwrap();
        assert_eq!(
            actions.contains(&json!("reschedule")),
            offered,
            "{role}: {actions:?}"
        );
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
    let item = app.t.engine.raw_store().item(w.item_a).await.unwrap();
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
    let unit_a_tok = w.token("unit_a");
    let (status, body) = call(
        app,
        Method::POST,
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
    assert!(!ics.contains(&w.draft.to_string()), "never a draft: {ics}");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "unfolded line: {line}");
        assert!(!line.contains('\n'));
    }
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.contains("SUMMARY:【时限】延伸炼化一体化产业链"));
    // Wrong token, another unit's id: no such feed; no token: 401.
    let bad = url.replace("token=", "token=x");
    assert_eq!(
        app.http.get(&bad).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let other_unit = url.replace(&w.unit_a, &uuid::Uuid::now_v7().to_string());
    assert_eq!(
        app.http.get(&other_unit).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
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
    assert!(m.contains("xiaohao_items{state=\"in_progress\"} 3"), "{m}");
    assert!(m.contains("xiaohao_items{state=\"draft\"} 1"), "{m}");
    assert!(
        m.contains("xiaohao_items_by_light{light=\"green\"} 3"),
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
    let item = app.t.engine.raw_store().item(w.item_a).await.unwrap();
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
    let d = w.draft;
    let c = w.item_c;
    // Columns as in ROLES; anonymous is sent to the login page (303).
    let every = [200, 200, 200, 200, 200, 200, 200, 200, 303];
    let table: Vec<(String, [u16; 9])> = vec![
        ("/".into(), every),
        ("/overview".into(), every),
        ("/?chain=&unit=&plan=".into(), every),
        ("/ledger?light=green&q=产业".into(), every),
        ("/ledger?q=招商图谱".into(), every),
        (
            format!("/items/{x}"),
            [200, 200, 200, 200, 200, 404, 200, 200, 303],
        ),
        (
            format!("/items/{d}"),
            [200, 200, 200, 200, 404, 404, 404, 200, 303],
        ),
        (
            format!("/items/{c}"),
            [200, 404, 200, 200, 404, 200, 404, 200, 303],
        ),
        ("/progress".into(), every),
        ("/orders".into(), every),
        ("/orders?status=answered".into(), every),
        (
            "/supervision".into(),
            [200, 403, 403, 403, 403, 403, 403, 200, 303],
        ),
        ("/account".into(), every),
        ("/account/password".into(), every),
        (
            "/admin/users".into(),
            [200, 403, 403, 403, 403, 403, 403, 403, 303],
        ),
        (
            format!("/admin/users/{}", w.victim),
            [200, 403, 403, 403, 403, 403, 403, 403, 303],
        ),
        (
            format!("/units/{}/feed", w.unit_a),
            [200, 403, 403, 403, 200, 403, 403, 403, 303],
        ),
        ("/login".into(), [200; 9]),
        ("/no-such-page".into(), [404; 9]),
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
            // The page offers office powers (撤销) only within the office's jurisdiction,
            // and lists no draft to those who may not read one.
            if *path == format!("/items/{x}") && status == 200 {
                let offered = body.contains("value=\"cancel\"");
                let office_power = matches!(*role, "admin" | "office" | "top_office");
                if offered != office_power {
                    wrong.push(format!("{path} as {role}: 撤销 offered: {offered}"));
                }
            }
            // The 待办 home never lists a draft to those who may not read one, shows a
            // leader by name with his chain only, and links the API docs for admins only.
            if path == "/" && status == 200 {
                let listed = body.contains("编制石化产业招商图谱");
                if listed && matches!(*role, "unit_a" | "unit_b" | "leader") {
                    wrong.push(format!("/ as {role}: draft listed"));
                }
                if body.contains("/api/docs/") != (*role == "admin") {
                    wrong.push(format!("/ as {role}: API docs link"));
                }
                let his_chain_only = body.contains("张链长 同志的待办")
                    && body.contains("石化产业链")
                    && !body.contains("新能源产业链")
                    && !body.contains("储能电池");
                if *role == "leader" && !his_chain_only {
                    wrong.push(format!("/ as leader: not his chain only:\n{body}"));
                }
            }
            if path == "/no-such-page" && !body.contains("页面不存在") {
                wrong.push(format!("{path} as {role}: no Chinese 404 page"));
            }
            if path == "/ledger?q=招商图谱" && status == 200 {
                let listed = body.contains("编制石化产业招商图谱");
                if listed != !matches!(*role, "unit_a" | "unit_b" | "leader") {
                    wrong.push(format!("{path} as {role}: draft listed: {listed}"));
                }
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

/// 重新发送 from the office's 待办: only an office, and only for a reminder it answers for.
#[tokio::test]
async fn only_the_office_retries_its_dead_reminders_from_the_home() {
    let w = world().await;
    let app = &w.app;
    let e = &app.t.engine;
    // The 交办 notice about item A to unit A, which has no address: dead.
    let row = e
        .outbox(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.item == Some(w.item_a))
        .expect("a notice about item A")
        .id;
    let kill = || async {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use xiaohao_store::entities::outbox;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("dead"))
            .filter(outbox::Column::Id.eq(row))
            .exec(e.raw_store().connection())
            .await
            .unwrap();
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut wrong = Vec::new();
    // Columns as in ROLES.
    let expected = [303, 303, 303, 404, 403, 403, 403, 403, 303];
    for (col, (role, token)) in w.tokens.iter().enumerate() {
        // Dead again before each try, so every role meets the same row.
        kill().await;
        let mut req = client
            .post(app.url(&format!("/mail/{row}/retry")))
            .header("origin", app.url(""));
        if let Some(t) = token {
            req = req.header("cookie", format!("xh_session={t}"));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if status != expected[col] {
            wrong.push(format!(
                "retry as {role}: {status} (expected {})",
                expected[col]
            ));
        }
        if status == 303 && token.is_some() && location != "/?ok=retried" {
            wrong.push(format!("retry as {role}: sent to {location}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
