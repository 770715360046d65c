//! Worker instances of a `TestApp`: each is `roster_worker::run` on its own `Services` and its
//! own bus connection, as a `roster worker` process would be. Each counts the bus messages its
//! consumer handled, so a test can see which workers took part.

use async_trait::async_trait;
use roster_domain::Services;
use roster_worker::bus::{BusMessage, EventBus, MessageHandler};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_util::sync::CancellationToken;

pub struct Worker {
    pub svc: Services,
    handled: Arc<AtomicUsize>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Runs the relay, the consumer and the retry loop of one worker until `shutdown`.
    pub fn spawn(svc: Services, bus: Arc<dyn EventBus>, shutdown: CancellationToken) -> Worker {
        let handled = Arc::new(AtomicUsize::new(0));
        let bus = Arc::new(CountingBus {
            inner: bus,
            handled: handled.clone(),
        });
        let task = tokio::spawn(roster_worker::run(svc.clone(), bus, shutdown));
        Worker { svc, handled, task }
    }

    /// Bus messages this worker's consumer handled successfully (acknowledged).
    pub fn handled(&self) -> usize {
        self.handled.load(Ordering::SeqCst)
    }
}

/// The bus, unchanged, except that the consumer's successful handlings are counted.
struct CountingBus {
    inner: Arc<dyn EventBus>,
    handled: Arc<AtomicUsize>,
}

struct CountingHandler {
    inner: Arc<dyn MessageHandler>,
    handled: Arc<AtomicUsize>,
}

#[async_trait]
impl MessageHandler for CountingHandler {
    async fn handle(&self, message: BusMessage) -> anyhow::Result<()> {
        self.inner.handle(message).await?;
        self.handled.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[async_trait]
impl EventBus for CountingBus {
    async fn publish(&self, messages: &[BusMessage]) -> anyhow::Result<()> {
        self.inner.publish(messages).await
    }

    async fn consume(
        &self,
        handler: Arc<dyn MessageHandler>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let counting = Arc::new(CountingHandler {
            inner: handler,
            handled: self.handled.clone(),
        });
        self.inner.consume(counting, shutdown).await
    }

    async fn ping(&self) -> anyhow::Result<()> {
        self.inner.ping().await
    }

    async fn dead_letters(&self, requeue: bool) -> anyhow::Result<u64> {
        self.inner.dead_letters(requeue).await
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
}
