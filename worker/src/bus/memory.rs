//! In-process event bus for the embedded default (one process runs api and worker). Same
//! contract as RabbitMQ: a message its handler fails on is offered again after a delay, and
//! after [`DELIVERY_LIMIT`] failures it is set aside as a dead letter (kept in memory; the
//! event stays undispatched in the database, so a restart offers it again too).

use super::{BusMessage, DELIVERY_LIMIT, EventBus, MessageHandler};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

pub struct MemoryBus {
    /// One permit per message on the bus (queued, being handled, or waiting to be offered
    /// again): publishing waits for room, so a backlog stays in the database's outbox, not
    /// in this process's memory.
    room: Arc<Semaphore>,
    tx: mpsc::UnboundedSender<Envelope>,
    rx: Mutex<mpsc::UnboundedReceiver<Envelope>>,
    dead: Arc<std::sync::Mutex<Vec<BusMessage>>>,
    max_in_flight: usize,
    delivery_limit: i64,
    redelivery_delay: Duration,
}

/// A message, how many times it was handed out, and its room on the bus (freed when it is
/// acknowledged or set aside).
struct Envelope {
    message: BusMessage,
    deliveries: i64,
    _room: OwnedSemaphorePermit,
}

/// Messages the bus holds at most (about 2 KiB each). Without a bound, a backlog in the outbox
/// (a restart after a long stop re-offers every undispatched event) would be read into memory
/// whole. Handling a message only records its deliveries, so the worker drains the bus quickly;
/// a bound this high never holds the relay back in a burst of ten thousand events, where
/// measured bounds of 2,000 and 5,000 cost the embedded fan-out about a tenth of its
/// throughput.
pub const CAPACITY: usize = 20_000;

/// A message its handler failed on is offered again after this delay.
const REDELIVERY_DELAY: Duration = Duration::from_secs(1);

impl MemoryBus {
    pub fn new(max_in_flight: usize) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            room: Arc::new(Semaphore::new(CAPACITY)),
            tx,
            rx: Mutex::new(rx),
            dead: Default::default(),
            max_in_flight,
            delivery_limit: DELIVERY_LIMIT,
            redelivery_delay: REDELIVERY_DELAY,
        }
    }
}

impl MemoryBus {
    /// Puts a message on the bus once it has room for it.
    async fn offer(&self, message: BusMessage) -> anyhow::Result<()> {
        let closed = || anyhow::anyhow!("in-process bus closed");
        let room = self
            .room
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| closed())?;
        self.tx
            .send(Envelope {
                message,
                deliveries: 0,
                _room: room,
            })
            .map_err(|_| closed())
    }
}

#[async_trait]
impl EventBus for MemoryBus {
    async fn publish(&self, messages: &[BusMessage]) -> anyhow::Result<()> {
        for message in messages {
            self.offer(message.clone()).await?;
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
        let (count, requeued) = {
            let mut dead = self.dead.lock().expect("dead letters");
            let count = dead.len() as u64;
            let requeued: Vec<BusMessage> = match requeue {
                true => dead.drain(..).collect(),
                false => Vec::new(),
            };
            (count, requeued)
        };
        for message in requeued {
            self.offer(message).await?;
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

    /// Handles nothing until opened, then acknowledges everything.
    struct Gate(Semaphore, AtomicUsize);

    #[async_trait]
    impl MessageHandler for Gate {
        async fn handle(&self, _: BusMessage) -> anyhow::Result<()> {
            let _open = self.0.acquire().await?;
            self.1.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    /// A publisher that outruns the consumer waits for room: the backlog stays where it came
    /// from instead of growing in memory.
    #[tokio::test]
    async fn publishing_waits_while_the_bus_is_full() {
        let bus = Arc::new(MemoryBus::new(4));
        let handler = Arc::new(Gate(Semaphore::new(0), AtomicUsize::new(0)));
        let shutdown = CancellationToken::new();
        let consumer = tokio::spawn({
            let (bus, handler, shutdown) = (bus.clone(), handler.clone(), shutdown.clone());
            async move { bus.consume(handler, shutdown).await }
        });
        let full: Vec<BusMessage> = (0..CAPACITY).map(|_| message()).collect();
        bus.publish(&full).await.unwrap();
        let one_more = tokio::spawn({
            let bus = bus.clone();
            async move { bus.publish(&[message()]).await }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!one_more.is_finished(), "no room: the publisher waits");
        // Messages handled and acknowledged make room.
        handler.0.add_permits(8);
        let room = || async { one_more.is_finished() };
        assert!(eventually(room).await, "room made: published");
        one_more.await.unwrap().unwrap();
        let handled = || async { handler.1.load(Ordering::SeqCst) == CAPACITY + 1 };
        assert!(eventually(handled).await, "every message handled");
        shutdown.cancel();
        consumer.await.unwrap().unwrap();
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
