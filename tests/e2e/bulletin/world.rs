//! The world of the 通报 tests: a task-force office keeping three items of two units, a
//! second office beside it, 督查室, the served app and a scheduler on a manual clock.
//! `run_quarter` drives Q4 2026 to 10 December: 工信厅 closes its item on time, 发改委's two
//! items run late and climb the ladder.

use crate::scheduler::{at, d};
use crate::support::TestApp;
use chrono::NaiveDate;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::{AccountRole, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest, Principal, Scheduler, Settings};

pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) office: Unit,
    pub(crate) other_office: Unit,
    pub(crate) gxt: Unit,
    pub(crate) fgw: Unit,
    pub(crate) sup: Unit,
    /// 工信厅 leads; closed on time.
    pub(crate) item_a: ItemId,
    /// 发改委 leads; due 30 October.
    pub(crate) item_b: ItemId,
    /// 发改委 leads; due 13 November.
    pub(crate) item_c: ItemId,
    scheduler: Scheduler,
    day: std::sync::Mutex<NaiveDate>,
}

impl World {
    pub(crate) async fn new() -> World {
        let app = TestApp::spawn().await;
        let t = &app.t;
        let start = d(2026, 10, 9);
        t.clock.set(at(start, 10));
        let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
        let other_office = t.unit("新能源产业工作专班办公室", UnitKind::Office).await;
        let gxt = t.unit("省工信厅", UnitKind::Department).await;
        let fgw = t.unit("省发改委", UnitKind::Department).await;
        let sup = t.unit("省政府督查室", UnitKind::Supervision).await;
        let e = &t.engine;
        let office_actor = AccountRole::Office.actor(office.id, "专班");
        let mut ids = Vec::new();
        for (number, title, lead, deadline) in [
            ("(一)", "推进古雷石化基地配套项目", "省工信厅", "2026-11-30"),
            ("(二)", "编制石化产业链招商图谱", "省发改委", "2026-10-30"),
            ("(三)", "完善石化园区安全监管体系", "省发改委", "2026-11-13"),
        ] {
            let id = e
                .file_item(
                    &office_actor,
                    &ItemRequest {
                        number: Some(number.into()),
                        title: title.into(),
                        lead_unit: Some(lead.into()),
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
        let scheduler = Scheduler::new(e.clone(), &Settings::default()).unwrap();
        World {
            app,
            office,
            other_office,
            gxt,
            fgw,
            sup,
            item_a: ids[0],
            item_b: ids[1],
            item_c: ids[2],
            scheduler,
            day: std::sync::Mutex::new(start),
        }
    }

    /// Tick once a day at 10:00 Beijing time up to `to` inclusive.
    pub(crate) async fn tick_until(&self, to: NaiveDate) {
        let mut day = *self.day.lock().unwrap();
        while day <= to {
            let now = at(day, 10);
            self.app.t.clock.set(now);
            self.scheduler.tick(now).await.unwrap();
            day = day.succ_opt().unwrap();
        }
        *self.day.lock().unwrap() = day;
        self.app.t.clock.set(at(to, 10));
    }

    /// Q4 to 10 December: 工信厅 accepts and closes its item on 20 November (verified by
    /// the office); 发改委 never answers.
    pub(crate) async fn run_quarter(&self) {
        let e = &self.app.t.engine;
        self.tick_until(d(2026, 11, 20)).await;
        let gxt = Engine::actor_of(&self.gxt);
        let office = Engine::actor_of(&self.office);
        for cmd in [Command::Accept, Command::Start] {
            e.execute(self.item_a, &gxt, &cmd, None).await.unwrap();
        }
        e.execute(
            self.item_a,
            &gxt,
            &Command::RequestClosure {
                evidence: "配套管廊已建成投用".into(),
                attachments: vec![],
            },
            None,
        )
        .await
        .unwrap();
        e.execute(
            self.item_a,
            &office,
            &Command::Verify { comment: None },
            None,
        )
        .await
        .unwrap();
        self.tick_until(d(2026, 12, 10)).await;
    }

    pub(crate) async fn principal(&self, token: &str) -> Principal {
        self.app
            .t
            .engine
            .authenticate(token)
            .await
            .unwrap()
            .expect("a live token")
    }

    /// Working days late as the item API shows them.
    pub(crate) async fn days_late(&self, token: &str, item: ItemId) -> i64 {
        let resp = self.get(token, &format!("/api/items/{item}")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let v: serde_json::Value = resp.json().await.unwrap();
        v["clocks"]["working_days_late"]
            .as_i64()
            .expect("days late")
    }

    pub(crate) async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.app
            .http
            .get(self.app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn page(&self, token: &str, path: &str) -> String {
        let resp = self.get(token, path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        resp.text().await.unwrap()
    }

    pub(crate) async fn download(&self, token: &str, path: &str) -> Vec<u8> {
        let resp = self.get(token, path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        resp.bytes().await.unwrap().to_vec()
    }

    /// A form post as the page sends it (redirects followed).
    pub(crate) async fn form(
        &self,
        token: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.app
            .http
            .post(self.app.url(path))
            .bearer_auth(token)
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Raw SQL on the test database (to tamper with an issued bulletin).
    pub(crate) async fn sql(&self, sql: &str) {
        let conn = self.app.t.engine.raw_store().connection();
        conn.execute_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap();
    }

    /// The `xiaohao` binary on the test database, at the world's clock.
    pub(crate) fn cli(&self, args: &[&str]) -> std::process::Output {
        use crate::support::NowUtc;
        let clock = std::env::temp_dir().join(format!("xiaohao-clock-{}", uuid::Uuid::new_v4()));
        std::fs::write(&clock, self.app.t.clock.now_utc().to_rfc3339()).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_xiaohao"))
            .args(args)
            .env("XIAOHAO_CLOCK_FILE", &clock)
            .env("XIAOHAO_DATABASE_URL", &self.app.t.db.url)
            .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
            .env("XIAOHAO_LOG", "error")
            .output()
            .expect("run xiaohao");
        std::fs::remove_file(&clock).ok();
        out
    }
}
