//! Sessions of operators (email + password) and IT admins (setup links): a short-lived access
//! token (a JWT, HS256) plus a refresh token that rotates on each use (docs/adr/0006).
//!
//! - Access tokens carry the session id (`sid`); every request checks the session through the
//!   bearer cache (cache-aside, tombstone on revocation), so logout, account deletion or a
//!   password change refuse its tokens at once on every instance, before they expire.
//! - Refresh tokens are `rt_<session id>.<secret>`; only the SHA-256 of the current secret is
//!   stored. A superseded secret presented again means the token was copied: the session is
//!   revoked.
//! - Signing keys come from `auth.jwt_signing_key` (and `jwt_previous_keys`, verify only), or
//!   are generated once and kept in the `settings` table. The `kid` header names the key.

use crate::entities::{session, setting};
use crate::error::{DomainError, Result};
use crate::ids::{AccountId, TenantId, TenantScope};
use crate::secrets;
use crate::services::Services;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const ISSUER: &str = "roster";
const AUDIENCE: &str = "roster-api";
pub(crate) const REFRESH_PREFIX: &str = "rt_";
const GENERATED_KEY: &str = "session_signing_key";
/// How long a checked session stays cached (revocation overrides it at once).
const SESSION_CACHE: Duration = Duration::from_secs(60);

/// What a session may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionRole {
    /// The B2B app's staff: every tenant.
    Operator,
    /// A customer's IT admin: one tenant.
    TenantAdmin,
}

impl SessionRole {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "operator" => Some(Self::Operator),
            "tenant_admin" => Some(Self::TenantAdmin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::TenantAdmin => "tenant_admin",
        }
    }
}

/// An authenticated session: what the management API's principal is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionAuth {
    pub session_id: Uuid,
    /// The account logged in; `None` for an IT admin who came through a setup link.
    pub account_id: Option<AccountId>,
    pub role: SessionRole,
    pub tenant_id: Option<TenantId>,
    /// The account's email, or `setup link`.
    pub label: String,
}

impl SessionAuth {
    pub fn tenant_scope(&self) -> TenantScope {
        match (self.role, self.tenant_id) {
            (SessionRole::Operator, None) => TenantScope::All,
            (_, Some(t)) => TenantScope::Tenant(t),
            // A tenant admin without a tenant cannot exist; grant nothing.
            (SessionRole::TenantAdmin, None) => TenantScope::Tenant(TenantId(Uuid::nil())),
        }
    }
}

/// A new session's (or a refreshed one's) tokens.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionTokens {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires; refresh before.
    pub expires_in: u64,
    /// Exchange at `POST /api/v1/auth/refresh` for new tokens (each works once).
    pub refresh_token: String,
    pub session: SessionAuth,
    /// When the session ends, refresh or not.
    pub session_expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    sid: Uuid,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// The keys in effect: one signs, all verify.
pub(crate) struct SessionKeys {
    signing_kid: String,
    signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
}

fn kid(key: &str) -> String {
    secrets::hash_token(key)[..12].to_string()
}

impl SessionKeys {
    fn new(signing: &str, previous: &[String]) -> Self {
        let verifying = std::iter::once(signing)
            .chain(previous.iter().map(String::as_str))
            .map(|k| (kid(k), DecodingKey::from_secret(k.as_bytes())))
            .collect();
        Self {
            signing_kid: kid(signing),
            signing: EncodingKey::from_secret(signing.as_bytes()),
            verifying,
        }
    }
}

fn session_cache_key(id: Uuid) -> String {
    format!("session:{id}")
}

impl Services {
    async fn session_keys(&self) -> Result<Arc<SessionKeys>> {
        self.session_keys
            .get_or_try_init(|| async {
                let auth = &self.config.auth;
                let signing = match &auth.jwt_signing_key {
                    Some(key) => key.clone(),
                    None => self.generated_signing_key().await?,
                };
                Ok::<_, DomainError>(Arc::new(SessionKeys::new(
                    &signing,
                    &auth.jwt_previous_keys,
                )))
            })
            .await
            .cloned()
    }

    /// The key generated at first start (every instance reads the same row).
    async fn generated_signing_key(&self) -> Result<String> {
        let candidate = secrets::generate("").plaintext;
        setting::Entity::insert(setting::ActiveModel {
            name: Set(GENERATED_KEY.into()),
            value: Set(candidate),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(setting::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        let row = setting::Entity::find_by_id(GENERATED_KEY.to_string())
            .one(&self.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the session signing key was not stored"))?;
        tracing::warn!(
            "no auth.jwt_signing_key configured: sessions are signed with a key generated and \
             stored in the database; configure one in production"
        );
        Ok(row.value)
    }

    /// Starts a session and returns its first tokens.
    pub(crate) async fn start_session(
        &self,
        account_id: Option<AccountId>,
        setup_link_id: Option<Uuid>,
        role: SessionRole,
        tenant_id: Option<TenantId>,
        label: &str,
    ) -> Result<SessionTokens> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let refresh = secrets::generate("");
        let expires_at = now + ChronoDuration::hours(self.config.auth.session_ttl_hours as i64);
        session::ActiveModel {
            id: Set(id),
            account_id: Set(account_id.map(|a| a.0)),
            setup_link_id: Set(setup_link_id),
            role: Set(role.as_str().into()),
            tenant_id: Set(tenant_id.map(|t| t.0)),
            label: Set(label.into()),
            refresh_hash: Set(refresh.hash),
            created_at: Set(now),
            refreshed_at: Set(now),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        let auth = SessionAuth {
            session_id: id,
            account_id,
            role,
            tenant_id,
            label: label.into(),
        };
        self.tokens(auth, &refresh.plaintext, expires_at).await
    }

    async fn tokens(
        &self,
        session: SessionAuth,
        refresh_secret: &str,
        session_expires_at: DateTime<Utc>,
    ) -> Result<SessionTokens> {
        let keys = self.session_keys().await?;
        let now = Utc::now();
        let ttl = self.config.auth.access_token_ttl_secs;
        let exp = Ord::min(
            now + ChronoDuration::seconds(ttl as i64),
            session_expires_at,
        );
        let claims = Claims {
            sub: session
                .account_id
                .map_or_else(|| "setup-link".into(), |a| a.to_string()),
            sid: session.session_id,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: exp.timestamp(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(keys.signing_kid.clone());
        let access_token = jsonwebtoken::encode(&header, &claims, &keys.signing)
            .map_err(|e| anyhow::anyhow!("signing a session token: {e}"))?;
        Ok(SessionTokens {
            access_token,
            token_type: "Bearer",
            expires_in: (exp - now).num_seconds().max(0) as u64,
            refresh_token: format!("{REFRESH_PREFIX}{}.{refresh_secret}", session.session_id),
            session,
            session_expires_at,
        })
    }

    /// Verifies an access token and that its session is still live.
    pub async fn authenticate_session(&self, token: &str) -> Result<SessionAuth> {
        let keys = self.session_keys().await?;
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| DomainError::Unauthorized("malformed session token"))?;
        let key = header
            .kid
            .as_ref()
            .and_then(|kid| keys.verifying.get(kid))
            .ok_or(DomainError::Unauthorized(
                "the session token was signed with a key no longer accepted; log in again",
            ))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 5;
        let claims = jsonwebtoken::decode::<Claims>(token, key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => DomainError::Unauthorized(
                    "the session token has expired; refresh it or log in again",
                ),
                _ => DomainError::Unauthorized("invalid session token"),
            })?
            .claims;
        let sid = claims.sid;
        self.cached_secret(&session_cache_key(sid), SESSION_CACHE, || {
            self.load_live_session(sid)
        })
        .await?
        .ok_or(DomainError::Unauthorized(
            "the session has ended; log in again",
        ))
    }

    async fn load_live_session(&self, id: Uuid) -> Result<Option<SessionAuth>> {
        let now = Utc::now();
        Ok(session::Entity::find_by_id(id)
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await?
            .and_then(|m| session_auth(&m)))
    }

    /// Exchanges a refresh token for new tokens; the old one stops working. A superseded
    /// refresh token presented again revokes the session.
    pub async fn refresh_session(&self, refresh_token: &str) -> Result<SessionTokens> {
        const INVALID: DomainError = DomainError::Unauthorized("invalid refresh token");
        let (id, secret) = refresh_token
            .strip_prefix(REFRESH_PREFIX)
            .and_then(|rest| rest.split_once('.'))
            .ok_or(INVALID)?;
        let id: Uuid = id.parse().map_err(|_| INVALID)?;
        let model = session::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(INVALID)?;
        if model.revoked_at.is_some() || model.expires_at <= Utc::now() {
            return Err(DomainError::Unauthorized(
                "the session has ended; log in again",
            ));
        }
        let presented = secrets::hash_token(secret);
        let next = secrets::generate("");
        let rotated = session::Entity::update_many()
            .col_expr(session::Column::RefreshHash, next.hash.clone().into())
            .col_expr(session::Column::RefreshedAt, Utc::now().into())
            .filter(session::Column::Id.eq(id))
            .filter(session::Column::RefreshHash.eq(presented))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        if !rotated {
            tracing::warn!(session = %id, "a superseded refresh token was presented; session revoked");
            self.revoke_sessions(&[id]).await?;
            return Err(DomainError::Unauthorized(
                "this refresh token was already used; the session is revoked, log in again",
            ));
        }
        let auth = session_auth(&model).ok_or(INVALID)?;
        self.tokens(auth, &next.plaintext, model.expires_at).await
    }

    /// Ends sessions at once, on every instance.
    pub async fn revoke_sessions(&self, ids: &[Uuid]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Some(Utc::now()).into())
            .filter(session::Column::Id.is_in(ids.iter().copied()))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        for id in ids {
            self.revoke_cached_secret(&session_cache_key(*id), SESSION_CACHE)
                .await?;
        }
        Ok(())
    }

    /// Ends every live session of an account (all but `keep`, if given).
    pub async fn revoke_account_sessions(
        &self,
        account: AccountId,
        keep: Option<Uuid>,
    ) -> Result<()> {
        let ids: Vec<Uuid> = session::Entity::find()
            .filter(session::Column::AccountId.eq(account.0))
            .filter(session::Column::RevokedAt.is_null())
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .filter(|id| Some(*id) != keep)
            .collect();
        self.revoke_sessions(&ids).await
    }
}

fn session_auth(m: &session::Model) -> Option<SessionAuth> {
    Some(SessionAuth {
        session_id: m.id,
        account_id: m.account_id.map(Into::into),
        role: SessionRole::parse(&m.role)?,
        tenant_id: m.tenant_id.map(Into::into),
        label: m.label.clone(),
    })
}
