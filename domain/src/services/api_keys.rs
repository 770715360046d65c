//! API keys for the B2B app's backend: `rk_…` secrets stored as SHA-256, with a scope (full or
//! read-only) and an optional tenant restriction. Lookups go through the bearer cache shared
//! with SCIM tokens (`bearer.rs`), so a revocation is refused at once on every instance.

use crate::entities::api_key;
use crate::error::{DomainError, Result};
use crate::ids::{ApiKeyId, TenantId, TenantScope};
use crate::secrets;
use crate::services::scim_tokens::USAGE_WRITE_EVERY;
use crate::services::{Services, all_into};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Prefix that makes a leaked API key recognisable.
pub const API_KEY_PREFIX: &str = "rk_";
/// How long an authenticated key stays cached (a revocation overrides it at once).
const KEY_CACHE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyScope {
    Full,
    ReadOnly,
}

impl ApiKeyScope {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "full" => Some(Self::Full),
            "read_only" | "read-only" => Some(Self::ReadOnly),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::ReadOnly => "read_only",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub scope: ApiKeyScope,
    pub tenant_id: Option<TenantId>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_key::Model> for ApiKeyView {
    fn from(m: api_key::Model) -> Self {
        Self {
            id: m.id.into(),
            name: m.name,
            prefix: m.prefix,
            // Only `create_api_key` writes the column; an unknown value grants the least.
            scope: ApiKeyScope::parse(&m.scope).unwrap_or(ApiKeyScope::ReadOnly),
            tenant_id: m.tenant_id.map(Into::into),
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedApiKey {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// The secret. Shown once; only its hash is stored.
    pub secret: String,
}

/// An authenticated API key: what the management API's principal is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyAuth {
    pub key_id: ApiKeyId,
    /// The key's name and prefix, for the audit log.
    #[serde(default)]
    pub label: String,
    pub scope: ApiKeyScope,
    pub tenant_id: Option<TenantId>,
}

impl ApiKeyAuth {
    pub fn tenant_scope(&self) -> TenantScope {
        match self.tenant_id {
            Some(t) => TenantScope::Tenant(t),
            None => TenantScope::All,
        }
    }
}

fn cache_key(hash: &str) -> String {
    format!("apikey:{hash}")
}

impl Services {
    pub async fn create_api_key(
        &self,
        name: &str,
        scope: ApiKeyScope,
        tenant_id: Option<TenantId>,
    ) -> Result<IssuedApiKey> {
        if name.trim().is_empty() {
            return Err(DomainError::Invalid("name must not be empty".into()));
        }
        if let Some(t) = tenant_id {
            self.get_tenant(t).await?;
        }
        let secret = secrets::generate(API_KEY_PREFIX);
        let model = api_key::ActiveModel {
            id: Set(ApiKeyId::new().0),
            name: Set(name.trim().to_string()),
            key_hash: Set(secret.hash),
            prefix: Set(secret.prefix),
            scope: Set(scope.as_str().into()),
            tenant_id: Set(tenant_id.map(|t| t.0)),
            created_at: Set(Utc::now()),
            last_used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(IssuedApiKey {
            key: model.into(),
            secret: secret.plaintext,
        })
    }

    /// Every key `scope` may see, revoked ones included, oldest first.
    pub async fn list_api_keys(&self, scope: TenantScope) -> Result<Vec<ApiKeyView>> {
        let mut query = api_key::Entity::find()
            .order_by_asc(api_key::Column::CreatedAt)
            .order_by_asc(api_key::Column::Id);
        if let Some(tenant) = scope.restriction() {
            query = query.filter(api_key::Column::TenantId.eq(tenant.0));
        }
        all_into(query, &self.db).await
    }

    /// Revokes a key (idempotent; a key of another tenant than `within` does not exist).
    /// From the moment this returns, no instance accepts it.
    pub async fn revoke_api_key(
        &self,
        id: ApiKeyId,
        within: Option<TenantId>,
    ) -> Result<ApiKeyView> {
        let key = api_key::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .filter(|k| within.is_none_or(|t| k.tenant_id == Some(t.0)))
            .ok_or(DomainError::NotFound("API key"))?;
        api_key::Entity::update_many()
            .col_expr(api_key::Column::RevokedAt, Utc::now().into())
            .filter(api_key::Column::Id.eq(key.id))
            .filter(api_key::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        self.revoke_cached_secret(&cache_key(&key.key_hash), KEY_CACHE)
            .await?;
        api_key::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .map(Into::into)
            .ok_or(DomainError::NotFound("API key"))
    }

    /// Resolves an `rk_…` bearer secret. Unknown, malformed or revoked: `Unauthorized`.
    pub async fn authenticate_api_key(&self, bearer: &str) -> Result<ApiKeyAuth> {
        const INVALID: DomainError = DomainError::Unauthorized("invalid API key");
        if !bearer.starts_with(API_KEY_PREFIX) {
            return Err(INVALID);
        }
        let hash = secrets::hash_token(bearer);
        let key = self
            .cached_secret(&cache_key(&hash), KEY_CACHE, || self.load_api_key(&hash))
            .await?
            .ok_or(INVALID)?;
        let limit = self.config.limits.api_requests_per_sec;
        self.within_rate("API key", &key.key_id.to_string(), limit)
            .await?;
        let used = format!("apikey-used:{}", key.key_id);
        if self.first_use_within(&used, USAGE_WRITE_EVERY).await? {
            api_key::Entity::update_many()
                .col_expr(api_key::Column::LastUsedAt, Utc::now().into())
                .filter(api_key::Column::Id.eq(key.key_id.0))
                .exec(&self.db)
                .await?;
        }
        Ok(key)
    }

    async fn load_api_key(&self, hash: &str) -> Result<Option<ApiKeyAuth>> {
        Ok(api_key::Entity::find()
            .filter(api_key::Column::KeyHash.eq(hash))
            .filter(api_key::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
            .map(|m| {
                let view = ApiKeyView::from(m);
                ApiKeyAuth {
                    label: format!("{} ({}…)", view.name, view.prefix),
                    key_id: view.id,
                    scope: view.scope,
                    tenant_id: view.tenant_id,
                }
            }))
    }
}
