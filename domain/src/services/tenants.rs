use crate::entities::tenant;
use crate::error::{DomainError, Result};
use crate::ids::TenantId;
use crate::services::Services;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct TenantView {
    pub id: TenantId,
    pub name: String,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<tenant::Model> for TenantView {
    fn from(m: tenant::Model) -> Self {
        Self {
            id: m.id.into(),
            name: m.name,
            external_id: m.external_id,
            created_at: m.created_at,
        }
    }
}

impl Services {
    pub async fn create_tenant(&self, name: &str, external_id: Option<&str>) -> Result<TenantView> {
        let name = name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(DomainError::Invalid(
                "name must be 1 to 200 characters".into(),
            ));
        }
        let now = Utc::now();
        let model = tenant::ActiveModel {
            id: Set(TenantId::new().0),
            name: Set(name.to_string()),
            external_id: Set(external_id.map(str::to_string)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .map_err(|e| {
            DomainError::from_db_unique(e, "a tenant with this external_id already exists")
        })?;
        Ok(model.into())
    }

    pub async fn get_tenant(&self, id: TenantId) -> Result<TenantView> {
        tenant::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .map(Into::into)
            .ok_or(DomainError::NotFound("tenant"))
    }
}
