//! Test fixtures: a fresh database per test, a booted app on port 0, a manual clock.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, Database, Statement};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::{AccountRole, UnitId};
use xiaohao_engine::{Engine, ManualClock};
use xiaohao_store::{DbSettings, NewUnit, Store};

pub const PG_ENV: &str = "XIAOHAO_TEST_DATABASE_URL";

/// A database that exists for one test and is removed after it.
pub struct TestDb {
    pub url: String,
    pg_admin: Option<(String, String)>,
    dir: Option<PathBuf>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        match std::env::var(PG_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("xh_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("{PG_ENV} is set but PostgreSQL is unreachable ({admin_url}): {e}")
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                TestDb {
                    url: format!("{base}/{name}"),
                    pg_admin: Some((admin_url.clone(), name)),
                    dir: None,
                }
            }
            _ => {
                let dir =
                    std::env::temp_dir().join(format!("xiaohao-test-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                TestDb {
                    url: format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
                    pg_admin: None,
                    dir: Some(dir),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg_admin.is_some()
    }

    pub async fn store(&self) -> Store {
        let store = Store::connect(&DbSettings {
            url: self.url.clone(),
            max_connections: 8,
        })
        .await
        .expect("connect test database");
        store.migrate().await.expect("migrate");
        store
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin_url, name)) = self.pg_admin.take() {
            // Drop runs outside any runtime we may block on; use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = Database::connect(&admin_url).await.ok()?;
                    admin
                        .execute_raw(Statement::from_string(
                            admin.get_database_backend(),
                            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                        ))
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}

/// Monday 2 March 2026, 09:00 in Beijing.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .expect("valid time")
}

/// The policy of the repository's own configuration (`config/default.toml`,
/// `config/calendar/`), as `serve` builds it at start.
pub fn policy() -> Arc<xiaohao_core::Policy> {
    static POLICY: std::sync::OnceLock<Arc<xiaohao_core::Policy>> = std::sync::OnceLock::new();
    POLICY
        .get_or_init(|| {
            let home = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let settings = xiaohao_engine::Settings::load(home).expect("settings");
            Arc::new(xiaohao_engine::load_policy(&settings, home).expect("policy"))
        })
        .clone()
}

/// A store, an engine on a manual clock (its evidence files in a directory of its own),
/// and the database guard.
pub struct TestEngine {
    pub engine: Engine,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
    /// Where the engine keeps evidence files; removed with the engine.
    pub files_dir: PathBuf,
}

impl Drop for TestEngine {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.files_dir);
    }
}

impl TestEngine {
    pub async fn new() -> TestEngine {
        Self::with_files(None).await
    }

    /// As [`TestEngine::new`], keeping files in `files` instead of a fresh directory.
    pub async fn with_files(files: Option<xiaohao_engine::files::Files>) -> TestEngine {
        let db = TestDb::new().await;
        let store = db.store().await;
        let clock = Arc::new(ManualClock::new(start_time()));
        let files_dir =
            std::env::temp_dir().join(format!("xiaohao-files-{}", uuid::Uuid::new_v4()));
        let files = match files {
            Some(f) => f,
            None => xiaohao_engine::files::Files::local(&files_dir, Default::default())
                .expect("file store"),
        };
        let engine = Engine::new(store, clock.clone(), policy()).with_files(files);
        TestEngine {
            engine,
            clock,
            db,
            files_dir,
        }
    }

    pub async fn unit(&self, name: &str, kind: UnitKind) -> Unit {
        self.engine
            .raw_store()
            .create_unit(
                NewUnit {
                    name: name.into(),
                    kind: Some(kind),
                    ..Default::default()
                },
                self.clock.now_utc(),
            )
            .await
            .expect("create unit")
    }
}

pub trait NowUtc {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl NowUtc for ManualClock {
    fn now_utc(&self) -> DateTime<Utc> {
        xiaohao_engine::Clock::now(self)
    }
}

/// The service on 127.0.0.1:0, stopped when dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    pub t: TestEngine,
    pub http: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_on(TestEngine::new().await).await
    }

    /// The service with its files kept in `files`.
    pub async fn spawn_with_files(files: xiaohao_engine::files::Files) -> TestApp {
        Self::spawn_on(TestEngine::with_files(Some(files)).await).await
    }

    async fn spawn_on(t: TestEngine) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let engine = t.engine.clone();
        tokio::spawn(async move {
            let _ = xiaohao_web::serve(listener, engine, async {
                let _ = rx.await;
            })
            .await;
        });
        TestApp {
            addr,
            t,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A new account of `role` in `unit`; returns its username (password [`PASSWORD`]).
    pub async fn user(&self, unit: UnitId, role: AccountRole) -> String {
        let username = format!("{role}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        self.t
            .engine
            .add_user(&username, None, &unit.to_string(), role, None, PASSWORD)
            .await
            .expect("add user");
        username
    }

    /// A bearer token for a new account of `role` in `unit`, obtained through the API.
    pub async fn token(&self, unit: UnitId, role: AccountRole) -> String {
        let username = self.user(unit, role).await;
        self.login(&username).await
    }

    /// `POST /api/auth/login` → the bearer token.
    pub async fn login(&self, username: &str) -> String {
        let resp = self
            .http
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("login request");
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "login {username}");
        let body: serde_json::Value = resp.json().await.expect("login body");
        body["token"].as_str().expect("token").to_owned()
    }
}

pub const PASSWORD: &str = "correct horse battery";

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
