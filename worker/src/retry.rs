//! Retries: failed deliveries wait in the database (`status = retrying`, `next_attempt_at`),
//! not in the broker. Every worker runs this loop; each due delivery is claimed by exactly one
//! of them (`SKIP LOCKED` plus a lease), attempted, and rescheduled or settled.

use crate::delivery::Deliverer;
use roster_domain::services::DueDelivery;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often due retries are looked for when nothing woke the loop.
const POLL: Duration = Duration::from_secs(1);
const BATCH: u64 = 100;

pub async fn run(deliverer: Arc<Deliverer>, shutdown: CancellationToken) {
    let svc = deliverer.services().clone();
    loop {
        match svc.claim_due_deliveries(BATCH).await {
            Ok(due) => {
                let full = due.len() as u64 == BATCH;
                futures::future::join_all(due.into_iter().map(|d| retry(&deliverer, d))).await;
                if full {
                    continue;
                }
            }
            Err(err) => tracing::warn!(error = %err, "claiming due retries failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = svc.retry_wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

async fn retry(deliverer: &Deliverer, due: DueDelivery) {
    let msg_id = due.event.id.to_string();
    let body = match serde_json::to_vec(&due.event) {
        Ok(body) => body,
        Err(err) => return tracing::error!(error = %err, "event payload does not serialise"),
    };
    let result = deliverer
        .attempt(due.delivery, &due.endpoint, &due.event, &msg_id, &body)
        .await;
    if let Err(err) = result {
        // The claim's lease expires and another pass retries it.
        tracing::warn!(error = %err, delivery = %due.delivery, "recording a retry failed");
    }
}
