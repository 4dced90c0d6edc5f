//! What issuing freezes: the document as canonical JSON (keys sorted, as
//! `serde_json::Value` prints them), hashed with the previous issued bulletin's hash into
//! one chain of bulletins (the same hash rule as the 对账单 seals). `audit verify` checks
//! every link, every hash, and that the stored copy is still what was sealed.

use super::Document;
use crate::recon::{GENESIS, seal_hash};
use serde::Serialize;
use uuid::Uuid;

/// The canonical content of an issued document: the same document gives the same bytes.
pub fn canonical(doc: &Document) -> String {
    // Through `Value`, whose maps are sorted, so field order never changes the bytes.
    serde_json::to_value(doc)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// The hash of a seal after `prev_hash` (empty for the first).
pub fn hash(prev_hash: &str, content: &str) -> String {
    seal_hash(prev_hash, content)
}

/// The previous hash of the first seal.
pub const FIRST: &str = GENESIS;

/// One issued bulletin in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub seq: i64,
    pub bulletin_id: Uuid,
    pub prev_hash: String,
    pub hash: String,
    pub content: String,
}

/// The first seal that does not verify, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenSeal {
    pub seq: i64,
    pub bulletin_id: Uuid,
    pub reason: String,
}

/// Check one seal after `prev` (none for the first): its place, its link, its hash, and
/// that the stored copy (`stored`; `None` when the bulletin is gone) is what was sealed.
///
/// # Errors
/// The broken seal.
pub fn verify(prev: Option<&Seal>, seal: &Seal, stored: Option<&str>) -> Result<(), BrokenSeal> {
    let broken = |reason: &str| BrokenSeal {
        seq: seal.seq,
        bulletin_id: seal.bulletin_id,
        reason: reason.to_owned(),
    };
    let expected_seq = prev.map_or(1, |p| p.seq + 1);
    if seal.seq != expected_seq {
        return Err(broken("a bulletin seal is missing before this one"));
    }
    if seal.prev_hash != prev.map_or(FIRST, |p| p.hash.as_str()) {
        return Err(broken("prev_hash does not match the previous seal"));
    }
    if hash(&seal.prev_hash, &seal.content) != seal.hash {
        return Err(broken("the sealed content does not match its hash"));
    }
    match stored {
        None => Err(broken("the issued bulletin is missing")),
        Some(s) if s != seal.content => {
            Err(broken("the stored bulletin differs from what was sealed"))
        }
        Some(_) => Ok(()),
    }
}
