//! Setup links: the app hands one to a customer's IT admin; opening it gives a tenant-admin
//! session for that tenant only. The token is random, stored hashed; a single-use link is
//! consumed atomically (of two concurrent redemptions exactly one wins).

use crate::entities::setup_link;
use crate::error::{DomainError, Result};
use crate::ids::{TenantId, TenantScope};
use crate::secrets;
use crate::services::sessions::{SessionRole, SessionTokens};
use crate::services::{Services, all_into};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use uuid::Uuid;

pub(crate) const LINK_PREFIX: &str = "sl_";
pub const MAX_LINK_HOURS: u32 = 720;

#[derive(Debug, Clone)]
pub struct NewSetupLink {
    pub expires_in_hours: u32,
    pub single_use: bool,
    pub return_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupLinkView {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub single_use: bool,
    /// Where the admin UI sends the IT admin when done.
    pub return_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub use_count: i32,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<setup_link::Model> for SetupLinkView {
    fn from(m: setup_link::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id.into(),
            single_use: m.single_use,
            return_url: m.return_url,
            created_at: m.created_at,
            expires_at: m.expires_at,
            used_at: m.used_at,
            use_count: m.use_count,
            revoked_at: m.revoked_at,
        }
    }
}

/// A new link: `url` is shown once.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedSetupLink {
    #[serde(flatten)]
    pub link: SetupLinkView,
    /// Send this to the IT admin; it opens the setup portal.
    pub url: String,
}

fn valid_return_url(url: Option<String>) -> Result<Option<String>> {
    let Some(url) = url else { return Ok(None) };
    let parsed = url::Url::parse(&url)
        .map_err(|e| DomainError::Invalid(format!("return_url is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || url.len() > 2048 {
        return Err(DomainError::Invalid(
            "return_url must be an http(s) URL of at most 2048 characters".into(),
        ));
    }
    Ok(Some(url))
}

impl Services {
    pub async fn create_setup_link(
        &self,
        tenant: TenantId,
        scope: TenantScope,
        new: NewSetupLink,
    ) -> Result<IssuedSetupLink> {
        if !scope.allows(tenant) {
            return Err(DomainError::NotFound("tenant"));
        }
        self.get_tenant(tenant).await?;
        if !(1..=MAX_LINK_HOURS).contains(&new.expires_in_hours) {
            return Err(DomainError::Invalid(format!(
                "expires_in_hours must be between 1 and {MAX_LINK_HOURS}"
            )));
        }
        let return_url = valid_return_url(new.return_url)?;
        let secret = secrets::generate(LINK_PREFIX);
        let now = Utc::now();
        let model = setup_link::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant.0),
            token_hash: Set(secret.hash),
            single_use: Set(new.single_use),
            return_url: Set(return_url),
            created_at: Set(now),
            expires_at: Set(now + ChronoDuration::hours(i64::from(new.expires_in_hours))),
            used_at: Set(None),
            use_count: Set(0),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(IssuedSetupLink {
            link: model.into(),
            url: format!(
                "{}/admin/setup/{}",
                self.config.public_url(),
                secret.plaintext
            ),
        })
    }

    /// A tenant's links, newest first.
    pub async fn list_setup_links(
        &self,
        tenant: TenantId,
        scope: TenantScope,
    ) -> Result<Vec<SetupLinkView>> {
        if !scope.allows(tenant) {
            return Err(DomainError::NotFound("tenant"));
        }
        self.get_tenant(tenant).await?;
        let query = setup_link::Entity::find()
            .filter(setup_link::Column::TenantId.eq(tenant.0))
            .order_by_desc(setup_link::Column::CreatedAt);
        all_into(query, &self.db).await
    }

    /// Revokes a link (idempotent); sessions it already gave keep their own lifetime.
    pub async fn revoke_setup_link(&self, id: Uuid, scope: TenantScope) -> Result<SetupLinkView> {
        let link = setup_link::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .filter(|l| scope.allows(l.tenant_id.into()))
            .ok_or(DomainError::NotFound("setup link"))?;
        if link.revoked_at.is_some() {
            return Ok(link.into());
        }
        let mut update: setup_link::ActiveModel = link.into();
        update.revoked_at = Set(Some(Utc::now()));
        Ok(update.update(&self.db).await?.into())
    }

    /// Redeems a link's token for a tenant-admin session. Unknown, expired, revoked or
    /// already used (single-use) links are refused alike.
    pub async fn redeem_setup_link(&self, token: &str) -> Result<(SetupLinkView, SessionTokens)> {
        const INVALID: DomainError = DomainError::Unauthorized(
            "this setup link is invalid, expired or already used; ask for a new one",
        );
        if !token.starts_with(LINK_PREFIX) || token.len() > 128 {
            return Err(INVALID);
        }
        let hash = secrets::hash_token(token);
        let now = Utc::now();
        let consumed = setup_link::Entity::update_many()
            .col_expr(setup_link::Column::UsedAt, Some(now).into())
            .col_expr(
                setup_link::Column::UseCount,
                Expr::col(setup_link::Column::UseCount).add(1),
            )
            .filter(setup_link::Column::TokenHash.eq(hash.as_str()))
            .filter(setup_link::Column::RevokedAt.is_null())
            .filter(setup_link::Column::ExpiresAt.gt(now))
            .filter(
                Condition::any()
                    .add(setup_link::Column::SingleUse.eq(false))
                    .add(setup_link::Column::UsedAt.is_null()),
            )
            .exec(&self.db)
            .await?
            .rows_affected
            == 1;
        if !consumed {
            return Err(INVALID);
        }
        let link = setup_link::Entity::find()
            .filter(setup_link::Column::TokenHash.eq(hash))
            .one(&self.db)
            .await?
            .ok_or(INVALID)?;
        let tokens = self
            .start_session(
                None,
                Some(link.id),
                SessionRole::TenantAdmin,
                Some(link.tenant_id.into()),
                "setup link",
            )
            .await?;
        Ok((link.into(), tokens))
    }
}
