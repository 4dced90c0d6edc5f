//! 通报 end to end: a quarter driven by the scheduler on a manual clock with one unit's
//! items running late; the office drafts the quarter's bulletin, edits it, issues it; the
//! .docx opens and names the lagging unit and items with the working days late the item
//! API shows; numbers run 〔2026〕1号, 2号; a later change to the ledger leaves the issued
//! copy and its hash alone, `audit verify` passes, and a tampered copy is found.

mod browser;
mod world;

use crate::scheduler::d;
use reqwest::StatusCode;
use std::io::Read;
use uuid::Uuid;
use world::World;
use xiaohao_core::bulletin::Status;
use xiaohao_core::{AccountRole, Command};

/// The text of a .docx's body: each paragraph's runs joined, one paragraph a line.
pub(crate) fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8 xml");
    // GB/T 9704: A4, 仿宋_GB2312 三号 body, 方正小标宋简体 title, 落款 right-aligned.
    for needle in [
        "w:pgSz",
        "11906",
        "16838",
        "仿宋_GB2312",
        "方正小标宋简体",
        "黑体",
        "w:val=\"32\"",
        "w:val=\"right\"",
        "w:val=\"center\"",
    ] {
        assert!(xml.contains(needle), "{needle} missing in document.xml");
    }
    xml.split("</w:p>")
        .map(|p| {
            let mut line = String::new();
            for part in p.split("<w:t").skip(1) {
                let Some((_, rest)) = part.split_once('>') else {
                    continue;
                };
                if let Some((t, _)) = rest.split_once("</w:t>") {
                    line.push_str(
                        &t.replace("&lt;", "<")
                            .replace("&gt;", ">")
                            .replace("&quot;", "\"")
                            .replace("&amp;", "&"),
                    );
                }
            }
            line
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn bulletin_id_of(url: &reqwest::Url) -> Uuid {
    let seg = url
        .path_segments()
        .and_then(|mut s| s.nth(1))
        .expect("/bulletins/{id}");
    seg.parse().expect("a bulletin id")
}

#[tokio::test]
async fn a_quarter_bulletin_is_drafted_edited_issued_and_frozen() {
    let w = World::new().await;
    let (app, e) = (&w.app, &w.app.t.engine);
    w.run_quarter().await;
    let office = app.token(w.office.id, AccountRole::Office).await;

    // The item API's working days late: the bulletin must say the same.
    let late_b = w.days_late(&office, w.item_b).await;
    let late_c = w.days_late(&office, w.item_c).await;
    assert!(late_b > late_c && late_c > 0, "{late_b} {late_c}");

    // A quarter that has not begun, or a malformed one, is refused on the form's page.
    for q in ["2027Q2", "2026Q7"] {
        let resp = w
            .form(
                &office,
                "/bulletins",
                &[("kind", "quarter"), ("quarter", q)],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert!(resp.text().await.unwrap().contains("flash-error"));
    }

    // The office drafts the quarter's bulletin through the page's form.
    let resp = w
        .form(
            &office,
            "/bulletins",
            &[("kind", "quarter"), ("quarter", "2026Q4")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let id = bulletin_id_of(resp.url());
    let page = resp.text().await.unwrap();
    assert!(page.contains("通报草稿已生成"), "{page}");
    assert!(page.contains("（草稿，印发时编号）"));
    let p = w.principal(&office).await;
    let v = e.bulletin_for(&p, id).await.unwrap();
    assert_eq!(v.stored.status, Status::Draft);
    let lagging = &v.stored.facts.lagging;
    let days = |item| {
        lagging
            .iter()
            .find(|l| l.item_id == item)
            .map(|l| l.working_days_late)
    };
    assert_eq!(days(w.item_b), Some(late_b), "{lagging:?}");
    assert_eq!(days(w.item_c), Some(late_c), "{lagging:?}");
    assert_eq!(days(w.item_a), None, "closed on time");
    assert!(
        v.stored.facts.recon.statements > 0,
        "{:?}",
        v.stored.facts.recon
    );

    // Edits: a bad one is refused naming the field; a good one is kept.
    let version = v.stored.version.to_string();
    let resp = w
        .form(
            &office,
            &format!("/bulletins/{id}/edit"),
            &[
                ("title", " "),
                ("recipients", "省工信厅、省发改委"),
                ("requirements", "x"),
                ("doc_prefix", "石化专班督"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("title"));
    let requirement = "（一）省发改委要于2026年12月31日前完成招商图谱编制，逾期事项逐项销号。";
    let resp = w
        .form(
            &office,
            &format!("/bulletins/{id}/edit"),
            &[
                (
                    "title",
                    "关于2026年第四季度石化产业链对账销号工作情况的通报",
                ),
                ("recipients", "省工信厅、省发改委"),
                (
                    "requirements",
                    &format!("{requirement}\n（二）各单位要按时签署对账单。"),
                ),
                ("contact", "张三，0591-87654321"),
                ("doc_prefix", "石化专班督"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("修改已保存"));

    // A unit may not draft, nor issue; the office issues: 〔2026〕1号.
    let fgw = app.token(w.fgw.id, AccountRole::Unit).await;
    let resp = w
        .form(
            &fgw,
            "/bulletins",
            &[("kind", "quarter"), ("quarter", "2026Q4")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = w.form(&fgw, &format!("/bulletins/{id}/issue"), &[]).await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "a draft is the office's"
    );
    let resp = w
        .form(&office, &format!("/bulletins/{id}/issue"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = resp.text().await.unwrap();
    assert!(page.contains("通报已印发"), "{page}");
    assert!(page.contains("石化专班督〔2026〕1号"), "{page}");
    let issued = e.bulletin_for(&p, id).await.unwrap();
    let hash = issued.stored.content_hash.clone().expect("sealed");
    let frozen = issued.stored.document.clone().expect("frozen copy");

    // The .docx opens and says what the figures say.
    let docx = w
        .download(&office, &format!("/bulletins/{id}/document.docx"))
        .await;
    let text = docx_text(&docx);
    for needle in [
        "石化产业工作专班办公室",
        "石化专班督〔2026〕1号",
        "关于2026年第四季度石化产业链对账销号工作情况的通报",
        "省工信厅、省发改委：",
        "一、总体情况",
        "进展较快的单位",
        "（一）省发改委",
        "编制石化产业链招商图谱",
        "完善石化园区安全监管体系",
        requirement,
        "（联系人：张三，0591-87654321）",
        "2026年12月10日",
    ] {
        assert!(text.contains(needle), "{needle} missing in:\n{text}");
    }
    assert!(
        text.contains(&format!("已逾期{late_b}个工作日"))
            && text.contains(&format!("已逾期{late_c}个工作日")),
        "{text}"
    );
    assert!(!text.contains('×') && !text.contains(','), "{text}");
    let xlsx = w
        .download(&office, &format!("/bulletins/{id}/figures.xlsx"))
        .await;
    assert_eq!(&xlsx[..2], b"PK");
    let print =
        String::from_utf8(w.download(&office, &format!("/bulletins/{id}/print")).await).unwrap();
    assert!(print.contains("/static/bulletin.css") && print.contains("石化专班督〔2026〕1号"));
    let css = String::from_utf8(w.download(&office, "/static/bulletin.css").await).unwrap();
    assert!(css.contains("size:A4"), "A4 print CSS");

    // A second bulletin of the office's year: 2号. Issuing twice is refused.
    let resp = w
        .form(&office, "/bulletins", &[("kind", "year"), ("year", "2026")])
        .await;
    let id2 = bulletin_id_of(resp.url());
    let resp = w
        .form(&office, &format!("/bulletins/{id2}/issue"), &[])
        .await;
    assert!(resp.text().await.unwrap().contains("石化专班督〔2026〕2号"));
    let resp = w
        .form(&office, &format!("/bulletins/{id2}/issue"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);

    // Who reads it: the unit it names, not another office.
    let page = w.page(&fgw, "/bulletins").await;
    assert!(page.contains("石化专班督〔2026〕1号"), "{page}");
    let other = app.token(w.other_office.id, AccountRole::Office).await;
    let resp = w.get(&other, &format!("/bulletins/{id}")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // The ledger moves on; the issued copy does not.
    let office_actor = xiaohao_engine::Engine::actor_of(&w.office);
    t_reschedule(e, w.item_b, &office_actor).await;
    w.tick_until(d(2026, 12, 18)).await;
    let again = e.bulletin_for(&p, id).await.unwrap();
    assert_eq!(again.stored.content_hash.as_deref(), Some(hash.as_str()));
    assert_eq!(again.stored.document.as_deref(), Some(frozen.as_str()));
    let docx_later = w
        .download(&office, &format!("/bulletins/{id}/document.docx"))
        .await;
    assert_eq!(
        docx_text(&docx_later),
        text,
        "the issued document never changes"
    );
    assert_eq!(e.verify_bulletin_seals().await.unwrap(), (2, None));
    let out = w.cli(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 bulletins sealed"));

    // Tampering with the stored copy is found, by the engine and by the CLI.
    w.sql("UPDATE bulletins SET document = REPLACE(document, '个工作日', '个自然日') WHERE doc_number = '石化专班督〔2026〕1号'")
        .await;
    let (checked, broken) = e.verify_bulletin_seals().await.unwrap();
    let broken = broken.expect("tampering detected");
    assert_eq!((checked, broken.bulletin_id), (1, id));
    let out = w.cli(&["audit", "verify"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bulletin"));
}

async fn t_reschedule(
    e: &xiaohao_engine::Engine,
    item: xiaohao_core::ItemId,
    actor: &xiaohao_core::Actor,
) {
    e.execute(
        item,
        actor,
        &Command::Reschedule {
            deadline: d(2027, 3, 31),
            reason: "省政府同意延期".into(),
        },
        None,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_cli_writes_the_document_of_the_figures() {
    let w = World::new().await;
    w.run_quarter().await;
    let dir = std::env::temp_dir().join(format!("xiaohao-bulletin-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("通报.docx");
    let out = w.cli(&[
        "report",
        "quarterly",
        "--period",
        "2026Q4",
        "--docx",
        file.to_str().unwrap(),
        "--office",
        "石化产业工作专班办公室",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = docx_text(&std::fs::read(&file).unwrap());
    assert!(
        text.contains("（一）省发改委") && text.contains("编制石化产业链招商图谱"),
        "{text}"
    );
    assert!(text.contains("（草稿，印发时编号）"));
    // The figures sheet is still there, with escalations in words.
    let out = w.cli(&["report", "quarterly", "--period", "2026Q4"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && md.contains("分牵头单位情况"),
        "{md}"
    );
    assert!(!md.contains("级×"), "{md}");
    let out = w.cli(&[
        "report",
        "quarterly",
        "--period",
        "2026Q9",
        "--docx",
        "x.docx",
    ]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
