//! 通报 as a document, the engine's side: an office (or 督查室) drafts the bulletin of a
//! quarter or a year from the figures of the items it keeps, edits 标题, 主送, 下一步工作要求
//! and 联系人, and issues it: the next 文号 of its year is assigned, the document frozen and
//! sealed in the chain `audit verify` checks. An issued bulletin is read from its frozen
//! copy, never recomposed, so later changes to the ledger never alter it.

mod facts;

pub use facts::period_keys;

use crate::report::{Bulletin, Period};
use crate::{Engine, EngineError, Principal};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;
use xiaohao_core::bulletin::seal::{self, BrokenSeal};
use xiaohao_core::bulletin::{
    self as rules, Document, Edits, Facts, Status, check_edits, compose, default_edits, text,
};
use xiaohao_core::{AccountRole, Jurisdiction, UnitId};
use xiaohao_store::{
    BulletinSummary, IssueRequest, Issued, NewBulletin, StoreError, StoredBulletin,
};

/// A bulletin as its reader sees it: the stored row, the document, and what the reader
/// may do.
#[derive(Debug, Clone, Serialize)]
pub struct BulletinView {
    #[serde(flatten)]
    pub stored: StoredBulletin,
    pub document: Document,
    pub can_edit: bool,
}

/// The office's edits, as they arrive from a form or a client.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    pub title: String,
    pub recipients: String,
    pub requirements: String,
    #[serde(default)]
    pub contact: String,
    pub doc_prefix: String,
    /// The version the edits were made on; refused if the draft changed since.
    pub version: Option<i64>,
}

fn not_found(id: Uuid) -> EngineError {
    StoreError::NotFound {
        what: "bulletin",
        key: id.to_string(),
    }
    .into()
}

/// The offices whose bulletins `who` manages and whose items its bulletins cover
/// (`None`: every office and item).
fn jurisdiction_units(who: &Principal) -> Option<BTreeSet<UnitId>> {
    match (&who.role(), &who.actor.jurisdiction) {
        (AccountRole::Admin | AccountRole::Supervision, _) | (_, Jurisdiction::All) => None,
        (_, Jurisdiction::Units(units)) => Some(units.clone()),
        (_, Jurisdiction::OwnUnit) => Some(BTreeSet::from([who.user.unit])),
    }
}

fn may_manage(who: &Principal, office: UnitId) -> bool {
    rules::may_manage(who.role(), &who.actor.jurisdiction, who.actor.unit, office)
}

/// Whether an issued bulletin names `unit` (as a unit with figures or a lagging item's lead).
fn names_unit(facts: &Facts, unit: UnitId) -> bool {
    facts.units.iter().any(|u| u.unit == Some(unit))
        || facts.lagging.iter().any(|l| l.lead == Some(unit))
}

fn document_of(b: &StoredBulletin) -> Result<Document, EngineError> {
    match (&b.status, &b.document) {
        (Status::Issued, Some(d)) => serde_json::from_str(d).map_err(|e| {
            EngineError::Store(StoreError::Corrupt(format!("bulletins.document: {e}")))
        }),
        _ => Ok(compose(&b.facts, &b.edits, &b.office_name, None, None)),
    }
}

impl Engine {
    /// Draft the bulletin of `period` in the name of `who`'s unit, from the figures of the
    /// items it keeps (督查室 and administrators: every item).
    ///
    /// # Errors
    /// `Forbidden` for units and leaders; on store failure.
    pub async fn draft_bulletin(
        &self,
        who: &Principal,
        period: &Period,
    ) -> Result<BulletinView, EngineError> {
        if !rules::may_draft(who.role()) {
            return Err(EngineError::Forbidden(
                "只有工作专班办公室和督查室可以起草通报".into(),
            ));
        }
        if period.from > self.today() {
            return Err(EngineError::invalid(
                "period",
                format!("{}尚未开始，不能起草通报", period.title_zh()),
            ));
        }
        let office = who.user.unit;
        let office_name = self.unit(office).await?.name;
        let owners = jurisdiction_units(who);
        let (facts, figures) = self.bulletin_facts(period, owners.as_ref()).await?;
        let prefix = self
            .store()
            .last_doc_prefix(office)
            .await?
            .unwrap_or_else(|| office_name.clone());
        let new = NewBulletin {
            id: Uuid::now_v7(),
            office,
            office_name,
            edits: default_edits(&facts, &prefix),
            facts,
            figures: serde_json::to_string(&figures)
                .map_err(|e| EngineError::Config(format!("bulletin figures: {e}")))?,
            created_by: who.user.display_name.clone(),
            at: self.now(),
        };
        self.store().insert_bulletin(&new).await?;
        self.bulletin_for(who, new.id).await
    }

    /// Bulletins `who` may read: an office's own (and those of the offices below it), all
    /// for 督查室 and administrators, issued ones naming the unit for a unit.
    ///
    /// # Errors
    /// On store failure.
    pub async fn bulletins_for(
        &self,
        who: &Principal,
        limit: u64,
    ) -> Result<Vec<BulletinSummary>, EngineError> {
        match who.role() {
            AccountRole::Admin | AccountRole::Supervision => {
                Ok(self.store().bulletins(None, None, limit).await?)
            }
            AccountRole::Office => {
                let offices: Vec<UnitId> = jurisdiction_units(who)
                    .map(|o| o.into_iter().collect())
                    .unwrap_or_else(|| vec![who.user.unit]);
                Ok(self.store().bulletins(Some(&offices), None, limit).await?)
            }
            AccountRole::Unit => {
                let issued = self
                    .store()
                    .bulletins(None, Some(Status::Issued), limit)
                    .await?;
                let mut out = Vec::new();
                for s in issued {
                    let b = self.store().bulletin(s.id).await?;
                    if names_unit(&b.facts, who.user.unit) {
                        out.push(s);
                    }
                }
                Ok(out)
            }
            AccountRole::Leader => Ok(Vec::new()),
        }
    }

    async fn readable_bulletin(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<StoredBulletin, EngineError> {
        let b = match self.store().bulletin(id).await {
            Ok(b) => b,
            Err(StoreError::NotFound { .. }) => return Err(not_found(id)),
            Err(e) => return Err(e.into()),
        };
        let readable = match who.role() {
            AccountRole::Admin | AccountRole::Supervision => true,
            AccountRole::Office => may_manage(who, b.office),
            AccountRole::Unit => b.status == Status::Issued && names_unit(&b.facts, who.user.unit),
            AccountRole::Leader => false,
        };
        if readable { Ok(b) } else { Err(not_found(id)) }
    }

    /// One bulletin with its document: a draft composed from its frozen figures and the
    /// current edits, an issued one read from its frozen copy.
    ///
    /// # Errors
    /// `Store(NotFound)` outside the reader's scope, as for a missing id.
    pub async fn bulletin_for(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<BulletinView, EngineError> {
        let b = self.readable_bulletin(who, id).await?;
        Ok(BulletinView {
            document: document_of(&b)?,
            can_edit: b.status == Status::Draft && may_manage(who, b.office),
            stored: b,
        })
    }

    /// The figures sheet a bulletin was drafted from (the .xlsx download).
    ///
    /// # Errors
    /// As [`Engine::bulletin_for`].
    pub async fn bulletin_figures(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<Bulletin, EngineError> {
        let b = self.readable_bulletin(who, id).await?;
        serde_json::from_str(&b.figures)
            .map_err(|e| EngineError::Store(StoreError::Corrupt(format!("bulletins.figures: {e}"))))
    }

    async fn manageable(
        &self,
        who: &Principal,
        id: Uuid,
        version: Option<i64>,
    ) -> Result<StoredBulletin, EngineError> {
        let b = self.readable_bulletin(who, id).await?;
        if !may_manage(who, b.office) {
            return Err(EngineError::Forbidden(
                "只有发文单位可以修改或印发该通报".into(),
            ));
        }
        if b.status != Status::Draft {
            return Err(EngineError::Conflict("该通报已印发，不能再修改".into()));
        }
        if version.is_some_and(|v| v != b.version) {
            return Err(EngineError::Conflict(
                "通报已被他人修改，请刷新后重试".into(),
            ));
        }
        Ok(b)
    }

    /// Edit a draft's 标题, 主送, 下一步工作要求, 联系人 and 机关代字.
    ///
    /// # Errors
    /// `Invalid` naming the field; `Forbidden` outside the issuing office; `Conflict` once
    /// issued or on a stale version.
    pub async fn edit_bulletin(
        &self,
        who: &Principal,
        id: Uuid,
        req: &EditRequest,
    ) -> Result<BulletinView, EngineError> {
        let edits = check_edits(&Edits {
            title: req.title.clone(),
            recipients: req.recipients.clone(),
            requirements: req.requirements.clone(),
            contact: req.contact.clone(),
            doc_prefix: req.doc_prefix.clone(),
        })
        .map_err(|(field, message)| EngineError::invalid(field, message))?;
        let b = self.manageable(who, id, req.version).await?;
        self.store()
            .save_bulletin_edits(id, b.version, &edits, self.now())
            .await?;
        self.bulletin_for(who, id).await
    }

    /// Issue a draft: the next 文号 of the office's year, today's date, the document frozen
    /// and sealed. Returns the issued bulletin.
    ///
    /// # Errors
    /// As [`Engine::edit_bulletin`].
    pub async fn issue_bulletin(
        &self,
        who: &Principal,
        id: Uuid,
        version: Option<i64>,
    ) -> Result<BulletinView, EngineError> {
        let mut attempt = 0;
        loop {
            let b = self.manageable(who, id, version).await?;
            let today = self.today();
            let year = today.year();
            let (facts, edits, issuer) = (b.facts.clone(), b.edits.clone(), b.office_name.clone());
            let make = move |n: u32| {
                let number = text::doc_number(&edits.doc_prefix, year, n);
                let doc = compose(&facts, &edits, &issuer, Some(number.clone()), Some(today));
                Issued {
                    doc_number: number,
                    document: seal::canonical(&doc),
                }
            };
            let req = IssueRequest {
                id,
                version: b.version,
                year,
                by: &who.user.display_name,
                at: self.now(),
                on: today,
            };
            match self.store().issue_bulletin(&req, make).await {
                // Another bulletin took the number or the chain's place: read again.
                Err(StoreError::Conflict(_)) if attempt < 5 && version.is_none() => attempt += 1,
                Err(e) => return Err(e.into()),
                Ok(_) => return self.bulletin_for(who, id).await,
            }
        }
    }

    /// The document of `period`'s figures without storing anything (the CLI's `--docx`):
    /// over the items kept by `office` and the units below it (`None`: every item), in its
    /// name (`None`: 工作专班办公室), unnumbered and undated.
    ///
    /// # Errors
    /// On store failure.
    pub async fn bulletin_preview(
        &self,
        period: &Period,
        office: Option<UnitId>,
    ) -> Result<Document, EngineError> {
        let (owners, issuer) = match office {
            Some(u) => {
                let parents = self.store().unit_parents().await?;
                let owners = match Jurisdiction::office(u, &parents) {
                    Jurisdiction::Units(units) => Some(units),
                    _ => None,
                };
                (owners, self.unit(u).await?.name)
            }
            None => (None, "工作专班办公室".to_owned()),
        };
        let (facts, _) = self.bulletin_facts(period, owners.as_ref()).await?;
        let edits = default_edits(&facts, &issuer);
        Ok(compose(&facts, &edits, &issuer, None, None))
    }

    /// Check the chain of issued bulletins: `(seals checked, first broken seal)`.
    ///
    /// # Errors
    /// On store failure.
    pub async fn verify_bulletin_seals(&self) -> Result<(u64, Option<BrokenSeal>), EngineError> {
        Ok(self.store().verify_bulletin_seals().await?)
    }
}
