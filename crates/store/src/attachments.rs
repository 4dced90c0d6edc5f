//! Evidence files at rest: the metadata row of each upload (the bytes are in the object
//! store, under their SHA-256), and the files the event log references, for
//! `audit verify --files`.

use crate::convert::event_from_row;
use crate::entities::{attachment, event};
use crate::{Store, StoreError, StoreResult};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;
use xiaohao_core::ItemId;
use xiaohao_core::attachment::{FileRef, StoredFile};
use xiaohao_core::event::EventKind;
use xiaohao_core::payload::Payload;

/// A file the event log references: which event, which file.
#[derive(Debug, Clone)]
pub struct ReferencedFile {
    pub item_id: ItemId,
    pub seq: i64,
    pub file: FileRef,
}

fn from_row(r: attachment::Model) -> StoreResult<StoredFile> {
    Ok(StoredFile {
        file: FileRef {
            id: r.id,
            name: r.name,
            sha256: r.sha256,
            size: u64::try_from(r.size)
                .map_err(|_| StoreError::Corrupt(format!("attachments.size {}", r.size)))?,
            content_type: r.content_type,
        },
        item_id: r.item_id.into(),
        uploaded_by_unit: r.uploaded_by_unit.into(),
        uploaded_by_account: r.uploaded_by_account,
        uploader_role: r
            .uploader_role
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("attachments.uploader_role: {e}")))?,
        at: r.created_at,
    })
}

impl Store {
    /// Record an upload (its bytes are already stored).
    ///
    /// # Errors
    /// On database failure (an unknown item or unit violates a foreign key).
    pub async fn insert_attachment(&self, f: &StoredFile) -> StoreResult<()> {
        attachment::Entity::insert(
            attachment::Model {
                id: f.file.id,
                item_id: f.item_id.0,
                sha256: f.file.sha256.clone(),
                name: f.file.name.clone(),
                size: i64::try_from(f.file.size)
                    .map_err(|_| StoreError::Corrupt(format!("size {}", f.file.size)))?,
                content_type: f.file.content_type.clone(),
                uploaded_by_unit: f.uploaded_by_unit.0,
                uploaded_by_account: f.uploaded_by_account,
                uploader_role: f.uploader_role.as_str().to_owned(),
                created_at: f.at,
            }
            .into_active_model(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// One upload.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    pub async fn attachment(&self, id: Uuid) -> StoreResult<StoredFile> {
        attachment::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::not_found("attachment", id))
            .and_then(from_row)
    }

    /// The uploads among `ids` (unknown ids are left out).
    ///
    /// # Errors
    /// On database failure.
    pub async fn attachments_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<StoredFile>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        attachment::Entity::find()
            .filter(attachment::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// The uploads on an item, oldest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn item_attachments(&self, item: ItemId) -> StoreResult<Vec<StoredFile>> {
        attachment::Entity::find()
            .filter(attachment::Column::ItemId.eq(item.0))
            .order_by_asc(attachment::Column::CreatedAt)
            .order_by_asc(attachment::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// Every upload, a page at a time (for `audit verify --files`).
    ///
    /// # Errors
    /// On database failure.
    pub async fn all_attachments(&self, page: u64, per_page: u64) -> StoreResult<Vec<StoredFile>> {
        attachment::Entity::find()
            .order_by_asc(attachment::Column::Id)
            .paginate(&self.db, per_page.max(1))
            .fetch_page(page)
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// The files the events of the kinds that carry them reference, a page at a time.
    ///
    /// # Errors
    /// On database failure or an unreadable payload.
    pub async fn referenced_files(
        &self,
        page: u64,
        per_page: u64,
    ) -> StoreResult<(Vec<ReferencedFile>, bool)> {
        let kinds =
            xiaohao_core::attachment::FILE_ACTIONS.map(|a| EventKind::Action(a).to_string());
        let rows = event::Entity::find()
            .filter(event::Column::Kind.is_in(kinds))
            .filter(event::Column::Payload.contains("sha256"))
            .order_by_asc(event::Column::ItemId)
            .order_by_asc(event::Column::Seq)
            .paginate(&self.db, per_page.max(1))
            .fetch_page(page)
            .await?;
        let more = rows.len() as u64 == per_page.max(1);
        let mut out = Vec::new();
        for row in rows {
            let e = event_from_row(row)?;
            let payload = Payload::parse(e.kind, &e.payload).map_err(|err| {
                StoreError::Corrupt(format!("event {}#{}: {err}", e.item_id, e.seq))
            })?;
            out.extend(payload.files().into_iter().map(|f| ReferencedFile {
                item_id: e.item_id,
                seq: e.seq,
                file: f.clone(),
            }));
        }
        Ok((out, more))
    }
}
