//! The JSON command decoder: bytes as the body of `POST /api/items/{id}/transitions`
//! (`CommandRequest`), decoded into the domain's command (`CommandRequest::to_command`, the
//! engine's decoder without its unit look-up) and decided by the domain against an item in
//! each state for each kind of actor. Refusals are fine; a panic is not, and an accepted
//! command must advance the version by one.
#![no_main]

use chrono::{DateTime, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use xiaohao_core::progress::ProgressReport;
use xiaohao_core::{
    Actor, Capacity, Command, Item, ItemId, Jurisdiction, NewItem, UnitId, decide, new_item,
};
use xiaohao_engine::CommandRequest;

struct World {
    actors: Vec<Actor>,
    items: Vec<Item>,
    unit: UnitId,
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn actor(name: &str, capacity: Capacity) -> Actor {
    Actor {
        unit: Some(UnitId::new()),
        capacity,
        name: name.into(),
        jurisdiction: Jurisdiction::OwnUnit,
    }
}

/// Items in draft, assigned, accepted, in progress, closure requested, closed, suspended
/// and cancelled, walked there through the domain itself.
fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let (office, lead, co, sup) = (
            actor("专班办公室", Capacity::Office),
            actor("省工信厅", Capacity::Unit),
            actor("省科技厅", Capacity::Unit),
            actor("督查室", Capacity::Supervision),
        );
        let new = NewItem {
            title: "强化产业分析研判".into(),
            lead_unit: lead.unit,
            co_units: vec![co.unit.unwrap()],
            ..Default::default()
        };
        let step = |item: &Item, who: &Actor, cmd: Command| decide(item, who, &cmd, now()).unwrap().item;
        let draft = new_item(ItemId::new(), &new, &office, now()).unwrap().item;
        let assigned = step(&draft, &office, Command::Assign { lead_unit: None, deadline: None });
        let accepted = step(&assigned, &lead, Command::Accept);
        let report = ProgressReport {
            period: "2026-03".into(),
            text: "已完成".into(),
            percent: Some(40),
            actuals: vec![],
            attachments: vec![],
        };
        let running = step(&accepted, &lead, Command::Report { report });
        let requested = step(&running, &lead, Command::RequestClosure { evidence: "已验收".into(), attachments: vec![] });
        let closed = step(&requested, &sup, Command::Verify { comment: None });
        let suspended = step(&running, &office, Command::Suspend { reason: "待定".into() });
        let cancelled = step(&assigned, &office, Command::Cancel { reason: "撤销".into() });
        World {
            unit: co.unit.unwrap(),
            actors: vec![office, lead, co, sup, Actor::system()],
            items: vec![draft, assigned, accepted, running, requested, closed, suspended, cancelled],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(req) = serde_json::from_slice::<CommandRequest>(data) else {
        return;
    };
    let w = world();
    let _ = req.unit_keys();
    // Every named unit resolves to one known unit, or (odd lengths) to none.
    let known = data.len() % 2 == 0;
    let Ok(cmd) = req.to_command(|_| known.then_some(w.unit)) else {
        return;
    };
    for item in &w.items {
        for who in &w.actors {
            if let Ok(d) = decide(item, who, &cmd, now()) {
                assert_eq!(d.item.version, item.version + 1);
                assert_eq!(d.item.id, item.id);
            }
        }
    }
});
