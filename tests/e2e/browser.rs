//! The pages in a real browser: headless Chromium driven over WebDriver (chromedriver,
//! started here on a free port) with fantoccini. A unit fills the monthly progress form and
//! asks for closure; the office returns it with a reason, then verifies it; a second unit
//! cannot open the first unit's item. Screenshots go to `test-artifacts/`.
//!
//! Without chromium/chromedriver the test fails when `CI=true` and is skipped (loudly)
//! otherwise; `.ci/install-browser` installs them.

use crate::support::{PASSWORD, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest};

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

pub struct Browser {
    client: Option<Client>,
    driver: Child,
    profile: PathBuf,
    artifacts: PathBuf,
    prefix: String,
}

impl Browser {
    pub async fn start(prefix: &str) -> Option<Browser> {
        let (Some(driver_bin), Some(chromium)) = (
            on_path("chromedriver"),
            on_path("chromium").or_else(|| on_path("chromium-browser")),
        ) else {
            let msg = "chromium/chromedriver not found: run .ci/install-browser";
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{msg} (CI=true: browser tests may not be skipped)");
            }
            eprintln!("\n!!!!!!!! SKIPPING BROWSER TEST: {msg} !!!!!!!!\n");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Process::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = std::env::temp_dir().join(format!("xh-chromium-{}", uuid::Uuid::new_v4()));
        let webdriver = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{webdriver}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--disable-dev-shm-usage", "--window-size=1366,1000", "--lang=zh-CN",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&webdriver)
            .await
            .expect("WebDriver session");
        let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
        std::fs::create_dir_all(&artifacts).expect("test-artifacts dir");
        Some(Browser {
            client: Some(client),
            driver,
            profile,
            artifacts,
            prefix: prefix.to_owned(),
        })
    }

    pub fn c(&self) -> &Client {
        self.client.as_ref().expect("client")
    }

    pub async fn shot(&self, name: &str) {
        let png = self.c().screenshot().await.expect("screenshot");
        let path = self.artifacts.join(format!("{}-{name}.png", self.prefix));
        std::fs::write(&path, png).expect("write screenshot");
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.c().find(Locator::Css(css)).await.expect(css);
        el.clear().await.ok();
        el.send_keys(text).await.expect("type");
    }

    /// Click `css`; on a phone a menu link is behind the folded menu, which is opened first,
    /// as a user would.
    pub async fn click(&self, css: &str) {
        let el = self
            .c()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        if el.click().await.is_ok() {
            return;
        }
        if let Ok(toggle) = self.c().find(Locator::Css("#menu-toggle")).await {
            toggle.click().await.ok();
        }
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.c()
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .expect("text")
    }

    /// Wait until `css` shows a text containing `needle`, and return it. The page after a
    /// form post replaces the one that had the same element, so a stale read is read again.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let mut last = String::new();
        for _ in 0..100 {
            if let Ok(el) = self.c().find(Locator::Css(css)).await
                && let Ok(t) = el.text().await
            {
                if t.contains(needle) {
                    return t;
                }
                last = t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never showed {needle}: {last:?}");
    }

    pub async fn path(&self) -> String {
        let url = self.c().current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Open `url`; when sent to the login page, sign in as `username`.
    pub async fn login(&self, base: &str, target: &str, username: &str) {
        self.c()
            .goto(&format!("{base}{target}"))
            .await
            .expect("goto");
        assert!(
            self.path().await.starts_with("/login"),
            "{}",
            self.path().await
        );
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.click("#login-submit").await;
        self.c()
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("form[action='/logout']"))
            .await
            .expect("signed in");
    }

    pub async fn logout(&self) {
        self.click("form[action='/logout'] button").await;
        self.c()
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#login-submit"))
            .await
            .expect("signed out");
    }

    /// Whether the page is wider than the window (a phone would scroll sideways).
    pub async fn overflows(&self) -> bool {
        self.c()
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth + 1",
                vec![],
            )
            .await
            .expect("script")
            .as_bool()
            .unwrap_or(true)
    }

    /// Resize the window (1366 px desktop, 390 px phone).
    pub async fn size(&self, width: u32, height: u32) {
        self.c()
            .set_window_size(width, height)
            .await
            .expect("window size");
    }

    pub async fn close(mut self) {
        if let Some(c) = self.client.take() {
            c.close().await.ok();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_reports_and_asks_for_closure_the_office_returns_then_verifies() {
    let app = TestApp::spawn().await;
    let prefix = if app.t.db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    let t = &app.t;
    let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
    let unit_a = t.unit("省工信厅", UnitKind::Department).await;
    let unit_b = t.unit("省科技厅", UnitKind::Department).await;
    let e = &t.engine;
    let office_actor = AccountRole::Office.actor(office.id, "专班");
    let actor_a = Engine::actor_of(&unit_a);
    let mut ids: Vec<ItemId> = Vec::new();
    for (number, title, lead, deadline) in [
        (
            "(一)",
            "强化产业分析研判,绘制产业链图谱",
            "省工信厅",
            "2026-03-05",
        ),
        ("(二)", "加快产业向专业园区聚集", "省工信厅", "2026-02-20"),
        ("(三)", "建设省级中试基地", "省科技厅", "2026-09-30"),
    ] {
        let id = e
            .file_item(
                &office_actor,
                &ItemRequest {
                    number: Some(number.into()),
                    title: title.into(),
                    text: "对照《工作方案》逐项落实,按月报送进展。".into(),
                    lead_unit: Some(lead.into()),
                    deadline: Some(deadline.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .item
            .id;
        let lead_actor = if lead == "省工信厅" {
            actor_a.clone()
        } else {
            Engine::actor_of(&unit_b)
        };
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
        e.execute(id, &lead_actor, &Command::Accept, None)
            .await
            .unwrap();
        ids.push(id);
    }
    let (x1, x2) = (ids[0], ids[1]);
    let user_a = app.user(unit_a.id, AccountRole::Unit).await;
    let user_b = app.user(unit_b.id, AccountRole::Unit).await;
    let user_office = app.user(office.id, AccountRole::Office).await;
    let base = app.url("");

    // The unit follows the e-mail link, signs in, lands on the item.
    b.login(&base, &format!("/items/{x1}"), &user_a).await;
    assert_eq!(b.path().await, format!("/items/{x1}"));
    assert!(b.text("#item-title").await.contains("绘制产业链图谱"));

    // One monthly form for all of its open items.
    b.c().goto(&format!("{base}/progress")).await.unwrap();
    b.fill(
        &format!("textarea[name='text_{x1}']"),
        "已完成产业链图谱初稿,正在征求意见。",
    )
    .await;
    b.fill(&format!("input[name='percent_{x1}']"), "60").await;
    b.fill(&format!("textarea[name='text_{x2}']"), "园区规划已报批。")
        .await;
    b.shot("progress-form").await;
    b.click("#progress-submit").await;
    assert!(b.text("#flash-ok").await.contains("已提交 2 条进展"));
    assert_eq!(e.raw_store().progress(x1).await.unwrap().len(), 1);
    assert_eq!(e.raw_store().progress(x2).await.unwrap().len(), 1);
    assert_eq!(
        e.raw_store().item(x1).await.unwrap().progress_percent,
        Some(60)
    );

    // Closure request with evidence.
    b.c().goto(&format!("{base}/items/{x1}")).await.unwrap();
    b.fill("#evidence", "图谱已印发(闽工信〔2026〕12号)").await;
    b.click("#btn-request-closure").await;
    assert!(b.text("#flash-ok").await.contains("申请销号"));
    assert_eq!(b.text("#item-state").await, "申请销号");
    b.shot("item-unit").await;
    b.logout().await;

    // The office returns it with a reason …
    b.login(&base, &format!("/items/{x1}"), &user_office).await;
    b.fill("#reject-reason", "缺少招商项目清单,请补充。").await;
    b.click("#btn-reject").await;
    assert!(b.text("#flash-ok").await.contains("核验不通过"));
    assert_eq!(b.text("#item-state").await, "办理中");
    assert!(b.text("#timeline").await.contains("缺少招商项目清单"));
    // … the unit asks again (through the engine, as a mail reply would) …
    e.execute(
        x1,
        &actor_a,
        &Command::RequestClosure {
            evidence: "已补充招商项目清单".into(),
            attachments: vec![],
        },
        None,
    )
    .await
    .unwrap();
    // … and the office verifies it.
    b.c().goto(&format!("{base}/items/{x1}")).await.unwrap();
    b.fill("#verify-comment", "材料齐全,同意销号").await;
    b.click("#btn-verify").await;
    assert!(b.text("#flash-ok").await.contains("已销号"));
    assert_eq!(b.text("#item-state").await, "已销号");
    b.shot("item-office").await;
    b.c().goto(&format!("{base}/overview")).await.unwrap();
    assert_eq!(
        b.text("#count-blue").await,
        "1",
        "the verified item is struck off"
    );
    assert_eq!(b.text("#count-red").await, "1", "(二) is past its deadline");
    b.shot("dashboard").await;
    b.c().goto(&format!("{base}/ledger")).await.unwrap();
    b.shot("ledger").await;
    b.logout().await;

    // Another unit cannot open the first unit's item, nor find it in its ledger.
    b.login(&base, "/", &user_b).await;
    b.c().goto(&format!("{base}/items/{x1}")).await.unwrap();
    assert_eq!(b.text("#error-title").await, "未找到该事项或无权查看");
    b.shot("other-unit-refused").await;
    b.c().goto(&format!("{base}/ledger")).await.unwrap();
    let ledger = b.c().source().await.unwrap();
    assert!(!ledger.contains("绘制产业链图谱"));
    assert!(ledger.contains("建设省级中试基地"));
    b.logout().await;

    // Supervision sees the late item and who is late by how much.
    let sup = t.unit("省政府督查室", UnitKind::Supervision).await;
    let user_sup = app.user(sup.id, AccountRole::Supervision).await;
    b.login(&base, "/supervision", &user_sup).await;
    let page = b.text("main").await;
    assert!(page.contains("加快产业向专业园区聚集"), "{page}");
    assert!(page.contains("省工信厅"), "{page}");
    assert!(page.contains("记录完整,未发现篡改"), "{page}");
    b.shot("supervision").await;
    b.close().await;

    let item = e.raw_store().item(x1).await.unwrap();
    assert_eq!(item.state.as_str(), "closed");
    let kinds: Vec<String> = e
        .raw_store()
        .events(x1)
        .await
        .unwrap()
        .into_iter()
        .map(|ev| ev.kind.to_string())
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
}
