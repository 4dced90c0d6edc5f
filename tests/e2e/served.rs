//! The real `xiaohao serve` as a child process, for the operations drills (kill -9, backup
//! under load): started on a database URL, driven over HTTP by writers that record every
//! write the server acknowledged, killed, restarted.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the service may take to come up on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(120);
/// The demo accounts' password (`src/demo.rs`).
pub const DEMO_PASSWORD: &str = "xiaohao-demo";

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("addr").port()
}

/// A working folder (the process's current directory) with `serve` running in it.
pub struct Served {
    pub dir: PathBuf,
    pub db_url: String,
    pub base: String,
    child: Option<Child>,
    log: PathBuf,
}

/// The environment of every process of a drill: the repository's configuration, the
/// database, no scheduler and no mail (the drills count writes of the API alone).
pub fn xiaohao(dir: &Path, db_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xiaohao"));
    cmd.current_dir(dir)
        .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
        .env("XIAOHAO_DATABASE_URL", db_url)
        .env("XIAOHAO_SCHEDULER__ENABLED", "false")
        .env("XIAOHAO_MAIL__WORKER", "false")
        .env("XIAOHAO_LOG", "warn")
        .stdin(Stdio::null());
    cmd
}

impl Served {
    /// A fresh folder under the temp directory; nothing runs yet.
    pub fn folder(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xiaohao-{tag}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("drill folder");
        dir
    }

    /// Start `serve --demo` in `dir` on `db_url` and wait until `/health` answers.
    pub async fn start(dir: &Path, db_url: &str) -> Served {
        let mut served = Served {
            dir: dir.to_path_buf(),
            db_url: db_url.to_owned(),
            base: String::new(),
            child: None,
            log: PathBuf::new(),
        };
        served.launch().await;
        served
    }

    /// Kill -9 if running, then start again on the same folder and database.
    pub async fn restart(&mut self) {
        self.kill9();
        self.launch().await;
    }

    async fn launch(&mut self) {
        let addr = format!("127.0.0.1:{}", free_port());
        self.log = self
            .dir
            .join(format!("serve-{}.log", uuid::Uuid::new_v4().simple()));
        let file = std::fs::File::create(&self.log).expect("log file");
        let child = xiaohao(&self.dir, &self.db_url)
            .args(["serve", "--demo", "--addr", &addr])
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .expect("spawn xiaohao serve");
        self.base = format!("http://{addr}");
        self.child = Some(child);
        let http = reqwest::Client::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("serve exited with {status}: {}", self.log_text());
            }
            if let Ok(r) = http.get(format!("{}/health", self.base)).send().await
                && r.status() == StatusCode::OK
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not come up: {}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no drain, no shutdown hook, no checkpoint.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9 serve");
            child.wait().expect("reap serve");
        }
    }

    /// A bearer token of a demo account.
    pub async fn login(&self, username: &str) -> String {
        let resp = reqwest::Client::new()
            .post(format!("{}/api/auth/login", self.base))
            .json(&json!({"username": username, "password": DEMO_PASSWORD}))
            .send()
            .await
            .expect("login request");
        assert_eq!(resp.status(), StatusCode::OK, "login {username}");
        let body: Value = resp.json().await.expect("login body");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Run the CLI in the same folder on the same database.
    pub fn cli(&self, args: &[&str]) -> Output {
        run_cli(&self.dir, &self.db_url, args)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill9();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub fn run_cli(dir: &Path, db_url: &str, args: &[&str]) -> Output {
    xiaohao(dir, db_url)
        .args(args)
        .output()
        .expect("run xiaohao")
}

/// One write the server acknowledged: the event it answered with.
#[derive(Debug, Clone)]
pub struct Ack {
    pub item: String,
    pub seq: i64,
    pub hash: String,
    pub at: Instant,
}

/// Writers that keep filing and assigning items as the demo office until told to stop or
/// the server stops answering; every 2xx answer is recorded.
pub struct Writers {
    pub acks: Arc<Mutex<Vec<Ack>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<u64>>,
}

impl Writers {
    /// `n` writers against `base` with `token`, each stopping after `budget` requests.
    pub fn start(base: &str, token: &str, n: usize, budget: usize) -> Writers {
        let acks = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        let tasks = (0..n)
            .map(|w| {
                let (acks, stop, http) = (acks.clone(), stop.clone(), http.clone());
                let (base, token) = (base.to_owned(), token.to_owned());
                tokio::spawn(async move {
                    let mut sent = 0u64;
                    let mut last: Option<String> = None;
                    for i in 0..budget {
                        if stop.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        sent += 1;
                        // Every other request assigns the item filed just before.
                        let request = match last.take() {
                            Some(id) => http
                                .post(format!("{base}/api/items/{id}/transitions"))
                                .json(&json!({"action": "assign"})),
                            None => http.post(format!("{base}/api/items")).json(&json!({
                                "title": format!("演练事项 {w}-{i}"),
                                "lead_unit": "省工信厅",
                                "deadline": "2026-12-31",
                            })),
                        };
                        let Ok(resp) = request.bearer_auth(&token).send().await else {
                            break; // the server is gone
                        };
                        if !resp.status().is_success() {
                            break;
                        }
                        let Ok(body) = resp.json::<Value>().await else {
                            break;
                        };
                        let ack = Ack {
                            item: body["item"]["id"].as_str().expect("item id").to_owned(),
                            seq: body["event"]["seq"].as_i64().expect("event seq"),
                            hash: body["event"]["hash"].as_str().expect("hash").to_owned(),
                            at: Instant::now(),
                        };
                        if ack.seq == 1 {
                            last = Some(ack.item.clone());
                        }
                        acks.lock().expect("acks").push(ack);
                    }
                    sent
                })
            })
            .collect();
        Writers { acks, stop, tasks }
    }

    pub fn acked(&self) -> usize {
        self.acks.lock().expect("acks").len()
    }

    /// Wait (bounded) until at least `n` writes were acknowledged.
    pub async fn wait_for(&self, n: usize) {
        let deadline = Instant::now() + PATIENCE;
        while self.acked() < n {
            assert!(
                Instant::now() < deadline,
                "only {} writes acknowledged",
                self.acked()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stop and wait for every writer; returns (requests sent, acknowledged writes).
    pub async fn finish(self) -> (u64, Vec<Ack>) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut sent = 0;
        for t in self.tasks {
            sent += tokio::time::timeout(PATIENCE, t)
                .await
                .expect("writer finished in time")
                .expect("writer task");
        }
        let acks = self.acks.lock().expect("acks").clone();
        (sent, acks)
    }
}

/// Every acknowledged event is in its item's chain with the hash the server answered, and
/// every chain the server shows verifies.
pub async fn assert_acks_present(base: &str, token: &str, acks: &[Ack]) {
    use std::collections::BTreeMap;
    let http = reqwest::Client::new();
    let mut by_item: BTreeMap<&str, Vec<&Ack>> = BTreeMap::new();
    for a in acks {
        by_item.entry(a.item.as_str()).or_default().push(a);
    }
    for (item, expected) in by_item {
        let resp = http
            .get(format!("{base}/api/items/{item}/events"))
            .bearer_auth(token)
            .send()
            .await
            .expect("events request");
        assert_eq!(resp.status(), StatusCode::OK, "item {item} is gone");
        let body: Value = resp.json().await.expect("events body");
        assert_eq!(body["chain_ok"], json!(true), "chain of {item}: {body}");
        let events = body["events"].as_array().expect("events");
        for a in expected {
            let found = events
                .iter()
                .find(|e| e["seq"].as_i64() == Some(a.seq))
                .unwrap_or_else(|| panic!("acknowledged event {item} #{} is missing", a.seq));
            assert_eq!(
                found["hash"].as_str(),
                Some(a.hash.as_str()),
                "{item} #{}",
                a.seq
            );
        }
    }
}

/// `xiaohao audit verify` exits 0 and says the chains are intact.
pub fn assert_audit_verifies(dir: &Path, db_url: &str) -> String {
    let out = run_cli(dir, db_url, &["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && stdout.contains("every hash chain intact"),
        "audit verify: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
