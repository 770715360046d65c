//! Operator / tenant-admin accounts and API keys.

use crate::entities::{account, api_key};
use crate::error::{DomainError, Result};
use crate::ids::{AccountId, ApiKeyId, TenantId};
use crate::secrets;
use crate::services::Services;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, Set};
use serde::Serialize;

/// Prefix that makes a leaked API key recognisable.
pub const API_KEY_PREFIX: &str = "rk_";
const MIN_PASSWORD_LEN: usize = 12;

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    /// `operator` or `tenant_admin` (the latter requires `tenant_id`).
    pub role: String,
    pub tenant_id: Option<TenantId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub scope: ApiKeyScope,
    pub tenant_id: Option<TenantId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssuedApiKey {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// The secret. Shown once; only its hash is stored.
    pub secret: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub id: AccountId,
    pub email: String,
    pub role: String,
    pub tenant_id: Option<TenantId>,
    pub created_at: DateTime<Utc>,
}

impl Services {
    pub async fn create_account(&self, new: NewAccount) -> Result<AccountView> {
        let email = new.email.trim().to_lowercase();
        if !email.contains('@') || email.len() > 254 {
            return Err(DomainError::Invalid("email is not an email address".into()));
        }
        if new.password.chars().count() < MIN_PASSWORD_LEN {
            return Err(DomainError::Invalid(format!(
                "password must be at least {MIN_PASSWORD_LEN} characters"
            )));
        }
        match (new.role.as_str(), new.tenant_id) {
            ("operator", None) => {}
            ("tenant_admin", Some(t)) => {
                self.get_tenant(t).await?;
            }
            _ => {
                return Err(DomainError::Invalid(
                    "role must be `operator` (no tenant) or `tenant_admin` (with a tenant)".into(),
                ));
            }
        }
        let password = new.password;
        let hash = tokio::task::spawn_blocking(move || secrets::hash_password(&password))
            .await
            .map_err(anyhow::Error::from)??;
        let model = account::ActiveModel {
            id: Set(AccountId::new().0),
            email_lower: Set(email),
            password_hash: Set(Some(hash)),
            role: Set(new.role),
            tenant_id: Set(new.tenant_id.map(|t| t.0)),
            created_at: Set(Utc::now()),
            last_login_at: Set(None),
        }
        .insert(&self.db)
        .await
        .map_err(|e| DomainError::from_db_unique(e, "an account with this email already exists"))?;
        Ok(AccountView {
            id: model.id.into(),
            email: model.email_lower,
            role: model.role,
            tenant_id: model.tenant_id.map(Into::into),
            created_at: model.created_at,
        })
    }

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
            key: ApiKeyView {
                id: model.id.into(),
                name: model.name,
                prefix: model.prefix,
                scope,
                tenant_id: model.tenant_id.map(Into::into),
                created_at: model.created_at,
            },
            secret: secret.plaintext,
        })
    }
}
