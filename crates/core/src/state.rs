//! Item states and the one table of transitions.
//!
//! Every state change an item can go through is a row of [`TRANSITIONS`]: from which states,
//! to which state, and which roles may take it. Nothing else in the system moves an item.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where an item stands in the 对账销号 lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// 待交办: written into the ledger, not yet handed to a unit.
    Draft,
    /// 已交办: handed to the lead unit, waiting for it to accept.
    Assigned,
    /// 已签收: the lead unit has accepted it.
    Accepted,
    /// 办理中: being handled; progress reports arrive.
    InProgress,
    /// 申请销号: the lead unit asks for it to be struck off, with evidence.
    ClosureRequested,
    /// 已销号: verified by a different unit and struck off.
    Closed,
    /// 暂缓: set aside by the office; clocks stop.
    Suspended,
    /// 已撤销: withdrawn; final.
    Cancelled,
}

impl ItemState {
    pub const ALL: [ItemState; 8] = [
        Self::Draft,
        Self::Assigned,
        Self::Accepted,
        Self::InProgress,
        Self::ClosureRequested,
        Self::Closed,
        Self::Suspended,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Assigned => "assigned",
            Self::Accepted => "accepted",
            Self::InProgress => "in_progress",
            Self::ClosureRequested => "closure_requested",
            Self::Closed => "closed",
            Self::Suspended => "suspended",
            Self::Cancelled => "cancelled",
        }
    }

    /// The label an office reads.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "待交办",
            Self::Assigned => "已交办",
            Self::Accepted => "已签收",
            Self::InProgress => "办理中",
            Self::ClosureRequested => "申请销号",
            Self::Closed => "已销号",
            Self::Suspended => "暂缓",
            Self::Cancelled => "已撤销",
        }
    }

    /// Open items are the ones that can still be late.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::Cancelled | Self::Draft)
    }

    /// Allowed actions from this state, in table order.
    pub fn allowed_actions(self) -> Vec<Action> {
        let mut out: Vec<Action> = TRANSITIONS
            .iter()
            .filter(|t| t.from.contains(&self))
            .map(|t| t.action)
            .collect();
        out.dedup();
        out
    }
}

impl fmt::Display for ItemState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ItemState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown state `{s}`"))
    }
}

/// What an actor asks to do with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 交办
    Assign,
    /// 退回 (assigned → draft), reason required.
    Return,
    /// 签收
    Accept,
    /// 开始办理
    Start,
    /// 反馈进展: a progress report; moves an accepted item into handling.
    Report,
    /// 申请销号, evidence required.
    RequestClosure,
    /// 核验通过 → 销号.
    Verify,
    /// 核验不通过, reason required.
    Reject,
    /// 重新打开, reason required.
    Reopen,
    /// 暂缓
    Suspend,
    /// 恢复
    Resume,
    /// 撤销
    Cancel,
    /// 转办: hand the item to another lead unit, who must accept it again.
    Transfer,
    /// 预警/催办/督办/通报: raise the escalation level; the state stays.
    Escalate,
    /// 修改: the office corrects title, text or units (the lead only while a draft).
    Edit,
    /// 调整时限: the office sets a new deadline, with a reason.
    Reschedule,
    /// 申请延期: the lead unit asks the office for a new deadline, with a reason.
    RequestExtension,
    /// 同意延期: the office grants the pending request; the deadline moves.
    ApproveExtension,
    /// 不同意延期: the office refuses the pending request, with a reason.
    RefuseExtension,
    /// 批示: a leader (or the office on a leader's behalf, naming him) instructs.
    Instruct,
    /// 回复批示: the lead unit answers the open instruction.
    AnswerInstruction,
    /// 督办回复: the lead unit answers a 督办单 in writing, which closes it.
    AnswerOrder,
}

impl Action {
    pub const ALL: [Action; 22] = [
        Self::Assign,
        Self::Return,
        Self::Accept,
        Self::Start,
        Self::Report,
        Self::RequestClosure,
        Self::Verify,
        Self::Reject,
        Self::Reopen,
        Self::Suspend,
        Self::Resume,
        Self::Cancel,
        Self::Transfer,
        Self::Escalate,
        Self::Edit,
        Self::Reschedule,
        Self::RequestExtension,
        Self::ApproveExtension,
        Self::RefuseExtension,
        Self::Instruct,
        Self::AnswerInstruction,
        Self::AnswerOrder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assign => "assign",
            Self::Return => "return",
            Self::Accept => "accept",
            Self::Start => "start",
            Self::Report => "report",
            Self::RequestClosure => "request_closure",
            Self::Verify => "verify",
            Self::Reject => "reject",
            Self::Reopen => "reopen",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Cancel => "cancel",
            Self::Transfer => "transfer",
            Self::Escalate => "escalate",
            Self::Edit => "edit",
            Self::Reschedule => "reschedule",
            Self::RequestExtension => "request_extension",
            Self::ApproveExtension => "approve_extension",
            Self::RefuseExtension => "refuse_extension",
            Self::Instruct => "instruct",
            Self::AnswerInstruction => "answer_instruction",
            Self::AnswerOrder => "answer_order",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Assign => "交办",
            Self::Return => "退回",
            Self::Accept => "签收",
            Self::Start => "开始办理",
            Self::Report => "反馈进展",
            Self::RequestClosure => "申请销号",
            Self::Verify => "核验销号",
            Self::Reject => "核验不通过",
            Self::Reopen => "重新打开",
            Self::Suspend => "暂缓",
            Self::Resume => "恢复",
            Self::Cancel => "撤销",
            Self::Transfer => "转办",
            Self::Escalate => "督办升级",
            Self::Edit => "修改",
            Self::Reschedule => "调整时限",
            Self::RequestExtension => "申请延期",
            Self::ApproveExtension => "同意延期",
            Self::RefuseExtension => "不同意延期",
            Self::Instruct => "领导批示",
            Self::AnswerInstruction => "回复批示",
            Self::AnswerOrder => "督办回复",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|a| a.as_str()).collect();
                format!("unknown action `{s}`; known: {}", names.join(", "))
            })
    }
}

/// The role an actor plays towards one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 工作专班办公室: keeps the ledger, assigns, verifies.
    Office,
    /// 牵头单位 of this item.
    LeadUnit,
    /// 责任单位/配合单位 of this item.
    CoUnit,
    /// 督查室/效能办: audits, verifies, issues 督办.
    Supervision,
    /// The scheduler.
    System,
    /// A leader (链长 / 牵头领导) reading the item: writes 批示.
    Leader,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Office => "office",
            Self::LeadUnit => "lead_unit",
            Self::CoUnit => "co_unit",
            Self::Supervision => "supervision",
            Self::System => "system",
            Self::Leader => "leader",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a transition leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    To(ItemState),
    /// Stay in the current state (progress reports, escalation).
    Same,
    /// Back to the state the item was suspended from.
    BeforeSuspend,
}

/// One row of the transition table.
#[derive(Debug)]
pub struct Transition {
    pub action: Action,
    pub from: &'static [ItemState],
    pub to: Target,
    pub roles: &'static [Role],
}

use ItemState as S;
use Role as R;

/// The one table of transitions. Guards that need more than the state (evidence, reasons,
/// the self-verification rule) live in [`crate::command::decide`].
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        action: Action::Assign,
        from: &[S::Draft],
        to: Target::To(S::Assigned),
        roles: &[R::Office],
    },
    Transition {
        action: Action::Return,
        from: &[S::Assigned],
        to: Target::To(S::Draft),
        roles: &[R::LeadUnit, R::Office],
    },
    Transition {
        action: Action::Accept,
        from: &[S::Assigned],
        to: Target::To(S::Accepted),
        roles: &[R::LeadUnit],
    },
    Transition {
        action: Action::Start,
        from: &[S::Accepted],
        to: Target::To(S::InProgress),
        roles: &[R::LeadUnit],
    },
    Transition {
        action: Action::Report,
        from: &[S::Accepted, S::InProgress],
        to: Target::To(S::InProgress),
        roles: &[R::LeadUnit, R::CoUnit],
    },
    Transition {
        action: Action::RequestClosure,
        from: &[S::InProgress],
        to: Target::To(S::ClosureRequested),
        roles: &[R::LeadUnit],
    },
    Transition {
        action: Action::Verify,
        from: &[S::ClosureRequested],
        to: Target::To(S::Closed),
        roles: &[R::Office, R::Supervision],
    },
    Transition {
        action: Action::Reject,
        from: &[S::ClosureRequested],
        to: Target::To(S::InProgress),
        roles: &[R::Office, R::Supervision],
    },
    Transition {
        action: Action::Reopen,
        from: &[S::Closed],
        to: Target::To(S::InProgress),
        roles: &[R::Office, R::Supervision],
    },
    Transition {
        action: Action::Suspend,
        from: &[S::Accepted, S::InProgress],
        to: Target::To(S::Suspended),
        roles: &[R::Office],
    },
    Transition {
        action: Action::Resume,
        from: &[S::Suspended],
        to: Target::BeforeSuspend,
        roles: &[R::Office],
    },
    Transition {
        action: Action::Cancel,
        from: &[
            S::Draft,
            S::Assigned,
            S::Accepted,
            S::InProgress,
            S::Suspended,
        ],
        to: Target::To(S::Cancelled),
        roles: &[R::Office],
    },
    Transition {
        action: Action::Transfer,
        from: &[S::Assigned, S::Accepted, S::InProgress],
        to: Target::To(S::Assigned),
        roles: &[R::Office],
    },
    Transition {
        action: Action::Escalate,
        from: &[S::Assigned, S::Accepted, S::InProgress, S::ClosureRequested],
        to: Target::Same,
        roles: &[R::System, R::Supervision, R::Office],
    },
    Transition {
        action: Action::Edit,
        from: &[
            S::Draft,
            S::Assigned,
            S::Accepted,
            S::InProgress,
            S::ClosureRequested,
            S::Suspended,
        ],
        to: Target::Same,
        roles: &[R::Office],
    },
    Transition {
        action: Action::Reschedule,
        from: &[
            S::Draft,
            S::Assigned,
            S::Accepted,
            S::InProgress,
            S::Suspended,
        ],
        to: Target::Same,
        roles: &[R::Office],
    },
    // 延期申请: asked by the lead unit once it has signed for the item (签收) and while it
    // runs (the due date and the single pending request are guarded in `decide` and by the
    // policy), answered by the office.
    Transition {
        action: Action::RequestExtension,
        from: &[S::Accepted, S::InProgress],
        to: Target::Same,
        roles: &[R::LeadUnit],
    },
    Transition {
        action: Action::ApproveExtension,
        from: &[
            S::Assigned,
            S::Accepted,
            S::InProgress,
            S::ClosureRequested,
            S::Suspended,
        ],
        to: Target::Same,
        roles: &[R::Office],
    },
    Transition {
        action: Action::RefuseExtension,
        from: &[
            S::Assigned,
            S::Accepted,
            S::InProgress,
            S::ClosureRequested,
            S::Suspended,
        ],
        to: Target::Same,
        roles: &[R::Office],
    },
    // 批示: written by a leader who reads the item, or by the office that keeps it on a
    // leader's behalf; answered (回复) by the lead unit.
    Transition {
        action: Action::Instruct,
        from: &[
            S::Assigned,
            S::Accepted,
            S::InProgress,
            S::ClosureRequested,
            S::Suspended,
        ],
        to: Target::Same,
        roles: &[R::Leader, R::Office],
    },
    Transition {
        action: Action::AnswerInstruction,
        from: &[
            S::Assigned,
            S::Accepted,
            S::InProgress,
            S::ClosureRequested,
            S::Suspended,
        ],
        to: Target::Same,
        roles: &[R::LeadUnit],
    },
    // 督办回复: the lead unit answers a 督办单 (which 督办单, and whether it is still open,
    // the command carries: see `crate::order`).
    Transition {
        action: Action::AnswerOrder,
        from: &[
            S::Assigned,
            S::Accepted,
            S::InProgress,
            S::ClosureRequested,
            S::Suspended,
        ],
        to: Target::Same,
        roles: &[R::LeadUnit],
    },
];

/// The table row for `action` from `state`, if any.
pub fn transition(state: ItemState, action: Action) -> Option<&'static Transition> {
    TRANSITIONS
        .iter()
        .find(|t| t.action == action && t.from.contains(&state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_exactly_one_row() {
        for a in Action::ALL {
            assert_eq!(
                TRANSITIONS.iter().filter(|t| t.action == a).count(),
                1,
                "{a}"
            );
        }
    }

    #[test]
    fn final_states_allow_nothing_but_reopen() {
        assert!(ItemState::Cancelled.allowed_actions().is_empty());
        assert_eq!(ItemState::Closed.allowed_actions(), vec![Action::Reopen]);
    }

    #[test]
    fn names_round_trip() {
        for s in ItemState::ALL {
            assert_eq!(s.as_str().parse::<ItemState>(), Ok(s));
        }
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(a));
        }
        assert!(
            "frobnicate"
                .parse::<Action>()
                .unwrap_err()
                .contains("known")
        );
    }
}
