//! Services own every transaction: a change and the event describing it commit together.
//! Handlers (HTTP, CLI, worker) call these and never touch SQL themselves.

mod accounts;
mod api_keys;
mod audit;
mod bearer;
mod connections;
mod deliveries;
mod delivery_ops;
mod delivery_stats;
mod directory;
mod endpoints;
mod event_feed;
mod filter_sql;
mod group_change;
mod groups;
mod idempotency;
mod listing;
mod ordered;
mod request_log;
pub(crate) mod scim_tokens;
pub(crate) mod sessions;
pub(crate) mod setup_links;
mod snapshot;
mod tenants;
mod users;

pub use accounts::{AccountView, NewAccount};
pub use api_keys::{API_KEY_PREFIX, ApiKeyAuth, ApiKeyScope, ApiKeyView, IssuedApiKey};
pub use audit::{Actor, AuditEntry, AuditFilter, Target};
pub use connections::{ConnectionSummary, ConnectionView, PROVIDERS};
pub use deliveries::{
    AttemptOutcome, AttemptRecord, CLAIM_LEASE_SECS, DeliveryStatus, DueDelivery, Recorded,
    retry_delay,
};
pub use delivery_ops::{AttemptView, DeliveryDetail, DeliveryView, Slice, TestEventResult};
pub use delivery_stats::{AttemptBucket, DeliveryStats, MAX_STATS_HOURS};
pub use directory::{Directory, UserFilter};
pub use endpoints::{
    EndpointSecrets, EndpointUpdate, EndpointView, NewEndpoint, SigningSecret, endpoint_matches,
    signing_secrets,
};
pub use event_feed::{EventFilter, FeedPage, FeedPosition, SEQUENCE_BATCH};
pub use groups::{GroupRecord, scim_group_resource};
pub use idempotency::{IDEMPOTENCY_HOURS, Idempotency, IdempotentRequest};
pub use listing::{ListQuery, Page};
pub use ordered::StreamJob;
pub use request_log::{PRUNE_EVERY, RequestLog, RequestLogEntry, redacted_excerpt};
pub use scim_tokens::{IssuedScimToken, ScimTokenView};
pub use sessions::{SessionAuth, SessionRole, SessionTokens};
pub use setup_links::{IssuedSetupLink, MAX_LINK_HOURS, NewSetupLink, SetupLinkView};
pub use snapshot::{SnapshotCursor, SnapshotItem, SnapshotPage, SnapshotPhase};
pub use tenants::{TenantUpdate, TenantView};
pub use users::{UserGroupRef, UserRecord, scim_user_resource};

use crate::cache::{Cache, MemoryCache, RedisCache};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::db;
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    IsolationLevel, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Notify;

/// Runs `query` and converts each row into its view.
pub(crate) async fn all_into<E, V>(
    query: sea_orm::Select<E>,
    db: &impl sea_orm::ConnectionTrait,
) -> crate::error::Result<Vec<V>>
where
    E: sea_orm::EntityTrait,
    V: From<E::Model>,
{
    Ok(query.all(db).await?.into_iter().map(V::from).collect())
}

/// `LIKE '%search%'` for a case-insensitive part of a lower-cased column, with `%`, `_` and `\\`
/// taken literally; `None` for a blank search.
pub(crate) fn contains(search: Option<&str>) -> Option<sea_orm::sea_query::LikeExpr> {
    let search = search.map(str::trim).filter(|s| !s.is_empty())?;
    let escaped: String = search
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    Some(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// Everything a request handler or a worker task needs, cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub cache: Arc<dyn Cache>,
    pub config: Arc<Config>,
    /// Woken after a commit that wrote events, so an in-process relay publishes at once.
    pub outbox: Arc<Notify>,
    /// Postgres: woken after such a commit too, so that relays in other processes hear of it
    /// (a NOTIFY sent by [`notify_other_processes`]).
    remote_outbox: Option<Arc<Notify>>,
    /// Relays running on these services (see [`Services::local_relay`]).
    local_relays: Arc<AtomicUsize>,
    /// What "now" is for retries and deliveries (a manual clock in tests).
    pub clock: Arc<dyn Clock>,
    /// Woken when a retry is scheduled or the clock moves (tests), so due retries run at once.
    pub retry_wake: Arc<Notify>,
    /// The session signing keys, resolved on first use.
    pub(crate) session_keys: Arc<tokio::sync::OnceCell<Arc<sessions::SessionKeys>>>,
}

impl Services {
    /// Connects to the configured database and cache. With `migrate`, applies migrations first.
    pub async fn start(config: Config, migrate: bool) -> anyhow::Result<Self> {
        let db = db::connect(&config).await?;
        if migrate {
            db::migrate(&db).await?;
        }
        let cache: Arc<dyn Cache> = match &config.redis_url {
            Some(url) => Arc::new(
                RedisCache::connect(url, &config.cache_prefix)
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot connect to Redis: {e}"))?,
            ),
            None => Arc::new(MemoryCache::new()),
        };
        let remote_outbox = (db.get_database_backend() == DbBackend::Postgres).then(|| {
            let wake = Arc::new(Notify::new());
            tokio::spawn(notify_other_processes(db.clone(), wake.clone()));
            wake
        });
        Ok(Self {
            db,
            cache,
            config: Arc::new(config),
            outbox: Arc::new(Notify::new()),
            remote_outbox,
            local_relays: Arc::new(AtomicUsize::new(0)),
            clock: Arc::new(SystemClock),
            retry_wake: Arc::new(Notify::new()),
            session_keys: Arc::new(tokio::sync::OnceCell::new()),
        })
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a deferred transaction that reads
    /// and then writes fails with `SQLITE_BUSY_SNAPSHOT` whenever another connection committed
    /// in between. Postgres ignores the mode.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        self.db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

    /// Begins a write transaction for a pass over the outbox's "not yet done" rows (events
    /// not yet published, not yet in the feed). Those rows are updated moments after they are
    /// written, so their indexes fill with entries of dead row versions until a vacuum. A
    /// bitmap scan visits every such entry on every pass, and the planner prefers one for
    /// these queries; a plain index scan marks the dead entries it passes, so the next pass
    /// skips them (measured after 5,000 events: 3.3 ms and 900 heap pages a pass, versus
    /// 0.1 ms). `SET LOCAL` lasts until the end of the transaction.
    pub async fn begin_outbox_pass(&self) -> Result<DatabaseTransaction, DbErr> {
        let txn = self.begin_write().await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            txn.execute_unprepared("SET LOCAL enable_bitmapscan = off")
                .await?;
        }
        Ok(txn)
    }

    /// Begins a read-only transaction whose statements all see one snapshot of the database
    /// (Postgres: `REPEATABLE READ`; SQLite in WAL mode: any read transaction, from its first
    /// read), for reads that must agree with each other across several queries.
    pub async fn begin_snapshot_read(&self) -> Result<DatabaseTransaction, DbErr> {
        match self.db.get_database_backend() {
            DbBackend::Postgres => {
                self.db
                    .begin_with_config(
                        Some(IsolationLevel::RepeatableRead),
                        Some(AccessMode::ReadOnly),
                    )
                    .await
            }
            _ => self.db.begin().await,
        }
    }

    /// Called after a transaction that appended events has committed: wakes the relay of
    /// this process or, on Postgres when this process runs none, those of the others. A relay
    /// here publishes the events at once; waking the others too would only send them looking
    /// for work it does (measured: a `NOTIFY` for three of every four creates of a sync, each
    /// a statement of its own, and a second wake-up of the local relay through its `LISTEN`).
    pub(crate) fn events_committed(&self) {
        self.outbox.notify_one();
        if let Some(remote) = &self.remote_outbox
            && self.local_relays.load(Ordering::Relaxed) == 0
        {
            remote.notify_one();
        }
    }

    /// Declares a relay running on these services, until the guard is dropped: commits then
    /// wake it alone (see [`Services::events_committed`]).
    pub fn local_relay(&self) -> LocalRelay {
        self.local_relays.fetch_add(1, Ordering::Relaxed);
        LocalRelay(self.local_relays.clone())
    }
}

/// A relay running in this process; see [`Services::local_relay`].
pub struct LocalRelay(Arc<AtomicUsize>);

impl Drop for LocalRelay {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Sends `NOTIFY` on the outbox channel once per wake-up, outside the writers' transactions:
/// commits that come in while one is sent share the next. A NOTIFY inside the writing
/// transaction would make every such commit take PostgreSQL's database-wide notification
/// lock, held through the commit's WAL flush, so all writers of all connections would commit
/// one at a time. A NOTIFY lost to a crash between commit and send is covered by the relays'
/// polling (`relay.poll_interval_ms`).
async fn notify_other_processes(db: DatabaseConnection, wake: Arc<Notify>) {
    let statement = format!("NOTIFY {}", crate::events::OUTBOX_CHANNEL);
    loop {
        wake.notified().await;
        if let Err(err) = db.execute_unprepared(&statement).await {
            tracing::debug!(error = %err, "outbox NOTIFY failed; relays will poll");
        }
    }
}
