//! What SCIM tokens and API keys share: a cache-aside lookup by the secret's hash in front of
//! the database, revocation that takes effect at once on every instance, and throttled
//! "last used" bookkeeping.
//!
//! Revocation does not merely delete the cache entry: it writes a tombstone for as long as an
//! entry may live, and lookups fill the cache only when the key is absent (`SET NX`). Otherwise a
//! lookup that read the database just before the revocation committed could re-cache the
//! revoked secret right after the delete, and it would keep working until the entry expired.

use crate::error::{DomainError, Result};
use crate::services::Services;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::time::Duration;

/// The cache value of a revoked secret.
const REVOKED: &str = "revoked";

impl Services {
    /// The cached value under `key`, or what `load` finds in the database (then cached for
    /// `ttl`). `None` when the secret is unknown or revoked.
    pub(crate) async fn cached_secret<T, F, Fut>(
        &self,
        key: &str,
        ttl: Duration,
        load: F,
    ) -> Result<Option<T>>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        if let Some(raw) = self.cache.get(key).await? {
            if raw == REVOKED {
                return Ok(None);
            }
            if let Ok(value) = serde_json::from_str(&raw) {
                return Ok(Some(value));
            }
        }
        let Some(value) = load().await? else {
            return Ok(None);
        };
        let raw = serde_json::to_string(&value).map_err(anyhow::Error::from)?;
        // NX: never overwrite a tombstone a concurrent revocation wrote while we loaded.
        self.cache.set_nx(key, &raw, ttl).await?;
        Ok(Some(value))
    }

    /// Call after the revocation committed: replaces the entry under `key` by a tombstone that
    /// outlives any entry cached with `ttl`.
    pub(crate) async fn revoke_cached_secret(&self, key: &str, ttl: Duration) -> Result<()> {
        self.cache.set(key, REVOKED, ttl * 2).await
    }

    /// Counts a request of credential `id` (a SCIM token, an API key) in the current second,
    /// across every instance; past `per_sec` (0: no limit), `RateLimited`. Without the shared
    /// counter (cache down), requests pass: limits protect the service, they must not stop it.
    pub(crate) async fn within_rate(&self, kind: &str, id: &str, per_sec: u32) -> Result<()> {
        if per_sec == 0 {
            return Ok(());
        }
        let second = chrono::Utc::now().timestamp();
        let key = format!("rate:{kind}:{id}:{second}");
        match self.cache.incr(&key, Duration::from_secs(2)).await {
            Ok(count) if count > u64::from(per_sec) => {
                tracing::debug!(kind, id, "request rate limit reached");
                Err(DomainError::RateLimited {
                    detail: format!(
                        "more than {per_sec} requests per second with this {kind}; slow down"
                    ),
                    retry_after_secs: 1,
                })
            }
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::warn!(error = %err, "request rate counter unavailable");
                Ok(())
            }
        }
    }

    /// True at most once per `every` for `key`, on every instance together: gates the
    /// "last used" writes so that a busy secret does not write on each request.
    pub(crate) async fn first_use_within(&self, key: &str, every: Duration) -> Result<bool> {
        self.cache.set_nx(key, "1", every).await
    }
}

#[cfg(test)]
mod tests {
    use crate::{Config, Services};
    use std::time::Duration;

    const TTL: Duration = Duration::from_secs(60);

    /// The race revocation must win: a lookup reads the secret as valid, the revocation commits
    /// and writes its tombstone, then the lookup fills the cache. The lookup in flight may
    /// succeed (it started before the revocation); every later one must fail.
    #[tokio::test]
    async fn a_fill_racing_a_revocation_does_not_resurrect_the_secret() {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: tmp.path().to_path_buf(),
            ..Config::default()
        };
        let svc = Services::start(config, true).await.unwrap();
        let in_flight = svc
            .cached_secret("k", TTL, || async {
                svc.revoke_cached_secret("k", TTL).await?;
                Ok(Some(1u32))
            })
            .await
            .unwrap();
        assert_eq!(in_flight, Some(1));
        let later = svc
            .cached_secret("k", TTL, || async { Ok(Some(1u32)) })
            .await
            .unwrap();
        assert_eq!(later, None, "the tombstone wins over the database read");

        let fresh = svc
            .cached_secret("other", TTL, || async { Ok(Some(2u32)) })
            .await
            .unwrap();
        assert_eq!(fresh, Some(2));
        let cached = svc
            .cached_secret("other", TTL, || async { Ok(None::<u32>) })
            .await
            .unwrap();
        assert_eq!(cached, Some(2), "served from the cache");
    }
}
