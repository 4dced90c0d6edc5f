//! `xiaohao simulate`: the real engine and scheduler over a virtual clock, with synthetic
//! units that report on time, late, or never, in a scratch database. Prints per-month
//! figures. Nothing sleeps: the clock is set, day by day.

use crate::cli::SimulateArgs;
use crate::run::{CliError, open_url};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::sync::Arc;
use xiaohao_core::org::UnitKind;
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{Actor, Command, ItemId, ItemState, NewItem, UnitId};
use xiaohao_engine::{Engine, ManualClock, Scheduler, Settings};
use xiaohao_store::{ItemFilter, NewUnit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Habit {
    OnTime,
    Late,
    Silent,
}

#[derive(Debug, Clone)]
enum Act {
    Assign(ItemId),
    Accept(ItemId, UnitId),
    Report(ItemId, UnitId, String),
    RequestClosure(ItemId, UnitId),
    Verify(ItemId),
}

#[derive(Debug, Default, Clone)]
struct Month {
    opened: u64,
    closed: u64,
    closed_on_time: u64,
    overdue_at_end: u64,
    steps: BTreeMap<String, u64>,
    duty_steps: u64,
    duties_opened: u64,
    duties_missed: u64,
    refused: u64,
}

fn parse_day(flag: &str, s: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| CliError::Usage(format!("{flag}: `{s}` is not a date (YYYY-MM-DD)")))
}

pub async fn run(
    settings: &Settings,
    home: &std::path::Path,
    args: SimulateArgs,
) -> Result<(), CliError> {
    let from = parse_day("--from", &args.from)?;
    let to = parse_day("--to", &args.to)?;
    if to < from {
        return Err(CliError::Usage("--to must not be before --from".into()));
    }
    if args.units == 0 || args.items == 0 {
        return Err(CliError::Usage(
            "--units and --items must be at least 1".into(),
        ));
    }
    let scratch = std::env::temp_dir().join(format!("xiaohao-sim-{}", uuid::Uuid::new_v4()));
    let url = match &args.db {
        Some(u) => u.clone(),
        None => {
            std::fs::create_dir_all(&scratch)
                .map_err(|e| CliError::Failure(format!("scratch dir: {e}")))?;
            format!(
                "sqlite://{}?mode=rwc",
                scratch.join("simulate.db").display()
            )
        }
    };
    let result = simulate(settings, home, &args, &url, from, to).await;
    if args.db.is_none() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    result
}

async fn simulate(
    settings: &Settings,
    home: &std::path::Path,
    args: &SimulateArgs,
    url: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let store = open_url(url, 8).await?;
    if !store.units().await?.is_empty() {
        return Err(CliError::Usage(format!(
            "--db: `{url}` is not empty; simulate needs a fresh database"
        )));
    }
    let policy = std::sync::Arc::new(xiaohao_engine::load_policy(settings, home)?);
    let tz = policy.timezone;
    let at_nine = |d: NaiveDate| {
        tz.from_local_datetime(
            &d.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN)),
        )
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| d.and_time(NaiveTime::MIN).and_utc())
    };
    let clock = Arc::new(ManualClock::new(at_nine(from)));
    let engine = Engine::new(store, clock.clone(), policy);
    let scheduler = Scheduler::new(engine.clone(), settings)?;
    let store = &engine;
    let mut rng = fastrand::Rng::with_seed(args.seed);

    let office_unit = store
        .create_unit(NewUnit {
            name: "模拟工作专班办公室".into(),
            kind: Some(UnitKind::Office),
            ..Default::default()
        })
        .await?;
    store
        .create_unit(NewUnit {
            name: "模拟督查室".into(),
            kind: Some(UnitKind::Supervision),
            ..Default::default()
        })
        .await?;
    let office = Engine::actor_of(&office_unit);
    let mut units = Vec::with_capacity(args.units);
    for i in 0..args.units {
        let u = store
            .create_unit(NewUnit {
                name: format!("模拟责任单位{:04}", i + 1),
                ..Default::default()
            })
            .await?;
        let habit = match rng.u32(0..100) {
            0..60 => Habit::OnTime,
            60..85 => Habit::Late,
            _ => Habit::Silent,
        };
        units.push((u.id, habit));
    }

    // File every item as a draft; plan what each unit will do and when.
    let mut plan: BTreeMap<NaiveDate, Vec<Act>> = BTreeMap::new();
    let span = (to - from).num_days().max(1);
    let mut due_of: BTreeMap<ItemId, NaiveDate> = BTreeMap::new();
    for n in 0..args.items {
        let (lead, habit) = units[rng.usize(0..units.len())];
        let assign_on = from + Duration::days(rng.i64(0..=span.min(180)));
        let deadline = assign_on + Duration::days(rng.i64(30..=200));
        let out = engine
            .file_new_item(
                &office,
                &NewItem {
                    title: format!("模拟任务{:05}", n + 1),
                    lead_unit: Some(lead),
                    deadline: Some(deadline),
                    ..Default::default()
                },
            )
            .await?;
        let id = out.item.id;
        due_of.insert(id, deadline);
        let mut at = |d: NaiveDate, a: Act| plan.entry(d).or_default().push(a);
        at(assign_on, Act::Assign(id));
        let accept_after = match habit {
            Habit::OnTime => 1,
            Habit::Late => 3,
            Habit::Silent => 6,
        };
        at(
            assign_on + Duration::days(accept_after),
            Act::Accept(id, lead),
        );
        if habit == Habit::Silent {
            continue;
        }
        let closes_on = match habit {
            Habit::OnTime => deadline - Duration::days(rng.i64(1..=10)),
            _ => deadline + Duration::days(rng.i64(2..=20)),
        }
        .max(assign_on + Duration::days(accept_after + 1));
        // Monthly reports inside (on time) or after (late) the 20th–25th window.
        let mut month =
            NaiveDate::from_ymd_opt(assign_on.year(), assign_on.month(), 1).unwrap_or(assign_on);
        while month <= closes_on.min(to) {
            let day = match habit {
                Habit::OnTime => rng.u32(20..=24),
                _ => rng.u32(26..=28),
            };
            if let Some(d) = month.with_day(day)
                && d > assign_on + Duration::days(accept_after)
                && d <= closes_on
            {
                at(
                    d,
                    Act::Report(id, lead, format!("{}-{:02}", d.year(), d.month())),
                );
            }
            month = NaiveDate::from_ymd_opt(
                if month.month() == 12 {
                    month.year() + 1
                } else {
                    month.year()
                },
                if month.month() == 12 {
                    1
                } else {
                    month.month() + 1
                },
                1,
            )
            .unwrap_or(to + Duration::days(1));
        }
        at(closes_on, Act::RequestClosure(id, lead));
        at(closes_on + Duration::days(rng.i64(1..=3)), Act::Verify(id));
    }

    let days = u64::try_from((to - from).num_days() + 1).unwrap_or(0);
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(days)
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} days {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let sim_start = at_nine(from) - Duration::hours(1);
    let mut months: BTreeMap<String, Month> = BTreeMap::new();
    let mut closure_requested_on: BTreeMap<ItemId, NaiveDate> = BTreeMap::new();
    let mut day = from;
    while day <= to {
        clock.set(at_nine(day));
        let key = format!("{}-{:02}", day.year(), day.month());
        let m = months.entry(key).or_default();
        for act in plan.remove(&day).unwrap_or_default() {
            let (id, actor, cmd) = match act {
                Act::Assign(id) => (
                    id,
                    office.clone(),
                    Command::Assign {
                        lead_unit: None,
                        deadline: None,
                    },
                ),
                Act::Accept(id, u) => (id, unit_actor(u), Command::Accept),
                Act::Report(id, u, period) => (
                    id,
                    unit_actor(u),
                    Command::Report {
                        report: ProgressReport {
                            period,
                            text: "按计划推进".into(),
                            percent: Some(rng.i32(10..=90)),
                            actuals: vec![],
                            attachments: vec![],
                        },
                    },
                ),
                Act::RequestClosure(id, u) => (
                    id,
                    unit_actor(u),
                    Command::RequestClosure {
                        evidence: "已完成,附验收材料".into(),
                        attachments: vec![],
                    },
                ),
                Act::Verify(id) => (id, office.clone(), Command::Verify { comment: None }),
            };
            match engine.execute(id, &actor, &cmd, None).await {
                Ok(out) => match cmd {
                    Command::Assign { .. } => m.opened += 1,
                    Command::RequestClosure { .. } => {
                        closure_requested_on.insert(id, day);
                    }
                    Command::Verify { .. } => {
                        m.closed += 1;
                        let requested = closure_requested_on.get(&id).copied().unwrap_or(day);
                        if out
                            .item
                            .due_on
                            .or_else(|| due_of.get(&id).copied())
                            .is_some_and(|d| requested <= d)
                        {
                            m.closed_on_time += 1;
                        }
                    }
                    _ => {}
                },
                Err(_) => m.refused += 1,
            }
        }
        let r = scheduler.tick_since(engine.now(), sim_start).await?;
        m.duties_opened += r.duties_opened;
        m.duties_missed += r.duties_missed;
        for (step, n) in r.item_steps {
            *m.steps.entry(step).or_default() += n;
        }
        m.duty_steps += r.duty_steps.values().sum::<u64>();
        let next = day + Duration::days(1);
        if next.month() != day.month() || next > to {
            m.overdue_at_end = store
                .list(&ItemFilter {
                    overdue_on: Some(next),
                    limit: 1,
                    ..Default::default()
                })
                .await?
                .total;
        }
        bar.inc(1);
        day = next;
    }
    bar.finish_and_clear();

    let steps: Vec<String> = settings
        .escalation
        .steps
        .iter()
        .map(|s| s.name.clone())
        .collect();
    print!(
        "{:<8} {:>6} {:>6} {:>7} {:>7}",
        "month", "opened", "closed", "on_time", "overdue"
    );
    for s in &steps {
        print!(" {:>6}", s);
    }
    println!(" {:>7} {:>7} {:>8}", "duties", "missed", "duty_esc");
    for (k, m) in &months {
        print!(
            "{k:<8} {:>6} {:>6} {:>7} {:>7}",
            m.opened, m.closed, m.closed_on_time, m.overdue_at_end
        );
        for s in &steps {
            print!(" {:>8}", m.steps.get(s).copied().unwrap_or(0));
        }
        println!(
            " {:>7} {:>7} {:>8}",
            m.duties_opened, m.duties_missed, m.duty_steps
        );
    }
    let counts = store.schedule_counts().await?;
    let open = store
        .list(&ItemFilter {
            state: Some(ItemState::InProgress),
            limit: 1,
            ..Default::default()
        })
        .await?
        .total;
    println!(
        "total: {} units, {} items, {} occurrences, {} duties ({} missed, {} submitted), steps {:?}, {} 督办单, {} still in progress; wall time {:.1}s",
        args.units,
        args.items,
        counts.occurrences,
        counts.duties,
        counts.duties_missed,
        counts.duties_submitted,
        counts.fires_by_step,
        counts.orders,
        open,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn unit_actor(u: UnitId) -> Actor {
    Actor {
        unit: Some(u),
        capacity: xiaohao_core::Capacity::Unit,
        name: u.to_string(),
        jurisdiction: xiaohao_core::Jurisdiction::OwnUnit,
    }
}
