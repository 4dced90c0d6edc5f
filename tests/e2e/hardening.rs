//! Hardening (issue 16): bounds on every input, no database text in responses, dates of this
//! century, a login limiter that holds under concurrency, safe redirects, logout, /metrics
//! access, security headers, fixed flash texts, and a CLI that neither creates databases
//! by reading nor swallows endless files. Each test runs on SQLite and on PostgreSQL.

use crate::support::{PASSWORD, TestApp, TestDb};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::process::{Command, Output};
use xiaohao_core::AccountRole;
use xiaohao_core::org::UnitKind;

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.http.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Expect a refusal of `status` naming `field`, its message containing `needle`.
fn refused(got: &(StatusCode, Value), status: StatusCode, field: &str, needle: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["field"], field, "{}", got.1);
    let message = got.1["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(needle), "{message}");
}

struct World {
    app: TestApp,
    office: String,
    lead: String,
    supervision: String,
    item: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let office = app.t.unit("专班办公室", UnitKind::Office).await;
    let supervision = app.t.unit("督查室", UnitKind::Supervision).await;
    let lead = app.t.unit("省发改委", UnitKind::Department).await;
    let office_tok = app.token(office.id, AccountRole::Office).await;
    let lead_tok = app.token(lead.id, AccountRole::Unit).await;
    let sup_tok = app.token(supervision.id, AccountRole::Supervision).await;
    let (status, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/items",
        Some(&office_tok),
        Some(
            json!({"title": "强化产业分析研判", "lead_unit": "省发改委", "deadline": "2026-06-30"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let item = created["item"]["id"].as_str().unwrap().to_owned();
    for action in [json!({"action": "assign"}), json!({"action": "accept"})] {
        let tok = if action["action"] == "assign" {
            &office_tok
        } else {
            &lead_tok
        };
        let (s, b) = send(
            &app,
            reqwest::Method::POST,
            &format!("/api/items/{item}/transitions"),
            Some(tok),
            Some(action),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    World {
        app,
        office: office_tok,
        lead: lead_tok,
        supervision: sup_tok,
        item,
    }
}

#[tokio::test]
async fn an_offset_beyond_what_the_database_takes_is_a_400_naming_offset() {
    let w = world().await;
    let app = &w.app;
    let got = send(
        app,
        reqwest::Method::GET,
        "/api/items?offset=9223372036854775808",
        Some(&w.office),
        None,
    )
    .await;
    refused(
        &got,
        StatusCode::BAD_REQUEST,
        "offset",
        "9223372036854775807",
    );
    // The largest offset the databases take is an empty page, not a failure.
    let (status, page) = send(
        app,
        reqwest::Method::GET,
        "/api/items?offset=9223372036854775807",
        Some(&w.office),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // A page longer than 1000 rows is clamped, not refused.
    let (status, page) = send(
        app,
        reqwest::Method::GET,
        "/api/items?limit=18446744073709551615",
        Some(&w.office),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // The ledger page: an error page, never a panic (the connection would be cut).
    let session = session_cookie(app, &w.app_user_office().await).await;
    let resp = no_redirect()
        .get(app.url("/ledger?offset=9223372036854775808"))
        .header("cookie", &session)
        .send()
        .await
        .expect("the ledger page answers");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

impl World {
    /// A username (password [`PASSWORD`]) of a new office account, for page sessions.
    async fn app_user_office(&self) -> String {
        let units = self.app.t.engine.raw_store().units().await.unwrap();
        let office = units.iter().find(|u| u.name == "专班办公室").unwrap();
        self.app.user(office.id, AccountRole::Office).await
    }
}

fn no_redirect() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Sign in through the login form; the session cookie as `name=value`.
async fn session_cookie(app: &TestApp, username: &str) -> String {
    let resp = no_redirect()
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn every_text_input_is_checked_by_one_layer_before_any_statement() {
    let w = world().await;
    let app = &w.app;
    let post = reqwest::Method::POST;
    let item = |extra: Value| {
        let mut body = json!({"title": "标题", "lead_unit": "省发改委"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let total = || async {
        send(
            app,
            reqwest::Method::GET,
            "/api/items",
            Some(&w.office),
            None,
        )
        .await
        .1["total"]
            .clone()
    };
    let before = total().await;
    for (extra, field, needle) in [
        (json!({"title": "a\u{0}b"}), "title", "U+0000"),
        (json!({"number": "1".repeat(65)}), "number", "64"),
        (json!({"grade": "甲".repeat(65)}), "grade", "64"),
        (
            json!({"deadline_text": "长".repeat(201)}),
            "deadline_text",
            "200",
        ),
        (
            json!({"targets": [{"metric": "产值", "value": 1.0, "unit": "亿".repeat(33), "year": 2026, "cmp": null}]}),
            "targets.unit",
            "32",
        ),
        (json!({"text": "x\u{0}"}), "text", "U+0000"),
        (json!({"lead_unit": "省发\u{0}改委"}), "lead_unit", "U+0000"),
    ] {
        let got = send(
            app,
            post.clone(),
            "/api/items",
            Some(&w.office),
            Some(item(extra)),
        )
        .await;
        refused(&got, StatusCode::UNPROCESSABLE_ENTITY, field, needle);
    }
    assert_eq!(total().await, before, "nothing written");
    let transitions = format!("/api/items/{}/transitions", w.item);
    let progress = format!("/api/items/{}/progress", w.item);
    let got = send(
        app,
        post.clone(),
        &progress,
        Some(&w.lead),
        Some(json!({"period": "2026-03", "text": "进展\u{0}"})),
    )
    .await;
    refused(&got, StatusCode::UNPROCESSABLE_ENTITY, "text", "U+0000");
    let got = send(
        app,
        post.clone(),
        &progress,
        Some(&w.lead),
        Some(json!({"period": "2026-03", "text": "进展", "attachments": vec!["a.pdf"; 21]})),
    )
    .await;
    refused(&got, StatusCode::UNPROCESSABLE_ENTITY, "attachments", "20");
    let got = send(
        app,
        post.clone(),
        &transitions,
        Some(&w.supervision),
        Some(json!({"action": "escalate", "reason": "督\u{0}办"})),
    )
    .await;
    refused(&got, StatusCode::UNPROCESSABLE_ENTITY, "reason", "");
    let got = send(
        app,
        reqwest::Method::GET,
        "/api/items?q=a%00b",
        Some(&w.office),
        None,
    )
    .await;
    refused(&got, StatusCode::BAD_REQUEST, "q", "U+0000");
    // Unauthenticated: the login form's username.
    let got = send(
        app,
        post.clone(),
        "/api/auth/login",
        None,
        Some(json!({"username": "of\u{0}fice", "password": "x"})),
    )
    .await;
    refused(&got, StatusCode::UNPROCESSABLE_ENTITY, "username", "U+0000");
    let units = app.t.engine.raw_store().units().await.unwrap();
    let unit = units.iter().find(|u| u.name == "专班办公室").unwrap();
    let admin = app.token(unit.id, AccountRole::Admin).await;
    let got = send(
        app,
        post.clone(),
        "/api/users",
        Some(&admin),
        Some(json!({"username": "new-user", "display_name": "名".repeat(201), "unit": "专班办公室", "role": "unit", "password": PASSWORD})),
    )
    .await;
    refused(
        &got,
        StatusCode::UNPROCESSABLE_ENTITY,
        "display_name",
        "200",
    );
    let got = send(
        app,
        post,
        "/api/units",
        Some(&admin),
        Some(json!({"name": "单位\u{0}"})),
    )
    .await;
    refused(&got, StatusCode::UNPROCESSABLE_ENTITY, "name", "U+0000");
}

#[tokio::test]
async fn dates_fall_in_2000_to_2100_and_levels_stay_on_the_ladder() {
    let w = world().await;
    let app = &w.app;
    for deadline in ["0000-01-01", "-0001-01-01", "2101-01-01"] {
        let got = send(
            app,
            reqwest::Method::POST,
            "/api/items",
            Some(&w.office),
            Some(json!({"title": "标题", "deadline": deadline})),
        )
        .await;
        refused(&got, StatusCode::UNPROCESSABLE_ENTITY, "deadline", "2000");
    }
    let transitions = format!("/api/items/{}/transitions", w.item);
    let got = send(
        app,
        reqwest::Method::POST,
        &transitions,
        Some(&w.office),
        Some(json!({"action": "reschedule", "deadline": "0000-01-01", "reason": "调整"})),
    )
    .await;
    refused(&got, StatusCode::UNPROCESSABLE_ENTITY, "deadline", "2100");
    let got = send(
        app,
        reqwest::Method::POST,
        &transitions,
        Some(&w.supervision),
        Some(json!({"action": "escalate", "level": 2_147_483_647, "step": "督办"})),
    )
    .await;
    // A level is never chosen by the caller: a manual 督办 takes the ladder's next step.
    refused(&got, StatusCode::BAD_REQUEST, "level", "level");
    let steps = app.t.engine.policy().ladder.steps.len();
    for _ in 0..steps {
        let got = send(
            app,
            reqwest::Method::POST,
            &transitions,
            Some(&w.supervision),
            Some(json!({"action": "escalate", "reason": "多次催办仍未反馈"})),
        )
        .await;
        assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    }
    let got = send(
        app,
        reqwest::Method::POST,
        &transitions,
        Some(&w.supervision),
        Some(json!({"action": "escalate", "reason": "再次督办"})),
    )
    .await;
    assert_eq!(
        got.0,
        StatusCode::CONFLICT,
        "never beyond the top step: {}",
        got.1
    );
}

#[tokio::test]
async fn database_errors_never_reach_a_response_body() {
    let w = world().await;
    let app = &w.app;
    // Break the database under the running service.
    app.t
        .engine
        .raw_store()
        .connection()
        .execute_unprepared("DROP TABLE progress_reports")
        .await
        .expect("drop a table");
    let got = send(
        app,
        reqwest::Method::GET,
        &format!("/api/items/{}/progress", w.item),
        Some(&w.office),
        None,
    )
    .await;
    assert_eq!(got.0, StatusCode::INTERNAL_SERVER_ERROR, "{}", got.1);
    assert_eq!(got.1["error"]["code"], "internal");
    let message = got.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("错误编号"), "{message}");
    let id = message
        .split("错误编号 ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_default()
        .trim_end_matches(|c: char| !c.is_ascii_hexdigit());
    assert_eq!(id.len(), 32, "{message}");
    let lower = got.1.to_string().to_lowercase();
    for leak in [
        "progress_reports",
        "relation",
        "no such table",
        "sql",
        "database",
    ] {
        assert!(!lower.contains(leak), "`{leak}` leaked: {lower}");
    }
}

#[tokio::test]
async fn next_is_honoured_only_for_same_origin_paths() {
    let w = world().await;
    let app = &w.app;
    let user = w.app_user_office().await;
    for (next, expected) in [
        ("/\t/evil.example", "/"),
        ("/\nx", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/ledger?state=draft", "/ledger?state=draft"),
    ] {
        let resp = no_redirect()
            .post(app.url("/login"))
            .form(&[
                ("username", user.as_str()),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(resp.headers()["location"], expected, "{next:?}");
    }
}

#[tokio::test]
async fn logout_ends_the_server_session_whatever_the_headers() {
    let w = world().await;
    let app = &w.app;
    let session = session_cookie(app, &w.app_user_office().await).await;
    let me = || {
        no_redirect()
            .get(app.url("/api/me"))
            .header("cookie", &session)
            .send()
    };
    assert_eq!(me().await.unwrap().status(), StatusCode::OK);
    // No Origin, no Referer.
    let resp = no_redirect()
        .post(app.url("/logout"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(me().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn at_most_five_concurrent_guesses_on_one_account_reach_the_password_check() {
    let w = world().await;
    let app = &w.app;
    let user = w.app_user_office().await;
    let guesses = (0..60).map(|_| {
        app.http
            .post(app.url("/api/auth/login"))
            .json(&json!({"username": user, "password": "wrong password"}))
            .send()
    });
    let statuses: Vec<StatusCode> = futures_join(guesses).await;
    // Every 401 is a password check; a 429 never reached one.
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(checked <= 5, "{checked} guesses reached the password check");
    assert_eq!(checked + limited, 60, "{statuses:?}");
}

async fn futures_join<F>(futs: impl Iterator<Item = F>) -> Vec<StatusCode>
where
    F: std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap().unwrap().status());
    }
    out
}

#[tokio::test]
async fn one_address_spraying_names_meets_the_address_limit() {
    let app = TestApp::spawn().await;
    let mut statuses = Vec::new();
    for name in 0..18 {
        for _ in 0..5 {
            let r = app
                .http
                .post(app.url("/api/auth/login"))
                .json(&json!({"username": format!("user{name}"), "password": "guess"}))
                .send()
                .await
                .unwrap();
            statuses.push(r.status());
        }
    }
    let limit = xiaohao_web::auth::LoginLimiter::ADDRESS_BURST as usize;
    assert!(
        statuses[..limit]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[limit..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn metrics_need_the_token_or_an_allowed_address_and_responses_carry_security_headers() {
    let t = crate::support::TestEngine::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut state = xiaohao_web::AppState::new(t.engine.clone());
    state.metrics_access =
        xiaohao_web::MetricsAccess::from_settings(&xiaohao_engine::MetricsSettings {
            token: Some("metrics-secret".into()),
            allow: vec![],
        })
        .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(xiaohao_web::serve_with(listener, state, async {
        let _ = rx.await;
    }));
    let http = reqwest::Client::new();
    let url = format!("http://{addr}/metrics");
    let open = http.get(&url).send().await.unwrap();
    assert_eq!(open.status(), StatusCode::FORBIDDEN);
    let wrong = http.get(&url).bearer_auth("guess").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let with_token = http
        .get(&url)
        .bearer_auth("metrics-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), StatusCode::OK);
    for path in ["/metrics", "/login", "/api/items", "/static/app.js"] {
        let r = http
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
    let _ = tx.send(());
}

#[tokio::test]
async fn a_flash_banner_shows_only_the_pages_own_text() {
    let w = world().await;
    let app = &w.app;
    let session = session_cookie(app, &w.app_user_office().await).await;
    let page = |q: &str| {
        no_redirect()
            .get(app.url(&format!("/items/{}?{q}", w.item)))
            .header("cookie", &session)
            .send()
    };
    let body = page("ok=%E8%AF%B7%E6%8B%A8%E6%89%93%E7%94%B5%E8%AF%9D12345")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains("请拨打电话12345"), "free text echoed");
    let body = page("ok=assign").await.unwrap().text().await.unwrap();
    assert!(
        body.contains("已交办。当前状态"),
        "the page's own text for a known code"
    );
    let body = no_redirect()
        .get(app.url("/progress?ok=%E4%B8%AD%E5%A5%96&n=2"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains("中奖"));
}

/// The binary with `XIAOHAO_DATABASE_URL` set to `url`, in `dir`.
fn xiaohao(dir: &std::path::Path, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xiaohao"))
        .args(args)
        .current_dir(dir)
        .env("XIAOHAO_DATABASE_URL", url)
        .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
        .env("XIAOHAO_LOG", "warn")
        .output()
        .expect("run xiaohao")
}

fn one_line_exit_2(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains(needle), "{err}");
}

#[tokio::test]
async fn reading_commands_refuse_a_missing_sqlite_file_instead_of_creating_it() {
    let dir = std::env::temp_dir().join(format!("xiaohao-nodb-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("data/none.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    for args in [
        &["audit", "verify"][..],
        &["item", "list"],
        &["report", "quarterly", "--period", "2026Q1"],
        &["export", "ledger", "--xlsx", "out.xlsx"],
    ] {
        let out = xiaohao(&dir, &url, args);
        one_line_exit_2(&out, "不存在");
        assert!(!file.exists(), "{args:?} created the database");
    }
    let out = xiaohao(&dir, &url, &["migrate"]);
    assert!(out.status.success());
    assert!(file.exists());
    let out = xiaohao(&dir, &url, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn plan_import_reads_with_a_cap_and_refuses_empty_non_text_and_taskless_input() {
    let db = TestDb::new().await;
    let dir = std::env::temp_dir().join(format!("xiaohao-plan-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| xiaohao(&dir, &db.url, args);
    assert!(run(&["migrate"]).status.success());
    assert!(
        run(&["unit", "add", "专班办公室", "--kind", "office"])
            .status
            .success()
    );
    std::fs::write(dir.join("empty.txt"), "").unwrap();
    std::fs::write(dir.join("binary.txt"), [0u8, 1, 2, 3, 0, 0, 7]).unwrap();
    std::fs::write(dir.join("line.txt"), "字".repeat(400_000)).unwrap();
    let start = std::time::Instant::now();
    one_line_exit_2(
        &run(&["import", "plan", "/dev/zero", "--as", "专班办公室"]),
        "20971520",
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(60));
    one_line_exit_2(
        &run(&[
            "import",
            "plan",
            "line.txt",
            "--max-bytes",
            "1000",
            "--dry-run",
        ]),
        "1000",
    );
    one_line_exit_2(
        &run(&["import", "plan", "empty.txt", "--as", "专班办公室"]),
        "空",
    );
    one_line_exit_2(
        &run(&["import", "plan", "binary.txt", "--dry-run"]),
        "binary",
    );
    one_line_exit_2(
        &run(&["import", "plan", "line.txt", "--as", "专班办公室"]),
        "no tasks",
    );
    let listed = run(&["item", "list"]);
    assert!(listed.status.success());
    assert!(
        !String::from_utf8_lossy(&listed.stdout).contains("字字"),
        "nothing written"
    );
    let out = run(&[
        "import",
        "plan",
        "line.txt",
        "--as",
        "专班办公室",
        "--allow-empty",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn ledger_dates_outside_2000_to_2100_are_refused_naming_row_and_column() {
    use xiaohao_import::ledger::{DeadlineCell, LedgerRow, write_ledger};
    let db = TestDb::new().await;
    db.store().await;
    let dir = std::env::temp_dir().join(format!("xiaohao-ledger-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| xiaohao(&dir, &db.url, args);
    for args in [
        &["unit", "add", "专班办公室", "--kind", "office"][..],
        &["unit", "add", "省发改委"],
    ] {
        assert!(run(args).status.success());
    }
    let row = |title: &str, deadline: &str| LedgerRow {
        kind: "任务".into(),
        title: title.into(),
        lead: "省发改委".into(),
        deadline: DeadlineCell::Text(deadline.into()),
        ..Default::default()
    };
    let rows = vec![row("正常事项", "2026-06-30"), row("远古事项", "0000-01-01")];
    std::fs::write(dir.join("l.xlsx"), write_ledger(&rows).unwrap()).unwrap();
    one_line_exit_2(
        &run(&["import", "ledger", "l.xlsx", "--as", "专班办公室"]),
        "第3行: 完成时限",
    );
    let listed = run(&["item", "list"]);
    assert!(
        !String::from_utf8_lossy(&listed.stdout).contains("正常事项"),
        "nothing applied"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
