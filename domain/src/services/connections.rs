use crate::entities::connection;
use crate::error::{DomainError, Result};
use crate::ids::{ConnectionId, TenantId};
use crate::services::Services;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::Serialize;

/// Identity providers with a documented dialect; `generic` is any other SCIM client.
pub const PROVIDERS: &[&str] = &[
    "okta",
    "entra",
    "onelogin",
    "jumpcloud",
    "google",
    "generic",
];

#[derive(Debug, Clone, Serialize)]
pub struct ConnectionView {
    pub id: ConnectionId,
    pub tenant_id: TenantId,
    pub name: String,
    pub provider: String,
    /// `pending` until the first SCIM request, then `active`.
    pub state: String,
    /// What the IdP is configured with.
    pub scim_base_url: String,
    pub last_request_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Services {
    pub fn scim_base_url(&self, id: ConnectionId) -> String {
        format!("{}/scim/v2/{id}", self.config.public_url())
    }

    fn connection_view(&self, m: connection::Model) -> ConnectionView {
        ConnectionView {
            scim_base_url: self.scim_base_url(m.id.into()),
            id: m.id.into(),
            tenant_id: m.tenant_id.into(),
            name: m.name,
            provider: m.provider,
            state: m.state,
            last_request_at: m.last_request_at,
            created_at: m.created_at,
        }
    }

    pub async fn create_connection(
        &self,
        tenant_id: TenantId,
        name: &str,
        provider: &str,
    ) -> Result<ConnectionView> {
        if !PROVIDERS.contains(&provider) {
            return Err(DomainError::Invalid(format!(
                "provider must be one of {}",
                PROVIDERS.join(", ")
            )));
        }
        let tenant = self.get_tenant(tenant_id).await?;
        let name = match name.trim() {
            "" => format!("{} {provider}", tenant.name),
            n => n.to_string(),
        };
        let now = Utc::now();
        let model = connection::ActiveModel {
            id: Set(ConnectionId::new().0),
            tenant_id: Set(tenant_id.0),
            name: Set(name),
            provider: Set(provider.to_string()),
            state: Set("pending".into()),
            event_seq: Set(0),
            last_request_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        Ok(self.connection_view(model))
    }

    pub async fn get_connection(&self, id: ConnectionId) -> Result<ConnectionView> {
        let model = connection::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("connection"))?;
        Ok(self.connection_view(model))
    }
}
