//! The world of the 考核 tests: an office, three units, 督查室, three items filed on 28
//! September 2026 and a fourth quarter driven by the scheduler, one tick a day at 10:00:
//!
//! - 省工信厅 reports October on time and asks for closure before its 30 October deadline:
//!   按期销号 (+1).
//! - 省发改委 (a 重点 item, ×1.5) never reports October (督办 on the duty: 缺报 −3), its
//!   item reaches 督办 (−3) and 通报 (−7.5), and it asks for closure on 16 November, eleven
//!   working days late: 逾期销号 (−1.5).
//! - 省商务厅 reports October one working day late (迟报 −1), then on time.

use crate::scheduler::{at, d};
use crate::support::TestApp;
use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::Value;
use std::cell::Cell;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{AccountRole, Actor, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest, Scheduler, Settings};

pub(crate) struct Quarter {
    pub(crate) app: TestApp,
    pub(crate) office: Unit,
    pub(crate) a: Unit,
    pub(crate) b: Unit,
    pub(crate) c: Unit,
    pub(crate) sup: Unit,
    pub(crate) items: [ItemId; 3],
    scheduler: Scheduler,
    /// The last day ticked.
    ticked: Cell<NaiveDate>,
}

impl Quarter {
    /// Tick once a day at 10:00 from the day after the last tick to `to`, then stand at
    /// 15:00 on `to` (when the day's acts happen).
    pub(crate) async fn tick_until(&self, to: NaiveDate) {
        let mut day = self.ticked.get().succ_opt().unwrap();
        while day <= to {
            let now = at(day, 10);
            self.app.t.clock.set(now);
            self.scheduler.tick(now).await.unwrap();
            self.ticked.set(day);
            day = day.succ_opt().unwrap();
        }
        self.app.t.clock.set(at(to, 15));
    }

    async fn act(&self, item: usize, actor: &Actor, cmd: Command) {
        self.app
            .t
            .engine
            .execute(self.items[item], actor, &cmd, None)
            .await
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    }

    async fn report(&self, item: usize, unit: &Unit, period: &str) {
        let cmd = Command::Report {
            report: ProgressReport {
                period: period.into(),
                text: "按计划推进".into(),
                percent: Some(60),
                actuals: vec![],
                attachments: vec![],
            },
        };
        self.act(item, &Engine::actor_of(unit), cmd).await;
    }

    async fn close(&self, item: usize, unit: &Unit) {
        let cmd = Command::RequestClosure {
            evidence: "已办结，佐证材料齐全".into(),
            attachments: vec![],
        };
        self.act(item, &Engine::actor_of(unit), cmd).await;
    }

    async fn verify(&self, item: usize) {
        let office = AccountRole::Office.actor(self.office.id, "专班");
        self.act(item, &office, Command::Verify { comment: None })
            .await;
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

    /// The ranking sheet of `/api/scores/xlsx`: (名次, 单位, 得分) per row.
    pub(crate) async fn xlsx(&self, token: &str, period: &str) -> Vec<(String, String, String)> {
        use calamine::{Reader, Xlsx};
        let resp = self
            .app
            .http
            .get(self.app.url(&format!("/api/scores/xlsx?period={period}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = resp.bytes().await.unwrap().to_vec();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("考核排名").unwrap();
        sheet
            .rows()
            .skip(3)
            .map(|r| (r[0].to_string(), r[1].to_string(), r[2].to_string()))
            .collect()
    }
}

/// The quarter, played to 31 December.
pub(crate) async fn run_quarter() -> Quarter {
    let app = TestApp::spawn().await;
    let t = &app.t;
    t.clock.set(at(d(2026, 9, 28), 9));
    let office = t.unit("营商环境工作专班办公室", UnitKind::Office).await;
    let a = t.unit("省工信厅", UnitKind::Department).await;
    let b = t.unit("省发改委", UnitKind::Department).await;
    let c = t.unit("省商务厅", UnitKind::Department).await;
    let sup = t.unit("省政府督查室", UnitKind::Supervision).await;
    let e = &t.engine;
    let office_actor = AccountRole::Office.actor(office.id, "专班");
    let mut ids = Vec::new();
    for (title, lead, deadline, grade) in [
        ("清理拖欠企业账款", "省工信厅", "2026-10-30", None),
        (
            "推进重点项目并联审批",
            "省发改委",
            "2026-10-30",
            Some("重点"),
        ),
        ("外贸企业纾困清单", "省商务厅", "2026-12-31", None),
    ] {
        let id = e
            .file_item(
                &office_actor,
                &ItemRequest {
                    title: title.into(),
                    lead_unit: Some(lead.into()),
                    deadline: Some(deadline.into()),
                    grade: grade.map(str::to_owned),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .item
            .id;
        let assign = Command::Assign {
            lead_unit: None,
            deadline: None,
        };
        e.execute(id, &office_actor, &assign, None).await.unwrap();
        ids.push(id);
    }
    for (i, unit) in [&a, &b, &c].into_iter().enumerate() {
        let actor = Engine::actor_of(unit);
        e.execute(ids[i], &actor, &Command::Accept, None)
            .await
            .unwrap();
        e.execute(ids[i], &actor, &Command::Start, None)
            .await
            .unwrap();
    }
    let w = Quarter {
        scheduler: Scheduler::new(e.clone(), &Settings::default()).unwrap(),
        app,
        office,
        a,
        b,
        c,
        sup,
        items: [ids[0], ids[1], ids[2]],
        ticked: Cell::new(d(2026, 9, 27)),
    };
    // October's duty opens on the 20th, due Monday the 26th (the 25th is a Sunday).
    w.tick_until(d(2026, 10, 23)).await;
    w.report(0, &w.a, "2026-10").await;
    w.tick_until(d(2026, 10, 27)).await;
    w.report(2, &w.c, "2026-10").await;
    w.tick_until(d(2026, 10, 28)).await;
    w.close(0, &w.a).await;
    w.tick_until(d(2026, 10, 29)).await;
    w.verify(0).await;
    w.tick_until(d(2026, 11, 16)).await;
    w.close(1, &w.b).await;
    w.tick_until(d(2026, 11, 17)).await;
    w.verify(1).await;
    w.tick_until(d(2026, 11, 24)).await;
    w.report(2, &w.c, "2026-11").await;
    w.tick_until(d(2026, 12, 22)).await;
    w.report(2, &w.c, "2026-12").await;
    w.tick_until(d(2026, 12, 31)).await;
    w
}
