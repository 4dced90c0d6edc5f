//! One policy: the light and the delay a unit is judged by read the same on the item page,
//! in the list filter (SQL and the policy's rule together), in `/metrics` and in mails, for
//! random items and days — on SQLite and PostgreSQL.

use crate::support::{TestApp, TestEngine};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use std::collections::{BTreeMap, BTreeSet};
use xiaohao_core::org::UnitKind;
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{AccountRole, Command, ItemId, Light};
use xiaohao_engine::{Engine, ItemRequest};
use xiaohao_store::ItemFilter;

/// `hour` o'clock in Beijing on `d`.
pub(crate) fn bj(d: NaiveDate, hour: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&d.and_hms_opt(hour, 0, 0).expect("time"))
        .single()
        .expect("unambiguous")
        .with_timezone(&Utc)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// What one random item goes through: filed `filed_before` days before the base day, due
/// `due_after` days after it, taken to `stage`, with `percent` reported.
#[derive(Debug, Clone)]
struct Spec {
    filed_before: i64,
    due_after: i64,
    stage: u8,
    percent: i32,
}

fn specs() -> impl Strategy<Value = Vec<Spec>> {
    prop::collection::vec(
        (1i64..80, -25i64..40, 0u8..6, 0i32..=100).prop_map(
            |(filed_before, due_after, stage, percent)| Spec {
                filed_before,
                due_after,
                stage,
                percent,
            },
        ),
        24..40,
    )
}

/// File and move the items as the spec says; a command the rules refuse leaves the item
/// where it is (the check below holds for any state).
async fn build(t: &TestEngine, base: NaiveDate, specs: &[Spec]) -> Vec<ItemId> {
    let office = Engine::actor_of(&t.unit("石化产业链工作专班", UnitKind::Office).await);
    let lead = Engine::actor_of(&t.unit("省工信厅", UnitKind::Department).await);
    let mut ids = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let filed = base - Duration::days(s.filed_before);
        t.clock.set(bj(filed, 9));
        let id = t
            .engine
            .file_item(
                &office,
                &ItemRequest {
                    title: format!("随机事项{i}"),
                    lead_unit: Some("省工信厅".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("file")
            .item
            .id;
        let due = base + Duration::days(s.due_after);
        let mut steps: Vec<(&xiaohao_core::Actor, Command)> = Vec::new();
        if s.stage >= 1 {
            steps.push((
                &office,
                Command::Assign {
                    lead_unit: None,
                    deadline: Some(due),
                },
            ));
        }
        if s.stage >= 2 {
            steps.push((&lead, Command::Accept));
        }
        if s.stage >= 3 {
            steps.push((
                &lead,
                Command::Report {
                    report: ProgressReport {
                        period: format!("{}", filed.format("%Y-%m")),
                        text: "按计划推进".into(),
                        percent: Some(s.percent),
                        actuals: Vec::new(),
                        attachments: Vec::new(),
                    },
                },
            ));
        }
        match s.stage {
            4 => steps.push((
                &office,
                Command::Suspend {
                    reason: "等待上级批复".into(),
                },
            )),
            5 => steps.push((
                &office,
                Command::Cancel {
                    reason: "任务调整".into(),
                },
            )),
            _ => {}
        }
        for (actor, command) in steps {
            let _ = t.engine.execute(id, actor, &command, None).await;
        }
        ids.push(id);
    }
    ids
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> serde_json::Value {
    let resp = app
        .http
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.expect("json")
}

fn metric(text: &str, light: Light) -> u64 {
    let key = format!("xiaohao_items_by_light{{light=\"{}\"}} ", light.as_str());
    text.lines()
        .find_map(|l| l.strip_prefix(&key))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {key} in /metrics"))
}

fn mail_light(engine: &Engine, item: &xiaohao_core::Item) -> (String, i64) {
    let row = xiaohao_store::OutboxRow {
        id: uuid::Uuid::new_v4(),
        dedupe_key: "policy-test".into(),
        kind: "escalation:催办".into(),
        recipient: item.lead_unit.expect("lead"),
        item: Some(item.id),
        urgent: false,
        payload: serde_json::json!({}),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: engine.now(),
        last_error: None,
        created_at: engine.now(),
        sent_at: None,
        claim_token: None,
        message_key: None,
        channel: None,
    };
    let e = xiaohao_engine::mail::Entry::new(
        &row,
        Some(item),
        engine.policy(),
        engine.today(),
        "http://x",
    );
    (e.light, e.days_late)
}

#[tokio::test]
async fn one_light_rule_agrees_on_page_filter_export_metrics_and_mail() {
    let mut runner = TestRunner::new(Config {
        cases: 3,
        ..Config::default()
    });
    // Around 中秋 and 国庆 2026, so rest days fall inside the yellow window.
    let base = d(2026, 9, 20);
    for case in 0..3 {
        let specs = specs().new_tree(&mut runner).expect("specs").current();
        let app = TestApp::spawn().await;
        let t = &app.t;
        let ids = build(t, base, &specs).await;
        t.clock.set(bj(base, 8));
        let sup = t.unit("督查室", UnitKind::Supervision).await;
        let token = app.token(sup.id, AccountRole::Supervision).await;
        let who = t
            .engine
            .authenticate(&token)
            .await
            .expect("authenticate")
            .expect("a principal");
        for offset in [0i64, 4, 9, 13, 22, 35] {
            let today = base + Duration::days(offset);
            t.clock.set(bj(today, 10));
            // The item page (API detail) is the reference.
            let mut page: BTreeMap<Light, BTreeSet<String>> = BTreeMap::new();
            for id in &ids {
                let v = get_json(&app, &token, &format!("/api/items/{id}")).await;
                let light: Light = v["light"].as_str().expect("light").parse().expect("light");
                let item = t.engine.raw_store().item(*id).await.expect("item");
                assert_eq!(light, t.engine.light_of(&item), "case {case} day {today}");
                let late = v["clocks"]["working_days_late"].as_i64().expect("late");
                let (mail_label, mail_late) = mail_light(&t.engine, &item);
                assert_eq!(
                    (mail_label.as_str(), mail_late),
                    (light.label_zh(), late),
                    "mail vs page, case {case} day {today}: {item:?}"
                );
                page.entry(light).or_default().insert(id.to_string());
            }
            let metrics = app
                .http
                .get(app.url("/metrics"))
                .send()
                .await
                .expect("metrics")
                .text()
                .await
                .expect("text");
            // The ledger export: its 红黄绿灯 text and 逾期(工作日) for every running item.
            let csv_bytes = app
                .http
                .get(app.url("/api/export/ledger.csv"))
                .bearer_auth(&token)
                .send()
                .await
                .expect("export")
                .bytes()
                .await
                .expect("bytes");
            let mut reader = csv::Reader::from_reader(
                csv_bytes
                    .strip_prefix("\u{feff}".as_bytes())
                    .unwrap_or(&csv_bytes),
            );
            let headers = reader.headers().expect("headers").clone();
            let col = |name: &str| {
                headers
                    .iter()
                    .position(|h| h == name)
                    .unwrap_or_else(|| panic!("no column {name}"))
            };
            let (c_id, c_light, c_late) = (col("ID"), col("红黄绿灯"), col("逾期(工作日)"));
            let mut exported = 0;
            for rec in reader.records() {
                let rec = rec.expect("record");
                let id = &rec[c_id];
                let Some(light) = Light::ALL
                    .into_iter()
                    .find(|l| page.get(l).is_some_and(|s| s.contains(id)))
                else {
                    panic!("exported item {id} is not in the ledger")
                };
                if matches!(light, Light::Red | Light::Yellow | Light::Green) {
                    assert_eq!(&rec[c_light], light.label_zh(), "export colour of {id}");
                }
                let late: i64 = rec[c_late].trim().parse().unwrap_or(0);
                let item = t
                    .engine
                    .raw_store()
                    .item(id.parse().expect("id"))
                    .await
                    .expect("item");
                assert_eq!(
                    late,
                    t.engine.working_days_late(&item),
                    "export delay of {id}"
                );
                exported += 1;
            }
            assert_eq!(exported, ids.len(), "every item exported");
            for light in Light::ALL {
                let listed = get_json(
                    &app,
                    &token,
                    &format!("/api/items?light={}&limit=1000", light.as_str()),
                )
                .await;
                let got: BTreeSet<String> = listed["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|i| i["id"].as_str().expect("id").to_owned())
                    .collect();
                let want = page.get(&light).cloned().unwrap_or_default();
                assert_eq!(
                    got, want,
                    "the {light} filter selects exactly what the page colours {light} (case {case}, {today})"
                );
                assert_eq!(listed["total"].as_u64(), Some(want.len() as u64));
                assert_eq!(metric(&metrics, light), want.len() as u64, "{light} metric");
                // Exports and dashboards read every matching item through the same path.
                let all = t
                    .engine
                    .all_for(
                        &who,
                        ItemFilter {
                            light: Some(t.engine.light_filter(light)),
                            ..ItemFilter::default()
                        },
                    )
                    .await
                    .expect("all_for");
                let all: BTreeSet<String> = all.iter().map(|i| i.id.to_string()).collect();
                assert_eq!(all, want, "{light} via all_for");
            }
            // The dashboard's tiles are counted in SQL over the stored light dates.
            let stats = t.engine.stats_for(&who).await.expect("stats");
            for light in Light::ALL {
                let tile = match light {
                    Light::Red => stats.all.red,
                    Light::Yellow => stats.all.yellow,
                    Light::Green => stats.all.green,
                    Light::Blue => stats.all.blue,
                    Light::Grey => stats.all.grey,
                };
                let want = page.get(&light).map_or(0, BTreeSet::len) as u64;
                assert_eq!(tile, want, "{light} tile (case {case}, {today})");
            }
            // The leader's 序时进度 list selects in SQL what the policy calls lagging.
            let lagging = t
                .engine
                .all_for(
                    &who,
                    ItemFilter {
                        lagging_on: Some(today),
                        ..ItemFilter::default()
                    },
                )
                .await
                .expect("lagging");
            let lagging: BTreeSet<ItemId> = lagging.iter().map(|i| i.id).collect();
            for id in &ids {
                let item = t.engine.raw_store().item(*id).await.expect("item");
                assert_eq!(
                    lagging.contains(id),
                    t.engine.policy().lagging(&item, today).is_some(),
                    "lagging of {item:?} on {today}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_missing_calendar_year_is_loud_and_its_dates_are_flagged_assumed() {
    let app = TestApp::spawn().await;
    let t = &app.t;
    // 2027 has no file in config/calendar: from 1 November 2026 offices are told.
    t.clock.set(bj(d(2026, 11, 2), 9));
    let office_unit = t.unit("石化产业链工作专班", UnitKind::Office).await;
    let office = Engine::actor_of(&office_unit);
    t.unit("省工信厅", UnitKind::Department).await;
    let id = t
        .engine
        .file_item(
            &office,
            &ItemRequest {
                title: "跨年任务".into(),
                lead_unit: Some("省工信厅".into()),
                deadline: Some("2027-01-08".into()),
                ..Default::default()
            },
        )
        .await
        .expect("file")
        .item
        .id;
    t.engine
        .execute(
            id,
            &office,
            &Command::Assign {
                lead_unit: None,
                deadline: None,
            },
            None,
        )
        .await
        .expect("assign");
    let token = app.token(office_unit.id, AccountRole::Office).await;
    let v = get_json(&app, &token, &format!("/api/items/{id}")).await;
    assert_eq!(v["clocks"]["assumed"], true, "{}", v["clocks"]);
    assert_eq!(v["lateness"]["assumed"], true, "{}", v["lateness"]);

    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("xiaohao_calendar_year_missing{year=\"2027\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("xiaohao_calendar_year_missing{year=\"2026\"} 0"),
        "{metrics}"
    );

    // The notice behind the banner and the digest line; not in October.
    let notice = xiaohao_engine::missing_years_notice(t.engine.policy(), t.engine.today())
        .expect("a notice in November");
    assert!(notice.contains("2027年"), "{notice}");
    t.clock.set(bj(d(2026, 10, 30), 9));
    assert!(
        xiaohao_engine::missing_years_notice(t.engine.policy(), t.engine.today()).is_none(),
        "no notice before November while this year is covered"
    );
}

#[test]
fn an_admin_loads_a_calendar_year_without_rebuilding() {
    let home = std::env::temp_dir().join(format!("xiaohao-cal-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&home).expect("home");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_xiaohao"))
            .args(args)
            .env("XIAOHAO_HOME", &home)
            .env("XIAOHAO_LOG", "warn")
            .output()
            .expect("run xiaohao")
    };
    let good = home.join("2027.toml");
    std::fs::write(
        &good,
        "year = 2027\nsource = \"测试用通知\"\n\n[[holiday]]\nname = \"元旦\"\nfirst = 2027-01-01\nwork = []\n",
    )
    .expect("write");
    let out = run(&["calendar", "import", good.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(home.join("config/calendar/2027.toml").is_file());
    // A second import of the same year needs --replace.
    let out = run(&["calendar", "import", good.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    // A day both off and on, and a date outside the year: refused with one line.
    for (name, text, needle) in [
        (
            "both.toml",
            "year = 2028\nsource = \"x\"\n[[holiday]]\nname = \"春节\"\nfirst = 2028-01-26\nlast = 2028-02-01\nwork = [2028-01-29]\n",
            "2028-01-29",
        ),
        (
            "outside.toml",
            "year = 2028\nsource = \"x\"\n[[holiday]]\nname = \"元旦\"\nfirst = 2029-01-01\n",
            "2029-01-01",
        ),
    ] {
        let f = home.join(name);
        std::fs::write(&f, text).expect("write");
        let out = run(&["calendar", "import", f.to_str().expect("path")]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{name}: {err}");
        assert!(lines[0].contains(needle), "{name}: {err}");
    }
    assert!(
        !home.join("config/calendar/2028.toml").exists(),
        "nothing half-written"
    );
    let shown = run(&["calendar", "show"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("[2027]"));
    let _ = std::fs::remove_dir_all(&home);
}

/// The writer keeps every row's light dates as it writes them; when the light thresholds
/// change, the engine computes them again at start, once, and the filters follow the new
/// rule.
#[tokio::test]
async fn light_dates_are_kept_by_the_writer_and_recomputed_when_the_policy_changes() {
    let mut runner = TestRunner::new(Config::default());
    let specs = specs().new_tree(&mut runner).expect("specs").current();
    let t = TestEngine::new().await;
    let base = d(2026, 9, 20);
    let ids = build(&t, base, &specs).await;
    let first = t.engine.index_lights().await.expect("index");
    assert!(first.full, "no policy was recorded yet");
    assert_eq!(
        first.updated, 0,
        "the writer kept every row's dates: {first:?}"
    );
    assert_eq!(first.read, ids.len() as u64);

    let mut wider = (*crate::support::policy()).clone();
    wider.lights.yellow_within_working_days = 10;
    wider.lights.lag_percent = 5;
    let other = Engine::new(
        t.engine.raw_store().clone(),
        t.clock.clone(),
        std::sync::Arc::new(wider),
    );
    let changed = other.index_lights().await.expect("index");
    assert!(changed.full && changed.updated > 0, "{changed:?}");
    let again = other.index_lights().await.expect("index");
    assert!(!again.full && again.updated == 0, "{again:?}");
    for offset in [0i64, 5, 12, 30] {
        let today = base + Duration::days(offset);
        t.clock.set(bj(today, 10));
        for light in Light::ALL {
            let got: BTreeSet<ItemId> = other
                .raw_store()
                .all_items(&ItemFilter {
                    light: Some(other.light_filter(light)),
                    ..ItemFilter::default()
                })
                .await
                .expect("items")
                .iter()
                .map(|i| i.id)
                .collect();
            for id in &ids {
                let item = other.raw_store().item(*id).await.expect("item");
                assert_eq!(
                    got.contains(id),
                    other.light_of(&item) == light,
                    "{light} under the new thresholds on {today}: {item:?}"
                );
            }
        }
    }
}
