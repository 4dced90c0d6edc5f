//! The world of the 对账 tests: an office, three units, 督查室, two items filed on
//! 2 September 2026 (after that month's opening), the served app and a scheduler.

use crate::scheduler::{at, d};
use crate::support::TestApp;
use chrono::NaiveDate;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{AccountRole, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest, Scheduler, Settings};

pub(crate) struct Recon {
    pub(crate) app: TestApp,
    pub(crate) office: Unit,
    pub(crate) gxt: Unit,
    pub(crate) kjt: Unit,
    pub(crate) fgw: Unit,
    pub(crate) sup: Unit,
    /// 工信厅 leads, 科技厅 co-handles; due 30 October.
    pub(crate) item_a: ItemId,
    /// 发改委 leads; due 31 December.
    pub(crate) item_b: ItemId,
    pub(crate) scheduler: Scheduler,
}

impl Recon {
    pub(crate) async fn new() -> Recon {
        let app = TestApp::spawn().await;
        let t = &app.t;
        t.clock.set(at(d(2026, 9, 2), 10));
        let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
        let gxt = t.unit("省工信厅", UnitKind::Department).await;
        let kjt = t.unit("省科技厅", UnitKind::Department).await;
        let fgw = t.unit("省发改委", UnitKind::Department).await;
        let sup = t.unit("省政府督查室", UnitKind::Supervision).await;
        let e = &t.engine;
        let office_actor = AccountRole::Office.actor(office.id, "专班");
        let mut ids = Vec::new();
        for (number, title, lead, co, deadline) in [
            (
                "(一)",
                "推进古雷石化基地配套项目",
                "省工信厅",
                vec!["省科技厅".to_owned()],
                "2026-10-30",
            ),
            (
                "(二)",
                "编制石化产业链招商图谱",
                "省发改委",
                vec![],
                "2026-12-31",
            ),
        ] {
            let id = e
                .file_item(
                    &office_actor,
                    &ItemRequest {
                        number: Some(number.into()),
                        title: title.into(),
                        lead_unit: Some(lead.into()),
                        co_units: co,
                        deadline: Some(deadline.into()),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .item
                .id;
            e.execute(
                id,
                &office_actor,
                &Command::Assign {
                    lead_unit: None,
                    deadline: None,
                },
                None,
            )
            .await
            .unwrap();
            ids.push(id);
        }
        let (item_a, item_b) = (ids[0], ids[1]);
        let report = |unit: &Unit, percent, text: &str| {
            let actor = Engine::actor_of(unit);
            let cmd = Command::Report {
                report: ProgressReport {
                    period: "2026-09".into(),
                    text: text.into(),
                    percent: Some(percent),
                    actuals: vec![],
                    attachments: vec![],
                },
            };
            (actor, cmd)
        };
        e.execute(item_a, &Engine::actor_of(&gxt), &Command::Accept, None)
            .await
            .unwrap();
        let (a, c) = report(&gxt, 40, "配套管廊完成选线");
        e.execute(item_a, &a, &c, None).await.unwrap();
        let (a, c) = report(&kjt, 20, "中试平台方案已论证");
        e.execute(item_a, &a, &c, None).await.unwrap();
        let scheduler = Scheduler::new(e.clone(), &Settings::default()).unwrap();
        Recon {
            app,
            office,
            gxt,
            kjt,
            fgw,
            sup,
            item_a,
            item_b,
            scheduler,
        }
    }

    pub(crate) async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let resp = self
            .app
            .http
            .get(self.app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let resp = self
            .app
            .http
            .post(self.app.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Raw SQL on the test database (to tamper with a frozen statement).
    pub(crate) async fn sql(&self, sql: &str) {
        let conn = self.app.t.engine.raw_store().connection();
        conn.execute_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap();
    }
}

/// Tick once a day at 10:00 Beijing time, `from` to `to` inclusive.
pub(crate) async fn tick_days(w: &Recon, from: NaiveDate, to: NaiveDate) {
    let mut day = from;
    while day <= to {
        let now = at(day, 10);
        w.app.t.clock.set(now);
        w.scheduler.tick(now).await.unwrap();
        day = day.succ_opt().unwrap();
    }
}
