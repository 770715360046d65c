use crate::entities::{connection, connection_sequence, scim_group, scim_token, scim_user, tenant};
use crate::error::{DomainError, Result};
use crate::events;
use crate::ids::{ConnectionCtx, ConnectionId, TenantId};
use crate::services::Services;
use crate::services::scim_tokens::cache_key;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionView {
    pub id: ConnectionId,
    pub tenant_id: TenantId,
    pub name: String,
    pub provider: String,
    /// `pending` until the first SCIM request, then `active`; `inactive` when deactivated
    /// (the IdP's requests are refused).
    pub state: String,
    /// What the IdP is configured with.
    pub scim_base_url: String,
    pub last_request_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A connection as the management API shows it: with how many users and groups it holds.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionSummary {
    #[serde(flatten)]
    pub connection: ConnectionView,
    pub user_count: u64,
    pub group_count: u64,
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
            n => valid_connection_name(n)?,
        };
        let now = Utc::now();
        let txn = self.begin_write().await?;
        let model = connection::ActiveModel {
            id: Set(ConnectionId::new().0),
            tenant_id: Set(tenant_id.0),
            name: Set(name),
            provider: Set(provider.to_string()),
            state: Set("pending".into()),
            last_request_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        connection_sequence::ActiveModel {
            connection_id: Set(model.id),
            event_seq: Set(0),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
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
        self.get_connection_in(id, None).await
    }

    /// The connection, if it belongs to `within` (any tenant when `None`).
    pub async fn get_connection_in(
        &self,
        id: ConnectionId,
        within: Option<TenantId>,
    ) -> Result<ConnectionView> {
        let model = connection::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .filter(|m| within.is_none_or(|t| t.0 == m.tenant_id))
            .ok_or(DomainError::NotFound("connection"))?;
        Ok(self.connection_view(model))
    }

    /// A tenant's connections, oldest first, after connection `after`.
    pub async fn list_connections(
        &self,
        tenant: TenantId,
        within: Option<TenantId>,
        after: Option<ConnectionId>,
        limit: u64,
    ) -> Result<Vec<ConnectionView>> {
        if within.is_some_and(|t| t != tenant) {
            return Err(DomainError::NotFound("tenant"));
        }
        self.get_tenant(tenant).await?;
        let mut query = connection::Entity::find()
            .filter(connection::Column::TenantId.eq(tenant.0))
            .order_by_asc(connection::Column::Id)
            .limit(limit);
        if let Some(after) = after {
            query = query.filter(connection::Column::Id.gt(after.0));
        }
        let models = query.all(&self.db).await?;
        Ok(models
            .into_iter()
            .map(|m| self.connection_view(m))
            .collect())
    }

    pub async fn rename_connection(
        &self,
        id: ConnectionId,
        within: Option<TenantId>,
        name: &str,
    ) -> Result<ConnectionView> {
        let name = valid_connection_name(name)?;
        let model = connection::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .filter(|m| within.is_none_or(|t| t.0 == m.tenant_id))
            .ok_or(DomainError::NotFound("connection"))?;
        let mut update: connection::ActiveModel = model.into();
        update.name = Set(name);
        update.updated_at = Set(Utc::now());
        Ok(self.connection_view(update.update(&self.db).await?))
    }

    /// The connections with their user and group counts: two grouped queries per call.
    pub async fn summarize_connections(
        &self,
        connections: Vec<ConnectionView>,
    ) -> Result<Vec<ConnectionSummary>> {
        let ids: Vec<Uuid> = connections.iter().map(|c| c.id.0).collect();
        let users: HashMap<Uuid, i64> = scim_user::Entity::find()
            .select_only()
            .column(scim_user::Column::ConnectionId)
            .column_as(scim_user::Column::Id.count(), "n")
            .filter(scim_user::Column::ConnectionId.is_in(ids.clone()))
            .group_by(scim_user::Column::ConnectionId)
            .into_tuple::<(Uuid, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let groups: HashMap<Uuid, i64> = scim_group::Entity::find()
            .select_only()
            .column(scim_group::Column::ConnectionId)
            .column_as(scim_group::Column::Id.count(), "n")
            .filter(scim_group::Column::ConnectionId.is_in(ids))
            .group_by(scim_group::Column::ConnectionId)
            .into_tuple::<(Uuid, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let count = |m: &HashMap<Uuid, i64>, id: Uuid| m.get(&id).copied().unwrap_or(0) as u64;
        Ok(connections
            .into_iter()
            .map(|connection| ConnectionSummary {
                user_count: count(&users, connection.id.0),
                group_count: count(&groups, connection.id.0),
                connection,
            })
            .collect())
    }
}

fn valid_connection_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::Invalid(
            "name must be 1 to 200 characters".into(),
        ));
    }
    Ok(name.to_string())
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
