//! Evidence files over HTTP: upload (`multipart/form-data`, field `file`), list, download.
//!
//! Uploads are read a chunk at a time and refused (422, naming `file` and the limit) as
//! soon as a file passes the size limit; the rest of the request is read and thrown away
//! so the client hears the answer. These routes sit outside the 2 MB body limit of the
//! rest of the application, under a limit of their own ([`body_limit`]).

use crate::api::ErrorBody;
use crate::auth::Auth;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xiaohao_core::attachment::{FileKind, FileRules, StoredFile};
use xiaohao_core::validate::MAX_ATTACHMENTS;

/// The API's routes for files (mounted outside the general body limit).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_attachments, upload))
        .routes(routes!(download))
}

/// The largest request these routes read: a few files at the limit, and the form around
/// them. Past it the connection is cut.
pub fn body_limit(rules: &FileRules) -> usize {
    usize::try_from(rules.max_bytes.saturating_mul(4))
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024)
}

/// An uploaded file as the API answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentBody {
    pub id: uuid::Uuid,
    /// Lowercase hex SHA-256 of the bytes: what the events that reference the file carry.
    pub sha256: String,
    /// The name as kept (path, control characters removed).
    pub name: String,
    pub size: u64,
    /// Told from the bytes, not taken from the client.
    pub content_type: String,
}

/// A file on an item, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentEntry {
    pub id: uuid::Uuid,
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    pub uploaded_by_unit: uuid::Uuid,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
}

impl From<&StoredFile> for AttachmentEntry {
    fn from(f: &StoredFile) -> Self {
        Self {
            id: f.file.id,
            sha256: f.file.sha256.clone(),
            name: f.file.name.clone(),
            size: f.file.size,
            content_type: f.file.content_type.clone(),
            uploaded_by_unit: f.uploaded_by_unit.0,
            uploaded_at: f.at,
        }
    }
}

/// One file of a multipart request.
pub(crate) struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A multipart request read: its text fields and its files.
#[derive(Default)]
pub(crate) struct Parts {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl Parts {
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// The longest text field of a multipart form.
const MAX_FIELD_BYTES: usize = 256 * 1024;

fn not_multipart() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the file as multipart/form-data, in the field `file`",
    )
}

/// Whether the request says it is `multipart/form-data` (else 415 before reading).
pub(crate) fn check_multipart(headers: &HeaderMap) -> Result<(), ApiError> {
    let ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if ok { Ok(()) } else { Err(not_multipart()) }
}

fn broken(e: &axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let mut err = ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "请求过大，已中止读取",
        )
        .field("file");
        err.limit = Some("request".into());
        return err;
    }
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()).field("file")
}

/// Read a multipart request: text fields (bounded), and the files of `file_field`, each
/// refused past the rules' size limit while it streams. A refusal is answered after the
/// rest of the request has been read and dropped.
pub(crate) async fn read_parts(
    mut mp: Multipart,
    rules: &FileRules,
    file_field: &str,
) -> Result<Parts, ApiError> {
    let mut out = Parts::default();
    let mut refusal: Option<ApiError> = None;
    while let Some(mut field) = mp.next_field().await.map_err(|e| broken(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut bytes: Vec<u8> = Vec::new();
            let mut size: u64 = 0;
            let mut over = refusal.is_some();
            while let Some(chunk) = field.chunk().await.map_err(|e| broken(&e))? {
                size += chunk.len() as u64;
                if over {
                    continue;
                }
                if let Err(e) = rules.check_size(size) {
                    refusal = Some(ApiError::from(e));
                    over = true;
                    bytes = Vec::new();
                    continue;
                }
                bytes.extend_from_slice(&chunk);
            }
            // A file input left empty still sends a part, without a name or bytes.
            if over || (file_name.is_empty() && bytes.is_empty()) {
                continue;
            }
            if out.files.len() >= MAX_ATTACHMENTS {
                refusal.get_or_insert_with(|| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_input",
                        format!("attachments: 最多 {MAX_ATTACHMENTS} 个文件"),
                    )
                    .field("attachments")
                });
                continue;
            }
            out.files.push(Upload {
                name: file_name,
                bytes,
            });
        } else {
            let mut text: Vec<u8> = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| broken(&e))? {
                if text.len() + chunk.len() > MAX_FIELD_BYTES {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_input",
                        format!("{name}: too long"),
                    )
                    .field(name));
                }
                text.extend_from_slice(&chunk);
            }
            out.fields
                .push((name, String::from_utf8_lossy(&text).into_owned()));
        }
    }
    match refusal {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

fn rules_of(state: &AppState) -> Result<FileRules, ApiError> {
    Ok(state.engine.files()?.rules().clone())
}

/// Attach a file to an item (`multipart/form-data`, field `file`). The kind is told from
/// the bytes (PDF, JPEG/PNG/GIF/WebP, DOCX/XLSX/DOC/XLS/WPS, ZIP by default), the name
/// cleaned, the size bounded (20 MB by default); a refusal is 422 naming `file` and the
/// limit (`max_bytes:…`, `types:…`). Reference the returned id in `attachments` of a
/// report, `request_closure` or `request_extension`.
#[utoipa::path(post, path = "/api/items/{id}/attachments", params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", content = Object, description = "field `file`: the file"),
    responses((status = 201, body = AttachmentBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    let id = crate::api::item_id(path)?;
    check_multipart(&headers)?;
    let mp = mp.map_err(|_| not_multipart())?;
    // Out of scope is 404 before a byte of the file is read.
    state.engine.visible_item(&p, id).await?;
    let rules = rules_of(&state)?;
    let mut parts = read_parts(mp, &rules, "file").await?;
    if parts.files.len() != 1 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "file: send exactly one file in the field `file`",
        )
        .field("file"));
    }
    let f = parts.files.remove(0);
    let stored = state.engine.upload(&p, id, &f.name, f.bytes).await?;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentBody {
            id: stored.id,
            sha256: stored.sha256,
            name: stored.name,
            size: stored.size,
            content_type: stored.content_type,
        }),
    )
        .into_response())
}

/// The files on an item the caller may read (a unit: its own uploads and the office's).
#[utoipa::path(get, path = "/api/items/{id}/attachments", params(("id" = String, Path)),
    responses((status = 200, body = Vec<AttachmentEntry>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_attachments(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<AttachmentEntry>>, ApiError> {
    let id = crate::api::item_id(path)?;
    let files = state.engine.attachments(&p, id).await?;
    Ok(Json(files.iter().map(AttachmentEntry::from).collect()))
}

/// The bytes of a file, with its content type; images and PDF inline (previewed in the
/// browser), other kinds as a download. A file the caller may not read is 404, exactly as
/// an id that does not exist.
#[utoipa::path(get, path = "/api/attachments/{id}", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", description = "the file"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn download(
    State(state): State<AppState>,
    Auth(p): Auth,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(raw) = path?;
    let id: uuid::Uuid = raw.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!(
                "`{}` is not an attachment id",
                raw.chars().take(40).collect::<String>()
            ),
        )
        .field("id")
    })?;
    let (file, bytes) = state.engine.attachment(&p, id).await?;
    Ok(file_response(&file, bytes))
}

/// RFC 5987 `attr-char`: everything else in `filename*` is percent-encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `inline` (images, PDF) or `attachment`, with an ASCII `filename` for old clients and
/// the real name as `filename*=UTF-8''…`.
pub(crate) fn content_disposition(name: &str, inline: bool) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        utf8_percent_encode(name, ATTR_CHAR)
    )
}

fn file_response(file: &StoredFile, bytes: Vec<u8>) -> Response {
    let kind = FileKind::by_mime(&file.file.content_type);
    let inline = kind.is_some_and(FileKind::inline);
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.file.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&file.file.name, inline)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=0, must-revalidate"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn names_travel_as_rfc_5987() {
        assert_eq!(
            content_disposition("办结报告 (定稿).pdf", true),
            "inline; filename=\"____ (__).pdf\"; filename*=UTF-8''%E5%8A%9E%E7%BB%93%E6%8A%A5%E5%91%8A%20%28%E5%AE%9A%E7%A8%BF%29.pdf"
        );
        assert!(
            content_disposition("a\"b.zip", false).starts_with("attachment; filename=\"a_b.zip\"")
        );
    }
}
