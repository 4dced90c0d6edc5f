//! The pure domain of Xiaohao (销号).
//!
//! Everything here is deterministic: no I/O, no async, no database types, and `now` is
//! always an argument. The store persists what this crate decides; the engine joins the two.
//!
//! - [`ids`]: typed identifiers.
//! - [`org`]: units (with aliases), people, chains, plans.
//! - [`item`]: the ledger item (task or problem) and its targets.
//! - [`state`]: item states and the one table of transitions with the roles allowed to take them.
//! - [`command`]: `decide(item, actor, command, now)` — the single entry for every state change.
//! - [`event`]: the hash-chained, append-only event log.
//! - [`payload`]: what each kind of event says, typed.
//! - [`extension`]: 延期申请 — asked by the lead unit in time, granted or refused by the office.
//! - [`attachment`]: evidence files — kinds from the bytes, size, clean names, who reads
//!   them, how commands reference them.
//! - [`instruction`]: 批示 — a leader's instruction on an item, open until the lead unit answers.
//! - [`order`]: 督办单 — numbered per office and year, composed as a document, closed by the
//!   lead unit's 督办回复; an unanswered one climbs the ladder like a missed duty.
//! - [`calendar`]: working days with holidays and 调休.
//! - [`sla`]: SLA clocks that pause while an item is suspended.
//! - [`access`]: account roles, the actor each acts as, and which items a user may read.
//! - [`light`]: traffic lights derived on read.
//! - [`policy`]: the one policy value (time zone, calendar, lights, ladder, cycles, SLA)
//!   every figure a unit is judged by is computed with.
//! - [`escalation`]: the ladder 预警 → 催办 → 督办 → 通报.
//! - [`cycles`]: reporting cycles and their periods.
//! - [`bulletin`]: 通报 as a 公文: the narrative from the figures, its text rules, its seal chain.
//! - [`recon`]: 对账单: per-unit reconciliation statements, their rules and their seal chain.
//! - [`score`]: 考核: per-unit scores of a quarter or year from the event log, each point a
//!   line naming its rule, item and event.
//! - [`notify`]: notifications (outbox rows) that a decision yields.
//! - [`channel`]: a unit's webhook robots (企业微信, 钉钉): what one may be, what a page shows of it.
//! - [`password`]: the password rule (length, common passwords).
//! - [`validate`]: the one validation layer for text and dates from outside: lengths,
//!   characters, date range, escalation levels.

pub mod access;
pub mod actor;
pub mod attachment;
pub mod bulletin;
pub mod calendar;
pub mod channel;
pub mod command;
pub mod cycles;
mod due;
pub mod error;
pub mod escalation;
pub mod event;
pub mod extension;
pub mod ids;
pub mod instruction;
pub mod item;
pub mod light;
pub mod notify;
pub mod numbering;
pub mod order;
pub mod org;
pub mod password;
pub mod payload;
pub mod policy;
pub mod progress;
pub mod recon;
pub mod score;
pub mod sla;
pub mod state;
pub mod unit_merge;
pub mod validate;

pub use access::{AccountRole, Jurisdiction, Scope};
pub use command::{Actor, Capacity, Command, Decision, decide, new_item, permitted_actions};
pub use error::DomainError;
pub use ids::{ChainId, ItemId, PersonId, PlanId, UnitId};
pub use item::{Item, ItemClass, ItemKind, NewItem, Target};
pub use light::Light;
pub use policy::{Lateness, Policy};
pub use state::{Action, ItemState, Role};
