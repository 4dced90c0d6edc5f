//! The 待办 homes: each role's first page lists what it has to do, with counts that agree
//! with the engine's own list filters, scoped to the reader (a leader sees his chain only),
//! at desktop and phone widths in a real browser.

use crate::browser::Browser;
use crate::support::TestApp;
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, Command, ItemId, ItemState, Light};
use xiaohao_engine::{Engine, ItemRequest, Principal};
use xiaohao_store::{ItemFilter, NewChain, NewPerson};

/// A 石化 office with its chain led by 张链长, a 新能源 chain beside it, two units, 督查室.
pub struct Scene {
    pub office: String,
    pub unit_a: String,
    pub leader: String,
    pub supervision: String,
    pub draft: ItemId,
    /// Assigned to unit A, due in two working days: 待签收 and yellow.
    pub to_accept: ItemId,
    /// Unit A, past due, escalated to 督办 with a 督办单.
    pub late: ItemId,
    /// Unit A asked for closure: the office's 待核验.
    pub closing: ItemId,
    /// Closure refused: unit A's 退回重办.
    pub refused: ItemId,
    /// Unit B on the 新能源 chain, past due: not the leader's.
    pub other_chain: ItemId,
}

async fn file(
    e: &Engine,
    office: &xiaohao_core::Actor,
    title: &str,
    lead: &str,
    chain: &str,
    deadline: &str,
) -> ItemId {
    e.file_item(
        office,
        &ItemRequest {
            title: title.into(),
            lead_unit: Some(lead.into()),
            chain: Some(chain.into()),
            deadline: Some(deadline.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .item
    .id
}

pub async fn scene(app: &TestApp) -> Scene {
    let t = &app.t;
    let e = &t.engine;
    let now = e.now();
    let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
    let unit_a = t.unit("省工信厅", UnitKind::Department).await;
    let unit_b = t.unit("省科技厅", UnitKind::Department).await;
    let sup = t.unit("省政府督查室", UnitKind::Supervision).await;
    let gov = t.unit("省政府办公厅", UnitKind::Government).await;
    let store = e.raw_store();
    let leader = store
        .create_person(
            NewPerson {
                name: "张链长".into(),
                title: Some("副省长".into()),
                unit: Some(gov.id),
                email: None,
            },
            now,
        )
        .await
        .unwrap();
    let petro = store
        .create_chain(
            NewChain {
                name: "石化产业链".into(),
                leaders: vec![leader.id],
                lead_units: vec![unit_a.id],
                units: vec![office.id],
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap()
        .id
        .to_string();
    let energy = store
        .create_chain(
            NewChain {
                name: "新能源产业链".into(),
                lead_units: vec![unit_b.id],
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap()
        .id
        .to_string();
    let oa = AccountRole::Office.actor(office.id, "专班");
    let a = Engine::actor_of(&unit_a);
    let b = Engine::actor_of(&unit_b);
    let assign = Command::Assign {
        lead_unit: None,
        deadline: None,
    };
    let draft = file(
        e,
        &oa,
        "编制石化产业招商图谱",
        "省工信厅",
        &petro,
        "2026-06-30",
    )
    .await;
    let to_accept = file(e, &oa, "报送炼化项目清单", "省工信厅", &petro, "2026-03-04").await;
    let late = file(
        e,
        &oa,
        "加快产业向专业园区聚集",
        "省工信厅",
        &petro,
        "2026-02-20",
    )
    .await;
    let closing = file(e, &oa, "建设省级中试基地", "省工信厅", &petro, "2026-09-30").await;
    let refused = file(
        e,
        &oa,
        "延伸炼化一体化产业链",
        "省工信厅",
        &petro,
        "2026-12-31",
    )
    .await;
    let other_chain = file(
        e,
        &oa,
        "建设储能电池产业园",
        "省科技厅",
        &energy,
        "2026-02-25",
    )
    .await;
    for id in [to_accept, late, closing, refused, other_chain] {
        e.execute(id, &oa, &assign, None).await.unwrap();
    }
    for (id, lead) in [(late, &a), (closing, &a), (refused, &a), (other_chain, &b)] {
        e.execute(id, lead, &Command::Accept, None).await.unwrap();
        e.execute(id, lead, &Command::Start, None).await.unwrap();
    }
    for id in [closing, refused] {
        e.execute(
            id,
            &a,
            &Command::RequestClosure {
                evidence: "已办结,附佐证材料".into(),
                attachments: vec![],
            },
            None,
        )
        .await
        .unwrap();
    }
    e.execute(
        refused,
        &oa,
        &Command::Reject {
            reason: "缺少项目清单,请补充".into(),
        },
        None,
    )
    .await
    .unwrap();
    // 督查室 raises the late item up the ladder to 督办 (the step with a 督办单).
    let sa = AccountRole::Supervision.actor(sup.id, "督查室");
    for _ in 0..3 {
        e.escalate(late, &sa, "逾期未办结", None, |_| true)
            .await
            .unwrap();
    }
    let leader_name = format!("leader-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    e.add_user(
        &leader_name,
        None,
        "省政府办公厅",
        AccountRole::Leader,
        Some("张链长"),
        crate::support::PASSWORD,
    )
    .await
    .unwrap();
    Scene {
        office: app.user(office.id, AccountRole::Office).await,
        unit_a: app.user(unit_a.id, AccountRole::Unit).await,
        leader: leader_name,
        supervision: app.user(sup.id, AccountRole::Supervision).await,
        draft,
        to_accept,
        late,
        closing,
        refused,
        other_chain,
    }
}

async fn principal(app: &TestApp, username: &str) -> (Principal, String) {
    let token = app.login(username).await;
    let p = app
        .t
        .engine
        .authenticate(&token)
        .await
        .unwrap()
        .expect("principal");
    (p, token)
}

/// The figure the home page shows for list `id`.
async fn page_count(app: &TestApp, token: &str, id: &str) -> u64 {
    let body = app
        .http
        .get(app.url("/"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = format!("id=\"{id}-count\">");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("{id} on the page:\n{body}"))
        + marker.len();
    body[at..].split('<').next().unwrap().parse().unwrap()
}

async fn list_total(e: &Engine, p: &Principal, filter: ItemFilter) -> u64 {
    e.list_for(p, filter).await.unwrap().total
}

#[tokio::test]
async fn todo_counts_agree_with_the_engines_list_filters() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let e = &app.t.engine;
    let light = |l: Light| ItemFilter {
        light: Some(e.light_filter(l)),
        ..ItemFilter::default()
    };

    // The office.
    let (office, tok) = principal(&app, &s.office).await;
    let h = e.office_home(&office).await.unwrap();
    let drafts = ItemFilter {
        state: Some(ItemState::Draft),
        ..ItemFilter::default()
    };
    assert_eq!(h.drafts.total, list_total(e, &office, drafts).await);
    assert_eq!(h.drafts.total, 1);
    assert_eq!(h.drafts.rows[0].item.id, s.draft);
    assert_eq!(h.red.total, list_total(e, &office, light(Light::Red)).await);
    assert_eq!(h.red.total, 2, "the late item and the other chain's");
    let verify: Vec<ItemId> = h.to_verify.rows.iter().map(|r| r.item.id).collect();
    assert_eq!(verify, [s.closing], "the refused one is back with the unit");
    assert!(h.units_unreachable.total >= 2);
    assert_eq!(page_count(&app, &tok, "todo-drafts").await, h.drafts.total);
    assert_eq!(page_count(&app, &tok, "todo-red").await, h.red.total);
    assert_eq!(page_count(&app, &tok, "todo-verify").await, 1);

    // Unit A.
    let (unit, tok) = principal(&app, &s.unit_a).await;
    let h = e.unit_home(&unit).await.unwrap();
    let ids = |rows: &[xiaohao_engine::worklist::Entry]| {
        rows.iter().map(|r| r.item.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(&h.to_accept.rows), [s.to_accept]);
    assert_eq!(ids(&h.returned.rows), [s.refused]);
    assert_eq!(
        h.returned.rows[0].reason.as_deref(),
        Some("缺少项目清单,请补充")
    );
    assert_eq!(ids(&h.escalated.rows), [s.late]);
    assert!(h.escalated.rows[0].due.is_some(), "the next step's day");
    assert!(
        h.escalated.rows[0].reply_due.is_some(),
        "the reply date of the 督办单, not the next step's day"
    );
    let mine_yellow = ItemFilter {
        unit: Some(unit.user.unit),
        ..light(Light::Yellow)
    };
    assert_eq!(h.due_soon.total, list_total(e, &unit, mine_yellow).await);
    assert!(ids(&h.due_soon.rows).contains(&s.to_accept));
    assert_eq!(
        page_count(&app, &tok, "todo-due-soon").await,
        h.due_soon.total
    );
    assert_eq!(page_count(&app, &tok, "todo-accept").await, 1);
    assert_eq!(page_count(&app, &tok, "todo-returned").await, 1);

    // The leader: his chain only.
    let (leader, tok) = principal(&app, &s.leader).await;
    let h = e.leader_home(&leader).await.unwrap();
    assert_eq!(h.name, "张链长");
    assert_eq!(ids(&h.red.rows), [s.late], "not the 新能源 item");
    assert_eq!(h.red.total, list_total(e, &leader, light(Light::Red)).await);
    assert_eq!(
        h.yellow.total,
        list_total(e, &leader, light(Light::Yellow)).await
    );
    assert_eq!(h.chains.len(), 1);
    assert_eq!(h.chains[0].name, "石化产业链");
    assert_eq!(h.orders.total, 1, "the 督办单 of the late item");
    assert_eq!(page_count(&app, &tok, "todo-red").await, 1);

    // 督查室: ranking in working days from the policy, and its filters.
    let (sup, tok) = principal(&app, &s.supervision).await;
    let h = e.supervision_home(&sup, &Default::default()).await.unwrap();
    assert_eq!(h.by_unit.len(), 2);
    let late = e.raw_store().item(s.late).await.unwrap();
    let other = e.raw_store().item(s.other_chain).await.unwrap();
    let row = |name: &str| h.by_unit.iter().find(|r| r.name == name).unwrap().clone();
    assert_eq!(row("省工信厅").total_days_late, e.working_days_late(&late));
    assert_eq!(row("省科技厅").total_days_late, e.working_days_late(&other));
    assert_eq!(h.by_chain.len(), 2);
    assert_eq!(h.open_orders.total, 1);
    assert_eq!(page_count(&app, &tok, "todo-orders").await, 1);
    let only_petro = xiaohao_engine::worklist::RankingFilter {
        chain: late.chain_id,
        ..Default::default()
    };
    let h = e.supervision_home(&sup, &only_petro).await.unwrap();
    assert_eq!(h.by_chain.len(), 1);
    assert_eq!(h.by_unit[0].name, "省工信厅");
    // Units and leaders do not get the other roles' homes.
    assert!(e.office_home(&unit).await.is_err());
    assert!(
        e.supervision_home(&leader, &Default::default())
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_lands_on_its_todo_home_at_desktop_and_phone_width() {
    let app = TestApp::spawn().await;
    let prefix = if app.t.db.is_postgres() {
        "postgres-home"
    } else {
        "sqlite-home"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    let s = scene(&app).await;
    let base = app.url("");
    for (who, user, must, must_not) in [
        (
            "office",
            &s.office,
            vec![
                "待交办",
                "编制石化产业招商图谱",
                "待核验销号申请",
                "建设省级中试基地",
            ],
            vec![],
        ),
        (
            "unit",
            &s.unit_a,
            vec![
                "待签收",
                "报送炼化项目清单",
                "退回重办",
                "缺少项目清单",
                "被督办事项",
                "前书面反馈",
            ],
            vec!["编制石化产业招商图谱", "建设储能电池产业园"],
        ),
        (
            "leader",
            &s.leader,
            vec![
                "张链长 同志的待办",
                "石化产业链",
                "加快产业向专业园区聚集",
                "最新督办单",
            ],
            vec!["建设储能电池产业园", "新能源产业链", "编制石化产业招商图谱"],
        ),
        (
            "supervision",
            &s.supervision,
            vec![
                "逾期排名(按牵头单位)",
                "逾期排名(按产业链)",
                "省工信厅",
                "新能源产业链",
                "未办结的督办单",
            ],
            vec![],
        ),
    ] {
        for (width, height) in [(1366, 1000), (390, 844)] {
            b.size(width, height).await;
            b.login(&base, "/", user).await;
            assert_eq!(b.path().await, "/", "{who} lands on the home");
            let main = b.text("main").await;
            for m in &must {
                assert!(main.contains(m), "{who} at {width}: {m} missing:\n{main}");
            }
            for m in &must_not {
                assert!(!main.contains(m), "{who} at {width}: {m} shown:\n{main}");
            }
            assert!(
                !b.c().source().await.unwrap().contains("/api/docs/"),
                "{who}"
            );
            b.shot(&format!("{who}-{width}")).await;
            if width == 390 {
                // The menu folds behind one button and opens on a tap.
                let ledger = b
                    .c()
                    .find(fantoccini::Locator::Css("#site-menu a[href='/ledger']"))
                    .await
                    .unwrap();
                assert!(!ledger.is_displayed().await.unwrap(), "{who}: menu folded");
                b.click("#menu-toggle").await;
                assert!(ledger.is_displayed().await.unwrap(), "{who}: menu opens");
                b.shot(&format!("{who}-{width}-menu")).await;
                let overflow = b.overflows().await;
                assert!(!overflow, "{who}: the page fits 390 px");
                if who == "unit" {
                    // The monthly form, the ledger as cards, and 申请销号 fit a phone.
                    for (name, path) in [
                        ("progress", "/progress".to_owned()),
                        ("ledger", "/ledger".to_owned()),
                        ("item", format!("/items/{}", s.late)),
                    ] {
                        b.c().goto(&format!("{base}{path}")).await.unwrap();
                        assert!(!b.overflows().await, "{name} fits 390 px");
                        if name == "ledger" {
                            let head = b
                                .c()
                                .find(fantoccini::Locator::Css("#ledger-table thead"))
                                .await
                                .unwrap();
                            assert!(!head.is_displayed().await.unwrap(), "rows are cards");
                        }
                        b.shot(&format!("{who}-{width}-{name}")).await;
                    }
                    b.click("#menu-toggle").await;
                }
            }
            b.logout().await;
        }
    }
    b.close().await;
}
