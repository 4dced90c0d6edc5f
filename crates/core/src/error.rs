//! Domain errors: what the rules refuse, named precisely enough to show to a user.

use crate::state::{Action, ItemState};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// The action does not exist from the current state.
    #[error("action `{action}` is not allowed in state `{state}`; allowed: {}", list(.allowed))]
    InvalidTransition {
        state: ItemState,
        action: Action,
        allowed: Vec<Action>,
    },
    /// The action exists, but not for this actor.
    #[error("`{action}` in state `{state}` may only be done by {}; you act as {actor}", roles(.required))]
    NotPermitted {
        state: ItemState,
        action: Action,
        required: Vec<crate::state::Role>,
        actor: String,
    },
    /// An office power on an item another office keeps: an office acts with office powers
    /// only on items owned by its own unit or a unit below it.
    #[error(
        "`{action}` is an office power over the items an office keeps; this item is kept by an office outside the jurisdiction of {actor} (its own unit and the units below it)"
    )]
    OutsideJurisdiction { action: Action, actor: String },
    /// The unit that asked for closure can never verify it.
    #[error("the unit that requested closure cannot verify it; a different office must verify")]
    SelfVerification,
    /// A manual 督办 on an item already at the ladder's top step. Shown to users as is.
    #[error("该事项已处于督办最高一级（{step}），不能再升级督办")]
    LadderTop { level: i32, step: String },
    /// A new password breaks the password rule.
    #[error("password: {}", .0.message_zh())]
    WeakPassword(crate::password::PasswordRule),
    /// An uploaded file the rules do not take (too large, a kind not allowed, content and
    /// name disagreeing); `limit` names the rule (`max_bytes:…`, `types:…`).
    #[error("file: {message}")]
    FileRefused { message: String, limit: String },
    /// A required field is missing or malformed.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }

    /// The limit the input broke, when the rule names one.
    pub fn limit(&self) -> Option<String> {
        match self {
            Self::FileRefused { limit, .. } => Some(limit.clone()),
            Self::WeakPassword(rule) => Some(rule.limit()),
            _ => None,
        }
    }

    /// A stable machine-readable code for APIs and CLIs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::NotPermitted { .. } => "not_permitted",
            Self::OutsideJurisdiction { .. } => "outside_jurisdiction",
            Self::SelfVerification => "self_verification",
            Self::LadderTop { .. } => "escalation_at_top",
            Self::Invalid { .. } => "invalid_input",
            Self::WeakPassword(_) => "weak_password",
            Self::FileRefused { .. } => "file_refused",
        }
    }

    /// The input field at fault, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::WeakPassword(_) => Some("password"),
            Self::FileRefused { .. } => Some("file"),
            Self::InvalidTransition { .. }
            | Self::NotPermitted { .. }
            | Self::OutsideJurisdiction { .. } => Some("action"),
            Self::SelfVerification => Some("actor"),
            Self::LadderTop { .. } => Some("action"),
        }
    }
}

fn list(actions: &[Action]) -> String {
    if actions.is_empty() {
        return "none (final state)".to_owned();
    }
    actions
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn roles(roles: &[crate::state::Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}
