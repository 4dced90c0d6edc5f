//! The only place that reads the wall clock. Tests and `simulate` use [`ManualClock`];
//! multi-process tests and drills use [`FileClock`], which several `serve` processes can
//! share.

use chrono::{DateTime, Duration, Utc};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use thiserror::Error;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    // The one place that asks the operating system for the time (clippy.toml).
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Why a clock file cannot be used.
#[derive(Debug, Error)]
pub enum ClockError {
    #[error("clock file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "clock file {path}: `{content}` is not an RFC 3339 instant (e.g. 2026-03-02T10:00:00+08:00): {source}"
    )]
    Malformed {
        path: PathBuf,
        content: String,
        #[source]
        source: chrono::ParseError,
    },
}

/// A clock read from a file holding one RFC 3339 instant (`2026-03-02T10:00:00+08:00`,
/// surrounding whitespace ignored). Time stands still at that instant until the file
/// changes; the file is read again on every [`Clock::now`], so every process that names
/// the same file (`XIAOHAO_CLOCK_FILE`) sees the same time, and a test or a drill moves
/// them all forward by rewriting it (write a temporary file and rename it over, so no
/// reader sees half a line).
///
/// **A test and drill facility, never for production.** It is opened with
/// [`FileClock::open`], which refuses a missing or malformed file. Should the file later
/// become unreadable or malformed, the clock keeps the last instant it read — it never
/// falls back to wall time — and logs the error (once per distinct error).
#[derive(Debug)]
pub struct FileClock {
    path: PathBuf,
    state: Mutex<FileClockState>,
}

#[derive(Debug)]
struct FileClockState {
    last: DateTime<Utc>,
    /// The last error logged, so a persistent fault is logged once, not on every read.
    last_error: Option<String>,
}

impl FileClock {
    /// Open the clock file and read it once.
    ///
    /// # Errors
    /// `Io` when the file cannot be read, `Malformed` when it does not hold an instant.
    pub fn open(path: impl Into<PathBuf>) -> Result<FileClock, ClockError> {
        let path = path.into();
        let last = Self::read(&path)?;
        Ok(FileClock {
            path,
            state: Mutex::new(FileClockState {
                last,
                last_error: None,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The instant the file holds now.
    ///
    /// # Errors
    /// As [`FileClock::open`].
    pub fn read(path: &Path) -> Result<DateTime<Utc>, ClockError> {
        let text = std::fs::read_to_string(path).map_err(|source| ClockError::Io {
            path: path.to_owned(),
            source,
        })?;
        let content = text.trim();
        DateTime::parse_from_rfc3339(content)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|source| ClockError::Malformed {
                path: path.to_owned(),
                content: content.chars().take(80).collect(),
                source,
            })
    }

    /// Write `at` to `path` the way readers expect: a temporary file renamed over it.
    ///
    /// # Errors
    /// `Io` when writing or renaming fails.
    pub fn write(path: &Path, at: DateTime<Utc>) -> Result<(), ClockError> {
        let io = |source| ClockError::Io {
            path: path.to_owned(),
            source,
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, format!("{}\n", at.to_rfc3339())).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }
}

impl Clock for FileClock {
    fn now(&self) -> DateTime<Utc> {
        let read = Self::read(&self.path);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match read {
            Ok(t) => {
                state.last = t;
                state.last_error = None;
            }
            Err(e) => {
                let msg = e.to_string();
                if state.last_error.as_deref() != Some(msg.as_str()) {
                    tracing::error!(
                        "{msg}; the clock stays at {} until the file is fixed",
                        state.last.to_rfc3339()
                    );
                    state.last_error = Some(msg);
                }
            }
        }
        state.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xiaohao-clock-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("clock")
    }

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).single().unwrap()
    }

    #[test]
    fn it_reads_the_instant_and_follows_the_file() {
        let path = scratch();
        std::fs::write(&path, "  2026-03-02T10:00:00+08:00\n").unwrap();
        let clock = FileClock::open(&path).unwrap();
        assert_eq!(clock.now(), t(2));
        assert_eq!(clock.now(), t(2), "time stands still");
        FileClock::write(&path, t(5)).unwrap();
        assert_eq!(clock.now(), t(5));
        // A second clock on the same file (another process) sees the same instant.
        assert_eq!(FileClock::open(&path).unwrap().now(), t(5));
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_missing_or_malformed_file_is_refused_at_open() {
        let path = scratch();
        let err = FileClock::open(&path).unwrap_err();
        assert!(matches!(err, ClockError::Io { .. }), "{err}");
        assert!(err.to_string().contains("clock file"), "{err}");
        for bad in ["", "tomorrow", "2026-03-02", "2026-03-02 10:00:00"] {
            std::fs::write(&path, bad).unwrap();
            let err = FileClock::open(&path).unwrap_err();
            assert!(matches!(err, ClockError::Malformed { .. }), "{bad}: {err}");
            assert!(err.to_string().contains("RFC 3339"), "{err}");
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn a_file_broken_later_keeps_the_last_instant_never_wall_time() {
        let path = scratch();
        FileClock::write(&path, t(3)).unwrap();
        let clock = FileClock::open(&path).unwrap();
        std::fs::write(&path, "garbage").unwrap();
        assert_eq!(clock.now(), t(3));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(clock.now(), t(3));
        FileClock::write(&path, t(4)).unwrap();
        assert_eq!(clock.now(), t(4), "recovers when the file is fixed");
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
