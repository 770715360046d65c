//! The outbox relay: publishes committed events to the bus in order, then marks them
//! published. Woken by a commit (in-process signal, or Postgres NOTIFY from other processes),
//! with a polling fallback. Several relays may run: on Postgres each batch is claimed with
//! `FOR NO KEY UPDATE SKIP LOCKED`, so an event is published by one of them. (Not `FOR UPDATE`:
//! that lock conflicts with the foreign-key check of a delivery row referencing the event, so
//! a worker that got the message before the relay committed would wait for that commit.) On
//! the same wake-ups, after publishing, the relay runs the Events API feed's sequencer.

use crate::Backoff;
use crate::bus::{BusMessage, EventBus};
use chrono::Utc;
use roster_domain::Services;
use roster_domain::entities::event;
use roster_domain::events::{EventEnvelope, OUTBOX_CHANNEL};
use roster_domain::services::SEQUENCE_BATCH;
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub async fn run(svc: Services, bus: Arc<dyn EventBus>, shutdown: CancellationToken) {
    let poll = Duration::from_millis(svc.config.relay.poll_interval_ms);
    let linger = Duration::from_millis(svc.config.relay.linger_ms);
    let _local = svc.local_relay();
    let mut listener = None;
    let mut backoff = Backoff::default();
    loop {
        if listener.is_none() && svc.db.get_database_backend() == DbBackend::Postgres {
            listener = listen(&svc).await;
        }
        // Publishing first: webhooks wait on it, the Events API feed can wait a pass.
        let published = publish_batch(&svc, bus.as_ref()).await;
        sequence(&svc).await;
        match published {
            Ok(n) if n as u64 >= svc.config.relay.batch_size => continue,
            Ok(_) => backoff.reset(),
            Err(err) => {
                tracing::warn!(error = %err, "relay could not publish; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(backoff.next()) => {}
                }
                continue;
            }
        }
        let woken = tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = svc.outbox.notified() => true,
            _ = tokio::time::sleep(poll) => false,
            woke = notified(&mut listener) => {
                if !woke {
                    listener = None;
                }
                woke
            }
        };
        if woken && !linger.is_zero() {
            tokio::time::sleep(linger).await;
        }
    }
}

/// Gives newly committed events their Events API feed position (see
/// `roster_domain::services::event_feed`). Runs on the relay's wake-ups but does not depend on
/// the bus: the feed keeps growing while the broker is down. Goes on only while batches are
/// full: under a steady write load each pass finds a few new events, and looping until none
/// are left would starve publishing (the next pass sequences them, a moment later).
async fn sequence(svc: &Services) {
    loop {
        match svc.sequence_events().await {
            Ok(n) if (n as u64) < SEQUENCE_BATCH => return,
            Ok(n) => tracing::debug!(count = n, "sequenced a full batch into the feed"),
            Err(err) => {
                tracing::warn!(error = %err, "sequencing events into the feed failed; retrying");
                return;
            }
        }
    }
}

async fn listen(svc: &Services) -> Option<sqlx::postgres::PgListener> {
    let pool = svc.db.get_postgres_connection_pool();
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await.ok()?;
    listener.listen(OUTBOX_CHANNEL).await.ok()?;
    Some(listener)
}

/// Resolves when a NOTIFY arrives (true) or the listener broke (false); never without one.
async fn notified(listener: &mut Option<sqlx::postgres::PgListener>) -> bool {
    match listener {
        Some(l) => l.recv().await.is_ok(),
        None => std::future::pending().await,
    }
}

/// The query of [`claim`]: up to one batch of unpublished events, oldest first. `lock`
/// (Postgres, in the relay's transaction): each row is locked until that transaction ends, and
/// rows another relay holds are skipped.
pub fn claim_query(svc: &Services, lock: bool) -> Select<event::Entity> {
    let query = event::Entity::find()
        .filter(event::Column::PublishedAt.is_null())
        .order_by_asc(event::Column::Id)
        .limit(svc.config.relay.batch_size);
    match lock {
        true => query.lock_with_behavior(LockType::NoKeyUpdate, LockBehavior::SkipLocked),
        false => query,
    }
}

/// Claims up to one batch of unpublished events (see [`claim_query`]).
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    svc: &Services,
    lock: bool,
) -> Result<Vec<event::Model>, sea_orm::DbErr> {
    claim_query(svc, lock).all(conn).await
}

/// Publishes up to one batch; returns how many events it published.
///
/// Postgres: the batch is claimed inside a transaction (`claim`), so
/// concurrent relays never publish the same rows. SQLite (one process, one relay): plain
/// statements, because a read-then-write transaction there fails with `SQLITE_BUSY_SNAPSHOT`
/// whenever the api commits in between.
pub async fn publish_batch(svc: &Services, bus: &dyn EventBus) -> anyhow::Result<usize> {
    if svc.db.get_database_backend() == DbBackend::Postgres {
        let txn = svc.begin_outbox_pass().await?;
        let n = publish_from(&txn, svc, bus, true).await?;
        txn.commit().await?;
        Ok(n)
    } else {
        publish_from(&svc.db, svc, bus, false).await
    }
}

async fn publish_from<C: ConnectionTrait>(
    conn: &C,
    svc: &Services,
    bus: &dyn EventBus,
    lock: bool,
) -> anyhow::Result<usize> {
    let rows = claim(conn, svc, lock).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut messages = Vec::with_capacity(rows.len());
    for row in &rows {
        let event: EventEnvelope = serde_json::from_value(row.payload.clone())?;
        messages.push(BusMessage::EventV1 { event });
    }
    bus.publish(&messages).await?;
    event::Entity::update_many()
        .col_expr(event::Column::PublishedAt, Utc::now().into())
        .filter(event::Column::Id.is_in(rows.iter().map(|r| r.id)))
        .exec(conn)
        .await?;
    tracing::debug!(count = rows.len(), "relay published events");
    Ok(rows.len())
}
