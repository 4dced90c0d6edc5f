//! Reminder e-mail: the outbox worker, its transports, zh-CN templates and the daily digest.
//!
//! The store writes an outbox row in the same transaction as every change that yields a
//! notification. [`MailWorker`] claims due rows (with a lease), renders them outside any
//! state-change transaction, sends them through lettre (SMTP, or `.eml` files when no SMTP
//! server is configured) and marks them sent, or schedules a retry with exponential back-off
//! until the row is `dead`.
//!
//! Delivery is at-least-once: a worker that dies after the server accepted a message and
//! before it recorded that fact leaves the row claimed; when the lease ends the row is sent
//! again. The `Message-ID` is derived from the dedupe key, so that one duplicate carries the
//! same id as the first copy and mail clients can collapse it.

mod render;
pub mod robot;
mod templates;
mod transport;
mod worker;

pub use render::Entry;
pub use templates::Templates;
pub use transport::Transport;
pub use worker::{Claim, DrainReport, MailWorker, message_id_for};

use thiserror::Error;
use xiaohao_store::StoreError;

/// What can go wrong while delivering mail.
#[derive(Debug, Error)]
pub enum MailError {
    #[error("mail configuration: {0}")]
    Config(String),
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    /// A message that can never be sent as it is (no address, a malformed address):
    /// the row goes `dead` at once.
    #[error("cannot address the message: {0}")]
    Unaddressable(String),
    /// The server refused or the connection failed; worth another attempt.
    #[error("sending failed: {0}")]
    Send(String),
    #[error("sending timed out after {0} s")]
    Timeout(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl MailError {
    /// Errors that another attempt cannot fix.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Unaddressable(_) | Self::Template { .. })
    }
}
