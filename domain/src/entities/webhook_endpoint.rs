//! Table `webhook_endpoints`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub url: String,
    pub description: String,
    pub event_types: Json,
    pub tenant_id: Option<Uuid>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secrets: Json,
    pub ordered: bool,
    pub max_concurrency: Option<i32>,
    pub rate_limit_per_sec: Option<i32>,
    pub failing_since: Option<DateTimeUtc>,
    pub disabled_at: Option<DateTimeUtc>,
    pub ordered_since: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
