//! Ordered delivery: for an endpoint with `ordered = true`, the events of one connection are
//! delivered strictly in `sequence` order, one at a time, and a failing event holds back the
//! later events of its connection only (other connections, other endpoints move on).
//!
//! Each (endpoint, connection) pair has a stream row: `settled_seq` (every event up to it is
//! settled or not wanted) and a lease on the event in flight. Events are read from the outbox
//! table, not from the bus: sequences of a connection are committed in order (the sequence is
//! bumped under the connection's row lock), so the next event after `settled_seq` is known as
//! soon as it is committed, whatever order the bus hands messages out in. The stream row is
//! locked while the next event is chosen, so two workers never send for the same pair at once.
//! An event whose retries are exhausted is failed and releases the stream (kept for replay).

use crate::entities::{connection_sequence, delivery, event, ordered_stream, webhook_endpoint};
use crate::error::Result;
use crate::events::EventEnvelope;
use crate::ids::{ConnectionId, DeliveryId, EndpointId};
use crate::services::Services;
use crate::services::deliveries::{CLAIM_LEASE_SECS, DeliveryStatus};
use crate::services::endpoint_matches;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockType, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// Events read per step while looking for the next one to send.
const SCAN: u64 = 200;

/// The next event of a stream, leased to the caller for one attempt.
#[derive(Debug, Clone)]
pub struct StreamJob {
    pub delivery: DeliveryId,
    pub endpoint: webhook_endpoint::Model,
    pub event: EventEnvelope,
}

#[derive(Debug, FromQueryResult)]
struct StreamKey {
    endpoint_id: Uuid,
    connection_id: Uuid,
}

impl Services {
    /// Creates the stream of (endpoint, connection) if it does not exist: events committed
    /// before the endpoint became ordered are not owed in order.
    pub async fn ensure_stream(
        &self,
        endpoint: &webhook_endpoint::Model,
        connection: ConnectionId,
    ) -> Result<()> {
        let since = endpoint.ordered_since.unwrap_or(endpoint.created_at);
        let before: Option<i64> = event::Entity::find()
            .select_only()
            .column_as(event::Column::Sequence.max(), "max")
            .filter(event::Column::ConnectionId.eq(connection.0))
            .filter(event::Column::CreatedAt.lt(since))
            .into_tuple::<Option<i64>>()
            .one(&self.db)
            .await?
            .flatten();
        ordered_stream::Entity::insert(ordered_stream::ActiveModel {
            endpoint_id: Set(endpoint.id),
            connection_id: Set(connection.0),
            settled_seq: Set(before.unwrap_or(0)),
            in_flight_event: Set(None),
            lease_until: Set(None),
            updated_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([
                ordered_stream::Column::EndpointId,
                ordered_stream::Column::ConnectionId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// The next event of the stream to attempt, leased to the caller; `None` when the stream
    /// is caught up, leased by another worker, or held by a delivery waiting for its retry.
    /// Settled deliveries and unwanted events are skipped as it goes.
    pub async fn next_in_stream(
        &self,
        endpoint: EndpointId,
        connection: ConnectionId,
    ) -> Result<Option<StreamJob>> {
        let now = self.clock.now();
        let txn = self.begin_write().await?;
        let mut find = ordered_stream::Entity::find_by_id((endpoint.0, connection.0));
        if txn.get_database_backend() == DbBackend::Postgres {
            // Waits for a worker that is settling the same stream, so its choice is seen.
            find = find.lock(LockType::Update);
        }
        let Some(stream) = find.one(&txn).await? else {
            return Ok(None);
        };
        let leased =
            stream.in_flight_event.is_some() && stream.lease_until.is_some_and(|l| l > now);
        let Some(model) = webhook_endpoint::Entity::find_by_id(endpoint.0)
            .one(&txn)
            .await?
        else {
            return Ok(None);
        };
        if leased || !model.enabled || !model.ordered {
            return Ok(None);
        }
        let mut settled = stream.settled_seq;
        let mut job = None;
        'scan: loop {
            let events = event::Entity::find()
                .filter(event::Column::ConnectionId.eq(connection.0))
                .filter(event::Column::Sequence.gt(settled))
                .order_by_asc(event::Column::Sequence)
                .limit(SCAN)
                .all(&txn)
                .await?;
            for row in &events {
                let tenant = row.tenant_id.into();
                if !endpoint_matches(&model, tenant, &row.event_type) {
                    settled = row.sequence;
                    continue;
                }
                let existing = delivery::Entity::find()
                    .filter(delivery::Column::EventId.eq(row.id))
                    .filter(delivery::Column::EndpointId.eq(endpoint.0))
                    .one(&txn)
                    .await?;
                let status = existing
                    .as_ref()
                    .and_then(|d| DeliveryStatus::parse(&d.status));
                match status {
                    Some(s) if s.is_settled() => settled = row.sequence,
                    // Held until the retry loop has attempted it again.
                    Some(DeliveryStatus::Retrying) => break 'scan,
                    _ => {
                        let id = match existing {
                            Some(d) => d.id,
                            None => create_delivery(&txn, row.id, endpoint.0, now).await?,
                        };
                        job = Some(StreamJob {
                            delivery: id.into(),
                            endpoint: model.clone(),
                            event: serde_json::from_value(row.payload.clone())
                                .map_err(anyhow::Error::from)?,
                        });
                        break 'scan;
                    }
                }
            }
            if (events.len() as u64) < SCAN {
                break;
            }
        }
        let mut update: ordered_stream::ActiveModel = stream.into();
        update.settled_seq = Set(settled);
        update.in_flight_event = Set(job.as_ref().map(|j| j.event.id.0));
        update.lease_until = Set(job
            .as_ref()
            .map(|_| now + ChronoDuration::seconds(CLAIM_LEASE_SECS)));
        update.updated_at = Set(now);
        update.update(&txn).await?;
        txn.commit().await?;
        Ok(job)
    }

    /// Releases the lease after the attempt of `job` was recorded.
    pub async fn release_stream(&self, job: &StreamJob) -> Result<()> {
        let Some(connection) = job.event.connection_id else {
            return Ok(());
        };
        ordered_stream::Entity::update_many()
            .col_expr(
                ordered_stream::Column::InFlightEvent,
                Option::<Uuid>::None.into(),
            )
            .col_expr(
                ordered_stream::Column::LeaseUntil,
                Option::<DateTime<Utc>>::None.into(),
            )
            .filter(ordered_stream::Column::EndpointId.eq(job.endpoint.id))
            .filter(ordered_stream::Column::ConnectionId.eq(connection.0))
            .filter(ordered_stream::Column::InFlightEvent.eq(job.event.id.0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Streams that may have work: events beyond their position, no live lease, endpoint
    /// enabled. The worker's retry loop sweeps these, so nothing waits on a lost bus message
    /// or a crashed worker.
    pub async fn streams_with_work(&self, limit: u64) -> Result<Vec<(EndpointId, ConnectionId)>> {
        let now = self.clock.now();
        let s = ordered_stream::Entity;
        let query = Query::select()
            .column((s, ordered_stream::Column::EndpointId))
            .column((s, ordered_stream::Column::ConnectionId))
            .from(s)
            .inner_join(
                connection_sequence::Entity,
                Expr::col((
                    connection_sequence::Entity,
                    connection_sequence::Column::ConnectionId,
                ))
                .equals((s, ordered_stream::Column::ConnectionId)),
            )
            .inner_join(
                webhook_endpoint::Entity,
                Expr::col((webhook_endpoint::Entity, webhook_endpoint::Column::Id))
                    .equals((s, ordered_stream::Column::EndpointId)),
            )
            .and_where(
                Expr::col((
                    connection_sequence::Entity,
                    connection_sequence::Column::EventSeq,
                ))
                .gt(Expr::col((s, ordered_stream::Column::SettledSeq))),
            )
            .and_where(
                Expr::col((webhook_endpoint::Entity, webhook_endpoint::Column::Enabled)).eq(true),
            )
            .and_where(
                Expr::col((webhook_endpoint::Entity, webhook_endpoint::Column::Ordered)).eq(true),
            )
            .and_where(
                Expr::col((s, ordered_stream::Column::LeaseUntil))
                    .is_null()
                    .or(Expr::col((s, ordered_stream::Column::LeaseUntil)).lt(now)),
            )
            .limit(limit)
            .to_owned();
        let backend = self.db.get_database_backend();
        let rows = StreamKey::find_by_statement(backend.build(&query))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|k| (k.endpoint_id.into(), k.connection_id.into()))
            .collect())
    }
}

/// A delivery created by the stream: no `next_attempt_at`, so only the stream (never the
/// retry loop) makes its first attempt.
async fn create_delivery<C: ConnectionTrait>(
    conn: &C,
    event: Uuid,
    endpoint: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let model = delivery::ActiveModel {
        id: Set(DeliveryId::new().0),
        event_id: Set(event),
        endpoint_id: Set(endpoint),
        status: Set(DeliveryStatus::Pending.as_str().into()),
        attempts: Set(0),
        next_attempt_at: Set(None),
        last_attempt_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(model.id)
}
