//! The 对账单 in a real browser: the unit disputes a line and later signs on a phone
//! (390 px), the office resolves the dispute by rescheduling the item and countersigns on
//! a desktop (1366 px). Screenshots go to `test-artifacts/`.

use super::world::{Recon, tick_days};
use crate::browser::Browser;
use crate::scheduler::d;
use std::time::Duration;
use xiaohao_core::AccountRole;
use xiaohao_store::StatementFilter;

async fn accept_confirm(b: &Browser) {
    for _ in 0..50 {
        if b.c().accept_alert().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no confirmation dialog");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_signs_on_a_phone_and_the_office_countersigns() {
    let w = Recon::new().await;
    let prefix = if w.app.t.db.is_postgres() {
        "postgres-recon"
    } else {
        "sqlite-recon"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    tick_days(&w, d(2026, 10, 8), d(2026, 10, 8)).await;
    let e = &w.app.t.engine;
    let sid = e
        .raw_store()
        .statements(&StatementFilter {
            unit: Some(w.gxt.id),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    let unit_user = w.app.user(w.gxt.id, AccountRole::Unit).await;
    let office_user = w.app.user(w.office.id, AccountRole::Office).await;
    let base = w.app.url("");
    let page = format!("/statements/{sid}");

    // On a phone: the unit opens its statement from the reminder's link and disputes the line.
    b.c().set_window_size(390, 844).await.unwrap();
    b.login(&base, &page, &unit_user).await;
    assert!(b.text("h1").await.contains("2026年9月对账单"));
    assert!(b.text("#line-1").await.contains("推进古雷石化基地配套项目"));
    b.shot("unit-phone-statement").await;
    b.click("#dispute-open-1").await;
    b.click("#reason-1 option[value='wrong_deadline']").await;
    b.fill("#note-1", "省政府已批复延期至2026年12月31日").await;
    b.shot("unit-phone-dispute").await;
    b.click("#dispute-1").await;
    assert!(b.text("#flash-ok").await.contains("异议已提交"));
    assert_eq!(b.text("#verdict-1").await, "有异议");
    assert!(b.text("#sign-blocked").await.contains("尚有1行"));
    b.logout().await;

    // On a desktop: the office finds the dispute and resolves it by rescheduling the item.
    b.c().set_window_size(1366, 1000).await.unwrap();
    b.login(&base, "/statements", &office_user).await;
    assert!(b.text("#dispute-list").await.contains("省工信厅"));
    b.shot("office-disputes").await;
    b.c().goto(&format!("{base}{page}")).await.unwrap();
    b.click("#command-1 option[value='reschedule']").await;
    b.fill("#deadline-1", "2026-12-31").await;
    b.fill("#answer-note-1", "已按省政府批复调整完成时限").await;
    b.click("#resolve-1").await;
    assert!(b.text("#flash-ok").await.contains("异议已办结"));
    assert!(b.text("#after-1").await.contains("2026-12-31"));
    b.shot("office-resolved").await;
    b.logout().await;

    // On the phone again: the unit signs.
    b.c().set_window_size(390, 844).await.unwrap();
    b.login(&base, &page, &unit_user).await;
    assert_eq!(b.text("#verdict-1").await, "异议已处理");
    b.click("#sign").await;
    accept_confirm(&b).await;
    assert!(b.text("#flash-ok").await.contains("已签署"));
    b.shot("unit-phone-signed").await;
    b.logout().await;

    // The office countersigns on the desktop; the statement is frozen with its hash.
    b.c().set_window_size(1366, 1000).await.unwrap();
    b.login(&base, &page, &office_user).await;
    b.click("#countersign").await;
    accept_confirm(&b).await;
    assert!(b.text("#flash-ok").await.contains("会签归档"));
    assert_eq!(b.text("#statement-status").await, "已会签归档");
    let hash = b.text("#content-hash").await;
    assert_eq!(hash.len(), 64, "{hash}");
    b.shot("office-countersigned").await;
    b.c().goto(&format!("{base}{page}?print=1")).await.unwrap();
    b.shot("print-view").await;
    b.close().await;

    let (checked, broken) = e.verify_statement_seals().await.unwrap();
    assert_eq!((checked, broken), (1, None));
}
