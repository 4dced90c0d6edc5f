//! Evidence files in a real browser: the lead unit, on its phone (390 px), asks for closure
//! with a PDF chosen in the 申请销号 form; the office, at its desk (1366 px), finds the file
//! linked in the timeline and opens it in the browser (inline PDF). Screenshots go to
//! `test-artifacts/`.

use crate::attachments::{PDF, pdf_file};
use crate::browser::Browser;
use crate::scheduler::{at, d};
use crate::support::TestApp;
use fantoccini::Locator;
use serde_json::Value;
use xiaohao_core::org::UnitKind;
use xiaohao_core::payload::Payload;
use xiaohao_core::{AccountRole, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest};

/// Bring the timeline's last entry into view (for the screenshot).
async fn show_last_event(b: &Browser) {
    b.c()
        .execute(
            "document.querySelector('#timeline li:last-child').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_sends_a_pdf_with_its_closure_request_and_the_office_opens_it() {
    let app = TestApp::spawn().await;
    let prefix = if app.t.db.is_postgres() {
        "attachments-postgres"
    } else {
        "attachments-sqlite"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    let t = &app.t;
    t.clock.set(at(d(2026, 3, 2), 10));
    let office = t.unit("专班办公室", UnitKind::Office).await;
    let lead = t.unit("省工信厅", UnitKind::Department).await;
    let office_user = app.user(office.id, AccountRole::Office).await;
    let lead_user = app.user(lead.id, AccountRole::Unit).await;
    let office_actor = Engine::actor_of(&office);
    let base = app.url("");
    let id: ItemId = t
        .engine
        .file_item(
            &office_actor,
            &ItemRequest {
                title: "推进古雷石化基地配套项目".into(),
                lead_unit: Some("省工信厅".into()),
                deadline: Some("2026-06-30".into()),
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
    t.engine
        .execute(id, &office_actor, &assign, None)
        .await
        .unwrap();
    for c in [Command::Accept, Command::Start] {
        t.engine
            .execute(id, &Engine::actor_of(&lead), &c, None)
            .await
            .unwrap();
    }

    // The unit, on its phone: evidence text and the stamped report as a PDF.
    b.size(390, 900).await;
    b.login(&base, &format!("/items/{id}"), &lead_user).await;
    b.fill("#evidence", "项目已竣工投产，附盖章的办结报告")
        .await;
    let pdf = pdf_file("办结报告（盖章）.pdf");
    b.fill("#closure-files", &pdf.display().to_string()).await;
    assert!(!b.overflows().await, "the closure form fits at 390 px");
    b.shot("390-unit-closure-with-file").await;
    b.click("#btn-request-closure").await;
    arrive(&b, "ok=request_closure").await;
    let timeline = b.text("#timeline").await;
    assert!(timeline.contains("办结报告（盖章）.pdf"), "{timeline}");
    assert!(!b.overflows().await, "the timeline fits at 390 px");
    show_last_event(&b).await;
    b.shot("390-unit-closure-sent").await;
    b.logout().await;

    // The stored event names the file by its hash.
    let events = t.engine.raw_store().events(id).await.unwrap();
    let Ok(Payload::ClosureRequested(c)) = events.last().unwrap().details() else {
        panic!("the last event is not the closure request");
    };
    let file = c.attachments[0].file().expect("a stored file").clone();
    assert_eq!(file.name, "办结报告（盖章）.pdf");
    assert_eq!(file.size, PDF.len() as u64);

    // The office, at its desk, finds the link and opens it in the browser.
    b.size(1366, 900).await;
    b.login(&base, &format!("/items/{id}"), &office_user).await;
    let link = b
        .c()
        .find(Locator::Css("#timeline ul.files a"))
        .await
        .expect("the file is linked in the timeline");
    assert_eq!(link.text().await.unwrap(), "办结报告（盖章）.pdf");
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert_eq!(href, format!("/api/attachments/{}", file.id));
    assert_eq!(
        link.attr("target").await.unwrap().as_deref(),
        Some("_blank"),
        "a PDF opens for preview"
    );
    show_last_event(&b).await;
    b.shot("1366-office-sees-file").await;
    // What the browser gets for that link with the office's session.
    let got = b
        .c()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(async r => done([r.status,
                 r.headers.get('content-type'), r.headers.get('content-disposition'),
                 (await r.arrayBuffer()).byteLength]));",
            vec![Value::from(href.clone())],
        )
        .await
        .expect("fetch the file");
    assert_eq!(got[0], 200, "{got}");
    assert_eq!(got[1], "application/pdf", "{got}");
    assert!(
        got[2].as_str().unwrap_or_default().starts_with("inline;"),
        "{got}"
    );
    assert_eq!(got[3], PDF.len(), "{got}");
    b.click("#btn-verify").await;
    arrive(&b, "ok=verify").await;
    b.logout().await;
    b.close().await;
    let _ = std::fs::remove_dir_all(pdf.parent().unwrap());
}
