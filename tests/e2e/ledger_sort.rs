//! The ledger is sorted by the database: for every column and both directions, on either
//! database, the order it returns is the order the rule states, computed here in Rust
//! from what each row shows (序号 by its numbers, text by code point, empty cells last,
//! light and days late by the policy, ties by filing time and id).

use crate::policy::bj;
use crate::support::TestApp;
use chrono::{Duration, NaiveDate};
use std::cmp::Ordering;
use xiaohao_core::org::UnitKind;
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{AccountRole, Command, Item};
use xiaohao_engine::workbench::{LedgerSort, SortKey, compare_numbers};
use xiaohao_engine::{Engine, ItemRequest};
use xiaohao_store::{ItemFilter, NewChain};

/// A cell as the rule compares it.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Number(String),
    Int(i64),
    /// Text by code point; empty last in both directions.
    Text(String),
}

fn cell(engine: &Engine, key: SortKey, it: &Item, names: &Names) -> Cell {
    let text = |s: Option<&String>| Cell::Text(s.cloned().unwrap_or_default());
    match key {
        SortKey::Number => Cell::Number(it.number.clone().unwrap_or_default()),
        SortKey::Title => Cell::Text(it.title.clone()),
        SortKey::Lead => text(it.lead_unit.and_then(|u| names.units.get(&u))),
        SortKey::Chain => text(it.chain_id.and_then(|c| names.chains.get(&c))),
        SortKey::State => Cell::Int(
            xiaohao_core::ItemState::ALL
                .iter()
                .position(|s| *s == it.state)
                .expect("state") as i64,
        ),
        SortKey::Deadline => Cell::Int(it.deadline.map_or(i64::MAX, |d| {
            i64::from(chrono::Datelike::num_days_from_ce(&d))
        })),
        SortKey::DaysLate => Cell::Int(engine.working_days_late(it)),
        SortKey::Light => Cell::Int(
            xiaohao_core::Light::ALL
                .iter()
                .position(|l| *l == engine.light_of(it))
                .expect("light") as i64,
        ),
        SortKey::Level => Cell::Int(i64::from(it.escalation_level)),
        SortKey::Percent => Cell::Int(it.progress_percent.map_or(-1, i64::from)),
    }
}

struct Names {
    units: std::collections::HashMap<xiaohao_core::UnitId, String>,
    chains: std::collections::HashMap<xiaohao_core::ChainId, String>,
}

/// The rule's comparison of two cells in a direction.
fn compare(a: &Cell, b: &Cell, descending: bool) -> Ordering {
    let by_value = match (a, b) {
        (Cell::Text(x), Cell::Text(y)) if x.is_empty() != y.is_empty() => {
            return x.is_empty().cmp(&y.is_empty());
        }
        (Cell::Number(x), Cell::Number(y)) => compare_numbers(x, y),
        (x, y) => x.cmp(y),
    };
    if descending {
        by_value.reverse()
    } else {
        by_value
    }
}

#[tokio::test]
async fn every_ledger_column_sorts_in_the_database_as_the_rule_says() {
    let app = TestApp::spawn().await;
    let t = &app.t;
    let base = NaiveDate::from_ymd_opt(2026, 9, 10).expect("date");
    t.clock.set(bj(base - Duration::days(40), 9));
    let office_unit = t.unit("石化产业链工作专班", UnitKind::Office).await;
    let office = Engine::actor_of(&office_unit);
    let leads = [
        t.unit("省工信厅", UnitKind::Department).await,
        t.unit("省发改委", UnitKind::Department).await,
        t.unit("Ａ市商务局", UnitKind::Department).await,
    ];
    let now = t.engine.now();
    let store = t.engine.raw_store();
    for name in ["石化产业链", "集成电路产业链"] {
        store
            .create_chain(
                NewChain {
                    name: name.into(),
                    parent: None,
                    plan: None,
                    leaders: vec![],
                    lead_units: vec![],
                    units: vec![],
                },
                now,
            )
            .await
            .expect("chain");
    }
    let numbers = ["(十二)", "(二)", "2.3", "2", "", "一百零五、", "(一)", "10"];
    let titles = ["推进项目", "编制图谱", "Ａ类事项", "招商引资", "b"];
    for i in 0..36usize {
        t.clock.set(bj(
            base - Duration::days(40 - (i as i64 % 30)),
            9 + (i % 5) as u32,
        ));
        let number = numbers[i % numbers.len()];
        let id = t
            .engine
            .file_item(
                &office,
                &ItemRequest {
                    number: (!number.is_empty()).then(|| number.to_owned()),
                    title: format!("{}{}", titles[i % titles.len()], i % 4),
                    lead_unit: (i % 7 != 0).then(|| leads[i % 3].name.clone()),
                    chain: match i % 3 {
                        0 => Some("石化产业链".into()),
                        1 => Some("集成电路产业链".into()),
                        _ => None,
                    },
                    ..Default::default()
                },
            )
            .await
            .expect("file")
            .item
            .id;
        if i % 7 == 0 {
            continue;
        }
        let lead = Engine::actor_of(&leads[i % 3]);
        let due = base + Duration::days(i as i64 % 24 - 10);
        let steps: Vec<(&xiaohao_core::Actor, Command)> = vec![
            (
                &office,
                Command::Assign {
                    lead_unit: None,
                    deadline: (i % 5 != 0).then_some(due),
                },
            ),
            (&lead, Command::Accept),
            (
                &lead,
                Command::Report {
                    report: ProgressReport {
                        period: "2026-08".into(),
                        text: "推进中".into(),
                        percent: Some((i as i32 * 17) % 101),
                        actuals: Vec::new(),
                        attachments: Vec::new(),
                    },
                },
            ),
        ];
        for (actor, command) in steps.into_iter().take(i % 4) {
            let _ = t.engine.execute(id, actor, &command, None).await;
        }
    }
    t.clock.set(bj(base, 10));
    let token = app.token(office_unit.id, AccountRole::Office).await;
    let who = t
        .engine
        .authenticate(&token)
        .await
        .expect("authenticate")
        .expect("principal");
    let names = Names {
        units: t.engine.unit_names().await.expect("units"),
        chains: t.engine.chain_names().await.expect("chains"),
    };
    for key in SortKey::ALL {
        for descending in [false, true] {
            let page = t
                .engine
                .ledger_page_for(
                    &who,
                    ItemFilter {
                        limit: 1000,
                        ..ItemFilter::default()
                    },
                    Some(LedgerSort { key, descending }),
                )
                .await
                .expect("page");
            assert_eq!(page.items.len(), 36);
            for pair in page.items.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                let (ca, cb) = (
                    cell(&t.engine, key, a, &names),
                    cell(&t.engine, key, b, &names),
                );
                let order = compare(&ca, &cb, descending);
                assert_ne!(
                    order,
                    Ordering::Greater,
                    "{key:?} desc={descending}: {ca:?} before {cb:?}"
                );
                // Equal cells keep the filing order; days late may also be equal for
                // different due dates, which the database orders by due date.
                if order == Ordering::Equal && key != SortKey::DaysLate {
                    assert!(
                        (a.created_at, a.id) < (b.created_at, b.id),
                        "{key:?} desc={descending}: tie of {ca:?} out of filing order"
                    );
                }
            }
        }
    }
}
