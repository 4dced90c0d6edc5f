//! The world every permission table runs in: two chains with their offices under one
//! 领导小组办公室, two units, a leader, 督查室 and an administrator, and three items.

use crate::support::{PASSWORD, TestApp};
use xiaohao_core::org::UnitKind;
use xiaohao_core::{AccountRole, Actor, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest};
use xiaohao_store::{NewChain, NewPerson, NewUnit};

/// The columns of every table, in this order.
pub const ROLES: [&str; 9] = [
    "admin",
    "office",
    "top_office",
    "other_office",
    "unit_a",
    "unit_b",
    "leader",
    "supervision",
    "anonymous",
];

pub struct World {
    pub app: TestApp,
    pub tokens: Vec<(&'static str, Option<String>)>,
    /// Led by unit A, on the chain the leader leads, filed by the office (石化专班).
    pub item_a: ItemId,
    /// Filed by the office for unit A on the same chain, still a draft (待交办).
    pub draft: ItemId,
    /// Filed by the other chain's office (新能源专班), led by unit B, on its chain.
    pub item_c: ItemId,
    pub unit_a: String,
    /// An account (of unit B) that nobody signs in with: the target of the account
    /// administration rows (reset, disable, enable).
    pub victim: String,
}

impl World {
    /// The token of a role of [`ROLES`] (not anonymous).
    pub fn token(&self, role: &str) -> String {
        self.tokens
            .iter()
            .find(|(n, _)| *n == role)
            .and_then(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("no token for {role}"))
    }
}

async fn filed(e: &Engine, actor: &Actor, req: ItemRequest) -> ItemId {
    e.file_item(actor, &req).await.unwrap().item.id
}

pub async fn world() -> World {
    let app = TestApp::spawn().await;
    let t = &app.t;
    let admin_unit = t.unit("信息中心", UnitKind::Office).await;
    // 领导小组办公室 above both chains' 专班: office powers over all of their items.
    let top = t.unit("省产业链工作领导小组办公室", UnitKind::Office).await;
    let store = t.engine.raw_store();
    let now = t.engine.now();
    let below_top = |name: &str| NewUnit {
        name: name.into(),
        kind: Some(UnitKind::Office),
        parent: Some(top.id),
        ..Default::default()
    };
    let office = store
        .create_unit(below_top("石化产业工作专班办公室"), now)
        .await
        .unwrap();
    let other_office = store
        .create_unit(below_top("新能源产业工作专班办公室"), now)
        .await
        .unwrap();
    let unit_a = t.unit("省工信厅", UnitKind::Department).await;
    let unit_b = t.unit("省科技厅", UnitKind::Department).await;
    let sup = t.unit("省政府督查室", UnitKind::Supervision).await;
    let gov = t.unit("省政府办公厅", UnitKind::Government).await;
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
    // The other chain's office is linked to the 石化 chain too: it reads its items, but they
    // are kept by the 石化 office, so it may not act on them with office powers.
    let chain = store
        .create_chain(
            NewChain {
                name: "石化产业链".into(),
                leaders: vec![leader.id],
                lead_units: vec![unit_a.id],
                units: vec![other_office.id],
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    let energy = store
        .create_chain(
            NewChain {
                name: "新能源产业链".into(),
                lead_units: vec![unit_b.id],
                units: vec![other_office.id],
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    let e = &t.engine;
    let office_actor = AccountRole::Office.actor(office.id, "专班");
    let other_actor = AccountRole::Office.actor(other_office.id, "新能源专班");
    let file = |title: &str, lead: &str, chain: Option<String>| ItemRequest {
        title: title.into(),
        lead_unit: Some(lead.into()),
        chain,
        deadline: Some("2026-06-30".into()),
        ..Default::default()
    };
    let on_petro = Some(chain.id.to_string());
    let a = filed(
        e,
        &office_actor,
        file("延伸炼化一体化产业链", "省工信厅", on_petro.clone()),
    )
    .await;
    let b = filed(e, &office_actor, file("建设中试基地", "省科技厅", None)).await;
    let c = filed(
        e,
        &other_actor,
        file(
            "建设储能电池产业园",
            "省科技厅",
            Some(energy.id.to_string()),
        ),
    )
    .await;
    let draft = filed(
        e,
        &office_actor,
        file("编制石化产业招商图谱", "省工信厅", on_petro),
    )
    .await;
    let actor_a = Engine::actor_of(&unit_a);
    let actor_b = Engine::actor_of(&unit_b);
    for (id, office, lead) in [
        (a, &office_actor, &actor_a),
        (b, &office_actor, &actor_b),
        (c, &other_actor, &actor_b),
    ] {
        e.execute(
            id,
            office,
            &Command::Assign {
                lead_unit: None,
                deadline: None,
            },
            None,
        )
        .await
        .unwrap();
        e.execute(id, lead, &Command::Accept, None).await.unwrap();
        e.execute(id, lead, &Command::Start, None).await.unwrap();
    }
    let leader_name = format!("leader-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    e.add_user(
        &leader_name,
        None,
        "省政府办公厅",
        AccountRole::Leader,
        Some("张链长"),
        PASSWORD,
    )
    .await
    .unwrap();
    let tokens = vec![
        (
            "admin",
            Some(app.token(admin_unit.id, AccountRole::Admin).await),
        ),
        (
            "office",
            Some(app.token(office.id, AccountRole::Office).await),
        ),
        (
            "top_office",
            Some(app.token(top.id, AccountRole::Office).await),
        ),
        (
            "other_office",
            Some(app.token(other_office.id, AccountRole::Office).await),
        ),
        (
            "unit_a",
            Some(app.token(unit_a.id, AccountRole::Unit).await),
        ),
        (
            "unit_b",
            Some(app.token(unit_b.id, AccountRole::Unit).await),
        ),
        ("leader", Some(app.login(&leader_name).await)),
        (
            "supervision",
            Some(app.token(sup.id, AccountRole::Supervision).await),
        ),
        ("anonymous", None),
    ];
    assert_eq!(tokens.len(), ROLES.len());
    let victim_name = app.user(unit_b.id, AccountRole::Unit).await;
    let victim = app
        .t
        .engine
        .user_named(&victim_name)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    World {
        app,
        tokens,
        item_a: a,
        draft,
        item_c: c,
        unit_a: unit_a.id.to_string(),
        victim,
    }
}
