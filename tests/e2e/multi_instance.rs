//! Several `xiaohao serve` processes on one database, as behind a load balancer
//! (docs/DEPLOYMENT.md): API writes go round-robin through all of them, their schedulers
//! tick together on one shared test clock (`XIAOHAO_CLOCK_FILE`), their mail workers send
//! to one real SMTP server. Every cycle occurrence, duty, escalation step and reminder
//! must happen exactly once, and the audit chain must hold.
//!
//! PostgreSQL (`XIAOHAO_TEST_DATABASE_URL` set): three processes. SQLite: two processes on
//! one file — WAL lets several processes on one host share it, writers take turns through
//! the busy timeout. (The SQLite deployment we document is one process; this variant shows
//! that a second one, e.g. during a restart overlap, breaks nothing.)
//!
//! The processes start together on an empty database, so they also race to migrate it.

use crate::smtp::SmtpSink;
use crate::support::TestDb;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use xiaohao_engine::FileClock;
use xiaohao_engine::mail::message_id_for;
use xiaohao_store::entities::{cycle_occurrence, duty, escalation_fire, supervision_order};
use xiaohao_store::{DIGEST_KIND, Store, digest_key};

const FROM: &str = "noreply@xiaohao.example.gov.cn";
const PASSWORD: &str = "a long drill password";
/// Items filed like B besides B.
const BULK: usize = 12;
/// How long any one wait may take on a loaded 2-core machine before the test fails.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(90);

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).expect("valid date")
}

/// `h` o'clock in Beijing on `date`.
fn bj(date: NaiveDate, h: u32) -> DateTime<Utc> {
    Shanghai
        .from_local_datetime(&date.and_hms_opt(h, 0, 0).expect("valid time"))
        .single()
        .expect("unambiguous")
        .with_timezone(&Utc)
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("addr").port()
}

struct Instance {
    base: String,
    child: Option<Child>,
    log: PathBuf,
}

/// The processes, their shared clock file and their logs; every process is killed when
/// this is dropped, also when the test fails (the logs are printed then).
struct Fleet {
    dir: PathBuf,
    clock: PathBuf,
    db_url: String,
    smtp_port: u16,
    instances: Vec<Instance>,
}

impl Fleet {
    fn env(&self, cmd: &mut Command) {
        cmd.env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
            .env("XIAOHAO_DATABASE_URL", &self.db_url)
            .env("XIAOHAO_CLOCK_FILE", &self.clock)
            .env("XIAOHAO_SCHEDULER__TICK_SECONDS", "0.2")
            .env("XIAOHAO_MAIL__POLL_SECS", "0.2")
            .env("XIAOHAO_MAIL__FROM_ADDRESS", FROM)
            .env("XIAOHAO_MAIL__SMTP__HOST", "127.0.0.1")
            .env("XIAOHAO_MAIL__SMTP__PORT", self.smtp_port.to_string())
            .env("XIAOHAO_MAIL__SMTP__TLS", "none")
            .env("XIAOHAO_MAIL__SMTP__TIMEOUT_SECS", "20")
            .env(
                "XIAOHAO_SERVER__PUBLIC_URL",
                "https://xiaohao.example.gov.cn",
            )
            .env(
                "XIAOHAO_LOG",
                // `xiaohao::run` at debug: each tick's report, with the claims it lost.
                "info,xiaohao::run=debug,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,tower_http=warn",
            );
    }

    /// Start `n` processes at once on the (empty) database, the clock at `start`.
    fn start(db: &TestDb, sink: &SmtpSink, n: usize, start: DateTime<Utc>) -> Fleet {
        let dir = std::env::temp_dir().join(format!("xiaohao-fleet-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("fleet dir");
        let clock = dir.join("clock");
        FileClock::write(&clock, start).expect("write clock");
        let mut fleet = Fleet {
            dir,
            clock,
            db_url: db.url.clone(),
            smtp_port: sink.port,
            instances: Vec::new(),
        };
        for i in 0..n {
            let addr = format!("127.0.0.1:{}", free_port());
            let log = fleet.dir.join(format!("serve-{i}.log"));
            let file = std::fs::File::create(&log).expect("log file");
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_xiaohao"));
            fleet.env(&mut cmd);
            cmd.args(["serve", "--addr", &addr])
                .stdin(Stdio::null())
                .stdout(file.try_clone().expect("log file"))
                .stderr(file);
            let child = cmd.spawn().expect("spawn xiaohao serve");
            fleet.instances.push(Instance {
                base: format!("http://{addr}"),
                child: Some(child),
                log,
            });
        }
        fleet
    }

    /// Run the CLI against the same database and clock; its stdout.
    fn cli(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xiaohao"));
        self.env(&mut cmd);
        cmd.env("XIAOHAO_LOG", "error")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn xiaohao");
        {
            use std::io::Write as _;
            let mut input = child.stdin.take().expect("stdin");
            if let Some(s) = stdin {
                input.write_all(s.as_bytes()).expect("write stdin");
            }
        }
        let out = child.wait_with_output().expect("wait for xiaohao");
        assert!(
            out.status.success(),
            "xiaohao {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    fn set_clock(&self, at: DateTime<Utc>) {
        FileClock::write(&self.clock, at).expect("move the clock");
    }

    /// Fail at once, with the logs, if a process died.
    fn check_alive(&mut self) {
        for (i, inst) in self.instances.iter_mut().enumerate() {
            if let Some(child) = inst.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("instance {i} exited with {status}");
            }
        }
    }

    async fn wait_healthy(&mut self, http: &reqwest::Client) {
        let deadline = Instant::now() + PATIENCE;
        for i in 0..self.instances.len() {
            loop {
                self.check_alive();
                let url = format!("{}/health", self.instances[i].base);
                if let Ok(r) = http.get(&url).send().await
                    && r.status() == StatusCode::OK
                {
                    break;
                }
                assert!(Instant::now() < deadline, "instance {i} did not come up");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }

    async fn metric(&self, http: &reqwest::Client, i: usize, name: &str) -> f64 {
        let url = format!("{}/metrics", self.instances[i].base);
        let text = http
            .get(&url)
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics body");
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{name} missing from /metrics:\n{text}"))
            .trim()
            .parse()
            .expect("a number")
    }

    /// Wait until every instance has completed a scheduler tick as of `at` (or later): the
    /// instant of its last completed tick is on `/metrics`.
    async fn wait_ticked(&mut self, http: &reqwest::Client, at: DateTime<Utc>) {
        let deadline = Instant::now() + PATIENCE;
        for i in 0..self.instances.len() {
            loop {
                self.check_alive();
                let secs = self
                    .metric(
                        http,
                        i,
                        "xiaohao_scheduler_last_tick_clock_timestamp_seconds",
                    )
                    .await;
                if (secs * 1000.0).round() as i64 >= at.timestamp_millis() {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "instance {i} did not tick at {at} (last tick at {secs})"
                );
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for inst in &mut self.instances {
            if let Some(mut c) = inst.child.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        if std::thread::panicking() {
            for (i, inst) in self.instances.iter().enumerate() {
                let text = std::fs::read_to_string(&inst.log).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = &lines[lines.len().saturating_sub(80)..];
                eprintln!("---- instance {i} log ({}) ----", inst.log.display());
                for l in tail {
                    eprintln!("{l}");
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An HTTP client that sends each request to the next instance in turn, as a round-robin
/// load balancer would.
struct Api {
    http: reqwest::Client,
    bases: Vec<String>,
    next: AtomicUsize,
}

impl Api {
    fn pick(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed) % self.bases.len()
    }

    async fn send_to(
        &self,
        i: usize,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.bases[i]));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// POST through the next instance; expect `want`.
    async fn post(&self, path: &str, token: Option<&str>, body: Value, want: StatusCode) -> Value {
        let i = self.pick();
        let (status, out) = self
            .send_to(i, reqwest::Method::POST, path, token, Some(body.clone()))
            .await;
        assert_eq!(status, want, "POST {path} via instance {i}: {body} → {out}");
        out
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        let i = self.pick();
        let (status, out) = self
            .send_to(i, reqwest::Method::GET, path, Some(token), None)
            .await;
        assert_eq!(status, StatusCode::OK, "GET {path} via instance {i}: {out}");
        out
    }

    async fn login(&self, username: &str) -> String {
        let out = self
            .post(
                "/api/auth/login",
                None,
                json!({"username": username, "password": PASSWORD}),
                StatusCode::OK,
            )
            .await;
        out["token"].as_str().expect("token").to_owned()
    }

    /// A transition through the next instance; returns the item's new version.
    async fn act(&self, item: &str, token: &str, body: Value) -> i64 {
        let out = self
            .post(
                &format!("/api/items/{item}/transitions"),
                Some(token),
                body,
                StatusCode::OK,
            )
            .await;
        out["item"]["version"].as_i64().expect("version")
    }
}

/// The outbox has done what it can as of `at`: nothing is being sent, nothing that may go
/// now is waiting. Non-urgent rows wait for their unit's digest: on a working day from
/// 09:00 that digest exists (rows arriving after it wait for the next working day's).
fn settled(
    rows: &[xiaohao_store::OutboxRow],
    at: DateTime<Utc>,
    cal: &xiaohao_core::calendar::WorkingCalendar,
) -> Result<(), String> {
    let local = at.with_timezone(&Shanghai);
    let today = local.date_naive();
    let digest_time = cal.is_working_day(today).unwrap_or(false)
        && local.time() >= chrono::NaiveTime::from_hms_opt(9, 0, 0).expect("09:00")
        && local.time() < chrono::NaiveTime::from_hms_opt(20, 0, 0).expect("20:00");
    let keys: BTreeSet<&str> = rows.iter().map(|r| r.dedupe_key.as_str()).collect();
    for r in rows {
        let due = r.next_attempt_at <= at;
        let waiting = match r.status.as_str() {
            "sending" => true,
            "pending" if !due => false,
            "pending" if r.urgent || r.kind == DIGEST_KIND => true,
            "pending" => digest_time && !keys.contains(digest_key(r.recipient, today).as_str()),
            _ => false,
        };
        if waiting {
            return Err(format!(
                "{} {} {} due {}",
                r.status, r.kind, r.dedupe_key, r.next_attempt_at
            ));
        }
    }
    Ok(())
}

async fn wait_settled(
    store: &Store,
    at: DateTime<Utc>,
    cal: &xiaohao_core::calendar::WorkingCalendar,
    fleet: &mut Fleet,
) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        fleet.check_alive();
        let rows = store.outbox(None, 100_000).await.expect("outbox");
        match settled(&rows, at, cal) {
            Ok(()) => return,
            Err(e) => assert!(
                Instant::now() < deadline,
                "the outbox did not settle at {at}: {e}"
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn several_serve_processes_share_one_database_and_do_everything_exactly_once() {
    let started = Instant::now();
    let db = TestDb::new().await;
    let n = if db.is_postgres() { 3 } else { 2 };
    let sink = SmtpSink::start();
    let t0 = bj(d(3, 2), 10); // Monday 2 March 2026, 10:00 in Beijing
    let mut fleet = Fleet::start(&db, &sink, n, t0);
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client");
    fleet.wait_healthy(&http).await;
    fleet.wait_ticked(&http, t0).await;
    let store = db.store().await;
    let cal = xiaohao_engine::calendar::load_calendar(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("config/calendar"),
    )
    .expect("calendar");

    // The first admin, from the command line, as an operator would.
    fleet.cli(
        &[
            "unit",
            "add",
            "信息中心",
            "--kind",
            "office",
            "--email",
            "xxzx@fj.gov.cn",
        ],
        None,
    );
    fleet.cli(
        &[
            "user",
            "add",
            "admin",
            "--unit",
            "信息中心",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );

    let api = Api {
        http: http.clone(),
        bases: fleet.instances.iter().map(|i| i.base.clone()).collect(),
        next: AtomicUsize::new(0),
    };
    let admin = api.login("admin").await;
    // A token issued by one instance works on every other: tokens live in the database.
    for i in 0..n {
        let (status, me) = api
            .send_to(i, reqwest::Method::GET, "/api/me", Some(&admin), None)
            .await;
        assert_eq!(status, StatusCode::OK, "instance {i}: {me}");
    }
    for (name, kind, email) in [
        ("专班办公室", "office", "zhuanban@fj.gov.cn"),
        ("省政府督查室", "supervision", "ducha@fj.gov.cn"),
        ("省工信厅", "department", "gxt@fj.gov.cn"),
        ("省发改委", "department", "fgw@fj.gov.cn"),
        ("省科技厅", "department", "kjt@fj.gov.cn"),
    ] {
        api.post(
            "/api/units",
            Some(&admin),
            json!({"name": name, "kind": kind, "emails": [email]}),
            StatusCode::CREATED,
        )
        .await;
    }
    let mut tokens = HashMap::new();
    for (user, unit, role) in [
        ("office", "专班办公室", "office"),
        ("ducha", "省政府督查室", "supervision"),
        ("gxt", "省工信厅", "unit"),
        ("fgw", "省发改委", "unit"),
        ("kjt", "省科技厅", "unit"),
    ] {
        api.post(
            "/api/users",
            Some(&admin),
            json!({"username": user, "unit": unit, "role": role, "password": PASSWORD, "must_change_password": false}),
            StatusCode::CREATED,
        )
        .await;
        tokens.insert(user, api.login(user).await);
    }
    let tok = |u: &str| tokens[u].clone();
    let (office, ducha, gxt, fgw, kjt) = (
        tok("office"),
        tok("ducha"),
        tok("gxt"),
        tok("fgw"),
        tok("kjt"),
    );

    // Five items, filed and moved along through whichever instance is next.
    let file = |title: &str, kind: &str, lead: &str, co: &[&str], deadline: Option<&str>| {
        let mut body = json!({"title": title, "kind": kind, "lead_unit": lead, "co_units": co});
        if let Some(dl) = deadline {
            body["deadline"] = json!(dl);
        }
        let api = &api;
        let office = office.clone();
        async move {
            let out = api
                .post("/api/items", Some(&office), body, StatusCode::CREATED)
                .await;
            out["item"]["id"].as_str().expect("id").to_owned()
        }
    };
    // A: the whole life, struck off on the first day.
    let a = file(
        "编制石化产业链招商图谱",
        "task",
        "省工信厅",
        &["省发改委"],
        Some("2026-03-31"),
    )
    .await;
    // B: accepted, then left alone: it climbs the whole ladder (due Friday 13 March).
    let b = file(
        "推进古雷石化基地配套项目",
        "task",
        "省发改委",
        &["省科技厅"],
        Some("2026-03-13"),
    )
    .await;
    // C: struck off after a race of two verifiers through two instances.
    let c = file(
        "加快产业向专业园区聚集",
        "task",
        "省科技厅",
        &["省工信厅"],
        Some("2026-06-30"),
    )
    .await;
    // D: in progress, reports its month on time.
    let dd = file(
        "强化产业分析研判",
        "task",
        "省工信厅",
        &[],
        Some("2026-04-30"),
    )
    .await;
    // E: a problem without a deadline: due 5 working days after assignment (9 March).
    let e = file("企业反映用电报装周期长", "problem", "省科技厅", &[], None).await;
    // Twelve more like B, so that the instances' ticks have enough to do at the same
    // moments to get in each other's way.
    let mut bulk = Vec::new();
    for k in 1..=BULK {
        bulk.push(
            file(
                &format!("古雷石化基地配套子项目{k}"),
                "task",
                "省发改委",
                &["省科技厅"],
                Some("2026-03-13"),
            )
            .await,
        );
    }
    let like_b: Vec<&String> = std::iter::once(&b).chain(&bulk).collect();

    for id in [&a, &b, &c, &dd, &e].into_iter().chain(&bulk) {
        api.act(id, &office, json!({"action": "assign"})).await;
    }
    api.act(&a, &gxt, json!({"action": "accept"})).await;
    api.act(
        &a,
        &gxt,
        json!({"action": "report", "report": {"period": "2026-03", "text": "图谱初稿已完成", "percent": 80}}),
    )
    .await;
    api.act(
        &a,
        &gxt,
        json!({"action": "request_closure", "evidence": "图谱已印发"}),
    )
    .await;
    api.act(
        &a,
        &ducha,
        json!({"action": "verify", "comment": "材料齐全,同意销号"}),
    )
    .await;
    for id in &like_b {
        api.act(id, &fgw, json!({"action": "accept"})).await;
    }
    api.act(&c, &kjt, json!({"action": "accept"})).await;
    api.act(&c, &kjt, json!({"action": "start"})).await;
    let v = api
        .act(
            &c,
            &kjt,
            json!({"action": "request_closure", "evidence": "园区已挂牌"}),
        )
        .await;
    api.act(&dd, &gxt, json!({"action": "accept"})).await;
    api.act(&dd, &gxt, json!({"action": "start"})).await;
    api.act(&e, &kjt, json!({"action": "accept"})).await;

    // The race: two offices verify C at the same version through two different instances.
    let path = format!("/api/items/{c}/transitions");
    let (first, second) = tokio::join!(
        api.send_to(
            0,
            reqwest::Method::POST,
            &path,
            Some(&office),
            Some(json!({"action": "verify", "version": v, "comment": "专班核验通过"})),
        ),
        api.send_to(
            1,
            reqwest::Method::POST,
            &path,
            Some(&ducha),
            Some(json!({"action": "verify", "version": v, "comment": "督查室核验通过"})),
        ),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{first:?} {second:?}"
    );
    let loser = if first.0 == StatusCode::CONFLICT {
        &first.1
    } else {
        &second.1
    };
    assert_eq!(loser["error"]["code"], "version_conflict", "{loser}");
    let events = api.get(&format!("/api/items/{c}/events"), &ducha).await;
    let verifies = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|ev| ev["kind"] == "verify")
        .count();
    assert_eq!(verifies, 1, "{events}");
    wait_settled(&store, t0, &cal, &mut fleet).await;

    // Day by day at 10:00 to the end of March: move the shared clock, wait until every
    // instance has ticked at the new instant and the mail has gone, act where the story
    // says so.
    let mut day = d(3, 3);
    while day <= d(3, 31) {
        let now = bj(day, 10);
        fleet.set_clock(now);
        fleet.wait_ticked(&http, now).await;
        if day == d(3, 23) {
            // D reports March before its duty falls due on the 25th.
            api.act(
                &dd,
                &gxt,
                json!({"action": "report", "report": {"period": "2026-03", "text": "完成产业链研判报告", "percent": 60}}),
            )
            .await;
        }
        wait_settled(&store, now, &cal, &mut fleet).await;
        day += Duration::days(1);
    }

    // ---- What happened, from the database ----
    let conn = store.connection();
    let occurrences: BTreeMap<(String, String), i32> = cycle_occurrence::Entity::find()
        .all(conn)
        .await
        .expect("occurrences")
        .into_iter()
        .map(|o| ((o.cycle_key, o.period_key), o.duties_created))
        .collect();
    let expected_occurrences: BTreeMap<(String, String), i32> = [
        // Caught up at the first tick: it opened before any item existed.
        (("monthly".to_owned(), "2026-02".to_owned()), 0),
        // The 对账 of January (2 February) and February (2 March): caught up likewise.
        (("reconciliation".to_owned(), "2026-01".to_owned()), 0),
        (("reconciliation".to_owned(), "2026-02".to_owned()), 0),
        (
            ("monthly".to_owned(), "2026-03".to_owned()),
            3 + BULK as i32,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(occurrences, expected_occurrences);

    let duties = duty::Entity::find().all(conn).await.expect("duties");
    let mut by_item: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for du in &duties {
        let item = du.item_id.expect("a progress duty").to_string();
        let entry = by_item.entry(item).or_insert((du.status.clone(), 0));
        entry.1 += 1;
    }
    let expected_duties: BTreeMap<String, (String, usize)> = like_b
        .iter()
        .map(|id| ((*id).clone(), ("missed".to_owned(), 1)))
        .chain([
            (dd.clone(), ("submitted".to_owned(), 1)),
            (e.clone(), ("missed".to_owned(), 1)),
        ])
        .collect();
    assert_eq!(by_item, expected_duties, "one duty per running item");

    // Every step once per subject and due date, on the day the ladder says.
    let fires = escalation_fire::Entity::find()
        .all(conn)
        .await
        .expect("fires");
    let mut seen = BTreeSet::new();
    for f in &fires {
        assert!(
            seen.insert((f.subject_id, f.due_on, f.step.clone())),
            "fired twice: {f:?}"
        );
    }
    let fired_on = |subject: &str| -> BTreeMap<String, NaiveDate> {
        fires
            .iter()
            .filter(|f| f.subject_id.to_string() == subject)
            .map(|f| {
                (
                    f.step.clone(),
                    f.fired_at.with_timezone(&Shanghai).date_naive(),
                )
            })
            .collect()
    };
    let ladder = |days: [NaiveDate; 4]| -> BTreeMap<String, NaiveDate> {
        ["预警", "催办", "督办", "通报"]
            .into_iter()
            .map(str::to_owned)
            .zip(days)
            .collect()
    };
    for id in &like_b {
        assert_eq!(
            fired_on(id),
            ladder([d(3, 10), d(3, 13), d(3, 18), d(3, 27)]),
            "{id}, due 03-13: −3/0/+3/+10 working days"
        );
    }
    assert_eq!(
        fired_on(&e),
        ladder([d(3, 4), d(3, 9), d(3, 12), d(3, 23)]),
        "E, due 03-09"
    );
    for done in [&a, &c, &dd] {
        assert!(fired_on(done).is_empty(), "{done}: {:?}", fired_on(done));
    }
    let duty_steps = |item: &str| -> BTreeMap<String, NaiveDate> {
        let du = duties
            .iter()
            .find(|x| x.item_id.map(|i| i.to_string()).as_deref() == Some(item))
            .expect("duty");
        fired_on(&du.id.to_string())
    };
    let missed_ladder: BTreeMap<String, NaiveDate> = [
        ("预警".to_owned(), d(3, 20)),
        ("催办".to_owned(), d(3, 25)),
        ("督办".to_owned(), d(3, 30)),
    ]
    .into_iter()
    .collect();
    for id in &like_b {
        assert_eq!(duty_steps(id), missed_ladder);
    }
    assert_eq!(duty_steps(&e), missed_ladder);
    assert_eq!(
        duty_steps(&dd).into_keys().collect::<Vec<_>>(),
        ["预警"],
        "a duty reported on time stops climbing"
    );
    let orders = supervision_order::Entity::find()
        .all(conn)
        .await
        .expect("orders");
    assert_eq!(
        orders.len(),
        BULK + 2,
        "one 督办单 each for B, its twins and E"
    );
    // Numbered once each, without gaps, whichever process fired the step.
    let mut seqs: Vec<i32> = orders.iter().filter_map(|o| o.number_seq).collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=i32::try_from(BULK + 2).unwrap()).collect::<Vec<_>>()
    );
    // Never answered, each climbs from its reply date like a missed duty: B's (督办 on
    // 18 March) reply due 25 March, E's (12 March) due 19 March.
    for o in &orders {
        let expected = if o.item_id.to_string() == e {
            [("预警", d(3, 16)), ("催办", d(3, 19)), ("督办", d(3, 24))]
                .into_iter()
                .map(|(s, day)| (s.to_owned(), day))
                .collect()
        } else {
            missed_ladder.clone()
        };
        assert_eq!(
            fired_on(&o.id.to_string()),
            expected,
            "督办单 of {}",
            o.item_id
        );
    }
    // Items: 4 steps each for B, its twelve twins and E; duties: 3 each for theirs, 1 for
    // D; 督办单: 3 each.
    assert_eq!(
        fires.len(),
        (BULK + 2) * 4 + (BULK + 2) * 3 + 1 + (BULK + 2) * 3
    );
    let outbox = store.outbox(None, 100_000).await.expect("outbox");
    for id in like_b.iter().copied().chain([&e]) {
        let detail = api.get(&format!("/api/items/{id}"), &ducha).await;
        let escalations = detail["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|ev| ev["kind"] == "escalate")
            .count();
        assert_eq!(escalations, 4, "{id}: one escalate event per step");
        assert_eq!(detail["item"]["escalation_level"], 4);
    }

    // ---- The mail: every row went out, every message exactly once ----
    let not_sent: Vec<_> = outbox
        .iter()
        .filter(|r| r.status != "sent")
        .map(|r| (&r.status, &r.kind, &r.dedupe_key))
        .collect();
    assert!(not_sent.is_empty(), "{not_sent:?}");
    let messages: BTreeSet<&str> = outbox
        .iter()
        .filter(|r| r.message_key.as_deref() == Some(r.dedupe_key.as_str()))
        .map(|r| r.dedupe_key.as_str())
        .collect();
    for r in &outbox {
        let via = r
            .message_key
            .as_deref()
            .expect("sent rows name their message");
        assert!(messages.contains(via), "{} went out in {via}", r.dedupe_key);
    }
    let received = sink.received();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for m in &received {
        *ids.entry(m.message_id.clone()).or_default() += 1;
    }
    let twice: Vec<_> = ids.iter().filter(|(_, k)| **k > 1).collect();
    assert!(twice.is_empty(), "received more than once: {twice:?}");
    let expected_ids: BTreeSet<String> = messages
        .iter()
        .map(|k| message_id_for(k, FROM).trim_matches(['<', '>']).to_owned())
        .collect();
    assert_eq!(
        ids.keys().cloned().collect::<BTreeSet<_>>(),
        expected_ids,
        "the server got exactly the messages the outbox says were sent"
    );
    let urgent = outbox
        .iter()
        .filter(|r| r.kind == "escalation:督办" || r.kind == "escalation:通报")
        .count();
    assert!(
        urgent >= (BULK + 2) * 4,
        "督办/通报 reminders for B, its twins and E: {urgent}"
    );
    // Digests: at most one per unit and day (their dedupe key), and the folded rows each in
    // exactly one.
    let digests = outbox.iter().filter(|r| r.kind == DIGEST_KIND).count();
    assert!(digests > 0);

    // ---- Every instance ticked, none failed; the audit chain holds ----
    for i in 0..n {
        let ticks = fleet
            .metric(&http, i, "xiaohao_scheduler_ticks_total")
            .await;
        let failures = fleet
            .metric(&http, i, "xiaohao_scheduler_tick_failures_total")
            .await;
        assert!(ticks >= 30.0, "instance {i} ticked {ticks} times");
        assert_eq!(failures, 0.0, "instance {i}: failed ticks");
    }
    let audit = fleet.cli(&["audit", "verify"], None);
    assert!(
        audit.starts_with(&format!("ok: {} items,", 5 + BULK))
            && audit.contains("every hash chain intact"),
        "{audit}"
    );
    // Who did what (the work is shared out by whoever is first, so this varies by run).
    let mut shares = Vec::new();
    for (i, inst) in fleet.instances.iter().enumerate() {
        let log = std::fs::read_to_string(&inst.log).unwrap_or_default();
        let bad: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("mail drain failed"))
            .collect();
        assert!(bad.is_empty(), "instance {i} logged errors: {bad:#?}");
        let ticks = fleet
            .metric(&http, i, "xiaohao_scheduler_ticks_total")
            .await;
        let count = |needle: &str| log.lines().filter(|l| l.contains(needle)).count();
        // Claims this instance found taken by another while it was ticking.
        let lost: u64 = log
            .lines()
            .filter_map(|l| l.split("skipped: ").nth(1))
            .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .filter_map(|n| n.parse::<u64>().ok())
            .sum();
        shares.push(format!(
            "#{i}: {ticks} ticks, {} cycles opened, {lost} claims lost to others, {} mail drains that sent",
            count("cycle opened"),
            count(" mail: ")
        ));
    }
    eprintln!(
        "multi_instance: {n} processes on {}, {} messages, {:.1} s; {}",
        if db.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        received.len(),
        started.elapsed().as_secs_f64(),
        shares.join("; ")
    );
}

/// Instances that start together on a fresh database all migrate it without error: the
/// migrations run under a lock (an advisory lock on PostgreSQL, the write lock on SQLite).
/// Without it, two of three `serve` processes died with `duplicate key value violates
/// unique constraint "pg_type_typname_nsp_index"`.
#[tokio::test]
async fn processes_starting_together_migrate_a_fresh_database_once() {
    let db = TestDb::new().await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let url = db.url.clone();
        tasks.push(tokio::spawn(async move {
            let store = Store::connect(&xiaohao_store::DbSettings {
                url,
                max_connections: 2,
            })
            .await
            .expect("connect");
            store.migrate().await.map(|()| store)
        }));
    }
    let mut stores = Vec::new();
    for t in tasks {
        stores.push(t.await.expect("task").expect("migrate"));
    }
    for store in &stores {
        let status = store.migration_status().await.expect("status");
        assert!(!status.is_empty() && status.iter().all(|(_, applied)| *applied));
        store.migrate().await.expect("again: nothing to do");
    }
}
