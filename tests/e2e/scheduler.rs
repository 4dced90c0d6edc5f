//! Time and supervision: the calendar, SLA due dates, suspensions, duties and the ladder,
//! driven by a manual clock through virtual weeks and months.

use crate::support::TestEngine;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeMap;
use std::sync::Arc;
use xiaohao_core::org::UnitKind;
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{Actor, Command, ItemId, ItemState};
use xiaohao_engine::{Engine, ItemRequest, ManualClock, Scheduler, Settings, TickReport};
use xiaohao_store::NewPerson;

pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// `h` o'clock in Beijing on `date`.
pub(crate) fn at(date: NaiveDate, h: u32) -> DateTime<Utc> {
    Shanghai
        .from_local_datetime(&date.and_hms_opt(h, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) struct World {
    pub(crate) t: TestEngine,
    pub(crate) office: Actor,
    pub(crate) lead: Actor,
    pub(crate) scheduler: Scheduler,
}

pub(crate) async fn world(start: DateTime<Utc>) -> World {
    let t = TestEngine::new().await;
    t.clock.set(start);
    let office = Engine::actor_of(&t.unit("专班办公室", UnitKind::Office).await);
    let lead = Engine::actor_of(&t.unit("省工信厅", UnitKind::Department).await);
    t.unit("省科技厅", UnitKind::Department).await;
    t.unit("省政府督查室", UnitKind::Supervision).await;
    let leader_office = t.unit("郭宁宁同志办公室", UnitKind::Office).await;
    t.engine
        .raw_store()
        .create_person(
            NewPerson {
                name: "郭宁宁".into(),
                unit: Some(leader_office.id),
                ..Default::default()
            },
            start,
        )
        .await
        .unwrap();
    let scheduler = Scheduler::new(t.engine.clone(), &Settings::default()).unwrap();
    World {
        t,
        office,
        lead,
        scheduler,
    }
}

impl World {
    pub(crate) async fn file(&self, kind: &str, deadline: Option<&str>) -> ItemId {
        let out = self
            .t
            .engine
            .file_item(
                &self.office,
                &ItemRequest {
                    kind: Some(kind.into()),
                    title: "企业反映用电报装周期长".into(),
                    lead_unit: Some("省工信厅".into()),
                    co_units: vec!["省科技厅".into()],
                    leader: Some("郭宁宁".into()),
                    deadline: deadline.map(str::to_owned),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        out.item.id
    }

    /// An item filed and assigned (交办) by the office to its lead unit.
    pub(crate) async fn assigned(&self, kind: &str, deadline: Option<&str>) -> ItemId {
        let id = self.file(kind, deadline).await;
        self.run(
            id,
            &self.office,
            Command::Assign {
                lead_unit: None,
                deadline: None,
            },
        )
        .await;
        id
    }

    pub(crate) async fn run(&self, id: ItemId, actor: &Actor, cmd: Command) {
        self.t.engine.execute(id, actor, &cmd, None).await.unwrap();
    }

    /// Tick at 09:00 every day in `[from, to]`; returns the first day each step fired.
    pub(crate) async fn tick_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> (BTreeMap<String, NaiveDate>, TickReport) {
        let mut first = BTreeMap::new();
        let mut total = TickReport::default();
        let mut day = from;
        while day <= to {
            self.t.clock.set(at(day, 9));
            // Twice: a second tick at the same instant must find nothing to do.
            let r = self.scheduler.tick(at(day, 9)).await.unwrap();
            let again = self.scheduler.tick(at(day, 9)).await.unwrap();
            assert_eq!(
                again.item_steps.values().sum::<u64>() + again.duty_steps.values().sum::<u64>(),
                0
            );
            assert_eq!(again.occurrences, 0);
            for (step, n) in &r.item_steps {
                if *n > 0 {
                    first.entry(step.clone()).or_insert(day);
                }
                *total.item_steps.entry(step.clone()).or_default() += n;
            }
            for (step, n) in &r.duty_steps {
                *total.duty_steps.entry(step.clone()).or_default() += n;
            }
            total.duties_opened += r.duties_opened;
            total.duties_missed += r.duties_missed;
            total.occurrences += r.occurrences;
            day += Duration::days(1);
        }
        (first, total)
    }

    pub(crate) async fn count(&self, sql: &str) -> i64 {
        let db = self.t.engine.raw_store().connection();
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }
}

#[tokio::test]
async fn a_problem_filed_the_friday_before_national_day_follows_the_calendar() {
    // Friday 26 September 2025, 10:00. 国庆+中秋 is 10-01..10-08; 09-28 (Sun) and 10-11 (Sat)
    // are working days.
    let w = world(at(d(2025, 9, 26), 10)).await;
    let id = w.assigned("problem", None).await;
    let item = w.t.engine.raw_store().item(id).await.unwrap();
    // 1天应答、3天明确意见、5天办结: the 5th working day is 10-10 (09-28, 09-29, 09-30, 10-09, 10-10).
    assert_eq!(item.due_on, Some(d(2025, 10, 10)));
    w.run(id, &w.lead, Command::Accept).await;
    // The clocks: 应答 due Sunday 09-28 (a 调休 working day), 明确意见 09-30, 办结 10-10.
    let detail = w.t.engine.detail(id).await.unwrap();
    let clocks: Vec<(String, NaiveDate, bool)> = detail
        .clocks
        .iter()
        .map(|c| (c.key.clone(), c.clock.due_date, c.clock.met_at.is_some()))
        .collect();
    assert_eq!(
        clocks,
        [
            ("respond".to_owned(), d(2025, 9, 28), true),
            ("opinion".to_owned(), d(2025, 9, 30), false),
            ("resolve".to_owned(), d(2025, 10, 10), false),
        ]
    );

    let (first, total) = w.tick_days(d(2025, 9, 27), d(2025, 10, 31)).await;
    let expected: BTreeMap<String, NaiveDate> = [
        ("预警", d(2025, 9, 29)), // 3 working days before: 09-30, 10-09, 10-10
        ("催办", d(2025, 10, 10)),
        ("督办", d(2025, 10, 14)), // 10-11 (调休 Saturday), 10-13, 10-14
        ("通报", d(2025, 10, 23)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(first, expected);
    for step in ["预警", "催办", "督办", "通报"] {
        assert_eq!(total.item_steps[step], 1, "{step} fires exactly once");
    }
    let item = w.t.engine.raw_store().item(id).await.unwrap();
    assert_eq!(item.escalation_level, 4);
    let events = w.t.engine.raw_store().events(id).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "escalate").count(), 4);
    assert!(xiaohao_core::event::verify_chain(&events).is_ok());
    assert_eq!(w.count("SELECT COUNT(*) FROM supervision_orders").await, 1);
    // Who heard of what: 预警 the lead; 催办 lead + co; 督办 lead, leader, office; 通报 lead,
    // office, supervision.
    let outbox = w.t.engine.raw_store().outbox(None, 100).await.unwrap();
    let count = |kind: &str| outbox.iter().filter(|o| o.kind == kind).count();
    assert_eq!(
        (
            count("escalation:预警"),
            count("escalation:催办"),
            count("escalation:督办"),
            count("escalation:通报")
        ),
        (1, 2, 3, 3)
    );
    assert!(
        outbox
            .iter()
            .filter(|o| o.kind == "escalation:督办")
            .all(|o| o.urgent)
    );
}

#[tokio::test]
async fn a_suspension_stops_the_clock_and_moves_the_due_date() {
    let w = world(at(d(2026, 3, 2), 10)).await;
    let id = w.assigned("task", Some("2026-03-31")).await;
    w.run(id, &w.lead, Command::Accept).await;
    let (first, _) = w.tick_days(d(2026, 3, 3), d(2026, 3, 24)).await;
    assert!(first.is_empty(), "{first:?}");

    w.t.clock.set(at(d(2026, 3, 25), 10));
    w.run(
        id,
        &w.office,
        Command::Suspend {
            reason: "等待省政府研究".into(),
        },
    )
    .await;
    // Past the original due date, but suspended: nothing fires.
    let (first, _) = w.tick_days(d(2026, 3, 26), d(2026, 4, 8)).await;
    assert!(first.is_empty(), "{first:?}");

    w.t.clock.set(at(d(2026, 4, 8), 10));
    w.run(id, &w.office, Command::Resume).await;
    let item = w.t.engine.raw_store().item(id).await.unwrap();
    assert_eq!(item.state, ItemState::Accepted);
    assert_eq!(
        item.deadline,
        Some(d(2026, 3, 31)),
        "the printed deadline stays"
    );
    // The clock stopped with five working days left (03-25, 26, 27, 30, 31); they are
    // given back from the day of resumption, skipping 清明 (04-04..06 were already
    // inside the pause): 04-08, 09, 10, 13, 14.
    assert_eq!(item.due_on, Some(d(2026, 4, 14)));
    let resume =
        w.t.engine
            .raw_store()
            .events(id)
            .await
            .unwrap()
            .pop()
            .unwrap();
    assert!(resume.payload.contains("2026-04-14"), "{}", resume.payload);

    // The day after: three working days left → 预警, not the 督办 the old date would give.
    let (first, _) = w.tick_days(d(2026, 4, 9), d(2026, 4, 9)).await;
    assert_eq!(first.keys().collect::<Vec<_>>(), ["预警"]);
}

#[tokio::test]
async fn a_missed_monthly_duty_escalates_and_a_late_report_settles_it() {
    let w = world(at(d(2026, 3, 2), 10)).await;
    let late = w.file("task", Some("2026-12-31")).await;
    let punctual = w.file("task", Some("2026-12-31")).await;
    for id in [late, punctual] {
        w.run(
            id,
            &w.office,
            Command::Assign {
                lead_unit: None,
                deadline: None,
            },
        )
        .await;
        w.run(id, &w.lead, Command::Accept).await;
    }
    // The monthly cycle opens on the 20th at 09:00, due the 25th.
    let (_, total) = w.tick_days(d(2026, 3, 3), d(2026, 3, 20)).await;
    assert_eq!(total.duties_opened, 2);
    let duties =
        w.t.engine
            .raw_store()
            .duties(w.lead.unit, Some("open"), 10)
            .await
            .unwrap();
    assert_eq!(duties.len(), 2);
    assert!(
        duties
            .iter()
            .all(|x| x.due_on == d(2026, 3, 25) && x.period_key == "2026-03")
    );

    let report = |period: &str| Command::Report {
        report: ProgressReport {
            period: period.into(),
            text: "已完成用电报装流程梳理".into(),
            percent: Some(30),
            actuals: vec![],
            attachments: vec![],
        },
    };
    w.t.clock.set(at(d(2026, 3, 23), 15));
    w.run(punctual, &w.lead, report("2026-03")).await;

    let (_, total) = w.tick_days(d(2026, 3, 21), d(2026, 3, 31)).await;
    assert_eq!(total.duties_missed, 1);
    let missed =
        w.t.engine
            .raw_store()
            .duties(w.lead.unit, Some("missed"), 10)
            .await
            .unwrap();
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0].item, Some(late));
    // The missed duty climbed the ladder: 预警 on the 20th (already), 催办 on the 25th,
    // 督办 three working days late on the 30th; the punctual one only saw 预警.
    assert_eq!(missed[0].escalation_level, 3);
    let duty_fires = w
        .count("SELECT COUNT(*) FROM escalation_fires WHERE subject_kind = 'duty'")
        .await;
    assert_eq!(duty_fires, 2 + 2);
    let outbox = w.t.engine.raw_store().outbox(None, 200).await.unwrap();
    let missed_notices: Vec<_> = outbox.iter().filter(|o| o.kind == "duty_missed").collect();
    assert!(
        !missed_notices.is_empty()
            && missed_notices
                .iter()
                .all(|o| o.urgent && o.item == Some(late))
    );

    // A late report for March settles the duty.
    w.t.clock.set(at(d(2026, 4, 1), 10));
    w.run(late, &w.lead, report("2026-03")).await;
    let submitted =
        w.t.engine
            .raw_store()
            .duties(w.lead.unit, Some("submitted"), 10)
            .await
            .unwrap();
    assert_eq!(submitted.len(), 2);
}

#[tokio::test]
async fn two_schedulers_ticking_together_fire_everything_exactly_once() {
    let start = at(d(2026, 1, 1), 8);
    let w = world(start).await;
    // A second instance: its own connection pool on the same database, the same clock.
    let other_store = w.t.db.store().await;
    let clock: Arc<ManualClock> = w.t.clock.clone();
    let other = Scheduler::new(
        Engine::new(other_store, clock, crate::support::policy()),
        &Settings::default(),
    )
    .unwrap();

    let mut ids = Vec::new();
    for i in 0..24 {
        let deadline = d(2026, 1, 10) + Duration::days(i * 3);
        let id = w.assigned("task", Some(&deadline.to_string())).await;
        if i % 2 == 0 {
            w.run(id, &w.lead, Command::Accept).await;
        }
        ids.push(id);
    }
    let mut sum = TickReport::default();
    let mut day = d(2026, 1, 1);
    while day <= d(2026, 3, 31) {
        let now = at(day, 9);
        w.t.clock.set(now);
        let (a, b) = tokio::join!(
            w.scheduler.tick_since(now, start),
            other.tick_since(now, start)
        );
        for r in [a.unwrap(), b.unwrap()] {
            sum.occurrences += r.occurrences;
            sum.duties_opened += r.duties_opened;
            for (k, n) in r.item_steps {
                *sum.item_steps.entry(k).or_default() += n;
            }
            for (k, n) in r.duty_steps {
                *sum.duty_steps.entry(k).or_default() += n;
            }
        }
        day += Duration::days(1);
    }
    // Occurrences in Q1: monthly ×3, quarterly (2025-Q4), semi-annual (2025-H2), annual (2025),
    // and the monthly 对账 ×3 (2025-12, 2026-01, 2026-02).
    assert_eq!(sum.occurrences, 9);
    assert_eq!(w.count("SELECT COUNT(*) FROM cycle_occurrences").await, 9);
    assert_eq!(
        sum.duties_opened as i64,
        w.count("SELECT COUNT(*) FROM duties").await
    );
    let item_fires = w
        .count("SELECT COUNT(*) FROM escalation_fires WHERE subject_kind = 'item'")
        .await;
    let duty_fires = w
        .count("SELECT COUNT(*) FROM escalation_fires WHERE subject_kind = 'duty'")
        .await;
    assert_eq!(sum.item_steps.values().sum::<u64>() as i64, item_fires);
    assert_eq!(sum.duty_steps.values().sum::<u64>() as i64, duty_fires);
    assert_eq!(
        w.count("SELECT COUNT(*) FROM events WHERE kind = 'escalate'")
            .await,
        item_fires
    );
    // Every item whose due date passed reached 通报 exactly once.
    assert!(item_fires >= 24 * 2, "{item_fires}");
    for id in ids {
        let events = w.t.engine.raw_store().events(id).await.unwrap();
        assert!(xiaohao_core::event::verify_chain(&events).is_ok());
        let steps: Vec<String> = events
            .iter()
            .filter(|e| e.kind == "escalate")
            .map(|e| e.payload.clone())
            .collect();
        let mut unique = steps.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), steps.len(), "no step twice for one item");
    }
}

/// A tick cut off at any point (a crash, a kill, a lost connection) leaves whole units of
/// work or nothing; the next tick finishes the rest, and the end state is the same as an
/// uninterrupted run.
#[tokio::test]
async fn an_interrupted_tick_is_finished_by_the_next() {
    async fn scenario(cut: Option<u64>) -> (i64, i64, i64, i64) {
        let w = world(at(d(2026, 3, 2), 10)).await;
        for i in 0..40 {
            let deadline = d(2026, 3, 5) + Duration::days(i % 9);
            w.assigned("task", Some(&deadline.to_string())).await;
        }
        let now = at(d(2026, 3, 20), 9);
        w.t.clock.set(now);
        if let Some(micros) = cut {
            // Cut the tick off after a few microseconds of work, several times over.
            for _ in 0..5 {
                let _ = tokio::time::timeout(
                    std::time::Duration::from_micros(micros),
                    w.scheduler.tick(now),
                )
                .await;
            }
        }
        w.scheduler.tick(now).await.unwrap();
        let again = w.scheduler.tick(now).await.unwrap();
        assert_eq!(
            again.item_steps.values().sum::<u64>() + again.duty_steps.values().sum::<u64>(),
            0
        );
        (
            w.count("SELECT COUNT(*) FROM escalation_fires").await,
            w.count("SELECT COUNT(*) FROM events WHERE kind = 'escalate'")
                .await,
            w.count("SELECT COUNT(*) FROM duties").await,
            w.count("SELECT COUNT(*) FROM outbox").await,
        )
    }
    let clean = scenario(None).await;
    assert!(clean.0 > 0 && clean.2 > 0, "{clean:?}");
    for micros in [50, 500, 3_000, 20_000] {
        assert_eq!(scenario(Some(micros)).await, clean, "cut after {micros}µs");
    }
}

/// The set-based batch write: an item changed between the sweep's read and its write is
/// left out (its claim given back, nothing half-written) while the rest of the batch lands;
/// the next tick escalates it.
#[tokio::test]
async fn a_batch_leaves_out_an_item_changed_since_it_was_read() {
    let w = world(at(d(2026, 3, 2), 9)).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let id = w.assigned("task", Some("2026-03-06")).await;
        ids.push(id);
    }
    let store = w.t.engine.raw_store();
    let now = at(d(2026, 4, 1), 9);
    w.t.clock.set(now);
    let read = store
        .items_to_escalate("通报", d(2026, 4, 1), None, None, 100)
        .await
        .unwrap();
    assert_eq!(read.len(), 3);
    let mut entries = Vec::new();
    let mut before = Vec::new();
    for (item, head) in read {
        let command = Command::Escalate {
            level: 4,
            step: "通报".into(),
            notify: vec![item.lead_unit.unwrap()],
            deadline_key: "2026-03-06".into(),
            urgent: true,
            reason: None,
        };
        let decision = xiaohao_core::decide(&item, &Actor::system(), &command, now).unwrap();
        let firing_command = command.clone();
        let fire = xiaohao_store::FireRow {
            subject_kind: "item",
            subject_id: item.id.0,
            item: Some(item.id),
            unit: item.lead_unit,
            due_on: item.due_on.unwrap(),
            step: "通报".into(),
            level: 4,
            working_days_late: 17,
        };
        before.push(item.clone());
        let firing = xiaohao_core::escalation::StepFiring {
            command: firing_command,
            fire,
            order: None,
            reply_due: None,
            issued_on: None,
        };
        entries.push(xiaohao_store::Write::decision_on(item, head, decision).firing(firing));
    }
    // The lead accepts one of them after the sweep read it.
    let changed = before[1].id;
    w.run(changed, &w.lead, Command::Accept).await;

    let results = store
        .write(&entries, xiaohao_store::Atomicity::Each)
        .await
        .unwrap();
    let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(ok, [true, false, true], "{results:?}");
    assert!(matches!(
        results[1],
        Err(xiaohao_store::StoreError::Conflict(_))
    ));
    assert_eq!(w.count("SELECT COUNT(*) FROM escalation_fires").await, 2);
    assert_eq!(
        w.count("SELECT COUNT(*) FROM events WHERE kind = 'escalate'")
            .await,
        2
    );
    let (_, _, broken) = store.verify_all_chains().await.unwrap();
    assert!(broken.is_none(), "{broken:?}");
    let item = store.item(changed).await.unwrap();
    assert_eq!(
        (item.state, item.escalation_level),
        (ItemState::Accepted, 0)
    );
    for id in [before[0].id, before[2].id] {
        let item = store.item(id).await.unwrap();
        assert_eq!(item.escalation_level, 4);
        assert_eq!(item.version, before[0].version + 1);
    }

    // A second write of the same batch finds every step claimed: nothing more is written.
    let again = store
        .write(&entries, xiaohao_store::Atomicity::Each)
        .await
        .unwrap();
    assert!(again.iter().all(Result::is_err));
    assert_eq!(w.count("SELECT COUNT(*) FROM escalation_fires").await, 2);

    // The next tick picks up the item that was left out, once.
    let r = w.scheduler.tick(now).await.unwrap();
    assert_eq!(r.item_steps.get("通报"), Some(&1), "{r:?}");
    assert_eq!(
        w.count("SELECT COUNT(*) FROM escalation_fires WHERE subject_kind = 'item'")
            .await,
        3
    );
    let (_, _, broken) = store.verify_all_chains().await.unwrap();
    assert!(broken.is_none(), "{broken:?}");
}

/// The sweep reads its window in batches by due date and id, each batch on from the last
/// one's final item: with batches of two, one tick escalates every item of the window once
/// (items sharing a due date across a batch's end included), and the next finds nothing.
#[tokio::test]
async fn batches_read_on_from_the_last_item_and_miss_none() {
    let mut w = world(at(d(2026, 3, 2), 9)).await;
    let mut ids = Vec::new();
    for deadline in [
        "2026-03-06",
        "2026-03-05",
        "2026-03-06",
        "2026-03-06",
        "2026-03-05",
    ] {
        let id = w.assigned("task", Some(deadline)).await;
        ids.push(id);
    }
    let mut settings = Settings::default();
    settings.scheduler.batch_size = 2;
    w.scheduler = Scheduler::new(w.t.engine.clone(), &settings).unwrap();
    let now = at(d(2026, 4, 1), 9);
    w.t.clock.set(now);
    let r = w.scheduler.tick(now).await.unwrap();
    assert_eq!(r.item_steps.get("通报"), Some(&5), "{r:?}");
    let store = w.t.engine.raw_store();
    for id in ids {
        assert_eq!(store.item(id).await.unwrap().escalation_level, 4);
    }
    let again = w.scheduler.tick(now).await.unwrap();
    assert_eq!(again.item_steps.values().sum::<u64>(), 0, "{again:?}");
    assert_eq!(
        w.count("SELECT COUNT(*) FROM escalation_fires WHERE subject_kind = 'item'")
            .await,
        5
    );
}
