//! What an operator does with deliveries: look at them and their attempts, replay one, recover
//! every failed delivery of an endpoint since a time, and send a test event.

use crate::entities::{delivery, delivery_attempt, event, webhook_endpoint};
use crate::error::{DomainError, Result};
use crate::ids::{DeliveryId, EndpointId, EventId, TenantId};
use crate::sender;
use crate::services::Services;
use crate::services::deliveries::DeliveryStatus;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;

/// One page of a list ordered newest first; `more` when older items follow the last one.
#[derive(Debug, Clone, Serialize)]
pub struct Slice<T> {
    pub items: Vec<T>,
    pub more: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryView {
    pub id: DeliveryId,
    pub event_id: EventId,
    pub event_type: String,
    pub endpoint_id: EndpointId,
    /// `pending`, `retrying`, `succeeded` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptView {
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    /// `timeout`, `connect`, `http_status`, `ssrf`, `signing`, … when it failed.
    pub error_class: Option<String>,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
}

impl From<delivery_attempt::Model> for AttemptView {
    fn from(m: delivery_attempt::Model) -> Self {
        Self {
            attempted_at: m.attempted_at,
            status_code: m.status_code,
            duration_ms: m.duration_ms,
            error_class: m.error_class,
            error: m.error,
            response_excerpt: m.response_excerpt,
        }
    }
}

/// A delivery with its event and every attempt, for the payload and response viewer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: DeliveryView,
    pub payload: serde_json::Value,
    pub attempts_log: Vec<AttemptView>,
}

/// What a test event did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestEventResult {
    pub msg_id: String,
    pub payload: serde_json::Value,
    pub succeeded: bool,
    pub attempt: AttemptView,
}

fn view(d: delivery::Model, event_type: String) -> DeliveryView {
    DeliveryView {
        id: d.id.into(),
        event_id: d.event_id.into(),
        event_type,
        endpoint_id: d.endpoint_id.into(),
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at,
        last_attempt_at: d.last_attempt_at,
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

impl Services {
    /// A delivery and its endpoint; a delivery to an endpoint not visible `within` the tenant
    /// is not found.
    async fn delivery_in(
        &self,
        id: DeliveryId,
        within: Option<TenantId>,
    ) -> Result<(delivery::Model, webhook_endpoint::Model)> {
        let d = delivery::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("delivery"))?;
        let endpoint = self
            .endpoint_model(d.endpoint_id.into(), within)
            .await
            .map_err(|_| DomainError::NotFound("delivery"))?;
        Ok((d, endpoint))
    }

    /// Deliveries of an endpoint, newest first, optionally of one status, older than `before`.
    pub async fn list_deliveries(
        &self,
        endpoint: EndpointId,
        within: Option<TenantId>,
        status: Option<DeliveryStatus>,
        before: Option<DeliveryId>,
        limit: u64,
    ) -> Result<Slice<DeliveryView>> {
        self.endpoint_model(endpoint, within).await?;
        let mut query = delivery::Entity::find()
            .filter(delivery::Column::EndpointId.eq(endpoint.0))
            .order_by_desc(delivery::Column::Id)
            .limit(limit + 1);
        if let Some(status) = status {
            query = query.filter(delivery::Column::Status.eq(status.as_str()));
        }
        if let Some(before) = before {
            query = query.filter(delivery::Column::Id.lt(before.0));
        }
        let mut rows = query.all(&self.db).await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let types: HashMap<uuid::Uuid, String> = event::Entity::find()
            .select_only()
            .columns([event::Column::Id, event::Column::EventType])
            .filter(event::Column::Id.is_in(rows.iter().map(|d| d.event_id)))
            .into_tuple::<(uuid::Uuid, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let items = rows
            .into_iter()
            .map(|d| {
                let event_type = types.get(&d.event_id).cloned().unwrap_or_default();
                view(d, event_type)
            })
            .collect();
        Ok(Slice { items, more })
    }

    /// A delivery with its payload and attempts (oldest first); `within` a tenant, only
    /// deliveries to that tenant's endpoints.
    pub async fn get_delivery(
        &self,
        id: DeliveryId,
        within: Option<TenantId>,
    ) -> Result<DeliveryDetail> {
        let (d, _) = self.delivery_in(id, within).await?;
        let event = event::Entity::find_by_id(d.event_id)
            .one(&self.db)
            .await?
            .ok_or(DomainError::NotFound("event"))?;
        let attempts = delivery_attempt::Entity::find()
            .filter(delivery_attempt::Column::DeliveryId.eq(id.0))
            .order_by_asc(delivery_attempt::Column::AttemptedAt)
            .order_by_asc(delivery_attempt::Column::Id)
            .all(&self.db)
            .await?;
        Ok(DeliveryDetail {
            delivery: view(d, event.event_type),
            payload: event.payload,
            attempts_log: attempts.into_iter().map(Into::into).collect(),
        })
    }

    /// Sends a delivery again, whatever its state (a succeeded one too: receivers dedupe on
    /// `webhook-id`). One attempt now; if it fails, the rest of the retry schedule applies.
    pub async fn replay_delivery(
        &self,
        id: DeliveryId,
        within: Option<TenantId>,
    ) -> Result<DeliveryView> {
        let (_, endpoint) = self.delivery_in(id, within).await?;
        if !endpoint.enabled {
            return Err(DomainError::Conflict(
                "the endpoint is disabled: enable it before replaying".into(),
            ));
        }
        self.requeue(delivery::Column::Id.eq(id.0)).await?;
        let detail = self.get_delivery(id, within).await?;
        Ok(detail.delivery)
    }

    /// Queues every failed delivery of the endpoint created at or after `since` for another
    /// attempt; returns how many.
    pub async fn recover_deliveries(
        &self,
        endpoint: EndpointId,
        within: Option<TenantId>,
        since: DateTime<Utc>,
    ) -> Result<u64> {
        let model = self.endpoint_model(endpoint, within).await?;
        if !model.enabled {
            return Err(DomainError::Conflict(
                "the endpoint is disabled: enable it before recovering".into(),
            ));
        }
        self.requeue(
            delivery::Column::EndpointId
                .eq(endpoint.0)
                .and(delivery::Column::Status.eq(DeliveryStatus::Failed.as_str()))
                .and(delivery::Column::CreatedAt.gte(since)),
        )
        .await
    }

    /// Makes the selected deliveries due now; the retry loop of a worker picks them up.
    async fn requeue(&self, which: sea_orm::sea_query::SimpleExpr) -> Result<u64> {
        let now = self.clock.now();
        let done = delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Status,
                DeliveryStatus::Pending.as_str().into(),
            )
            .col_expr(delivery::Column::NextAttemptAt, Some(now).into())
            .col_expr(delivery::Column::UpdatedAt, now.into())
            .filter(which)
            .exec(&self.db)
            .await?;
        self.retry_wake.notify_one();
        Ok(done.rows_affected)
    }

    /// Sends a sample `webhook.test` event to the endpoint now, signed like every delivery,
    /// and returns what happened (not stored as a delivery: it belongs to no connection).
    pub async fn send_test_event(
        &self,
        endpoint: EndpointId,
        within: Option<TenantId>,
    ) -> Result<TestEventResult> {
        let model = self.endpoint_model(endpoint, within).await?;
        let id = EventId::new();
        let payload = serde_json::json!({
            "id": id,
            "type": "webhook.test",
            "created_at": Utc::now(),
            "tenant_id": model.tenant_id,
            "tenant_external_id": null,
            "connection_id": null,
            "sequence": 0,
            "data": {
                "message": "A test event from Roster: your endpoint receives and verifies webhooks.",
                "endpoint_id": endpoint,
            },
        });
        let body = serde_json::to_vec(&payload).map_err(anyhow::Error::from)?;
        let client = sender::http_client(&self.config.webhook);
        let msg_id = id.to_string();
        let record = sender::send(&client, &self.config.webhook, &model, &msg_id, &body).await;
        Ok(TestEventResult {
            msg_id,
            payload,
            succeeded: record.outcome == crate::services::AttemptOutcome::Succeeded,
            attempt: AttemptView {
                attempted_at: Utc::now(),
                status_code: record.status_code.map(i32::from),
                duration_ms: i32::try_from(record.duration_ms).unwrap_or(i32::MAX),
                error_class: record.error_class,
                error: record.error,
                response_excerpt: record.response_excerpt,
            },
        })
    }
}
