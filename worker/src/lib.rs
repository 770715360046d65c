//! The worker: the outbox relay (database → event bus) and webhook delivery (event bus →
//! signed HTTP POSTs, every attempt recorded). The api never talks to the bus; only the relay
//! publishes to it.

pub mod bus;
pub mod delivery;
pub mod limits;
pub mod recorder;
pub mod relay;
pub mod retry;

use bus::EventBus;
use roster_domain::Services;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub use bus::connect as connect_bus;

/// Runs the relay and the delivery consumer until `shutdown` is cancelled. Both reconnect on
/// their own after a database or broker outage.
pub async fn run(svc: Services, bus: Arc<dyn EventBus>, shutdown: CancellationToken) {
    let in_process = bus.backend() == "in-process";
    if in_process {
        match svc.requeue_undispatched().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                events = n,
                "re-publishing events a previous run had not dispatched"
            ),
            Err(err) => tracing::warn!(error = %err, "could not re-queue undispatched events"),
        }
    }
    let relay = tokio::spawn(relay::run(svc.clone(), bus.clone(), shutdown.clone()));
    let housekeeping = tokio::spawn(housekeeping(svc.clone(), shutdown.clone()));
    let consumer = tokio::spawn(run_consumer(svc, bus, in_process, shutdown));
    let _ = tokio::join!(relay, consumer, housekeeping);
}

/// Logs what a pruning pass did.
fn pruned(what: &str, result: Result<u64, roster_domain::DomainError>) {
    match result {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "pruned {what}"),
        Err(err) => tracing::warn!(error = %err, "pruning {what} failed"),
    }
}

/// Retention: prunes the SCIM request log, the events past their retention and expired
/// idempotency keys at start and then every hour.
async fn housekeeping(svc: Services, shutdown: CancellationToken) {
    loop {
        pruned("the SCIM request log", svc.prune_request_log().await);
        pruned("events past their retention", svc.prune_events().await);
        pruned(
            "expired idempotency keys",
            svc.prune_idempotency_keys().await,
        );
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(roster_domain::services::PRUNE_EVERY) => {}
        }
    }
}

async fn run_consumer(
    svc: Services,
    bus: Arc<dyn EventBus>,
    in_process: bool,
    shutdown: CancellationToken,
) {
    let deliverer = Arc::new(delivery::Deliverer::new(svc, in_process));
    tokio::spawn(retry::run(deliverer.clone(), shutdown.clone()));
    let handler = Arc::new(delivery::Handler(deliverer));
    let mut backoff = Backoff::default();
    loop {
        let started = std::time::Instant::now();
        tokio::select! {
            _ = shutdown.cancelled() => return,
            result = bus.consume(handler.clone(), shutdown.clone()) => match result {
                Ok(()) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "event consumer stopped; reconnecting");
                    if started.elapsed() >= HEALTHY_RUN {
                        // It had been consuming: this is a new outage, not the same one.
                        backoff.reset();
                    }
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(backoff.next()) => {}
                    }
                }
            }
        }
    }
}

/// A consumer that ran this long before failing was healthy: its reconnect backoff starts over.
const HEALTHY_RUN: Duration = Duration::from_secs(30);

/// Exponential backoff from 100 ms to 5 s.
#[derive(Default)]
pub(crate) struct Backoff {
    failures: u32,
}

impl Backoff {
    pub(crate) fn next(&mut self) -> Duration {
        let ms = 100u64.saturating_mul(1 << self.failures.min(6)).min(5_000);
        self.failures += 1;
        Duration::from_millis(ms)
    }

    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }
}
