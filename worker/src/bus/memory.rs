//! In-process event bus for the embedded default (one process runs api and worker).

use super::{BusMessage, EventBus, MessageHandler};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

pub struct MemoryBus {
    tx: mpsc::UnboundedSender<BusMessage>,
    rx: Mutex<mpsc::UnboundedReceiver<BusMessage>>,
    max_in_flight: usize,
}

/// A message its handler failed on is offered again after this delay.
const REDELIVERY_DELAY: Duration = Duration::from_secs(1);

impl MemoryBus {
    pub fn new(max_in_flight: usize) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            tx,
            rx: Mutex::new(rx),
            max_in_flight,
        }
    }
}

#[async_trait]
impl EventBus for MemoryBus {
    async fn publish(&self, messages: &[BusMessage]) -> anyhow::Result<()> {
        for message in messages {
            self.tx
                .send(message.clone())
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
            let message = tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                m = rx.recv() => match m {
                    Some(m) => m,
                    None => return Ok(()),
                },
            };
            let permit = permits.clone().acquire_owned().await?;
            let handler = handler.clone();
            let tx = self.tx.clone();
            tokio::spawn(async move {
                if let Err(err) = handler.handle(message.clone()).await {
                    tracing::warn!(error = %err, "handler failed; redelivering");
                    tokio::time::sleep(REDELIVERY_DELAY).await;
                    let _ = tx.send(message);
                }
                drop(permit);
            });
        }
    }

    async fn ping(&self) -> anyhow::Result<()> {
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "in-process"
    }
}
