//! In-process event bus for the embedded default (one process runs api and worker). Same
//! contract as RabbitMQ: a message its handler fails on is offered again after a delay, and
//! after [`DELIVERY_LIMIT`] failures it is set aside as a dead letter (kept in memory; the
//! event stays undispatched in the database, so a restart offers it again too).

use super::{BusMessage, DELIVERY_LIMIT, EventBus, MessageHandler};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

pub struct MemoryBus {
    tx: mpsc::UnboundedSender<Envelope>,
    rx: Mutex<mpsc::UnboundedReceiver<Envelope>>,
    dead: Arc<std::sync::Mutex<Vec<BusMessage>>>,
    max_in_flight: usize,
    delivery_limit: i64,
    redelivery_delay: Duration,
}

/// A message and how many times it was handed out.
struct Envelope {
    message: BusMessage,
    deliveries: i64,
}

/// A message its handler failed on is offered again after this delay.
const REDELIVERY_DELAY: Duration = Duration::from_secs(1);

impl MemoryBus {
    pub fn new(max_in_flight: usize) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            tx,
            rx: Mutex::new(rx),
            dead: Default::default(),
            max_in_flight,
            delivery_limit: DELIVERY_LIMIT,
            redelivery_delay: REDELIVERY_DELAY,
        }
    }
}

#[async_trait]
impl EventBus for MemoryBus {
    async fn publish(&self, messages: &[BusMessage]) -> anyhow::Result<()> {
        for message in messages {
            self.tx
                .send(Envelope {
                    message: message.clone(),
                    deliveries: 0,
                })
                .map_err(|_| anyhow::anyhow!("in-process bus closed"))?;
        }
        Ok(())
    }

    async fn consume(
        &self,
        handler: Arc<dyn MessageHandler>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let mut rx = self.rx.lock().await;
        let permits = Arc::new(Semaphore::new(self.max_in_flight));
        loop {
            let mut envelope = tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                m = rx.recv() => match m {
                    Some(m) => m,
                    None => return Ok(()),
                },
            };
            let permit = permits.clone().acquire_owned().await?;
            let handler = handler.clone();
            let tx = self.tx.clone();
            let dead = self.dead.clone();
            let (limit, delay) = (self.delivery_limit, self.redelivery_delay);
            tokio::spawn(async move {
                envelope.deliveries += 1;
                if let Err(err) = handler.handle(envelope.message.clone()).await {
                    if envelope.deliveries >= limit {
                        tracing::error!(error = %err, "handler kept failing; message dead-lettered");
                        dead.lock().expect("dead letters").push(envelope.message);
                    } else {
                        tracing::warn!(error = %err, "handler failed; redelivering");
                        tokio::time::sleep(delay).await;
                        let _ = tx.send(envelope);
                    }
                }
                drop(permit);
            });
        }
    }

    async fn ping(&self) -> anyhow::Result<()> {
        Ok(())
    }

    async fn dead_letters(&self, requeue: bool) -> anyhow::Result<u64> {
        let mut dead = self.dead.lock().expect("dead letters");
        let count = dead.len() as u64;
        if requeue {
            for message in dead.drain(..) {
                self.tx
                    .send(Envelope {
                        message,
                        deliveries: 0,
                    })
                    .map_err(|_| anyhow::anyhow!("in-process bus closed"))?;
            }
        }
        Ok(count)
    }

    fn backend(&self) -> &'static str {
        "in-process"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::events::EventEnvelope;
    use std::future::Future;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Failing(AtomicUsize);

    #[async_trait]
    impl MessageHandler for Failing {
        async fn handle(&self, _: BusMessage) -> anyhow::Result<()> {
            self.0.fetch_add(1, Ordering::SeqCst);
            anyhow::bail!("poison")
        }
    }

    fn message() -> BusMessage {
        BusMessage::EventV1 {
            event: EventEnvelope {
                id: roster_domain::ids::EventId::new(),
                event_type: "user.created".into(),
                created_at: chrono::Utc::now(),
                tenant_id: roster_domain::ids::TenantId(uuid::Uuid::now_v7()),
                tenant_external_id: None,
                connection_id: None,
                sequence: 1,
                data: serde_json::json!({}),
                previous_attributes: None,
            },
        }
    }

    /// Whether `condition` holds within two seconds (checked every 5 ms).
    async fn eventually<F: Future<Output = bool>>(condition: impl Fn() -> F) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while tokio::time::Instant::now() < deadline {
            if condition().await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        false
    }

    #[tokio::test]
    async fn a_message_failing_every_time_is_dead_lettered_and_can_be_requeued() {
        let mut bus = MemoryBus::new(4);
        bus.delivery_limit = 3;
        bus.redelivery_delay = Duration::from_millis(5);
        let bus = Arc::new(bus);
        let handler = Arc::new(Failing(AtomicUsize::new(0)));
        let shutdown = CancellationToken::new();
        let consumer = tokio::spawn({
            let (bus, handler, shutdown) = (bus.clone(), handler.clone(), shutdown.clone());
            async move { bus.consume(handler, shutdown).await }
        });
        bus.publish(&[message()]).await.unwrap();
        let dead = || async { bus.dead_letters(false).await.unwrap() == 1 };
        assert!(eventually(dead).await, "dead-lettered");
        assert_eq!(
            handler.0.load(Ordering::SeqCst),
            3,
            "tried exactly the limit"
        );
        // Requeued, it is offered again (and, still failing, set aside again).
        assert_eq!(bus.dead_letters(true).await.unwrap(), 1);
        let retried = || async { handler.0.load(Ordering::SeqCst) == 6 };
        assert!(eventually(retried).await, "offered again");
        assert_eq!(handler.0.load(Ordering::SeqCst), 6);
        shutdown.cancel();
        consumer.await.unwrap().unwrap();
    }
}
