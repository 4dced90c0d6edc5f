//! 延期申请 and 批示 in a real browser, at 1366 px and at 390 px: the lead unit asks on its
//! phone (or desk) from the item page and sees the request waiting on its 待办; the office
//! finds it under 延期申请待审批 on its 待办, opens the item and approves; the timeline reads
//! the old and the new date. The office writes a 批示 for a leader; the unit answers it.
//! Screenshots go to `test-artifacts/`.

use crate::browser::Browser;
use crate::scheduler::{at, d};
use crate::support::TestApp;
use fantoccini::Locator;
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest};

/// Set a field by script: date inputs take typed text in the browser's locale order.
async fn set(b: &Browser, css: &str, value: &str) {
    b.c()
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

/// Wait until the browser has arrived where a form post redirects to.
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
async fn the_unit_asks_on_its_phone_and_the_office_approves_from_its_list() {
    let app = TestApp::spawn().await;
    let prefix = if app.t.db.is_postgres() {
        "extension-postgres"
    } else {
        "extension-sqlite"
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
    let lead_actor = Engine::actor_of(&lead);
    let base = app.url("");
    for width in [1366u32, 390] {
        b.size(width, 900).await;
        let shot = |name: &str| format!("{width}-{name}");
        let title = format!("推进古雷石化基地配套项目（{width}）");
        let id: ItemId = t
            .engine
            .file_item(
                &office_actor,
                &ItemRequest {
                    title: title.clone(),
                    lead_unit: Some("省工信厅".into()),
                    deadline: Some("2026-03-20".into()),
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
        t.engine
            .execute(id, &lead_actor, &Command::Accept, None)
            .await
            .unwrap();

        // The lead unit asks from the item page.
        b.login(&base, &format!("/items/{id}"), &lead_user).await;
        b.click("details#extension > summary").await;
        set(&b, "#extension-deadline", "2026-04-30").await;
        b.fill("#extension-reason", "项目环评批复延后，需顺延完成时限")
            .await;
        // The evidence goes with the request as a file (typed into the file input as a path).
        let pdf = crate::attachments::pdf_file("环评受理通知.pdf");
        b.fill("#extension-files", &pdf.display().to_string()).await;
        assert!(!b.overflows().await, "the form fits at {width} px");
        b.shot(&shot("unit-asks")).await;
        b.click("#btn-request-extension").await;
        arrive(&b, "ok=request_extension").await;
        assert!(b.text("#flash-ok").await.contains("已申请延期"));
        assert!(
            b.text("#extension-pending")
                .await
                .contains("2026年4月30日（待审批）")
        );
        assert!(
            b.c()
                .find(Locator::Css("#form-request-extension"))
                .await
                .is_err(),
            "one request at a time: the form is gone"
        );
        b.shot(&shot("unit-asked")).await;
        // Its 待办 shows the request waiting.
        b.c().goto(&format!("{base}/")).await.unwrap();
        let mine = b.text("#todo-extensions").await;
        assert!(
            mine.contains(&title) && mine.contains("申请延期至2026年4月30日"),
            "{mine}"
        );
        assert!(!b.overflows().await);
        b.shot(&shot("unit-home")).await;
        b.logout().await;

        // The office finds it on its 待办 and approves.
        b.login(&base, "/", &office_user).await;
        let list = b.text("#todo-extensions").await;
        assert!(list.contains(&title), "{list}");
        assert!(!b.overflows().await);
        b.shot(&shot("office-home")).await;
        b.click(&format!("#todo-extensions a[href='/items/{id}']"))
            .await;
        arrive(&b, &format!("/items/{id}")).await;
        let review = b.text("#extension-review").await;
        assert!(
            review.contains("2026年3月20日")
                && review.contains("2026年4月30日")
                && review.contains("项目环评批复延后")
                && review.contains("环评受理通知.pdf"),
            "{review}"
        );
        // The request's file is linked in the box, to open before deciding.
        let link = b
            .c()
            .find(Locator::Css("#extension-review-files a"))
            .await
            .expect("the request's file is linked in the review box");
        assert_eq!(link.text().await.unwrap(), "环评受理通知.pdf");
        let href = link.attr("href").await.unwrap().unwrap_or_default();
        assert!(href.starts_with("/api/attachments/"), "{href}");
        b.fill("#approve-extension-comment", "同意延期").await;
        assert!(!b.overflows().await, "the answer forms fit at {width} px");
        b.shot(&shot("office-reviews")).await;
        b.click("#btn-approve-extension").await;
        arrive(&b, "ok=approve_extension").await;
        assert!(b.text("#flash-ok").await.contains("已同意延期"));
        let timeline = b.text("#timeline").await;
        assert!(
            timeline.contains("原时限：2026年3月20日；新时限：2026年4月30日；意见：同意延期"),
            "{timeline}"
        );
        assert!(
            b.c()
                .find(Locator::Css("#extension-pending"))
                .await
                .is_err()
        );
        b.shot(&shot("office-approved")).await;
        b.c().goto(&format!("{base}/")).await.unwrap();
        assert_eq!(b.text("#todo-extensions-count").await, "0");
        b.logout().await;
        let item = t.engine.raw_store().item(id).await.unwrap();
        assert_eq!(item.due_on, Some(d(2026, 4, 30)));
    }
    b.close().await;
}

/// 批示 in the browser: the office writes one on a leader's behalf; the lead unit sees it
/// stand out on its 待办 and on the item, and answers on its phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instruction_stands_out_until_the_unit_answers_it() {
    let app = TestApp::spawn().await;
    let prefix = if app.t.db.is_postgres() {
        "instruction-postgres"
    } else {
        "instruction-sqlite"
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
    for width in [1366u32, 390] {
        b.size(width, 900).await;
        let shot = |name: &str| format!("{width}-{name}");
        let title = format!("编制石化产业链图谱（{width}）");
        let id: ItemId = t
            .engine
            .file_item(
                &office_actor,
                &ItemRequest {
                    title: title.clone(),
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

        b.login(&base, &format!("/items/{id}"), &office_user).await;
        b.click("details#instruct > summary").await;
        b.fill("#instruct-by", "郭宁宁").await;
        b.fill("#instruct-text", "请加快进度，月底前报送办理情况")
            .await;
        assert!(!b.overflows().await);
        b.shot(&shot("office-instructs")).await;
        b.click("#btn-instruct").await;
        arrive(&b, "ok=instruct").await;
        assert!(b.text("#instruction-open").await.contains("郭宁宁"));
        b.logout().await;

        b.login(&base, "/", &lead_user).await;
        let list = b.text("#todo-instructions").await;
        assert!(list.contains(&title), "{list}");
        assert!(!b.overflows().await);
        b.shot(&shot("unit-home")).await;
        b.click(&format!("#todo-instructions a[href='/items/{id}']"))
            .await;
        arrive(&b, &format!("/items/{id}")).await;
        assert!(
            b.text("#instruction-open")
                .await
                .contains("请加快进度，月底前报送办理情况")
        );
        let marked = b
            .c()
            .find(Locator::Css("#timeline li.instruction"))
            .await
            .expect("the 批示 stands out in the timeline");
        assert!(marked.text().await.unwrap().contains("批示领导：郭宁宁"));
        b.fill("#answer-instruction-text", "已专题部署，月底前报送")
            .await;
        assert!(!b.overflows().await);
        b.shot(&shot("unit-answers")).await;
        b.click("#btn-answer-instruction").await;
        arrive(&b, "ok=answer_instruction").await;
        assert!(b.text("#flash-ok").await.contains("已回复领导批示"));
        assert!(b.c().find(Locator::Css("#instruction-open")).await.is_err());
        b.c().goto(&format!("{base}/")).await.unwrap();
        assert_eq!(b.text("#todo-instructions-count").await, "0");
        b.logout().await;
    }
    b.close().await;
}
