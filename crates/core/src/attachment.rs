//! Evidence files (佐证材料) on an item: which files are taken (kinds told from the bytes,
//! a size limit, a clean name), who may attach and read them (the item's scope; a unit
//! never reads another unit's file), and how a command references them — by id, each a
//! file of this item uploaded by the acting unit, its SHA-256 carried into the event's
//! payload so that the hash chain covers the bytes.

mod kind;
mod name;

pub use kind::{FileKind, Seen};
pub use name::{MAX_NAME_CHARS, clean_name};

use crate::access::{AccountRole, Scope};
use crate::command::Command;
use crate::error::DomainError;
use crate::ids::{ItemId, UnitId};
use crate::item::Item;
use crate::validate;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The default size limit: 20 MB.
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// A stored file as an event names it: enough to find the bytes (`sha256`, the key they
/// are stored under) and to show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub id: Uuid,
    pub name: String,
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
}

/// One attachment of a report, closure request or extension request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Attachment {
    /// A stored file.
    File(FileRef),
    /// A name typed as text: what events written before files were stored carry.
    Named(String),
}

impl Attachment {
    pub fn name(&self) -> &str {
        match self {
            Self::File(f) => &f.name,
            Self::Named(n) => n,
        }
    }

    pub fn file(&self) -> Option<&FileRef> {
        match self {
            Self::File(f) => Some(f),
            Self::Named(_) => None,
        }
    }
}

impl From<&str> for Attachment {
    fn from(name: &str) -> Self {
        Self::Named(name.to_owned())
    }
}

/// The names of attachments, for a timeline line.
pub fn names(list: &[Attachment]) -> String {
    list.iter()
        .map(Attachment::name)
        .collect::<Vec<_>>()
        .join("、")
}

/// A file as kept beside the item: who uploaded it, in which role, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    pub file: FileRef,
    pub item_id: ItemId,
    pub uploaded_by_unit: UnitId,
    pub uploaded_by_account: Option<Uuid>,
    pub uploader_role: AccountRole,
    pub at: DateTime<Utc>,
}

/// Which files are taken: kinds and size. Built from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRules {
    pub max_bytes: u64,
    pub kinds: Vec<FileKind>,
}

impl Default for FileRules {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            kinds: FileKind::ALL.to_vec(),
        }
    }
}

/// A file the rules took: its clean name, kind, hash and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub name: String,
    pub kind: FileKind,
    pub sha256: String,
    pub size: u64,
}

impl FileRules {
    /// Rules from configured names (`pdf`, `jpeg`, `docx` … or extensions).
    ///
    /// # Errors
    /// Naming the unknown type, or a zero size limit.
    pub fn new(max_bytes: u64, types: &[String]) -> Result<Self, String> {
        if max_bytes == 0 {
            return Err("files.max_bytes must be above 0".into());
        }
        let mut kinds = Vec::new();
        for t in types {
            let k: FileKind = t.parse()?;
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        if kinds.is_empty() {
            return Err("files.types is empty: no file could be attached".into());
        }
        Ok(Self { max_bytes, kinds })
    }

    /// `max_bytes:20971520`: the limit a refusal names.
    pub fn size_limit(&self) -> String {
        format!("max_bytes:{}", self.max_bytes)
    }

    /// `types:pdf,jpeg,…`.
    pub fn type_limit(&self) -> String {
        format!(
            "types:{}",
            self.kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(",")
        )
    }

    fn allowed_labels(&self) -> String {
        self.kinds
            .iter()
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join("、")
    }

    /// Refuse a file of `size` bytes above the limit (checked while the upload streams).
    ///
    /// # Errors
    /// `FileRefused` naming the limit.
    pub fn check_size(&self, size: u64) -> Result<(), DomainError> {
        if size > self.max_bytes {
            return Err(DomainError::FileRefused {
                message: format!("文件超过大小上限（{}）", human_size(self.max_bytes)),
                limit: self.size_limit(),
            });
        }
        Ok(())
    }

    /// Take a file: size, kind from the bytes (the name's extension must agree; a name
    /// without one gets the kind's), clean name, SHA-256.
    ///
    /// # Errors
    /// `FileRefused` (too large, empty, a kind not allowed, content and name disagreeing).
    pub fn admit(&self, raw_name: &str, bytes: &[u8]) -> Result<Admitted, DomainError> {
        let size = bytes.len() as u64;
        self.check_size(size)?;
        let refuse = |detail: String| DomainError::FileRefused {
            message: format!(
                "文件类型不在允许范围内（允许：{}）；{detail}",
                self.allowed_labels()
            ),
            limit: self.type_limit(),
        };
        if bytes.is_empty() {
            return Err(refuse("文件为空".into()));
        }
        let seen = Seen::of(bytes);
        let mut name = clean_name(raw_name);
        let ext = name::extension(&name);
        let kind = match ext.as_deref() {
            Some(ext) => FileKind::by_extension(ext).ok_or_else(|| {
                refuse(format!(
                    "扩展名 .{ext} 不在允许之列，文件内容识别为{}",
                    seen.describe()
                ))
            })?,
            None => FileKind::of_seen(seen)
                .ok_or_else(|| refuse(format!("文件内容识别为{}", seen.describe())))?,
        };
        if !kind.accepts(seen) {
            return Err(refuse(format!(
                "文件内容识别为{}，与扩展名 .{} 不符",
                seen.describe(),
                ext.as_deref().unwrap_or(kind.extensions()[0])
            )));
        }
        if !self.kinds.contains(&kind) {
            return Err(refuse(format!("{} 文件不在允许之列", kind.label())));
        }
        if ext.is_none() {
            name = format!("{name}.{}", kind.extensions()[0]);
        }
        Ok(Admitted {
            name,
            kind,
            sha256: sha256_hex(bytes),
            size,
        })
    }
}

/// The lowercase hex SHA-256 of `bytes`: the key a file is stored under.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{bytes} 字节")
    }
}

/// Who may attach a file to the item: whoever may read it (a unit: only items it leads or
/// co-handles; an office: those it keeps or follows).
pub fn may_attach(scope: &Scope, item: &Item) -> bool {
    scope.admits(item)
}

/// Who may read a stored file: whoever may read its item — except that a unit never reads
/// a file another unit uploaded (an office's or a leader's file it may).
pub fn may_read(
    scope: &Scope,
    role: AccountRole,
    unit: UnitId,
    item: &Item,
    file: &StoredFile,
) -> bool {
    file.item_id == item.id
        && scope.admits(item)
        && (role != AccountRole::Unit
            || file.uploader_role != AccountRole::Unit
            || file.uploaded_by_unit == unit)
}

/// The files a command of `actor_unit` on `item` references by id: each must be a file of
/// this item uploaded by the acting unit, at most [`validate::MAX_ATTACHMENTS`], none twice.
/// An unknown id and another unit's file are refused alike.
///
/// # Errors
/// `Invalid` on `attachments`.
pub fn referable(
    item: ItemId,
    actor_unit: Option<UnitId>,
    ids: &[Uuid],
    found: &[StoredFile],
) -> Result<Vec<Attachment>, DomainError> {
    if ids.len() > validate::MAX_ATTACHMENTS {
        return Err(DomainError::invalid(
            "attachments",
            format!(
                "最多 {max} 项（现有 {} 项） (at most {max} entries)",
                ids.len(),
                max = validate::MAX_ATTACHMENTS
            ),
        ));
    }
    let mut out: Vec<Attachment> = Vec::with_capacity(ids.len());
    for id in ids {
        let file = found
            .iter()
            .find(|f| f.file.id == *id)
            .filter(|f| f.item_id == item && Some(f.uploaded_by_unit) == actor_unit)
            .ok_or_else(|| {
                DomainError::invalid(
                    "attachments",
                    format!("附件 {id} 不存在，或不是本单位在本事项上传的文件"),
                )
            })?;
        if out.iter().any(|a| a.file().is_some_and(|f| f.id == *id)) {
            return Err(DomainError::invalid(
                "attachments",
                format!("附件 {id} 重复引用"),
            ));
        }
        out.push(Attachment::File(file.file.clone()));
    }
    Ok(out)
}

/// The actions whose events carry files (their payloads name each file's SHA-256): what
/// `audit verify --files` reads.
pub const FILE_ACTIONS: [crate::state::Action; 5] = [
    crate::state::Action::Report,
    crate::state::Action::RequestClosure,
    crate::state::Action::RequestExtension,
    crate::state::Action::AnswerOrder,
    crate::state::Action::AnswerInstruction,
];

/// Put referenced files on the command that carries them (report, 申请销号, 申请延期,
/// 督办回复, 回复批示).
///
/// # Errors
/// `Invalid` on `attachments` when the command takes no files.
pub fn attach(command: &mut Command, files: Vec<Attachment>) -> Result<(), DomainError> {
    if files.is_empty() {
        return Ok(());
    }
    let list = match command {
        Command::Report { report } => &mut report.attachments,
        Command::RequestClosure { attachments, .. }
        | Command::RequestExtension { attachments, .. }
        | Command::AnswerOrder { attachments, .. }
        | Command::AnswerInstruction { attachments, .. } => attachments,
        other => {
            return Err(DomainError::invalid(
                "attachments",
                format!(
                    "`{}` takes no files; files go with report, request_closure, request_extension, answer_order and answer_instruction",
                    other.action().as_str()
                ),
            ));
        }
    };
    list.extend(files);
    Ok(())
}

/// The attachments of a command as the rules take them: at most
/// [`validate::MAX_ATTACHMENTS`], typed names within their length, no file twice.
///
/// # Errors
/// `Invalid` on `attachments`.
pub fn check_list(list: &[Attachment]) -> Result<(), DomainError> {
    if list.len() > validate::MAX_ATTACHMENTS {
        return Err(DomainError::invalid(
            "attachments",
            format!(
                "最多 {max} 项（现有 {} 项） (at most {max} entries)",
                list.len(),
                max = validate::MAX_ATTACHMENTS
            ),
        ));
    }
    for a in list {
        if let Attachment::Named(n) = a {
            validate::check(validate::ATTACHMENT, n)?;
        }
    }
    let mut ids: Vec<Uuid> = list.iter().filter_map(|a| a.file().map(|f| f.id)).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != n {
        return Err(DomainError::invalid("attachments", "同一附件重复引用"));
    }
    Ok(())
}

/// Trim typed names; files stay as stored.
pub fn trimmed(list: &[Attachment]) -> Vec<Attachment> {
    list.iter()
        .map(|a| match a {
            Attachment::Named(n) => Attachment::Named(n.trim().to_owned()),
            file => file.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
