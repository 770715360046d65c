//! Webhook endpoints: where events are delivered, with the secrets that sign them.

use crate::entities::webhook_endpoint;
use crate::error::{DomainError, Result};
use crate::events::{is_valid_pattern, type_matches};
use crate::ids::{EndpointId, TenantId};
use crate::services::Services;
use crate::signing;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    /// Patterns such as `user.created`, `user.*` or `*`.
    pub event_types: Vec<String>,
    /// Only this tenant's events, when set.
    pub tenant_id: Option<TenantId>,
}

/// One signing secret; several are valid at once during a rotation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningSecret {
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointView {
    pub id: EndpointId,
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub tenant_id: Option<TenantId>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
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
            created_at: m.created_at,
        }
    }
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

impl Services {
    /// Creates an endpoint; returns it with its first signing secret (`whsec_…`).
    pub async fn create_endpoint(&self, new: NewEndpoint) -> Result<(EndpointView, String)> {
        let url = validate_url(&new.url)?;
        crate::ssrf::check_url(&url, &self.config.webhook.allowed_networks)
            .await
            .map_err(|e| DomainError::Invalid(format!("url is not allowed: {e}")))?;
        if new.event_types.is_empty() {
            return Err(DomainError::Invalid(
                "event_types must name at least one event type or pattern".into(),
            ));
        }
        if let Some(bad) = new.event_types.iter().find(|p| !is_valid_pattern(p)) {
            return Err(DomainError::Invalid(format!(
                "`{bad}` is not an event type or pattern (e.g. user.created, user.*, *)"
            )));
        }
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
            event_types: Set(serde_json::to_value(&new.event_types).map_err(anyhow::Error::from)?),
            tenant_id: Set(new.tenant_id.map(|t| t.0)),
            enabled: Set(true),
            disabled_reason: Set(None),
            secrets: Set(serde_json::to_value(&secrets).map_err(anyhow::Error::from)?),
            ordered: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        Ok(((&model).into(), secret))
    }

    /// Enabled endpoints that want this event.
    pub async fn matching_endpoints(
        &self,
        tenant_id: TenantId,
        event_type: &str,
    ) -> Result<Vec<webhook_endpoint::Model>> {
        let enabled = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .all(&self.db)
            .await?;
        Ok(enabled
            .into_iter()
            .filter(|e| endpoint_matches(e, tenant_id, event_type))
            .collect())
    }
}
