//! The world of the 督办单 tests: a task-force office keeping the items, 督查室, a lead
//! unit with a co-unit, a third unit, the served app and a scheduler on a manual clock.

use crate::scheduler::at;
use crate::support::TestApp;
use chrono::NaiveDate;
use reqwest::StatusCode;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::{Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest, Principal, Scheduler, Settings, TickReport};

pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) office: Unit,
    pub(crate) sup: Unit,
    pub(crate) lead: Unit,
    pub(crate) co: Unit,
    pub(crate) other: Unit,
    scheduler: Scheduler,
}

impl World {
    pub(crate) async fn new() -> World {
        let app = TestApp::spawn().await;
        let t = &app.t;
        t.clock.set(at(crate::scheduler::d(2026, 3, 2), 10));
        let office = t.unit("石化产业工作专班办公室", UnitKind::Office).await;
        let sup = t.unit("省政府督查室", UnitKind::Supervision).await;
        let lead = t.unit("省工信厅", UnitKind::Department).await;
        let co = t.unit("省科技厅", UnitKind::Department).await;
        let other = t.unit("省发改委", UnitKind::Department).await;
        let scheduler = Scheduler::new(t.engine.clone(), &Settings::default()).unwrap();
        World {
            app,
            office,
            sup,
            lead,
            co,
            other,
            scheduler,
        }
    }

    /// File and assign an item kept by the office, led by 省工信厅 with 省科技厅.
    pub(crate) async fn item(&self, title: &str, deadline: &str) -> ItemId {
        let e = &self.app.t.engine;
        let office = Engine::actor_of(&self.office);
        let id = e
            .file_item(
                &office,
                &ItemRequest {
                    title: title.into(),
                    lead_unit: Some(self.lead.name.clone()),
                    co_units: vec![self.co.name.clone()],
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
            &office,
            &Command::Assign {
                lead_unit: None,
                deadline: None,
            },
            None,
        )
        .await
        .unwrap();
        id
    }

    /// One tick at 10:00 Beijing time on `day`, the clock left there.
    pub(crate) async fn tick(&self, day: NaiveDate) -> TickReport {
        let now = at(day, 10);
        self.app.t.clock.set(now);
        self.scheduler.tick(now).await.unwrap()
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
}
