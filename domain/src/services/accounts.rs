//! Operator and tenant-admin accounts (email + argon2id password) and login, throttled per
//! account and per client address (API keys: `api_keys.rs`; sessions: `sessions.rs`).

use crate::entities::account;
use crate::error::{DomainError, Result};
use crate::ids::{AccountId, TenantId, TenantScope};
use crate::secrets;
use crate::services::sessions::{SessionRole, SessionTokens};
use crate::services::{Services, all_into};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use std::sync::OnceLock;
use std::time::Duration;

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub id: AccountId,
    pub email: String,
    /// `operator` or `tenant_admin`.
    pub role: String,
    pub tenant_id: Option<TenantId>,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<account::Model> for AccountView {
    fn from(m: account::Model) -> Self {
        Self {
            id: m.id.into(),
            email: m.email_lower,
            role: m.role,
            tenant_id: m.tenant_id.map(Into::into),
            created_at: m.created_at,
            last_login_at: m.last_login_at,
        }
    }
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(DomainError::Invalid(format!(
            "password must be at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    if password.len() > 1024 {
        return Err(DomainError::Invalid("password is too long".into()));
    }
    Ok(())
}

async fn hash(password: String) -> Result<String> {
    Ok(
        tokio::task::spawn_blocking(move || secrets::hash_password(&password))
            .await
            .map_err(anyhow::Error::from)??,
    )
}

/// A hash to verify against when the email is unknown, so that the answer takes as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password("no account has this password").unwrap_or_default())
}

impl Services {
    pub async fn create_account(&self, new: NewAccount) -> Result<AccountView> {
        let email = new.email.trim().to_lowercase();
        if !email.contains('@') || email.len() > 254 {
            return Err(DomainError::Invalid("email is not an email address".into()));
        }
        check_password(&new.password)?;
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
        let hash = hash(new.password).await?;
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
        Ok(model.into())
    }

    /// Accounts `scope` may see (a tenant-restricted scope: its tenant admins), oldest first.
    pub async fn list_accounts(&self, scope: TenantScope) -> Result<Vec<AccountView>> {
        let mut query = account::Entity::find().order_by_asc(account::Column::CreatedAt);
        if let Some(tenant) = scope.restriction() {
            query = query.filter(account::Column::TenantId.eq(tenant.0));
        }
        all_into(query, &self.db).await
    }

    async fn account_in(&self, id: AccountId, scope: TenantScope) -> Result<account::Model> {
        account::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .filter(|a| match scope.restriction() {
                None => true,
                Some(t) => a.tenant_id == Some(t.0),
            })
            .ok_or(DomainError::NotFound("account"))
    }

    pub async fn get_account(&self, id: AccountId, scope: TenantScope) -> Result<AccountView> {
        self.account_in(id, scope).await.map(Into::into)
    }

    /// Deletes an account; its sessions end at once.
    pub async fn delete_account(&self, id: AccountId, scope: TenantScope) -> Result<()> {
        self.account_in(id, scope).await?;
        self.revoke_account_sessions(id, None).await?;
        account::Entity::delete_by_id(id.0).exec(&self.db).await?;
        Ok(())
    }

    /// Sets a new password; every session of the account but `keep` ends.
    pub async fn set_password(
        &self,
        id: AccountId,
        scope: TenantScope,
        password: String,
        keep: Option<uuid::Uuid>,
    ) -> Result<AccountView> {
        check_password(&password)?;
        let model = self.account_in(id, scope).await?;
        let mut update: account::ActiveModel = model.into();
        update.password_hash = Set(Some(hash(password).await?));
        let model = update.update(&self.db).await?;
        self.revoke_account_sessions(id, keep).await?;
        Ok(model.into())
    }

    /// Checks an email and password and starts a session. Failures are counted per account
    /// and per client address; past `auth.login_failures_per_*` within the window, attempts
    /// are refused with `RateLimited` until it ends. The answer never tells whether the email
    /// exists.
    pub async fn login(&self, email: &str, password: &str, ip: &str) -> Result<SessionTokens> {
        const INVALID: DomainError = DomainError::Unauthorized("wrong email or password");
        let email = email.trim().to_lowercase();
        let auth = &self.config.auth;
        let window = auth.login_window_secs;
        let now = Utc::now().timestamp().max(0) as u64;
        let slot = now / window;
        let retry_after = window - now % window;
        let keys = [
            (
                format!("login-fail:account:{email}:{slot}"),
                auth.login_failures_per_account,
            ),
            (
                format!("login-fail:ip:{ip}:{slot}"),
                auth.login_failures_per_ip,
            ),
        ];
        for (key, limit) in &keys {
            let failures: u64 = self
                .cache
                .get(key)
                .await?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if failures >= u64::from(*limit) {
                return Err(DomainError::RateLimited {
                    detail: format!("too many failed logins; try again in {retry_after} s"),
                    retry_after_secs: retry_after,
                });
            }
        }
        let model = account::Entity::find()
            .filter(account::Column::EmailLower.eq(email.as_str()))
            .one(&self.db)
            .await?;
        let phc = model
            .as_ref()
            .and_then(|m| m.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        let attempt = password.to_string();
        let verified =
            tokio::task::spawn_blocking(move || secrets::verify_password(&attempt, &phc))
                .await
                .map_err(anyhow::Error::from)?;
        let Some(model) = model.filter(|m| verified && m.password_hash.is_some()) else {
            for (key, _) in &keys {
                self.cache.incr(key, Duration::from_secs(window)).await?;
            }
            return Err(INVALID);
        };
        let role = SessionRole::parse(&model.role).ok_or(INVALID)?;
        account::Entity::update_many()
            .col_expr(account::Column::LastLoginAt, Some(Utc::now()).into())
            .filter(account::Column::Id.eq(model.id))
            .exec(&self.db)
            .await?;
        self.start_session(
            Some(model.id.into()),
            None,
            role,
            model.tenant_id.map(Into::into),
            &model.email_lower,
        )
        .await
    }
}
