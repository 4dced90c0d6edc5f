//! The rows of 对账单 as sea-orm sees them. Mirrors `m20261201_000010_statements`.

pub mod statement {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "statements")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub cycle_key: String,
        pub period_key: String,
        pub unit_id: Uuid,
        pub unit_name: String,
        pub title: String,
        pub opens_on: Date,
        pub due_on: Date,
        pub status: String,
        pub version: i64,
        pub duty_id: Option<Uuid>,
        pub signed_by: Option<String>,
        pub signed_at: Option<DateTimeUtc>,
        pub countersigned_by: Option<String>,
        pub countersigned_unit_id: Option<Uuid>,
        pub countersigned_at: Option<DateTimeUtc>,
        pub content_hash: Option<String>,
        pub created_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod line {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "statement_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub statement_id: Uuid,
        pub seq: i32,
        pub item_id: Uuid,
        pub owner_unit_id: Option<Uuid>,
        /// JSON of `recon::LineSnapshot`.
        pub snapshot: String,
        pub verdict: String,
        pub reason: Option<String>,
        pub note: Option<String>,
        /// JSON array of names/URLs.
        pub attachments: String,
        pub marked_at: Option<DateTimeUtc>,
        pub answer: Option<String>,
        pub answered_by: Option<String>,
        pub answered_at: Option<DateTimeUtc>,
        /// JSON of `recon::ItemAfter`.
        pub after: Option<String>,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod seal {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "statement_seals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub statement_id: Uuid,
        pub prev_hash: String,
        pub hash: String,
        pub content: String,
        pub sealed_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}
