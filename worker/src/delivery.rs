//! Turns one bus message into deliveries. Every matching endpoint gets the event: unordered
//! endpoints through a delivery row each (created, leased, in one statement) attempted on a
//! task of its own within the endpoint's limits; ordered endpoints through their
//! per-connection stream. The message is acknowledged once the deliveries are recorded, not
//! once they are attempted: a hung endpoint then holds none of the worker's bus slots, and a
//! worker that dies before an attempt leaves a leased row the retry loop takes over
//! (docs/adr/0003).

use crate::bus::{BusMessage, MessageHandler};
use crate::limits::{Busy, Limits, Permit};
use crate::recorder::{Recorder, persist};
use async_trait::async_trait;
use chrono::Duration as ChronoDuration;
use roster_domain::Services;
use roster_domain::entities::webhook_endpoint;
use roster_domain::events::EventEnvelope;
use roster_domain::ids::{ConnectionId, DeliveryId, EndpointId};
use roster_domain::sender;
use roster_domain::services::{DeliveryStatus, StreamJob};
use std::sync::Arc;

/// How long a delivery waits when its endpoint is at its concurrency bound or rate limit.
const BUSY_DELAY_MS: i64 = 250;
/// How long an attempt waits in memory for a slot of its endpoint before being deferred.
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_millis(100);
/// Attempts in flight (or waiting for their endpoint) per worker, per `max_in_flight`.
const TASKS_PER_MESSAGE_SLOT: usize = 4;

pub struct Deliverer {
    svc: Services,
    client: reqwest::Client,
    limits: Limits,
    recorder: Recorder,
    /// Bounds the attempt tasks of this worker; the consumer waits when all are taken.
    tasks: Arc<tokio::sync::Semaphore>,
    /// The in-process bus forgets messages on a crash: record when an event is dispatched.
    mark_dispatched: bool,
}

impl Deliverer {
    pub fn services(&self) -> &Services {
        &self.svc
    }

    /// Endpoints with no free slot in this worker (the retry loop leaves their deliveries).
    pub fn saturated_endpoints(&self) -> Vec<uuid::Uuid> {
        self.limits.saturated()
    }

    pub fn new(svc: Services, mark_dispatched: bool) -> Self {
        let client = sender::http_client(&svc.config.webhook);
        let limits = Limits::new(
            svc.config.webhook.max_concurrency_per_endpoint as usize,
            SLOT_WAIT,
            svc.cache.clone(),
            svc.retry_wake.clone(),
        );
        let tasks = svc.config.webhook.max_in_flight * TASKS_PER_MESSAGE_SLOT;
        Self {
            tasks: Arc::new(tokio::sync::Semaphore::new(tasks)),
            recorder: Recorder::new(svc.clone()),
            svc,
            client,
            limits,
            mark_dispatched,
        }
    }

    async fn deliver_event(self: Arc<Self>, event: EventEnvelope) -> anyhow::Result<()> {
        let endpoints = self
            .svc
            .matching_endpoints(event.tenant_id, &event.event_type)
            .await?;
        let (ordered, unordered): (Vec<_>, Vec<_>) = endpoints
            .into_iter()
            .partition(|e| e.ordered && event.connection_id.is_some());
        let ids: Vec<_> = unordered.iter().map(|e| e.id).collect();
        let queued = self.limits.contended();
        let mine = self.svc.begin_deliveries(event.id, &ids, &queued).await?;
        // The leased deliveries go out before anything else can fail: if a later step fails,
        // the message comes back, and its redelivery finds them leased (no double send) rather
        // than leaving them to wait for their lease to run out.
        self.clone()
            .spawn_attempts(&event, &unordered, mine)
            .await?;
        for endpoint in &ordered {
            if let Some(connection) = event.connection_id {
                self.svc.ensure_stream(endpoint, connection).await?;
            }
        }
        if self.mark_dispatched {
            self.svc.mark_dispatched(event.id).await?;
        }
        for endpoint in &ordered {
            if let Some(connection) = event.connection_id {
                tokio::spawn(self.clone().pump(EndpointId(endpoint.id), connection));
            }
        }
        Ok(())
    }

    /// Attempts each of `mine` on a task of its own, within this worker's task bound.
    async fn spawn_attempts(
        self: Arc<Self>,
        event: &EventEnvelope,
        endpoints: &[webhook_endpoint::Model],
        mine: Vec<(uuid::Uuid, DeliveryId)>,
    ) -> anyhow::Result<()> {
        if mine.is_empty() {
            return Ok(());
        }
        let body: Arc<[u8]> = serde_json::to_vec(event)?.into();
        let event = Arc::new(event.clone());
        for (endpoint_id, delivery) in mine {
            let Some(endpoint) = endpoints.iter().find(|e| e.id == endpoint_id).cloned() else {
                continue;
            };
            let permit = self.tasks.clone().acquire_owned().await?;
            let (this, event, body) = (self.clone(), event.clone(), body.clone());
            tokio::spawn(async move {
                if let Err(err) = this.dispatch(delivery, &endpoint, &event, &body).await {
                    // Its lease runs out and the retry loop attempts it.
                    tracing::warn!(error = %err, %delivery, "a delivery could not be recorded");
                }
                drop(permit);
            });
        }
        Ok(())
    }

    /// Attempts a delivery if its endpoint has room, otherwise puts it back for a moment.
    pub(crate) async fn dispatch(
        &self,
        delivery: DeliveryId,
        endpoint: &webhook_endpoint::Model,
        event: &EventEnvelope,
        body: &[u8],
    ) -> anyhow::Result<()> {
        match self.limits.acquire(endpoint).await {
            Ok(permit) => self.attempt(delivery, endpoint, event, body, permit).await,
            Err(busy) => {
                tracing::debug!(endpoint = %endpoint.id, ?busy, "endpoint busy; delivery deferred");
                // Busy with requests: due at once, and claimed again when a slot frees up
                // (the permit wakes the retry loop; the claim skips saturated endpoints).
                // Over its rate: back in a moment.
                let delay = match busy {
                    Busy::Concurrency => 0,
                    Busy::RateLimit => rand_jitter(BUSY_DELAY_MS),
                };
                let delay = ChronoDuration::milliseconds(delay);
                persist(delivery, "deferring a delivery", || async {
                    Ok(self.svc.defer_delivery(delivery, delay).await?)
                })
                .await
            }
        }
    }

    /// One attempt (first, retry or replay), recorded with its consequence. The endpoint's
    /// slot (`permit`) is freed as soon as its answer is in: recording touches only the
    /// database, and holding the slot through the commit would bound an endpoint by the
    /// database's commit latency rather than by its own.
    async fn attempt(
        &self,
        delivery: DeliveryId,
        endpoint: &webhook_endpoint::Model,
        event: &EventEnvelope,
        body: &[u8],
        permit: Permit,
    ) -> anyhow::Result<()> {
        let msg_id = event.id.to_string();
        let attempt = sender::send(
            &self.client,
            &self.svc.config.webhook,
            endpoint,
            &msg_id,
            body,
        )
        .await;
        drop(permit);
        tracing::info!(
            event = %event.id,
            event_type = %event.event_type,
            endpoint = %endpoint.id,
            status = ?attempt.status_code,
            outcome = ?attempt.outcome,
            duration_ms = attempt.duration_ms,
            "webhook attempt"
        );
        let recorded = self.recorder.record(delivery, endpoint.id, attempt).await?;
        if recorded.status == DeliveryStatus::Retrying {
            self.svc.retry_wake.notify_one();
        }
        Ok(())
    }

    /// Sends the stream of (endpoint, connection) in sequence order until it is caught up,
    /// held by a retry, or owned by another worker.
    pub(crate) async fn pump(self: Arc<Self>, endpoint: EndpointId, connection: ConnectionId) {
        loop {
            let job = match self.svc.next_in_stream(endpoint, connection).await {
                Ok(Some(job)) => job,
                Ok(None) => return,
                Err(err) => {
                    return tracing::warn!(error = %err, %endpoint, "ordered stream step failed");
                }
            };
            if let Err(err) = self.attempt_in_stream(&job).await {
                // The lease runs out and the retry loop's sweep takes the stream up again.
                return tracing::warn!(error = %err, %endpoint, "ordered delivery failed to record");
            }
        }
    }

    async fn attempt_in_stream(&self, job: &StreamJob) -> anyhow::Result<()> {
        let body = serde_json::to_vec(&job.event)?;
        // One event of a stream at a time; the endpoint-wide bound still applies across its
        // streams, so wait for room rather than skip ahead.
        let permit = loop {
            match self.limits.acquire(&job.endpoint).await {
                Ok(permit) => break permit,
                Err(_) => {
                    let ms = rand_jitter(BUSY_DELAY_MS) as u64;
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                }
            }
        };
        self.attempt(job.delivery, &job.endpoint, &job.event, &body, permit)
            .await?;
        self.svc.release_stream(job).await?;
        Ok(())
    }
}

/// `ms` ± 20%, so deferred deliveries do not come back in lockstep.
fn rand_jitter(ms: i64) -> i64 {
    let spread = ms / 5;
    ms - spread + (rand::random::<u64>() % (2 * spread as u64 + 1)) as i64
}

/// The bus handler: owns the deliverer so that ordered streams can run on their own tasks.
pub struct Handler(pub Arc<Deliverer>);

#[async_trait]
impl MessageHandler for Handler {
    async fn handle(&self, message: BusMessage) -> anyhow::Result<()> {
        match message {
            BusMessage::EventV1 { event } => self.0.clone().deliver_event(event).await,
        }
    }
}
