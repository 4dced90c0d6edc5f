//! Table rows as sea-orm sees them. Mirrors `migrations/`; behaviour lives elsewhere.
//! The domain never sees these types: `convert` maps them to `xiaohao_core` types.

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod unit {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "units")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub kind: String,
        pub level: Option<String>,
        pub parent_id: Option<Uuid>,
        /// JSON array of addresses.
        pub emails: String,
        pub needs_review: bool,
        pub created_at: DateTimeUtc,
        /// 联系人 and telephone (migration 000200).
        pub contact: Option<String>,
    }
    no_relations!();
}

pub mod unit_alias {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "unit_aliases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub alias: String,
        pub unit_id: Uuid,
    }
    no_relations!();
}

pub mod person {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "people")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub title: Option<String>,
        pub unit_id: Option<Uuid>,
        pub email: Option<String>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod plan {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "plans")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub title: String,
        pub doc_number: Option<String>,
        pub issuer: Option<String>,
        pub issued_on: Option<Date>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod chain {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "chains")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub parent_id: Option<Uuid>,
        pub plan_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod chain_leader {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "chain_leaders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub chain_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub person_id: Uuid,
    }
    no_relations!();
}

pub mod chain_unit {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "chain_units")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub chain_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub unit_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub role: String,
    }
    no_relations!();
}

pub mod item {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "items")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub number: Option<String>,
        pub title: String,
        pub text: String,
        pub plan_id: Option<Uuid>,
        pub chain_id: Option<Uuid>,
        pub owner_unit_id: Option<Uuid>,
        pub lead_unit_id: Option<Uuid>,
        pub leader_id: Option<Uuid>,
        pub deadline: Option<Date>,
        pub due_on: Option<Date>,
        pub deadline_text: Option<String>,
        pub grade: Option<String>,
        pub class: Option<String>,
        pub state: String,
        pub suspended_from: Option<String>,
        pub escalation_level: i32,
        pub closure_requested_by: Option<Uuid>,
        /// The deadline a pending 延期申请 asks for.
        pub extension_requested: Option<Date>,
        /// When the open 批示 was written, until the lead unit answers it.
        pub instructed_at: Option<DateTimeUtc>,
        pub progress_percent: Option<i32>,
        pub version: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub closed_at: Option<DateTimeUtc>,
        /// Head of the event chain: seq and hash of the last event.
        pub last_seq: i64,
        pub last_hash: String,
        /// The days the light turns (see `xiaohao_core::light::LightDates`).
        pub near_due_on: Option<Date>,
        pub lagging_on: Option<Date>,
        /// The 序号 as text that sorts by its numbers (`xiaohao_core::numbering`).
        pub number_sort: Option<String>,
    }
    no_relations!();
}

pub mod light_index {
    use sea_orm::entity::prelude::*;
    /// The fingerprint of the policy the items' light dates were computed with.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "light_index")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub fingerprint: String,
    }
    no_relations!();
}

pub mod item_co_unit {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "item_co_units")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub item_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub unit_id: Uuid,
        pub position: i32,
    }
    no_relations!();
}

pub mod item_target {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "item_targets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub item_id: Uuid,
        pub metric: String,
        pub value: f64,
        pub unit: String,
        pub year: Option<i32>,
        pub cmp: Option<String>,
    }
    no_relations!();
}

pub mod progress_report {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "progress_reports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub item_id: Uuid,
        pub event_seq: i64,
        pub period: String,
        pub text: String,
        pub percent: Option<i32>,
        /// JSON array of `{metric, value}`.
        pub actuals: String,
        /// JSON array of names/URLs.
        pub attachments: String,
        pub unit_id: Option<Uuid>,
        pub reported_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod event {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub item_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub kind: String,
        pub from_state: Option<String>,
        pub to_state: String,
        pub actor_unit_id: Option<Uuid>,
        pub actor_role: String,
        pub actor_name: String,
        pub payload: String,
        pub at: DateTimeUtc,
        pub prev_hash: String,
        pub hash: String,
    }
    no_relations!();
}

pub mod outbox {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub dedupe_key: String,
        pub kind: String,
        pub recipient_unit_id: Uuid,
        pub item_id: Option<Uuid>,
        pub urgent: bool,
        pub payload: String,
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
        /// The worker holding the row (see migration 000004).
        pub claim_token: Option<Uuid>,
        pub claimed_until: Option<DateTimeUtc>,
        /// The dedupe key of the message the row went out in (its own, or a digest's).
        pub message_key: Option<String>,
        /// The robot the row goes to; `None` for e-mail (see migration 000510).
        pub channel_id: Option<Uuid>,
        /// An e-mail row whose copies for the recipient's robots have been written.
        pub fanned_out: bool,
    }
    no_relations!();
}

pub mod unit_channel {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "unit_channels")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub unit_id: Uuid,
        pub kind: String,
        pub webhook_url: String,
        pub secret: Option<String>,
        pub created_at: DateTimeUtc,
        pub removed_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod cycle_occurrence {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "cycle_occurrences")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub cycle_key: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub period_key: String,
        pub scheduled_at: DateTimeUtc,
        pub fired_at: DateTimeUtc,
        pub duties_created: i32,
    }
    no_relations!();
}

pub mod duty {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "duties")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub cycle_key: String,
        pub period_key: String,
        pub kind: String,
        pub unit_id: Uuid,
        pub item_id: Option<Uuid>,
        #[sea_orm(unique)]
        pub subject_key: String,
        pub title: String,
        pub opens_on: Date,
        pub due_on: Date,
        pub status: String,
        pub submitted_at: Option<DateTimeUtc>,
        pub report_text: Option<String>,
        pub escalation_level: i32,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod escalation_fire {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "escalation_fires")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub subject_kind: String,
        pub subject_id: Uuid,
        pub item_id: Option<Uuid>,
        pub unit_id: Option<Uuid>,
        pub due_on: Date,
        pub step: String,
        pub level: i32,
        pub working_days_late: i32,
        pub fired_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod supervision_order {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "supervision_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub item_id: Uuid,
        pub fire_id: Uuid,
        pub step: String,
        pub due_on: Date,
        pub working_days_late: i32,
        pub text: String,
        pub issued_at: DateTimeUtc,
        /// The date by which the lead unit must reply in writing.
        pub reply_due: Option<Date>,
        /// The issuing office (the item's keeping office; nil when it has none) and the
        /// number within its year, allocated by the writer from `order_counters`.
        pub office_unit_id: Option<Uuid>,
        pub number_year: Option<i32>,
        pub number_seq: Option<i32>,
        /// The 督办回复 that closed the order: when, what, and its event on the item.
        pub answered_at: Option<DateTimeUtc>,
        pub answer_text: Option<String>,
        pub answer_seq: Option<i64>,
    }
    no_relations!();
}

pub mod order_counter {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_counters")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub office_unit_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub year: i32,
        /// The last number given out for this office and year.
        pub last: i32,
    }
    no_relations!();
}

pub mod user {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub username: String,
        pub display_name: String,
        pub unit_id: Uuid,
        pub role: String,
        pub person_id: Option<Uuid>,
        /// argon2id PHC string.
        pub password_hash: String,
        pub disabled: bool,
        pub created_at: DateTimeUtc,
        /// Set by an administrator's reset: every page asks for a new password first.
        pub must_change_password: bool,
        pub last_login_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod auth_token {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "auth_tokens")]
    pub struct Model {
        /// SHA-256 of the secret, hex.
        #[sea_orm(primary_key, auto_increment = false)]
        pub token_hash: String,
        pub user_id: Uuid,
        pub kind: String,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
    }
    no_relations!();
}

pub mod unit_feed {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "unit_feeds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub unit_id: Uuid,
        /// SHA-256 of the feed token, hex: the token itself is shown once, never stored.
        #[sea_orm(unique)]
        pub token_hash: String,
        /// When the current token was issued.
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}

pub mod attachment {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "attachments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub item_id: Uuid,
        pub sha256: String,
        pub name: String,
        pub size: i64,
        pub content_type: String,
        pub uploaded_by_unit: Uuid,
        pub uploaded_by_account: Option<Uuid>,
        pub uploader_role: String,
        pub created_at: DateTimeUtc,
    }
    no_relations!();
}
