//! 导入计划 in the web: an office uploads a .docx plan, reads the parsed tasks, maps an
//! unknown unit name to an existing unit (the name becomes its alias), lets another be
//! created for review, corrects a deadline and confirms: the tasks are drafts under a new
//! plan, in one transaction. Refusals (not a plan, no task, a unit's account, the same plan
//! twice) come back in Chinese. Walked in Chromium at 1366 and 390 px.

use crate::browser::Browser;
use crate::support::TestApp;
use std::io::Write;
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, ItemState};
use xiaohao_engine::{EngineError, Principal};
use xiaohao_store::ItemFilter;

const PLAN: &[&str] = &[
    "关于推进数字经济发展的工作方案",
    "(一)建设城市数据中台。整合各部门数据资源。",
    "牵头单位:省数据局",
    "配合单位:省发改委",
    "完成时限:2026年12月31日",
    "(二)推进工业互联网平台建设。培育一批平台企业。",
    "牵头单位:省工信厅",
    "配合单位:省科技厅、数字办",
    "完成时限:2026年9月30日",
];

/// The plan as Word keeps it: one paragraph per line, text cut into runs.
fn plan_docx() -> Vec<u8> {
    let body: String = PLAN
        .iter()
        .map(|line| {
            let cut = line.char_indices().nth(4).map_or(line.len(), |(i, _)| i);
            format!(
                r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r><w:r><w:t>{}</w:t></w:r></w:p>"#,
                &line[..cut],
                &line[cut..]
            )
        })
        .collect();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, content) in [
        ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_owned()),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(content.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

struct Office {
    app: TestApp,
    office: Principal,
    username: String,
}

async fn office() -> Office {
    let app = TestApp::spawn().await;
    let t = &app.t;
    let unit = t.unit("数字经济工作专班办公室", UnitKind::Office).await;
    for name in ["省大数据管理局", "省发改委", "省工信厅", "省科技厅"] {
        t.unit(name, UnitKind::Department).await;
    }
    let username = app.user(unit.id, AccountRole::Office).await;
    let token = app.login(&username).await;
    let office = t.engine.authenticate(&token).await.unwrap().unwrap();
    Office {
        app,
        office,
        username,
    }
}

async fn drafts(o: &Office) -> Vec<xiaohao_core::Item> {
    o.app
        .t
        .engine
        .raw_store()
        .all_items(&ItemFilter {
            state: Some(ItemState::Draft),
            ..ItemFilter::default()
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reviewed_plan_is_filed_as_drafts_with_its_units_mapped() {
    let o = office().await;
    let e = &o.app.t.engine;
    let preview = e
        .preview_plan(&o.office, "方案.docx", &plan_docx())
        .await
        .unwrap();
    assert_eq!(preview.draft.tasks.len(), 2);
    assert_eq!(preview.unknown_units, ["省数据局", "省数字办"]);

    // Refusals name the file; nothing is written.
    for (name, bytes) in [
        ("a.pdf", b"%PDF-1.7 binary".to_vec()),
        ("a.txt", "只有一段说明，没有任务。".as_bytes().to_vec()),
    ] {
        match e.preview_plan(&o.office, name, &bytes).await {
            Err(EngineError::Invalid { field, .. }) => assert_eq!(field, "file"),
            other => panic!("{name}: {other:?}"),
        }
    }
    let unit = e.resolve_unit("省工信厅").await.unwrap();
    let username = o.app.user(unit.id, AccountRole::Unit).await;
    let token = o.app.login(&username).await;
    let unit_user = e.authenticate(&token).await.unwrap().unwrap();
    assert!(matches!(
        e.preview_plan(&unit_user, "方案.docx", &plan_docx()).await,
        Err(EngineError::Forbidden(_))
    ));
    assert!(drafts(&o).await.is_empty());

    let big_data = e.resolve_unit("省大数据管理局").await.unwrap();
    let summary = e
        .import_reviewed_plan(
            &o.office,
            preview.draft.clone(),
            &[
                ("省数据局".into(), Some(big_data.id)),
                ("省数字办".into(), None),
            ],
            "方案.docx",
        )
        .await
        .unwrap();
    assert_eq!(summary.items.len(), 2);
    assert_eq!(summary.units_created, ["省数字办"]);
    let items = drafts(&o).await;
    let first = items
        .iter()
        .find(|i| i.title.starts_with("建设城市数据中台"))
        .unwrap();
    assert_eq!(first.lead_unit, Some(big_data.id));
    assert!(first.plan_id.is_some(), "under its plan");
    assert_eq!(e.resolve_unit("省数据局").await.unwrap().id, big_data.id);
    assert!(e.resolve_unit("省数字办").await.unwrap().needs_review);
    // The same plan twice is refused, and writes nothing.
    let again = e
        .import_reviewed_plan(&o.office, preview.draft, &[], "方案.docx")
        .await;
    assert!(
        matches!(
            again,
            Err(EngineError::Store(
                xiaohao_store::StoreError::Duplicate { .. }
            ))
        ),
        "{again:?}"
    );
    assert_eq!(drafts(&o).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_imports_a_docx_plan_in_the_browser() {
    let prefix = if std::env::var_os("XIAOHAO_TEST_DATABASE_URL").is_some() {
        "plan-import-postgres"
    } else {
        "plan-import-sqlite"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("xiaohao-plan-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("数字经济工作方案.docx");
    std::fs::write(&file, plan_docx()).unwrap();
    for width in [1366u32, 390] {
        let o = office().await;
        let e = &o.app.t.engine;
        let base = o.app.url("");
        b.size(width, 900).await;
        let shot = |name: &str| format!("{width}-{name}");
        b.login(&base, "/", &o.username).await;
        b.click("#nav-plan-import").await;
        b.c()
            .find(fantoccini::Locator::Css("#plan-file"))
            .await
            .unwrap()
            .send_keys(file.to_str().unwrap())
            .await
            .unwrap();
        b.shot(&shot("plan-upload")).await;
        b.click("#upload-submit").await;
        b.wait_text("#plan-tasks", "推进工业互联网平台建设").await;
        let unknown = b.text("#unknown-units").await;
        assert!(
            unknown.contains("省数据局") && unknown.contains("数字办"),
            "{unknown}"
        );
        let big_data = e.resolve_unit("省大数据管理局").await.unwrap();
        b.c()
            .find(fantoccini::Locator::Css("#map-0"))
            .await
            .unwrap()
            .select_by_value(&big_data.id.to_string())
            .await
            .unwrap();
        b.fill("#deadline-1", "2026-10-31").await;
        assert!(!b.overflows().await, "the preview fits {width} px");
        b.shot(&shot("plan-preview")).await;
        b.click("#confirm-submit").await;
        b.wait_text("#flash-ok", "已导入 2 项任务").await;
        assert!(b.text("#flash-ok").await.contains("新建单位 1 个"));
        b.shot(&shot("plan-imported")).await;

        let items = drafts(&o).await;
        assert_eq!(items.len(), 2);
        let second = items
            .iter()
            .find(|i| i.title.starts_with("推进工业互联网平台建设"))
            .unwrap();
        assert_eq!(
            second.deadline,
            chrono::NaiveDate::from_ymd_opt(2026, 10, 31),
            "the corrected deadline"
        );
        let first = items
            .iter()
            .find(|i| i.title.starts_with("建设城市数据中台"))
            .unwrap();
        assert_eq!(first.lead_unit, Some(big_data.id));
        b.logout().await;
    }
    b.close().await;
    std::fs::remove_dir_all(&dir).ok();
}
