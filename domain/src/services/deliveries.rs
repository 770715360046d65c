//! Deliveries (one event to one endpoint) and their attempts.

use crate::entities::{delivery, delivery_attempt, event, webhook_endpoint};
use crate::error::{DomainError, Result};
use crate::events::EventEnvelope;
use crate::ids::{DeliveryId, EndpointId, EventId};
use crate::services::Services;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr,
};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    /// Failed at least once; `next_attempt_at` says when it is tried again.
    Retrying,
    Succeeded,
    /// Retries exhausted, or the endpoint is gone; kept for replay.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Retrying => "retrying",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// What one attempt says about the delivery's future.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx.
    Succeeded,
    /// 410 Gone: the endpoint is disabled, no retry.
    Gone,
    /// Anything else (429, 5xx, other 4xx, timeouts, connection errors): retry on schedule;
    /// `retry_after` is the endpoint's `Retry-After`, if it sent one.
    Retry { retry_after_secs: Option<u64> },
}

/// How long a claimed retry stays reserved for the worker that claimed it; a worker that dies
/// mid-attempt leaves it to be claimed again after this.
pub const CLAIM_LEASE_SECS: i64 = 120;

/// A retry that is due, claimed for one worker.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub delivery: DeliveryId,
    pub endpoint: webhook_endpoint::Model,
    pub event: EventEnvelope,
}

/// The outcome of one HTTP attempt, as recorded.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub status_code: Option<u16>,
    pub duration_ms: u32,
    /// `timeout`, `connect`, `http_status`, `signing`, … when the attempt failed.
    pub error_class: Option<String>,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
    pub outcome: AttemptOutcome,
}

/// The delay before retry number `retry` (0-based), ±10% jitter so that many deliveries
/// failing together do not come back together; `Retry-After` is honoured up to `max`.
pub fn retry_delay(
    schedule: &[u64],
    retry: usize,
    retry_after: Option<u64>,
    max: u64,
) -> Option<ChronoDuration> {
    let base = *schedule.get(retry)?;
    let wanted = Ord::max(retry_after.map_or(0, |r| Ord::min(r, max)), base) as f64 * 1000.0;
    let jittered = wanted * (1.0 + 0.1 * (rand::random::<f64>() * 2.0 - 1.0));
    Some(ChronoDuration::milliseconds(jittered.round() as i64))
}

impl Services {
    /// The delivery of `event` to `endpoint`, created if new. `None` when it was already
    /// attempted (a redelivered bus message must not send twice).
    pub async fn begin_delivery(
        &self,
        event: EventId,
        endpoint: EndpointId,
    ) -> Result<Option<DeliveryId>> {
        let now = Utc::now();
        let inserted = delivery::ActiveModel {
            id: Set(DeliveryId::new().0),
            event_id: Set(event.0),
            endpoint_id: Set(endpoint.0),
            status: Set(DeliveryStatus::Pending.as_str().into()),
            attempts: Set(0),
            next_attempt_at: Set(Some(now)),
            last_attempt_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await;
        match inserted {
            Ok(model) => Ok(Some(model.id.into())),
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                let existing = delivery::Entity::find()
                    .filter(delivery::Column::EventId.eq(event.0))
                    .filter(delivery::Column::EndpointId.eq(endpoint.0))
                    .one(&self.db)
                    .await?
                    .ok_or(DomainError::NotFound("delivery"))?;
                // Only a delivery never attempted is attempted here; retries follow their
                // schedule (a redelivered bus message must not add an attempt).
                Ok(
                    (existing.status == DeliveryStatus::Pending.as_str() && existing.attempts == 0)
                        .then_some(existing.id.into()),
                )
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Records an attempt and moves the delivery on, atomically: succeeded; retrying with the
    /// next attempt scheduled; failed when the schedule is exhausted; failed with the endpoint
    /// disabled on 410.
    pub async fn record_attempt(
        &self,
        id: DeliveryId,
        attempt: AttemptRecord,
    ) -> Result<DeliveryStatus> {
        let now = self.clock.now();
        let txn = self.begin_write().await?;
        let current = delivery::Entity::find_by_id(id.0)
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound("delivery"))?;
        let hooks = &self.config.webhook;
        let (status, next) = match attempt.outcome {
            AttemptOutcome::Succeeded => (DeliveryStatus::Succeeded, None),
            AttemptOutcome::Gone => (DeliveryStatus::Failed, None),
            AttemptOutcome::Retry { retry_after_secs } => {
                let retry = usize::try_from(current.attempts).unwrap_or(0);
                match retry_delay(
                    &hooks.retry_schedule_secs,
                    retry,
                    retry_after_secs,
                    hooks.max_retry_after_secs,
                ) {
                    Some(delay) => (DeliveryStatus::Retrying, Some(now + delay)),
                    None => (DeliveryStatus::Failed, None),
                }
            }
        };
        delivery_attempt::ActiveModel {
            id: Set(Uuid::now_v7()),
            delivery_id: Set(id.0),
            attempted_at: Set(now),
            status_code: Set(attempt.status_code.map(i32::from)),
            duration_ms: Set(i32::try_from(attempt.duration_ms).unwrap_or(i32::MAX)),
            error_class: Set(attempt.error_class),
            error: Set(attempt.error),
            response_excerpt: Set(attempt.response_excerpt),
        }
        .insert(&txn)
        .await?;
        delivery::Entity::update_many()
            .col_expr(delivery::Column::Status, status.as_str().into())
            .col_expr(
                delivery::Column::Attempts,
                Expr::col(delivery::Column::Attempts).add(1),
            )
            .col_expr(delivery::Column::LastAttemptAt, now.into())
            .col_expr(delivery::Column::NextAttemptAt, next.into())
            .col_expr(delivery::Column::UpdatedAt, now.into())
            .filter(delivery::Column::Id.eq(id.0))
            .exec(&txn)
            .await?;
        if attempt.outcome == AttemptOutcome::Gone {
            webhook_endpoint::Entity::update_many()
                .col_expr(webhook_endpoint::Column::Enabled, false.into())
                .col_expr(
                    webhook_endpoint::Column::DisabledReason,
                    Some(format!("the endpoint answered 410 Gone at {now}")).into(),
                )
                .col_expr(webhook_endpoint::Column::UpdatedAt, now.into())
                .filter(webhook_endpoint::Column::Id.eq(current.endpoint_id))
                .exec(&txn)
                .await?;
            tracing::warn!(endpoint = %current.endpoint_id, "endpoint answered 410 Gone; disabled");
        }
        txn.commit().await?;
        Ok(status)
    }

    /// Claims up to `limit` retries that are due, for this worker only (`SKIP LOCKED` on
    /// Postgres; the claim is a lease, see [`CLAIM_LEASE_SECS`]). Deliveries whose endpoint was
    /// disabled meanwhile are failed instead of claimed.
    pub async fn claim_due_deliveries(&self, limit: u64) -> Result<Vec<DueDelivery>> {
        let now = self.clock.now();
        let txn = self.begin_write().await?;
        let mut query = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(DeliveryStatus::Retrying.as_str()))
            .filter(delivery::Column::NextAttemptAt.lte(now))
            .order_by_asc(delivery::Column::NextAttemptAt)
            .limit(limit);
        if txn.get_database_backend() == DbBackend::Postgres {
            query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let due = query.all(&txn).await?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        delivery::Entity::update_many()
            .col_expr(
                delivery::Column::NextAttemptAt,
                Some(now + ChronoDuration::seconds(CLAIM_LEASE_SECS)).into(),
            )
            .filter(delivery::Column::Id.is_in(due.iter().map(|d| d.id)))
            .exec(&txn)
            .await?;
        let endpoints: HashMap<Uuid, webhook_endpoint::Model> = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Id.is_in(due.iter().map(|d| d.endpoint_id)))
            .all(&txn)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let events: HashMap<Uuid, event::Model> = event::Entity::find()
            .filter(event::Column::Id.is_in(due.iter().map(|d| d.event_id)))
            .all(&txn)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let mut claimed = Vec::with_capacity(due.len());
        let mut dropped = Vec::new();
        for d in due {
            match (endpoints.get(&d.endpoint_id), events.get(&d.event_id)) {
                (Some(endpoint), Some(event)) if endpoint.enabled => claimed.push(DueDelivery {
                    delivery: d.id.into(),
                    endpoint: endpoint.clone(),
                    event: serde_json::from_value(event.payload.clone())
                        .map_err(anyhow::Error::from)?,
                }),
                _ => dropped.push(d.id),
            }
        }
        if !dropped.is_empty() {
            delivery::Entity::update_many()
                .col_expr(
                    delivery::Column::Status,
                    DeliveryStatus::Failed.as_str().into(),
                )
                .col_expr(
                    delivery::Column::NextAttemptAt,
                    Option::<DateTime<Utc>>::None.into(),
                )
                .filter(delivery::Column::Id.is_in(dropped))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(claimed)
    }
}

#[cfg(test)]
mod tests {
    use super::retry_delay;

    #[test]
    fn retry_delays_follow_the_schedule_with_bounded_jitter_and_retry_after() {
        let schedule = [5, 300];
        for _ in 0..100 {
            let d = retry_delay(&schedule, 0, None, 3600)
                .unwrap()
                .num_milliseconds();
            assert!((4500..=5500).contains(&d), "{d}");
        }
        let d = retry_delay(&schedule, 1, None, 3600).unwrap().num_seconds();
        assert!((270..=330).contains(&d));
        // Retry-After raises the delay, within the cap; it never shortens the schedule.
        let d = retry_delay(&schedule, 0, Some(60), 3600)
            .unwrap()
            .num_seconds();
        assert!((54..=66).contains(&d));
        let d = retry_delay(&schedule, 0, Some(99_999), 100)
            .unwrap()
            .num_seconds();
        assert!((90..=110).contains(&d));
        let d = retry_delay(&schedule, 1, Some(1), 3600)
            .unwrap()
            .num_seconds();
        assert!(d >= 270);
        assert!(
            retry_delay(&schedule, 2, None, 3600).is_none(),
            "schedule exhausted"
        );
    }
}
