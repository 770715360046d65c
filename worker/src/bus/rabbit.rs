//! RabbitMQ event bus: a durable topic exchange `{prefix}.events` (routing key = event type)
//! and a durable quorum queue `{prefix}.deliveries` bound to it, consumed by every worker
//! (competing consumers). Publishing waits for publisher confirms; consuming acks manually
//! after the attempts are recorded.
//!
//! Poison messages: an undecodable message is rejected at once, and a message its handler
//! keeps failing on is dead-lettered after [`DELIVERY_LIMIT`] deliveries (the quorum queue
//! counts them; each failure waits [`NACK_DELAY`] first, so a short database outage does not
//! exhaust the limit). Both land in `{prefix}.dead-letters` through the fanout exchange
//! `{prefix}.dead`, where an operator inspects them and moves them back with
//! `roster dead-letters requeue` once the cause is fixed.

use super::{BusMessage, DELIVERY_LIMIT, EventBus, MessageHandler};
use async_trait::async_trait;
use futures::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicNackOptions, BasicPublishOptions,
    BasicQosOptions, BasicRejectOptions, ConfirmSelectOptions, ExchangeDeclareOptions,
    QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{
    BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind,
};
use roster_domain::Config;
use std::sync::Arc;
use tokio::sync::{Mutex, Semaphore};
use tokio_util::sync::CancellationToken;

pub fn exchange_name(prefix: &str) -> String {
    format!("{prefix}.events")
}

pub fn queue_name(prefix: &str) -> String {
    format!("{prefix}.deliveries")
}

pub fn dead_exchange_name(prefix: &str) -> String {
    format!("{prefix}.dead")
}

pub fn dead_queue_name(prefix: &str) -> String {
    format!("{prefix}.dead-letters")
}

/// Wait before handing back a message its handler failed on.
const NACK_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

fn quorum() -> FieldTable {
    let mut args = FieldTable::default();
    args.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    args
}

pub struct RabbitBus {
    url: String,
    prefix: String,
    prefetch: u16,
    max_in_flight: usize,
    publisher: Mutex<Option<(Connection, Channel)>>,
}

async fn open(url: &str, name: &str) -> anyhow::Result<(Connection, Channel)> {
    let props = ConnectionProperties::default().with_connection_name(name.into());
    let conn = Connection::connect(url, props)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to RabbitMQ: {e}"))?;
    let channel = conn.create_channel().await?;
    Ok((conn, channel))
}

impl RabbitBus {
    /// Connects and declares the topology (idempotent), so a misconfigured URL fails at start.
    pub async fn connect(url: &str, config: &Config) -> anyhow::Result<Self> {
        let bus = Self {
            url: url.to_string(),
            prefix: config.queue_prefix.clone(),
            prefetch: config.webhook.max_in_flight.min(u16::MAX as usize) as u16,
            max_in_flight: config.webhook.max_in_flight,
            publisher: Mutex::new(None),
        };
        bus.publisher_channel().await?;
        Ok(bus)
    }

    async fn declare(&self, channel: &Channel) -> anyhow::Result<()> {
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..Default::default()
        };
        let exchange = exchange_name(&self.prefix);
        let queue = queue_name(&self.prefix);
        let dead_exchange = dead_exchange_name(&self.prefix);
        let dead_queue = dead_queue_name(&self.prefix);
        channel
            .exchange_declare(
                exchange.as_str().into(),
                ExchangeKind::Topic,
                durable,
                FieldTable::default(),
            )
            .await?;
        channel
            .exchange_declare(
                dead_exchange.as_str().into(),
                ExchangeKind::Fanout,
                durable,
                FieldTable::default(),
            )
            .await?;
        channel
            .queue_declare(
                dead_queue.as_str().into(),
                QueueDeclareOptions::durable(),
                quorum(),
            )
            .await?;
        channel
            .queue_bind(
                dead_queue.as_str().into(),
                dead_exchange.as_str().into(),
                "".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
        let mut args = quorum();
        args.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString(dead_exchange.as_str().into()),
        );
        args.insert(
            "x-delivery-limit".into(),
            AMQPValue::LongLongInt(DELIVERY_LIMIT),
        );
        channel
            .queue_declare(queue.as_str().into(), QueueDeclareOptions::durable(), args)
            .await?;
        channel
            .queue_bind(
                queue.as_str().into(),
                exchange.as_str().into(),
                "#".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
        Ok(())
    }

    /// The confirm-mode publishing channel, reopened after a broker restart.
    async fn publisher_channel(&self) -> anyhow::Result<Channel> {
        let mut guard = self.publisher.lock().await;
        if let Some((conn, channel)) = guard.as_ref()
            && conn.status().connected()
            && channel.status().connected()
        {
            return Ok(channel.clone());
        }
        let (conn, channel) = open(&self.url, "roster-relay").await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        self.declare(&channel).await?;
        *guard = Some((conn, channel.clone()));
        Ok(channel)
    }
}

#[async_trait]
impl EventBus for RabbitBus {
    async fn publish(&self, messages: &[BusMessage]) -> anyhow::Result<()> {
        let channel = self.publisher_channel().await?;
        let exchange = exchange_name(&self.prefix);
        let mut confirms = Vec::with_capacity(messages.len());
        for message in messages {
            let BusMessage::EventV1 { event } = message;
            let body = serde_json::to_vec(message)?;
            let props = BasicProperties::default()
                .with_delivery_mode(2)
                .with_content_type("application/json".into())
                .with_message_id(event.id.to_string().as_str().into());
            let confirm = channel
                .basic_publish(
                    exchange.as_str().into(),
                    event.event_type.as_str().into(),
                    BasicPublishOptions::default(),
                    &body,
                    props,
                )
                .await;
            match confirm {
                Ok(c) => confirms.push(c),
                Err(e) => {
                    self.publisher.lock().await.take();
                    return Err(e.into());
                }
            }
        }
        for confirm in confirms {
            match confirm.await {
                Ok(Confirmation::Ack(_)) => {}
                Ok(other) => anyhow::bail!("RabbitMQ did not confirm a publish: {other:?}"),
                Err(e) => {
                    self.publisher.lock().await.take();
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    async fn consume(
        &self,
        handler: Arc<dyn MessageHandler>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let (_conn, channel) = open(&self.url, "roster-worker").await?;
        self.declare(&channel).await?;
        channel
            .basic_qos(self.prefetch, BasicQosOptions::default())
            .await?;
        let mut consumer = channel
            .basic_consume(
                queue_name(&self.prefix).as_str().into(),
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        let permits = Arc::new(Semaphore::new(self.max_in_flight));
        loop {
            let delivery = tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                next = consumer.next() => match next {
                    Some(d) => d?,
                    None => anyhow::bail!("RabbitMQ consumer was cancelled"),
                },
            };
            let permit = permits.clone().acquire_owned().await?;
            let handler = handler.clone();
            tokio::spawn(async move {
                let result = match serde_json::from_slice::<BusMessage>(&delivery.data) {
                    Err(err) => {
                        tracing::error!(error = %err, "undecodable bus message rejected");
                        delivery.reject(BasicRejectOptions { requeue: false }).await
                    }
                    Ok(message) => match handler.handle(message).await {
                        Ok(()) => delivery.ack(BasicAckOptions::default()).await,
                        Err(err) => {
                            tracing::warn!(error = %err, "handler failed; message requeued");
                            tokio::time::sleep(NACK_DELAY).await;
                            let requeue = BasicNackOptions {
                                requeue: true,
                                ..Default::default()
                            };
                            delivery.nack(requeue).await
                        }
                    },
                };
                if let Err(err) = result {
                    tracing::warn!(error = %err, "acknowledging a bus message failed");
                }
                drop(permit);
            });
        }
    }

    async fn ping(&self) -> anyhow::Result<()> {
        self.publisher_channel().await.map(|_| ())
    }

    async fn dead_letters(&self, requeue: bool) -> anyhow::Result<u64> {
        let channel = self.publisher_channel().await?;
        let dead = dead_queue_name(&self.prefix);
        let state = channel
            .queue_declare(
                dead.as_str().into(),
                QueueDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await?;
        let waiting = u64::from(state.message_count());
        if !requeue {
            return Ok(waiting);
        }
        // Move the letters that are there now, and only those: one that fails again comes back
        // to this queue while we move the others, and must not be moved (counted) twice.
        let exchange = exchange_name(&self.prefix);
        let mut moved = 0;
        while moved < waiting {
            let Some(message) = channel
                .basic_get(dead.as_str().into(), BasicGetOptions::default())
                .await?
            else {
                break;
            };
            let confirm = channel
                .basic_publish(
                    exchange.as_str().into(),
                    message.delivery.routing_key.as_str().into(),
                    BasicPublishOptions::default(),
                    &message.delivery.data,
                    message.delivery.properties.clone(),
                )
                .await?
                .await?;
            anyhow::ensure!(
                matches!(confirm, Confirmation::Ack(_)),
                "RabbitMQ did not confirm a re-published dead letter"
            );
            message.delivery.ack(BasicAckOptions::default()).await?;
            moved += 1;
        }
        Ok(moved)
    }

    fn backend(&self) -> &'static str {
        "rabbitmq"
    }
}
