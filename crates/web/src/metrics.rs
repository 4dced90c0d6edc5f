//! `/metrics` in the Prometheus text format (0.0.4), written by `prometheus-client`: items by
//! state and light, outbox depth by status, and the scheduler's tick timings, which the
//! scheduler records through the [`Metrics`] handle it shares with the web state.

use chrono::{DateTime, Utc};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

/// The exposition format's content type.
pub use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Counters other parts of the process update; read by `/metrics`. The crate's counters
/// and gauges are atomics behind an `Arc`: the registry of a scrape holds clones.
#[derive(Debug, Default)]
pub struct Metrics {
    ticks: Counter,
    tick_failures: Counter,
    tick_seconds: Counter<f64, AtomicU64>,
    last_tick_seconds: Gauge<f64, AtomicU64>,
    /// The clock's instant of the last tick that completed, in seconds since the epoch
    /// with millisecond precision (0: none).
    last_tick_clock: Gauge<f64, AtomicU64>,
    logins_failed: Counter,
}

impl Metrics {
    /// Record one scheduler tick that took `d`: completed for the instant `at` (the
    /// service clock's `now`, which the tick ran as of), or failed when `at` is `None`.
    pub fn record_tick(&self, d: std::time::Duration, at: Option<DateTime<Utc>>) {
        self.ticks.inc();
        self.tick_seconds.inc_by(d.as_secs_f64());
        self.last_tick_seconds.set(d.as_secs_f64());
        match at {
            Some(at) => {
                // Milliseconds since the epoch stay exact in an f64 (below 2^53).
                #[allow(clippy::cast_precision_loss)]
                let secs = at.timestamp_millis() as f64 / 1e3;
                self.last_tick_clock.set(secs);
            }
            None => {
                self.tick_failures.inc();
            }
        }
    }

    /// The instant of the last completed tick, if any.
    pub fn last_tick_clock(&self) -> Option<DateTime<Utc>> {
        let secs = self.last_tick_clock.get();
        // Whole milliseconds, as recorded above.
        #[allow(clippy::cast_possible_truncation)]
        let ms = (secs * 1e3).round() as i64;
        (ms != 0)
            .then(|| DateTime::from_timestamp_millis(ms))
            .flatten()
    }

    pub fn login_failed(&self) {
        self.logins_failed.inc();
    }

    /// Add the process-local series to a scrape (counters get their `_total` there).
    fn register(&self, r: &mut Registry) {
        r.register(
            "xiaohao_scheduler_ticks",
            "Scheduler ticks run by this process",
            self.ticks.clone(),
        );
        r.register(
            "xiaohao_scheduler_tick_seconds",
            "Time spent in scheduler ticks",
            self.tick_seconds.clone(),
        );
        r.register(
            "xiaohao_scheduler_last_tick_seconds",
            "Duration of the last scheduler tick",
            self.last_tick_seconds.clone(),
        );
        r.register(
            "xiaohao_scheduler_tick_failures",
            "Scheduler ticks that failed (logged; retried next tick)",
            self.tick_failures.clone(),
        );
        r.register(
            "xiaohao_scheduler_last_tick_clock_timestamp_seconds",
            "The service clock's instant of the last completed tick (0: none yet)",
            self.last_tick_clock.clone(),
        );
        r.register(
            "xiaohao_logins_failed",
            "Failed login attempts",
            self.logins_failed.clone(),
        );
    }
}

/// Labels of one series, e.g. `[("state", "draft")]`.
pub(crate) type Labels = Vec<(&'static str, String)>;

/// One scrape of `/metrics`: gauges read from the database now, then the process's series.
#[derive(Default)]
pub(crate) struct Scrape {
    registry: Registry,
}

impl Scrape {
    /// A labelled gauge family.
    pub(crate) fn gauge(&mut self, name: &str, help: &str, rows: Vec<(Labels, u64)>) {
        let family = Family::<Labels, Gauge>::default();
        for (labels, v) in rows {
            family
                .get_or_create(&labels)
                .set(i64::try_from(v).unwrap_or(i64::MAX));
        }
        self.registry.register(name, help, family);
    }

    /// The exposition text.
    pub(crate) fn finish(mut self, metrics: &Metrics) -> String {
        metrics.register(&mut self.registry);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod text_tests {
    use super::{Metrics, Scrape};

    #[test]
    fn the_series_keep_their_names_and_label_values_are_escaped() {
        let m = Metrics::default();
        let at = chrono::DateTime::from_timestamp_millis(1_772_413_200_123).unwrap();
        m.record_tick(std::time::Duration::from_millis(1500), Some(at));
        m.record_tick(std::time::Duration::from_millis(500), None);
        m.login_failed();
        assert_eq!(m.last_tick_clock(), Some(at));
        let mut s = Scrape::default();
        s.gauge(
            "xiaohao_items",
            "Items by state",
            vec![(vec![("state", "a\"b\\c".to_owned())], 3)],
        );
        let text = s.finish(&m);
        for line in [
            "# TYPE xiaohao_items gauge",
            "xiaohao_items{state=\"a\\\"b\\\\c\"} 3",
            "xiaohao_scheduler_ticks_total 2",
            "xiaohao_scheduler_tick_seconds_total 2.0",
            "xiaohao_scheduler_last_tick_seconds 0.5",
            "xiaohao_scheduler_tick_failures_total 1",
            "xiaohao_scheduler_last_tick_clock_timestamp_seconds 1772413200.123",
            "xiaohao_logins_failed_total 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from\n{text}"
            );
        }
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
