//! Files on an item page: the forms that carry them (反馈进展, 申请销号, 申请延期, 回复批示,
//! and the 督办回复 on the order page) post
//! `multipart/form-data` here — each file is taken by the engine first (the rules decide,
//! the bytes are stored), then the action references the new ids — and the timeline links
//! each event's files (images and PDF open in the browser, the rest download).

use super::{ActForm, act};
use crate::api::parse_item_id;
use crate::attachments::{Parts, check_multipart, read_parts};
use crate::auth::PageAuth;
use crate::pages::{PageError, PageResult};
use crate::{ApiError, AppState};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use std::collections::HashSet;
use uuid::Uuid;
use xiaohao_core::ItemId;
use xiaohao_core::attachment::{FileKind, FileRef};
use xiaohao_core::payload::Payload;
use xiaohao_engine::{Engine, EngineError, Principal};

/// A file in the timeline.
pub struct FileLink {
    pub name: String,
    /// `/api/attachments/<id>`, or empty when the reader may not open it (another unit's).
    pub href: String,
    /// Opens in the browser (images, PDF).
    pub inline: bool,
    pub size: String,
}

/// The ids of the item's files the reader may open.
pub(crate) async fn readable(
    engine: &Engine,
    p: &Principal,
    item: ItemId,
) -> Result<HashSet<Uuid>, EngineError> {
    Ok(engine
        .attachments(p, item)
        .await?
        .into_iter()
        .map(|f| f.file.id)
        .collect())
}

fn size_zh(bytes: u64) -> String {
    const KB: u64 = 1024;
    if bytes >= KB * KB && bytes.is_multiple_of(KB * KB) {
        format!("{} MB", bytes / (KB * KB))
    } else if bytes >= KB * KB {
        format!("{:.1} MB", bytes as f64 / (KB * KB) as f64)
    } else {
        format!("{} KB", bytes.div_ceil(KB))
    }
}

/// A stored file as a link: empty `href` when the reader may not open it.
pub(crate) fn link(f: &FileRef, readable: &HashSet<Uuid>) -> FileLink {
    FileLink {
        name: f.name.clone(),
        href: if readable.contains(&f.id) {
            format!("/api/attachments/{}", f.id)
        } else {
            String::new()
        },
        inline: FileKind::by_mime(&f.content_type).is_some_and(FileKind::inline),
        size: size_zh(f.size),
    }
}

/// The event's files as links.
pub(super) fn links(payload: &Payload, readable: &HashSet<Uuid>) -> Vec<FileLink> {
    payload
        .files()
        .into_iter()
        .map(|f| link(f, readable))
        .collect()
}

/// What the file inputs take, from the configured rules.
pub(crate) fn hint(engine: &Engine) -> String {
    let Ok(files) = engine.files() else {
        return String::new();
    };
    let rules = files.rules();
    let kinds: Vec<&str> = rules.kinds.iter().map(|k| k.label()).collect();
    format!(
        "（可选，可多选；{}，单个不超过 {}）",
        kinds.join("、"),
        size_zh(rules.max_bytes)
    )
}

impl ActForm {
    fn from_parts(parts: &Parts) -> ActForm {
        let get = |k: &str| parts.get(k);
        ActForm {
            action: get("action").unwrap_or_default(),
            version: get("version").and_then(|v| v.trim().parse().ok()),
            reason: get("reason"),
            evidence: get("evidence"),
            comment: get("comment"),
            period: get("period"),
            text: get("text"),
            percent: get("percent"),
            to: get("to"),
            lead_unit: get("lead_unit"),
            deadline: get("deadline"),
            by: get("by"),
            order: get("order"),
        }
    }
}

fn back_with(id: ItemId, e: ApiError) -> PageResult {
    if e.status == StatusCode::NOT_FOUND {
        return Err(PageError(e));
    }
    let target = format!("/items/{id}?{}", crate::flash::error_query(&e));
    Ok(Redirect::to(&target).into_response())
}

/// The forms with files post here: files first (field `files`), then the action.
pub(in crate::pages) async fn item_act_files(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    headers: HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let id = parse_item_id(&raw)?;
    state.engine.visible_item(&p, id).await?;
    check_multipart(&headers)?;
    let Ok(mp) = mp else {
        return back_with(
            id,
            ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "multipart").field("file"),
        );
    };
    let rules = state.engine.files()?.rules().clone();
    let parts = match read_parts(mp, &rules, "files").await {
        Ok(parts) => parts,
        Err(e) => return back_with(id, e),
    };
    let form = ActForm::from_parts(&parts);
    if !matches!(
        form.action.as_str(),
        "report" | "request_closure" | "request_extension" | "answer_order" | "answer_instruction"
    ) && !parts.files.is_empty()
    {
        return back_with(
            id,
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "attachments",
            )
            .field("attachments"),
        );
    }
    let mut ids = Vec::with_capacity(parts.files.len());
    for f in parts.files {
        match state.engine.upload(&p, id, &f.name, f.bytes).await {
            Ok(file) => ids.push(file.id.to_string()),
            Err(e) => return back_with(id, ApiError::from(e)),
        }
    }
    act(&state, &p, id, form, ids).await
}
