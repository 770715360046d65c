//! SCIM bearer tokens: issued once, stored hashed, cached after the first lookup.

use crate::entities::{connection, scim_token, tenant};
use crate::error::{DomainError, Result};
use crate::events;
use crate::ids::{ConnectionCtx, ConnectionId, ScimTokenId, TenantId};
use crate::secrets;
use crate::services::{Services, all_into};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;

/// Prefix that makes a leaked SCIM token recognisable.
pub const TOKEN_PREFIX: &str = "scim_";
/// At most one "last used" write per token per this long.
pub(crate) const USAGE_WRITE_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedScimToken {
    pub id: ScimTokenId,
    pub connection_id: ConnectionId,
    /// The bearer secret. Shown once; only its hash is stored.
    pub token: String,
    pub prefix: String,
    pub scim_base_url: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A SCIM token as listed: never the secret.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScimTokenView {
    pub id: ScimTokenId,
    pub connection_id: ConnectionId,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Updated at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<scim_token::Model> for ScimTokenView {
    fn from(m: scim_token::Model) -> Self {
        Self {
            id: m.id.into(),
            connection_id: m.connection_id.into(),
            prefix: m.prefix,
            created_at: m.created_at,
            expires_at: m.expires_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// What the token cache keeps for an authenticated token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedToken {
    token_id: ScimTokenId,
    ctx: ConnectionCtx,
    expires_at: Option<DateTime<Utc>>,
    connection_state: String,
}

pub(crate) fn cache_key(hash: &str) -> String {
    format!("scimtok:{hash}")
}

impl Services {
    pub async fn issue_scim_token(
        &self,
        connection_id: ConnectionId,
        valid_for: Option<ChronoDuration>,
    ) -> Result<IssuedScimToken> {
        let conn = self.get_connection(connection_id).await?;
        let secret = secrets::generate(TOKEN_PREFIX);
        let now = Utc::now();
        let expires_at = valid_for.map(|d| now + d);
        let model = scim_token::ActiveModel {
            id: Set(ScimTokenId::new().0),
            connection_id: Set(connection_id.0),
            token_hash: Set(secret.hash),
            prefix: Set(secret.prefix.clone()),
            created_at: Set(now),
            expires_at: Set(expires_at),
            last_used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(IssuedScimToken {
            id: model.id.into(),
            connection_id,
            token: secret.plaintext,
            prefix: secret.prefix,
            scim_base_url: conn.scim_base_url,
            expires_at,
        })
    }

    /// Every token of a connection (visible `within` a tenant, if given), revoked ones
    /// included, oldest first.
    pub async fn list_scim_tokens(
        &self,
        connection_id: ConnectionId,
        within: Option<TenantId>,
    ) -> Result<Vec<ScimTokenView>> {
        self.get_connection_in(connection_id, within).await?;
        let query = scim_token::Entity::find()
            .filter(scim_token::Column::ConnectionId.eq(connection_id.0))
            .order_by_asc(scim_token::Column::CreatedAt)
            .order_by_asc(scim_token::Column::Id);
        all_into(query, &self.db).await
    }

    /// Revokes a token (idempotent). From the moment this returns, no instance accepts it.
    pub async fn revoke_scim_token(
        &self,
        id: ScimTokenId,
        within: Option<TenantId>,
    ) -> Result<ScimTokenView> {
        let token = scim_token::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("SCIM token"))?;
        self.get_connection_in(token.connection_id.into(), within)
            .await
            .map_err(|_| DomainError::NotFound("SCIM token"))?;
        scim_token::Entity::update_many()
            .col_expr(scim_token::Column::RevokedAt, Utc::now().into())
            .filter(scim_token::Column::Id.eq(token.id))
            .filter(scim_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        let ttl = Duration::from_secs(self.config.scim.token_cache_secs);
        self.revoke_cached_secret(&cache_key(&token.token_hash), ttl)
            .await?;
        scim_token::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .map(Into::into)
            .ok_or(DomainError::NotFound("SCIM token"))
    }

    /// Resolves a bearer token for a request to `/scim/v2/{path_connection}`. A token that is
    /// unknown, revoked, expired, for another connection, or for an inactive connection is
    /// `Unauthorized` (never a hint that the connection exists).
    pub async fn authenticate_scim(
        &self,
        path_connection: ConnectionId,
        bearer: &str,
    ) -> Result<ConnectionCtx> {
        let hash = secrets::hash_token(bearer);
        let ttl = Duration::from_secs(self.config.scim.token_cache_secs);
        let token = self
            .cached_secret(&cache_key(&hash), ttl, || self.load_token(&hash))
            .await?
            .ok_or(DomainError::Unauthorized("invalid bearer token"))?;
        if token.expires_at.is_some_and(|e| e <= Utc::now()) {
            return Err(DomainError::Unauthorized("the bearer token has expired"));
        }
        if token.ctx.connection_id != path_connection {
            return Err(DomainError::Unauthorized("invalid bearer token"));
        }
        if !matches!(token.connection_state.as_str(), "pending" | "active") {
            return Err(DomainError::Unauthorized("this connection is not active"));
        }
        let limit = self.config.limits.scim_requests_per_sec;
        self.within_rate("SCIM token", &token.token_id.to_string(), limit)
            .await?;
        self.record_usage(&token).await?;
        Ok(token.ctx)
    }

    async fn load_token(&self, hash: &str) -> Result<Option<CachedToken>> {
        let Some(token) = scim_token::Entity::find()
            .filter(scim_token::Column::TokenHash.eq(hash))
            .filter(scim_token::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let Some(conn) = connection::Entity::find_by_id(token.connection_id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let tenant = tenant::Entity::find_by_id(conn.tenant_id)
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("tenant"))?;
        Ok(Some(CachedToken {
            token_id: token.id.into(),
            ctx: ConnectionCtx {
                tenant_id: TenantId(tenant.id),
                tenant_external_id: tenant.external_id,
                connection_id: ConnectionId(conn.id),
            },
            expires_at: token.expires_at,
            connection_state: conn.state,
        }))
    }

    /// Throttled bookkeeping of token and connection use; the first request of a pending
    /// connection activates it (and emits `connection.activated`).
    async fn record_usage(&self, token: &CachedToken) -> Result<()> {
        let key = format!("scimtok-used:{}", token.token_id);
        if !self.first_use_within(&key, USAGE_WRITE_EVERY).await? {
            return Ok(());
        }
        let now = Utc::now();
        scim_token::Entity::update_many()
            .col_expr(scim_token::Column::LastUsedAt, now.into())
            .filter(scim_token::Column::Id.eq(token.token_id.0))
            .exec(&self.db)
            .await?;
        let ctx = &token.ctx;
        let txn = self.begin_write().await?;
        let activated = connection::Entity::update_many()
            .col_expr(connection::Column::State, "active".into())
            .col_expr(connection::Column::UpdatedAt, now.into())
            .filter(connection::Column::Id.eq(ctx.connection_id.0))
            .filter(connection::Column::State.eq("pending"))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        connection::Entity::update_many()
            .col_expr(connection::Column::LastRequestAt, now.into())
            .filter(connection::Column::Id.eq(ctx.connection_id.0))
            .exec(&txn)
            .await?;
        if activated {
            let data = json!({
                "object": "connection",
                "id": ctx.connection_id,
                "tenant_id": ctx.tenant_id,
                "state": "active",
            });
            events::append(&txn, ctx, "connection.activated", data, None).await?;
        }
        txn.commit().await?;
        if activated {
            self.events_committed();
        }
        Ok(())
    }
}
