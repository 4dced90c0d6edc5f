//! 通报 at rest: drafts (figures frozen at drafting, the office's edits under a version
//! check), issuing (the next 文号 of the office's year, the frozen document and its seal in
//! one transaction), lists, the 对账 counts a bulletin cites, and the verification of the
//! chain of seals.

mod rows;

use crate::recon::rows::{line, statement};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use rows::{bulletin, seal};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr,
};
use serde::Serialize;
use std::collections::BTreeSet;
use uuid::Uuid;
use xiaohao_core::UnitId;
use xiaohao_core::bulletin::seal::{self as chain, BrokenSeal, Seal};
use xiaohao_core::bulletin::{Edits, Facts, PeriodKind, ReconCounts, Status};
use xiaohao_core::recon::Status as StatementStatus;

/// A draft to store.
#[derive(Debug, Clone)]
pub struct NewBulletin {
    pub id: Uuid,
    pub office: UnitId,
    pub office_name: String,
    pub facts: Facts,
    /// JSON of the figures sheet.
    pub figures: String,
    pub edits: Edits,
    pub created_by: String,
    pub at: DateTime<Utc>,
}

/// A bulletin as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredBulletin {
    pub id: Uuid,
    pub office: UnitId,
    pub office_name: String,
    pub status: Status,
    pub version: i64,
    pub facts: Facts,
    #[serde(skip)]
    pub figures: String,
    pub edits: Edits,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub doc_number: Option<String>,
    pub issued_by: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub issued_on: Option<NaiveDate>,
    /// The frozen document (canonical JSON) once issued.
    pub document: Option<String>,
    pub content_hash: Option<String>,
}

/// A bulletin in a list.
#[derive(Debug, Clone, Serialize)]
pub struct BulletinSummary {
    pub id: Uuid,
    pub office: UnitId,
    pub office_name: String,
    pub kind: PeriodKind,
    pub period_label: String,
    pub title: String,
    pub status: Status,
    pub doc_number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// An issue as the engine asks for it: which draft at which version, in which year's
/// numbering, by whom, when.
#[derive(Debug, Clone)]
pub struct IssueRequest<'a> {
    pub id: Uuid,
    pub version: i64,
    pub year: i32,
    pub by: &'a str,
    pub at: DateTime<Utc>,
    pub on: NaiveDate,
}

/// What an issue writes, decided by the caller once the 文号's sequence is known.
#[derive(Debug, Clone)]
pub struct Issued {
    pub doc_number: String,
    /// The canonical document.
    pub document: String,
}

fn json<T: Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("bulletin json: {e}")))
}

fn corrupt(e: String) -> StoreError {
    StoreError::Corrupt(e)
}

fn stored(r: bulletin::Model) -> StoreResult<StoredBulletin> {
    Ok(StoredBulletin {
        id: r.id,
        office: UnitId(r.office_id),
        office_name: r.office_name,
        status: r.status.parse().map_err(corrupt)?,
        version: r.version,
        facts: serde_json::from_str(&r.facts)
            .map_err(|e| StoreError::Corrupt(format!("bulletins.facts: {e}")))?,
        figures: r.figures,
        edits: Edits {
            title: r.title,
            recipients: r.recipients,
            requirements: r.requirements,
            contact: r.contact,
            doc_prefix: r.doc_prefix,
        },
        created_by: r.created_by,
        created_at: r.created_at,
        updated_at: r.updated_at,
        doc_number: r.doc_number,
        issued_by: r.issued_by,
        issued_at: r.issued_at,
        issued_on: r.issued_on,
        document: r.document,
        content_hash: r.content_hash,
    })
}

impl Store {
    /// Store a new draft.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_bulletin(&self, b: &NewBulletin) -> StoreResult<()> {
        let row = bulletin::Model {
            id: b.id,
            office_id: b.office.0,
            office_name: b.office_name.chars().take(200).collect(),
            kind: b.facts.kind.as_str().to_owned(),
            period_label: b.facts.period_label.clone(),
            period_from: b.facts.from,
            period_to: b.facts.to,
            status: Status::Draft.as_str().to_owned(),
            version: 1,
            facts: json(&b.facts)?,
            figures: b.figures.clone(),
            title: b.edits.title.clone(),
            recipients: b.edits.recipients.clone(),
            requirements: b.edits.requirements.clone(),
            contact: b.edits.contact.clone(),
            doc_prefix: b.edits.doc_prefix.clone(),
            created_by: b.created_by.chars().take(200).collect(),
            created_at: b.at,
            updated_at: b.at,
            issued_year: None,
            issued_seq: None,
            doc_number: None,
            issued_by: None,
            issued_at: None,
            issued_on: None,
            document: None,
            content_hash: None,
        };
        bulletin::Entity::insert(row.into_active_model())
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// One bulletin.
    ///
    /// # Errors
    /// `NotFound`; on database failure or an unreadable row.
    pub async fn bulletin(&self, id: Uuid) -> StoreResult<StoredBulletin> {
        let row = bulletin::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found("bulletin", id))?;
        stored(row)
    }

    /// Bulletins of these offices (`None`: all), newest first.
    ///
    /// # Errors
    /// On database failure or an unreadable row.
    pub async fn bulletins(
        &self,
        offices: Option<&[UnitId]>,
        status: Option<Status>,
        limit: u64,
    ) -> StoreResult<Vec<BulletinSummary>> {
        let mut q = bulletin::Entity::find();
        if let Some(o) = offices {
            q = q.filter(bulletin::Column::OfficeId.is_in(o.iter().map(|u| u.0)));
        }
        if let Some(s) = status {
            q = q.filter(bulletin::Column::Status.eq(s.as_str()));
        }
        q.order_by_desc(bulletin::Column::CreatedAt)
            .order_by_desc(bulletin::Column::Id)
            .limit(crate::page_limit(limit))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| {
                Ok(BulletinSummary {
                    id: r.id,
                    office: UnitId(r.office_id),
                    office_name: r.office_name,
                    kind: r.kind.parse().map_err(corrupt)?,
                    period_label: r.period_label,
                    title: r.title,
                    status: r.status.parse().map_err(corrupt)?,
                    doc_number: r.doc_number,
                    issued_on: r.issued_on,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    /// The 机关代字 the office used last, for its next draft.
    ///
    /// # Errors
    /// On database failure.
    pub async fn last_doc_prefix(&self, office: UnitId) -> StoreResult<Option<String>> {
        Ok(bulletin::Entity::find()
            .select_only()
            .column(bulletin::Column::DocPrefix)
            .filter(bulletin::Column::OfficeId.eq(office.0))
            .order_by_desc(bulletin::Column::CreatedAt)
            .into_tuple::<String>()
            .one(&self.db)
            .await?)
    }

    /// Save the office's edits on a draft still at `version`.
    ///
    /// # Errors
    /// `Conflict` when the bulletin changed or was issued since it was read.
    pub async fn save_bulletin_edits(
        &self,
        id: Uuid,
        version: i64,
        e: &Edits,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let res = bulletin::Entity::update_many()
            .col_expr(bulletin::Column::Title, Expr::value(e.title.clone()))
            .col_expr(
                bulletin::Column::Recipients,
                Expr::value(e.recipients.clone()),
            )
            .col_expr(
                bulletin::Column::Requirements,
                Expr::value(e.requirements.clone()),
            )
            .col_expr(bulletin::Column::Contact, Expr::value(e.contact.clone()))
            .col_expr(
                bulletin::Column::DocPrefix,
                Expr::value(e.doc_prefix.clone()),
            )
            .col_expr(bulletin::Column::UpdatedAt, Expr::value(at))
            .col_expr(
                bulletin::Column::Version,
                Expr::col(bulletin::Column::Version).add(1),
            )
            .filter(bulletin::Column::Id.eq(id))
            .filter(bulletin::Column::Version.eq(version))
            .filter(bulletin::Column::Status.eq(Status::Draft.as_str()))
            .exec(&self.db)
            .await?;
        if res.rows_affected == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict(
                "通报已被他人修改或已印发，请刷新后重试".into(),
            ))
        }
    }

    /// Issue a draft still at `req.version`: the next number of the office's `year` (1 for the
    /// first, never a gap), the document `make` writes for that number, frozen and sealed
    /// after the last seal — all in one transaction. Returns the number and the seal's hash.
    ///
    /// # Errors
    /// `Conflict` when the draft changed since it was read, or another issue took the same
    /// number or place in the chain first (retry); on database failure.
    pub async fn issue_bulletin(
        &self,
        req: &IssueRequest<'_>,
        make: impl FnOnce(u32) -> Issued,
    ) -> StoreResult<(String, String)> {
        let IssueRequest {
            id,
            version,
            year,
            by,
            at,
            on,
        } = *req;
        let txn = self.begin_write().await?;
        let row = bulletin::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found("bulletin", id))?;
        let last: Option<Option<i32>> = bulletin::Entity::find()
            .select_only()
            .column_as(bulletin::Column::IssuedSeq.max(), "n")
            .filter(bulletin::Column::OfficeId.eq(row.office_id))
            .filter(bulletin::Column::IssuedYear.eq(year))
            .into_tuple::<Option<i32>>()
            .one(&txn)
            .await?;
        let seq = last.flatten().unwrap_or(0) + 1;
        let issued = make(u32::try_from(seq).unwrap_or(1));
        let res = bulletin::Entity::update_many()
            .col_expr(
                bulletin::Column::Status,
                Expr::value(Status::Issued.as_str()),
            )
            .col_expr(bulletin::Column::IssuedYear, Expr::value(year))
            .col_expr(bulletin::Column::IssuedSeq, Expr::value(seq))
            .col_expr(
                bulletin::Column::DocNumber,
                Expr::value(issued.doc_number.clone()),
            )
            .col_expr(bulletin::Column::IssuedBy, Expr::value(by.to_owned()))
            .col_expr(bulletin::Column::IssuedAt, Expr::value(at))
            .col_expr(bulletin::Column::IssuedOn, Expr::value(on))
            .col_expr(
                bulletin::Column::Document,
                Expr::value(issued.document.clone()),
            )
            .col_expr(bulletin::Column::UpdatedAt, Expr::value(at))
            .col_expr(
                bulletin::Column::Version,
                Expr::col(bulletin::Column::Version).add(1),
            )
            .filter(bulletin::Column::Id.eq(id))
            .filter(bulletin::Column::Version.eq(version))
            .filter(bulletin::Column::Status.eq(Status::Draft.as_str()))
            .exec(&txn)
            .await;
        let raced = |e: sea_orm::DbErr| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                StoreError::Conflict("另一份通报同时印发，请重试".into())
            }
            _ => StoreError::Db(e),
        };
        if res.map_err(raced)?.rows_affected != 1 {
            return Err(StoreError::Conflict(
                "通报已被他人修改或已印发，请刷新后重试".into(),
            ));
        }
        let last_seal = seal::Entity::find()
            .order_by_desc(seal::Column::Seq)
            .one(&txn)
            .await?;
        let (seal_seq, prev) = match &last_seal {
            Some(s) => (s.seq + 1, s.hash.clone()),
            None => (1, chain::FIRST.to_owned()),
        };
        let hash = chain::hash(&prev, &issued.document);
        seal::Entity::insert(
            seal::Model {
                seq: seal_seq,
                bulletin_id: id,
                prev_hash: prev,
                hash: hash.clone(),
                content: issued.document,
                sealed_at: at,
            }
            .into_active_model(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(raced)?;
        bulletin::Entity::update_many()
            .col_expr(bulletin::Column::ContentHash, Expr::value(hash.clone()))
            .filter(bulletin::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok((issued.doc_number, hash))
    }

    /// Check the chain of issued bulletins: each link, each hash, and that each stored copy
    /// is what was sealed. Returns how many seals were checked and the first broken one.
    ///
    /// # Errors
    /// On database failure.
    pub async fn verify_bulletin_seals(&self) -> StoreResult<(u64, Option<BrokenSeal>)> {
        let mut checked = 0u64;
        let mut prev: Option<Seal> = None;
        let mut pages = seal::Entity::find()
            .order_by_asc(seal::Column::Seq)
            .paginate(&self.db, 200);
        while let Some(page) = pages.fetch_and_next().await? {
            for s in page {
                let seal = Seal {
                    seq: s.seq,
                    bulletin_id: s.bulletin_id,
                    prev_hash: s.prev_hash,
                    hash: s.hash,
                    content: s.content,
                };
                let stored: Option<String> = bulletin::Entity::find_by_id(seal.bulletin_id)
                    .select_only()
                    .column(bulletin::Column::Document)
                    .into_tuple::<Option<String>>()
                    .one(&self.db)
                    .await?
                    .map(Option::unwrap_or_default);
                checked += 1;
                if let Err(b) = chain::verify(prev.as_ref(), &seal, stored.as_deref()) {
                    return Ok((checked, Some(b)));
                }
                prev = Some(seal);
            }
        }
        Ok((checked, None))
    }

    /// 对账单 of the periods `period_keys` (`2026-10`, `2026-Q4`, …), of statements holding a
    /// line kept by one of `owners` (`None`: all): how many, how far they got, and the units
    /// still to sign.
    ///
    /// # Errors
    /// On database failure.
    pub async fn statement_counts(
        &self,
        period_keys: &[String],
        owners: Option<&[UnitId]>,
    ) -> StoreResult<ReconCounts> {
        let mut q = statement::Entity::find()
            .select_only()
            .column(statement::Column::UnitName)
            .column(statement::Column::Status)
            .filter(statement::Column::PeriodKey.is_in(period_keys.iter().cloned()));
        if let Some(o) = owners {
            let kept = Query::select()
                .column(line::Column::StatementId)
                .from(line::Entity)
                .and_where(line::Column::OwnerUnitId.is_in(o.iter().map(|u| u.0)))
                .to_owned();
            q = q.filter(statement::Column::Id.in_subquery(kept));
        }
        let rows = q.into_tuple::<(String, String)>().all(&self.db).await?;
        let mut out = ReconCounts::default();
        let mut unsigned = BTreeSet::new();
        for (unit, status) in rows {
            out.statements += 1;
            match status.parse::<StatementStatus>().map_err(corrupt)? {
                StatementStatus::Countersigned => out.countersigned += 1,
                StatementStatus::Signed => out.signed += 1,
                StatementStatus::Open => {
                    unsigned.insert(unit);
                }
            }
        }
        out.unsigned_units = unsigned.into_iter().collect();
        Ok(out)
    }
}
