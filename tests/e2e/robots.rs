//! Webhook robots beside e-mail, end to end on both databases: reminders written with the
//! state changes reach a unit's 企业微信 and 钉钉 robots — a local sink (`robot_sink.rs`) that
//! checks DingTalk's 加签 — exactly once per robot across an outage, with the outbox's own
//! retries, dead state, daily digest and quiet hours.

use crate::mail::{act, bj, escalate, file, unit};
use crate::robot_sink::{Mode, RobotSink};
use crate::support::TestEngine;
use chrono::Duration;
use std::collections::HashSet;
use std::path::Path;
use xiaohao_core::AccountRole;
use xiaohao_core::channel::{ChannelKind, channel_dedupe_key};
use xiaohao_core::notify::Notification;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_engine::mail::{MailWorker, Transport};
use xiaohao_engine::{EngineError, Settings};
use xiaohao_store::{OutboxRow, digest_key};

const PUBLIC: &str = "https://xiaohao.example.gov.cn";
const TITLE_A: &str = "编制石化产业链招商图谱";
const TITLE_B: &str = "推进古雷石化基地配套项目";
const GXT_SECRET: &str = "SEC6a1f0e5b2c9d4e7f80a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6";

fn worker(t: &TestEngine, digest: bool) -> (MailWorker, Settings) {
    let mut s = Settings::default();
    s.server.public_url = PUBLIC.into();
    s.mail.digest = digest;
    s.mail.max_attempts = 4;
    s.mail.backoff_base_secs = 60;
    s.mail.robot_timeout_secs = 5;
    let dir = std::env::temp_dir().join(format!("xiaohao-robots-{}", uuid::Uuid::new_v4()));
    let transport = Transport::file(dir).expect("file transport");
    let home = Path::new(env!("CARGO_MANIFEST_DIR"));
    let w = MailWorker::with_transport(t.engine.clone(), &s, home, transport).expect("worker");
    (w, s)
}

async fn robot(t: &TestEngine, u: &Unit, kind: ChannelKind, url: &str, secret: Option<&str>) {
    t.engine
        .raw_store()
        .add_channel(u.id, kind, url, secret, t.engine.now())
        .await
        .expect("add robot");
}

async fn rows(t: &TestEngine) -> Vec<OutboxRow> {
    t.engine.raw_store().outbox(None, 10_000).await.unwrap()
}

async fn pending_robot_rows(t: &TestEngine) -> Vec<OutboxRow> {
    rows(t)
        .await
        .into_iter()
        .filter(|r| r.channel.is_some() && matches!(r.status.as_str(), "pending" | "sending"))
        .collect()
}

#[tokio::test]
async fn robots_receive_every_reminder_exactly_once_across_an_outage() {
    let t = TestEngine::new().await;
    let sink = RobotSink::start().await;
    let (w, s) = worker(&t, false);
    unit(&t, "工作专班办公室", UnitKind::Office, &["zb@fj.gov.cn"]).await;
    let gxt = unit(&t, "省工信厅", UnitKind::Department, &["gxt@fj.gov.cn"]).await;
    // No e-mail: its robots are how it is reached.
    let fgw = unit(&t, "省发改委", UnitKind::Department, &[]).await;
    robot(
        &t,
        &gxt,
        ChannelKind::Wecom,
        &sink.wecom_url("gxt-wecom"),
        None,
    )
    .await;
    sink.expect_secret("gxt-ding", GXT_SECRET);
    robot(
        &t,
        &gxt,
        ChannelKind::Dingtalk,
        &sink.dingtalk_url("gxt-ding"),
        Some(GXT_SECRET),
    )
    .await;
    robot(
        &t,
        &fgw,
        ChannelKind::Dingtalk,
        &sink.dingtalk_url("fgw-ding"),
        None,
    )
    .await;
    // A robot whose secret is wrong: the sink refuses every signature; its rows end dead.
    sink.expect_secret("fgw-signed", "SECthe-secret-dingtalk-issued");
    robot(
        &t,
        &fgw,
        ChannelKind::Dingtalk,
        &sink.dingtalk_url("fgw-signed"),
        Some("SECa-secret-mistyped"),
    )
    .await;

    // Filed in February; handed out on Monday 2 March 2026, 10:00, one of them late already
    // and under 督办.
    t.clock.set(bj(2026, 2, 2, 10, 0));
    let a = file(&t, TITLE_A, "省工信厅", &["省发改委"], "2026-02-20").await;
    let b = file(&t, TITLE_B, "省发改委", &[], "2026-06-30").await;
    t.clock.set(bj(2026, 3, 2, 10, 0));
    act(&t, a, "工作专班办公室", "assign", None).await;
    act(&t, b, "工作专班办公室", "assign", None).await;
    escalate(&t, a, &gxt, 3, "督办", true).await;
    let mails: Vec<OutboxRow> = rows(&t)
        .await
        .into_iter()
        .filter(|r| r.channel.is_none())
        .collect();
    // Two robots each: 省工信厅's WeCom and DingTalk, 省发改委's two DingTalk.
    let robots_of = |u: xiaohao_core::UnitId| if u == gxt.id || u == fgw.id { 2 } else { 0 };
    let copies: usize = mails.iter().map(|r| robots_of(r.recipient)).sum();
    assert!(copies >= 6, "{mails:?}");

    // The robots are down (HTTP 500): every copy is written once and retried with back-off.
    sink.set(Mode::Http500);
    let r = w.drain().await.unwrap();
    assert_eq!(r.retried as usize, copies, "{r}");
    assert!(sink.accepted().is_empty());
    assert_eq!(sink.failed(), copies, "one request per copy");
    let waiting = pending_robot_rows(&t).await;
    assert_eq!(waiting.len(), copies);
    assert!(waiting.iter().all(|r| {
        r.attempts == 1
            && r.last_error
                .as_deref()
                .is_some_and(|e| e.contains("HTTP 500"))
    }));
    for m in &mails {
        for c in waiting
            .iter()
            .filter(|c| c.recipient == m.recipient && c.item == m.item && c.kind == m.kind)
        {
            assert_eq!(
                c.dedupe_key,
                channel_dedupe_key(&m.dedupe_key, c.channel.unwrap())
            );
        }
    }
    assert_eq!(
        w.drain().await.unwrap().claimed,
        0,
        "not due before the back-off"
    );

    // Then they answer 200 but refuse (errcode ≠ 0): still not delivered.
    sink.set(Mode::Refuse);
    t.clock.advance(Duration::seconds(60));
    let r = w.drain().await.unwrap();
    assert_eq!(r.retried as usize, copies, "{r}");
    let waiting = pending_robot_rows(&t).await;
    assert!(waiting.iter().all(|r| {
        r.attempts == 2
            && r.last_error
                .as_deref()
                .is_some_and(|e| e.contains("errcode 45009"))
    }));
    assert!(sink.accepted().is_empty());

    // They come back: every reminder arrives once at every robot that signs right.
    sink.set(Mode::Accept);
    for round in 0.. {
        if pending_robot_rows(&t).await.is_empty() {
            break;
        }
        assert!(round < 6, "still pending");
        t.clock.advance(Duration::seconds(600));
        w.drain().await.unwrap();
    }
    let got = sink.accepted();
    let by_token = |tok: &str| got.iter().filter(|m| m.token == tok).count();
    let to_gxt = mails.iter().filter(|m| m.recipient == gxt.id).count();
    let to_fgw = mails.iter().filter(|m| m.recipient == fgw.id).count();
    assert_eq!(by_token("gxt-wecom"), to_gxt);
    assert_eq!(by_token("gxt-ding"), to_gxt);
    assert_eq!(by_token("fgw-ding"), to_fgw);
    assert_eq!(
        by_token("fgw-signed"),
        0,
        "a wrong secret never gets through"
    );
    assert_eq!(got.len(), 2 * to_gxt + to_fgw);
    let distinct: HashSet<(String, String)> = got
        .iter()
        .map(|m| (m.token.clone(), m.body.to_string()))
        .collect();
    assert_eq!(distinct.len(), got.len(), "no message twice");
    // The wrong secret's rows are dead after max_attempts, every attempt a bad signature.
    let dead: Vec<OutboxRow> = t
        .engine
        .raw_store()
        .outbox(Some("dead"), 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.channel.is_some())
        .collect();
    assert_eq!(dead.len(), to_fgw);
    assert!(dead.iter().all(|r| {
        r.attempts == s.mail.max_attempts
            && r.last_error
                .as_deref()
                .is_some_and(|e| e.contains("errcode 310000"))
    }));
    assert_eq!(
        sink.bad_signatures(),
        to_fgw * 2,
        "attempts 3 and 4 met the sink accepting"
    );

    // The WeCom message: markdown `content` only, from the e-mail's facts.
    let item = t.engine.raw_store().item(a).await.unwrap();
    let today = bj(2026, 3, 2, 10, 0)
        .with_timezone(&t.engine.policy().timezone)
        .date_naive();
    let late = t.engine.policy().working_days_late(&item, today);
    assert!(late > 0);
    let wecom: Vec<&serde_json::Value> = got
        .iter()
        .filter(|m| m.token == "gxt-wecom")
        .map(|m| &m.body)
        .collect();
    let dubang = wecom
        .iter()
        .find(|b| {
            b["markdown"]["content"]
                .as_str()
                .unwrap()
                .contains("【督办】")
        })
        .expect("the 督办 reached WeCom");
    assert!(
        got.iter()
            .all(|m| (m.robot == "wecom") == (m.token == "gxt-wecom"))
    );
    assert_eq!(dubang["msgtype"], "markdown");
    assert_eq!(
        dubang["markdown"].as_object().unwrap().len(),
        1,
        "WeCom takes content only"
    );
    let content = dubang["markdown"]["content"].as_str().unwrap();
    assert!(
        content.starts_with(&format!("### 【督办】{TITLE_A}")),
        "{content}"
    );
    assert!(
        content.contains("省工信厅：以下事项需要您单位处理（督办）。"),
        "{content}"
    );
    assert!(
        content.contains(&format!("（逾期 {late} 个工作日）")),
        "{content}"
    );
    assert!(content.contains("> 灯色：红灯"), "{content}");
    assert!(
        content.contains(&format!("[查看事项]({PUBLIC}/items/{a})")),
        "{content}"
    );
    // The DingTalk message: markdown title and text.
    let ding = got
        .iter()
        .find(|m| {
            m.token == "gxt-ding"
                && m.body["markdown"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("【督办】")
        })
        .expect("the 督办 reached DingTalk");
    assert_eq!(ding.body["msgtype"], "markdown");
    assert_eq!(
        ding.body["markdown"]["title"],
        format!("【督办】关于“{TITLE_A}”的提醒")
    );

    // Nothing more goes out; the same reminders enqueued again are no-ops.
    t.clock.advance(Duration::hours(2));
    assert_eq!(w.drain().await.unwrap().claimed, 0);
    assert_eq!(sink.accepted().len(), got.len());
    assert_eq!(pending_robot_rows(&t).await.len(), 0);
    let fgw_b = mails
        .iter()
        .filter(|m| m.item == Some(b) && m.recipient == fgw.id)
        .count();
    assert_eq!(fgw_b, 1, "B was handed to 省发改委");
}

#[tokio::test]
async fn robots_follow_the_digest_and_quiet_hours_and_a_removed_robot_gets_nothing() {
    let t = TestEngine::new().await;
    let sink = RobotSink::start().await;
    let (w, _) = worker(&t, true);
    unit(&t, "工作专班办公室", UnitKind::Office, &["zb@fj.gov.cn"]).await;
    let gxt = unit(&t, "省工信厅", UnitKind::Department, &["gxt@fj.gov.cn"]).await;
    robot(
        &t,
        &gxt,
        ChannelKind::Wecom,
        &sink.wecom_url("gxt-wecom"),
        None,
    )
    .await;
    let store = t.engine.raw_store();
    let wecom = store.channels(gxt.id).await.unwrap()[0].id;

    // 08:30: two items handed out; non-urgent, so they wait for the 09:00 digest.
    t.clock.set(bj(2026, 3, 2, 8, 30));
    let a = file(&t, TITLE_A, "省工信厅", &[], "2026-03-04").await;
    let b = file(&t, TITLE_B, "省工信厅", &[], "2026-06-30").await;
    act(&t, a, "工作专班办公室", "assign", None).await;
    act(&t, b, "工作专班办公室", "assign", None).await;
    w.drain().await.unwrap();
    assert!(sink.accepted().is_empty(), "before 09:00 nothing goes");

    // 09:00: one digest for the e-mail and one for the robot, each once.
    t.clock.set(bj(2026, 3, 2, 9, 0));
    let r = w.drain().await.unwrap();
    assert_eq!((r.digests, r.sent), (2, 2), "{r}");
    let got = sink.accepted();
    assert_eq!(got.len(), 1);
    let text = got[0].body["markdown"]["content"].as_str().unwrap();
    assert!(
        text.starts_with("### 【对账销号】省工信厅2026年3月2日待办提醒"),
        "{text}"
    );
    assert!(text.contains("共有 **2** 项"), "{text}");
    assert!(
        text.contains("**新交办事项**") && text.contains(TITLE_A) && text.contains(TITLE_B),
        "{text}"
    );
    let key = channel_dedupe_key(&digest_key(gxt.id, "2026-03-02".parse().unwrap()), wecom);
    let digest = rows(&t)
        .await
        .into_iter()
        .find(|r| r.dedupe_key == key)
        .expect("robot digest");
    assert_eq!(
        (digest.status.as_str(), digest.channel),
        ("sent", Some(wecom))
    );
    assert_eq!(store.folded_into(&key).await.unwrap().len(), 2);

    // 20:30 (quiet hours): an urgent 督办 waits until 08:00.
    t.clock.set(bj(2026, 3, 2, 20, 30));
    escalate(&t, a, &gxt, 3, "督办", true).await;
    assert!(w.drain().await.unwrap().quiet);
    t.clock.set(bj(2026, 3, 3, 7, 59));
    assert!(w.drain().await.unwrap().quiet);
    assert_eq!(sink.accepted().len(), 1);
    t.clock.set(bj(2026, 3, 3, 8, 10));
    w.drain().await.unwrap();
    let got = sink.accepted();
    assert_eq!(got.len(), 2);
    assert!(
        got[1].body["markdown"]["content"]
            .as_str()
            .unwrap()
            .starts_with("### 【督办】")
    );

    // The robot is down when a 通报 comes, and removed before it is back: the queued copy
    // goes dead (the robot is gone), nothing reaches the group, and later reminders make no
    // copy for it.
    sink.set(Mode::Http500);
    escalate(&t, a, &gxt, 4, "通报", true).await;
    w.drain().await.unwrap();
    store
        .remove_channel(gxt.id, wecom, t.engine.now())
        .await
        .unwrap();
    sink.set(Mode::Accept);
    t.clock.advance(Duration::minutes(5));
    w.drain().await.unwrap();
    let dead: Vec<OutboxRow> = store.outbox(Some("dead"), 100).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].channel, Some(wecom));
    assert_eq!(dead[0].kind, "escalation:通报");
    assert!(
        dead[0].last_error.as_deref().unwrap().contains("removed"),
        "{dead:?}"
    );
    escalate(&t, b, &gxt, 3, "督办", true).await;
    w.drain().await.unwrap();
    assert_eq!(sink.accepted().len(), 2);
    let after: Vec<OutboxRow> = rows(&t)
        .await
        .into_iter()
        .filter(|r| r.item == Some(b) && r.kind == "escalation:督办")
        .collect();
    assert_eq!(after.len(), 1, "the e-mail only: {after:?}");
    assert_eq!(after[0].channel, None);
}

#[tokio::test]
async fn only_an_office_keeps_robots_and_a_unit_reached_by_one_is_no_longer_flagged() {
    let app = crate::support::TestApp::spawn().await;
    let t = &app.t;
    let e = &t.engine;
    let sink = RobotSink::start().await;
    let (w, _) = worker(t, false);
    let office = t.unit("工作专班办公室", UnitKind::Office).await;
    let fgw = t.unit("省发改委", UnitKind::Department).await;
    let kjt = t.unit("省科技厅", UnitKind::Department).await;
    let as_user = |role| {
        let app = &app;
        async move {
            let unit = if role == AccountRole::Admin {
                office.id
            } else {
                fgw.id
            };
            let token = app.token(unit, role).await;
            (e.authenticate(&token).await.unwrap().unwrap(), token)
        }
    };
    // An administrator, who answers for every undelivered reminder (the browser test is an
    // office's).
    let (clerk, _) = as_user(AccountRole::Admin).await;
    let (member, member_token) = as_user(AccountRole::Unit).await;
    let url = sink.wecom_url("fgw-wecom");

    // Neither reaches 省发改委 or 省科技厅: both flagged.
    let flagged = |h: &xiaohao_engine::worklist::OfficeHome| {
        h.units_unreachable
            .rows
            .iter()
            .map(|u| u.name.clone())
            .collect::<Vec<_>>()
    };
    let h = e.office_home(&clerk).await.unwrap();
    assert!(
        flagged(&h).contains(&"省发改委".to_owned())
            && flagged(&h).contains(&"省科技厅".to_owned())
    );

    // A reminder to 省发改委 dies for want of an address, and is on the office's list.
    let n = Notification {
        recipient: fgw.id,
        kind: "escalation:催办".into(),
        item: None,
        dedupe_key: "robots:fgw:cuiban".into(),
        urgent: true,
    };
    let payload = serde_json::json!({"event_kind": "escalation", "title": "月度进展报送"});
    e.raw_store()
        .enqueue(&[n], &payload, e.now())
        .await
        .unwrap();
    assert_eq!(w.drain().await.unwrap().dead, 1);
    assert_eq!(e.office_home(&clerk).await.unwrap().dead_mail.total, 1);

    // A unit's own account keeps no robots, on the engine or through the page.
    assert!(matches!(
        e.add_unit_channel(&member, fgw.id, "wecom", &url, None)
            .await,
        Err(EngineError::Forbidden(_))
    ));
    assert!(matches!(
        e.unit_channels(&member, fgw.id).await,
        Err(EngineError::Forbidden(_))
    ));
    let resp = app
        .http
        .post(app.url(&format!("/units/{}/robots", fgw.id)))
        .bearer_auth(&member_token)
        .form(&[("kind", "wecom"), ("webhook_url", url.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::FORBIDDEN);
    assert!(e.raw_store().channels(fgw.id).await.unwrap().is_empty());

    // Bad input names its field; nothing is written.
    for (kind, addr, secret, field) in [
        ("feishu", url.as_str(), None, "kind"),
        ("wecom", "qyapi.weixin.qq.com/x", None, "webhook_url"),
        ("wecom", url.as_str(), Some("SEC123"), "secret"),
    ] {
        match e.add_unit_channel(&clerk, fgw.id, kind, addr, secret).await {
            Err(EngineError::Domain(d)) => assert_eq!(d.field(), Some(field), "{d}"),
            other => panic!("{field}: expected Invalid, got {other:?}"),
        }
    }
    assert!(e.raw_store().channels(fgw.id).await.unwrap().is_empty());

    // The office adds a robot: the reminder that died for want of an address goes to it, the
    // dead e-mail leaves the office's list, and 省发改委 is no longer flagged.
    let (view, resent) = e
        .add_unit_channel(&clerk, fgw.id, "wecom", &url, None)
        .await
        .unwrap();
    assert_eq!(resent, 1);
    assert_eq!(view.kind, ChannelKind::Wecom);
    assert!(
        !view.webhook.contains("fgw-wecom"),
        "the key is masked: {}",
        view.webhook
    );
    w.drain().await.unwrap();
    let got = sink.accepted();
    assert_eq!(got.len(), 1);
    assert!(
        got[0].body["markdown"]["content"]
            .as_str()
            .unwrap()
            .contains("月度进展报送")
    );
    let h = e.office_home(&clerk).await.unwrap();
    assert_eq!(h.dead_mail.total, 0, "reached by its robot");
    assert!(!flagged(&h).contains(&"省发改委".to_owned()));
    assert!(flagged(&h).contains(&"省科技厅".to_owned()));

    // Another unit's robot is not found through this one.
    assert!(matches!(
        e.test_unit_channel(&clerk, kjt.id, view.id, "对账销号系统")
            .await,
        Err(EngineError::Store(
            xiaohao_store::StoreError::NotFound { .. }
        ))
    ));
    assert!(
        e.remove_unit_channel(&clerk, kjt.id, view.id)
            .await
            .is_err()
    );
    let tested = e
        .test_unit_channel(&clerk, fgw.id, view.id, "对账销号系统")
        .await
        .unwrap();
    assert!(tested.delivered, "{tested:?}");
    sink.set(Mode::Refuse);
    let refused = e
        .test_unit_channel(&clerk, fgw.id, view.id, "对账销号系统")
        .await
        .unwrap();
    assert_eq!((refused.delivered, refused.errcode), (false, Some(45009)));
    e.remove_unit_channel(&clerk, fgw.id, view.id)
        .await
        .unwrap();
    assert!(e.unit_channels(&clerk, fgw.id).await.unwrap().is_empty());
    assert!(flagged(&e.office_home(&clerk).await.unwrap()).contains(&"省发改委".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_draining_at_once_deliver_each_reminder_once_per_robot() {
    let t = TestEngine::new().await;
    let sink = RobotSink::start().await;
    let (w1, _) = worker(&t, false);
    let (w2, _) = worker(&t, false);
    let gxt = unit(&t, "省工信厅", UnitKind::Department, &["gxt@fj.gov.cn"]).await;
    robot(&t, &gxt, ChannelKind::Wecom, &sink.wecom_url("a"), None).await;
    sink.expect_secret("b", GXT_SECRET);
    robot(
        &t,
        &gxt,
        ChannelKind::Dingtalk,
        &sink.dingtalk_url("b"),
        Some(GXT_SECRET),
    )
    .await;
    let notes: Vec<Notification> = (0..30)
        .map(|i| Notification {
            recipient: gxt.id,
            kind: "escalation:催办".into(),
            item: None,
            dedupe_key: format!("robots:two-workers:{i}"),
            urgent: true,
        })
        .collect();
    for (i, n) in notes.iter().enumerate() {
        let payload = serde_json::json!({"title": format!("第{i}号提醒")});
        t.engine
            .raw_store()
            .enqueue(std::slice::from_ref(n), &payload, t.engine.now())
            .await
            .unwrap();
    }
    let (r1, r2) = tokio::join!(w1.drain(), w2.drain());
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    assert_eq!(
        r1.sent + r2.sent,
        90,
        "30 e-mails and 60 robot messages: {r1} / {r2}"
    );
    let got = sink.accepted();
    assert_eq!(got.len(), 60);
    let distinct: HashSet<(String, String)> = got
        .iter()
        .map(|m| (m.token.clone(), m.body.to_string()))
        .collect();
    assert_eq!(distinct.len(), 60, "none twice");
    assert_eq!(sink.bad_signatures(), 0);
}
