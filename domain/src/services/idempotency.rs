//! Idempotency keys: a POST sent again with the same `Idempotency-Key` by the same credential
//! gets the first response instead of acting twice. Responses that carried a secret are not
//! stored (secrets are only hashed at rest): a retry of such a request learns that it
//! succeeded, not the secret.

use crate::entities::idempotency_key;
use crate::error::Result;
use crate::secrets;
use crate::services::Services;
use chrono::{Duration as ChronoDuration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

/// How long a key is remembered.
pub const IDEMPOTENCY_HOURS: i64 = 24;
/// An in-flight claim older than this was left by a crashed request: it may be taken over.
const STALE_SECS: i64 = 120;

/// One request, identified for idempotency.
#[derive(Debug, Clone)]
pub struct IdempotentRequest<'a> {
    /// The credential (its hash is stored).
    pub credential: &'a str,
    pub key: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a [u8],
}

/// What to do with a request that carries an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotency {
    /// First time: handle it, then [`Services::complete_idempotency`] or release.
    Proceed,
    /// Seen and answered: this was the answer (`body` `None`: it carried a secret).
    Replay {
        status: u16,
        content_type: Option<String>,
        body: Option<String>,
    },
    /// The first request with this key is still being handled.
    InFlight,
    /// The key was used for a different request.
    Mismatch,
}

fn ids(req: &IdempotentRequest<'_>) -> (String, String) {
    (
        secrets::hash_token(req.credential),
        secrets::hash_token(req.key),
    )
}

fn request_hash(req: &IdempotentRequest<'_>) -> String {
    let mut all = Vec::with_capacity(req.body.len() + 64);
    all.extend_from_slice(req.method.as_bytes());
    all.push(b' ');
    all.extend_from_slice(req.path.as_bytes());
    all.push(b'\n');
    all.extend_from_slice(req.body);
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&all))
}

impl Services {
    /// Claims the key for this request, or says how it was answered before.
    pub async fn begin_idempotency(&self, req: &IdempotentRequest<'_>) -> Result<Idempotency> {
        let (scope_hash, key_hash) = ids(req);
        let hash = request_hash(req);
        let now = Utc::now();
        for _ in 0..2 {
            let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
                scope_hash: Set(scope_hash.clone()),
                key_hash: Set(key_hash.clone()),
                method: Set(req.method.into()),
                path: Set(req.path.into()),
                request_hash: Set(hash.clone()),
                status: Set(None),
                content_type: Set(None),
                body: Set(None),
                created_at: Set(now),
            })
            .on_conflict(
                OnConflict::columns([
                    idempotency_key::Column::ScopeHash,
                    idempotency_key::Column::KeyHash,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
            if inserted == 1 {
                return Ok(Idempotency::Proceed);
            }
            let Some(row) =
                idempotency_key::Entity::find_by_id((scope_hash.clone(), key_hash.clone()))
                    .one(&self.db)
                    .await?
            else {
                continue;
            };
            let expired = row.created_at < now - ChronoDuration::hours(IDEMPOTENCY_HOURS);
            let abandoned =
                row.status.is_none() && row.created_at < now - ChronoDuration::seconds(STALE_SECS);
            if expired || abandoned {
                self.forget(&scope_hash, &key_hash).await?;
                continue;
            }
            if row.request_hash != hash {
                return Ok(Idempotency::Mismatch);
            }
            return Ok(match row.status {
                None => Idempotency::InFlight,
                Some(status) => Idempotency::Replay {
                    status: u16::try_from(status).unwrap_or(500),
                    content_type: row.content_type,
                    body: row.body,
                },
            });
        }
        Ok(Idempotency::InFlight)
    }

    /// Stores the answer to a claimed key (`body` `None` when it carried a secret).
    pub async fn complete_idempotency(
        &self,
        req: &IdempotentRequest<'_>,
        status: u16,
        content_type: Option<String>,
        body: Option<String>,
    ) -> Result<()> {
        let (scope_hash, key_hash) = ids(req);
        idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::Status,
                Some(i32::from(status)).into(),
            )
            .col_expr(idempotency_key::Column::ContentType, content_type.into())
            .col_expr(idempotency_key::Column::Body, body.into())
            .filter(idempotency_key::Column::ScopeHash.eq(scope_hash))
            .filter(idempotency_key::Column::KeyHash.eq(key_hash))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Frees a claimed key (the request failed in a way worth retrying: 5xx, 429, 401).
    pub async fn release_idempotency(&self, req: &IdempotentRequest<'_>) -> Result<()> {
        let (scope_hash, key_hash) = ids(req);
        self.forget(&scope_hash, &key_hash).await
    }

    async fn forget(&self, scope_hash: &str, key_hash: &str) -> Result<()> {
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::ScopeHash.eq(scope_hash))
            .filter(idempotency_key::Column::KeyHash.eq(key_hash))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Deletes keys past their 24 hours; returns how many.
    pub async fn prune_idempotency_keys(&self) -> Result<u64> {
        let cutoff = Utc::now() - ChronoDuration::hours(IDEMPOTENCY_HOURS);
        Ok(idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::CreatedAt.lt(cutoff))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}
