use crate::entities::{connection, scim_token, tenant};
use crate::error::{DomainError, Result};
use crate::events;
use crate::ids::{ConnectionCtx, ConnectionId, TenantId};
use crate::services::Services;
use crate::services::scim_tokens::cache_key;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use serde_json::json;

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

    /// Deactivates (the IdP's requests are refused at once, on every instance) or activates a
    /// connection, with a `connection.deactivated` / `connection.activated` event. Setting the
    /// state it already has changes nothing and emits nothing.
    pub async fn set_connection_active(
        &self,
        id: ConnectionId,
        within: Option<TenantId>,
        active: bool,
    ) -> Result<ConnectionView> {
        let (state, event_type) = if active {
            ("active", "connection.activated")
        } else {
            ("inactive", "connection.deactivated")
        };
        let txn = self.begin_write().await?;
        let (model, ctx) = self.connection_in(&txn, id, within).await?;
        if model.state == state || (active && model.state == "pending") {
            return Ok(self.connection_view(model));
        }
        let mut update: connection::ActiveModel = model.into();
        update.state = Set(state.into());
        update.updated_at = Set(Utc::now());
        let model = update.update(&txn).await?;
        let data =
            json!({"object": "connection", "id": id, "tenant_id": ctx.tenant_id, "state": state});
        events::append(&txn, &ctx, event_type, data, None).await?;
        let hashes = token_hashes(&txn, id).await?;
        txn.commit().await?;
        self.events_committed();
        self.forget_tokens(hashes).await?;
        Ok(self.connection_view(model))
    }

    /// Deletes a connection with its users, groups and tokens; a `connection.deleted` event
    /// (the last of its sequence) tells the app to drop what it holds for it.
    pub async fn delete_connection(
        &self,
        id: ConnectionId,
        within: Option<TenantId>,
    ) -> Result<()> {
        let txn = self.begin_write().await?;
        let (_, ctx) = self.connection_in(&txn, id, within).await?;
        let data = json!({"object": "connection", "id": id, "tenant_id": ctx.tenant_id, "state": "deleted"});
        events::append(&txn, &ctx, "connection.deleted", data, None).await?;
        let hashes = token_hashes(&txn, id).await?;
        connection::Entity::delete_by_id(id.0).exec(&txn).await?;
        txn.commit().await?;
        self.events_committed();
        self.forget_tokens(hashes).await
    }

    /// The connection (visible `within` a tenant, if given) and its context, inside `txn`.
    async fn connection_in<C: sea_orm::ConnectionTrait>(
        &self,
        txn: &C,
        id: ConnectionId,
        within: Option<TenantId>,
    ) -> Result<(connection::Model, ConnectionCtx)> {
        let model = connection::Entity::find_by_id(id.0)
            .one(txn)
            .await?
            .filter(|m| within.is_none_or(|t| t.0 == m.tenant_id))
            .ok_or(DomainError::NotFound("connection"))?;
        let tenant = tenant::Entity::find_by_id(model.tenant_id)
            .one(txn)
            .await?
            .ok_or(DomainError::NotFound("tenant"))?;
        let ctx = ConnectionCtx {
            tenant_id: TenantId(tenant.id),
            tenant_external_id: tenant.external_id,
            connection_id: id,
        };
        Ok((model, ctx))
    }

    /// Drops cached SCIM tokens, so a connection's new state applies at once everywhere.
    async fn forget_tokens(&self, hashes: Vec<String>) -> Result<()> {
        for hash in hashes {
            self.cache.delete(&cache_key(&hash)).await?;
        }
        Ok(())
    }

    pub async fn get_connection(&self, id: ConnectionId) -> Result<ConnectionView> {
        let model = connection::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("connection"))?;
        Ok(self.connection_view(model))
    }
}

async fn token_hashes<C: sea_orm::ConnectionTrait>(
    conn: &C,
    id: ConnectionId,
) -> Result<Vec<String>> {
    Ok(scim_token::Entity::find()
        .select_only()
        .column(scim_token::Column::TokenHash)
        .filter(scim_token::Column::ConnectionId.eq(id.0))
        .into_tuple()
        .all(conn)
        .await?)
}
