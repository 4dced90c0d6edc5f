//! 对账单 end to end: statements opened by the scheduler on a manual clock, a dispute
//! answered by a command, both signatures, the frozen copy checked by `audit verify`;
//! an unsigned statement climbing the ladder; one unit never reading another's.

mod browser;
mod world;

use crate::scheduler::{at, d};
use reqwest::StatusCode;
use serde_json::{Value, json};
use world::{Recon, tick_days};
use xiaohao_core::AccountRole;
use xiaohao_core::Command;

#[tokio::test]
async fn a_quarter_of_statements_disputed_resolved_signed_and_frozen() {
    let w = Recon::new().await;
    let (app, t) = (&w.app, &w.app.t);
    let store = t.engine.raw_store();
    let gxt = app.token(w.gxt.id, AccountRole::Unit).await;
    let kjt = app.token(w.kjt.id, AccountRole::Unit).await;
    let office = app.token(w.office.id, AccountRole::Office).await;

    // September: nothing to reconcile yet (the items were filed after 1 September's opening).
    tick_days(&w, d(2026, 9, 2), d(2026, 10, 7)).await;
    let (_, list) = w.get(&gxt, "/api/statements").await;
    assert_eq!(list["statements"].as_array().unwrap().len(), 0, "{list}");
    // 1 October is 国庆: the opening moves to Thursday 8 October; due Saturday 10 October,
    // a 调休 working day.
    tick_days(&w, d(2026, 10, 8), d(2026, 10, 8)).await;
    let (_, list) = w.get(&gxt, "/api/statements").await;
    let rows = list["statements"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{list}");
    assert_eq!(rows[0]["period_key"], "2026-09");
    assert_eq!(rows[0]["title"], "2026年9月对账单");
    assert_eq!(rows[0]["due_on"], "2026-10-10");
    let sid = rows[0]["id"].as_str().unwrap().to_owned();
    // Exactly once: a second instance ticking the same instant opens nothing more.
    let twin =
        xiaohao_engine::Scheduler::new(t.engine.clone(), &xiaohao_engine::Settings::default())
            .unwrap();
    let again = twin.tick(t.engine.now()).await.unwrap();
    assert_eq!(again.statements_opened, 0);
    let (_, all) = w.get(&office, "/api/statements").await;
    assert_eq!(
        all["statements"].as_array().unwrap().len(),
        3,
        "工信厅, 科技厅, 发改委"
    );

    // The lead's statement: one line with its own figures, days late by the policy.
    let (status, s) = w.get(&gxt, &format!("/api/statements/{sid}")).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let lines = s["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    let snap = &lines[0]["snapshot"];
    assert_eq!(snap["item_id"], w.item_a.to_string());
    assert_eq!(snap["party"], "lead");
    assert_eq!(snap["percent"], 40, "the unit's own latest report");
    assert_eq!(snap["working_days_late"], 0);
    assert_eq!(s["can_mark"], true);
    assert_eq!(s["can_sign"], false);

    // It disputes the deadline; it cannot sign while the dispute stands.
    let (status, body) = w
        .post(
            &gxt,
            &format!("/api/statements/{sid}/lines/1"),
            json!({"verdict": "dispute", "reason": "wrong_deadline",
                   "note": "省政府已批复延期至2026年12月31日", "attachments": ["批复.pdf"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = w
        .post(&gxt, &format!("/api/statements/{sid}/sign"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Nor may the office sign for it, nor the unit answer its own dispute.
    let (status, _) = w
        .post(&office, &format!("/api/statements/{sid}/sign"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w
        .post(
            &gxt,
            &format!("/api/statements/{sid}/lines/1/answer"),
            json!({"action": "reject", "reason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The dispute is on the office's list; it resolves it by a command on the item.
    let (_, disputes) = w.get(&office, "/api/disputes").await;
    let disputes = disputes["disputes"].as_array().unwrap();
    assert_eq!(disputes.len(), 1, "{disputes:?}");
    assert_eq!(disputes[0]["line"]["reason"], "wrong_deadline");
    // And on the office's 待办.
    let office_p = t
        .engine
        .authenticate(&office)
        .await
        .unwrap()
        .expect("office principal");
    let home = t.engine.office_home(&office_p).await.unwrap();
    assert_eq!(home.disputes.total, 1);
    assert_eq!(home.disputes.rows[0].statement_id.to_string(), sid);
    let (status, line) = w
        .post(
            &office,
            &format!("/api/statements/{sid}/lines/1/answer"),
            json!({"action": "resolve", "note": "已按批复调整时限",
                   "command": {"action": "reschedule", "deadline": "2026-12-31", "reason": "省政府批复延期"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{line}");
    assert_eq!(line["verdict"], "resolved");
    assert_eq!(
        line["after"]["due_on"], "2026-12-31",
        "the line shows the item's new state"
    );
    let item = store.item(w.item_a).await.unwrap();
    assert_eq!(
        item.deadline,
        Some(d(2026, 12, 31)),
        "through the normal command path"
    );

    // The co-unit confirms and signs its own; the lead signs; the office countersigns both.
    let (_, klist) = w.get(&kjt, "/api/statements").await;
    let ksid = klist["statements"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) = w
        .post(
            &kjt,
            &format!("/api/statements/{ksid}/lines/1"),
            json!({"verdict": "confirm"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (token, id) in [(&kjt, &ksid), (&gxt, &sid)] {
        let (status, body) = w
            .post(token, &format!("/api/statements/{id}/sign"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "signed");
    }
    let duties = store
        .duties(Some(w.gxt.id), Some("submitted"), 50)
        .await
        .unwrap();
    assert!(
        duties.iter().any(|d| d.kind == "statement"),
        "signing settles its duty"
    );
    let (status, body) = w
        .post(
            &gxt,
            &format!("/api/statements/{sid}/countersign"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let mut hashes = Vec::new();
    for id in [&sid, &ksid] {
        let (status, body) = w
            .post(
                &office,
                &format!("/api/statements/{id}/countersign"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["statement"]["status"], "countersigned");
        hashes.push(body["content_hash"].as_str().unwrap().to_owned());
    }
    let (status, _) = w
        .post(
            &office,
            &format!("/api/statements/{sid}/countersign"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "once");
    let (_, frozen) = w.get(&gxt, &format!("/api/statements/{sid}")).await;
    assert_eq!(frozen["content_hash"], hashes[0].as_str());
    let (checked, broken) = t.engine.verify_statement_seals().await.unwrap();
    assert_eq!((checked, broken), (2, None));

    // Later changes to the ledger leave the signed statement as it was.
    let office_actor = xiaohao_core::AccountRole::Office.actor(w.office.id, "专班");
    t.engine
        .execute(
            w.item_a,
            &office_actor,
            &Command::Reschedule {
                deadline: d(2027, 3, 31),
                reason: "再次调整".into(),
            },
            None,
        )
        .await
        .unwrap();
    tick_days(&w, d(2026, 10, 9), d(2026, 12, 31)).await;
    // (API tokens last 90 days: sign in again at year's end.)
    let gxt = app.token(w.gxt.id, AccountRole::Unit).await;
    let office = app.token(w.office.id, AccountRole::Office).await;
    let (_, later) = w.get(&gxt, &format!("/api/statements/{sid}")).await;
    assert_eq!(later["lines"], frozen["lines"], "frozen, never recomputed");
    assert_eq!(later["content_hash"], frozen["content_hash"]);
    let (checked, broken) = t.engine.verify_statement_seals().await.unwrap();
    assert_eq!((checked, broken), (2, None));
    // A quarter: September, October and November statements, once per unit and period.
    let (_, all) = w.get(&office, "/api/statements?limit=100").await;
    let all = all["statements"].as_array().unwrap();
    assert_eq!(all.len(), 9, "3 units × 3 periods");
    let mut keys: Vec<(String, String)> = all
        .iter()
        .map(|s| {
            (
                s["unit"].as_str().unwrap().to_owned(),
                s["period_key"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 9);
    // November's statement of the lead shows the item as the ledger then stood.
    let nov = all
        .iter()
        .find(|s| s["unit"] == w.gxt.id.to_string() && s["period_key"] == "2026-11")
        .unwrap();
    let (_, nov) = w
        .get(
            &gxt,
            &format!("/api/statements/{}", nov["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(nov["lines"][0]["snapshot"]["deadline"], "2027-03-31");

    // Tampering with a frozen statement is found by audit verify.
    w.sql("UPDATE statement_lines SET note = '事后改写' WHERE note = '省政府已批复延期至2026年12月31日'")
        .await;
    let (_, broken) = t.engine.verify_statement_seals().await.unwrap();
    let broken = broken.expect("a tampered statement is reported");
    assert_eq!(broken.statement_id.to_string(), sid);
}

#[tokio::test]
async fn an_unsigned_statement_climbs_the_ladder_until_signed() {
    let w = Recon::new().await;
    let (app, t) = (&w.app, &w.app.t);
    let store = t.engine.raw_store();
    let fgw = app.token(w.fgw.id, AccountRole::Unit).await;
    // Opened 8 October, due 10 October; 督办 at +3 working days (15 Oct), 通报 at +10.
    tick_days(&w, d(2026, 9, 2), d(2026, 10, 13)).await;
    let (_, list) = w.get(&fgw, "/api/statements").await;
    let s = &list["statements"][0];
    let sid = s["id"].as_str().unwrap().to_owned();
    assert_eq!(s["escalation_level"], 2, "催办 on the due date: {s}");
    tick_days(&w, d(2026, 10, 14), d(2026, 10, 14)).await;
    let (_, view) = w.get(&fgw, &format!("/api/statements/{sid}")).await;
    assert_eq!(view["escalation_level"], 3, "督办: {view}");
    assert!(view["working_days_late"].as_i64().unwrap() >= 3);
    let outbox = store.outbox(None, 500).await.unwrap();
    let missed: Vec<_> = outbox
        .iter()
        .filter(|o| o.kind == "duty_missed" && o.recipient == w.fgw.id)
        .collect();
    assert!(
        !missed.is_empty(),
        "the unit is told, like for a missed report"
    );
    assert!(
        outbox.iter().any(|o| o.kind == "duty_missed" && o.urgent),
        "督办 is urgent"
    );
    tick_days(&w, d(2026, 10, 16), d(2026, 10, 26)).await;
    let (_, view) = w.get(&fgw, &format!("/api/statements/{sid}")).await;
    assert_eq!(view["escalation_level"], 4, "通报: {view}");
    // Signing ends it: the duty is settled and nothing more fires for it.
    let (status, _) = w
        .post(
            &fgw,
            &format!("/api/statements/{sid}/lines/1"),
            json!({"verdict": "confirm"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = w
        .post(&fgw, &format!("/api/statements/{sid}/sign"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let open: Vec<_> = store
        .duties(Some(w.fgw.id), None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.kind == "statement" && d.period_key == "2026-09")
        .collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].status, "submitted");
    assert_eq!(open[0].escalation_level, 4);
    an_unsigned_statement_costs_one_score_line_naming_its_event(&w).await;
}

/// 考核: the statement's steps are events in the chain of its anchor item (the unit's first
/// line it leads), and the first late one is the one `statement_unsigned` line of the unit.
async fn an_unsigned_statement_costs_one_score_line_naming_its_event(w: &Recon) {
    let t = &w.app.t;
    let card = t
        .engine
        .scorecard(&xiaohao_core::score::Period::parse("2026Q4").unwrap())
        .await
        .unwrap();
    let fgw = card.units.iter().find(|u| u.unit_id == w.fgw.id).unwrap();
    let lines: Vec<_> = fgw
        .lines
        .iter()
        .filter(|l| l.rule.as_str() == "statement_unsigned")
        .collect();
    assert_eq!(lines.len(), 1, "one line per statement: {:?}", fgw.lines);
    let line = lines[0];
    assert!(line.working_days_late.unwrap() > 0);
    let events = t.engine.events(line.item_id).await.unwrap();
    let e = events
        .iter()
        .find(|e| e.seq == line.event_seq)
        .expect("the line names an event of the item");
    assert_eq!(e.kind.as_str(), "duty_escalated");
    assert!(e.payload.contains("\"statement\""), "{}", e.payload);
    // The unit's 缺报 lines (its September report) all point to report duties: an unsigned
    // statement is no 缺报.
    for l in fgw
        .lines
        .iter()
        .filter(|l| l.rule.as_str() == "missed_report")
    {
        let events = t.engine.events(l.item_id).await.unwrap();
        let e = events.iter().find(|e| e.seq == l.event_seq).unwrap();
        assert!(!e.payload.contains("\"statement\""), "{}", e.payload);
    }
    xiaohao_core::event::verify_chain(&events).expect("the chain still verifies");
}

#[tokio::test]
async fn a_unit_never_reads_another_units_statement() {
    let w = Recon::new().await;
    let app = &w.app;
    tick_days(&w, d(2026, 10, 8), d(2026, 10, 8)).await;
    let gxt = app.token(w.gxt.id, AccountRole::Unit).await;
    let fgw = app.token(w.fgw.id, AccountRole::Unit).await;
    let (_, list) = w.get(&gxt, "/api/statements").await;
    let sid = list["statements"][0]["id"].as_str().unwrap().to_owned();
    let (_, other) = w.get(&fgw, "/api/statements").await;
    let others: Vec<&Value> = other["statements"].as_array().unwrap().iter().collect();
    assert_eq!(others.len(), 1);
    let (_, theirs) = w
        .get(
            &fgw,
            &format!("/api/statements/{}", others[0]["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        theirs["lines"][0]["snapshot"]["item_id"],
        w.item_b.to_string()
    );
    assert_ne!(others[0]["id"], sid.as_str());
    let (missing_status, missing) = w
        .get(&fgw, &format!("/api/statements/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(missing_status, StatusCode::NOT_FOUND);
    let (status, body) = w.get(&fgw, &format!("/api/statements/{sid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "as for a missing id: {body}");
    assert_eq!(body["error"]["code"], missing["error"]["code"]);
    let (status, _) = w
        .post(
            &fgw,
            &format!("/api/statements/{sid}/lines/1"),
            json!({"verdict": "confirm"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = w
        .post(&fgw, &format!("/api/statements/{sid}/sign"), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = w.get(&fgw, &format!("/api/statements/{sid}/xlsx")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, filtered) = w
        .get(&fgw, &format!("/api/statements?unit={}", w.gxt.id))
        .await;
    assert_eq!(filtered["statements"].as_array().unwrap().len(), 0);
    // Nor does a leader, nor an office that keeps none of its items; 督查室 does.
    let t = &app.t;
    let leader_unit = t
        .unit("郭宁宁同志办公室", xiaohao_core::org::UnitKind::Office)
        .await;
    let leader = app.token(leader_unit.id, AccountRole::Leader).await;
    let stranger = app.token(leader_unit.id, AccountRole::Office).await;
    let sup = app.token(w.sup.id, AccountRole::Supervision).await;
    assert_eq!(
        w.get(&leader, &format!("/api/statements/{sid}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.get(&stranger, &format!("/api/statements/{sid}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.get(&sup, &format!("/api/statements/{sid}")).await.0,
        StatusCode::OK
    );
    // The workbook opens for its own unit.
    let resp = app
        .http
        .get(app.url(&format!("/api/statements/{sid}/xlsx")))
        .bearer_auth(&gxt)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx (zip) file");
    let _ = at;
}
