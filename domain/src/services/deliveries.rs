//! Deliveries (one event to one endpoint) and their attempts.

use crate::entities::{delivery, delivery_attempt, event, webhook_endpoint};
use crate::error::{DomainError, Result};
use crate::events::EventEnvelope;
use crate::ids::{DeliveryId, EventId};
use crate::services::Services;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TryInsertResult,
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

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Retrying, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == s)
    }

    /// Succeeded or failed: nothing more happens to it unless replayed.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
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

/// What recording an attempt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub status: DeliveryStatus,
    /// The endpoint was disabled by this attempt (410, or failing for too long).
    pub endpoint_disabled: bool,
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
    /// Creates the deliveries of `event` to `endpoints` (one statement) and returns the ones
    /// this caller attempts now: the new ones, plus any a previous handler of the same message
    /// created but never attempted and whose lease has run out (a redelivered bus message must
    /// not send twice). Each returned delivery is leased for [`CLAIM_LEASE_SECS`]: if this
    /// worker dies before recording the attempt, the retry loop of any worker takes it over.
    /// Deliveries to endpoints in `queued` (endpoints that already have deliveries waiting for
    /// a free slot) are created due and left to the retry loop, which takes them in order.
    ///
    /// The new rows come back from the insert itself (`RETURNING`), so the common case is one
    /// atomic statement: no failure can leave rows created and leased that this caller does
    /// not know it holds (they would wait for their lease to run out). Only a redelivered
    /// message finds rows that exist already; if looking at those fails, the new ones are still
    /// returned and the old ones stay with the retry loop.
    pub async fn begin_deliveries(
        &self,
        event: EventId,
        endpoints: &[Uuid],
        queued: &[Uuid],
    ) -> Result<Vec<(Uuid, DeliveryId)>> {
        if endpoints.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.clock.now();
        let lease = now + ChronoDuration::seconds(CLAIM_LEASE_SECS);
        let fresh: HashMap<Uuid, Uuid> = endpoints
            .iter()
            .map(|endpoint| (*endpoint, DeliveryId::new().0))
            .collect();
        let inserted = delivery::Entity::insert_many(fresh.iter().map(|(endpoint, id)| {
            delivery::ActiveModel {
                id: Set(*id),
                event_id: Set(event.0),
                endpoint_id: Set(*endpoint),
                status: Set(DeliveryStatus::Pending.as_str().into()),
                attempts: Set(0),
                next_attempt_at: Set(Some(if queued.contains(endpoint) {
                    now
                } else {
                    lease
                })),
                last_attempt_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
        }))
        .on_conflict_do_nothing_on([delivery::Column::EventId, delivery::Column::EndpointId])
        .exec_with_returning_keys(&self.db)
        .await?;
        let created: Vec<Uuid> = match inserted {
            TryInsertResult::Inserted(ids) => ids,
            TryInsertResult::Empty | TryInsertResult::Conflicted => Vec::new(),
        };
        let mut mine: Vec<(Uuid, DeliveryId)> = fresh
            .iter()
            .filter(|(endpoint, id)| created.contains(id) && !queued.contains(endpoint))
            .map(|(endpoint, id)| (*endpoint, (*id).into()))
            .collect();
        if created.len() < endpoints.len() {
            match self
                .take_abandoned(event, endpoints, &created, now, lease)
                .await
            {
                Ok(abandoned) => mine.extend(abandoned),
                Err(err) => tracing::warn!(
                    error = %err,
                    %event,
                    "could not take over a redelivered event's unattempted deliveries; \
                     they wait for their lease"
                ),
            }
        }
        Ok(mine)
    }

    /// Deliveries of `event` a previous handler created (not in `created`) but never attempted
    /// and whose lease has run out, leased again for this caller.
    async fn take_abandoned(
        &self,
        event: EventId,
        endpoints: &[Uuid],
        created: &[Uuid],
        now: DateTime<Utc>,
        lease: DateTime<Utc>,
    ) -> Result<Vec<(Uuid, DeliveryId)>> {
        let rows = delivery::Entity::find()
            .filter(delivery::Column::EventId.eq(event.0))
            .filter(delivery::Column::EndpointId.is_in(endpoints.iter().copied()))
            .filter(delivery::Column::Id.is_not_in(created.iter().copied()))
            .filter(delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .filter(delivery::Column::Attempts.eq(0))
            .filter(delivery::Column::NextAttemptAt.lte(now))
            .all(&self.db)
            .await?;
        let mut taken = Vec::with_capacity(rows.len());
        for row in rows {
            if take_lease(&self.db, row.id, now, lease).await? {
                taken.push((row.endpoint_id, row.id.into()));
            }
        }
        Ok(taken)
    }

    /// Marks an event as handed to every matching endpoint (deliveries or ordered streams
    /// exist). Only the in-process bus needs it: see [`Services::requeue_undispatched`].
    pub async fn mark_dispatched(&self, event: EventId) -> Result<()> {
        event::Entity::update_many()
            .col_expr(event::Column::DispatchedAt, Some(Utc::now()).into())
            .filter(event::Column::Id.eq(event.0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The in-process bus loses what it held when the process stops: events it was given but
    /// had not dispatched are marked unpublished again at start, so the relay hands them over
    /// once more (dispatch is idempotent). Returns how many.
    pub async fn requeue_undispatched(&self) -> Result<u64> {
        let done = event::Entity::update_many()
            .col_expr(
                event::Column::PublishedAt,
                Option::<DateTime<Utc>>::None.into(),
            )
            .filter(event::Column::PublishedAt.is_not_null())
            .filter(event::Column::DispatchedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected)
    }

    /// Puts an unattempted or retrying delivery back to wait `delay` (its endpoint is busy or
    /// over its rate limit); no attempt is recorded.
    pub async fn defer_delivery(&self, id: DeliveryId, delay: ChronoDuration) -> Result<()> {
        delivery::Entity::update_many()
            .col_expr(
                delivery::Column::NextAttemptAt,
                Some(self.clock.now() + delay).into(),
            )
            .filter(delivery::Column::Id.eq(id.0))
            .filter(delivery::Column::Status.is_in([
                DeliveryStatus::Pending.as_str(),
                DeliveryStatus::Retrying.as_str(),
            ]))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Records an attempt and moves the delivery on, atomically: succeeded; retrying with the
    /// next attempt scheduled; failed when the schedule is exhausted; failed with the endpoint
    /// disabled on 410. Failures also run the endpoint's continuous-failure clock: an endpoint
    /// with no success for `webhook.disable_after_failing_hours` is disabled.
    pub async fn record_attempt(&self, id: DeliveryId, attempt: AttemptRecord) -> Result<Recorded> {
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
        let endpoint = current.endpoint_id;
        let endpoint_disabled = match attempt.outcome {
            AttemptOutcome::Succeeded => {
                endpoint_update(endpoint)
                    .col_expr(
                        webhook_endpoint::Column::FailingSince,
                        Option::<DateTime<Utc>>::None.into(),
                    )
                    .filter(webhook_endpoint::Column::FailingSince.is_not_null())
                    .exec(&txn)
                    .await?;
                false
            }
            AttemptOutcome::Gone => {
                let reason = format!("the endpoint answered 410 Gone at {now}");
                disable_endpoint_in(&txn, endpoint, &reason, now).await?
            }
            AttemptOutcome::Retry { .. } => self.failure_clock(&txn, endpoint, now).await?,
        };
        txn.commit().await?;
        Ok(Recorded {
            status,
            endpoint_disabled,
        })
    }

    /// Records many successful attempts in one transaction (three statements whatever their
    /// number): the worker batches the successes that finish while a batch commits, which is
    /// most of them under load. Failures take [`Services::record_attempt`].
    pub async fn record_successes(
        &self,
        batch: &[(DeliveryId, Uuid, AttemptRecord)],
    ) -> Result<()> {
        debug_assert!(
            batch
                .iter()
                .all(|(_, _, a)| a.outcome == AttemptOutcome::Succeeded)
        );
        if batch.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let txn = self.begin_write().await?;
        delivery_attempt::Entity::insert_many(batch.iter().map(|(id, _, attempt)| {
            delivery_attempt::ActiveModel {
                id: Set(Uuid::now_v7()),
                delivery_id: Set(id.0),
                attempted_at: Set(now),
                status_code: Set(attempt.status_code.map(i32::from)),
                duration_ms: Set(i32::try_from(attempt.duration_ms).unwrap_or(i32::MAX)),
                error_class: Set(None),
                error: Set(None),
                response_excerpt: Set(attempt.response_excerpt.clone()),
            }
        }))
        .exec_without_returning(&txn)
        .await?;
        delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Status,
                DeliveryStatus::Succeeded.as_str().into(),
            )
            .col_expr(
                delivery::Column::Attempts,
                Expr::col(delivery::Column::Attempts).add(1),
            )
            .col_expr(delivery::Column::LastAttemptAt, now.into())
            .col_expr(
                delivery::Column::NextAttemptAt,
                Option::<DateTime<Utc>>::None.into(),
            )
            .col_expr(delivery::Column::UpdatedAt, now.into())
            .filter(delivery::Column::Id.is_in(batch.iter().map(|(id, _, _)| id.0)))
            .exec(&txn)
            .await?;
        webhook_endpoint::Entity::update_many()
            .col_expr(
                webhook_endpoint::Column::FailingSince,
                Option::<DateTime<Utc>>::None.into(),
            )
            .filter(webhook_endpoint::Column::Id.is_in(batch.iter().map(|(_, e, _)| *e)))
            .filter(webhook_endpoint::Column::FailingSince.is_not_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Starts the endpoint's failure clock if it is not running, and disables the endpoint
    /// when it has run longer than allowed. True when this disabled it.
    async fn failure_clock(
        &self,
        txn: &DatabaseTransaction,
        endpoint: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        endpoint_update(endpoint)
            .col_expr(webhook_endpoint::Column::FailingSince, Some(now).into())
            .filter(webhook_endpoint::Column::FailingSince.is_null())
            .exec(txn)
            .await?;
        let hours = self.config.webhook.disable_after_failing_hours;
        if hours == 0 {
            return Ok(false);
        }
        let since = now - ChronoDuration::hours(i64::from(hours));
        let stale = webhook_endpoint::Entity::find_by_id(endpoint)
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .filter(webhook_endpoint::Column::FailingSince.lte(since))
            .one(txn)
            .await?;
        match stale {
            Some(model) => {
                let reason = format!(
                    "every attempt failed for more than {hours} hours (since {})",
                    model.failing_since.unwrap_or(since)
                );
                disable_endpoint_in(txn, endpoint, &reason, now).await
            }
            None => Ok(false),
        }
    }

    /// Claims up to `limit` deliveries that are due, for this worker only (`SKIP LOCKED` on
    /// Postgres; the claim is a lease, see [`CLAIM_LEASE_SECS`]): retries whose time has come,
    /// deliveries deferred because their endpoint was busy, replays, and first attempts whose
    /// worker died. Deliveries whose endpoint was disabled meanwhile are failed instead.
    /// `skip_endpoints` are endpoints this worker has no free slot for (they stay due for
    /// other workers, and for this one once a slot frees up).
    pub async fn claim_due_deliveries(
        &self,
        limit: u64,
        skip_endpoints: &[Uuid],
    ) -> Result<Vec<DueDelivery>> {
        let now = self.clock.now();
        let txn = self.begin_write().await?;
        let mut query = delivery::Entity::find()
            .filter(delivery::Column::Status.is_in([
                DeliveryStatus::Pending.as_str(),
                DeliveryStatus::Retrying.as_str(),
            ]))
            .filter(delivery::Column::NextAttemptAt.lte(now))
            .order_by_asc(delivery::Column::NextAttemptAt)
            .limit(limit);
        if !skip_endpoints.is_empty() {
            query = query
                .filter(delivery::Column::EndpointId.is_not_in(skip_endpoints.iter().copied()));
        }
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

fn endpoint_update(id: Uuid) -> sea_orm::UpdateMany<webhook_endpoint::Entity> {
    webhook_endpoint::Entity::update_many().filter(webhook_endpoint::Column::Id.eq(id))
}

/// Disables an enabled endpoint with a reason; true when this call disabled it.
pub(crate) async fn disable_endpoint_in<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = endpoint_update(id)
        .col_expr(webhook_endpoint::Column::Enabled, false.into())
        .col_expr(
            webhook_endpoint::Column::DisabledReason,
            Some(reason.to_string()).into(),
        )
        .col_expr(webhook_endpoint::Column::DisabledAt, Some(now).into())
        .col_expr(webhook_endpoint::Column::UpdatedAt, now.into())
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .exec(conn)
        .await?;
    if done.rows_affected == 1 {
        tracing::warn!(endpoint = %id, %reason, "webhook endpoint disabled");
    }
    Ok(done.rows_affected == 1)
}

/// Moves an expired lease (or due time) to `lease`, only if nobody else did meanwhile.
async fn take_lease(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
    lease: DateTime<Utc>,
) -> Result<bool> {
    let taken = delivery::Entity::update_many()
        .col_expr(delivery::Column::NextAttemptAt, Some(lease).into())
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
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
