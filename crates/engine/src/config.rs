//! Settings: built-in defaults, then `config/default.toml`, then the file named by
//! `XIAOHAO_CONFIG`, then `XIAOHAO_…` environment variables (`XIAOHAO_SECTION__KEY`
//! overrides `[section] key`; `XIAOHAO_DATABASE_URL` is a shorthand for `database.url`).
//! Later sources win.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::EngineError;
use xiaohao_core::cycles::CycleDef;
use xiaohao_core::escalation::Ladder;
use xiaohao_core::light::LightPolicy;
use xiaohao_core::sla::SlaPolicy;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub server: ServerSettings,
    /// IANA time zone for deadlines, cycles and quiet hours.
    pub timezone: String,
    /// Where working-day calendar files (`<year>.toml`) live.
    pub calendar_dir: String,
    /// The 考核 (scoring) rules file.
    pub scoring_file: String,
    pub scheduler: SchedulerSettings,
    /// The escalation ladder (预警 → 催办 → 督办 → 通报).
    pub escalation: Ladder,
    /// Reporting cycles.
    pub cycles: Vec<CycleDef>,
    pub lights: LightPolicy,
    /// SLA for problems (问题): 1天应答、3天明确意见、5天办结 by default.
    pub problem_sla: SlaPolicy,
    /// 延期申请 (`allow_after_due`, off by default).
    pub extension: xiaohao_core::extension::ExtensionRules,
    /// 督办单 (`number_format`, `督〔{year}〕{n}号` by default).
    pub orders: xiaohao_core::order::OrderRules,
    pub mail: MailSettings,
    /// Access to `/metrics`.
    pub metrics: MetricsSettings,
    /// Evidence files: kinds, size limit, local directory or S3-compatible store.
    pub files: crate::files::FileSettings,
    /// **Tests and drills only.** A file holding one RFC 3339 instant that replaces the
    /// wall clock (`XIAOHAO_CLOCK_FILE=/path`); see [`crate::FileClock`]. Unset: wall time.
    pub clock_file: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SchedulerSettings {
    /// Run the scheduler inside `serve`.
    pub enabled: bool,
    /// Seconds between ticks; fractions allowed (tests and drills tick every 0.2 s).
    pub tick_seconds: f64,
    /// How far back a tick looks for cycle occurrences it has not fired yet (downtime
    /// longer than this loses occurrences; they are logged).
    pub catch_up_days: i64,
    /// Items or duties escalated per transaction.
    pub batch_size: u64,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            tick_seconds: 60.0,
            catch_up_days: 40,
            batch_size: 500,
        }
    }
}

/// `[mail]`: who reminders come from, how they travel, when they may go.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MailSettings {
    /// Run the delivery worker inside `xiaohao serve`.
    pub worker: bool,
    pub from_address: String,
    /// Display name of the sender, e.g. 对账销号系统.
    pub from_name: String,
    /// Editable zh-CN templates (minijinja); missing files fall back to the built-in copies.
    pub templates_dir: String,
    /// Without `[mail.smtp]`, messages are written as `.eml` files here.
    pub outbox_dir: String,
    /// Attempts before a row is `dead` (an office re-queues it with `mail retry`).
    pub max_attempts: i32,
    /// First retry after this many seconds, doubling each attempt up to `backoff_max_secs`.
    pub backoff_base_secs: u64,
    pub backoff_max_secs: u64,
    /// A claimed row is re-claimable after this long if its worker died before finishing.
    pub lease_secs: u64,
    /// Rows per claim.
    pub batch_size: u64,
    /// Messages of a claim in flight at once (SMTP connections, overlapping commits).
    pub concurrency: usize,
    /// Wait for the disk on every "sent" mark (PostgreSQL `synchronous_commit` for that
    /// commit). Off by default: a lost mark only means a resend with the same Message-ID.
    pub durable_marks: bool,
    /// How often the worker in `serve` looks for due rows, in seconds; fractions allowed.
    pub poll_secs: f64,
    /// One digest per unit per working day for non-urgent reminders; urgent kinds
    /// (督办, 通报) go at once.
    pub digest: bool,
    /// No mail between `quiet_start` and `quiet_end` (local time, `HH:MM`).
    pub quiet_start: String,
    pub quiet_end: String,
    /// When the daily digest goes out on working days (local time, `HH:MM`).
    pub send_at: String,
    /// Every request to a webhook robot (企业微信, 钉钉) is bounded by this.
    pub robot_timeout_secs: u64,
    pub smtp: Option<SmtpSettings>,
}

/// How TLS is used towards the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text (a relay on localhost or a test server).
    None,
    /// STARTTLS, required (no downgrade); usually port 587.
    Starttls,
    /// Implicit TLS; usually port 465.
    Tls,
}

/// `[mail.smtp]`. The password never appears in logs (`Debug` redacts it).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Every send (connect, dialogue, data) is bounded by this.
    pub timeout_secs: u64,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Redacted so settings can be logged.
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 587,
            tls: TlsMode::Starttls,
            username: None,
            password: None,
            timeout_secs: 30,
        }
    }
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            worker: true,
            from_address: "noreply@xiaohao.local".into(),
            from_name: "对账销号系统".into(),
            templates_dir: "config/templates".into(),
            outbox_dir: "data/outbox".into(),
            max_attempts: 8,
            backoff_base_secs: 60,
            backoff_max_secs: 6 * 3600,
            lease_secs: 300,
            batch_size: 50,
            concurrency: 4,
            durable_marks: false,
            poll_secs: 30.0,
            digest: true,
            quiet_start: "20:00".into(),
            quiet_end: "08:00".into(),
            send_at: "09:00".into(),
            robot_timeout_secs: 10,
            smtp: None,
        }
    }
}

/// A period setting in seconds (fractions allowed) as a duration.
///
/// # Errors
/// `Config` naming the key when the value is not a number of seconds of at least 0.01.
pub fn period(key: &str, secs: f64) -> Result<std::time::Duration, EngineError> {
    if (0.01..=1e9).contains(&secs) {
        Ok(std::time::Duration::from_secs_f64(secs))
    } else {
        Err(EngineError::Config(format!(
            "{key} = {secs} is not a period of at least 0.01 seconds"
        )))
    }
}

impl SchedulerSettings {
    /// The time between ticks.
    ///
    /// # Errors
    /// `Config` when `tick_seconds` is not a usable period.
    pub fn tick_period(&self) -> Result<std::time::Duration, EngineError> {
        period("scheduler.tick_seconds", self.tick_seconds)
    }
}

impl MailSettings {
    /// The time between the worker's looks for due rows.
    ///
    /// # Errors
    /// `Config` when `poll_secs` is not a usable period.
    pub fn poll_period(&self) -> Result<std::time::Duration, EngineError> {
        period("mail.poll_secs", self.poll_secs)
    }

    /// A `HH:MM` setting as a time of day.
    ///
    /// # Errors
    /// `Config` naming the key.
    pub fn time_of_day(key: &str, value: &str) -> Result<chrono::NaiveTime, EngineError> {
        chrono::NaiveTime::parse_from_str(value.trim(), "%H:%M").map_err(|_| {
            EngineError::Config(format!("mail.{key} `{value}` is not a time of day (HH:MM)"))
        })
    }

    fn validate(&self) -> Result<(), EngineError> {
        period("mail.poll_secs", self.poll_secs)?;
        Self::time_of_day("quiet_start", &self.quiet_start)?;
        Self::time_of_day("quiet_end", &self.quiet_end)?;
        Self::time_of_day("send_at", &self.send_at)?;
        if self.from_address.parse::<lettre::Address>().is_err() {
            return Err(EngineError::Config(format!(
                "mail.from_address `{}` is not an e-mail address",
                self.from_address
            )));
        }
        if self.max_attempts < 1 {
            return Err(EngineError::Config(
                "mail.max_attempts must be at least 1".into(),
            ));
        }
        if let Some(smtp) = &self.smtp
            && smtp.host.trim().is_empty()
        {
            return Err(EngineError::Config("mail.smtp.host is empty".into()));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
}

/// Who may read `/metrics`: a bearer `token`, or a client address in `allow`. Without
/// either, loopback only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsSettings {
    /// `Authorization: Bearer <token>` opens `/metrics` from anywhere.
    pub token: Option<String>,
    /// Client addresses (IP literals) that may read `/metrics` without the token.
    pub allow: Vec<String>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            token: None,
            allow: vec!["127.0.0.1".into(), "::1".into()],
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    pub addr: String,
    /// The address people reach the pages at; used in links inside e-mails.
    pub public_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database: DatabaseSettings::default(),
            server: ServerSettings::default(),
            timezone: "Asia/Shanghai".into(),
            calendar_dir: "config/calendar".into(),
            scoring_file: "config/scoring.toml".into(),
            scheduler: SchedulerSettings::default(),
            escalation: Ladder::default(),
            cycles: CycleDef::defaults(),
            lights: LightPolicy::default(),
            problem_sla: SlaPolicy::problem_1_3_5(),
            extension: xiaohao_core::extension::ExtensionRules::default(),
            orders: xiaohao_core::order::OrderRules::default(),
            mail: MailSettings::default(),
            metrics: MetricsSettings::default(),
            files: crate::files::FileSettings::default(),
            clock_file: None,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://data/xiaohao.db?mode=rwc".into(),
            max_connections: 8,
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

impl Settings {
    /// Load from the usual sources, `base_dir` being where `config/` is looked for.
    ///
    /// # Errors
    /// A malformed file or a value of the wrong type, naming the key.
    pub fn load(base_dir: &Path) -> Result<Settings, EngineError> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(base_dir.join("config/default.toml")));
        if let Ok(extra) = std::env::var("XIAOHAO_CONFIG") {
            if !Path::new(&extra).exists() {
                return Err(EngineError::Config(format!(
                    "XIAOHAO_CONFIG names `{extra}`, which does not exist"
                )));
            }
            fig = fig.merge(Toml::file(extra));
        }
        fig = fig
            .merge(
                Env::prefixed("XIAOHAO_")
                    .ignore(&["config", "test_database_url", "database_url"])
                    .split("__"),
            )
            .merge(
                Env::prefixed("XIAOHAO_")
                    .only(&["database_url"])
                    .map(|_| "database.url".into()),
            );
        let settings: Settings = fig
            .extract()
            .map_err(|e| EngineError::Config(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Check values that parse but make no sense.
    ///
    /// # Errors
    /// `Config` naming the key.
    pub fn validate(&self) -> Result<(), EngineError> {
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(EngineError::Config(format!(
                "database.url `{url}` must start with sqlite:, postgres:// or postgresql://"
            )));
        }
        self.escalation
            .validate()
            .map_err(|e| EngineError::Config(e.to_string()))?;
        self.problem_sla
            .validate()
            .map_err(|e| EngineError::Config(format!("problem_sla: {e}")))?;
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(EngineError::Config(format!(
                "timezone `{}` is not an IANA time zone",
                self.timezone
            )));
        }
        for c in &self.cycles {
            if c.cron.parse::<croner::Cron>().is_err() {
                return Err(EngineError::Config(format!(
                    "cycles `{}`: cron `{}` does not parse",
                    c.key, c.cron
                )));
            }
        }
        self.scheduler.tick_period()?;
        self.files.rules()?;
        if self.server.addr.parse::<std::net::SocketAddr>().is_err() {
            return Err(EngineError::Config(format!(
                "server.addr `{}` is not host:port",
                self.server.addr
            )));
        }
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(EngineError::Config(format!(
                "timezone `{}` is not an IANA time zone",
                self.timezone
            )));
        }
        self.mail.validate()
    }

    /// The SQLite file's directory, which must exist before connecting.
    pub fn sqlite_dir(&self) -> Option<std::path::PathBuf> {
        self.sqlite_file()?.parent().map(Path::to_path_buf)
    }

    /// The SQLite database file, when the URL names one (not PostgreSQL, not in memory).
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let rest = self.database.url.strip_prefix("sqlite://")?;
        let path = rest.split('?').next()?;
        if path.is_empty() || path.starts_with(':') {
            return None;
        }
        Some(Path::new(path).to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped file spells out the built-in defaults; they must not drift apart.
    #[test]
    fn shipped_config_matches_the_defaults() {
        let home = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(home.join("config/default.toml")).unwrap();
        let from_file: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::string(&text))
            .extract()
            .unwrap();
        let defaults = Settings::default();
        assert_eq!(from_file.escalation, defaults.escalation);
        assert_eq!(from_file.cycles, defaults.cycles);
        assert_eq!(from_file.problem_sla, defaults.problem_sla);
        assert_eq!(from_file.lights, defaults.lights);
        assert_eq!(from_file.database.url, defaults.database.url);
        from_file.validate().unwrap();
    }

    #[test]
    fn a_bad_ladder_or_cron_is_refused() {
        let mut s = Settings::default();
        s.escalation.steps.reverse();
        assert!(s.validate().unwrap_err().to_string().contains("escalation"));
        let mut s = Settings::default();
        s.cycles[0].cron = "every full moon".into();
        assert!(s.validate().unwrap_err().to_string().contains("monthly"));
        let mut s = Settings::default();
        s.database.url = "mysql://x".into();
        assert!(s.validate().is_err());
    }

    #[test]
    fn periods_take_fractions_and_refuse_nonsense() {
        let mut s = Settings::default();
        s.scheduler.tick_seconds = 0.2;
        s.mail.poll_secs = 0.5;
        s.validate().unwrap();
        assert_eq!(
            s.scheduler.tick_period().unwrap(),
            std::time::Duration::from_millis(200)
        );
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            s.scheduler.tick_seconds = bad;
            let e = s.validate().unwrap_err().to_string();
            assert!(e.contains("scheduler.tick_seconds"), "{e}");
        }
        // Whole numbers, as the shipped file writes them, still read.
        let from: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::string(
                "clock_file = \"/tmp/clock\"\n[scheduler]\ntick_seconds = 60\n[mail]\npoll_secs = 1",
            ))
            .extract()
            .unwrap();
        assert_eq!(from.scheduler.tick_seconds, 60.0);
        assert_eq!(from.mail.poll_secs, 1.0);
        assert_eq!(from.clock_file.as_deref(), Some("/tmp/clock"));
    }
}
