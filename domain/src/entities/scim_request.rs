//! Table `scim_request_log`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "scim_request_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub connection_id: Uuid,
    pub at: DateTimeUtc,
    pub method: String,
    pub path: String,
    pub status: i32,
    pub scim_type: Option<String>,
    pub duration_ms: i32,
    pub request_id: Option<String>,
    pub request_excerpt: Option<String>,
    pub error_detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
