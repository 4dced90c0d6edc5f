//! Notifications a decision yields. They become outbox rows in the same transaction as the
//! state change, so a reminder can never be lost or sent for a change that did not happen.

use crate::ids::{ItemId, UnitId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub recipient: UnitId,
    /// `assigned`, `returned`, `closure_requested`, `verified`, `rejected`, `escalation:督办` …
    pub kind: String,
    pub item: Option<ItemId>,
    /// Unique per message: a second enqueue of the same key is a no-op.
    pub dedupe_key: String,
    /// Urgent kinds bypass the daily digest.
    pub urgent: bool,
}
