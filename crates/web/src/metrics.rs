//! `/metrics` in the Prometheus text format: items by state and light, outbox depth by
//! status, and the scheduler's tick timings, which the scheduler records through the
//! [`Metrics`] handle it shares with the web state.

use chrono::{DateTime, Utc};
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Counters other parts of the process update; read by `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    ticks: AtomicU64,
    tick_failures: AtomicU64,
    tick_micros_total: AtomicU64,
    last_tick_micros: AtomicU64,
    /// The clock's instant of the last tick that completed, in ms since the epoch (0: none).
    last_tick_clock_millis: AtomicI64,
    logins_failed: AtomicU64,
}

impl Metrics {
    /// Record one scheduler tick that took `d`: completed for the instant `at` (the
    /// service clock's `now`, which the tick ran as of), or failed when `at` is `None`.
    pub fn record_tick(&self, d: std::time::Duration, at: Option<DateTime<Utc>>) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.ticks.fetch_add(1, Ordering::Relaxed);
        self.tick_micros_total.fetch_add(us, Ordering::Relaxed);
        self.last_tick_micros.store(us, Ordering::Relaxed);
        match at {
            Some(at) => {
                self.last_tick_clock_millis
                    .store(at.timestamp_millis(), Ordering::Relaxed);
            }
            None => {
                self.tick_failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The instant of the last completed tick, if any.
    pub fn last_tick_clock(&self) -> Option<DateTime<Utc>> {
        match self.last_tick_clock_millis.load(Ordering::Relaxed) {
            0 => None,
            ms => DateTime::from_timestamp_millis(ms),
        }
    }

    pub fn login_failed(&self) {
        self.logins_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// The process-local series, in exposition format.
    pub fn render(&self, out: &mut String) {
        let secs = |us: u64| {
            // Microseconds to seconds; precision beyond f64's is irrelevant here.
            #[allow(clippy::cast_precision_loss)]
            let s = us as f64 / 1e6;
            s
        };
        let _ = writeln!(
            out,
            "# HELP xiaohao_scheduler_ticks_total Scheduler ticks run by this process.\n# TYPE xiaohao_scheduler_ticks_total counter\nxiaohao_scheduler_ticks_total {}",
            self.ticks.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP xiaohao_scheduler_tick_seconds_total Time spent in scheduler ticks.\n# TYPE xiaohao_scheduler_tick_seconds_total counter\nxiaohao_scheduler_tick_seconds_total {}",
            secs(self.tick_micros_total.load(Ordering::Relaxed))
        );
        let _ = writeln!(
            out,
            "# HELP xiaohao_scheduler_last_tick_seconds Duration of the last scheduler tick.\n# TYPE xiaohao_scheduler_last_tick_seconds gauge\nxiaohao_scheduler_last_tick_seconds {}",
            secs(self.last_tick_micros.load(Ordering::Relaxed))
        );
        let _ = writeln!(
            out,
            "# HELP xiaohao_scheduler_tick_failures_total Scheduler ticks that failed (logged; retried next tick).\n# TYPE xiaohao_scheduler_tick_failures_total counter\nxiaohao_scheduler_tick_failures_total {}",
            self.tick_failures.load(Ordering::Relaxed)
        );
        // Seconds since the epoch with millisecond precision, as Prometheus timestamps go.
        #[allow(clippy::cast_precision_loss)]
        let last_clock = self.last_tick_clock_millis.load(Ordering::Relaxed) as f64 / 1e3;
        let _ = writeln!(
            out,
            "# HELP xiaohao_scheduler_last_tick_clock_timestamp_seconds The service clock's instant of the last completed tick (0: none yet).\n# TYPE xiaohao_scheduler_last_tick_clock_timestamp_seconds gauge\nxiaohao_scheduler_last_tick_clock_timestamp_seconds {last_clock:.3}",
        );
        let _ = writeln!(
            out,
            "# HELP xiaohao_logins_failed_total Failed login attempts.\n# TYPE xiaohao_logins_failed_total counter\nxiaohao_logins_failed_total {}",
            self.logins_failed.load(Ordering::Relaxed)
        );
    }
}

/// A labelled gauge family.
pub(crate) fn gauge(out: &mut String, name: &str, help: &str, rows: &[(Vec<(&str, String)>, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (labels, v) in rows {
        let l: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        let _ = writeln!(out, "{name}{{{}}} {v}", l.join(","));
    }
}

/// Who may read `/metrics` (`[metrics]` in the configuration): a bearer token from
/// anywhere, or the listed client addresses; by default loopback only.
#[derive(Debug, Clone)]
pub struct MetricsAccess {
    token: Option<String>,
    allow: Vec<std::net::IpAddr>,
}

impl Default for MetricsAccess {
    fn default() -> Self {
        Self {
            token: None,
            allow: vec![
                std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::Ipv6Addr::LOCALHOST.into(),
            ],
        }
    }
}

impl MetricsAccess {
    /// # Errors
    /// An `allow` entry that is not an IP address, or an empty token.
    pub fn from_settings(s: &xiaohao_engine::MetricsSettings) -> Result<Self, String> {
        let allow = s
            .allow
            .iter()
            .map(|a| {
                a.trim()
                    .parse()
                    .map_err(|_| format!("metrics.allow: `{a}` is not an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let token = match s.token.as_deref().map(str::trim) {
            Some("") => return Err("metrics.token: must not be empty when set".into()),
            t => t.map(str::to_owned),
        };
        Ok(Self { token, allow })
    }

    /// Whether a request from `ip`, presenting `bearer`, may read the metrics.
    pub fn admits(&self, ip: std::net::IpAddr, bearer: Option<&str>) -> bool {
        use sha2::{Digest, Sha256};
        // Compared as digests, so the time taken does not tell how much of a guess matched.
        let token_ok = matches!((&self.token, bearer), (Some(t), Some(b))
            if Sha256::digest(t.as_bytes()) == Sha256::digest(b.as_bytes()));
        token_ok || self.allow.contains(&ip.to_canonical())
    }
}

#[cfg(test)]
mod access_tests {
    use super::MetricsAccess;
    use std::net::IpAddr;

    #[test]
    fn loopback_only_by_default_token_from_anywhere() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        let far: IpAddr = "10.1.2.3".parse().unwrap();
        let d = MetricsAccess::default();
        assert!(d.admits(lo, None) && d.admits(mapped, None));
        assert!(!d.admits(far, None) && !d.admits(far, Some("x")));
        let s = xiaohao_engine::MetricsSettings {
            token: Some("s3cret".into()),
            allow: vec![],
        };
        let a = MetricsAccess::from_settings(&s).unwrap();
        assert!(!a.admits(lo, None));
        assert!(a.admits(far, Some("s3cret")));
        assert!(!a.admits(far, Some("s3cre")));
        let bad = xiaohao_engine::MetricsSettings {
            token: None,
            allow: vec!["localhost".into()],
        };
        assert!(MetricsAccess::from_settings(&bad).is_err());
    }
}
