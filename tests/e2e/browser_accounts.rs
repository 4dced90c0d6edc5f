//! Account administration in a real browser, at 1366 px and at 390 px: an administrator
//! creates an account with a temporary password; its user signs in, is sent to the change
//! form, changes the password, and signs in again with the new one. Screenshots go to
//! `test-artifacts/`.

use crate::browser::Browser;
use crate::support::{PASSWORD, TestApp};
use fantoccini::Locator;
use std::time::Duration;
use xiaohao_core::AccountRole;
use xiaohao_core::org::UnitKind;

/// Open `target`, expect the login page, sign in as `user` with `password`.
async fn sign_in(b: &Browser, base: &str, target: &str, user: &str, password: &str) {
    b.c().goto(&format!("{base}{target}")).await.expect("goto");
    assert!(b.path().await.starts_with("/login"), "{}", b.path().await);
    b.fill("#username", user).await;
    b.fill("#password", password).await;
    b.click("#login-submit").await;
    b.c()
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .expect("signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_an_account_and_its_user_must_change_the_password() {
    let app = TestApp::spawn().await;
    let prefix = if app.t.db.is_postgres() {
        "accounts-postgres"
    } else {
        "accounts-sqlite"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    let centre = app.t.unit("信息中心", UnitKind::Office).await;
    let unit = app.t.unit("省工信厅", UnitKind::Department).await;
    let admin = app.user(centre.id, AccountRole::Admin).await;
    let base = app.url("");
    for width in [1366u32, 390] {
        b.c()
            .set_window_size(width, 900)
            .await
            .expect("window size");
        let shot = |name: &str| format!("{width}-{name}");
        let username = format!("zhangsan-{width}");

        // The administrator creates the account with a temporary password.
        sign_in(&b, &base, "/admin/users", &admin, PASSWORD).await;
        assert_eq!(b.path().await, "/admin/users");
        b.fill("#new-username", &username).await;
        b.fill("#new-display-name", "张三").await;
        b.c()
            .find(Locator::Css("#new-unit"))
            .await
            .expect("unit select")
            .select_by_value(&unit.id.to_string())
            .await
            .expect("select unit");
        b.c()
            .find(Locator::Css("#new-role"))
            .await
            .expect("role select")
            .select_by_value("unit")
            .await
            .expect("select role");
        b.fill("#new-password", "temporary pass 2026").await;
        b.shot(&shot("admin-create-form")).await;
        b.click("#create-submit").await;
        assert!(b.text("#flash-ok").await.contains("账号已创建"));
        let table = b.text("#accounts").await;
        assert!(
            table.contains(&username) && table.contains("待改密码"),
            "{table}"
        );
        b.shot(&shot("admin-created")).await;
        b.logout().await;

        // The user signs in with it and is sent to the change form whatever they open.
        sign_in(&b, &base, "/ledger", &username, "temporary pass 2026").await;
        assert_eq!(b.path().await, "/account/password");
        assert!(b.text("#must-change").await.contains("须先修改密码"));
        b.shot(&shot("forced-change")).await;
        // A common password is refused in words.
        b.fill("#old-password", "temporary pass 2026").await;
        b.fill("#new-password", "1qaz2wsx3edc").await;
        b.fill("#confirm-password", "1qaz2wsx3edc").await;
        b.click("#password-submit").await;
        assert!(b.text("#form-error").await.contains("常用密码"));
        b.shot(&shot("common-refused")).await;
        b.fill("#old-password", "temporary pass 2026").await;
        b.fill("#new-password", "张三的新密码-2026").await;
        b.fill("#confirm-password", "张三的新密码-2026").await;
        b.click("#password-submit").await;
        assert!(b.text("#flash-ok").await.contains("密码已修改"));
        assert_eq!(b.path().await, "/account?ok=password_changed");
        b.shot(&shot("changed")).await;
        b.c().goto(&format!("{base}/ledger")).await.unwrap();
        assert_eq!(b.path().await, "/ledger", "no longer held at the form");
        b.logout().await;

        // Signed in again with the new password, straight to the page asked for.
        sign_in(&b, &base, "/ledger", &username, "张三的新密码-2026").await;
        assert_eq!(b.path().await, "/ledger");
        b.shot(&shot("signed-in-again")).await;
        b.logout().await;
    }
    b.close().await;
    let u = app
        .t
        .engine
        .user_named("zhangsan-390")
        .await
        .unwrap()
        .unwrap();
    assert!(!u.must_change_password);
    assert!(u.last_login_at.is_some());
}
