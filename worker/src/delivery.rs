//! Turns one bus message into deliveries: every matching endpoint gets the event, concurrently,
//! and each attempt is recorded before the message is acknowledged.

use crate::bus::{BusMessage, MessageHandler};
use crate::sender;
use async_trait::async_trait;
use roster_domain::Services;
use roster_domain::entities::webhook_endpoint;
use roster_domain::events::EventEnvelope;
use roster_domain::ids::{DeliveryId, EndpointId};
use roster_domain::services::DeliveryStatus;

pub struct Deliverer {
    svc: Services,
    client: reqwest::Client,
}

impl Deliverer {
    pub fn services(&self) -> &Services {
        &self.svc
    }

    pub fn new(svc: Services) -> Self {
        let client = sender::http_client(&svc.config.webhook);
        Self { svc, client }
    }

    async fn deliver_event(&self, event: EventEnvelope) -> anyhow::Result<()> {
        let endpoints = self
            .svc
            .matching_endpoints(event.tenant_id, &event.event_type)
            .await?;
        if endpoints.is_empty() {
            return Ok(());
        }
        let body = serde_json::to_vec(&event)?;
        let msg_id = event.id.to_string();
        let results = futures::future::join_all(
            endpoints
                .iter()
                .map(|endpoint| self.deliver_to(endpoint, &msg_id, &event, &body)),
        )
        .await;
        // Any bookkeeping failure hands the message back; endpoints already served are skipped
        // on the next try because their delivery is recorded as succeeded.
        results.into_iter().collect()
    }

    async fn deliver_to(
        &self,
        endpoint: &webhook_endpoint::Model,
        msg_id: &str,
        event: &EventEnvelope,
        body: &[u8],
    ) -> anyhow::Result<()> {
        let Some(delivery) = self
            .svc
            .begin_delivery(event.id, EndpointId(endpoint.id))
            .await?
        else {
            return Ok(());
        };
        self.attempt(delivery, endpoint, event, msg_id, body).await
    }

    /// One attempt of a delivery (first or retry), recorded with its consequence.
    pub(crate) async fn attempt(
        &self,
        delivery: DeliveryId,
        endpoint: &webhook_endpoint::Model,
        event: &EventEnvelope,
        msg_id: &str,
        body: &[u8],
    ) -> anyhow::Result<()> {
        let attempt = sender::send(
            &self.client,
            &self.svc.config.webhook,
            endpoint,
            msg_id,
            body,
        )
        .await;
        tracing::info!(
            event = %event.id,
            event_type = %event.event_type,
            endpoint = %endpoint.id,
            status = ?attempt.status_code,
            outcome = ?attempt.outcome,
            duration_ms = attempt.duration_ms,
            "webhook attempt"
        );
        let status = self.svc.record_attempt(delivery, attempt).await?;
        if status == DeliveryStatus::Retrying {
            self.svc.retry_wake.notify_one();
        }
        Ok(())
    }
}

#[async_trait]
impl MessageHandler for Deliverer {
    async fn handle(&self, message: BusMessage) -> anyhow::Result<()> {
        match message {
            BusMessage::EventV1 { event } => self.deliver_event(event).await,
        }
    }
}
