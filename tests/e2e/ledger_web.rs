//! One 台账 layout: the ledger downloaded from the web page is the workbook the CLI exports
//! and imports, so a downloaded, edited and re-imported sheet becomes commands on the same
//! items — on SQLite and PostgreSQL alike.

use crate::support::{NowUtc, TestApp};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Datelike, NaiveDate};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, ItemId};
use xiaohao_engine::FileClock;
use xiaohao_import::ledger::{HEADERS, SHEET};
use xiaohao_store::{ItemFilter, NewChain, NewPerson};

/// The items of a small ledger, filed and moved over HTTP.
struct Ledger {
    app: TestApp,
    office: String,
    /// 省工信厅's account: leads `on_time`, co-handles `late`, has no part in `draft`.
    gxt: String,
    draft: String,
    late: String,
    on_time: String,
    dir: PathBuf,
}

impl Drop for Ledger {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let resp = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// A draft with a deadline text, an assigned item long past its deadline (red, days late),
/// and an accepted item with a reported percent, led by another unit.
async fn ledger() -> Ledger {
    let app = TestApp::spawn().await;
    let t = &app.t;
    let now = t.clock.now_utc();
    let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
    let fgw = t.unit("省发改委", UnitKind::Department).await;
    let gxt = t.unit("省工信厅", UnitKind::Department).await;
    t.unit("省科技厅", UnitKind::Department).await;
    let store = t.engine.raw_store();
    let leader = store
        .create_person(
            NewPerson {
                name: "郭宁宁".into(),
                ..Default::default()
            },
            now,
        )
        .await
        .expect("person");
    store
        .create_chain(
            NewChain {
                name: "石化产业链".into(),
                parent: None,
                plan: None,
                leaders: vec![leader.id],
                lead_units: vec![fgw.id],
                units: vec![gxt.id],
            },
            now,
        )
        .await
        .expect("chain");
    let office_tok = app.token(office.id, AccountRole::Office).await;
    let gxt_tok = app.token(gxt.id, AccountRole::Unit).await;
    let file = |body: Value| {
        let app = &app;
        let tok = office_tok.clone();
        async move {
            post(app, "/api/items", &tok, body).await["item"]["id"]
                .as_str()
                .expect("id")
                .to_owned()
        }
    };
    let draft = file(json!({
        "number": "(一)", "title": "编制石化产业链图谱", "text": "梳理龙头企业和配套企业。",
        "chain": "石化产业链", "lead_unit": "省发改委", "co_units": ["省科技厅"],
        "leader": "郭宁宁", "deadline_text": "长期坚持"
    }))
    .await;
    let late = file(json!({
        "number": "(二)", "title": "推进古雷石化基地配套项目", "chain": "石化产业链",
        "lead_unit": "省发改委", "co_units": ["省工信厅", "省科技厅"], "deadline": "2026-02-10"
    }))
    .await;
    let on_time = file(json!({
        "number": "(三)", "title": "建设化工园区公共管廊", "lead_unit": "省工信厅",
        "deadline": "2026-12-31"
    }))
    .await;
    for id in [&late, &on_time] {
        post(
            &app,
            &format!("/api/items/{id}/transitions"),
            &office_tok,
            json!({"action": "assign"}),
        )
        .await;
    }
    post(
        &app,
        &format!("/api/items/{on_time}/transitions"),
        &gxt_tok,
        json!({"action": "accept"}),
    )
    .await;
    post(
        &app,
        &format!("/api/items/{on_time}/progress"),
        &gxt_tok,
        json!({"period": "2026-03", "text": "管廊主体完成四成", "percent": 40}),
    )
    .await;
    let dir = std::env::temp_dir().join(format!("xiaohao-ledger-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    Ledger {
        app,
        office: office_tok,
        gxt: gxt_tok,
        draft,
        late,
        on_time,
        dir,
    }
}

impl Ledger {
    /// `GET path` as the holder of `token`: the body's bytes.
    async fn download(&self, path: &str, token: &str) -> Vec<u8> {
        let resp = self
            .app
            .http
            .get(self.app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("download");
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        resp.bytes().await.expect("body").to_vec()
    }

    /// The CLI on the app's database, its clock standing at the app's instant.
    fn cli(&self, args: &[&str]) -> Output {
        let clock = self.dir.join("clock");
        FileClock::write(&clock, self.app.t.clock.now_utc()).expect("clock file");
        let out = Command::new(env!("CARGO_BIN_EXE_xiaohao"))
            .args(args)
            .env("XIAOHAO_DATABASE_URL", &self.app.t.db.url)
            .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
            .env("XIAOHAO_CLOCK_FILE", &clock)
            .env("XIAOHAO_LOG", "error")
            .output()
            .expect("run xiaohao");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    async fn item_count(&self) -> usize {
        let store = self.app.t.engine.raw_store();
        store
            .all_items(&ItemFilter::default())
            .await
            .expect("items")
            .len()
    }
}

/// Every cell of the 台账 sheet, row by row.
fn grid(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = wb.worksheet_range(SHEET).expect("sheet 台账");
    assert_eq!(range.start(), Some((0, 0)));
    range.rows().map(<[Data]>::to_vec).collect()
}

fn col(header: &str) -> usize {
    HEADERS
        .iter()
        .position(|h| *h == header)
        .unwrap_or_else(|| panic!("no column {header}"))
}

fn ids(grid: &[Vec<Data>]) -> BTreeSet<String> {
    grid[1..].iter().map(|r| r[col("ID")].to_string()).collect()
}

fn row_of<'a>(grid: &'a mut [Vec<Data>], id: &str) -> &'a mut Vec<Data> {
    grid.iter_mut()
        .find(|r| r[col("ID")] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

/// The sheet as a user saves it after editing: every cell as it was read (dates as dates,
/// numbers as numbers, the read-only columns included), in a new workbook.
fn save(grid: &[Vec<Data>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(SHEET).expect("name");
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (r, cells) in grid.iter().enumerate() {
        let r = u32::try_from(r).expect("row");
        for (c, cell) in cells.iter().enumerate() {
            let c = u16::try_from(c).expect("col");
            match cell {
                Data::Empty => continue,
                Data::Float(f) => ws.write_number(r, c, *f).map(|_| ()),
                Data::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
                Data::DateTime(dt) => {
                    let d = dt.as_datetime().expect("date").date();
                    let x = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).expect("year"),
                        u8::try_from(d.month()).expect("month"),
                        u8::try_from(d.day()).expect("day"),
                    )
                    .expect("excel date");
                    ws.write_datetime_with_format(r, c, &x, &date).map(|_| ())
                }
                other => ws.write_string(r, c, other.to_string()).map(|_| ()),
            }
            .expect("cell");
        }
    }
    wb.save_to_buffer().expect("save")
}

fn date_cell(d: &Data) -> Option<NaiveDate> {
    match d {
        Data::DateTime(dt) => dt.as_datetime().map(|x| x.date()),
        _ => None,
    }
}

#[tokio::test]
async fn a_ledger_downloaded_from_the_web_imports_as_commands_on_the_same_items() {
    let l = ledger().await;
    let engine = &l.app.t.engine;
    let store = engine.raw_store();
    let bytes = l.download("/api/export/ledger.xlsx", &l.office).await;
    assert_eq!(&bytes[..2], b"PK");
    let mut sheet = grid(&bytes);
    assert_eq!(sheet.len(), 4, "header and three items");
    assert_eq!(
        ids(&sheet),
        BTreeSet::from([l.draft.clone(), l.late.clone(), l.on_time.clone()])
    );
    let office = engine
        .actor_for("--as", "石化产业工作专班办公室")
        .await
        .expect("actor");

    // Imported untouched: nothing to do, nothing new.
    let plan = engine
        .import_ledger_workbook(&office, &bytes)
        .await
        .expect("import");
    assert!(plan.new_items.is_empty() && plan.decisions.is_empty());
    assert_eq!(plan.unchanged, 3);

    let id = |s: &str| s.parse::<ItemId>().expect("id");
    let events_before = store.events(id(&l.late)).await.expect("events").len();
    let draft_events_before = store.events(id(&l.draft)).await.expect("events").len();
    // The office moves a deadline and rewords a title, in the downloaded sheet.
    let new_deadline = NaiveDate::from_ymd_opt(2026, 7, 31).unwrap();
    let late_row = row_of(&mut sheet, &l.late);
    assert_eq!(
        date_cell(&late_row[col("完成时限")]),
        NaiveDate::from_ymd_opt(2026, 2, 10),
        "deadlines are dates, not text"
    );
    late_row[col("完成时限")] = Data::String("2026-07-31".into());
    row_of(&mut sheet, &l.draft)[col("事项")] = Data::String("编制并发布石化产业链图谱".into());
    let edited = save(&sheet);

    let plan = engine
        .import_ledger_workbook(&office, &edited)
        .await
        .expect("import");
    assert!(
        plan.new_items.is_empty(),
        "no new drafts: {:?}",
        plan.changes
    );
    assert_eq!(plan.decisions.len(), 2);
    assert_eq!(l.item_count().await, 3);
    let events = store.events(id(&l.late)).await.expect("events");
    assert_eq!(events.len(), events_before + 1);
    let last = events.last().expect("event");
    assert_eq!(last.kind, "reschedule");
    assert!(
        last.payload.contains("2026-07-31") && last.payload.contains("台账导入"),
        "{}",
        last.payload
    );
    let moved = store.item(id(&l.late)).await.expect("item");
    assert_eq!(moved.deadline, Some(new_deadline));
    let events = store.events(id(&l.draft)).await.expect("events");
    assert_eq!(events.len(), draft_events_before + 1);
    assert_eq!(events.last().expect("event").kind, "edit");
    assert_eq!(
        store.item(id(&l.draft)).await.expect("item").title,
        "编制并发布石化产业链图谱"
    );

    // Downloaded again and imported through the CLI: the same items, unchanged.
    let again = l.download("/api/export/ledger.xlsx", &l.office).await;
    let file = l.dir.join("台账.xlsx");
    std::fs::write(&file, &again).expect("save");
    let out = l.cli(&[
        "import",
        "ledger",
        file.to_str().unwrap(),
        "--as",
        "石化产业工作专班办公室",
    ]);
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.contains("0 new drafts, 0 items changed (0 commands), 3 unchanged"),
        "{out}"
    );
    assert_eq!(l.item_count().await, 3);

    // The download is the viewer's, with the ledger page's filters.
    let mine = grid(&l.download("/api/export/ledger.xlsx", &l.gxt).await);
    assert_eq!(
        ids(&mine),
        BTreeSet::from([l.late.clone(), l.on_time.clone()])
    );
    let drafts = grid(
        &l.download("/api/export/ledger.xlsx?state=draft", &l.office)
            .await,
    );
    assert_eq!(ids(&drafts), BTreeSet::from([l.draft.clone()]));
}

#[tokio::test]
async fn the_web_download_and_the_cli_export_are_one_layout() {
    let l = ledger().await;
    let engine = &l.app.t.engine;
    let web = grid(&l.download("/api/export/ledger.xlsx", &l.office).await);
    let file = l.dir.join("cli.xlsx");
    l.cli(&["export", "ledger", "--xlsx", file.to_str().unwrap()]);
    let cli = grid(&std::fs::read(&file).expect("cli export"));

    let header: Vec<String> = web[0].iter().map(ToString::to_string).collect();
    assert_eq!(header, HEADERS);
    assert_eq!(web[0], cli[0], "header rows");
    assert_eq!(web, cli, "every cell of the same items");

    // What the cells say: the light as text, days late in working days, dates as dates.
    let late = web
        .iter()
        .find(|r| r[col("ID")].to_string() == l.late)
        .expect("late row");
    assert_eq!(late[col("红黄绿灯")].to_string(), "红灯");
    let item = engine
        .raw_store()
        .item(l.late.parse().expect("id"))
        .await
        .expect("item");
    let days = engine.working_days_late(&item);
    assert!(days > 0);
    // 10 February to 2 March spans the Spring Festival: 20 calendar days, fewer working days.
    assert!(days < 20, "{days}");
    assert_eq!(late[col("逾期(工作日)")], Data::Float(days as f64));
    assert!(date_cell(&late[col("完成时限")]).is_some());
    assert_eq!(late[col("责任单位")].to_string(), "省工信厅、省科技厅");
    assert_eq!(late[col("产业链/专项")].to_string(), "石化产业链");
    let on_time = web
        .iter()
        .find(|r| r[col("ID")].to_string() == l.on_time)
        .expect("row");
    assert_eq!(on_time[col("进度(%)")], Data::Float(40.0));
    assert_eq!(on_time[col("最新进展")].to_string(), "管廊主体完成四成");
    assert_eq!(on_time[col("逾期(工作日)")], Data::Empty);
    let draft = web
        .iter()
        .find(|r| r[col("ID")].to_string() == l.draft)
        .expect("row");
    assert_eq!(draft[col("完成时限")].to_string(), "长期坚持");
    assert_eq!(draft[col("牵头领导")].to_string(), "郭宁宁");

    // The CSV: the same columns in the same order, the same rows, behind a BOM.
    let csv = l.download("/api/export/ledger.csv", &l.office).await;
    let text = String::from_utf8(csv).expect("utf-8");
    let body = text.strip_prefix('\u{feff}').expect("BOM");
    let lines: Vec<&str> = body.split("\r\n").filter(|s| !s.is_empty()).collect();
    assert_eq!(lines[0], HEADERS.join(","));
    assert_eq!(lines.len(), web.len());
    for (line, row) in lines[1..].iter().zip(&web[1..]) {
        assert!(line.ends_with(&row[col("ID")].to_string()), "{line}");
    }
    assert!(lines.iter().any(|l| l.contains(",红灯,")), "{body}");
}
