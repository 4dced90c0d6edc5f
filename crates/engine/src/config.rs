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
    pub scheduler: SchedulerSettings,
    /// The escalation ladder (预警 → 催办 → 督办 → 通报).
    pub escalation: Ladder,
    /// Reporting cycles.
    pub cycles: Vec<CycleDef>,
    pub lights: LightPolicy,
    /// SLA for problems (问题): 1天应答、3天明确意见、5天办结 by default.
    pub problem_sla: SlaPolicy,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SchedulerSettings {
    /// Run the scheduler inside `serve`.
    pub enabled: bool,
    /// Seconds between ticks.
    pub tick_seconds: u64,
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
            tick_seconds: 60,
            catch_up_days: 40,
            batch_size: 500,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
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
            scheduler: SchedulerSettings::default(),
            escalation: Ladder::default(),
            cycles: CycleDef::defaults(),
            lights: LightPolicy::default(),
            problem_sla: SlaPolicy::problem_1_3_5(),
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

    fn validate(&self) -> Result<(), EngineError> {
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
        if self.server.addr.parse::<std::net::SocketAddr>().is_err() {
            return Err(EngineError::Config(format!(
                "server.addr `{}` is not host:port",
                self.server.addr
            )));
        }
        Ok(())
    }

    /// The SQLite file's directory, which must exist before connecting.
    pub fn sqlite_dir(&self) -> Option<std::path::PathBuf> {
        let rest = self.database.url.strip_prefix("sqlite://")?;
        let path = rest.split('?').next()?;
        if path.is_empty() || path.starts_with(':') {
            return None;
        }
        Path::new(path).parent().map(Path::to_path_buf)
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
}
