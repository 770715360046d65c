//! Webhook endpoints: where events are delivered, with the secrets that sign them.

use crate::entities::{ordered_stream, webhook_endpoint};
use crate::error::{DomainError, Result};
use crate::events::{is_valid_pattern, type_matches};
use crate::ids::{EndpointId, TenantId};
use crate::services::Services;
use crate::services::deliveries::disable_endpoint_in;
use crate::signing;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    /// Patterns such as `user.created`, `user.*` or `*`.
    pub event_types: Vec<String>,
    /// Only this tenant's events, when set.
    pub tenant_id: Option<TenantId>,
    /// Events of one connection strictly in `sequence` order.
    pub ordered: bool,
    pub max_concurrency: Option<u32>,
    pub rate_limit_per_sec: Option<u32>,
}

/// A partial update: `None` leaves a field as it is; the double options clear with `Some(None)`.
#[derive(Debug, Clone, Default)]
pub struct EndpointUpdate {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub ordered: Option<bool>,
    pub max_concurrency: Option<Option<u32>>,
    pub rate_limit_per_sec: Option<Option<u32>>,
}

/// One signing secret; several are valid at once during a rotation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SigningSecret {
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointView {
    pub id: EndpointId,
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub tenant_id: Option<TenantId>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Start of the current run of failed attempts, if the last attempt failed.
    pub failing_since: Option<DateTime<Utc>>,
    pub ordered: bool,
    pub max_concurrency: Option<u32>,
    pub rate_limit_per_sec: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&webhook_endpoint::Model> for EndpointView {
    fn from(m: &webhook_endpoint::Model) -> Self {
        Self {
            id: m.id.into(),
            url: m.url.clone(),
            description: m.description.clone(),
            event_types: serde_json::from_value(m.event_types.clone()).unwrap_or_default(),
            tenant_id: m.tenant_id.map(Into::into),
            enabled: m.enabled,
            disabled_reason: m.disabled_reason.clone(),
            disabled_at: m.disabled_at,
            failing_since: m.failing_since,
            ordered: m.ordered,
            max_concurrency: m.max_concurrency.and_then(|n| u32::try_from(n).ok()),
            rate_limit_per_sec: m.rate_limit_per_sec.and_then(|n| u32::try_from(n).ok()),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The signing secrets of an endpoint as shown to its owner.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointSecrets {
    /// The newest secret: the one to configure in the receiver.
    pub current: String,
    /// Older secrets still signing until their expiry (during a rotation).
    pub previous: Vec<SigningSecret>,
}

/// The secrets of an endpoint that may sign at `now`.
pub fn signing_secrets(model: &webhook_endpoint::Model, now: DateTime<Utc>) -> Vec<String> {
    serde_json::from_value::<Vec<SigningSecret>>(model.secrets.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.expires_at.is_none_or(|e| e > now))
        .map(|s| s.secret)
        .collect()
}

/// Whether an endpoint wants an event of `event_type` from `tenant_id`.
pub fn endpoint_matches(
    model: &webhook_endpoint::Model,
    tenant_id: TenantId,
    event_type: &str,
) -> bool {
    let patterns: Vec<String> =
        serde_json::from_value(model.event_types.clone()).unwrap_or_default();
    model.enabled
        && model.tenant_id.is_none_or(|t| t == tenant_id.0)
        && patterns.iter().any(|p| type_matches(p, event_type))
}

fn validate_url(raw: &str) -> Result<url::Url> {
    // The URL parser silently drops tabs and newlines and trims spaces and control
    // characters; the URL is stored as given, so refuse them rather than store what was not
    // checked.
    if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(DomainError::Invalid(
            "url must not contain whitespace or control characters".into(),
        ));
    }
    let url = url::Url::parse(raw)
        .map_err(|e| DomainError::Invalid(format!("url is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(DomainError::Invalid(
            "url must be an http:// or https:// URL with a host".into(),
        ));
    }
    if url.username() != "" || url.password().is_some() {
        return Err(DomainError::Invalid(
            "url must not carry credentials; the signature authenticates deliveries".into(),
        ));
    }
    Ok(url)
}

fn validate_event_types(patterns: &[String]) -> Result<()> {
    if patterns.is_empty() {
        return Err(DomainError::Invalid(
            "event_types must name at least one event type or pattern".into(),
        ));
    }
    match patterns.iter().find(|p| !is_valid_pattern(p)) {
        Some(bad) => Err(DomainError::Invalid(format!(
            "`{bad}` is not an event type or pattern (e.g. user.created, user.*, *)"
        ))),
        None => Ok(()),
    }
}

fn validate_limit(name: &str, value: Option<u32>, max: u32) -> Result<Option<i32>> {
    match value {
        Some(n) if n == 0 || n > max => Err(DomainError::Invalid(format!(
            "{name} must be between 1 and {max}"
        ))),
        other => Ok(other.map(|n| n as i32)),
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(value).map_err(anyhow::Error::from)?)
}

/// The endpoint, if it exists and is visible `within` a tenant (`None`: every endpoint).
async fn endpoint_in<C: ConnectionTrait>(
    conn: &C,
    id: EndpointId,
    within: Option<TenantId>,
) -> Result<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .filter(|m| within.is_none_or(|t| m.tenant_id == Some(t.0)))
        .ok_or(DomainError::NotFound("endpoint"))
}

fn secrets_of(model: &webhook_endpoint::Model) -> Vec<SigningSecret> {
    serde_json::from_value(model.secrets.clone()).unwrap_or_default()
}

impl Services {
    async fn check_url(&self, raw: &str) -> Result<()> {
        let url = validate_url(raw)?;
        crate::ssrf::check_url(&url, &self.config.webhook.allowed_networks)
            .await
            .map_err(|e| DomainError::Invalid(format!("url is not allowed: {e}")))
    }

    /// Creates an endpoint; returns it with its first signing secret (`whsec_…`).
    pub async fn create_endpoint(&self, new: NewEndpoint) -> Result<(EndpointView, String)> {
        self.check_url(&new.url).await?;
        validate_event_types(&new.event_types)?;
        let max_concurrency = validate_limit("max_concurrency", new.max_concurrency, 1000)?;
        let rate_limit = validate_limit("rate_limit_per_sec", new.rate_limit_per_sec, 100_000)?;
        if let Some(tenant_id) = new.tenant_id {
            self.get_tenant(tenant_id).await?;
        }
        let now = Utc::now();
        let secret = signing::generate_secret();
        let secrets = vec![SigningSecret {
            secret: secret.clone(),
            created_at: now,
            expires_at: None,
        }];
        let model = webhook_endpoint::ActiveModel {
            id: Set(EndpointId::new().0),
            url: Set(new.url),
            description: Set(new.description),
            event_types: Set(to_json(&new.event_types)?),
            tenant_id: Set(new.tenant_id.map(|t| t.0)),
            enabled: Set(true),
            disabled_reason: Set(None),
            secrets: Set(to_json(&secrets)?),
            ordered: Set(new.ordered),
            max_concurrency: Set(max_concurrency),
            rate_limit_per_sec: Set(rate_limit),
            failing_since: Set(None),
            disabled_at: Set(None),
            ordered_since: Set(new.ordered.then_some(now)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        Ok(((&model).into(), secret))
    }

    /// The endpoint, if it exists and is visible `within` a tenant (`None`: every endpoint).
    pub(crate) async fn endpoint_model(
        &self,
        id: EndpointId,
        within: Option<TenantId>,
    ) -> Result<webhook_endpoint::Model> {
        endpoint_in(&self.db, id, within).await
    }

    pub async fn get_endpoint(
        &self,
        id: EndpointId,
        within: Option<TenantId>,
    ) -> Result<EndpointView> {
        Ok((&self.endpoint_model(id, within).await?).into())
    }

    /// Endpoints, oldest first; `within` a tenant: only that tenant's.
    pub async fn list_endpoints(&self, within: Option<TenantId>) -> Result<Vec<EndpointView>> {
        let mut query = webhook_endpoint::Entity::find().order_by_asc(webhook_endpoint::Column::Id);
        if let Some(t) = within {
            query = query.filter(webhook_endpoint::Column::TenantId.eq(t.0));
        }
        Ok(query.all(&self.db).await?.iter().map(Into::into).collect())
    }

    pub async fn update_endpoint(
        &self,
        id: EndpointId,
        within: Option<TenantId>,
        update: EndpointUpdate,
    ) -> Result<EndpointView> {
        let current = self.endpoint_model(id, within).await?;
        let now = Utc::now();
        let mut model: webhook_endpoint::ActiveModel = current.clone().into();
        if let Some(url) = update.url {
            self.check_url(&url).await?;
            model.url = Set(url);
        }
        if let Some(description) = update.description {
            model.description = Set(description);
        }
        if let Some(types) = update.event_types {
            validate_event_types(&types)?;
            model.event_types = Set(to_json(&types)?);
        }
        if let Some(limit) = update.max_concurrency {
            model.max_concurrency = Set(validate_limit("max_concurrency", limit, 1000)?);
        }
        if let Some(limit) = update.rate_limit_per_sec {
            model.rate_limit_per_sec = Set(validate_limit("rate_limit_per_sec", limit, 100_000)?);
        }
        if let Some(ordered) = update.ordered
            && ordered != current.ordered
        {
            model.ordered = Set(ordered);
            model.ordered_since = Set(ordered.then_some(now));
            // Positions of an earlier ordered period are stale.
            ordered_stream::Entity::delete_many()
                .filter(ordered_stream::Column::EndpointId.eq(id.0))
                .exec(&self.db)
                .await?;
        }
        model.updated_at = Set(now);
        Ok((&model.update(&self.db).await?).into())
    }

    pub async fn delete_endpoint(&self, id: EndpointId, within: Option<TenantId>) -> Result<()> {
        self.endpoint_model(id, within).await?;
        webhook_endpoint::Entity::delete_by_id(id.0)
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Enables an endpoint again (after a 410, continuous failures or an operator's disable);
    /// its failure clock restarts. Failed deliveries stay failed: recover them explicitly.
    pub async fn enable_endpoint(
        &self,
        id: EndpointId,
        within: Option<TenantId>,
    ) -> Result<EndpointView> {
        let mut model: webhook_endpoint::ActiveModel =
            self.endpoint_model(id, within).await?.into();
        model.enabled = Set(true);
        model.disabled_reason = Set(None);
        model.disabled_at = Set(None);
        model.failing_since = Set(None);
        model.updated_at = Set(Utc::now());
        Ok((&model.update(&self.db).await?).into())
    }

    pub async fn disable_endpoint(
        &self,
        id: EndpointId,
        within: Option<TenantId>,
        reason: &str,
    ) -> Result<EndpointView> {
        self.endpoint_model(id, within).await?;
        disable_endpoint_in(&self.db, id.0, reason, Utc::now()).await?;
        self.get_endpoint(id, within).await
    }

    pub async fn endpoint_secrets(
        &self,
        id: EndpointId,
        within: Option<TenantId>,
    ) -> Result<EndpointSecrets> {
        let model = self.endpoint_model(id, within).await?;
        let now = Utc::now();
        let mut live: Vec<SigningSecret> = secrets_of(&model)
            .into_iter()
            .filter(|s| s.expires_at.is_none_or(|e| e > now))
            .collect();
        live.sort_by_key(|s| s.created_at);
        let current = live.pop().ok_or(DomainError::NotFound("secret"))?;
        Ok(EndpointSecrets {
            current: current.secret,
            previous: live,
        })
    }

    /// Rotates the signing secret: the new one signs at once; the previous ones keep signing
    /// for `overlap_hours` (default `webhook.secret_rotation_overlap_hours`; 0 ends them now),
    /// so receivers verify throughout. Returns the new secret.
    pub async fn rotate_endpoint_secret(
        &self,
        id: EndpointId,
        within: Option<TenantId>,
        overlap_hours: Option<u32>,
    ) -> Result<String> {
        let hours = overlap_hours.unwrap_or(self.config.webhook.secret_rotation_overlap_hours);
        if hours > 24 * 30 {
            return Err(DomainError::Invalid(
                "overlap_hours must be at most 720 (30 days)".into(),
            ));
        }
        let txn = self.begin_write().await?;
        let model = endpoint_in(&txn, id, within).await?;
        let now = Utc::now();
        let until = now + chrono::Duration::hours(i64::from(hours));
        let mut secrets: Vec<SigningSecret> = secrets_of(&model)
            .into_iter()
            .filter(|s| s.expires_at.is_none_or(|e| e > now))
            .map(|mut s| {
                s.expires_at = Some(s.expires_at.map_or(until, |e| e.min(until)));
                s
            })
            .filter(|s| s.expires_at.is_some_and(|e| e > now))
            .collect();
        let secret = signing::generate_secret();
        secrets.push(SigningSecret {
            secret: secret.clone(),
            created_at: now,
            expires_at: None,
        });
        let mut active: webhook_endpoint::ActiveModel = model.into();
        active.secrets = Set(to_json(&secrets)?);
        active.updated_at = Set(now);
        active.update(&txn).await?;
        txn.commit().await?;
        Ok(secret)
    }

    /// Enabled endpoints that want this event. Only the deployment's and this tenant's are
    /// read: with an endpoint per tenant, every event would otherwise read all of them.
    pub async fn matching_endpoints(
        &self,
        tenant_id: TenantId,
        event_type: &str,
    ) -> Result<Vec<webhook_endpoint::Model>> {
        let enabled = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .filter(
                Condition::any()
                    .add(webhook_endpoint::Column::TenantId.is_null())
                    .add(webhook_endpoint::Column::TenantId.eq(tenant_id.0)),
            )
            .all(&self.db)
            .await?;
        Ok(enabled
            .into_iter()
            .filter(|e| endpoint_matches(e, tenant_id, event_type))
            .collect())
    }
}
