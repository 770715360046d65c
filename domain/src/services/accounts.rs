//! Operator / tenant-admin accounts (API keys: `api_keys.rs`).

use crate::entities::account;
use crate::error::{DomainError, Result};
use crate::ids::{AccountId, TenantId};
use crate::secrets;
use crate::services::Services;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, Set};
use serde::Serialize;

const MIN_PASSWORD_LEN: usize = 12;

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    /// `operator` or `tenant_admin` (the latter requires `tenant_id`).
    pub role: String,
    pub tenant_id: Option<TenantId>,
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
}
