//! 考核 in a real browser: 督查室 reads the ranking on a desktop (1366 px) and opens a
//! unit's lines, follows a line to the item's timeline entry; on a phone (390 px) the page
//! fits and a unit sees only its own row. Screenshots go to `test-artifacts/`.

use super::world::run_quarter;
use crate::browser::Browser;
use fantoccini::Locator;
use xiaohao_core::AccountRole;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervision_reads_the_ranking_and_a_unit_only_its_own() {
    let w = run_quarter().await;
    let prefix = if w.app.t.db.is_postgres() {
        "postgres-score"
    } else {
        "sqlite-score"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    let sup_user = w.app.user(w.sup.id, AccountRole::Supervision).await;
    let unit_user = w.app.user(w.b.id, AccountRole::Unit).await;
    let base = w.app.url("");

    // Desktop: 督查室 chooses the fourth quarter from the menu's 考核 page.
    b.size(1366, 1000).await;
    b.login(&base, "/scores?period=2026Q4", &sup_user).await;
    assert_eq!(b.text("h1").await, "2026年第四季度考核排名");
    let ranking = b.text("#score-ranking").await;
    assert!(ranking.contains("省工信厅"), "{ranking}");
    let rows = b
        .c()
        .find_all(Locator::Css("#score-ranking tbody tr"))
        .await
        .unwrap();
    let mut firsts = Vec::new();
    for r in rows {
        firsts.push(r.attr("data-unit").await.unwrap().unwrap_or_default());
    }
    assert_eq!(firsts, vec!["省工信厅", "省商务厅", "省发改委"]);
    b.shot("supervision-ranking").await;
    // The lagging unit's lines: labels, points, the item and the event.
    b.click("#score-ranking tbody tr:nth-child(3) .unit-lines-link")
        .await;
    let lines = b.text(&format!("#unit-{}", w.b.id)).await;
    for want in [
        "缺报",
        "督办",
        "通报",
        "逾期销号",
        "对账单逾期未签",
        "-7.5",
        "推进重点项目并联审批",
    ] {
        assert!(lines.contains(want), "{want} in {lines}");
    }
    b.shot("supervision-unit-lines").await;
    b.click(&format!("#unit-{} .event-link", w.b.id)).await;
    let path = b.path().await;
    assert!(path.starts_with("/items/"), "{path}");
    let url = b.c().current_url().await.unwrap();
    let anchor = url.fragment().unwrap_or_default().to_owned();
    assert!(anchor.starts_with('e'), "{url}");
    let entry = b.text(&format!("#{anchor}")).await;
    assert!(entry.contains("督办"), "{entry}");
    b.shot("supervision-timeline-entry").await;

    // Phone: the ranking as cards, nothing wider than the screen.
    b.size(390, 844).await;
    b.c()
        .goto(&format!("{base}/scores?period=2026Q4"))
        .await
        .unwrap();
    assert!(!b.overflows().await, "the page scrolls sideways at 390 px");
    b.shot("supervision-phone").await;
    b.logout().await;

    // A unit on a phone: its own row only.
    b.login(&base, "/scores?period=2026Q4", &unit_user).await;
    assert_eq!(b.text("h1").await, "2026年第四季度考核得分");
    let rows = b
        .c()
        .find_all(Locator::Css("#score-ranking tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let own = b.text("#score-ranking").await;
    assert!(own.contains("省发改委") && own.contains("83"), "{own}");
    assert!(!own.contains("省工信厅"), "{own}");
    assert!(!b.overflows().await);
    b.shot("unit-phone-own-score").await;
    b.close().await;
}
