//! 考核 end to end, on both databases: a quarter driven by the scheduler on a manual clock
//! in which one unit closes on time, one misses a report, is 督办ed and 通报ed and closes
//! late, and one reports late; the scores and lines as the rules say; a recomputation from
//! a copy of the event log gives the same bytes, and later events leave a closed quarter
//! alone; a unit reads only its own row; the CLI's JSON contract prints the same bytes
//! twice.

mod browser;
mod world;

use crate::scheduler::d;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use world::{Quarter, run_quarter};
use xiaohao_core::AccountRole;
use xiaohao_core::score::{self, Period};

fn units(card: &Value) -> Vec<(String, Value, u64)> {
    card["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().unwrap().to_owned(),
                u["score"].clone(),
                u["rank"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// `(rule, points, step)` of a unit's lines.
fn lines_of(card: &Value, unit: &str) -> Vec<(String, f64, String)> {
    let u = card["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap_or_else(|| panic!("{unit} in {card}"));
    u["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["rule"].as_str().unwrap().to_owned(),
                l["points"].as_f64().unwrap(),
                l["step"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Every unit's score is the base plus its lines' points (to the tenth).
fn assert_sums(card: &Value) {
    let base = card["base"].as_f64().unwrap();
    for u in card["units"].as_array().unwrap() {
        let sum: f64 = u["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["points"].as_f64().unwrap())
            .sum();
        let score = u["score"].as_f64().unwrap();
        assert!((base + sum - score).abs() < 1e-9, "{u}");
    }
}

/// A 对账单逾期未签 line as `lines_of` gives it.
fn unsigned() -> (String, f64, String) {
    ("statement_unsigned".to_owned(), -1.0, String::new())
}

#[tokio::test]
async fn a_quarter_scored_from_the_event_log_explained_line_by_line() {
    let w: Quarter = run_quarter().await;
    let engine = &w.app.t.engine;
    let rules = &engine.policy().scoring;
    let q4 = Period::parse("2026Q4").unwrap();
    let card = engine.scorecard(&q4).await.unwrap();
    let json = card.to_json(rules);
    assert_eq!(json["period"], "2026Q4");
    assert_eq!(json["base"], 100);
    assert_sums(&json);
    assert_eq!(
        units(&json),
        vec![
            ("省工信厅".to_owned(), Value::from(100), 1),
            ("省商务厅".to_owned(), Value::from(96), 2),
            ("省发改委".to_owned(), Value::from(83), 3),
        ],
        "{json:#}"
    );
    assert_eq!(
        lines_of(&json, "省工信厅"),
        vec![
            unsigned(),
            ("closed_on_time".to_owned(), 1.0, String::new())
        ]
    );
    // Nobody signs a 对账单 in this story: each statement past its due date is a line,
    // −1 whatever the grade (September's is late on 14 October, November's on 15 December).
    assert_eq!(
        lines_of(&json, "省商务厅"),
        vec![
            unsigned(),
            ("late_report".to_owned(), -1.0, String::new()),
            unsigned(),
            unsigned()
        ]
    );
    // 省发改委's item is 重点 (×1.5): 缺报 of October, 督办 and 通报 on the item, 逾期销号.
    assert_eq!(
        lines_of(&json, "省发改委"),
        vec![
            unsigned(),
            ("missed_report".to_owned(), -3.0, String::new()),
            ("escalation".to_owned(), -3.0, "督办".to_owned()),
            ("escalation".to_owned(), -7.5, "通报".to_owned()),
            unsigned(),
            ("closed_late".to_owned(), -1.5, String::new()),
        ]
    );
    // Every line names a stored event of its item, of the kind its rule reads.
    let store = engine.raw_store();
    for u in &card.units {
        for l in &u.lines {
            let events = store.events(l.item_id).await.unwrap();
            let e = events
                .iter()
                .find(|e| e.seq == l.event_seq)
                .unwrap_or_else(|| panic!("{l:?} names no event"));
            let kind = match l.rule {
                score::RuleKind::MissedReport | score::RuleKind::StatementUnsigned => {
                    "duty_escalated"
                }
                score::RuleKind::LateReport => "report",
                score::RuleKind::Escalation => "escalate",
                score::RuleKind::ClosedOnTime | score::RuleKind::ClosedLate => "verify",
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(e.kind.as_str(), kind, "{l:?}");
            assert_eq!(engine.policy().local_date(e.at), l.on);
        }
    }
    let b = card.units.iter().find(|u| u.unit == "省发改委").unwrap();
    assert_eq!(b.lines[1].duty_period.as_deref(), Some("2026-10"));
    assert_eq!(
        b.lines[5].working_days_late,
        Some(11),
        "asked 16 November, due 30 October: eleven working days"
    );
    let c = card.units.iter().find(|u| u.unit == "省商务厅").unwrap();
    assert_eq!(c.lines[1].working_days_late, Some(1));

    // Q3: everyone at the base, sharing the first rank; the year is the quarter here.
    let q3 = engine
        .scorecard(&Period::parse("2026Q3").unwrap())
        .await
        .unwrap()
        .to_json(rules);
    assert!(
        units(&q3).iter().all(|(_, s, r)| *s == 100 && *r == 1),
        "{q3}"
    );
    let year = engine
        .scorecard(&Period::parse("2026").unwrap())
        .await
        .unwrap()
        .to_json(rules);
    assert_eq!(year["units"], json["units"]);

    // Recomputed from a copy of the event log (serialised and read back): the same bytes.
    let log = store
        .events_before(crate::scheduler::at(d(2030, 1, 1), 0))
        .await
        .unwrap();
    let copy: Vec<xiaohao_core::event::Event> =
        serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
    let names: BTreeMap<_, _> = engine.unit_names().await.unwrap();
    let again = score::compute(rules, engine.policy(), &q4, &copy, &names).to_json(rules);
    let first = serde_json::to_string(&json).unwrap();
    assert_eq!(serde_json::to_string(&again).unwrap(), first);

    // Events of the next quarter leave the closed one alone: 省商务厅's item, due 31
    // December, reaches 督办 in January.
    w.tick_until(d(2027, 1, 6)).await;
    let later = engine.scorecard(&q4).await.unwrap().to_json(rules);
    assert_eq!(serde_json::to_string(&later).unwrap(), first);
    let q1 = engine
        .scorecard(&Period::parse("2027Q1").unwrap())
        .await
        .unwrap()
        .to_json(rules);
    assert_eq!(
        lines_of(&q1, "省商务厅"),
        vec![("escalation".to_owned(), -2.0, "督办".to_owned())],
        "{q1}"
    );
}

#[tokio::test]
async fn a_unit_reads_its_own_row_and_the_supervision_all() {
    let w = run_quarter().await;
    let app = &w.app;
    let unit = app.token(w.c.id, AccountRole::Unit).await;
    let sup = app.token(w.sup.id, AccountRole::Supervision).await;
    let leader = app.token(w.office.id, AccountRole::Leader).await;
    let (status, own) = w.get(&unit, "/api/scores?period=2026Q4").await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(
        units(&own),
        vec![("省商务厅".to_owned(), Value::from(96), 2)],
        "its own row, with its rank among all"
    );
    for token in [&sup, &leader] {
        let (status, all) = w.get(token, "/api/scores?period=2026Q4").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(units(&all).len(), 3, "{all}");
        assert_sums(&all);
    }
    let (status, err) = w.get(&sup, "/api/scores?period=2026Q5").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["error"]["field"], "period", "{err}");
    let (status, err) = w.get(&sup, "/api/scores?period=2026Q4&unit=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    // Without a period: the current quarter (the clock stands on 31 December).
    let page = app
        .http
        .get(app.url("/scores?period=2026Q9"))
        .bearer_auth(&sup)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.text().await.unwrap();
    assert!(text.contains("考核期间有误"), "{text}");
    let (status, now) = w.get(&sup, "/api/scores").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(now["period"], "2026Q4");

    // The workbook: the ranking sheet lists the three units in rank order; a unit's
    // workbook only its own.
    let rows = w.xlsx(&sup, "2026Q4").await;
    assert_eq!(
        rows,
        vec![
            ("1".to_owned(), "省工信厅".to_owned(), "100".to_owned()),
            ("2".to_owned(), "省商务厅".to_owned(), "96".to_owned()),
            ("3".to_owned(), "省发改委".to_owned(), "83".to_owned()),
        ]
    );
    assert_eq!(w.xlsx(&unit, "2026Q4").await.len(), 1);
}

#[tokio::test]
async fn the_cli_prints_the_contract_twice_the_same() {
    let w = run_quarter().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_xiaohao"))
            .args(args)
            .env("XIAOHAO_DATABASE_URL", &w.app.t.db.url)
            .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
            .env("XIAOHAO_LOG", "warn")
            .output()
            .expect("run xiaohao")
    };
    let args = ["report", "score", "--period", "2026Q4", "--format", "json"];
    let first = run(&args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = run(&args);
    assert_eq!(first.stdout, second.stdout, "the same bytes twice");
    let card: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(card["period"], "2026Q4");
    assert_eq!(card["base"], 100);
    assert_sums(&card);
    for u in card["units"].as_array().unwrap() {
        for key in ["unit", "score", "rank", "lines"] {
            assert!(u.get(key).is_some(), "{key} in {u}");
        }
        for l in u["lines"].as_array().unwrap() {
            for key in ["rule", "points", "item_id", "event_seq"] {
                assert!(l.get(key).is_some(), "{key} in {l}");
            }
        }
    }
    assert_eq!(units(&card)[2].0, "省发改委");
    let year = run(&["report", "score", "--period", "2026", "--format", "json"]);
    let year: Value = serde_json::from_slice(&year.stdout).unwrap();
    assert_eq!(year["units"], card["units"]);
    let table = run(&["report", "score", "--period", "2026Q4", "--lines"]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("2026年第四季度考核"), "{table}");
    assert!(table.contains("1\t省工信厅\t100"), "{table}");
    assert!(table.contains("通报") && table.contains("-7.5"), "{table}");
    for bad in ["2026Q5", "Q4", "next"] {
        let out = run(&["report", "score", "--period", bad, "--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.lines().filter(|l| !l.trim().is_empty()).count(),
            1,
            "{err}"
        );
        assert!(err.contains("period"), "{err}");
        assert!(out.stdout.is_empty());
    }
}
