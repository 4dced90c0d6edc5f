//! 群机器人 on a unit's page in a real browser, at 1366 px and at 390 px: the office finds a
//! unit that nothing reaches on its 待办, adds a 钉钉 robot with a 加签 secret on the unit's
//! page (the secret shown back masked only), sends a test message that the local sink
//! receives signed, is refused a malformed address with a sentence, and removes the robot.
//! Screenshots go to `test-artifacts/`.

use crate::browser::Browser;
use crate::robot_sink::RobotSink;
use crate::scheduler::{at, d};
use crate::support::TestApp;
use fantoccini::Locator;
use xiaohao_core::AccountRole;
use xiaohao_core::org::UnitKind;

const SECRET: &str = "SECb0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2";

/// Set a field by script (a select's value, or text with characters keys would mangle).
async fn set(b: &Browser, css: &str, value: &str) {
    b.c()
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

async fn arrive(b: &Browser, part: &str) {
    for _ in 0..100 {
        if b.path().await.contains(part) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("never arrived at {part}: {}", b.path().await);
}

/// Bring the 群机器人 section into the window before a screenshot.
async fn show_robots(b: &Browser) {
    b.c()
        .execute(
            "document.querySelector('#robots').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll");
}

async fn source(b: &Browser) -> String {
    b.c().source().await.expect("page source")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_adds_tests_and_removes_a_units_robot_on_desk_and_phone() {
    let app = TestApp::spawn().await;
    let prefix = if app.t.db.is_postgres() {
        "robots-postgres"
    } else {
        "robots-sqlite"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    let sink = RobotSink::start().await;
    let t = &app.t;
    t.clock.set(at(d(2026, 3, 2), 10));
    let office = t.unit("专班办公室", UnitKind::Office).await;
    let office_user = app.user(office.id, AccountRole::Office).await;
    let base = app.url("");
    for width in [1366u32, 390] {
        b.size(width, 900).await;
        let shot = |name: &str| format!("{width}-{name}");
        let name = format!("省发改委（{width}）");
        let unit = t.unit(&name, UnitKind::Department).await;
        let token = format!("fgw-{width}");
        sink.expect_secret(&token, SECRET);

        // Neither an e-mail nor a robot: flagged on the office's 待办.
        b.login(&base, "/", &office_user).await;
        let flagged = b.wait_text("#todo-unreachable", &name).await;
        assert!(flagged.contains("既无邮箱也无群机器人的单位"), "{flagged}");

        // A malformed address is refused with a sentence on the form.
        b.c()
            .goto(&format!("{base}/units/{}", unit.id))
            .await
            .unwrap();
        assert!(b.text("#robots-empty").await.contains("尚未添加群机器人"));
        set(&b, "#robot-kind", "wecom").await;
        b.fill(
            "#robot-url",
            "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
        )
        .await;
        b.click("#robot-add").await;
        let refused = b.wait_text("#form-error", "Webhook 地址").await;
        assert!(
            refused.contains("须以 https:// 或 http:// 开头"),
            "{refused}"
        );

        // A DingTalk robot with 加签.
        set(&b, "#robot-kind", "dingtalk").await;
        b.fill("#robot-url", &sink.dingtalk_url(&token)).await;
        b.fill("#robot-secret", SECRET).await;
        assert!(!b.overflows().await, "the form fits at {width} px");
        show_robots(&b).await;
        b.shot(&shot("robot-form")).await;
        b.click("#robot-add").await;
        arrive(&b, "ok=robot-added").await;
        assert!(b.text("#flash-ok").await.contains("已添加群机器人"));
        let list = b.text("#robot-list").await;
        assert!(list.contains("钉钉群机器人"), "{list}");
        assert!(list.contains("已设置（SEC••••c1d2）"), "{list}");
        let page = source(&b).await;
        assert!(
            !page.contains(SECRET),
            "the secret is never shown back in full"
        );
        assert!(
            !page.contains(&format!("access_token={token}")),
            "nor the robot's token"
        );
        assert!(!b.overflows().await, "the list fits at {width} px");
        show_robots(&b).await;
        b.shot(&shot("robot-added")).await;

        // The test message arrives at the group, signed.
        let before = sink.accepted().len();
        b.click("#robot-list button[id^='robot-test-']").await;
        arrive(&b, "ok=robot-tested").await;
        assert!(b.text("#flash-ok").await.contains("测试消息已送达"));
        let got = sink.accepted();
        assert_eq!(got.len(), before + 1);
        let m = &got[before];
        assert_eq!(m.token, token);
        assert_eq!(
            m.body["markdown"]["title"],
            "【测试】对账销号系统机器人测试"
        );
        assert!(
            m.body["markdown"]["text"]
                .as_str()
                .unwrap()
                .contains(&format!("今后{name}的提醒")),
            "{}",
            m.body
        );
        assert_eq!(sink.bad_signatures(), 0);

        // Reached by its robot: no longer flagged.
        b.c().goto(&format!("{base}/")).await.unwrap();
        b.text("#todo-drafts, main").await;
        if let Ok(el) = b.c().find(Locator::Css("#todo-unreachable")).await {
            let text = el.text().await.unwrap();
            assert!(!text.contains(&name), "{text}");
        }

        // Removed: the page says so and offers the form again.
        b.c()
            .goto(&format!("{base}/units/{}", unit.id))
            .await
            .unwrap();
        // Answer the confirmation with yes, as the user would click 确定.
        b.c()
            .execute("window.confirm = function () { return true; };", vec![])
            .await
            .unwrap();
        b.click("#robot-list button[id^='robot-remove-']").await;
        arrive(&b, "ok=robot-removed").await;
        assert!(b.text("#flash-ok").await.contains("已删除该群机器人"));
        assert!(b.text("#robots-empty").await.contains("尚未添加群机器人"));
        show_robots(&b).await;
        b.shot(&shot("robot-removed")).await;
        b.logout().await;
    }
    b.close().await;
}
