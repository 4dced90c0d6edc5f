//! The rows of 通报 as sea-orm sees them. Mirrors `m20261201_000300_bulletins`.

pub mod bulletin {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bulletins")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub office_id: Uuid,
        pub office_name: String,
        pub kind: String,
        pub period_label: String,
        pub period_from: Date,
        pub period_to: Date,
        pub status: String,
        pub version: i64,
        pub facts: String,
        pub figures: String,
        pub title: String,
        pub recipients: String,
        pub requirements: String,
        pub contact: String,
        pub doc_prefix: String,
        pub created_by: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub issued_year: Option<i32>,
        pub issued_seq: Option<i32>,
        pub doc_number: Option<String>,
        pub issued_by: Option<String>,
        pub issued_at: Option<DateTimeUtc>,
        pub issued_on: Option<Date>,
        pub document: Option<String>,
        pub content_hash: Option<String>,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod seal {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bulletin_seals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub bulletin_id: Uuid,
        pub prev_hash: String,
        pub hash: String,
        pub content: String,
        pub sealed_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}
