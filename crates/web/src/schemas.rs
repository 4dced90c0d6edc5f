//! The response bodies as the OpenAPI document states them. The handlers serialise the
//! engine's and the domain's own types; these structs only describe that JSON (they are
//! never built), so the domain stays free of OpenAPI. `tests/e2e/openapi.rs` validates real
//! responses of every documented GET against them on both databases, and CI's schemathesis
//! stage fuzzes every operation against them — a drift fails one or the other.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::UserBody;

/// `GET /health`.
#[derive(ToSchema)]
pub struct Health {
    /// `ok`
    pub status: String,
    /// `sqlite` or `postgres`
    pub database: String,
    pub now: DateTime<Utc>,
    pub version: String,
}

/// `POST /api/auth/login`.
#[derive(ToSchema)]
pub struct LoginResponse {
    pub token: String,
    /// `Bearer`
    pub token_type: String,
    pub user: UserBody,
}

/// `GET /api/me`.
#[derive(ToSchema)]
pub struct Me {
    pub user: UserBody,
    /// The capacity in which the domain sees the account act.
    #[schema(value_type = Object)]
    pub actor: Value,
    /// What the account may read.
    #[schema(value_type = Object)]
    pub scope: Value,
}

/// `POST /api/users/{id}/revoke`.
#[derive(ToSchema)]
pub struct Revoked {
    /// Sessions and tokens revoked.
    pub revoked: u64,
}

/// A unit (单位) with its aliases.
#[derive(ToSchema)]
pub struct Unit {
    pub id: Uuid,
    pub name: String,
    /// department, government, enterprise, office, supervision, group
    pub kind: String,
    /// province, city, county, district
    pub level: Option<String>,
    pub parent: Option<Uuid>,
    pub emails: Vec<String>,
    pub aliases: Vec<String>,
    /// Created by an import from a name nobody confirmed yet.
    pub needs_review: bool,
}

/// `GET /api/units/{id}/feed`.
#[derive(ToSchema)]
pub struct FeedUrl {
    /// The iCalendar URL with the unit's feed token.
    pub url: String,
}

/// A chain (产业链/专项).
#[derive(ToSchema)]
pub struct Chain {
    pub id: Uuid,
    pub name: String,
    pub parent: Option<Uuid>,
    pub plan: Option<Uuid>,
    pub leaders: Vec<Uuid>,
    pub lead_units: Vec<Uuid>,
    pub units: Vec<Uuid>,
}

/// A plan (source document).
#[derive(ToSchema)]
pub struct Plan {
    pub id: Uuid,
    pub title: String,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
}

/// A quantified target such as 力争2021年产值320亿元.
#[derive(ToSchema)]
pub struct Target {
    pub metric: String,
    pub value: f64,
    pub unit: String,
    pub year: Option<i32>,
    /// `>=`, `>`, `<=`, `<`, `=` or none.
    pub cmp: Option<String>,
}

/// A ledger item.
#[derive(ToSchema)]
pub struct Item {
    pub id: Uuid,
    /// task or problem
    pub kind: String,
    pub number: Option<String>,
    pub title: String,
    pub text: String,
    pub plan_id: Option<Uuid>,
    pub chain_id: Option<Uuid>,
    pub owner_unit: Option<Uuid>,
    pub lead_unit: Option<Uuid>,
    pub co_units: Vec<Uuid>,
    pub leader: Option<Uuid>,
    pub deadline: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub deadline_text: Option<String>,
    pub grade: Option<String>,
    /// common or individual
    pub class: Option<String>,
    /// draft, assigned, accepted, in_progress, closure_requested, closed, suspended, cancelled
    pub state: String,
    pub suspended_from: Option<String>,
    pub escalation_level: i32,
    pub closure_requested_by: Option<Uuid>,
    /// The deadline a pending 延期申请 asks for, until the office answers it.
    pub extension_requested: Option<NaiveDate>,
    pub progress_percent: Option<i32>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// `GET /api/items`: one page.
#[derive(ToSchema)]
pub struct ItemPage {
    pub items: Vec<Item>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// One link of an item's hash-chained audit trail.
#[derive(ToSchema)]
pub struct Event {
    pub item_id: Uuid,
    pub seq: i64,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_unit: Option<Uuid>,
    pub actor_role: String,
    pub actor_name: String,
    /// The event's details as a JSON text.
    pub payload: String,
    pub at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
}

/// What an accepted command left: the item after it and its one event.
#[derive(ToSchema)]
pub struct Outcome {
    pub item: Item,
    pub event: Event,
}

/// `GET /api/items/{id}/events`.
#[derive(ToSchema)]
pub struct Events {
    pub item: Uuid,
    pub events: Vec<Event>,
    /// Whether every hash links to the previous event's.
    pub chain_ok: bool,
}

/// A progress report, naming its unit.
#[derive(ToSchema)]
pub struct Progress {
    pub event_seq: i64,
    pub unit: Option<Uuid>,
    pub unit_name: Option<String>,
    pub reported_at: DateTime<Utc>,
    /// `2026-11`, `2026-Q4`, `2026-H2` or `2026`.
    pub period: String,
    pub text: String,
    pub percent: Option<i32>,
    #[schema(value_type = Vec<Object>)]
    pub actuals: Vec<Value>,
    /// The report's files: `{"id","name","sha256","size","content_type"}` each (a name
    /// alone, as a string, in reports written before files were stored).
    pub attachments: Vec<Value>,
}

/// Working days late and left (逾期 N 个工作日), by the policy.
#[derive(ToSchema)]
pub struct Lateness {
    pub working_days: i64,
    pub working_days_left: Option<i64>,
    /// The count covers a year without a working-day calendar file.
    pub assumed: bool,
}

/// An item's clocks as of today.
#[derive(ToSchema)]
pub struct Clocks {
    pub today: NaiveDate,
    /// red, yellow, green, blue, grey
    pub light: String,
    pub deadline: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub working_days_left: Option<i64>,
    pub working_days_late: i64,
    pub assumed: bool,
    pub escalation_level: i32,
    pub days_in_state: i64,
}

/// One SLA clock: a problem's 应答/明确意见/办结 milestone, or a task's deadline.
#[derive(ToSchema)]
pub struct Milestone {
    /// e.g. `respond`
    pub key: String,
    /// e.g. `应答`
    pub label: String,
    pub due_date: NaiveDate,
    /// `due_date` at 23:59:59 local time, without an offset (`2026-03-31T23:59:59`).
    #[schema(value_type = String)]
    pub due: chrono::NaiveDateTime,
    pub working_days: Option<u32>,
    pub elapsed_working_days: Option<i64>,
    /// 0 = due today, negative = that many working days late.
    pub remaining_working_days: i64,
    pub extension_working_days: i64,
    pub breached: bool,
    pub paused: bool,
    /// Local time without an offset.
    #[schema(value_type = Option<String>)]
    pub met_at: Option<chrono::NaiveDateTime>,
}

/// Each reporting unit's latest report.
#[derive(ToSchema)]
pub struct UnitProgress {
    pub unit: Option<Uuid>,
    pub unit_name: Option<String>,
    pub lead: bool,
    pub reports: u64,
    pub latest: Progress,
}

/// `GET /api/items/{id}`.
#[derive(ToSchema)]
pub struct ItemView {
    pub item: Item,
    /// red, yellow, green, blue, grey
    pub light: String,
    pub lateness: Lateness,
    /// Today's light and working days.
    pub clocks: Clocks,
    /// The SLA clocks.
    pub milestones: Vec<Milestone>,
    pub targets: Vec<Target>,
    pub events: Vec<Event>,
    pub progress: Vec<Progress>,
    pub progress_by_unit: Vec<UnitProgress>,
    /// The transitions of the item's state.
    pub allowed_actions: Vec<String>,
    /// What the caller may do now.
    pub permitted_actions: Vec<String>,
}

/// A 督办单 as listed (`GET /api/orders`).
#[derive(ToSchema)]
pub struct Order {
    pub id: Uuid,
    /// 督〔2026〕12号; null for an order without a number.
    pub number: Option<String>,
    pub item_id: Uuid,
    pub item_title: String,
    pub lead_unit: Option<String>,
    /// The ladder step that issued it (督办).
    pub step: String,
    pub issued_at: DateTime<Utc>,
    pub reply_due: Option<NaiveDate>,
    /// `open` or `answered`.
    pub status: String,
    pub answered_at: Option<DateTime<Utc>>,
    /// Working days the reply is (or was) late; 0 when in time.
    pub reply_days_late: i64,
}

/// A progress report the caller's unit owes this month.
#[derive(ToSchema)]
pub struct Duty {
    pub item: Item,
    pub light: String,
    /// `2026-03`
    pub period: String,
    pub reported: bool,
    pub can_report: bool,
}

/// Traffic-light counts of one row.
#[derive(ToSchema)]
pub struct LightCounts {
    pub red: u64,
    pub yellow: u64,
    pub green: u64,
    pub blue: u64,
    pub grey: u64,
    pub total: u64,
}

/// A chain's or a lead unit's counts.
#[derive(ToSchema)]
pub struct StatsRow {
    pub id: Option<Uuid>,
    pub name: String,
    pub red: u64,
    pub yellow: u64,
    pub green: u64,
    pub blue: u64,
    pub grey: u64,
    pub total: u64,
}

/// `GET /api/stats`.
#[derive(ToSchema)]
pub struct Stats {
    pub today: NaiveDate,
    pub all: LightCounts,
    /// Items per state.
    #[schema(value_type = Object)]
    pub by_state: Value,
    pub by_chain: Vec<StatsRow>,
    pub by_unit: Vec<StatsRow>,
}

/// How late a lead unit is, in working days.
#[derive(ToSchema)]
pub struct DelayRow {
    pub unit: Uuid,
    pub name: String,
    pub late_items: u64,
    pub total_days_late: i64,
    pub max_days_late: i64,
}

/// The audit-chain check over every item.
#[derive(ToSchema)]
pub struct AuditStatus {
    pub items_checked: u64,
    pub events_checked: u64,
    pub ok: bool,
    pub broken: Option<String>,
}

/// `GET /api/supervision`.
#[derive(ToSchema)]
pub struct Supervision {
    pub today: NaiveDate,
    /// The 100 most overdue items, most working days late first.
    pub overdue: Vec<Item>,
    /// How many items are overdue.
    pub overdue_total: u64,
    /// Up to 100 open items under 督办, highest level first.
    pub escalated: Vec<Item>,
    /// How many open items are under 督办.
    pub escalated_total: u64,
    pub delays: Vec<DelayRow>,
    pub audit: AuditStatus,
}
