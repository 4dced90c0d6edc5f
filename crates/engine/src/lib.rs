//! Xiaohao's services: they join the pure domain (`xiaohao_core`) and the store.
//!
//! Every state change enters here as a command, is decided by `core` and applied by the
//! store in one transaction. Time comes from an injected [`Clock`].

mod account_admin;
mod accounts;
pub mod attachments;
pub mod backup;
pub mod bulletin;
pub mod calendar;
pub mod clock;
pub mod config;
mod directory;
mod error;
mod escalate;
pub mod files;
pub mod ledger;
pub mod mail;
pub mod orders;
pub mod plan_import;
pub mod plan_review;
pub mod progress;
pub mod recon;
pub mod report;
pub mod requests;
mod resolve;
pub mod scheduler;
pub mod score;
mod service;
pub mod unit_channels;
pub mod unit_directory;
mod views;
pub mod workbench;
pub mod worklist;

pub use accounts::{
    ACCOUNT_DISABLED, API_TOKEN_DAYS, MIN_PASSWORD_CHARS, NewAccount, Principal, SESSION_DAYS,
    new_secret, token_hash,
};
pub use calendar::{load_policy, missing_years_notice};
pub use clock::{Clock, ClockError, FileClock, ManualClock, SystemClock};
pub use config::{MailSettings, MetricsSettings, Settings, SmtpSettings, TlsMode};
pub use error::EngineError;
pub use requests::{CommandRequest, ItemRequest, ReportRequest};
pub use scheduler::{Scheduler, TickReport};
pub use service::{Engine, ItemDetail, Outcome};
pub use views::{
    AuditStatus, Clocks, DelayRow, Duty, ItemView, LightCounts, Stats, StatsRow, Supervision,
    month_period,
};
