//! The append-only event log. Each event stores the hash of the one before it, so an
//! auditor can prove that nobody edited or removed an event after the fact.

use crate::ids::{ItemId, UnitId};
use crate::payload::Payload;
use crate::state::{Action, ItemState};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// What an event records: the filing of an item, one of the actions of the transition
/// table, or a step of the ladder on one of the item's reporting duties. Stored (and
/// hashed) as its name: `create`, `verify`, `duty_escalated` …
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Create,
    Action(Action),
    DutyEscalated,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Action(a) => a.as_str(),
            Self::DutyEscalated => "duty_escalated",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "create" => Ok(Self::Create),
            "duty_escalated" => Ok(Self::DutyEscalated),
            other => other
                .parse::<Action>()
                .map(Self::Action)
                .map_err(|_| format!("unknown event kind `{other}`")),
        }
    }
}

impl PartialEq<&str> for EventKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The `prev_hash` of an item's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it gets its place (seq, prev hash) in the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventDraft {
    pub kind: EventKind,
    pub from_state: Option<ItemState>,
    pub to_state: ItemState,
    pub actor_unit: Option<UnitId>,
    pub actor_role: String,
    pub actor_name: String,
    /// What the event says beyond its kind (reason, evidence, report …).
    pub payload: Payload,
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub item_id: ItemId,
    pub seq: i64,
    pub kind: EventKind,
    pub from_state: Option<ItemState>,
    pub to_state: ItemState,
    pub actor_unit: Option<UnitId>,
    pub actor_role: String,
    pub actor_name: String,
    pub payload: String,
    pub at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hashed fields, in a fixed order. Changing this struct invalidates every stored chain.
#[derive(Serialize)]
struct Hashed<'a> {
    item_id: &'a ItemId,
    seq: i64,
    kind: &'a str,
    from_state: Option<&'a str>,
    to_state: &'a str,
    actor_unit: Option<&'a UnitId>,
    actor_role: &'a str,
    actor_name: &'a str,
    payload: &'a str,
    at: String,
    prev_hash: &'a str,
}

impl Event {
    /// Place a draft after `prev` (or first in the chain) and compute its hash.
    pub fn chain(
        item_id: ItemId,
        draft: EventDraft,
        at: DateTime<Utc>,
        prev: Option<(i64, &str)>,
    ) -> Event {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let mut event = Event {
            item_id,
            seq,
            kind: draft.kind,
            from_state: draft.from_state,
            to_state: draft.to_state,
            actor_unit: draft.actor_unit,
            actor_role: draft.actor_role,
            actor_name: draft.actor_name,
            payload: draft.payload.to_json(),
            at: truncate_to_micros(at),
            prev_hash,
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        event
    }

    /// The payload, typed by the event's kind.
    ///
    /// # Errors
    /// When the stored text is not what the kind writes.
    pub fn details(&self) -> Result<Payload, serde_json::Error> {
        Payload::parse(self.kind, &self.payload)
    }

    /// Recompute the hash from the stored fields.
    pub fn compute_hash(&self) -> String {
        let hashed = Hashed {
            item_id: &self.item_id,
            seq: self.seq,
            kind: self.kind.as_str(),
            from_state: self.from_state.map(ItemState::as_str),
            to_state: self.to_state.as_str(),
            actor_unit: self.actor_unit.as_ref(),
            actor_role: &self.actor_role,
            actor_name: &self.actor_name,
            payload: &self.payload,
            at: self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            prev_hash: &self.prev_hash,
        };
        // Serialising a plain struct of strings cannot fail.
        let bytes = serde_json::to_vec(&hashed).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}

/// Databases keep microseconds; hash what will be read back.
pub fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = at.timestamp_subsec_nanos();
    at - chrono::Duration::nanoseconds(i64::from(nanos % 1_000))
}

/// Where a chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub item_id: ItemId,
    pub seq: i64,
    pub reason: String,
}

/// Check one item's events, given in `seq` order. Returns the first broken link.
pub fn verify_chain(events: &[Event]) -> Result<(), BrokenLink> {
    let mut expected_prev = GENESIS_HASH.to_owned();
    for (i, e) in events.iter().enumerate() {
        let expected_seq = i64::try_from(i).unwrap_or(i64::MAX) + 1;
        let broken = |reason: String| BrokenLink {
            item_id: e.item_id,
            seq: e.seq,
            reason,
        };
        if e.seq != expected_seq {
            return Err(broken(format!(
                "sequence gap: expected seq {expected_seq}, found {}",
                e.seq
            )));
        }
        if e.prev_hash != expected_prev {
            return Err(broken(
                "prev_hash does not match the previous event's hash".into(),
            ));
        }
        let recomputed = e.compute_hash();
        if recomputed != e.hash {
            return Err(broken(
                "stored hash does not match the event's content (edited?)".into(),
            ));
        }
        expected_prev = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn draft(kind: &str) -> EventDraft {
        EventDraft {
            kind: kind.parse().unwrap(),
            from_state: None,
            to_state: ItemState::Draft,
            actor_unit: None,
            actor_role: "office".into(),
            actor_name: "专班".into(),
            payload: crate::payload::Payload::Accepted,
        }
    }

    #[test]
    fn chain_verifies_and_detects_edits() {
        let item = ItemId::new();
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let e1 = Event::chain(item, draft("create"), at, None);
        let e2 = Event::chain(item, draft("assign"), at, Some((e1.seq, &e1.hash)));
        assert_eq!(e2.seq, 2);
        assert!(verify_chain(&[e1.clone(), e2.clone()]).is_ok());

        let mut edited = e2.clone();
        edited.payload = r#"{"reason":"changed"}"#.into();
        let err = verify_chain(&[e1.clone(), edited]).unwrap_err();
        assert_eq!(err.seq, 2);

        let err = verify_chain(&[e2]).unwrap_err();
        assert!(err.reason.contains("sequence"));
    }

    #[test]
    fn nanoseconds_are_dropped_before_hashing() {
        let at = Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(truncate_to_micros(at).timestamp_subsec_nanos(), 123_456_000);
    }
}
