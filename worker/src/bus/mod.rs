//! The event bus between the relay and the deliverers: RabbitMQ when `amqp_url` is set,
//! otherwise an in-process queue with the same contract (at-least-once, handler acks).

mod memory;
mod rabbit;

pub use memory::MemoryBus;
pub use rabbit::RabbitBus;

/// Exchange and queue names of a deployment (or test) prefix.
pub mod rabbit_names {
    pub use super::rabbit::{dead_exchange_name, dead_queue_name, exchange_name, queue_name};
}

use async_trait::async_trait;
use roster_domain::Config;
use roster_domain::events::EventEnvelope;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Deliveries of one message before it is set aside as a dead letter.
pub const DELIVERY_LIMIT: i64 = 20;

/// Messages on the bus: tagged and versioned so that old and new workers can coexist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum BusMessage {
    #[serde(rename = "event.v1")]
    EventV1 { event: EventEnvelope },
}

#[async_trait]
pub trait MessageHandler: Send + Sync {
    /// `Ok` acknowledges the message; `Err` hands it back to the bus for another try.
    async fn handle(&self, message: BusMessage) -> anyhow::Result<()>;
}

#[async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes in order and returns once the broker has confirmed every message.
    async fn publish(&self, messages: &[BusMessage]) -> anyhow::Result<()>;
    /// Feeds messages to `handler` until `shutdown` (Ok) or a connection failure (Err).
    async fn consume(
        &self,
        handler: Arc<dyn MessageHandler>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()>;
    async fn ping(&self) -> anyhow::Result<()>;
    /// Messages set aside as poison: counts them, or (`requeue`) moves them back for delivery.
    async fn dead_letters(&self, requeue: bool) -> anyhow::Result<u64>;
    /// `rabbitmq` or `in-process`.
    fn backend(&self) -> &'static str;
}

/// The bus the configuration selects.
pub async fn connect(config: &Config) -> anyhow::Result<Arc<dyn EventBus>> {
    Ok(match &config.amqp_url {
        Some(url) => Arc::new(RabbitBus::connect(url, config).await?),
        None => Arc::new(MemoryBus::new(config.webhook.max_in_flight)),
    })
}

/// Readiness of the bus, for `/readyz` of a process that runs a worker.
pub struct BusCheck(pub Arc<dyn EventBus>);

#[async_trait]
impl roster_domain::health::HealthCheck for BusCheck {
    fn name(&self) -> &'static str {
        "event_bus"
    }
    fn backend(&self) -> &'static str {
        self.0.backend()
    }
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await.map_err(|e| e.to_string())
    }
}
