//! A small key-value cache with expiry: Redis when `redis_url` is set (shared by every api
//! instance), otherwise in memory (the embedded default runs one process).
//!
//! Used for the SCIM token cache (revocation deletes the key, so it takes effect on every
//! instance at once) and for throttled "last used" bookkeeping.

use async_trait::async_trait;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{DomainError, Result};

#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<String>>;
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<()>;
    /// Sets the key only if it is absent; true when this call set it.
    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool>;
    async fn delete(&self, key: &str) -> Result<()>;
    /// Adds one to the counter at `key` and returns the new count; a new counter expires after
    /// `ttl` (fixed windows for rate limits: put the window number in the key).
    async fn incr(&self, key: &str, ttl: Duration) -> Result<u64>;
    async fn ping(&self) -> Result<()>;
    /// `redis` or `memory`.
    fn backend(&self) -> &'static str;
}

/// In-memory cache for the single-process embedded mode. Expired entries are dropped when read
/// and swept when the map grows, so it stays bounded by the live keys.
#[derive(Default)]
pub struct MemoryCache {
    entries: Mutex<HashMap<String, (String, Instant)>>,
}

const SWEEP_ABOVE: usize = 10_000;

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }

    fn insert(map: &mut HashMap<String, (String, Instant)>, key: &str, value: &str, ttl: Duration) {
        if map.len() >= SWEEP_ABOVE {
            let now = Instant::now();
            map.retain(|_, (_, expires)| *expires > now);
        }
        map.insert(key.to_string(), (value.to_string(), Instant::now() + ttl));
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        let mut map = self.entries.lock().expect("cache lock");
        match map.get(key) {
            Some((value, expires)) if *expires > Instant::now() => Ok(Some(value.clone())),
            Some(_) => {
                map.remove(key);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<()> {
        Self::insert(
            &mut self.entries.lock().expect("cache lock"),
            key,
            value,
            ttl,
        );
        Ok(())
    }

    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool> {
        let mut map = self.entries.lock().expect("cache lock");
        let live = map.get(key).is_some_and(|(_, e)| *e > Instant::now());
        if live {
            return Ok(false);
        }
        Self::insert(&mut map, key, value, ttl);
        Ok(true)
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.entries.lock().expect("cache lock").remove(key);
        Ok(())
    }

    async fn incr(&self, key: &str, ttl: Duration) -> Result<u64> {
        let mut map = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        let count = match map.get_mut(key) {
            Some((value, expires)) if *expires > now => {
                let next = value.parse::<u64>().unwrap_or(0) + 1;
                *value = next.to_string();
                return Ok(next);
            }
            _ => 1,
        };
        Self::insert(&mut map, key, "1", ttl);
        Ok(count)
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}

/// Redis-backed cache; every key is prefixed with the configured `cache_prefix`.
pub struct RedisCache {
    conn: ConnectionManager,
    prefix: String,
}

fn redis_err(err: redis::RedisError) -> DomainError {
    DomainError::Cache(err.to_string())
}

impl RedisCache {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self> {
        let client = redis::Client::open(url).map_err(redis_err)?;
        let conn = ConnectionManager::new(client).await.map_err(redis_err)?;
        Ok(Self {
            conn,
            prefix: format!("{prefix}:"),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn ttl_ms(ttl: Duration) -> u64 {
    (ttl.as_millis() as u64).max(1)
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .clone()
            .get(self.key(key))
            .await
            .map_err(redis_err)
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<()> {
        redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("PX")
            .arg(ttl_ms(ttl))
            .query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(redis_err)
    }

    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool> {
        let reply: Option<String> = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms(ttl))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(redis_err)?;
        Ok(reply.is_some())
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.conn
            .clone()
            .del::<_, ()>(self.key(key))
            .await
            .map_err(redis_err)
    }

    async fn incr(&self, key: &str, ttl: Duration) -> Result<u64> {
        let key = self.key(key);
        let (count,): (u64,) = redis::pipe()
            .atomic()
            .incr(&key, 1u64)
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(ttl_ms(ttl))
            .arg("NX")
            .ignore()
            .query_async(&mut self.conn.clone())
            .await
            .map_err(redis_err)?;
        Ok(count)
    }

    async fn ping(&self) -> Result<()> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn.clone())
            .await
            .map(|_| ())
            .map_err(redis_err)
    }

    fn backend(&self) -> &'static str {
        "redis"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_cache_expires_and_set_nx_is_exclusive() {
        let cache = MemoryCache::new();
        cache.set("a", "1", Duration::from_secs(60)).await.unwrap();
        assert_eq!(cache.get("a").await.unwrap().as_deref(), Some("1"));
        assert!(
            !cache
                .set_nx("a", "2", Duration::from_secs(60))
                .await
                .unwrap()
        );
        cache.delete("a").await.unwrap();
        assert!(
            cache
                .set_nx("a", "2", Duration::from_secs(60))
                .await
                .unwrap()
        );
        cache.set("b", "x", Duration::from_millis(0)).await.unwrap();
        // A zero TTL has expired by the time it is read.
        assert_eq!(cache.get("b").await.unwrap(), None);
    }

    #[tokio::test]
    async fn memory_counters_count_within_their_window() {
        let cache = MemoryCache::new();
        let minute = Duration::from_secs(60);
        assert_eq!(cache.incr("c", minute).await.unwrap(), 1);
        assert_eq!(cache.incr("c", minute).await.unwrap(), 2);
        assert_eq!(cache.incr("d", Duration::ZERO).await.unwrap(), 1);
        // An expired window starts again at one.
        assert_eq!(cache.incr("d", minute).await.unwrap(), 1);
    }
}
