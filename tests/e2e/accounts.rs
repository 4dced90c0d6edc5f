//! Sessions and passwords: changing one's password (old one required) ends every other
//! session and token; an administrator's reset forces a change at the next login; a
//! disabled account is signed out at once and cannot sign in; weak and common passwords
//! are refused on every path; calendar-feed tokens are kept hashed and die on rotation;
//! banners never echo a URL's text.

use crate::support::{PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, Command};
use xiaohao_engine::{Engine, ItemRequest};

fn no_redirect() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn api(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.http.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn api_login(app: &TestApp, user: &str, pw: &str) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(app.url("/api/auth/login"))
        .json(&json!({"username": user, "password": pw}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Sign in through the login page; the session cookie's value, or the failed page.
async fn page_login(app: &TestApp, user: &str, pw: &str) -> Result<String, (StatusCode, String)> {
    let resp = no_redirect()
        .post(app.url("/login"))
        .form(&[("username", user), ("password", pw)])
        .send()
        .await
        .unwrap();
    if resp.status() != StatusCode::SEE_OTHER {
        let status = resp.status();
        return Err((status, resp.text().await.unwrap_or_default()));
    }
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    Ok(cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("xh_session=")
        .to_owned())
}

/// A page as the session sees it: status, `Location` and body.
async fn page(app: &TestApp, session: &str, path: &str) -> (StatusCode, String, String) {
    let resp = no_redirect()
        .get(app.url(path))
        .header("cookie", format!("xh_session={session}"))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let loc = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, loc, resp.text().await.unwrap_or_default())
}

/// A form posted from our own pages (Origin set) with the session cookie.
async fn post_form(
    app: &TestApp,
    session: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let resp = no_redirect()
        .post(app.url(path))
        .header("cookie", format!("xh_session={session}"))
        .header("origin", format!("http://{}", app.addr))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let loc = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, loc, resp.text().await.unwrap_or_default())
}

async fn user_id(app: &TestApp, name: &str) -> String {
    app.t
        .engine
        .user_named(name)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_token() {
    let app = TestApp::spawn().await;
    let unit = app.t.unit("省商务厅", UnitKind::Department).await;
    let name = app.user(unit.id, AccountRole::Unit).await;
    let keep = app.login(&name).await;
    let other = app.login(&name).await;
    let session = page_login(&app, &name, PASSWORD).await.unwrap();
    assert_eq!(page(&app, &session, "/").await.0, StatusCode::OK);

    // Weak new passwords are refused naming the field and the limit; nothing changes.
    for (new, limit) in [
        ("short", "min_chars:10"),
        ("Password123", "not_common"),
        (name.as_str(), "not_username"),
        (PASSWORD, "not_previous"),
    ] {
        let (status, body) = api(
            &app,
            Method::POST,
            "/api/auth/password",
            &keep,
            Some(json!({"old_password": PASSWORD, "new_password": new})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{new}: {body}");
        assert_eq!(body["error"]["code"], "weak_password", "{body}");
        assert_eq!(body["error"]["field"], "new_password", "{body}");
        assert_eq!(body["error"]["limit"], limit, "{body}");
    }
    // The old password must be right.
    let (status, body) = api(
        &app,
        Method::POST,
        "/api/auth/password",
        &keep,
        Some(json!({"old_password": "not my password", "new_password": "a brand new secret"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "old_password");
    assert_eq!(
        api(&app, Method::GET, "/api/me", &other, None).await.0,
        StatusCode::OK
    );

    let (status, body) = api(
        &app,
        Method::POST,
        "/api/auth/password",
        &keep,
        Some(json!({"old_password": PASSWORD, "new_password": "a brand new secret"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["revoked"], 2,
        "the other token and the browser session"
    );
    assert_eq!(
        api(&app, Method::GET, "/api/me", &keep, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        api(&app, Method::GET, "/api/me", &other, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, loc, _) = page(&app, &session, "/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(loc.starts_with("/login"), "{loc}");
    assert_eq!(
        api_login(&app, &name, PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api_login(&app, &name, "a brand new secret").await.0,
        StatusCode::OK
    );

    // The same through the page: a common password is refused in words, then a good one
    // is taken and every other session ends.
    let session = page_login(&app, &name, "a brand new secret").await.unwrap();
    let (status, _, body) = page(&app, &session, "/account/password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("不少于 10 个字符"), "{body}");
    let (status, _, body) = post_form(
        &app,
        &session,
        "/account/password",
        &[
            ("old_password", "a brand new secret"),
            ("new_password", "qwertyuiop123"),
            ("confirm", "qwertyuiop123"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("常用密码"), "{body}");
    let (status, _, body) = post_form(
        &app,
        &session,
        "/account/password",
        &[
            ("old_password", "a brand new secret"),
            ("new_password", "third secret of mine"),
            ("confirm", "third secret, typo"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("两次输入的新密码不一致"), "{body}");
    let (status, loc, _) = post_form(
        &app,
        &session,
        "/account/password",
        &[
            ("old_password", "a brand new secret"),
            ("new_password", "third secret of mine"),
            ("confirm", "third secret of mine"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc, "/account?ok=password_changed");
    let (status, _, body) = page(&app, &session, &loc).await;
    assert_eq!(status, StatusCode::OK, "the session that changed it stays");
    assert!(body.contains("密码已修改"), "{body}");
    assert_eq!(
        api(&app, Method::GET, "/api/me", &keep, None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_admins_reset_forces_a_change_at_the_next_login() {
    let app = TestApp::spawn().await;
    let unit = app.t.unit("省商务厅", UnitKind::Department).await;
    let admin = app.token(unit.id, AccountRole::Admin).await;
    let office = app.token(unit.id, AccountRole::Office).await;
    let name = app.user(unit.id, AccountRole::Unit).await;
    let id = user_id(&app, &name).await;
    let old = app.login(&name).await;
    let path = format!("/api/users/{id}/password");

    let (status, _) = api(
        &app,
        Method::POST,
        &path,
        &office,
        Some(json!({"password": "temporary secret 1"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = api(
        &app,
        Method::POST,
        &path,
        &admin,
        Some(json!({"password": "12345"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "password");
    assert_eq!(body["error"]["limit"], "min_chars:10");
    let (status, body) = api(
        &app,
        Method::POST,
        &path,
        &admin,
        Some(json!({"password": "temporary secret 1"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], 1);
    assert_eq!(
        api(&app, Method::GET, "/api/me", &old, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (_, list) = api(&app, Method::GET, "/api/users", &admin, None).await;
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["must_change_password"], true, "{row}");
    assert!(row["last_login_at"].is_string(), "{row}");

    // The API: only the change itself, who am I and logout until it is changed.
    let (status, body) = api_login(&app, &name, "temporary secret 1").await;
    assert_eq!(status, StatusCode::OK);
    let temp = body["token"].as_str().unwrap().to_owned();
    let (status, body) = api(&app, Method::GET, "/api/items", &temp, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "password_change_required");
    let (status, me) = api(&app, Method::GET, "/api/me", &temp, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["must_change_password"], true);

    // The pages: every page leads to the change form.
    let session = page_login(&app, &name, "temporary secret 1").await.unwrap();
    for p in ["/", "/ledger", "/progress", "/account"] {
        let (status, loc, _) = page(&app, &session, p).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{p}");
        assert_eq!(loc, "/account/password", "{p}");
    }
    let (status, _, body) = page(&app, &session, "/account/password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("须先修改密码"), "{body}");
    let (status, loc, _) = post_form(
        &app,
        &session,
        "/account/password",
        &[
            ("old_password", "temporary secret 1"),
            ("new_password", "my very own secret"),
            ("confirm", "my very own secret"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc, "/account?ok=password_changed");
    assert_eq!(page(&app, &session, "/").await.0, StatusCode::OK);
    assert_eq!(
        api(&app, Method::GET, "/api/me", &temp, None).await.0,
        StatusCode::UNAUTHORIZED,
        "the temporary login's token ended with the change"
    );
    let (status, body) = api_login(&app, &name, "my very own secret").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["must_change_password"], false);
    let fresh = body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        api(&app, Method::GET, "/api/items", &fresh, None).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_at_once_and_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let unit = app.t.unit("省商务厅", UnitKind::Department).await;
    let admin_name = app.user(unit.id, AccountRole::Admin).await;
    let admin = app.login(&admin_name).await;
    let name = app.user(unit.id, AccountRole::Unit).await;
    let id = user_id(&app, &name).await;
    let token = app.login(&name).await;
    let session = page_login(&app, &name, PASSWORD).await.unwrap();

    let (status, body) = api(
        &app,
        Method::POST,
        &format!("/api/users/{id}/disable"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], 2);
    assert_eq!(
        api(&app, Method::GET, "/api/me", &token, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(page(&app, &session, "/").await.0, StatusCode::SEE_OTHER);
    // The right password: told plainly; a wrong one: the usual answer, nothing more.
    let (status, body) = api_login(&app, &name, PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("该账号已停用"),
        "{body}"
    );
    let (status, text) = page_login(&app, &name, PASSWORD).await.unwrap_err();
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(text.contains("该账号已停用，请联系系统管理员"), "{text}");
    let (status, text) = page_login(&app, &name, "wrong password!")
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!text.contains("停用"), "{text}");

    // An administrator cannot disable their own account.
    let admin_id = user_id(&app, &admin_name).await;
    let (status, body) = api(
        &app,
        Method::POST,
        &format!("/api/users/{admin_id}/disable"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "id");

    // Enabled again: the account signs in.
    let (status, _) = api(
        &app,
        Method::POST,
        &format!("/api/users/{id}/enable"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api_login(&app, &name, PASSWORD).await.0, StatusCode::OK);

    // The same through the admin's pages.
    let admin_session = page_login(&app, &admin_name, PASSWORD).await.unwrap();
    let (status, loc, _) = post_form(
        &app,
        &admin_session,
        &format!("/admin/users/{id}/disable"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc, format!("/admin/users/{id}?ok=disabled"));
    let (_, _, body) = page(&app, &admin_session, &loc).await;
    assert!(body.contains("账号已停用"), "{body}");
    assert_eq!(
        api_login(&app, &name, PASSWORD).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, loc, _) = post_form(
        &app,
        &admin_session,
        &format!("/admin/users/{id}/enable"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc, format!("/admin/users/{id}?ok=enabled"));
    assert_eq!(api_login(&app, &name, PASSWORD).await.0, StatusCode::OK);
    let (_, _, list) = page(&app, &admin_session, "/admin/users").await;
    assert!(list.contains(&name) && list.contains("上次登录"), "{list}");
}

#[tokio::test]
async fn short_and_common_passwords_are_refused_on_every_path() {
    let app = TestApp::spawn().await;
    let unit = app.t.unit("信息中心", UnitKind::Office).await;
    let admin_name = app.user(unit.id, AccountRole::Admin).await;
    let admin = app.login(&admin_name).await;
    for (pw, limit) in [
        ("woaini1314", "not_common"),
        ("1qaz2wsx3edc", "not_common"),
        ("short", "min_chars:10"),
    ] {
        let (status, body) = api(
            &app,
            Method::POST,
            "/api/users",
            &admin,
            Some(json!({"username": "newbie", "unit": "信息中心", "role": "unit", "password": pw})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{pw}: {body}");
        assert_eq!(body["error"]["code"], "weak_password");
        assert_eq!(body["error"]["field"], "password");
        assert_eq!(body["error"]["limit"], limit);
    }
    // The page names the rule in Chinese and keeps what was typed (but the password).
    let session = page_login(&app, &admin_name, PASSWORD).await.unwrap();
    let (status, _, body) = post_form(
        &app,
        &session,
        "/admin/users",
        &[
            ("username", "newbie"),
            ("display_name", "新同志"),
            ("unit", &unit.id.to_string()),
            ("role", "unit"),
            ("password", "password1234"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("该密码属于常用密码"), "{body}");
    assert!(body.contains("value=\"新同志\""), "{body}");
    assert!(!body.contains("password1234"));
    let (status, _, body) = post_form(
        &app,
        &session,
        "/admin/users",
        &[
            ("username", "newbie"),
            ("unit", &unit.id.to_string()),
            ("role", "unit"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("密码长度不得少于 10 个字符"), "{body}");
    // The engine (CLI `user add`) holds the same rule; the demo password passes it.
    let e = &app.t.engine;
    let err = e
        .add_user(
            "cli-user",
            None,
            "信息中心",
            AccountRole::Unit,
            None,
            "iloveyou123",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("常用密码"), "{err}");
    e.add_user(
        "demo-like",
        None,
        "信息中心",
        AccountRole::Unit,
        None,
        "xiaohao-demo",
    )
    .await
    .expect("the demo password passes the rule");
}

#[tokio::test]
async fn feed_tokens_are_hashed_at_rest_and_rotation_ends_the_old_address() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let app = TestApp::spawn().await;
    let unit = app.t.unit("省工信厅", UnitKind::Department).await;
    let name = app.user(unit.id, AccountRole::Unit).await;
    let token = app.login(&name).await;
    let feed = format!("/api/units/{}/feed", unit.id);
    let (_, state) = api(&app, Method::GET, &feed, &token, None).await;
    assert_eq!(state["active"], false, "{state}");
    let (status, body) = api(&app, Method::POST, &feed, &token, None).await;
    assert_eq!(status, StatusCode::OK);
    let url1 = body["url"].as_str().unwrap().to_owned();
    let secret1 = url1.split("token=").nth(1).unwrap().to_owned();
    assert_eq!(
        app.http.get(&url1).send().await.unwrap().status(),
        StatusCode::OK
    );

    // At rest: the SHA-256 only.
    let db = Database::connect(&app.t.db.url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT token_hash FROM unit_feeds",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let stored: String = rows[0].try_get("", "token_hash").unwrap();
    assert_eq!(stored, xiaohao_engine::token_hash(&secret1));
    assert_ne!(stored, secret1);
    let (_, state) = api(&app, Method::GET, &feed, &token, None).await;
    assert_eq!(state["active"], true);
    assert!(
        !state.to_string().contains(&secret1),
        "never shown again: {state}"
    );

    // Rotation from the unit's page: the new address once, the old one gone.
    let session = page_login(&app, &name, PASSWORD).await.unwrap();
    let (status, _, body) = page(&app, &session, &format!("/units/{}/feed", unit.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("生成于") && !body.contains(&secret1),
        "{body}"
    );
    let (status, _, body) =
        post_form(&app, &session, &format!("/units/{}/feed", unit.id), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let start = body.find("id=\"feed-url\">").unwrap() + "id=\"feed-url\">".len();
    let url2 = body[start..]
        .split('<')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(url2.contains("/deadlines.ics?token="), "{url2}");
    assert_ne!(url1, url2);
    assert_eq!(
        app.http.get(&url1).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "the old address is dead"
    );
    assert_eq!(
        app.http.get(&url2).send().await.unwrap().status(),
        StatusCode::OK
    );
    db.close().await.ok();
}

#[tokio::test]
async fn the_migration_hashes_feed_tokens_issued_before_it() {
    use migration::MigratorTrait;
    use sea_orm::{ConnectionTrait, Database, Statement};
    let tdb = crate::support::TestDb::new().await;
    let db = Database::connect(&tdb.url).await.unwrap();
    // The schema as it was before: the first five migrations.
    migration::Migrator::up(&db, Some(5)).await.unwrap();
    let unit = uuid::Uuid::now_v7();
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => {
                "INSERT INTO units (id, name, kind, emails, needs_review, created_at) VALUES ($1, '省工信厅', 'department', '[]', false, $2)"
            }
            _ => {
                "INSERT INTO units (id, name, kind, emails, needs_review, created_at) VALUES (?, '省工信厅', 'department', '[]', false, ?)"
            }
        },
        [unit.into(), crate::support::start_time().into()],
    ))
    .await
    .unwrap();
    let plain = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => {
                "INSERT INTO unit_feeds (unit_id, token, created_at) VALUES ($1, $2, $3)"
            }
            _ => "INSERT INTO unit_feeds (unit_id, token, created_at) VALUES (?, ?, ?)",
        },
        [
            unit.into(),
            plain.into(),
            crate::support::start_time().into(),
        ],
    ))
    .await
    .unwrap();
    db.close().await.ok();
    // The rest, as `serve` runs them at start.
    let store = tdb.store().await;
    let engine = Engine::new(
        store,
        std::sync::Arc::new(xiaohao_engine::ManualClock::new(
            crate::support::start_time(),
        )),
        crate::support::policy(),
    );
    assert_eq!(
        engine.unit_of_feed_token(plain).await.unwrap(),
        Some(unit.into()),
        "a calendar subscribed before the upgrade keeps working"
    );
    let db = Database::connect(&tdb.url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT token_hash FROM unit_feeds",
        ))
        .await
        .unwrap();
    let stored: String = rows[0].try_get("", "token_hash").unwrap();
    assert_eq!(stored, xiaohao_engine::token_hash(plain));
    db.close().await.ok();
}

#[tokio::test]
async fn banners_show_fixed_sentences_for_known_codes_and_never_the_urls_text() {
    let app = TestApp::spawn().await;
    let t = &app.t;
    let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
    let lead = t.unit("省工信厅", UnitKind::Department).await;
    let e = &t.engine;
    let office_actor = AccountRole::Office.actor(office.id, "专班");
    let id = e
        .file_item(
            &office_actor,
            &ItemRequest {
                title: "编制产业链图谱".into(),
                lead_unit: Some("省工信厅".into()),
                deadline: Some("2026-06-30".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .item
        .id;
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
    e.execute(id, &Engine::actor_of(&lead), &Command::Accept, None)
        .await
        .unwrap();
    let name = app.user(office.id, AccountRole::Office).await;
    let session = page_login(&app, &name, PASSWORD).await.unwrap();
    for path in [
        format!("/items/{id}?error=%3Cscript%3Ealert(1)%3C/script%3E"),
        format!("/items/{id}?error=%E8%AF%B7%E8%BD%AC%E8%B4%A6&field=reason"),
        format!("/items/{id}?error=invalid_input&field=%3Cb%3Ex%3C/b%3E"),
        "/progress?error=%3Cscript%3Ealert(1)%3C/script%3E".to_owned(),
        "/progress?error=%E8%AF%B7%E8%BD%AC%E8%B4%A6".to_owned(),
    ] {
        let (status, _, body) = page(&app, &session, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!body.contains("alert(1)"), "{path}: {body}");
        assert!(!body.contains("请转账"), "{path}");
        assert!(
            !body.contains("&lt;b&gt;") && !body.contains("<b>x"),
            "{path}"
        );
        if path.contains("field=%3Cb") {
            assert!(body.contains("填写内容有误"), "{path}");
        } else {
            assert!(!body.contains("flash-error"), "{path}");
        }
    }
    // A refused form redirects with codes only, which the page turns into its own words.
    let (status, loc, _) = post_form(
        &app,
        &session,
        &format!("/items/{id}/act"),
        &[("action", "cancel"), ("reason", " ")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(loc, format!("/items/{id}?error=invalid_input&field=reason"));
    let (_, _, body) = page(&app, &session, &loc).await;
    assert!(body.contains("“理由”填写有误"), "{loc}: {body}");
    let (_, loc2, _) = post_form(
        &app,
        &session,
        &format!("/items/{id}/act"),
        &[("action", "verify"), ("comment", "同意")],
    )
    .await;
    assert_eq!(
        loc2,
        format!("/items/{id}?error=invalid_transition&field=action")
    );
    let (_, _, body) = page(&app, &session, &loc2).await;
    assert!(body.contains("当前状态下不能进行此操作"), "{body}");
}
