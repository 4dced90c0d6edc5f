//! What a countersigned statement freezes: its canonical content (header and lines as JSON
//! with sorted keys, times to the second), hashed with the previous statement's hash into
//! one chain of statements. `audit verify` rebuilds each content from the stored rows and
//! checks both the content and the links, so an edited statement or seal is found.

use super::{Header, Line};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The previous hash of the first seal.
pub const GENESIS: &str = "";

/// An instant as it is frozen: RFC 3339 in UTC, whole seconds.
pub fn canonical_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(canonical_time(t)))
}

/// The canonical content of a statement: one JSON text, keys sorted (as
/// `serde_json::Value` prints them), lines in order. The same rows give the same bytes.
pub fn canonical(header: &Header, lines: &[Line]) -> String {
    let mut lines: Vec<&Line> = lines.iter().collect();
    lines.sort_by_key(|l| l.seq);
    let lines: Vec<Value> = lines
        .into_iter()
        .map(|l| {
            json!({
                "seq": l.seq,
                "snapshot": l.snapshot,
                "verdict": l.verdict,
                "reason": l.reason,
                "note": l.note,
                "attachments": l.attachments,
                "marked_at": time(l.marked_at),
                "answer": l.answer,
                "answered_by": l.answered_by,
                "answered_at": time(l.answered_at),
                "after": l.after,
            })
        })
        .collect();
    json!({
        "statement": {
            "id": header.id,
            "unit": header.unit,
            "unit_name": header.unit_name,
            "cycle_key": header.cycle_key,
            "period_key": header.period_key,
            "title": header.title,
            "opens_on": header.opens_on,
            "due_on": header.due_on,
            "status": header.status,
            "signed_by": header.signed_by,
            "signed_at": time(header.signed_at),
            "countersigned_by": header.countersigned_by,
            "countersigned_unit": header.countersigned_unit,
            "countersigned_at": time(header.countersigned_at),
        },
        "lines": lines,
    })
    .to_string()
}

/// The hash of a seal: SHA-256 over the previous seal's hash and the content.
pub fn seal_hash(prev_hash: &str, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    hex::encode(h.finalize())
}

/// One frozen statement in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub seq: i64,
    pub statement_id: Uuid,
    pub prev_hash: String,
    pub hash: String,
    pub content: String,
}

/// The first seal that does not verify, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrokenSeal {
    pub seq: i64,
    pub statement_id: Uuid,
    pub reason: String,
}

/// Check one seal after `prev` (none for the first): its link, its hash, and that the
/// statement as stored now (`rebuilt`, the canonical content of its rows; `None` when the
/// rows are gone) is what was sealed.
///
/// # Errors
/// The broken seal.
pub fn verify_seal_chain(
    prev: Option<&Seal>,
    seal: &Seal,
    rebuilt: Option<&str>,
) -> Result<(), BrokenSeal> {
    let broken = |reason: String| BrokenSeal {
        seq: seal.seq,
        statement_id: seal.statement_id,
        reason,
    };
    let expected_prev = prev.map_or(GENESIS, |p| p.hash.as_str());
    let expected_seq = prev.map_or(1, |p| p.seq + 1);
    if seal.seq != expected_seq {
        return Err(broken(format!(
            "seal #{} follows #{}: a seal is missing",
            seal.seq,
            expected_seq - 1
        )));
    }
    if seal.prev_hash != expected_prev {
        return Err(broken("prev_hash does not match the previous seal".into()));
    }
    if seal_hash(&seal.prev_hash, &seal.content) != seal.hash {
        return Err(broken("the sealed content does not match its hash".into()));
    }
    match rebuilt {
        None => Err(broken("the sealed statement is missing".into())),
        Some(r) if r != seal.content => Err(broken(
            "the stored statement differs from what was sealed".into(),
        )),
        Some(_) => Ok(()),
    }
}
