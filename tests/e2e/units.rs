//! 单位管理: an office reviews the units an import created. It gives one an address (its
//! undelivered reminders are queued again) and confirms it; it merges another, which was
//! only another name of an existing unit, into that unit: its open items change hands by
//! command (each with its event), its name becomes an alias, its reminders follow. A unit
//! somebody acted as is not merged. Then the same in a browser at 1366 and 390 px.

use crate::browser::Browser;
use crate::support::TestApp;
use xiaohao_core::event::EventKind;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::payload::Payload;
use xiaohao_core::{AccountRole, Command, ItemId, ItemState};
use xiaohao_engine::{EngineError, ItemRequest, Principal};
use xiaohao_store::{NewUnit, UnitEdit};

struct Scene {
    app: TestApp,
    office: Principal,
    /// The unit as it is known: 省工业和信息化厅, with an address.
    gxt: Unit,
    kjt: Unit,
    /// Created by an import: 工信厅, no address, to review.
    imported: Unit,
    draft_led: ItemId,
    draft_co: ItemId,
    assigned: ItemId,
}

async fn scene(suffix: &str) -> Scene {
    let app = TestApp::spawn().await;
    let t = &app.t;
    let e = &t.engine;
    let office_unit = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
    let gxt = e
        .create_unit(NewUnit {
            name: format!("省工业和信息化厅{suffix}"),
            emails: vec!["gxt@example.gov.cn".into()],
            ..NewUnit::default()
        })
        .await
        .unwrap();
    let kjt = t
        .unit(&format!("省科技厅{suffix}"), UnitKind::Department)
        .await;
    let imported = e
        .create_unit(NewUnit {
            name: format!("工信厅{suffix}"),
            needs_review: true,
            ..NewUnit::default()
        })
        .await
        .unwrap();
    let actor = AccountRole::Office.actor(office_unit.id, "专班");
    let file = |title: &str, lead: &str, co: Vec<String>| {
        let req = ItemRequest {
            title: title.into(),
            lead_unit: Some(lead.into()),
            co_units: co,
            deadline: Some("2026-12-31".into()),
            ..Default::default()
        };
        let (e, actor) = (e.clone(), actor.clone());
        async move { e.file_item(&actor, &req).await.unwrap().item.id }
    };
    let draft_led = file("编制招商图谱", &imported.name, vec![kjt.name.clone()]).await;
    let draft_co = file("建设中试基地", &kjt.name, vec![imported.name.clone()]).await;
    let assigned = file("推进技改项目", &imported.name, vec![]).await;
    e.execute(
        assigned,
        &actor,
        &Command::Assign {
            lead_unit: None,
            deadline: None,
        },
        None,
    )
    .await
    .unwrap();
    // The 交办 reminder to the imported unit could not be delivered: it has no address.
    mark_dead(&app, &imported).await;
    let username = app.user(office_unit.id, AccountRole::Office).await;
    let token = app.login(&username).await;
    let office = e.authenticate(&token).await.unwrap().expect("office");
    Scene {
        app,
        office,
        gxt,
        kjt,
        imported,
        draft_led,
        draft_co,
        assigned,
    }
}

async fn mark_dead(app: &TestApp, unit: &Unit) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use xiaohao_store::entities::outbox;
    let conn = app.t.engine.raw_store().connection();
    let res = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value("dead"))
        .filter(outbox::Column::RecipientUnitId.eq(unit.id.0))
        .exec(conn)
        .await
        .unwrap();
    assert_eq!(res.rows_affected, 1, "the 交办 reminder");
}

async fn dead_to(app: &TestApp, unit: &Unit) -> usize {
    app.t
        .engine
        .raw_store()
        .outbox(Some("dead"), 1000)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.recipient == unit.id)
        .count()
}

#[tokio::test]
async fn merging_an_imported_unit_moves_its_items_by_command_and_keeps_its_name() {
    let s = scene("").await;
    let e = &s.app.t.engine;
    let store = e.raw_store();
    assert_eq!(dead_to(&s.app, &s.imported).await, 1);

    // The directory lists the unit to review first, with its undelivered reminder.
    let dir = e.unit_directory(&s.office).await.unwrap();
    assert_eq!(dir[0].unit.id, s.imported.id);
    assert_eq!(dir[0].dead_mail, 1);

    // A unit somebody signs in as is not merged: history would change under it.
    s.app.user(s.kjt.id, AccountRole::Unit).await;
    let refused = e.merge_unit(&s.office, s.kjt.id, s.gxt.id).await;
    match refused {
        Err(EngineError::Conflict(m)) => assert!(m.contains("1个账号"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(matches!(
        e.merge_unit(&s.office, s.gxt.id, s.gxt.id).await,
        Err(EngineError::Conflict(_))
    ));

    let merged = e
        .merge_unit(&s.office, s.imported.id, s.gxt.id)
        .await
        .unwrap();
    assert_eq!(merged.items_moved, 3);
    let led = store.item(s.draft_led).await.unwrap();
    assert_eq!(led.lead_unit, Some(s.gxt.id));
    assert_eq!(led.co_units, vec![s.kjt.id]);
    let co = store.item(s.draft_co).await.unwrap();
    assert_eq!(co.co_units, vec![s.gxt.id]);
    let assigned = store.item(s.assigned).await.unwrap();
    assert_eq!(assigned.lead_unit, Some(s.gxt.id));
    assert_eq!(assigned.state, ItemState::Assigned);
    // Each change is an event of its item, with the reason.
    let last = e.events(s.assigned).await.unwrap().pop().unwrap();
    assert_eq!(last.kind, EventKind::Action(xiaohao_core::Action::Transfer));
    match last.details().unwrap() {
        Payload::Transferred(t) => assert_eq!(t.reason, "单位合并：工信厅并入省工业和信息化厅"),
        other => panic!("{other:?}"),
    }
    let last = e.events(s.draft_led).await.unwrap().pop().unwrap();
    assert_eq!(last.kind, EventKind::Action(xiaohao_core::Action::Edit));
    // The old name now finds the unit it joined; the reminder follows, queued again.
    assert_eq!(e.resolve_unit("工信厅").await.unwrap().id, s.gxt.id);
    assert!(e.unit(s.imported.id).await.is_err());
    let pending: Vec<_> = store
        .outbox(Some("pending"), 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.item == Some(s.assigned))
        .collect();
    assert!(pending.iter().all(|r| r.recipient == s.gxt.id) && !pending.is_empty());
    // The audit chain still holds.
    let (_, _, broken) = e.verify_all_chains().await.unwrap();
    assert!(broken.is_none(), "{broken:?}");
}

#[tokio::test]
async fn an_address_saved_for_a_unit_queues_its_undelivered_reminders_again() {
    let s = scene("").await;
    let e = &s.app.t.engine;
    let edit = |emails: &[&str]| UnitEdit {
        kind: UnitKind::Department,
        level: None,
        parent: None,
        emails: emails.iter().map(|x| (*x).to_owned()).collect(),
        contact: Some("张科长 0591-87000000".into()),
    };
    match e
        .edit_unit(&s.office, s.imported.id, edit(&["not-an-address"]))
        .await
    {
        Err(EngineError::Domain(d)) => assert!(d.to_string().contains("e-mail"), "{d}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert_eq!(
        dead_to(&s.app, &s.imported).await,
        1,
        "nothing half-written"
    );
    // A unit cannot be placed under itself.
    let mut cyclic = edit(&[]);
    cyclic.parent = Some(s.imported.id);
    assert!(e.edit_unit(&s.office, s.imported.id, cyclic).await.is_err());

    let (unit, requeued) = e
        .edit_unit(
            &s.office,
            s.imported.id,
            edit(&["gxt-office@example.gov.cn"]),
        )
        .await
        .unwrap();
    assert_eq!(requeued, 1);
    assert_eq!(unit.emails, ["gxt-office@example.gov.cn"]);
    assert_eq!(unit.contact.as_deref(), Some("张科长 0591-87000000"));
    assert_eq!(dead_to(&s.app, &s.imported).await, 0);
    assert!(unit.needs_review, "saving is not confirming");
    let unit = e.confirm_unit(&s.office, s.imported.id).await.unwrap();
    assert!(!unit.needs_review);

    // Only offices and administrators keep the directory.
    let username = s.app.user(s.kjt.id, AccountRole::Unit).await;
    let token = s.app.login(&username).await;
    let unit_user = e.authenticate(&token).await.unwrap().unwrap();
    assert!(matches!(
        e.unit_directory(&unit_user).await,
        Err(EngineError::Forbidden(_))
    ));
    assert!(matches!(
        e.merge_unit(&unit_user, s.imported.id, s.gxt.id).await,
        Err(EngineError::Forbidden(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_reviews_imported_units_in_the_browser() {
    let prefix = if std::env::var_os("XIAOHAO_TEST_DATABASE_URL").is_some() {
        "units-postgres"
    } else {
        "units-sqlite"
    };
    let Some(b) = Browser::start(prefix).await else {
        return;
    };
    for width in [1366u32, 390] {
        let s = scene("").await;
        let base = s.app.url("");
        let office = s.office.user.username.clone();
        b.size(width, 900).await;
        let shot = |name: &str| format!("{width}-{name}");
        b.login(&base, "/", &office).await;
        b.click("#nav-units").await;
        b.click("#show-review").await;
        b.wait_text("#unit-filters .current", "待核对").await;
        let table = b.text("#units").await;
        assert!(
            table.contains("工信厅") && table.contains("待核对"),
            "{table}"
        );
        assert!(table.contains("1 条提醒未送达"), "{table}");
        b.shot(&shot("units-review")).await;

        // A second imported unit, to be given an address and confirmed.
        let other = s
            .app
            .t
            .engine
            .create_unit(NewUnit {
                name: "数据局".into(),
                needs_review: true,
                ..NewUnit::default()
            })
            .await
            .unwrap();
        b.c()
            .goto(&format!("{base}/units/{}", other.id))
            .await
            .unwrap();
        b.fill("#unit-emails", "sjj@example.gov.cn").await;
        b.fill("#unit-contact", "李主任 0591-88000000").await;
        b.click("#unit-save").await;
        b.wait_text("#flash-ok", "已保存").await;
        b.click("#unit-confirm").await;
        b.wait_text("#flash-ok", "已确认").await;
        b.shot(&shot("unit-confirmed")).await;

        // A bad address is refused in Chinese, on the form.
        b.fill("#unit-emails", "not an address").await;
        b.click("#unit-save").await;
        b.wait_text("#form-error", "邮箱格式不正确").await;

        // 工信厅 is 省工业和信息化厅 by another name: merged.
        b.c()
            .goto(&format!("{base}/units/{}", s.imported.id))
            .await
            .unwrap();
        b.c()
            .find(fantoccini::Locator::Css("#merge-into"))
            .await
            .unwrap()
            .select_by_value(&s.gxt.id.to_string())
            .await
            .unwrap();
        b.shot(&shot("unit-merge")).await;
        b.click("#merge-submit").await;
        b.wait_text("#flash-ok", "3 项事项").await;
        let table = b.text("#units").await;
        assert!(table.contains("省工业和信息化厅"), "{table}");
        assert!(!table.contains("待核对"), "{table}");
        assert!(!b.overflows().await, "the page fits {width} px");
        b.shot(&shot("units-merged")).await;
        b.logout().await;
    }
    b.close().await;
}
