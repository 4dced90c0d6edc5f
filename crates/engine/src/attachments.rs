//! Evidence files through the engine: upload (the rules take the file, its bytes go to the
//! file store under their hash, a row records who uploaded what on which item), lists
//! and downloads within the reader's scope (anything else is `NotFound`, exactly as a
//! missing id), and the check of every stored file against its hash.

use crate::files::FileState;
use crate::{Engine, EngineError, Principal};
use serde::Serialize;
use uuid::Uuid;
use xiaohao_core::ItemId;
use xiaohao_core::attachment::{self, FileRef, StoredFile};
use xiaohao_store::StoreError;

/// A stored file that does not match the log or the upload record.
#[derive(Debug, Clone, Serialize)]
pub struct FileProblem {
    pub sha256: String,
    /// A name it was uploaded or referenced under.
    pub name: String,
    pub item_id: ItemId,
    /// The event that references it, when one does.
    pub event_seq: Option<i64>,
    pub state: FileState,
}

/// What `audit verify --files` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileAudit {
    /// Distinct stored files checked.
    pub files: u64,
    /// References from events checked.
    pub references: u64,
    pub problems: Vec<FileProblem>,
}

const PAGE: u64 = 500;

fn not_found(id: Uuid) -> EngineError {
    StoreError::NotFound {
        what: "attachment",
        key: id.to_string(),
    }
    .into()
}

impl Engine {
    /// Take a file on an item the principal may read: the rules decide (size, kind from the
    /// bytes, clean name), the bytes go to the file store, a row records the upload.
    ///
    /// # Errors
    /// `NotFound` for an item out of scope; `Domain(FileRefused)`; `Config` when the file
    /// store fails.
    #[tracing::instrument(name = "upload", skip_all, fields(item = %item, user = %who.user.username))]
    pub async fn upload(
        &self,
        who: &Principal,
        item: ItemId,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<FileRef, EngineError> {
        let it = self.visible_item(who, item).await?;
        if !attachment::may_attach(&who.scope, &it) {
            return Err(StoreError::NotFound {
                what: "item",
                key: item.to_string(),
            }
            .into());
        }
        let files = self.files()?;
        let took = files.rules().admit(name, &bytes)?;
        files.put(&took.sha256, bytes).await?;
        let stored = StoredFile {
            file: FileRef {
                id: Uuid::now_v7(),
                name: took.name,
                sha256: took.sha256,
                size: took.size,
                content_type: took.kind.mime().to_owned(),
            },
            item_id: item,
            uploaded_by_unit: who.user.unit,
            uploaded_by_account: Some(who.user.id),
            uploader_role: who.role(),
            at: self.now(),
        };
        self.store().insert_attachment(&stored).await?;
        Ok(stored.file)
    }

    /// The files on an item the principal may read (a unit: its own and the office's).
    ///
    /// # Errors
    /// `NotFound` for an item out of scope.
    pub async fn attachments(
        &self,
        who: &Principal,
        item: ItemId,
    ) -> Result<Vec<StoredFile>, EngineError> {
        let it = self.visible_item(who, item).await?;
        Ok(self
            .store()
            .item_attachments(item)
            .await?
            .into_iter()
            .filter(|f| attachment::may_read(&who.scope, who.role(), who.user.unit, &it, f))
            .collect())
    }

    /// One file with its bytes, if the principal may read it; otherwise `NotFound`,
    /// exactly as for an id that does not exist.
    ///
    /// # Errors
    /// `NotFound`; `Config` when the file store fails.
    pub async fn attachment(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<(StoredFile, Vec<u8>), EngineError> {
        let file = self.store().attachment(id).await?;
        let it = self
            .visible_item(who, file.item_id)
            .await
            .map_err(|_| not_found(id))?;
        if !attachment::may_read(&who.scope, who.role(), who.user.unit, &it, &file) {
            return Err(not_found(id));
        }
        let bytes = self.files()?.get(&file.file.sha256).await?;
        Ok((file, bytes))
    }

    /// Check every stored file: each referenced by an event (its hash is in the chain) and
    /// each uploaded, against the bytes kept under its hash.
    ///
    /// # Errors
    /// On store failure or a file store that cannot be read.
    pub async fn verify_files(&self) -> Result<FileAudit, EngineError> {
        let files = self.files()?;
        let mut audit = FileAudit::default();
        let mut seen = std::collections::HashMap::<String, FileState>::new();
        let mut page = 0;
        loop {
            let (refs, more) = self.store().referenced_files(page, PAGE).await?;
            for r in refs {
                audit.references += 1;
                let state = match seen.get(&r.file.sha256) {
                    Some(s) => s.clone(),
                    None => {
                        let s = files.check(&r.file.sha256).await?;
                        seen.insert(r.file.sha256.clone(), s.clone());
                        s
                    }
                };
                if state != FileState::Intact {
                    audit.problems.push(FileProblem {
                        sha256: r.file.sha256,
                        name: r.file.name,
                        item_id: r.item_id,
                        event_seq: Some(r.seq),
                        state,
                    });
                }
            }
            if !more {
                break;
            }
            page += 1;
        }
        let mut page = 0;
        loop {
            let rows = self.store().all_attachments(page, PAGE).await?;
            let n = rows.len() as u64;
            for f in rows {
                if seen.contains_key(&f.file.sha256) {
                    continue;
                }
                let state = files.check(&f.file.sha256).await?;
                seen.insert(f.file.sha256.clone(), state.clone());
                if state != FileState::Intact {
                    audit.problems.push(FileProblem {
                        sha256: f.file.sha256,
                        name: f.file.name,
                        item_id: f.item_id,
                        event_seq: None,
                        state,
                    });
                }
            }
            if n < PAGE {
                break;
            }
            page += 1;
        }
        audit.files = seen.len() as u64;
        Ok(audit)
    }
}
