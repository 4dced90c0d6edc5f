//! 延期申请 on an item page: the lead unit's 申请延期 form while it may ask, the pending
//! request for every reader, and the office's 同意 / 不同意 forms beside the request's files
//! (linked, as in the timeline). What may be done comes
//! from the domain (the transition table, the policy's due-date rule); posts go to the
//! item's one form endpoint like every other action.

use super::super::{local_time, zh_date};
use xiaohao_core::event::{Event, EventKind};
use xiaohao_core::payload::Payload;
use xiaohao_core::{Action, Command, Item, Policy};

/// The request waiting for the office's answer, as the page shows it.
pub struct PendingView {
    pub asked: String,
    pub from: String,
    pub reason: String,
    /// Names typed as text (requests written before files were stored).
    pub attachments: String,
    /// The request's files, linked when the reader may open them.
    pub files: Vec<super::files::FileLink>,
    pub by: String,
    pub at: String,
}

/// What the 延期申请 part of an item page shows to its reader.
#[derive(Default)]
pub struct ExtensionView {
    /// The 申请延期 form: the lead unit, in time, with nothing pending.
    pub can_request: bool,
    /// The earliest date the form accepts (the day after the due date), `YYYY-MM-DD`.
    pub min_date: String,
    /// The due date the request moves, as people read it.
    pub due: String,
    pub pending: Option<PendingView>,
    /// 同意 / 不同意: the office that keeps the item.
    pub can_answer: bool,
}

impl ExtensionView {
    pub(super) fn of(
        policy: &Policy,
        item: &Item,
        events: &[Event],
        actions: &[Action],
        now: chrono::DateTime<chrono::Utc>,
        readable: &std::collections::HashSet<uuid::Uuid>,
    ) -> Self {
        let due = item.due_on.or(item.deadline);
        let pending = item.extension_requested.map(|asked| {
            let request = events
                .iter()
                .rev()
                .find(|e| e.kind == EventKind::Action(Action::RequestExtension));
            let details = request.and_then(|e| match e.details() {
                Ok(Payload::ExtensionRequested(x)) => Some(x),
                _ => None,
            });
            PendingView {
                asked: zh_date(asked),
                from: details
                    .as_ref()
                    .and_then(|x| x.due_on)
                    .or(due)
                    .map(zh_date)
                    .unwrap_or_else(|| "未定".into()),
                reason: details
                    .as_ref()
                    .map(|x| x.reason.clone())
                    .unwrap_or_default(),
                attachments: details
                    .as_ref()
                    .map(|x| {
                        let typed: Vec<_> = x
                            .attachments
                            .iter()
                            .filter(|a| a.file().is_none())
                            .cloned()
                            .collect();
                        xiaohao_core::attachment::names(&typed)
                    })
                    .unwrap_or_default(),
                files: details
                    .as_ref()
                    .map(|x| {
                        x.attachments
                            .iter()
                            .filter_map(|a| a.file())
                            .map(|f| super::files::link(f, readable))
                            .collect()
                    })
                    .unwrap_or_default(),
                by: request.map(|e| e.actor_name.clone()).unwrap_or_default(),
                at: request.map(|e| local_time(e.at)).unwrap_or_default(),
            }
        });
        // Whether the policy would take a request now: asked with a date after the due date.
        let in_time = due.is_some_and(|d| {
            let probe = Command::RequestExtension {
                deadline: d,
                reason: String::new(),
                attachments: Vec::new(),
            };
            policy.admit_extension(item, &probe, now).is_ok()
        });
        Self {
            can_request: actions.contains(&Action::RequestExtension)
                && pending.is_none()
                && in_time,
            min_date: due
                .and_then(|d| d.succ_opt())
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            due: due.map(zh_date).unwrap_or_else(|| "未定".into()),
            can_answer: pending.is_some() && actions.contains(&Action::ApproveExtension),
            pending,
        }
    }
}
