//! 批示 on an item page: the open instruction stands out for every reader until the lead
//! unit answers it; a leader (or the office on a leader's behalf, naming him) writes one;
//! the lead unit answers (回复). What may be done comes from the domain.

use super::super::local_time;
use xiaohao_core::event::{Event, EventKind};
use xiaohao_core::payload::Payload;
use xiaohao_core::{AccountRole, Action, Item};

/// The open 批示 as the page shows it.
pub struct OpenInstruction {
    pub by: String,
    pub text: String,
    pub at: String,
}

#[derive(Default)]
pub struct InstructionView {
    pub open: Option<OpenInstruction>,
    /// The 批示 form.
    pub can_instruct: bool,
    /// The office writes on a leader's behalf: the form asks his name.
    pub names_leader: bool,
    /// The 回复 form: the lead unit, with a 批示 open.
    pub can_answer: bool,
}

impl InstructionView {
    pub(super) fn of(item: &Item, events: &[Event], actions: &[Action], role: AccountRole) -> Self {
        let open = item.instructed_at.and_then(|_| {
            let e = events
                .iter()
                .rev()
                .find(|e| e.kind == EventKind::Action(Action::Instruct))?;
            match e.details() {
                Ok(Payload::Instructed(x)) => Some(OpenInstruction {
                    by: x.by,
                    text: x.text,
                    at: local_time(e.at),
                }),
                _ => None,
            }
        });
        let can_instruct = actions.contains(&Action::Instruct);
        Self {
            can_instruct,
            names_leader: can_instruct && role != AccountRole::Leader,
            can_answer: open.is_some() && actions.contains(&Action::AnswerInstruction),
            open,
        }
    }
}

/// Whether a timeline event is a 批示, to stand out.
pub(super) fn stands_out(kind: &EventKind) -> bool {
    *kind == EventKind::Action(Action::Instruct)
}
