//! The ledger an office works from, over HTTP on either database: filters and sort in the
//! query string, the light filter selecting exactly what the rows colour, pages that keep
//! filters and sort, the download holding exactly the filtered rows, drafts handed out in
//! bulk with per-row results, and 编辑 / 调整时限 / 转办 / 新建 from the item forms.

use crate::support::TestApp;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::redirect::Policy;
use std::collections::BTreeSet;
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, Command, ItemId, ItemState, Light};
use xiaohao_engine::{Engine, ItemRequest};
use xiaohao_import::ledger::{HEADERS, SHEET};
use xiaohao_store::{ItemFilter, NewChain, NewPerson, NewPlan};

pub struct Desk {
    pub app: TestApp,
    /// The office's session secret (sent as the cookie).
    pub office: String,
    /// The office's username (to sign in in a browser).
    pub office_user: String,
    pub plan_a: String,
    pub plan_b: String,
    pub chain: String,
    /// 60 drafts of plan A, numbered (一) … (六十).
    pub drafts: Vec<ItemId>,
    pub red: ItemId,
    pub yellow: ItemId,
    pub green: ItemId,
}

const NUMERALS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// 1 → 一, 12 → 十二, 60 → 六十.
fn numeral(n: usize) -> String {
    let (tens, ones) = (n / 10, n % 10);
    let tens = match tens {
        0 => String::new(),
        1 => "十".into(),
        t => format!("{}十", NUMERALS[t]),
    };
    format!("{tens}{}", NUMERALS[ones])
}

pub async fn desk(app: TestApp) -> Desk {
    let t = &app.t;
    let e = &t.engine;
    let now = e.now();
    let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
    let gxt = t.unit("省工信厅", UnitKind::Department).await;
    t.unit("省科技厅", UnitKind::Department).await;
    let store = e.raw_store();
    let guo = store
        .create_person(
            NewPerson {
                name: "郭宁宁".into(),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    let plan = |title: &str| NewPlan {
        title: title.into(),
        ..Default::default()
    };
    let plan_a = store
        .create_plan(plan("石化产业链工作方案"), now)
        .await
        .unwrap()
        .id
        .to_string();
    let plan_b = store
        .create_plan(plan("新能源产业链工作方案"), now)
        .await
        .unwrap()
        .id
        .to_string();
    let chain = store
        .create_chain(
            NewChain {
                name: "石化产业链".into(),
                leaders: vec![guo.id],
                lead_units: vec![gxt.id],
                units: vec![office.id],
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap()
        .id
        .to_string();
    let oa = AccountRole::Office.actor(office.id, "专班");
    let file = |number: String, title: String, plan: &str, deadline: Option<&str>| ItemRequest {
        number: Some(number),
        title,
        plan: Some(plan.to_owned()),
        lead_unit: Some("省工信厅".into()),
        deadline: deadline.map(str::to_owned),
        ..Default::default()
    };
    let mut drafts = Vec::new();
    // Filed in a shuffled order, so plan order is not numbering order.
    for n in (1..=60).rev() {
        let req = file(
            format!("({})", numeral(n)),
            format!("草稿事项{n}"),
            &plan_a,
            None,
        );
        drafts.push(e.file_item(&oa, &req).await.unwrap().item.id);
    }
    drafts.reverse();
    let assign = Command::Assign {
        lead_unit: None,
        deadline: None,
    };
    let mut running = Vec::new();
    // Today is Monday 2 March 2026: past due, due within the yellow window, far off.
    for (n, title, deadline) in [
        (1, "红灯事项", "2026-02-20"),
        (2, "黄灯事项", "2026-03-03"),
        (3, "绿灯事项", "2026-12-31"),
    ] {
        let req = file(format!("{n}."), title.into(), &plan_b, Some(deadline));
        let id = e.file_item(&oa, &req).await.unwrap().item.id;
        e.execute(id, &oa, &assign, None).await.unwrap();
        running.push(id);
    }
    e.execute(
        running[0],
        &oa,
        &Command::Escalate {
            level: 1,
            step: "催办".into(),
            notify: vec![],
            deadline_key: "2026-02-20".into(),
            urgent: false,
            reason: Some("逾期未办结".into()),
        },
        None,
    )
    .await
    .unwrap();
    let username = app.user(office.id, AccountRole::Office).await;
    let office_token = app.login(&username).await;
    Desk {
        office: office_token,
        office_user: username,
        plan_a,
        plan_b,
        chain,
        drafts,
        red: running[0],
        yellow: running[1],
        green: running[2],
        app,
    }
}

impl Desk {
    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> String {
        let resp = Self::client()
            .get(self.app.url(path))
            .header("cookie", format!("xh_session={}", self.office))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.text().await.unwrap()
    }

    pub async fn bytes(&self, path: &str) -> Vec<u8> {
        let resp = Self::client()
            .get(self.app.url(path))
            .header("cookie", format!("xh_session={}", self.office))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.bytes().await.unwrap().to_vec()
    }

    /// A form post from our own pages; (status, Location, body).
    pub async fn post(&self, path: &str, form: &[(&str, String)]) -> (u16, String, String) {
        let resp = Self::client()
            .post(self.app.url(path))
            .header("cookie", format!("xh_session={}", self.office))
            .header("origin", self.app.url(""))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, location, resp.text().await.unwrap_or_default())
    }
}

/// The `data-…` attribute of every ledger row, in page order.
pub fn rows(page: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    page.split("<tr data-id=")
        .skip(1)
        .filter_map(|row| {
            let tag = &row[..row.find('>').unwrap_or(row.len())];
            let at = tag.find(&needle)? + needle.len();
            Some(tag[at..at + tag[at..].find('"')?].to_owned())
        })
        .collect()
}

fn ids(page: &str) -> Vec<String> {
    page.split("<tr data-id=\"")
        .skip(1)
        .map(|row| row[..row.find('"').unwrap()].to_owned())
        .collect()
}

/// The `href` of the element with this id, with the escaped `&` undone.
fn href(page: &str, id: &str) -> String {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id}"));
    let open = page[..at].rfind('<').unwrap();
    let tag = &page[open..open + page[open..].find('>').unwrap()];
    let start = tag.find("href=\"").unwrap() + 6;
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].replace("&amp;", "&").replace("&#38;", "&")
}

fn sheet_ids(bytes: Vec<u8>) -> BTreeSet<String> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let range = wb.worksheet_range(SHEET).expect("sheet");
    let grid: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let header: Vec<String> = grid[0].iter().map(ToString::to_string).collect();
    assert_eq!(header, HEADERS, "the one 台账 layout");
    let id = HEADERS.iter().position(|h| *h == "ID").unwrap();
    grid[1..].iter().map(|r| r[id].to_string()).collect()
}

#[tokio::test]
async fn the_office_filters_sorts_pages_and_downloads_exactly_its_rows() {
    let d = desk(TestApp::spawn().await).await;
    let e = &d.app.t.engine;

    // Sorted by 逾期(工作日), most late first: the red item leads, with its days late as
    // the policy counts them, its light as a dot and as text.
    let page = d
        .get(&format!("/ledger?plan={}&sort=late&dir=desc", d.plan_b))
        .await;
    assert_eq!(ids(&page)[0], d.red.to_string());
    let red = e.raw_store().item(d.red).await.unwrap();
    let late = e.lateness(&red).working_days;
    assert!(late > 0);
    assert!(page.contains(&format!(
        "<td class=\"n late\" data-label=\"逾期(工作日)\">{late}</td>"
    )));
    for text in ["红", "黄", "绿"] {
        assert!(
            page.contains(&format!("<span class=\"light-text\">{text}")),
            "{text}"
        );
    }
    assert!(page.contains("aria-sort=\"descending\""));

    // The light filter selects exactly what the rows are coloured, by the engine's rule.
    for light in [Light::Red, Light::Yellow, Light::Green, Light::Grey] {
        let page = d.get(&format!("/ledger?light={}", light.as_str())).await;
        let shown: BTreeSet<String> = ids(&page).into_iter().collect();
        assert!(
            rows(&page, "data-light")
                .iter()
                .all(|l| l == light.as_str())
        );
        let expected: BTreeSet<String> = e
            .raw_store()
            .all_items(&ItemFilter::default())
            .await
            .unwrap()
            .iter()
            .filter(|it| e.light_of(it) == light)
            .map(|it| it.id.to_string())
            .collect();
        if light == Light::Grey {
            // 60 drafts: the first page of 50.
            assert_eq!(shown.len(), 50);
            assert!(shown.is_subset(&expected));
        } else {
            assert_eq!(shown, expected, "{light:?}");
        }
    }
    let yellow = d.get("/ledger?light=yellow").await;
    assert_eq!(ids(&yellow), [d.yellow.to_string()]);

    // Level, overdue and plan filters.
    let escalated = d.get("/ledger?level=1").await;
    assert_eq!(ids(&escalated), [d.red.to_string()]);
    let overdue = d.get("/ledger?overdue=true").await;
    assert_eq!(ids(&overdue), [d.red.to_string()]);
    let plan_b = d.get(&format!("/ledger?plan={}", d.plan_b)).await;
    let shown: BTreeSet<String> = ids(&plan_b).into_iter().collect();
    let expected: BTreeSet<String> = [d.red, d.yellow, d.green]
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(shown, expected);

    // Plan A by 序号: two pages that keep filter and sort, in numbering order.
    let first = d
        .get(&format!("/ledger?plan={}&sort=number", d.plan_a))
        .await;
    let next = href(&first, "page-next");
    assert!(next.contains(&format!("plan={}", d.plan_a)), "{next}");
    assert!(
        next.contains("sort=number") && next.contains("offset=50"),
        "{next}"
    );
    let second = d.get(&next).await;
    let mut all = ids(&first);
    all.extend(ids(&second));
    let drafts: Vec<String> = d.drafts.iter().map(ToString::to_string).collect();
    assert_eq!(all, drafts, "(一) … (六十) in order across both pages");
    assert!(href(&second, "page-prev").contains("sort=number"));

    // The download of the filtered page holds exactly its rows, in the 台账 layout.
    let page = d
        .get(&format!("/ledger?plan={}&state=assigned", d.plan_b))
        .await;
    let link = href(&page, "export");
    assert!(link.starts_with("/api/export/ledger.xlsx?"), "{link}");
    assert_eq!(sheet_ids(d.bytes(&link).await), expected);
    let page = d.get("/ledger?light=yellow").await;
    assert_eq!(
        sheet_ids(d.bytes(&href(&page, "export")).await),
        BTreeSet::from([d.yellow.to_string()])
    );
    // All 60 drafts, though the page shows 50.
    let page = d
        .get(&format!("/ledger?plan={}&sort=title", d.plan_a))
        .await;
    assert_eq!(sheet_ids(d.bytes(&href(&page, "export")).await).len(), 60);
}

#[tokio::test]
async fn drafts_are_handed_out_in_bulk_and_corrected_from_the_item_forms() {
    let d = desk(TestApp::spawn().await).await;
    let e = &d.app.t.engine;
    let store = e.raw_store();

    // Three drafts and one item already assigned.
    let picked = [d.drafts[0], d.drafts[1], d.drafts[2], d.green];
    let mut form: Vec<(&str, String)> = picked.iter().map(|i| ("id", i.to_string())).collect();
    form.extend([
        ("deadline", "2026-09-30".to_owned()),
        ("co_units", "省科技厅".to_owned()),
        ("leader", "郭宁宁".to_owned()),
        ("chain", d.chain.clone()),
        ("back", "state=draft&sort=number".to_owned()),
    ]);
    let (status, _, page) = d.post("/ledger/assign", &form).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("已交办 3 项"), "{page}");
    assert!(page.contains("未能交办 1 项"), "{page}");
    assert!(page.contains("不是待交办事项"), "{page}");
    assert!(
        page.contains("href=\"/ledger?state=draft&#38;sort=number\""),
        "{page}"
    );
    let keji = store.resolve_unit("省科技厅").await.unwrap().id;
    for id in &picked[..3] {
        let it = store.item(*id).await.unwrap();
        assert_eq!(it.state, ItemState::Assigned);
        assert_eq!(it.deadline.unwrap().to_string(), "2026-09-30");
        assert_eq!(it.co_units, [keji]);
        assert!(it.leader.is_some() && it.chain_id.is_some());
        let kinds: Vec<String> = store
            .events(*id)
            .await
            .unwrap()
            .iter()
            .map(|ev| ev.kind.to_string())
            .collect();
        assert_eq!(kinds, ["create", "edit", "assign"]);
    }
    assert_eq!(store.item(d.green).await.unwrap().version, 2, "untouched");
    // The ledger names the chain with its 链长.
    let assigned = d.get("/ledger?state=assigned&sort=chain").await;
    assert!(assigned.contains("石化产业链（郭宁宁）"), "{assigned}");
    // A draft without a lead unit is refused as it stands: no edit lands on it.
    let office_unit = store.resolve_unit("石化产业工作专班办公室").await.unwrap();
    let oa = AccountRole::Office.actor(office_unit.id, "专班");
    let leadless = e
        .file_item(
            &oa,
            &ItemRequest {
                title: "待定牵头单位的事项".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .item
        .id;
    let (_, _, page) = d
        .post(
            "/ledger/assign",
            &[
                ("id", leadless.to_string()),
                ("co_units", "省科技厅".into()),
                ("deadline", "2026-09-30".into()),
            ],
        )
        .await;
    assert!(page.contains("尚未确定牵头单位"), "{page}");
    assert_eq!(store.events(leadless).await.unwrap().len(), 1, "untouched");
    // Nothing ticked: the ledger says so.
    let (status, location, _) = d
        .post("/ledger/assign", &[("deadline", "2026-09-30".into())])
        .await;
    assert_eq!(status, 303);
    assert!(location.ends_with("error=nothing_selected"), "{location}");
    let page = d.get(&location).await;
    assert!(page.contains("请先勾选要交办的事项"));
    // An unknown unit refuses the whole batch, naming the field.
    let (_, location, _) = d
        .post(
            "/ledger/assign",
            &[
                ("id", d.drafts[3].to_string()),
                ("lead_unit", "不存在的单位".into()),
            ],
        )
        .await;
    assert!(location.contains("field=lead_unit"), "{location}");
    assert_eq!(
        store.item(d.drafts[3]).await.unwrap().state,
        ItemState::Draft
    );

    // 编辑 one.
    let x = picked[0];
    let it = store.item(x).await.unwrap();
    let (_, location, _) = d
        .post(
            &format!("/items/{x}/edit"),
            &[
                ("version", it.version.to_string()),
                ("title", "草稿事项1（修订）".into()),
                ("co_units", "省科技厅".into()),
                ("reason", "按会议纪要修订".into()),
            ],
        )
        .await;
    assert_eq!(location, format!("/items/{x}?ok=edit"));
    assert_eq!(store.item(x).await.unwrap().title, "草稿事项1（修订）");
    let page = d.get(&location).await;
    assert!(page.contains("已修改"), "flash");
    assert!(
        page.contains("修改：事项名称；理由：按会议纪要修订"),
        "{page}"
    );
    // The same again changes nothing, and says so.
    let it = store.item(x).await.unwrap();
    let (_, location, _) = d
        .post(
            &format!("/items/{x}/edit"),
            &[
                ("version", it.version.to_string()),
                ("title", it.title.clone()),
                ("co_units", "省科技厅".into()),
                ("reason", "再次保存".into()),
            ],
        )
        .await;
    assert!(location.ends_with("error=nothing_changed"), "{location}");

    // 调整时限: the timeline shows the old date, the new and the reason.
    let (_, location, _) = d
        .post(
            &format!("/items/{x}/act"),
            &[
                ("action", "reschedule".into()),
                ("version", it.version.to_string()),
                ("deadline", "2026-11-30".into()),
                ("reason", "配套资金延后到位".into()),
            ],
        )
        .await;
    assert_eq!(location, format!("/items/{x}?ok=reschedule"));
    let page = d.get(&location).await;
    assert!(
        page.contains("原时限：2026年9月30日；新时限：2026年11月30日；理由：配套资金延后到位"),
        "{page}"
    );
    // A reschedule without a reason is refused in Chinese.
    let (_, location, _) = d
        .post(
            &format!("/items/{x}/act"),
            &[
                ("action", "reschedule".into()),
                ("deadline", "2026-12-31".into()),
            ],
        )
        .await;
    let page = d.get(&location).await;
    assert!(page.contains("id=\"flash-error\""), "{location}");

    // 转办 to 省科技厅.
    let (_, location, _) = d
        .post(
            &format!("/items/{x}/act"),
            &[
                ("action", "transfer".into()),
                ("to", keji.to_string()),
                ("reason", "职责调整".into()),
            ],
        )
        .await;
    assert_eq!(location, format!("/items/{x}?ok=transfer"));
    assert_eq!(store.item(x).await.unwrap().lead_unit, Some(keji));

    // 暂缓 with a reason, 恢复, and 撤销 of a draft: the item page's other office forms.
    // (暂缓 needs an accepted item: the new lead signs for it.)
    let keji_unit = store.resolve_unit("省科技厅").await.unwrap();
    e.execute(x, &Engine::actor_of(&keji_unit), &Command::Accept, None)
        .await
        .unwrap();
    let page = d.get(&format!("/items/{x}")).await;
    assert!(page.contains("id=\"btn-suspend\"") && page.contains("id=\"btn-cancel\""));
    let (_, location, _) = d
        .post(
            &format!("/items/{x}/act"),
            &[
                ("action", "suspend".into()),
                ("reason", "等待规划调整".into()),
            ],
        )
        .await;
    assert_eq!(location, format!("/items/{x}?ok=suspend"));
    assert_eq!(store.item(x).await.unwrap().state, ItemState::Suspended);
    let page = d.get(&location).await;
    assert!(page.contains("id=\"btn-resume\""));
    let (_, location, _) = d
        .post(&format!("/items/{x}/act"), &[("action", "resume".into())])
        .await;
    assert_eq!(location, format!("/items/{x}?ok=resume"));
    assert_ne!(store.item(x).await.unwrap().state, ItemState::Suspended);
    let (_, location, _) = d
        .post(
            &format!("/items/{}/act", d.drafts[9]),
            &[
                ("action", "cancel".into()),
                ("reason", "与其他事项重复".into()),
            ],
        )
        .await;
    assert!(location.ends_with("?ok=cancel"), "{location}");
    assert_eq!(
        store.item(d.drafts[9]).await.unwrap().state,
        ItemState::Cancelled
    );

    // 新建: a problem with a target becomes a draft of plan B, then is handed out.
    let (status, location, _) = d
        .post(
            "/items/new",
            &[
                ("kind", "problem".into()),
                ("title", "园区污水处理能力不足".into()),
                ("plan", d.plan_b.clone()),
                ("chain", d.chain.clone()),
                ("lead_unit", "省工信厅".into()),
                ("co_units", "省科技厅".into()),
                ("leader", "郭宁宁".into()),
                ("deadline", "2026-10-31".into()),
                ("metric", "污水处理能力".into()),
                ("target_value", "5".into()),
                ("target_unit", "万吨/日".into()),
                ("target_year", "2026".into()),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let id: ItemId = location
        .strip_prefix("/items/")
        .and_then(|r| r.strip_suffix("?ok=filed"))
        .unwrap()
        .parse()
        .unwrap();
    let filed = store.item(id).await.unwrap();
    assert_eq!(filed.state, ItemState::Draft);
    assert_eq!(filed.plan_id.unwrap().to_string(), d.plan_b);
    assert_eq!(store.targets(id).await.unwrap()[0].value, 5.0);
    let page = d.get(&location).await;
    assert!(page.contains("已立项") && page.contains("id=\"form-assign\""));
    let (_, location, _) = d
        .post(
            &format!("/items/{id}/act"),
            &[
                ("action", "assign".into()),
                ("deadline", "2026-10-31".into()),
            ],
        )
        .await;
    assert_eq!(location, format!("/items/{id}?ok=assign"));
    assert_eq!(store.item(id).await.unwrap().state, ItemState::Assigned);
    // A form without a title comes back with what was typed and a Chinese reason.
    let (status, _, page) = d
        .post(
            "/items/new",
            &[("kind", "task".into()), ("text", "只有内容".into())],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("事项名称") && page.contains("只有内容"),
        "{page}"
    );
}
