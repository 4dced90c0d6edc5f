//! Reminder e-mail end to end: outbox rows written with the state changes, a worker on a
//! manual clock, a real SMTP server on loopback (embedded, `smtp.rs`), messages parsed back with
//! mail-parser and checked for exactly the expected Chinese subjects and bodies.

use crate::smtp::{Received, SmtpSink};
use crate::support::TestEngine;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use xiaohao_core::ItemId;
use xiaohao_core::notify::Notification;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_engine::mail::{MailWorker, Templates, message_id_for};
use xiaohao_engine::{CommandRequest, ItemRequest, Settings, SmtpSettings, TlsMode};
use xiaohao_store::{NewUnit, OutboxStatus, digest_key};

const FROM: &str = "noreply@xiaohao.example.gov.cn";
const PUBLIC: &str = "https://xiaohao.example.gov.cn";

fn settings(port: u16, digest: bool) -> Settings {
    let mut s = Settings::default();
    s.server.public_url = PUBLIC.into();
    s.mail.from_address = FROM.into();
    s.mail.digest = digest;
    s.mail.max_attempts = 4;
    s.mail.backoff_base_secs = 60;
    s.mail.lease_secs = 300;
    s.mail.smtp = Some(SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        timeout_secs: 5,
        ..Default::default()
    });
    s
}

fn worker(t: &TestEngine, s: &Settings) -> MailWorker {
    MailWorker::new(t.engine.clone(), s, Path::new(env!("CARGO_MANIFEST_DIR"))).expect("worker")
}

/// Beijing wall-clock time as UTC.
pub(crate) fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) async fn unit(t: &TestEngine, name: &str, kind: UnitKind, emails: &[&str]) -> Unit {
    t.engine
        .raw_store()
        .create_unit(
            NewUnit {
                name: name.into(),
                kind: Some(kind),
                emails: emails.iter().map(|e| (*e).to_owned()).collect(),
                ..Default::default()
            },
            t.engine.now(),
        )
        .await
        .expect("unit")
}

pub(crate) async fn act(t: &TestEngine, id: ItemId, unit: &str, action: &str, text: Option<&str>) {
    let actor = t.engine.actor_for("as", unit).await.unwrap();
    let req = CommandRequest {
        action: action.into(),
        reason: text.map(Into::into),
        evidence: text.map(Into::into),
        comment: text.map(Into::into),
        ..Default::default()
    };
    t.engine
        .execute_request(id, &actor, &req)
        .await
        .unwrap_or_else(|e| panic!("{action} by {unit}: {e}"));
}

/// An escalation step the way the scheduler takes it: a command whose notifications become
/// outbox rows in the same transaction.
pub(crate) async fn escalate(
    t: &TestEngine,
    id: ItemId,
    to: &Unit,
    level: i32,
    step: &str,
    urgent: bool,
) {
    let office = t.engine.actor_for("as", "工作专班办公室").await.unwrap();
    t.engine
        .execute(
            id,
            &office,
            &xiaohao_core::Command::Escalate {
                level,
                step: step.into(),
                notify: vec![to.id],
                deadline_key: "2026-03-04".into(),
                urgent,
                reason: None,
            },
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("escalate {step}: {e}"));
}

pub(crate) async fn file(
    t: &TestEngine,
    title: &str,
    lead: &str,
    co: &[&str],
    deadline: &str,
) -> ItemId {
    let office = t.engine.actor_for("as", "工作专班办公室").await.unwrap();
    let out = t
        .engine
        .file_item(
            &office,
            &ItemRequest {
                title: title.into(),
                lead_unit: Some(lead.into()),
                co_units: co.iter().map(|c| (*c).to_owned()).collect(),
                deadline: Some(deadline.into()),
                ..Default::default()
            },
        )
        .await
        .expect("file item");
    out.item.id
}

async fn drain_at(
    t: &TestEngine,
    w: &MailWorker,
    at: DateTime<Utc>,
) -> xiaohao_engine::mail::DrainReport {
    t.clock.set(at);
    w.drain().await.expect("drain")
}

fn new_since(sink: &SmtpSink, before: usize) -> Vec<Received> {
    sink.received().into_iter().skip(before).collect()
}

const TITLE_A: &str = "编制石化产业链招商图谱";
const TITLE_B: &str = "推进古雷石化基地配套项目";

#[tokio::test]
async fn a_simulated_week_sends_exactly_the_expected_messages() {
    let t = TestEngine::new().await;
    let sink = SmtpSink::start();
    let s = settings(sink.port, true);
    let w = worker(&t, &s);

    let office = unit(
        &t,
        "工作专班办公室",
        UnitKind::Office,
        &["zhuanban@fj.gov.cn"],
    )
    .await;
    unit(
        &t,
        "省政府督查室",
        UnitKind::Supervision,
        &["ducha@fj.gov.cn"],
    )
    .await;
    let gxt = unit(
        &t,
        "省工信厅",
        UnitKind::Department,
        &["gxt@fj.gov.cn", "gxt-office@fj.gov.cn"],
    )
    .await;
    let fgw = unit(&t, "省发改委", UnitKind::Department, &["fgw@fj.gov.cn"]).await;

    // Monday 2 March 2026, 08:30: two items filed and assigned. Non-urgent: they wait.
    t.clock.set(bj(2026, 3, 2, 8, 30));
    let a = file(&t, TITLE_A, "省工信厅", &["省发改委"], "2026-03-04").await;
    let b = file(&t, TITLE_B, "省发改委", &[], "2026-06-30").await;
    act(&t, a, "工作专班办公室", "assign", None).await;
    act(&t, b, "工作专班办公室", "assign", None).await;
    let r = drain_at(&t, &w, bj(2026, 3, 2, 8, 30)).await;
    assert_eq!(
        (r.claimed, r.digests),
        (0, 0),
        "before 09:00 nothing goes: {r}"
    );
    assert_eq!(sink.count(), 0);

    // 09:00: one digest per unit.
    let r = drain_at(&t, &w, bj(2026, 3, 2, 9, 0)).await;
    assert_eq!((r.digests, r.sent), (2, 2), "{r}");
    let got = new_since(&sink, 0);
    let by_to: BTreeMap<String, &Received> = got.iter().map(|m| (m.to[0].clone(), m)).collect();
    let g = by_to["gxt@fj.gov.cn"];
    assert_eq!(
        g.subject,
        "【对账销号】省工信厅2026年3月2日待办提醒（共1项）"
    );
    assert_eq!(g.to, vec!["gxt@fj.gov.cn", "gxt-office@fj.gov.cn"]);
    assert_eq!(g.from, FROM);
    assert_eq!(g.from_name, "对账销号系统");
    assert!(g.text.contains("【新交办事项】"), "{}", g.text);
    assert!(g.text.contains(&format!("[交办] {TITLE_A}")), "{}", g.text);
    assert!(g.text.contains("办结时限：2026-03-04"), "{}", g.text);
    assert!(g.text.contains("灯色：黄灯"), "{}", g.text);
    assert!(
        g.text.contains(&format!("{PUBLIC}/items/{a}")),
        "{}",
        g.text
    );
    assert!(
        g.html.contains(&format!("href=\"{PUBLIC}/items/{a}\"")),
        "{}",
        g.html
    );
    assert_eq!(
        g.message_id,
        message_id_for(&digest_key(gxt.id, "2026-03-02".parse().unwrap()), FROM)
            .trim_matches(['<', '>'])
    );
    let f = by_to["fgw@fj.gov.cn"];
    assert_eq!(
        f.subject,
        "【对账销号】省发改委2026年3月2日待办提醒（共2项）"
    );
    assert!(
        f.text.contains(TITLE_A) && f.text.contains(TITLE_B),
        "{}",
        f.text
    );
    assert!(f.text.contains("灯色：绿灯"), "{}", f.text);

    // 11:00: the lead asks for closure (→ the office's first digest of the day) and the
    // scheduler escalates B to 督办 (urgent: at once).
    t.clock.set(bj(2026, 3, 2, 11, 0));
    act(&t, a, "省工信厅", "accept", None).await;
    act(&t, a, "省工信厅", "start", None).await;
    act(&t, a, "省工信厅", "request_closure", Some("图谱已印发")).await;
    escalate(&t, b, &fgw, 3, "督办", true).await;
    let r = drain_at(&t, &w, bj(2026, 3, 2, 11, 0)).await;
    assert_eq!((r.digests, r.sent), (1, 2), "{r}");
    let got = new_since(&sink, 2);
    let by_to: BTreeMap<String, &Received> = got.iter().map(|m| (m.to[0].clone(), m)).collect();
    let o = by_to["zhuanban@fj.gov.cn"];
    assert_eq!(
        o.subject,
        "【对账销号】工作专班办公室2026年3月2日待办提醒（共1项）"
    );
    assert!(o.text.contains("【待核验的销号申请】"), "{}", o.text);
    assert!(
        o.text.contains(&format!("[销号申请] {TITLE_A}")),
        "{}",
        o.text
    );
    let d = by_to["fgw@fj.gov.cn"];
    assert_eq!(d.subject, format!("【督办】关于“{TITLE_B}”的提醒"));
    assert!(d.text.starts_with("省发改委："), "{}", d.text);
    assert!(
        d.text.contains("以下事项需要您单位处理（督办）"),
        "{}",
        d.text
    );

    // 15:00: a rejection and a duty reminder: both units had today's digest, so they wait.
    t.clock.set(bj(2026, 3, 2, 15, 0));
    act(&t, a, "工作专班办公室", "reject", Some("缺少招商项目清单")).await;
    let duty = Notification {
        recipient: fgw.id,
        kind: "duty_due".into(),
        item: Some(b),
        dedupe_key: format!("duty_due:{b}:2026-03"),
        urgent: false,
    };
    let payload = serde_json::json!({"event_kind": "duty_due", "event_seq": 0, "actor": "系统",
        "event_payload": {"note": "请于3月5日前报送3月份进展"}});
    let store = t.engine.raw_store();
    assert_eq!(
        store
            .enqueue(std::slice::from_ref(&duty), &payload, t.engine.now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .enqueue(&[duty], &payload, t.engine.now())
            .await
            .unwrap(),
        0,
        "a second enqueue of the same reminder is a no-op"
    );
    let r = drain_at(&t, &w, bj(2026, 3, 2, 15, 0)).await;
    assert_eq!((r.digests, r.claimed), (0, 0), "{r}");

    // Tuesday 09:00: the two waiting reminders, one digest each.
    let r = drain_at(&t, &w, bj(2026, 3, 3, 9, 0)).await;
    assert_eq!((r.digests, r.sent), (2, 2), "{r}");
    let got = new_since(&sink, 4);
    let by_to: BTreeMap<String, &Received> = got.iter().map(|m| (m.to[0].clone(), m)).collect();
    let g = by_to["gxt@fj.gov.cn"];
    assert_eq!(
        g.subject,
        "【对账销号】省工信厅2026年3月3日待办提醒（共1项）"
    );
    assert!(g.text.contains("【核验结果与退回】"), "{}", g.text);
    assert!(
        g.text.contains(&format!("[核验不通过] {TITLE_A}")),
        "{}",
        g.text
    );
    assert!(g.text.contains("说明：缺少招商项目清单"), "{}", g.text);
    let f = by_to["fgw@fj.gov.cn"];
    assert!(
        f.text.contains(&format!("[报送提醒] {TITLE_B}")),
        "{}",
        f.text
    );
    assert!(f.text.contains("请于3月5日前报送3月份进展"), "{}", f.text);

    // Wednesday: nothing new at 09:00. At 20:30 (quiet hours) the scheduler raises 预警 and
    // 通报 on A: nothing goes at night.
    let r = drain_at(&t, &w, bj(2026, 3, 4, 9, 0)).await;
    assert_eq!(r.claimed, 0, "{r}");
    t.clock.set(bj(2026, 3, 4, 20, 30));
    escalate(&t, a, &gxt, 1, "预警", false).await;
    escalate(&t, a, &gxt, 4, "通报", true).await;
    let r = drain_at(&t, &w, bj(2026, 3, 4, 20, 30)).await;
    assert!(r.quiet, "{r}");
    let r = drain_at(&t, &w, bj(2026, 3, 5, 7, 59)).await;
    assert!(r.quiet, "{r}");
    assert_eq!(sink.count(), 6);

    // Thursday 08:10: quiet hours are over; the urgent 通报 goes, 预警 waits for 09:00.
    let r = drain_at(&t, &w, bj(2026, 3, 5, 8, 10)).await;
    assert_eq!((r.digests, r.sent), (0, 1), "{r}");
    let got = new_since(&sink, 6);
    assert_eq!(got[0].subject, format!("【通报】关于“{TITLE_A}”的提醒"));
    assert!(got[0].text.contains("灯色：红灯"), "{}", got[0].text);
    assert!(
        got[0].text.contains("逾期 1 个工作日"),
        "delays are working days: {}",
        got[0].text
    );
    let r = drain_at(&t, &w, bj(2026, 3, 5, 9, 0)).await;
    assert_eq!((r.digests, r.sent), (1, 1), "{r}");
    let got = new_since(&sink, 7);
    assert_eq!(
        got[0].subject,
        "【对账销号】省工信厅2026年3月5日待办提醒（共1项）"
    );
    assert!(got[0].text.contains("【预警与催办】"), "{}", got[0].text);
    assert!(
        got[0].text.contains(&format!("[预警] {TITLE_A}")),
        "{}",
        got[0].text
    );
    assert!(
        got[0]
            .text
            .contains("灯色：红灯｜办结时限：2026-03-04｜逾期 1 个工作日"),
        "{}",
        got[0].text
    );

    // Saturday: the lead asks for closure again; no digest on a rest day.
    t.clock.set(bj(2026, 3, 7, 9, 0));
    act(
        &t,
        a,
        "省工信厅",
        "request_closure",
        Some("补充了招商项目清单"),
    )
    .await;
    let r = drain_at(&t, &w, bj(2026, 3, 7, 9, 0)).await;
    assert_eq!((r.digests, r.claimed), (0, 0), "{r}");
    let r = drain_at(&t, &w, bj(2026, 3, 8, 10, 0)).await;
    assert_eq!((r.digests, r.claimed), (0, 0), "{r}");

    // Monday 9 March 09:00: the office's digest; 10:00 the verdict goes to the lead.
    let r = drain_at(&t, &w, bj(2026, 3, 9, 9, 0)).await;
    assert_eq!((r.digests, r.sent), (1, 1), "{r}");
    t.clock.set(bj(2026, 3, 9, 10, 0));
    act(&t, a, "省政府督查室", "verify", Some("材料齐全，同意销号")).await;
    let r = drain_at(&t, &w, bj(2026, 3, 9, 10, 0)).await;
    assert_eq!((r.digests, r.sent), (1, 1), "{r}");
    let got = new_since(&sink, 8);
    assert_eq!(got[0].to[0], "zhuanban@fj.gov.cn");
    assert_eq!(
        got[0].subject,
        "【对账销号】工作专班办公室2026年3月9日待办提醒（共1项）"
    );
    assert_eq!(
        got[1].subject,
        "【对账销号】省工信厅2026年3月9日待办提醒（共1项）"
    );
    assert!(
        got[1].text.contains(&format!("[销号通过] {TITLE_A}")),
        "{}",
        got[1].text
    );
    assert!(
        got[1].text.contains("状态：已销号｜灯色：已销号"),
        "{}",
        got[1].text
    );

    // Exactly ten messages in the week, none twice; every row accounted for.
    let all = sink.received();
    assert_eq!(all.len(), 10);
    let ids: HashSet<&str> = all.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), 10, "no message twice");
    let rows = store.outbox(None, 1000).await.unwrap();
    for r in &rows {
        assert_eq!(r.status, "sent", "{r:?}");
        assert!(r.message_key.is_some(), "{r:?}");
        if r.kind != "digest" && !r.urgent {
            assert!(
                r.message_key.as_deref().unwrap().starts_with("digest:"),
                "{r:?}"
            );
        }
    }
    assert_eq!(rows.iter().filter(|r| r.kind == "digest").count(), 8);
    assert!(store.outbox(Some("pending"), 10).await.unwrap().is_empty());
    let _ = office;
}

/// Settings with digests off, so every row is one message.
async fn three_units(t: &TestEngine) -> Vec<Unit> {
    let mut v = Vec::new();
    for (name, mail) in [
        ("省工信厅", "gxt@fj.gov.cn"),
        ("省发改委", "fgw@fj.gov.cn"),
        ("省商务厅", "swt@fj.gov.cn"),
    ] {
        v.push(unit(t, name, UnitKind::Department, &[mail]).await);
    }
    v
}

async fn enqueue_batch(t: &TestEngine, units: &[Unit], tag: &str, per_unit: usize) -> usize {
    let mut notes = Vec::new();
    for u in units {
        for k in 0..per_unit {
            notes.push(Notification {
                recipient: u.id,
                kind: "escalation:催办".into(),
                item: None,
                dedupe_key: format!("{tag}:{}:{k}", u.id),
                urgent: true,
            });
        }
    }
    let payload =
        serde_json::json!({"event_kind": "escalate", "actor": "系统", "title": "月度进展报送"});
    t.engine
        .raw_store()
        .enqueue(&notes, &payload, t.engine.now())
        .await
        .unwrap();
    notes.len()
}

#[tokio::test]
async fn an_smtp_outage_loses_nothing_and_duplicates_nothing() {
    let t = TestEngine::new().await;
    let mut sink = SmtpSink::start();
    let s = settings(sink.port, false);
    let w = worker(&t, &s);
    let units = three_units(&t).await;

    // The server is down (port closed): attempts fail and are scheduled with back-off.
    sink.down();
    let n = enqueue_batch(&t, &units, "outage", 3).await;
    let r = w.drain().await.unwrap();
    assert_eq!(
        (r.claimed, r.retried, r.sent),
        (n as u64, n as u64, 0),
        "{r}"
    );
    let r = w.drain().await.unwrap();
    assert_eq!(r.claimed, 0, "not due again before the back-off: {r}");
    t.clock.advance(Duration::seconds(60));
    let r = w.drain().await.unwrap();
    assert_eq!(r.retried, n as u64, "second attempt, still down: {r}");
    let row = &t
        .engine
        .raw_store()
        .outbox(Some("pending"), 1)
        .await
        .unwrap()[0];
    assert_eq!(row.attempts, 2);
    assert!(row.last_error.is_some());
    assert_eq!(
        row.next_attempt_at,
        t.engine.now() + Duration::seconds(120),
        "doubling"
    );

    // It comes back: every message arrives once.
    sink.up();
    let mut rounds = 0;
    while !t
        .engine
        .raw_store()
        .outbox(Some("pending"), 1)
        .await
        .unwrap()
        .is_empty()
    {
        rounds += 1;
        assert!(rounds < 5, "still pending");
        t.clock.advance(Duration::seconds(600));
        w.drain().await.unwrap();
    }
    let got = sink.received();
    assert_eq!(got.len(), n, "every message delivered");
    let ids: HashSet<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), n, "none twice");
    assert_eq!(got[0].subject, "【催办】关于“月度进展报送”的提醒");

    // A longer outage: after max_attempts the rows are dead; an office re-queues them.
    sink.down();
    let m = enqueue_batch(&t, &units, "long", 2).await;
    for _ in 0..s.mail.max_attempts {
        w.drain().await.unwrap();
        t.clock.advance(Duration::hours(1));
    }
    let dead = t
        .engine
        .raw_store()
        .outbox(Some("dead"), 100)
        .await
        .unwrap();
    assert_eq!(dead.len(), m);
    assert!(dead.iter().all(|r| r.attempts == s.mail.max_attempts));
    sink.up();
    assert_eq!(w.drain().await.unwrap().claimed, 0, "dead rows stay dead");
    assert_eq!(
        t.engine
            .raw_store()
            .requeue_all_dead(t.engine.now())
            .await
            .unwrap(),
        m as u64
    );
    let r = w.drain().await.unwrap();
    assert_eq!(r.sent, m as u64, "{r}");
    let got = sink.received();
    assert_eq!(got.len(), n + m);
    let ids: HashSet<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), n + m, "none twice");
    assert!(
        t.engine
            .raw_store()
            .outbox(None, 1000)
            .await
            .unwrap()
            .iter()
            .all(|r| r.status == OutboxStatus::Sent.as_str())
    );
}

#[tokio::test]
async fn a_worker_killed_between_send_and_mark_causes_at_most_one_duplicate() {
    let t = TestEngine::new().await;
    let sink = SmtpSink::start();
    let s = settings(sink.port, false);
    let units = three_units(&t).await;
    let n = enqueue_batch(&t, &units, "crash", 1).await;

    // Worker A claims everything, sends the first message, and "dies" before marking it.
    let a = worker(&t, &s);
    let claim = a.claim().await.unwrap();
    assert_eq!(claim.rows.len(), n);
    let first = claim.rows[0].clone();
    a.send_row(&first).await.unwrap();
    let stale_token = claim.token;
    drop(claim);
    drop(a);
    assert_eq!(sink.count(), 1);

    // Worker B: while the lease holds, the rows are not touched.
    let b = worker(&t, &s);
    t.clock.advance(Duration::seconds(299));
    assert_eq!(b.drain().await.unwrap().claimed, 0);
    // After the lease: B takes them over and sends all three (the first one again).
    t.clock.advance(Duration::seconds(2));
    let r = b.drain().await.unwrap();
    assert_eq!((r.claimed, r.sent), (n as u64, n as u64), "{r}");
    // The dead worker's claim is void: it can no longer record an outcome.
    assert!(
        !t.engine
            .raw_store()
            .mark_sent(first.id, stale_token, t.engine.now(), true)
            .await
            .unwrap()
    );

    let got = sink.received();
    assert_eq!(got.len(), n + 1, "exactly one duplicate");
    let mut per_id: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &got {
        *per_id.entry(m.message_id.as_str()).or_default() += 1;
    }
    assert_eq!(per_id.len(), n, "every message arrived");
    let expected = message_id_for(&first.dedupe_key, FROM);
    assert_eq!(
        per_id[expected.trim_matches(['<', '>'])],
        2,
        "the duplicate carries the same Message-ID (derived from the dedupe key)"
    );
    let row = t.engine.raw_store().outbox_row(first.id).await.unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
}

#[tokio::test]
async fn concurrent_claims_take_disjoint_rows() {
    let t = TestEngine::new().await;
    let units = three_units(&t).await;
    t.engine
        .raw_store()
        .seed_outbox(units[0].id, "claims", 200, true, t.engine.now())
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = t.engine.raw_store().clone();
        let now = t.engine.now();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let (_, rows) = store
                    .claim_outbox(xiaohao_store::ClaimSpec {
                        now,
                        lease: Duration::minutes(5),
                        limit: 20,
                        include_non_urgent: true,
                    })
                    .await
                    .unwrap();
                if rows.is_empty() {
                    return mine;
                }
                mine.extend(rows.into_iter().map(|r| r.id));
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 200, "every row claimed once");
    assert_eq!(unique.len(), 200, "no row claimed twice");
}

#[tokio::test]
async fn a_unit_without_address_goes_dead_at_once_and_the_file_transport_writes_eml() {
    let t = TestEngine::new().await;
    let dir = std::env::temp_dir().join(format!("xiaohao-eml-{}", uuid::Uuid::new_v4()));
    let mut s = settings(0, false);
    s.mail.smtp = None;
    s.mail.outbox_dir = dir.display().to_string();
    let w = worker(&t, &s);
    let nomail = unit(&t, "漳州市政府", UnitKind::Government, &[]).await;
    let ok = unit(&t, "省工信厅", UnitKind::Department, &["gxt@fj.gov.cn"]).await;
    let n = enqueue_batch(&t, &[nomail, ok], "file", 1).await;
    assert_eq!(n, 2);
    let r = w.drain().await.unwrap();
    assert_eq!((r.sent, r.dead), (1, 1), "{r}");
    let dead = t.engine.raw_store().outbox(Some("dead"), 10).await.unwrap();
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("no e-mail address")
    );
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 1);
    let m = crate::smtp::parse(&std::fs::read(files[0].path()).unwrap());
    assert_eq!(m.subject, "【催办】关于“月度进展报送”的提醒");
    assert_eq!(m.from_name, "对账销号系统");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_mail_cli_lists_retries_drains_and_sends_a_test() {
    let db = crate::support::TestDb::new().await;
    db.store().await;
    let dir = std::env::temp_dir().join(format!("xiaohao-cli-eml-{}", uuid::Uuid::new_v4()));
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_xiaohao"))
            .args(args)
            .env("XIAOHAO_DATABASE_URL", &db.url)
            .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
            .env("XIAOHAO_LOG", "warn")
            .env("XIAOHAO_MAIL__OUTBOX_DIR", &dir)
            .env("XIAOHAO_MAIL__QUIET_START", "00:00")
            .env("XIAOHAO_MAIL__QUIET_END", "00:00")
            .output()
            .expect("run xiaohao")
    };
    let refused = |args: &[&str], needle: &str| {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    refused(&["mail", "retry"], "--all-dead");
    refused(&["mail", "retry", "x", "--all-dead"], "--all-dead");
    refused(&["mail", "retry", "nope"], "not an outbox row id");
    refused(
        &["mail", "retry", "0190f4a2-0000-7000-8000-000000000000"],
        "not found",
    );
    refused(&["mail", "list", "--status", "lost"], "--status");
    refused(&["mail", "send-test", "not-an-address"], "not-an-address");
    #[cfg(feature = "bench")]
    refused(&["bench", "outbox", "--messages", "0"], "--messages");

    assert!(ok(&["mail", "list"]).contains("0 rows"));
    assert!(ok(&["mail", "drain"]).contains("0 claimed"));
    assert!(ok(&["mail", "retry", "--all-dead"]).contains("re-queued 0"));
    assert!(ok(&["mail", "send-test", "ops@fj.gov.cn"]).contains("ops@fj.gov.cn"));
    let eml: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(eml.len(), 1);
    let m = crate::smtp::parse(&std::fs::read(eml[0].path()).unwrap());
    assert_eq!(m.subject, "【测试】对账销号系统邮件测试");
    assert_eq!(m.to, vec!["ops@fj.gov.cn"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_background_worker_sends_due_mail_and_stops_on_shutdown() {
    let t = TestEngine::new().await;
    let sink = SmtpSink::start();
    let mut s = settings(sink.port, true);
    s.mail.poll_secs = 1.0;
    let units = three_units(&t).await;
    let w = worker(&t, &s);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(w.run(stopped));
    // Urgent reminders go at once, without waiting for the digest.
    let n = enqueue_batch(&t, &units, "bg", 1).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sink.count() < n {
        assert!(std::time::Instant::now() < deadline, "worker sent nothing");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), task)
        .await
        .expect("the worker stops on shutdown")
        .unwrap();
    assert_eq!(sink.count(), n);
}

#[tokio::test]
async fn offices_edit_templates_and_a_broken_one_is_named() {
    let dir = std::env::temp_dir().join(format!("xiaohao-tpl-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("single.subject.txt"),
        "【{{ entry.label }}】请{{ unit_name }}尽快办理：{{ entry.title }}",
    )
    .unwrap();
    let t = Templates::load(&dir).expect("edited templates load");
    let ctx = serde_json::json!({"unit_name": "省工信厅", "entry": {"label": "催办", "title": "月度报送"}});
    assert_eq!(
        t.render("single.subject.txt", &ctx).unwrap(),
        "【催办】请省工信厅尽快办理：月度报送"
    );
    // Files not edited fall back to the built-in copies.
    assert!(
        t.render(
            "digest.subject.txt",
            serde_json::json!({"unit_name": "省工信厅", "date": "2026年3月2日", "total": 2})
        )
        .unwrap()
        .contains("共2项")
    );
    std::fs::write(dir.join("digest.html"), "{% for x in %}").unwrap();
    let err = Templates::load(&dir).unwrap_err().to_string();
    assert!(err.contains("digest.html"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
