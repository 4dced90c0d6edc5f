//! 延期申请: the lead unit of a running item asks the office for a new deadline, with a
//! reason and its files, on or before the due date (unless the policy allows it later);
//! the office that keeps the item grants it — the deadline and due date move as with
//! 调整时限, so the ladder starts again from the new date — or refuses it with a reason.
//! At most one request waits per item (`Item::extension_requested`).

use crate::command::{Command, required};
use crate::error::DomainError;
use crate::ids::UnitId;
use crate::item::Item;
use crate::notify::Notification;
use crate::payload::{ExtensionApproved, ExtensionRefused, ExtensionRequested, Payload, date_zh};
use crate::policy::Policy;
use crate::validate;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The policy's rules for 延期申请 (`[extension]` in the configuration).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExtensionRules {
    /// Whether a lead unit may still ask once the due date has passed. Off by default: an
    /// extension is asked for in time, not to excuse a delay.
    pub allow_after_due: bool,
}

impl Policy {
    /// The guard of 延期申请 that needs the policy: the request comes on or before the due
    /// date, by the local date of `now`, unless `allow_after_due`.
    ///
    /// # Errors
    /// `Invalid` naming `due_on` when the due date has passed.
    pub fn admit_extension(
        &self,
        item: &Item,
        command: &Command,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        if !matches!(command, Command::RequestExtension { .. }) || self.extension.allow_after_due {
            return Ok(());
        }
        let today = self.local_date(now);
        match item.due_on.or(item.deadline) {
            Some(due) if today > due => Err(DomainError::invalid(
                "due_on",
                format!(
                    "an extension must be asked on or before the due date ({due}); today is {today} (extension.allow_after_due is off)"
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// The due date an extension moves from: the due date, else the deadline.
fn current_due(item: &Item) -> Option<NaiveDate> {
    item.due_on.or(item.deadline)
}

fn tell(item: &Item, next: &Item, recipient: Option<UnitId>, kind: &str) -> Vec<Notification> {
    recipient
        .map(|r| Notification {
            recipient: r,
            kind: kind.to_owned(),
            item: Some(item.id),
            dedupe_key: format!("{}:{kind}:v{}:{r}", item.id, next.version),
            urgent: false,
        })
        .into_iter()
        .collect()
}

fn pending(item: &Item) -> Result<NaiveDate, DomainError> {
    item.extension_requested.ok_or_else(|| {
        DomainError::invalid(
            "extension",
            "no extension request (延期申请) is waiting for an answer on this item",
        )
    })
}

/// Decide a 延期申请 command (the transition table and roles are already checked): the
/// payload, with `next` changed and the notifications to send.
pub(crate) fn decide_extension(
    item: &Item,
    command: &Command,
    next: &mut Item,
) -> Result<(Payload, Vec<Notification>), DomainError> {
    match command {
        Command::RequestExtension {
            deadline,
            reason,
            attachments,
        } => {
            if let Some(asked) = item.extension_requested {
                return Err(DomainError::invalid(
                    "extension",
                    format!(
                        "an extension request (to {asked}) is already waiting for the office's answer; one at a time"
                    ),
                ));
            }
            let reason = required(validate::REASON, reason)?;
            validate::check_date("deadline", *deadline)?;
            crate::attachment::check_list(attachments)?;
            let Some(due) = current_due(item) else {
                return Err(DomainError::invalid(
                    "deadline",
                    "the item has no due date to extend; the office sets one (调整时限)",
                ));
            };
            if *deadline <= due {
                return Err(DomainError::invalid(
                    "deadline",
                    format!("the new deadline must be after the current due date ({due})"),
                ));
            }
            next.extension_requested = Some(*deadline);
            let notes = tell(item, next, item.owner_unit, "extension_requested");
            Ok((
                Payload::ExtensionRequested(ExtensionRequested {
                    requested_deadline: *deadline,
                    due_on: Some(due),
                    reason,
                    attachments: crate::attachment::trimmed(attachments),
                }),
                notes,
            ))
        }
        Command::ApproveExtension { comment } => {
            let to = pending(item)?;
            let comment = match comment.as_deref().map(str::trim) {
                Some(c) if !c.is_empty() => {
                    validate::check(validate::COMMENT, c)?;
                    Some(c.to_owned())
                }
                _ => None,
            };
            // As 调整时限: the deadline and the due date both move; the ladder's steps are
            // keyed by due date, so each fires again from the new one.
            next.deadline = Some(to);
            next.due_on = Some(to);
            next.deadline_text = None;
            next.extension_requested = None;
            let notes = tell(item, next, item.lead_unit, "extension_approved");
            Ok((
                Payload::ExtensionApproved(ExtensionApproved {
                    from: current_due(item),
                    to,
                    comment,
                }),
                notes,
            ))
        }
        Command::RefuseExtension { reason } => {
            let asked = pending(item)?;
            let reason = required(validate::REASON, reason)?;
            next.extension_requested = None;
            let notes = tell(item, next, item.lead_unit, "extension_refused");
            Ok((
                Payload::ExtensionRefused(ExtensionRefused {
                    reason,
                    requested_deadline: Some(asked),
                }),
                notes,
            ))
        }
        _ => Err(DomainError::invalid(
            "action",
            "not an extension request command",
        )),
    }
}

/// How a pending request reads on a page: 申请延期至2026年12月7日.
pub fn pending_zh(item: &Item) -> Option<String> {
    item.extension_requested
        .map(|d| format!("申请延期至{}", date_zh(d)))
}

#[cfg(test)]
mod tests;
