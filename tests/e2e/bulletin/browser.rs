//! The 通报 in a real browser: the office on a desktop (1366 px) and 督查室 on a phone
//! (390 px) each draft a bulletin, edit 下一步工作要求, issue it after the confirmation and
//! download the .docx. Screenshots go to `test-artifacts/`.

use super::world::World;
use crate::browser::Browser;
use std::time::Duration;
use xiaohao_core::AccountRole;

async fn accept_confirm(b: &Browser) {
    for _ in 0..50 {
        if b.c().accept_alert().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no confirmation dialog");
}

/// Fetch `path` with the browser's session: (bytes, first two bytes as text).
async fn fetch(b: &Browser, path: &str) -> (u64, String) {
    let v = b
        .c()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer())
               .then(buf => { const u = new Uint8Array(buf); done([u.length, String.fromCharCode(u[0], u[1])]); })
               .catch(e => done([0, String(e)]));",
            vec![serde_json::json!(path)],
        )
        .await
        .expect("fetch");
    (
        v[0].as_u64().unwrap_or(0),
        v[1].as_str().unwrap_or("").to_owned(),
    )
}

async fn draft_edit_issue(b: &Browser, base: &str, year: bool, requirement: &str) -> String {
    b.c().goto(&format!("{base}/bulletins")).await.unwrap();
    if year {
        b.click("#kind-year").await;
        b.click("#draft-year option[value='2026']").await;
    } else {
        b.click("#draft-quarter option[value='2026Q4']").await;
    }
    b.click("#draft-submit").await;
    b.wait_text("#flash-ok", "通报草稿已生成").await;
    assert!(b.text("#sheet").await.contains("（一）省发改委"));
    b.fill("#edit-requirements", requirement).await;
    b.shot(if year {
        "phone-draft-edit"
    } else {
        "desktop-draft-edit"
    })
    .await;
    b.click("#edit-save").await;
    b.wait_text("#flash-ok", "修改已保存").await;
    assert!(b.text("#sheet").await.contains(requirement));
    b.click("#issue").await;
    accept_confirm(b).await;
    b.wait_text("#flash-ok", "通报已印发").await;
    assert_eq!(b.text("#bulletin-status").await, "已印发");
    assert_eq!(b.text("#content-hash").await.len(), 64);
    let href = b
        .c()
        .find(fantoccini::Locator::Css("#download-docx"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (len, magic) = fetch(b, &href).await;
    assert!(len > 2000 && magic == "PK", "{len} {magic}");
    b.text("#doc-number").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_and_supervision_issue_bulletins_on_desktop_and_phone() {
    let w = World::new().await;
    let prefix = if w.app.t.db.is_postgres() {
        "postgres-bulletin"
    } else {
        "sqlite-bulletin"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    w.run_quarter().await;
    let base = w.app.url("");
    let office = w.app.user(w.office.id, AccountRole::Office).await;
    let sup = w.app.user(w.sup.id, AccountRole::Supervision).await;

    // The office on a desktop.
    b.size(1366, 1000).await;
    b.login(&base, "/bulletins", &office).await;
    let number = draft_edit_issue(
        &b,
        &base,
        false,
        "（一）省发改委要于2026年12月31日前完成整改。",
    )
    .await;
    assert_eq!(number, "石化产业工作专班办公室〔2026〕1号");
    b.shot("office-issued").await;
    b.c().goto(&format!("{base}/bulletins")).await.unwrap();
    assert!(b.text("#bulletin-list").await.contains("〔2026〕1号"));
    b.logout().await;

    // 督查室 on a phone: the page fits, the year's bulletin of every item.
    b.size(390, 844).await;
    b.login(&base, "/bulletins", &sup).await;
    assert!(!b.overflows().await, "the list fits a phone");
    b.shot("supervision-phone-list").await;
    let number = draft_edit_issue(
        &b,
        &base,
        true,
        "（一）各责任单位要在年底前完成全部逾期事项销号。",
    )
    .await;
    assert_eq!(number, "省政府督查室〔2026〕1号");
    assert!(!b.overflows().await, "the bulletin fits a phone");
    b.shot("supervision-phone-issued").await;
    b.c().goto(&format!("{base}/bulletins")).await.unwrap();
    let list = b.text("#bulletin-list").await;
    assert!(
        list.contains("省政府督查室〔2026〕1号") || list.contains("关于2026年度"),
        "{list}"
    );
    b.close().await;
    assert_eq!(
        w.app.t.engine.verify_bulletin_seals().await.unwrap(),
        (2, None)
    );
}
