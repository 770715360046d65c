//! The retry loop: deliveries wait in the database (`next_attempt_at`), not in the broker.
//! Every worker runs it; each due delivery is claimed by exactly one of them (`SKIP LOCKED`
//! plus a lease) and attempted on a task of its own, so a hung endpoint never stalls the
//! loop. Due are: retries, deliveries deferred while their endpoint was busy, replays, and
//! first attempts whose worker died. The loop also sweeps ordered streams that have work
//! (after a crash, or when a message raced a stream's previous step).

use crate::delivery::Deliverer;
use roster_domain::ids::{ConnectionId, EndpointId};
use roster_domain::services::DueDelivery;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// How often due deliveries are looked for when nothing woke the loop.
const POLL: Duration = Duration::from_millis(500);
const BATCH: u64 = 100;

pub async fn run(deliverer: Arc<Deliverer>, shutdown: CancellationToken) {
    let svc = deliverer.services().clone();
    let in_flight = Arc::new(Semaphore::new(svc.config.webhook.max_in_flight));
    loop {
        match svc
            .claim_due_deliveries(BATCH, &deliverer.saturated_endpoints())
            .await
        {
            Ok(due) => {
                let full = due.len() as u64 == BATCH;
                for d in due {
                    let Ok(permit) = in_flight.clone().acquire_owned().await else {
                        return;
                    };
                    let deliverer = deliverer.clone();
                    tokio::spawn(async move {
                        retry(deliverer, d).await;
                        drop(permit);
                    });
                }
                if full {
                    continue;
                }
            }
            Err(err) => tracing::warn!(error = %err, "claiming due deliveries failed"),
        }
        match svc.streams_with_work(BATCH).await {
            Ok(streams) => {
                for (endpoint, connection) in streams {
                    tokio::spawn(deliverer.clone().pump(endpoint, connection));
                }
            }
            Err(err) => tracing::warn!(error = %err, "sweeping ordered streams failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = svc.retry_wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

async fn retry(deliverer: Arc<Deliverer>, due: DueDelivery) {
    let body = match serde_json::to_vec(&due.event) {
        Ok(body) => body,
        Err(err) => return tracing::error!(error = %err, "event payload does not serialise"),
    };
    let result = deliverer
        .dispatch(due.delivery, &due.endpoint, &due.event, &body)
        .await;
    if let Err(err) = result {
        // The claim's lease expires and another pass retries it.
        tracing::warn!(error = %err, delivery = %due.delivery, "recording a retry failed");
    }
    if due.endpoint.ordered
        && let Some(connection) = due.event.connection_id
    {
        // A settled head releases the rest of its stream.
        let stream: (EndpointId, ConnectionId) = (EndpointId(due.endpoint.id), connection);
        deliverer.pump(stream.0, stream.1).await;
    }
}
