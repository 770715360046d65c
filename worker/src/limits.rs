//! Per-endpoint limits inside one worker: at most `max_concurrency` requests in flight to an
//! endpoint (its own setting or `webhook.max_concurrency_per_endpoint`), and, when the endpoint
//! sets `rate_limit_per_sec`, at most that many attempts per second across every worker (a
//! counter per endpoint and second in the shared cache). A delivery that finds its endpoint
//! busy waits a moment for a slot (`slot_wait`: a fast endpoint frees one within
//! milliseconds); if none frees up, it goes back to the database instead, so a slow endpoint
//! holds only its own share of the worker and never starves the others. While an endpoint
//! has deliveries waiting there, its slots are *contended*: new attempts do not wait in memory
//! (they would jump the queue), the retry loop does not claim the endpoint's deliveries while
//! it has no free slot ([`Limits::saturated`]), and the permit that frees a slot wakes the
//! loop, so a hung endpoint costs the others neither claims nor deferrals in a loop.

use roster_domain::cache::Cache;
use roster_domain::entities::webhook_endpoint;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

pub struct Limits {
    default_concurrency: usize,
    slot_wait: Duration,
    cache: Arc<dyn Cache>,
    /// Woken when a contended slot frees up (the retry loop waits on it).
    freed: Arc<Notify>,
    slots: Mutex<HashMap<Uuid, Slot>>,
}

#[derive(Clone)]
struct Slot {
    size: usize,
    permits: Arc<Semaphore>,
    /// Some delivery found no free slot and waits in the database.
    contended: Arc<AtomicBool>,
}

/// Room to send one request to an endpoint. Dropping it frees the slot and, when deliveries
/// wait for one, wakes whoever claims them.
#[derive(Debug)]
pub struct Permit {
    _permit: OwnedSemaphorePermit,
    contended: Arc<AtomicBool>,
    freed: Arc<Notify>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.contended.swap(false, Ordering::AcqRel) {
            self.freed.notify_one();
        }
    }
}

/// Why a delivery must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    Concurrency,
    RateLimit,
}

impl Limits {
    pub fn new(
        default_concurrency: usize,
        slot_wait: Duration,
        cache: Arc<dyn Cache>,
        freed: Arc<Notify>,
    ) -> Self {
        Self {
            default_concurrency,
            slot_wait,
            cache,
            freed,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Endpoints with deliveries waiting in the database for a slot: a new delivery joins
    /// them there rather than jumping the queue.
    pub fn contended(&self) -> Vec<Uuid> {
        let slots = self.slots.lock().expect("limits lock");
        slots
            .iter()
            .filter(|(_, slot)| slot.contended.load(Ordering::Acquire))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Endpoints with no free slot in this worker: claiming their deliveries now would only
    /// defer them again.
    pub fn saturated(&self) -> Vec<Uuid> {
        let slots = self.slots.lock().expect("limits lock");
        slots
            .iter()
            .filter(|(_, slot)| slot.permits.available_permits() == 0)
            .map(|(id, _)| *id)
            .collect()
    }

    /// A permit to send to `endpoint` now, or why not.
    pub async fn acquire(&self, endpoint: &webhook_endpoint::Model) -> Result<Permit, Busy> {
        let slot = self.slot(endpoint);
        let permit = match slot.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            // Deliveries already wait in the database for this endpoint: join them.
            Err(_) if slot.contended.load(Ordering::Acquire) => {
                return Err(self.contend(&slot));
            }
            Err(_) => {
                match tokio::time::timeout(self.slot_wait, slot.permits.clone().acquire_owned())
                    .await
                {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(self.contend(&slot)),
                }
            }
        };
        let permit = Permit {
            _permit: permit,
            contended: slot.contended.clone(),
            freed: self.freed.clone(),
        };
        if let Some(limit) = endpoint.rate_limit_per_sec.filter(|n| *n > 0) {
            let second = chrono::Utc::now().timestamp();
            let key = format!("ratelimit:endpoint:{}:{second}", endpoint.id);
            match self.cache.incr(&key, Duration::from_secs(2)).await {
                Ok(count) if count > limit as u64 => return Err(Busy::RateLimit),
                Ok(_) => {}
                // Without the shared counter, the concurrency bound still protects the endpoint.
                Err(err) => tracing::warn!(error = %err, "rate-limit counter unavailable"),
            }
        }
        Ok(permit)
    }

    fn contend(&self, slot: &Slot) -> Busy {
        slot.contended.store(true, Ordering::Release);
        Busy::Concurrency
    }

    fn slot(&self, endpoint: &webhook_endpoint::Model) -> Slot {
        let size = endpoint
            .max_concurrency
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(self.default_concurrency);
        let mut slots = self.slots.lock().expect("limits lock");
        let new = || Slot {
            size,
            permits: Arc::new(Semaphore::new(size)),
            contended: Arc::new(AtomicBool::new(false)),
        };
        let slot = slots.entry(endpoint.id).or_insert_with(new);
        if slot.size != size {
            // The endpoint's setting changed: new attempts use the new bound.
            *slot = new();
        }
        slot.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::cache::MemoryCache;

    fn endpoint(concurrency: Option<i32>, rate: Option<i32>) -> webhook_endpoint::Model {
        let now = chrono::Utc::now();
        webhook_endpoint::Model {
            id: Uuid::now_v7(),
            url: "http://127.0.0.1:1/".into(),
            description: String::new(),
            event_types: serde_json::json!(["*"]),
            tenant_id: None,
            enabled: true,
            disabled_reason: None,
            secrets: serde_json::json!([]),
            ordered: false,
            max_concurrency: concurrency,
            rate_limit_per_sec: rate,
            failing_since: None,
            disabled_at: None,
            ordered_since: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn limits(concurrency: usize) -> Limits {
        let cache = Arc::new(MemoryCache::new());
        Limits::new(concurrency, Duration::ZERO, cache, Arc::new(Notify::new()))
    }

    #[tokio::test]
    async fn concurrency_is_bounded_per_endpoint() {
        let limits = limits(2);
        let slow = endpoint(None, None);
        let other = endpoint(Some(1), None);
        let a = limits.acquire(&slow).await.unwrap();
        let _b = limits.acquire(&slow).await.unwrap();
        assert_eq!(limits.acquire(&slow).await.unwrap_err(), Busy::Concurrency);
        // Another endpoint is unaffected.
        let _c = limits.acquire(&other).await.unwrap();
        assert_eq!(limits.acquire(&other).await.unwrap_err(), Busy::Concurrency);
        drop(a);
        assert!(limits.acquire(&slow).await.is_ok());
    }

    #[tokio::test]
    async fn a_contended_slot_refuses_at_once_and_wakes_the_loop_when_freed() {
        let freed = Arc::new(Notify::new());
        let cache = Arc::new(MemoryCache::new());
        let limits = Limits::new(1, Duration::from_secs(60), cache, freed.clone());
        let hung = endpoint(None, None);
        let fast = endpoint(None, None);
        let held = limits.acquire(&hung).await.unwrap();
        let _fast = limits.acquire(&fast).await.unwrap();
        let mut saturated = limits.saturated();
        saturated.sort();
        let mut both = vec![hung.id, fast.id];
        both.sort();
        assert_eq!(saturated, both);
        // The first refusal waited for the slot; later ones do not (a minute would hang here).
        let first = tokio::time::timeout(Duration::from_millis(50), limits.acquire(&hung)).await;
        assert!(first.is_err(), "the first waits for a slot");
        limits.contend(&limits.slot(&hung));
        assert_eq!(limits.contended(), vec![hung.id]);
        let refused = tokio::time::timeout(Duration::from_secs(5), limits.acquire(&hung))
            .await
            .expect("a contended slot refuses at once");
        assert_eq!(refused.unwrap_err(), Busy::Concurrency);
        // Freeing the slot wakes the retry loop once, and clears the contention.
        drop(held);
        tokio::time::timeout(Duration::from_secs(5), freed.notified())
            .await
            .expect("woken");
        assert!(!limits.saturated().contains(&hung.id));
        assert!(limits.contended().is_empty());
        let again = limits.acquire(&hung).await.unwrap();
        drop(again);
        let no_wake = tokio::time::timeout(Duration::from_millis(50), freed.notified()).await;
        assert!(no_wake.is_err(), "no one waited: no wake-up");
    }

    #[tokio::test]
    async fn rate_limit_counts_attempts_per_second() {
        let limits = limits(100);
        let limited = endpoint(None, Some(3));
        // Three in one second pass; more wait. (A second boundary in between only lets more
        // through, so count until the first refusal within a bounded number of tries.)
        let mut passed = 0;
        for _ in 0..7 {
            match limits.acquire(&limited).await {
                Ok(_) => passed += 1,
                Err(Busy::RateLimit) => break,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!((3..=6).contains(&passed), "{passed}");
    }
}
