//! The Events API feed: every committed event, for clients that read events instead of (or as
//! well as) receiving webhooks, and the retention that prunes it.
//!
//! # Why the feed is not paged by event id
//! Event ids are UUIDv7 taken inside the writing transaction. Two transactions of different
//! connections do not wait for each other, so the one that took the smaller id can commit
//! *after* the other: a reader that returned the larger id and then pages with `id > cursor`
//! would skip the late one forever. Timestamps (`created_at`) have the same flaw, and a
//! "visibility window" (only show events older than a few seconds) only makes it rarer: a
//! transaction may take longer than any window.
//!
//! # The feed position
//! Instead every event gets a `feed_position` after it committed, from the *sequencer*
//! ([`Services::sequence_events`], run by the worker's relay loop on every commit wake-up and
//! poll). A sequencer transaction first locks the single `event_feed` row, then positions the
//! committed events that have none (oldest id first) with `last_position + 1 …`, and commits the
//! positions together with the new `last_position`. The row lock serialises sequencers and is
//! held until commit, so positions become visible strictly in increasing order: when a reader
//! sees `last_position = n`, every position `≤ n` is committed and visible, and nothing can
//! appear below it later. Readers therefore only read up to the `last_position` they saw, and a
//! cursor `feed_position > after` never skips or repeats an event.
//!
//! Within a connection the feed also follows `sequence`: the positions a batch hands out are
//! given to each connection's events in sequence order, and a batch that is cut off by its size
//! first takes in the connection's still unpositioned lower sequences (ids and sequences can
//! disagree when api instances' clocks differ).
//!
//! The price: an event enters the feed when the worker has sequenced it (milliseconds after the
//! commit, or `relay.poll_interval_ms` at worst), independently of the event bus.

use crate::entities::{delivery, event, event_feed};
use crate::error::{DomainError, Result};
use crate::events::{EVENT_TYPES, EventEnvelope, is_valid_pattern, type_matches};
use crate::ids::{ConnectionId, EventId, TenantId, TenantScope};
use crate::services::Services;
use crate::services::deliveries::DeliveryStatus;
use chrono::Duration as ChronoDuration;
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A position in the feed; 0 is before the first event.
pub type FeedPosition = i64;

/// Events positioned per sequencer transaction.
/// Events one sequencer transaction positions (more only to keep a connection's order).
pub const SEQUENCE_BATCH: u64 = 500;
/// Events deleted per pruning statement.
const PRUNE_BATCH: u64 = 1000;
/// The id of the single `event_feed` row.
const FEED_ROW: i32 = 1;

/// What a client asks the feed for (every part optional).
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Event types or patterns (`user.created`, `group.*`, `*`); empty: every type.
    pub types: Vec<String>,
    pub tenant: Option<TenantId>,
    pub connection: Option<ConnectionId>,
}

impl EventFilter {
    /// The catalog types the patterns select; `None` when they select every type.
    fn event_types(&self) -> Result<Option<Vec<&'static str>>> {
        if let Some(bad) = self.types.iter().find(|p| !is_valid_pattern(p)) {
            return Err(DomainError::Invalid(format!(
                "`{bad}` is not an event type or pattern (e.g. user.created, group.*, *)"
            )));
        }
        if self.types.is_empty() || self.types.iter().any(|p| p == "*") {
            return Ok(None);
        }
        Ok(Some(
            EVENT_TYPES
                .iter()
                .copied()
                .filter(|t| self.types.iter().any(|p| type_matches(p, t)))
                .collect(),
        ))
    }
}

/// One page of the feed.
#[derive(Debug, Clone)]
pub struct FeedPage {
    pub events: Vec<EventEnvelope>,
    /// Where the next page starts: the last event's position, or, when the page is not full,
    /// the end of what was read (positions up to it hold no further match).
    pub next: FeedPosition,
}

impl Services {
    /// The highest position committed so far: every event at or below it is readable.
    pub async fn feed_head<C: ConnectionTrait>(&self, conn: &C) -> Result<FeedPosition> {
        Ok(event_feed::Entity::find_by_id(FEED_ROW)
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound("event feed"))?
            .last_position)
    }

    /// Up to `limit` events after `after` that `scope` may see and `filter` selects, in feed
    /// order. A cursor beyond the head was not issued by this feed: `Invalid`.
    pub async fn list_events(
        &self,
        scope: TenantScope,
        after: FeedPosition,
        filter: &EventFilter,
        limit: u64,
    ) -> Result<FeedPage> {
        let types = filter.event_types()?;
        let head = self.feed_head(&self.db).await?;
        if after < 0 || after > head {
            return Err(DomainError::Invalid(
                "the cursor is not a position of this event feed".into(),
            ));
        }
        if after == head {
            return Ok(FeedPage {
                events: Vec::new(),
                next: after,
            });
        }
        let mut query = event::Entity::find()
            .filter(event::Column::FeedPosition.gt(after))
            .filter(event::Column::FeedPosition.lte(head))
            .order_by_asc(event::Column::FeedPosition)
            .limit(limit);
        for tenant in [scope.restriction(), filter.tenant].into_iter().flatten() {
            query = query.filter(event::Column::TenantId.eq(tenant.0));
        }
        if let Some(connection) = filter.connection {
            query = query.filter(event::Column::ConnectionId.eq(connection.0));
        }
        if let Some(types) = types {
            query = query.filter(event::Column::EventType.is_in(types));
        }
        let rows = query.all(&self.db).await?;
        let next = match rows.last() {
            Some(last) if rows.len() as u64 >= limit => last.feed_position.unwrap_or(head),
            _ => head,
        };
        let events = rows
            .into_iter()
            .map(|row| serde_json::from_value(row.payload).map_err(anyhow::Error::from))
            .collect::<Result<_, _>>()?;
        Ok(FeedPage { events, next })
    }

    /// One event, if `scope` may see it (sequenced into the feed yet or not).
    pub async fn get_event(&self, scope: TenantScope, id: EventId) -> Result<EventEnvelope> {
        let row = event::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?
            .filter(|row| scope.allows(row.tenant_id.into()))
            .ok_or(DomainError::NotFound("event"))?;
        Ok(serde_json::from_value(row.payload).map_err(anyhow::Error::from)?)
    }

    /// The sequencer: gives committed events without a position the next positions, in one
    /// transaction serialised on the `event_feed` row (see the module documentation). Returns
    /// how many it positioned; call again while that is a full batch ([`SEQUENCE_BATCH`] or
    /// more), not while it is merely non-zero: under a steady write load every call finds a
    /// few new events, and a caller looping on `> 0` never gets to anything else.
    pub async fn sequence_events(&self) -> Result<usize> {
        // Cheap check first, so that idle polls neither lock nor write.
        let pending = event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .filter(event::Column::FeedPosition.is_null())
            .limit(1)
            .into_tuple::<Uuid>()
            .one(&self.db)
            .await?;
        if pending.is_none() {
            return Ok(0);
        }
        let txn = self.begin_outbox_pass().await?;
        // A no-op write locks the row until commit: the next sequencer waits, then reads what
        // this one committed.
        let last = event_feed::Entity::update_many()
            .col_expr(
                event_feed::Column::LastPosition,
                Expr::col(event_feed::Column::LastPosition),
            )
            .filter(event_feed::Column::Id.eq(FEED_ROW))
            .exec_with_returning(&txn)
            .await?
            .first()
            .map(|row| row.last_position)
            .ok_or(DomainError::NotFound("event feed"))?;
        let mut batch: Vec<Unpositioned> = event::Entity::find()
            .select_only()
            .columns([
                event::Column::Id,
                event::Column::ConnectionId,
                event::Column::Sequence,
            ])
            .filter(event::Column::FeedPosition.is_null())
            .order_by_asc(event::Column::Id)
            .limit(SEQUENCE_BATCH)
            .into_tuple()
            .all(&txn)
            .await?;
        if batch.is_empty() {
            txn.rollback().await?;
            return Ok(0);
        }
        if batch.len() as u64 == SEQUENCE_BATCH {
            batch.extend(lower_sequences_left_out(&txn, &batch).await?);
        }
        let ordered = feed_order(batch);
        let count = ordered.len();
        let chunk_len = SEQUENCE_BATCH as usize;
        for (n, chunk) in ordered.chunks(chunk_len).enumerate() {
            let first = last + (n * chunk_len) as i64 + 1;
            let mut case = CaseStatement::new();
            for (offset, id) in chunk.iter().enumerate() {
                case = case.case(event::Column::Id.eq(*id), first + offset as i64);
            }
            event::Entity::update_many()
                .col_expr(event::Column::FeedPosition, case.into())
                .filter(event::Column::Id.is_in(chunk.iter().copied()))
                .filter(event::Column::FeedPosition.is_null())
                .exec(&txn)
                .await?;
        }
        event_feed::Entity::update_many()
            .col_expr(
                event_feed::Column::LastPosition,
                (last + count as i64).into(),
            )
            .filter(event_feed::Column::Id.eq(FEED_ROW))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(count)
    }

    /// Retention: deletes events older than `events.retention_days` that are published,
    /// sequenced, and have no delivery still pending or retrying (their deliveries and
    /// attempts cascade). Returns how many.
    pub async fn prune_events(&self) -> Result<u64> {
        let days = i64::from(self.config.events.retention_days);
        let cutoff = self.clock.now() - ChronoDuration::days(days);
        let open_delivery = Query::select()
            .expr(Expr::val(1))
            .from(delivery::Entity)
            .and_where(
                Expr::col((delivery::Entity, delivery::Column::EventId))
                    .equals((event::Entity, event::Column::Id)),
            )
            .and_where(
                Expr::col((delivery::Entity, delivery::Column::Status)).is_in([
                    DeliveryStatus::Pending.as_str(),
                    DeliveryStatus::Retrying.as_str(),
                ]),
            )
            .to_owned();
        let prunable = Query::select()
            .column((event::Entity, event::Column::Id))
            .from(event::Entity)
            .and_where(Expr::col((event::Entity, event::Column::CreatedAt)).lt(cutoff))
            .and_where(Expr::col((event::Entity, event::Column::PublishedAt)).is_not_null())
            .and_where(Expr::col((event::Entity, event::Column::FeedPosition)).is_not_null())
            .and_where(Expr::exists(open_delivery).not())
            .limit(PRUNE_BATCH)
            .to_owned();
        let mut total = 0;
        loop {
            let deleted = event::Entity::delete_many()
                .filter(Expr::col(event::Column::Id).in_subquery(prunable.clone()))
                .exec(&self.db)
                .await?
                .rows_affected;
            total += deleted;
            if deleted < PRUNE_BATCH {
                return Ok(total);
            }
        }
    }
}

/// An event without a position: id, connection, sequence.
type Unpositioned = (Uuid, Option<Uuid>, i64);

/// A batch cut off by its size may hold a connection's sequence `n` but not `n - 1` when the
/// two ids disagree with the sequences (ids come from each api instance's clock). Returns the
/// unpositioned events of the batch's connections below the highest sequence the batch holds
/// for them, that the batch does not hold yet.
async fn lower_sequences_left_out<C: ConnectionTrait>(
    txn: &C,
    batch: &[Unpositioned],
) -> Result<Vec<Unpositioned>> {
    let mut highest: HashMap<Uuid, i64> = HashMap::new();
    for (_, connection, sequence) in batch {
        if let Some(c) = connection {
            let h = highest.entry(*c).or_insert(*sequence);
            *h = Ord::max(*h, *sequence);
        }
    }
    let mut below = Condition::any();
    for (connection, sequence) in &highest {
        below = below.add(
            Condition::all()
                .add(event::Column::ConnectionId.eq(*connection))
                .add(event::Column::Sequence.lt(*sequence)),
        );
    }
    let held: std::collections::HashSet<Uuid> = batch.iter().map(|(id, _, _)| *id).collect();
    let rows: Vec<Unpositioned> = event::Entity::find()
        .select_only()
        .columns([
            event::Column::Id,
            event::Column::ConnectionId,
            event::Column::Sequence,
        ])
        .filter(event::Column::FeedPosition.is_null())
        .filter(below)
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(id, _, _)| !held.contains(id))
        .collect())
}

/// The order positions are handed out in: by id, except that each connection's events fill the
/// slots its events occupy in sequence order.
fn feed_order(mut events: Vec<Unpositioned>) -> Vec<Uuid> {
    events.sort_by_key(|(id, _, _)| *id);
    let mut per_connection: HashMap<Uuid, Vec<usize>> = HashMap::new();
    for (slot, (_, connection, _)) in events.iter().enumerate() {
        if let Some(c) = connection {
            per_connection.entry(*c).or_default().push(slot);
        }
    }
    let mut order: Vec<Uuid> = events.iter().map(|(id, _, _)| *id).collect();
    for slots in per_connection.values() {
        let mut by_sequence: Vec<&Unpositioned> = slots.iter().map(|&s| &events[s]).collect();
        by_sequence.sort_by_key(|(_, _, sequence)| *sequence);
        for (&slot, (id, _, _)) in slots.iter().zip(by_sequence) {
            order[slot] = *id;
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn positions_follow_ids_and_each_connections_sequence() {
        let (a, b) = (Some(id(100)), Some(id(200)));
        // Connection a's sequence 2 got a smaller id than its sequence 1 (clock skew).
        let events = vec![
            (id(3), a, 1),
            (id(1), a, 2),
            (id(2), b, 7),
            (id(4), None, 1),
            (id(5), a, 3),
        ];
        assert_eq!(
            feed_order(events),
            vec![id(3), id(2), id(1), id(4), id(5)],
            "slots by id; a's slots filled in sequence order"
        );
    }

    #[test]
    fn type_filters_expand_to_catalog_types() {
        let filter = |types: &[&str]| EventFilter {
            types: types.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        };
        assert_eq!(filter(&[]).event_types().unwrap(), None);
        assert_eq!(filter(&["user.*", "*"]).event_types().unwrap(), None);
        assert_eq!(
            filter(&["group.*", "user.created"]).event_types().unwrap(),
            Some(vec![
                "user.created",
                "group.created",
                "group.updated",
                "group.deleted",
                "group.user_added",
                "group.user_removed",
            ])
        );
        let err = filter(&["user.create"]).event_types().unwrap_err();
        assert!(err.to_string().contains("user.create"));
    }
}
