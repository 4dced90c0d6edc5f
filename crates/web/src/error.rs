//! The one place where failures become HTTP responses.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use xiaohao_core::DomainError;
use xiaohao_engine::EngineError;
use xiaohao_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// The limit the input broke, when the rule has a name (e.g. `min_chars:10`).
    pub limit: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            limit: None,
        }
    }

    /// Replace the machine code (a more precise one than the status's default).
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// A failure of ours (database, configuration): the detail goes to the log under a
    /// fresh error id, the caller gets a generic message carrying that id and nothing of
    /// the database's own text.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        let error_id = uuid::Uuid::new_v4().simple().to_string();
        tracing::error!(error_id = %error_id, error = %detail, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("系统内部错误，请稍后重试；如仍失败，请将错误编号 {error_id} 告知管理员。"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // 500s were logged with their error id where they were made (`internal`).
        if self.status.is_server_error() && self.status != StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let mut body =
            json!({ "error": { "code": self.code, "message": self.message, "field": self.field } });
        if let Some(limit) = self.limit {
            body["error"]["limit"] = json!(limit);
        }
        (self.status, Json(body)).into_response()
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        if let DomainError::WeakPassword(rule) = e {
            let mut out = Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "weak_password",
                rule.message_zh(),
            )
            .field("password");
            out.limit = Some(rule.limit());
            return out;
        }
        let limit = e.limit();
        let status = match &e {
            DomainError::InvalidTransition { .. } | DomainError::LadderTop { .. } => {
                StatusCode::CONFLICT
            }
            DomainError::NotPermitted { .. }
            | DomainError::OutsideJurisdiction { .. }
            | DomainError::SelfVerification => StatusCode::FORBIDDEN,
            DomainError::Invalid { .. }
            | DomainError::WeakPassword(_)
            | DomainError::FileRefused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let field = e.field().map(str::to_owned);
        ApiError {
            status,
            code: e.code(),
            message: e.to_string(),
            field,
            limit,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => {
                Self::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            StoreError::Conflict(m) => Self::new(StatusCode::CONFLICT, "version_conflict", m),
            StoreError::Duplicate { field, .. } => {
                Self::new(StatusCode::CONFLICT, "duplicate", e.to_string()).field(field)
            }
            StoreError::Invalid(d) => d.into(),
            StoreError::Corrupt(_) | StoreError::Db(_) => Self::internal(&e),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Domain(d) => d.into(),
            EngineError::Store(s) => s.into(),
            EngineError::Invalid { field, message } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                format!("{field}: {message}"),
            )
            .field(field),
            EngineError::Conflict(m) => {
                Self::new(StatusCode::CONFLICT, "version_conflict", m).field("version")
            }
            EngineError::Config(m) => Self::internal(&m),
            EngineError::Unauthorized(m) => Self::unauthorized(m),
            EngineError::Forbidden(m) => Self::forbidden(m),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let message = r.body_text();
        let field = field_from_serde_message(&message);
        let mut e = Self::new(r.status(), "bad_request", message);
        if r.status() == StatusCode::UNPROCESSABLE_ENTITY {
            e.status = StatusCode::BAD_REQUEST;
        }
        e.field = field;
        e
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let message = r.body_text();
        let field = field_from_serde_message(&message);
        let mut e = Self::new(StatusCode::BAD_REQUEST, "bad_request", message);
        e.field = field;
        e
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", r.body_text()).field("id")
    }
}

/// serde names the culprit as "missing field `x`", "unknown field `x`" or "x: invalid …".
fn field_from_serde_message(message: &str) -> Option<String> {
    for marker in ["missing field `", "unknown field `"] {
        if let Some(rest) = message.split(marker).nth(1) {
            return rest.split('`').next().map(str::to_owned);
        }
    }
    // "Failed to deserialize the JSON body into the target type: title: invalid type …"
    let tail = message.rsplit("target type: ").next()?;
    let (path, _) = tail.split_once(": ")?;
    if path
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '[' || c == ']')
    {
        Some(path.to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::field_from_serde_message;

    #[test]
    fn finds_the_field_in_serde_messages() {
        assert_eq!(
            field_from_serde_message("Failed to deserialize the JSON body into the target type: missing field `title` at line 1 column 2").as_deref(),
            Some("title")
        );
        assert_eq!(
            field_from_serde_message("Failed to deserialize the JSON body into the target type: percent: invalid type: string \"x\", expected i32 at line 1 column 20").as_deref(),
            Some("percent")
        );
        assert_eq!(field_from_serde_message("nothing here"), None);
    }
}
