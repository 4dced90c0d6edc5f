//! The quarterly bulletin (通报) of a scenario driven through the engine and daily scheduler
//! ticks on a manual clock; every expected figure is worked out by hand below.

use crate::support::{NowUtc, TestEngine};
use chrono::{DateTime, Duration, TimeZone, Utc};
use xiaohao_core::org::UnitKind;
use xiaohao_core::{Actor, ItemId};
use xiaohao_engine::report::{NO_CHAIN, Period};
use xiaohao_engine::{CommandRequest, Engine, ItemRequest, Scheduler, Settings};
use xiaohao_store::NewChain;

/// 09:00 (or `hour`) in Beijing on a day of November 2026 (no holidays that month).
fn nov(day: u32, hour: u32) -> DateTime<Utc> {
    chrono_tz_offset()
        .with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

fn chrono_tz_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("offset")
}

async fn act(t: &TestEngine, id: ItemId, who: &Actor, action: &str, text: Option<&str>) {
    let req = CommandRequest {
        action: action.into(),
        reason: text.map(Into::into),
        evidence: text.map(Into::into),
        ..Default::default()
    };
    t.engine
        .execute_request(id, who, &req)
        .await
        .unwrap_or_else(|e| panic!("{action}: {e}"));
}

#[tokio::test]
async fn the_quarterly_bulletin_counts_what_happened() {
    let t = TestEngine::new().await;
    t.clock.set(nov(2, 8));
    let office = Engine::actor_of(&t.unit("专班办公室", UnitKind::Office).await);
    let a_unit = t.unit("省发改委", UnitKind::Department).await;
    let b_unit = t.unit("省工信厅", UnitKind::Department).await;
    let a = Engine::actor_of(&a_unit);
    let b = Engine::actor_of(&b_unit);
    t.engine
        .raw_store()
        .create_chain(
            NewChain {
                name: "石化产业".into(),
                ..Default::default()
            },
            t.clock.now_utc(),
        )
        .await
        .expect("chain");
    let file = |title: &str, lead: &str, deadline: &str, chain: Option<&str>| ItemRequest {
        title: title.into(),
        lead_unit: Some(lead.into()),
        deadline: Some(deadline.into()),
        chain: chain.map(Into::into),
        ..Default::default()
    };
    let e = &t.engine;
    let i1 = e
        .file_item(
            &office,
            &file("任务一", "省发改委", "2026-11-20", Some("石化产业")),
        )
        .await
        .unwrap()
        .item
        .id;
    let i2 = e
        .file_item(
            &office,
            &file("任务二", "省工信厅", "2026-11-06", Some("石化产业")),
        )
        .await
        .unwrap()
        .item
        .id;
    let i3 = e
        .file_item(&office, &file("任务三", "省发改委", "2026-11-13", None))
        .await
        .unwrap()
        .item
        .id;
    // A draft never assigned: not counted.
    e.file_item(&office, &file("任务四", "省工信厅", "2026-11-30", None))
        .await
        .unwrap();

    let mut settings = Settings::default();
    settings.cycles.retain(|c| c.key == "monthly");
    let scheduler = Scheduler::new(e.clone(), &settings).expect("scheduler");

    // Every day from 2 November to 1 December: a tick at 09:00, then the day's actions at 10:00.
    let mut day = nov(2, 9);
    let end = nov(30, 9) + Duration::days(1);
    while day <= end {
        t.clock.set(day);
        scheduler
            .tick_since(day, day - Duration::hours(24))
            .await
            .expect("tick");
        t.clock.set(day + Duration::hours(1));
        let d = chrono::Datelike::day(&(day + Duration::hours(8)));
        let month = chrono::Datelike::month(&(day + Duration::hours(8)));
        match (month, d) {
            (11, 2) => {
                for id in [i1, i2, i3] {
                    act(&t, id, &office, "assign", None).await;
                }
                act(&t, i1, &a, "accept", None).await;
                act(&t, i1, &a, "start", None).await;
                act(&t, i2, &b, "accept", None).await;
                act(&t, i2, &b, "start", None).await;
                // 退回: returned 1 (I3, unit A).
                act(&t, i3, &a, "return", Some("不属于本单位职责")).await;
            }
            (11, 3) => {
                act(&t, i3, &office, "assign", None).await;
                act(&t, i3, &a, "accept", None).await;
                act(&t, i3, &a, "start", None).await;
            }
            (11, 9) => {
                act(&t, i2, &b, "request_closure", Some("已完成")).await;
                // 核验不通过: returned 1 (I2, unit B).
                act(&t, i2, &office, "reject", Some("佐证材料不全")).await;
            }
            (11, 11) => {
                act(&t, i2, &b, "request_closure", Some("已补充材料")).await;
                act(&t, i2, &office, "verify", None).await;
            }
            (11, 16) => {
                act(&t, i1, &a, "request_closure", Some("已完成")).await;
                act(&t, i1, &office, "verify", None).await;
            }
            _ => {}
        }
        day += Duration::days(1);
    }
    // The bulletin is read on 1 December, 10:00: as_of = 2026-12-01.
    let b = e
        .bulletin(&Period::quarter("2026Q4").unwrap())
        .await
        .expect("bulletin");
    let dump = serde_json::to_string_pretty(&b).unwrap();
    assert_eq!(
        b.as_of,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    );

    // Items: I1, I2, I3 (I4 is a draft). Closed: I1 on 16 Nov (due 20 Nov, on time),
    // I2 on 11 Nov (due 6 Nov, late). Overdue: I3 (due 13 Nov, open).
    // Working days to close from the first assignment on 2 Nov: I1 10 (3–6, 9–13, 16),
    // I2 7 (3–6, 9–11); mean 8.5.
    let tot = &b.total;
    assert_eq!(
        (tot.total, tot.closed, tot.closed_on_time, tot.overdue),
        (3, 2, 1, 1),
        "{dump}"
    );
    assert_eq!(tot.returned, 2, "{dump}");
    assert_eq!(tot.avg_working_days_to_close, Some(8.5), "{dump}");
    // Duties: the monthly cycle opens on 20 Nov for tracked items — only I3 (I1, I2 closed);
    // due 25 Nov, never reported: 1 missed, at unit A.
    assert_eq!(tot.duties_missed, 1, "{dump}");
    // Escalations (ladder −3 预警 L1, 0 催办 L2, +3 督办 L3, +10 通报 L4 working days):
    // I2 (due 6 Nov): 预警 3 Nov, 催办 6 Nov, 督办 11 Nov 09:00 (before its verification).
    // I3 (due 13 Nov): 预警 10 Nov, 催办 13 Nov, 督办 18 Nov, 通报 27 Nov.
    // I3's duty (due 25 Nov): 预警 20 Nov, 催办 25 Nov, 督办 30 Nov.
    // I3's 督办单 of 18 Nov, never answered (reply due 25 Nov, five working days): 预警
    // 20 Nov, 催办 25 Nov, 督办 30 Nov. (I2's was closed with the item.)
    let levels: Vec<(i32, u64)> = tot.escalations.iter().map(|(l, n)| (*l, *n)).collect();
    assert_eq!(levels, vec![(1, 4), (2, 4), (3, 4), (4, 1)], "{dump}");

    let chain = |name: &str| {
        b.by_chain
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no row {name}: {dump}"))
            .figures
            .clone()
    };
    let petro = chain("石化产业");
    assert_eq!(
        (
            petro.total,
            petro.closed,
            petro.closed_on_time,
            petro.overdue,
            petro.returned,
            petro.duties_missed
        ),
        (2, 2, 1, 0, 1, 0),
        "{dump}"
    );
    assert_eq!(petro.avg_working_days_to_close, Some(8.5));
    assert_eq!(petro.escalations.values().sum::<u64>(), 3);
    let none = chain(NO_CHAIN);
    assert_eq!(
        (
            none.total,
            none.closed,
            none.overdue,
            none.returned,
            none.duties_missed
        ),
        (1, 0, 1, 1, 1),
        "{dump}"
    );
    assert_eq!(none.avg_working_days_to_close, None);
    // I3: its four steps, its duty's three and its 督办单's three.
    assert_eq!(none.escalations.values().sum::<u64>(), 10, "{dump}");

    let unit = |name: &str| {
        b.by_unit
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no row {name}: {dump}"))
            .figures
            .clone()
    };
    let ua = unit("省发改委");
    assert_eq!(
        (
            ua.total,
            ua.closed,
            ua.closed_on_time,
            ua.overdue,
            ua.returned,
            ua.duties_missed
        ),
        (2, 1, 1, 1, 1, 1),
        "{dump}"
    );
    assert_eq!(ua.avg_working_days_to_close, Some(10.0));
    let la: Vec<(i32, u64)> = ua.escalations.iter().map(|(l, n)| (*l, *n)).collect();
    assert_eq!(la, vec![(1, 3), (2, 3), (3, 3), (4, 1)], "{dump}");
    let ub = unit("省工信厅");
    assert_eq!(
        (
            ub.total,
            ub.closed,
            ub.closed_on_time,
            ub.overdue,
            ub.returned,
            ub.duties_missed
        ),
        (1, 1, 0, 0, 1, 0),
        "{dump}"
    );
    assert_eq!(ub.avg_working_days_to_close, Some(7.0));

    // Red: I3, 12 working days late on 1 Dec (16–20, 23–27, 30 Nov, 1 Dec), at level 4.
    assert_eq!(b.red_items.len(), 1, "{dump}");
    assert_eq!(b.red_items[0].id, i3);
    assert_eq!(b.red_items[0].working_days_late, 12);
    assert_eq!(b.red_items[0].escalation_level, 4);

    // The annual bulletin of 2026 holds the same facts; 2025 holds none.
    let y = e
        .bulletin(&Period::year(2026).unwrap())
        .await
        .expect("annual");
    assert_eq!(y.total.total, 3);
    assert_eq!(y.total.closed, 2);
    let old = e
        .bulletin(&Period::year(2025).unwrap())
        .await
        .expect("2025");
    assert_eq!(old.total.total, 0);
}
