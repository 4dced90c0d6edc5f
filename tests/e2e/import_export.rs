//! Plans into the ledger through the CLI, the Excel 台账 round trip, and the all-or-nothing
//! rules of both imports — on SQLite and PostgreSQL alike.

use crate::support::{NowUtc, TestDb, TestEngine};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use xiaohao_core::org::{UnitKind, normalize_name};
use xiaohao_engine::Engine;
use xiaohao_import::ledger::{DeadlineCell, LedgerRow, read_ledger, write_ledger};
use xiaohao_import::{ChainDraft, PlanDraft};
use xiaohao_store::{ItemFilter, ItemImport, PlanImport, Store};

const SEEDS: [&str; 3] = [
    "fujian_2022_coordination.txt",
    "hunan_2021_chain_leaders.txt",
    "sanming_2020_measures.txt",
];

fn seed_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/seeds")
        .join(name)
}

struct Cli {
    db: TestDb,
    dir: PathBuf,
}

impl Cli {
    async fn new() -> Cli {
        let dir = std::env::temp_dir().join(format!("xiaohao-imp-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        // Only serve, migrate, demo and import create the database; start from a migrated one.
        let db = TestDb::new().await;
        db.store().await;
        Cli { db, dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xiaohao"))
            .args(args)
            .env("XIAOHAO_DATABASE_URL", &self.db.url)
            .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
            .env("XIAOHAO_LOG", "warn")
            .output()
            .expect("run xiaohao")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    fn refused(&self, args: &[&str], needle: &str) -> String {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {err}");
        assert!(lines[0].contains(needle), "{args:?}: {err}");
        err
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn count_chains(chains: &[ChainDraft]) -> usize {
    chains.iter().map(|c| 1 + count_chains(&c.children)).sum()
}

fn chain_units(chains: &[ChainDraft], out: &mut BTreeSet<String>) {
    for c in chains {
        out.extend(
            c.lead_units
                .iter()
                .chain(&c.units)
                .map(|u| normalize_name(u)),
        );
        chain_units(&c.children, out);
    }
}

/// The distinct unit names a draft mentions, as the store keys them.
fn unit_names(d: &PlanDraft) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for t in &d.tasks {
        out.extend(t.lead.iter().chain(&t.co).map(|u| normalize_name(u)));
    }
    chain_units(&d.chains, &mut out);
    out
}

async fn all_items(store: &Store) -> u64 {
    store
        .items(&ItemFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("items")
        .total
}

#[tokio::test]
async fn dry_run_prints_the_draft_without_a_database() {
    let cli = Cli::new().await;
    // An unreachable database proves the dry run never opens one.
    let out = Command::new(env!("CARGO_BIN_EXE_xiaohao"))
        .args(["import", "plan"])
        .arg(seed_path(SEEDS[0]))
        .args(["--dry-run", "--format", "json"])
        .env("XIAOHAO_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("XIAOHAO_LOG", "warn")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in ["title", "doc_number", "issuer", "date", "chains", "tasks"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["doc_number"], "闽发改工业〔2022〕193号");
    let task = &v["tasks"][0];
    for key in [
        "number", "section", "title", "text", "lead", "co", "leaders", "deadline", "targets",
    ] {
        assert!(task.get(key).is_some(), "task lacks {key}");
    }
    // GB18030 bytes give the same draft.
    let text = std::fs::read_to_string(seed_path(SEEDS[0])).expect("seed");
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let gb_path = cli.file("plan-gb18030.txt");
    std::fs::write(&gb_path, &gb).expect("write");
    let gb_out = cli.ok(&[
        "import",
        "plan",
        gb_path.to_str().unwrap(),
        "--dry-run",
        "--format",
        "json",
    ]);
    let gv: serde_json::Value = serde_json::from_str(&gb_out).expect("json");
    assert_eq!(gv, v);
    // A binary file is refused with one line.
    let bin = cli.file("plan.pdf");
    std::fs::write(&bin, b"%PDF-1.7\n\x00\x01binary").expect("write");
    cli.refused(
        &["import", "plan", bin.to_str().unwrap(), "--dry-run"],
        "PDF",
    );
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/import/tests/fixtures")
        .join(name)
}

/// A plan whose tasks stand under chain headings, imported for real: each item is filed in
/// its chain; the dry run's JSON names the chain of every task.
#[tokio::test]
async fn imported_tasks_are_filed_in_their_chains() {
    let cli = Cli::new().await;
    cli.ok(&["unit", "add", "专班办公室", "--kind", "office"]);
    let path = fixture_path("fujian_2022_chains.txt");
    let file = path.to_str().unwrap();
    let dry: serde_json::Value =
        serde_json::from_str(&cli.ok(&["import", "plan", file, "--dry-run", "--format", "json"]))
            .expect("json");
    let chains_of_tasks: Vec<&str> = dry["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["chain"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        chains_of_tasks,
        [
            "新能源汽车产业链",
            "新能源汽车产业链",
            "集成电路产业链",
            "生物医药产业",
            "生物医药产业"
        ]
    );
    cli.ok(&["import", "plan", file, "--as", "专班办公室"]);
    let store = cli.db.store().await;
    let chains = store.chains().await.expect("chains");
    assert_eq!(chains.len(), 3);
    for (name, count) in [
        ("新能源汽车产业链", 2),
        ("集成电路产业链", 1),
        ("生物医药产业", 2),
    ] {
        let chain = chains.iter().find(|c| c.name == name).expect(name);
        let page = store
            .items(&ItemFilter {
                chain: Some(chain.id),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("items");
        assert_eq!(page.total, count, "{name}");
    }
}

/// A Word document goes through the same command as text; an empty one is refused with
/// one line.
#[tokio::test]
async fn a_docx_plan_is_read_like_its_text() {
    let cli = Cli::new().await;
    let text = std::fs::read_to_string(fixture_path("sichuan_2021_zhuban.txt")).expect("text");
    let body: String = text
        .lines()
        .map(|l| {
            let l = l
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!("<w:p><w:r><w:t>{l}</w:t></w:r></w:p>")
        })
        .collect();
    let docx = |body: &str| {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .expect("entry");
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        );
        zip.write_all(xml.as_bytes()).expect("write");
        zip.finish().expect("finish").into_inner()
    };
    let docx_path = cli.file("若干措施.docx");
    std::fs::write(&docx_path, docx(&body)).expect("write");
    let txt_path = cli.file("若干措施.txt");
    std::fs::write(&txt_path, &text).expect("write");
    let json = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&cli.ok(&[
            "import",
            "plan",
            p.to_str().unwrap(),
            "--dry-run",
            "--format",
            "json",
        ]))
        .expect("json")
    };
    let from_docx = json(&docx_path);
    assert_eq!(from_docx, json(&txt_path));
    assert_eq!(from_docx["tasks"].as_array().map(Vec::len), Some(8));
    let empty = cli.file("空白.docx");
    std::fs::write(&empty, docx("<w:p/>")).expect("write");
    cli.refused(
        &["import", "plan", empty.to_str().unwrap(), "--dry-run"],
        "empty",
    );
}

#[tokio::test]
async fn every_seed_imports_through_the_cli_with_the_counts_of_its_draft() {
    let cli = Cli::new().await;
    cli.ok(&["unit", "add", "专班办公室", "--kind", "office"]);
    // One unit known in advance under an alias: resolved, not created.
    cli.ok(&[
        "unit",
        "add",
        "省工业和信息化厅",
        "--alias",
        "省工信厅",
        "--level",
        "province",
    ]);
    let store = cli.db.store().await;
    let mut units_before = store.units().await.expect("units").len();
    let mut items_before = 0u64;
    let mut chains_before = 0usize;
    for seed in SEEDS {
        let path = seed_path(seed);
        let text = xiaohao_import::decode(&std::fs::read(&path).expect("seed")).expect("text");
        let draft = xiaohao_import::parse_plan(&text);
        assert!(!draft.tasks.is_empty(), "{seed}: no tasks");
        let names = unit_names(&draft);
        let known: BTreeSet<String> = store
            .units()
            .await
            .expect("units")
            .into_iter()
            .flat_map(|u| std::iter::once(u.name).chain(u.aliases))
            .collect();
        let new_units = names.iter().filter(|n| !known.contains(*n)).count();

        let out = cli.ok(&[
            "import",
            "plan",
            path.to_str().unwrap(),
            "--as",
            "专班办公室",
            "--format",
            "json",
        ]);
        let summary: serde_json::Value = serde_json::from_str(&out).expect("summary json");
        assert_eq!(
            summary["items"].as_array().map(Vec::len),
            Some(draft.tasks.len()),
            "{seed}"
        );
        assert_eq!(summary["chains"], count_chains(&draft.chains), "{seed}");
        assert_eq!(
            summary["units_created"].as_array().map(Vec::len),
            Some(new_units),
            "{seed}"
        );

        let units = store.units().await.expect("units");
        assert_eq!(
            units.len(),
            units_before + new_units,
            "{seed}: units in the database"
        );
        assert!(units.iter().filter(|u| u.needs_review).count() >= new_units);
        let items = all_items(&store).await;
        assert_eq!(
            items,
            items_before + draft.tasks.len() as u64,
            "{seed}: items"
        );
        let chains = store.chains().await.expect("chains").len();
        assert_eq!(
            chains,
            chains_before + count_chains(&draft.chains),
            "{seed}: chains"
        );
        units_before = units.len();
        items_before = items;
        chains_before = chains;
    }
    // Every imported item is a draft with a create event, and the plans are recorded.
    let page = store
        .items(&ItemFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("items");
    assert!(
        page.items
            .iter()
            .all(|i| i.state == xiaohao_core::ItemState::Draft)
    );
    assert_eq!(store.plans().await.expect("plans").len(), 3);
    // Fujian: 省工信厅 resolved through its alias, so no second 工信厅 was created.
    let gxt = store.resolve_unit("省工信厅").await.expect("alias");
    assert_eq!(gxt.name, "省工业和信息化厅");
    assert!(!gxt.needs_review);
    // Kinds and levels are guessed for created units.
    let units = store.units().await.expect("units");
    if let Some(u) = units
        .iter()
        .find(|u| u.name.ends_with("政府") && u.needs_review)
    {
        assert_eq!(u.kind, UnitKind::Government, "{}", u.name);
    }
    if let Some(u) = units
        .iter()
        .find(|u| u.name.starts_with('各') && u.needs_review)
    {
        assert_eq!(u.kind, UnitKind::Group, "{}", u.name);
    }

    // The imported ledger round-trips through Excel unchanged: no commands.
    let xlsx = cli.file("seeds.xlsx");
    let out = cli.ok(&["export", "ledger", "--xlsx", xlsx.to_str().unwrap()]);
    assert!(out.contains(&format!("{items_before} items")), "{out}");
    let out = cli.ok(&[
        "import",
        "ledger",
        xlsx.to_str().unwrap(),
        "--as",
        "专班办公室",
    ]);
    assert!(
        out.contains(&format!(
            "0 new drafts, 0 items changed (0 commands), {items_before} unchanged"
        )),
        "{out}"
    );

    // The same plan again is refused, and nothing is written; --allow-duplicate imports it.
    let fujian = seed_path(SEEDS[0]);
    cli.refused(
        &[
            "import",
            "plan",
            fujian.to_str().unwrap(),
            "--as",
            "专班办公室",
        ],
        "already imported",
    );
    assert_eq!(all_items(&store).await, items_before);
    let out = cli.ok(&[
        "import",
        "plan",
        fujian.to_str().unwrap(),
        "--as",
        "专班办公室",
        "--allow-duplicate",
    ]);
    assert!(out.contains("items as drafts"), "{out}");
    assert!(all_items(&store).await > items_before);
    // Without --as and without --dry-run: one line, exit 2.
    cli.refused(&["import", "plan", fujian.to_str().unwrap()], "--as");
}

#[tokio::test]
async fn a_plan_that_fails_on_its_last_task_writes_nothing() {
    let t = TestEngine::new().await;
    let office = t.unit("专班办公室", UnitKind::Office).await;
    let actor = Engine::actor_of(&office);
    let store = t.engine.raw_store();
    let units_before = store.units().await.expect("units").len();
    let mut items: Vec<ItemImport> = (1..=5)
        .map(|i| ItemImport {
            number: Some(format!("({i})")),
            title: format!("任务{i}"),
            lead: Some(format!("新单位{i}")),
            co: vec!["省新建局".into()],
            leaders: vec!["王五".into()],
            ..Default::default()
        })
        .collect();
    // The last task has no title: the domain refuses it after four tasks were written.
    items.push(ItemImport {
        number: Some("(6)".into()),
        title: "   ".into(),
        ..Default::default()
    });
    let imp = PlanImport {
        title: "测试方案".into(),
        doc_number: Some("测〔2026〕1号".into()),
        chains: vec![xiaohao_store::ChainImport {
            name: "测试产业链".into(),
            leaders: vec!["李四".into()],
            lead_units: vec!["新单位1".into()],
            ..Default::default()
        }],
        items,
        ..Default::default()
    };
    let err = store
        .import_plan(&imp, &actor, t.clock.now_utc())
        .await
        .expect_err("the last task is invalid");
    assert!(err.to_string().contains("task 6"), "{err}");
    assert_eq!(store.units().await.expect("units").len(), units_before);
    assert_eq!(all_items(store).await, 0);
    assert!(store.chains().await.expect("chains").is_empty());
    assert!(store.plans().await.expect("plans").is_empty());
    assert!(store.people_named("王五").await.expect("people").is_empty());

    // Without the bad task the same import writes everything.
    let mut ok = imp.clone();
    ok.items.pop();
    let summary = store
        .import_plan(&ok, &actor, t.clock.now_utc())
        .await
        .expect("import");
    assert_eq!(summary.items.len(), 5);
    assert_eq!(summary.units_created.len(), 6);
    assert_eq!(summary.chains, 1);
    assert_eq!(all_items(store).await, 5);
}

/// The export's rows turned back into a workbook a user might have saved.
fn rows_of(bytes: &[u8]) -> Vec<LedgerRow> {
    let (inputs, errors) = read_ledger(bytes).expect("workbook");
    assert!(errors.is_empty(), "{errors:?}");
    inputs
        .into_iter()
        .map(|r| LedgerRow {
            number: r.number.unwrap_or_default(),
            title: r.title,
            lead: r.lead.unwrap_or_default(),
            co: r.co.unwrap_or_default(),
            leader: r.leader.unwrap_or_default(),
            deadline: r.deadline.unwrap_or(DeadlineCell::Empty),
            text: r.text.unwrap_or_default(),
            id: r.id.unwrap_or_default(),
            ..Default::default()
        })
        .collect()
}

#[tokio::test]
async fn the_excel_ledger_round_trips_and_edits_become_commands() {
    let cli = Cli::new().await;
    cli.ok(&["unit", "add", "专班办公室", "--kind", "office"]);
    cli.ok(&["unit", "add", "省发改委"]);
    cli.ok(&["unit", "add", "省工业和信息化厅", "--alias", "省工信厅"]);
    cli.ok(&["unit", "add", "省科技厅"]);
    let add = |title: &str, lead: &str, deadline: &str| {
        let out = cli.ok(&[
            "item",
            "add",
            "--as",
            "专班办公室",
            "--title",
            title,
            "--lead",
            lead,
            "--co",
            "省科技厅",
            "--deadline",
            deadline,
            "--number",
            "(一)",
        ]);
        out.split('\t').next().unwrap_or_default().trim().to_owned()
    };
    let draft = add("编制产业链图谱", "省发改委", "2026-06-30");
    let assigned = add("推进重大项目建设", "省发改委", "2026-09-30");
    cli.ok(&["item", "do", &assigned, "assign", "--as", "专班办公室"]);

    let xlsx = cli.file("ledger.xlsx");
    let out = cli.ok(&["export", "ledger", "--xlsx", xlsx.to_str().unwrap()]);
    assert!(out.contains("2 items"), "{out}");
    let bytes = std::fs::read(&xlsx).expect("xlsx");
    assert_eq!(&bytes[..2], b"PK");

    // Unchanged: no changes, no events.
    let out = cli.ok(&[
        "import",
        "ledger",
        xlsx.to_str().unwrap(),
        "--as",
        "专班办公室",
    ]);
    assert!(
        out.contains("0 new drafts, 0 items changed (0 commands), 2 unchanged"),
        "{out}"
    );

    let store = cli.db.store().await;
    let events = |id: &str| {
        let store = store.clone();
        let id = id.parse().expect("id");
        async move { store.events(id).await.expect("events") }
    };
    let before_draft = events(&draft).await.len();
    let before_assigned = events(&assigned).await.len();

    // One cell edited: the deadline of the draft → exactly one reschedule.
    let mut rows = rows_of(&bytes);
    let i = rows.iter().position(|r| r.id == draft).expect("row");
    rows[i].deadline = DeadlineCell::Date(chrono::NaiveDate::from_ymd_opt(2026, 7, 31).unwrap());
    let edited = cli.file("edited.xlsx");
    std::fs::write(&edited, write_ledger(&rows).expect("write")).expect("save");
    let out = cli.ok(&[
        "import",
        "ledger",
        edited.to_str().unwrap(),
        "--as",
        "专班办公室",
    ]);
    assert!(out.contains("1 items changed (1 commands)"), "{out}");
    let ev = events(&draft).await;
    assert_eq!(ev.len(), before_draft + 1);
    let last = ev.last().expect("event");
    assert_eq!(last.kind, "reschedule");
    assert!(
        last.payload.contains("2026-07-31") && last.payload.contains("台账导入"),
        "{}",
        last.payload
    );
    assert_eq!(events(&assigned).await.len(), before_assigned);
    let item = store.item(draft.parse().unwrap()).await.expect("item");
    assert_eq!(item.deadline, chrono::NaiveDate::from_ymd_opt(2026, 7, 31));
    assert_eq!(item.due_on, item.deadline);

    // The lead of the assigned item changed → a transfer with reason 台账导入; a title edit
    // → an edit; a new row → a draft.
    let j = rows.iter().position(|r| r.id == assigned).expect("row");
    rows[j].lead = "省工信厅".into();
    rows[i].title = "编制并发布产业链图谱".into();
    rows[i].number = "(二)".into();
    rows.push(LedgerRow {
        id: String::new(),
        title: "新增事项".into(),
        lead: "省科技厅".into(),
        co: vec![],
        deadline: DeadlineCell::Text("长期坚持".into()),
        ..rows[0].clone()
    });
    std::fs::write(&edited, write_ledger(&rows).expect("write")).expect("save");
    let out = cli.ok(&[
        "import",
        "ledger",
        edited.to_str().unwrap(),
        "--as",
        "专班办公室",
    ]);
    assert!(
        out.contains("1 new drafts, 2 items changed (2 commands)"),
        "{out}"
    );
    let ev = events(&assigned).await;
    let last = ev.last().expect("event");
    assert_eq!(last.kind, "transfer");
    assert!(last.payload.contains("台账导入"), "{}", last.payload);
    let moved = store.item(assigned.parse().unwrap()).await.expect("item");
    assert_eq!(
        moved.lead_unit,
        Some(store.resolve_unit("省工信厅").await.unwrap().id)
    );
    assert_eq!(events(&draft).await.last().unwrap().kind, "edit");
    let edited_item = store.item(draft.parse().unwrap()).await.expect("item");
    assert_eq!(edited_item.title, "编制并发布产业链图谱");
    assert_eq!(edited_item.number.as_deref(), Some("(二)"));
    let listed = cli.ok(&["item", "list", "--q", "新增事项"]);
    assert!(listed.contains("待交办"), "{listed}");

    // Re-exported and re-imported unchanged: nothing to do.
    cli.ok(&["export", "ledger", "--xlsx", xlsx.to_str().unwrap()]);
    let out = cli.ok(&[
        "import",
        "ledger",
        xlsx.to_str().unwrap(),
        "--as",
        "专班办公室",
    ]);
    assert!(
        out.contains("0 items changed (0 commands), 3 unchanged"),
        "{out}"
    );

    // A sheet with one bad row applies nothing, and names the row.
    let mut rows = rows_of(&std::fs::read(&xlsx).unwrap());
    rows[0].title = "不应写入的修改".into();
    rows[1].leader = "无此人".into();
    rows[2].lead = "不存在的单位".into();
    std::fs::write(&edited, write_ledger(&rows).expect("write")).expect("save");
    let counts = |s: &Store| {
        let s = s.clone();
        async move {
            let page = s
                .items(&ItemFilter {
                    limit: 100,
                    ..Default::default()
                })
                .await
                .unwrap();
            let mut n = 0;
            for it in &page.items {
                n += s.events(it.id).await.unwrap().len();
            }
            (page.total, n)
        }
    };
    let before = counts(&store).await;
    cli.refused(
        &[
            "import",
            "ledger",
            edited.to_str().unwrap(),
            "--as",
            "专班办公室",
        ],
        "第3行: 牵头领导: unknown person `无此人`; 第4行: 牵头单位: unknown unit `不存在的单位`",
    );
    assert_eq!(counts(&store).await, before);
    // Filtered export: only the items a unit takes part in.
    let out = cli.ok(&[
        "export",
        "ledger",
        "--xlsx",
        xlsx.to_str().unwrap(),
        "--unit",
        "省工信厅",
    ]);
    assert!(out.contains("1 items"), "{out}");
    cli.refused(
        &[
            "export",
            "ledger",
            "--xlsx",
            xlsx.to_str().unwrap(),
            "--chain",
            "无此链",
        ],
        "--chain",
    );
}

#[tokio::test]
async fn bulletins_come_out_as_markdown_escaped_html_xlsx_and_json() {
    let cli = Cli::new().await;
    cli.ok(&["unit", "add", "专班办公室", "--kind", "office"]);
    cli.ok(&["unit", "add", "<script>alert(1)</script>局"]);
    let out = cli.ok(&[
        "item",
        "add",
        "--as",
        "专班办公室",
        "--title",
        "A&B <b>任务</b>",
        "--lead",
        "<script>alert(1)</script>局",
        "--deadline",
        "2026-01-15",
    ]);
    let id = out.split('\t').next().unwrap_or_default().trim().to_owned();
    cli.ok(&["item", "do", &id, "assign", "--as", "专班办公室"]);

    let md = cli.ok(&["report", "annual", "--year", "2026"]);
    assert!(md.contains("# 2026年度对账销号工作通报"), "{md}");
    assert!(md.contains("A&B <b>任务</b>"), "{md}");
    let html = cli.ok(&["report", "annual", "--year", "2026", "--format", "html"]);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;局"),
        "{html}"
    );
    assert!(html.contains("A&amp;B &lt;b&gt;任务&lt;/b&gt;"), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    let json = cli.ok(&["report", "annual", "--year", "2026", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["total"]["total"], 1);
    assert_eq!(v["total"]["overdue"], 1);
    assert_eq!(v["red_items"].as_array().map(Vec::len), Some(1));
    let xlsx = cli.file("bulletin.xlsx");
    let out = cli.ok(&[
        "report",
        "quarterly",
        "--period",
        "2026Q4",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    assert!(out.contains("2026年第四季度"), "{out}");
    assert_eq!(&std::fs::read(&xlsx).expect("xlsx")[..2], b"PK");
    cli.refused(&["report", "quarterly", "--period", "2026Q5"], "--period");
    cli.refused(
        &[
            "report",
            "quarterly",
            "--period",
            "2026Q4",
            "--format",
            "xlsx",
        ],
        "--out",
    );
    cli.refused(
        &["report", "annual", "--year", "2026", "--format", "pdf"],
        "--format",
    );
}
