//! Records attempts. Successes are batched: every success that finishes while the previous
//! batch commits goes into the next one (one transaction for all of them), so the cost of
//! recording stops growing with the delivery rate. The caller still waits until its attempt
//! is committed before the bus message is acknowledged. Failures are recorded one by one
//! (they schedule retries and run the endpoint's failure clock).
//!
//! While the database is unreachable (a restart, a failover), an outcome is retried for up to
//! [`RECORD_FOR`]: dropping it would leave the delivery to be sent again when its claim lease
//! runs out, minutes later and as a duplicate if the webhook had arrived.

use roster_domain::Services;
use roster_domain::ids::DeliveryId;
use roster_domain::services::{AttemptOutcome, AttemptRecord, DeliveryStatus, Recorded};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use uuid::Uuid;

/// Most successes committed in one transaction.
const MAX_BATCH: usize = 500;

/// How long an outcome is retried while it cannot be recorded: well within the claim lease
/// (`CLAIM_LEASE_SECS`), so no other worker sends the delivery again meanwhile.
const RECORD_FOR: Duration = Duration::from_secs(60);

type Job = (
    DeliveryId,
    Uuid,
    AttemptRecord,
    oneshot::Sender<Result<(), String>>,
);

pub struct Recorder {
    svc: Services,
    successes: mpsc::UnboundedSender<Job>,
}

impl Recorder {
    pub fn new(svc: Services) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_batches(svc.clone(), rx));
        Self { svc, successes: tx }
    }

    /// Records the attempt of `delivery` to `endpoint`; returns once it is committed, trying
    /// again (with back-off, for up to [`RECORD_FOR`]) while the database refuses.
    pub async fn record(
        &self,
        delivery: DeliveryId,
        endpoint: Uuid,
        attempt: AttemptRecord,
    ) -> anyhow::Result<Recorded> {
        persist(delivery, "recording an attempt", || {
            self.record_once(delivery, endpoint, attempt.clone())
        })
        .await
    }

    async fn record_once(
        &self,
        delivery: DeliveryId,
        endpoint: Uuid,
        attempt: AttemptRecord,
    ) -> anyhow::Result<Recorded> {
        if attempt.outcome != AttemptOutcome::Succeeded {
            return Ok(self.svc.record_attempt(delivery, attempt).await?);
        }
        let (done, committed) = oneshot::channel();
        self.successes
            .send((delivery, endpoint, attempt, done))
            .map_err(|_| anyhow::anyhow!("the attempt recorder has stopped"))?;
        committed
            .await
            .map_err(|_| anyhow::anyhow!("the attempt recorder has stopped"))?
            .map_err(|e| anyhow::anyhow!("recording attempts failed: {e}"))?;
        Ok(Recorded {
            status: DeliveryStatus::Succeeded,
            endpoint_disabled: false,
        })
    }
}

/// Runs `write` until it succeeds, with back-off, for up to [`RECORD_FOR`]: what a worker
/// writes about a delivery it holds must outlast a database restart, or the delivery waits
/// for its lease to run out.
pub async fn persist<T, F, Fut>(delivery: DeliveryId, what: &str, mut write: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let deadline = Instant::now() + RECORD_FOR;
    let mut pause = Duration::from_millis(100);
    loop {
        match write().await {
            Err(err) if Instant::now() + pause < deadline => {
                tracing::warn!(%delivery, error = %err, "{what} failed; trying again");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            result => return result,
        }
    }
}

async fn write_batches(svc: Services, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let batch: Vec<_> = jobs
            .iter()
            .map(|(delivery, endpoint, attempt, _)| (*delivery, *endpoint, attempt.clone()))
            .collect();
        let result = svc
            .record_successes(&batch)
            .await
            .map_err(|e| e.to_string());
        for (_, _, _, done) in jobs.drain(..) {
            let _ = done.send(result.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn persist_outlasts_a_short_outage() {
        let calls = AtomicU32::new(0);
        let started = Instant::now();
        let result = persist(DeliveryId::new(), "writing", || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0..=3 => Err(anyhow::anyhow!("connection refused")),
                n => Ok(n),
            }
        })
        .await;
        assert_eq!(result.unwrap(), 4, "the fifth try succeeds");
        // Back-off 0.1 + 0.2 + 0.4 + 0.8 s.
        assert_eq!(started.elapsed(), Duration::from_millis(1500));
    }

    #[tokio::test(start_paused = true)]
    async fn persist_gives_up_within_the_claim_lease() {
        let calls = AtomicU32::new(0);
        let started = Instant::now();
        let result: anyhow::Result<()> = persist(DeliveryId::new(), "writing", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(anyhow::anyhow!("connection refused"))
        })
        .await;
        assert!(result.is_err());
        let waited = started.elapsed();
        assert!(
            waited <= RECORD_FOR && waited > RECORD_FOR - Duration::from_secs(3),
            "{waited:?}"
        );
        let lease = Duration::from_secs(roster_domain::services::CLAIM_LEASE_SECS as u64);
        assert!(
            RECORD_FOR < lease,
            "an outcome is given up before its lease runs out"
        );
        assert!(calls.load(Ordering::SeqCst) > 30, "kept trying every ≤ 2 s");
    }
}
