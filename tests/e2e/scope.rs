//! Who reads what and who acts where, below the HTTP matrix of `permissions.rs`: the SQL
//! twin of `Scope::admits` checked against it for every state × role × tie, drafts hidden
//! from units again after 退回, and the engine's command path widening an office to its
//! subtree and no further.

use crate::support::{TestApp, TestEngine};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::{
    AccountRole, Actor, ChainId, Command, DomainError, ItemId, ItemState, Jurisdiction, NewItem,
    Scope, UnitId, new_item,
};
use xiaohao_engine::{Engine, EngineError};
use xiaohao_store::{ItemFilter, NewChain, NewUnit};

async fn unit_below(t: &TestEngine, name: &str, parent: &Unit) -> Unit {
    t.engine
        .raw_store()
        .create_unit(
            NewUnit {
                name: name.into(),
                kind: Some(UnitKind::Office),
                parent: Some(parent.id),
                ..Default::default()
            },
            t.engine.now(),
        )
        .await
        .expect("create unit")
}

async fn chain(t: &TestEngine, name: &str, units: Vec<UnitId>) -> ChainId {
    t.engine
        .raw_store()
        .create_chain(
            NewChain {
                name: name.into(),
                units,
                ..Default::default()
            },
            t.engine.now(),
        )
        .await
        .expect("create chain")
        .id
}

/// An item's ties to units and chains: (owner, lead, co-unit, chain).
type Tie = (Option<UnitId>, UnitId, Option<UnitId>, Option<ChainId>);

/// The ids of the items `filter` selects in SQL.
async fn ids_of(store: &xiaohao_store::Store, filter: ItemFilter) -> BTreeSet<ItemId> {
    store
        .all_items(&filter)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

#[tokio::test]
async fn scope_twin_agrees_with_admits_for_every_state_and_role() {
    let t = TestEngine::new().await;
    let store = t.engine.raw_store();
    let top = t.unit("领导小组办公室", UnitKind::Office).await;
    let office = unit_below(&t, "石化产业工作专班办公室", &top).await;
    let gulei = unit_below(&t, "古雷石化基地专班办公室", &office).await;
    let other_office = unit_below(&t, "新能源产业工作专班办公室", &top).await;
    let unit = t.unit("省工信厅", UnitKind::Department).await;
    let stranger = t.unit("省财政厅", UnitKind::Department).await;
    let petro = chain(&t, "石化产业链", vec![office.id, unit.id]).await;
    let energy = chain(&t, "新能源产业链", vec![other_office.id]).await;

    // Every tie a scope can have, and none.
    let ties: [Tie; 8] = [
        (Some(office.id), stranger.id, None, None),
        (Some(gulei.id), stranger.id, None, None),
        (Some(top.id), stranger.id, None, None),
        (Some(other_office.id), stranger.id, None, Some(energy)),
        (Some(other_office.id), unit.id, None, None),
        (Some(other_office.id), stranger.id, Some(unit.id), None),
        (Some(other_office.id), stranger.id, None, Some(petro)),
        (None, stranger.id, None, None),
    ];
    let mut items = Vec::new();
    for state in ItemState::ALL {
        for (i, (owner, lead, co, chain)) in ties.iter().enumerate() {
            let new = NewItem {
                title: format!("{state}-{i}"),
                owner_unit: *owner,
                lead_unit: Some(*lead),
                co_units: co.iter().copied().collect(),
                chain_id: *chain,
                ..Default::default()
            };
            let mut decision =
                new_item(ItemId::new(), &new, &Actor::system(), t.engine.now()).expect("file");
            decision.item.state = state;
            store
                .write_one(xiaohao_store::Write::create(decision.clone(), Vec::new()))
                .await
                .expect("insert");
            items.push(decision.item);
        }
    }

    let parents = store.unit_parents().await.unwrap();
    let office_of = |u: UnitId| Jurisdiction::office(u, &parents);
    let own = Jurisdiction::OwnUnit;
    let mut scopes: Vec<(String, Scope)> = vec![
        (
            "admin".into(),
            Scope::of(AccountRole::Admin, top.id, vec![], &Jurisdiction::All),
        ),
        (
            "supervision".into(),
            Scope::of(AccountRole::Supervision, stranger.id, vec![], &own),
        ),
        (
            "石化专班".into(),
            Scope::of(
                AccountRole::Office,
                office.id,
                vec![petro],
                &office_of(office.id),
            ),
        ),
        (
            "领导小组办公室".into(),
            Scope::of(AccountRole::Office, top.id, vec![], &office_of(top.id)),
        ),
        (
            "新能源专班".into(),
            Scope::of(
                AccountRole::Office,
                other_office.id,
                vec![energy, petro],
                &office_of(other_office.id),
            ),
        ),
        (
            "unit".into(),
            Scope::of(AccountRole::Unit, unit.id, vec![], &own),
        ),
        (
            "leader".into(),
            Scope::of(AccountRole::Leader, stranger.id, vec![petro], &own),
        ),
        ("no ties".into(), Scope::default()),
    ];
    // Every combination of the draft rule with the shortcut and each single tie.
    for drafts in [false, true] {
        scopes.push((
            format!("all, drafts {drafts}"),
            Scope {
                all: true,
                drafts,
                ..Scope::default()
            },
        ));
        scopes.push((
            format!("owners, drafts {drafts}"),
            Scope {
                drafts,
                owners: vec![office.id, gulei.id],
                ..Scope::default()
            },
        ));
        scopes.push((
            format!("party, drafts {drafts}"),
            Scope {
                drafts,
                party: Some(unit.id),
                ..Scope::default()
            },
        ));
    }
    for (name, scope) in &scopes {
        let sql = ids_of(
            store,
            ItemFilter {
                scope: Some(scope.clone()),
                ..ItemFilter::default()
            },
        )
        .await;
        let core: BTreeSet<ItemId> = items
            .iter()
            .filter(|i| scope.admits(i))
            .map(|i| i.id)
            .collect();
        assert_eq!(
            sql, core,
            "{name}: the SQL twin disagrees with Scope::admits"
        );
        // With a unit's own list on top (a unit's 待办 and ledger): the scope's party tie,
        // when it is that unit, is left to the list's condition.
        for listed in [unit.id, stranger.id] {
            let sql = ids_of(
                store,
                ItemFilter {
                    scope: Some(scope.clone()),
                    unit: Some(listed),
                    ..ItemFilter::default()
                },
            )
            .await;
            let core: BTreeSet<ItemId> = items
                .iter()
                .filter(|i| scope.admits(i) && i.involves(listed))
                .map(|i| i.id)
                .collect();
            assert_eq!(sql, core, "{name}, listed for {listed}");
        }
        for state in ItemState::ALL {
            let of_state = items.iter().filter(|i| i.state == state);
            let seen = of_state.clone().filter(|i| core.contains(&i.id)).count();
            let expect_some = *name != "no ties" && (state != ItemState::Draft || scope.drafts);
            assert_eq!(seen > 0, expect_some, "{name} in {state}: {seen} seen");
        }
    }
    // The draft rule by role: units and leaders never, the others per their scope.
    for (name, scope) in &scopes[..7] {
        let sees_a_draft = items
            .iter()
            .any(|i| i.state == ItemState::Draft && scope.admits(i));
        assert_eq!(
            sees_a_draft,
            !matches!(name.as_str(), "unit" | "leader"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_item_returned_to_draft_is_again_invisible_to_its_units() {
    let app = TestApp::spawn().await;
    let t = &app.t;
    let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
    let unit = t.unit("省工信厅", UnitKind::Department).await;
    let office_actor = AccountRole::Office.actor(office.id, "专班");
    let filed = t
        .engine
        .file_new_item(
            &office_actor,
            &NewItem {
                title: "编制石化产业招商图谱".into(),
                lead_unit: Some(unit.id),
                deadline: chrono::NaiveDate::from_ymd_opt(2026, 6, 30),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .item
        .id;
    let unit_tok = app.token(unit.id, AccountRole::Unit).await;
    let get = |path: String| {
        let req = app.http.get(app.url(&path)).bearer_auth(&unit_tok);
        async move {
            let r = req.send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let listed = |body: &str| body.contains("编制石化产业招商图谱");
    let (status, _) = get(format!("/api/items/{filed}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a draft is not the unit's yet"
    );
    t.engine
        .execute(
            filed,
            &office_actor,
            &Command::Assign {
                lead_unit: None,
                deadline: None,
            },
            None,
        )
        .await
        .unwrap();
    let (status, body) = get(format!("/api/items/{filed}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(listed(&get("/api/items".into()).await.1));

    // 退回 by the unit itself: accepted, and from then on the item is out of its sight.
    let r = app
        .http
        .post(app.url(&format!("/api/items/{filed}/transitions")))
        .bearer_auth(&unit_tok)
        .json(&json!({"action": "return", "reason": "不属于本单位职责"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, body) = get(format!("/api/items/{filed}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"]["code"],
        "not_found"
    );
    assert!(!listed(&get("/api/items".into()).await.1));
    assert!(!listed(&get("/api/export/ledger.csv".into()).await.1));
    let stats: Value = serde_json::from_str(&get("/api/stats".into()).await.1).unwrap();
    assert_eq!(stats["all"]["total"], 0, "{stats}");
    // The office still reads and works on its draft.
    let office_tok = app.token(office.id, AccountRole::Office).await;
    let r = app
        .http
        .get(app.url(&format!("/api/items/{filed}")))
        .bearer_auth(&office_tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let view: Value = r.json().await.unwrap();
    assert_eq!(view["item"]["state"], "draft");
    assert!(
        view["permitted_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("assign"))
    );
}

#[tokio::test]
async fn the_command_path_widens_an_office_to_its_subtree_and_no_further() {
    let t = TestEngine::new().await;
    let top = t.unit("领导小组办公室", UnitKind::Office).await;
    let petro = unit_below(&t, "石化产业工作专班办公室", &top).await;
    let energy = unit_below(&t, "新能源产业工作专班办公室", &top).await;
    let lead = t.unit("省工信厅", UnitKind::Department).await;
    let e = &t.engine;
    // Actors as the CLI builds them: from the unit alone, jurisdiction not yet loaded.
    let (top_actor, petro_actor, energy_actor) = (
        Engine::actor_of(&top),
        Engine::actor_of(&petro),
        Engine::actor_of(&energy),
    );
    let filed = e
        .file_new_item(
            &petro_actor,
            &NewItem {
                title: "延伸炼化一体化产业链".into(),
                lead_unit: Some(lead.id),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .item;
    let reschedule = |day: u32| Command::Reschedule {
        deadline: chrono::NaiveDate::from_ymd_opt(2026, 9, day).unwrap(),
        reason: "按领导小组意见调整".into(),
    };
    let err = e
        .execute(filed.id, &energy_actor, &reschedule(30), None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::Domain(DomainError::OutsideJurisdiction { .. })
        ),
        "{err:?}"
    );
    // The office above acts on its 专班's item, the 专班 itself too.
    e.execute(filed.id, &top_actor, &reschedule(30), None)
        .await
        .unwrap();
    e.execute(filed.id, &petro_actor, &reschedule(29), None)
        .await
        .unwrap();
    // Never upwards: the 专班 has no office powers over what the office above keeps.
    let kept_above = e
        .file_new_item(
            &top_actor,
            &NewItem {
                title: "统筹全省产业链工作".into(),
                lead_unit: Some(lead.id),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .item;
    let assign = Command::Assign {
        lead_unit: None,
        deadline: None,
    };
    assert!(
        e.execute(kept_above.id, &petro_actor, &assign, None)
            .await
            .is_err()
    );
    let item = e.raw_store().item(kept_above.id).await.unwrap();
    assert_eq!(
        item.state,
        ItemState::Draft,
        "a refused command writes nothing"
    );
    // The resolved actor carries the subtree.
    let resolved = e.with_jurisdiction(&top_actor).await.unwrap();
    assert_eq!(
        resolved.jurisdiction,
        Jurisdiction::Units(BTreeSet::from([top.id, petro.id, energy.id]))
    );
}
