//! The office's workbench in a real browser, at 1366 px and at 390 px: a new item from the
//! form, drafts ticked and handed out (交办) with a deadline from the ledger, one edited,
//! rescheduled (the timeline shows both dates and the reason) and transferred; the ledger
//! filtered and sorted, and its Excel download parsed back: exactly the rows shown.
//! Screenshots go to `test-artifacts/`.

use crate::browser::Browser;
use crate::ledger_workbench::{desk, rows};
use crate::support::TestApp;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use std::collections::BTreeSet;
use xiaohao_core::{ItemId, ItemState, Light};
use xiaohao_import::ledger::{HEADERS, SHEET};

/// Set a field by script (date inputs take typed text in the browser's locale order) and
/// answer every confirmation with yes, as the user would click 确定.
async fn set(b: &Browser, css: &str, value: &str) {
    b.c()
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1]; window.confirm = function () { return true; };",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

async fn confirm_yes(b: &Browser) {
    b.c()
        .execute("window.confirm = function () { return true; };", vec![])
        .await
        .expect("script");
}

async fn select(b: &Browser, css: &str, value: &str) {
    b.c()
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
}

/// Wait until the browser has arrived at a page whose path and query contain `part`
/// (a form post answers with a redirect; reading the old page would race it).
async fn arrive(b: &Browser, part: &str) {
    for _ in 0..100 {
        if b.path().await.contains(part) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("never arrived at {part}: {}", b.path().await);
}

/// Open a folded form (`<details id=…>`).
async fn unfold(b: &Browser, id: &str) {
    b.click(&format!("details#{id} > summary")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_works_the_ledger_in_the_browser() {
    let app = TestApp::spawn().await;
    let prefix = if app.t.db.is_postgres() {
        "workbench-postgres"
    } else {
        "workbench-sqlite"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    let d = desk(app).await;
    let e = &d.app.t.engine;
    let store = e.raw_store();
    let base = d.app.url("");
    let gxt = store.resolve_unit("省工信厅").await.unwrap().id.to_string();
    let keji = store.resolve_unit("省科技厅").await.unwrap().id;
    b.login(&base, "/", &d.office_user).await;
    for (round, width) in [1366u32, 390].into_iter().enumerate() {
        b.size(width, 900).await;
        let shot = |name: &str| format!("{width}-{name}");

        // 新建: a problem of plan B, led by 省工信厅.
        b.c().goto(&format!("{base}/ledger")).await.unwrap();
        b.click("#link-new-item").await;
        assert_eq!(b.path().await, "/items/new");
        let title = format!("园区污水处理能力不足（{width}）");
        select(&b, "#new-kind", "problem").await;
        b.fill("#new-title", &title).await;
        select(&b, "#new-plan", &d.plan_b).await;
        select(&b, "#new-lead", &gxt).await;
        b.fill("#new-leader", "郭宁宁").await;
        assert!(!b.overflows().await, "new-item form fits {width} px");
        b.shot(&shot("new-item-form")).await;
        b.click("#btn-new-item").await;
        arrive(&b, "ok=filed").await;
        assert!(b.text("#flash-ok").await.contains("已立项"));
        let path = b.path().await;
        let new: ItemId = path
            .strip_prefix("/items/")
            .and_then(|p| p.strip_suffix("?ok=filed"))
            .unwrap_or_else(|| panic!("{path}"))
            .parse()
            .unwrap();
        assert_eq!(b.text("#item-state").await, "待交办");

        // 交办 from the ledger: the new draft and two of the plan's drafts, with a deadline.
        b.c()
            .goto(&format!("{base}/ledger?state=draft&sort=number"))
            .await
            .unwrap();
        let picked = [new, d.drafts[round * 2], d.drafts[round * 2 + 1]];
        for id in picked {
            b.click(&format!("input.pick-row[value='{id}']")).await;
        }
        set(&b, "#bulk-deadline", "2026-09-30").await;
        assert!(!b.overflows().await, "ledger fits {width} px");
        b.shot(&shot("ledger-drafts-ticked")).await;
        b.click("#bulk-submit").await;
        arrive(&b, "/ledger/assign").await;
        let summary = b.text("#assign-summary").await;
        assert!(summary.contains("已交办 3 项"), "{summary}");
        b.shot(&shot("assign-result")).await;
        for id in picked {
            let it = store.item(id).await.unwrap();
            assert_eq!(it.state, ItemState::Assigned);
            assert_eq!(it.deadline.unwrap().to_string(), "2026-09-30");
        }

        // 编辑 the new item.
        b.c().goto(&format!("{base}/items/{new}")).await.unwrap();
        unfold(&b, "edit").await;
        b.fill("#edit-title", &format!("{title}（修订）")).await;
        b.fill("#edit-reason", "按调度会意见修订").await;
        b.click("#btn-edit").await;
        arrive(&b, "ok=edit").await;
        assert!(b.text("#flash-ok").await.contains("已修改"));
        assert!(b.text("#item-title").await.contains("（修订）"));

        // 调整时限: both dates and the reason in the timeline.
        unfold(&b, "reschedule").await;
        set(&b, "#reschedule-deadline", "2026-11-30").await;
        b.fill("#reschedule-reason", "配套资金延后到位").await;
        b.click("#btn-reschedule").await;
        arrive(&b, "ok=reschedule").await;
        assert!(b.text("#flash-ok").await.contains("已调整时限"));
        let timeline = b.text("#timeline").await;
        assert!(
            timeline
                .contains("原时限：2026年9月30日；新时限：2026年11月30日；理由：配套资金延后到位"),
            "{timeline}"
        );

        // 转办 to 省科技厅.
        unfold(&b, "transfer").await;
        select(&b, "#transfer-to", &keji.to_string()).await;
        b.fill("#transfer-reason", "职责调整").await;
        confirm_yes(&b).await;
        b.click("#btn-transfer").await;
        arrive(&b, "ok=transfer").await;
        assert!(b.text("#flash-ok").await.contains("已转办"));
        assert!(!b.overflows().await, "item page fits {width} px");
        b.shot(&shot("item-after-transfer")).await;
        assert_eq!(store.item(new).await.unwrap().lead_unit, Some(keji));

        // The ledger filtered (plan B, red) and sorted by days late.
        b.c().goto(&format!("{base}/ledger")).await.unwrap();
        select(&b, "#f-plan", &d.plan_b).await;
        select(&b, "#f-light", Light::Red.as_str()).await;
        b.click("#f-submit").await;
        arrive(&b, "light=red").await;
        if width > 800 {
            b.click("#sort-late").await;
            arrive(&b, "sort=late").await;
        } else {
            // On a phone the headings fold away with the table; the form sorts.
            select(&b, "#f-sort", "late").await;
            b.click("#f-submit").await;
            arrive(&b, "sort=late").await;
        }
        let path = b.path().await;
        assert!(
            path.contains("light=red") && path.contains("sort=late") && path.contains(&d.plan_b),
            "{path}"
        );
        let source = b.c().source().await.unwrap();
        assert!(rows(&source, "data-light").iter().all(|l| l == "red"));
        let shown: BTreeSet<String> = source
            .split("<tr data-id=\"")
            .skip(1)
            .map(|r| r[..r.find('"').unwrap()].to_owned())
            .collect();
        assert_eq!(shown, BTreeSet::from([d.red.to_string()]));
        b.shot(&shot("ledger-filtered")).await;

        // The download behind 导出 Excel: exactly the rows shown, in the 台账 layout.
        let href = b
            .c()
            .find(fantoccini::Locator::Css("#export"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        let bytes = d.bytes(&href).await;
        let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let grid: Vec<Vec<Data>> = wb
            .worksheet_range(SHEET)
            .unwrap()
            .rows()
            .map(<[Data]>::to_vec)
            .collect();
        let id_col = HEADERS.iter().position(|h| *h == "ID").unwrap();
        let in_sheet: BTreeSet<String> = grid[1..].iter().map(|r| r[id_col].to_string()).collect();
        assert_eq!(in_sheet, shown, "{href}");
    }
    b.close().await;
}
