//! The SCIM request log: written in batches off the request path, read per connection, pruned
//! after `scim.request_log_retention_days`.

use crate::entities::{connection, scim_request};
use crate::error::Result;
use crate::ids::{ConnectionId, TenantId};
use crate::services::{Services, all_into};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::mpsc;
use uuid::Uuid;

/// Characters of a request body kept in the log.
pub const EXCERPT_CHARS: usize = 2048;
/// Entries buffered before new ones are dropped (the log must never slow the SCIM API down).
const QUEUE: usize = 10_000;
const BATCH: usize = 200;
/// How long the writer waits for more entries after the first of a batch: entries appear in
/// the log this late at most, and a busy API writes them hundreds at a time.
const LINGER: Duration = Duration::from_millis(100);

/// One SCIM request as logged.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestLogEntry {
    pub id: Uuid,
    pub connection_id: ConnectionId,
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub scim_type: Option<String>,
    pub duration_ms: u32,
    pub request_id: Option<String>,
    pub request_excerpt: Option<String>,
    pub error_detail: Option<String>,
}

impl From<scim_request::Model> for RequestLogEntry {
    fn from(m: scim_request::Model) -> Self {
        Self {
            id: m.id,
            connection_id: m.connection_id.into(),
            at: m.at,
            method: m.method,
            path: m.path,
            status: u16::try_from(m.status).unwrap_or(0),
            scim_type: m.scim_type,
            duration_ms: u32::try_from(m.duration_ms).unwrap_or(0),
            request_id: m.request_id,
            request_excerpt: m.request_excerpt,
            error_detail: m.error_detail,
        }
    }
}

/// Hands entries to the background writer; cheap to clone, never blocks.
#[derive(Clone)]
pub struct RequestLog {
    tx: mpsc::Sender<RequestLogEntry>,
}

impl RequestLog {
    pub fn record(&self, entry: RequestLogEntry) {
        if self.tx.try_send(entry).is_err() {
            tracing::warn!("SCIM request log queue full; entry dropped");
        }
    }
}

/// Attribute names whose values never reach the log.
const SECRET_KEYS: &[&str] = &["password", "token", "secret", "authorization"];

/// The body as logged: secrets replaced by `"[redacted]"`, then truncated.
pub fn redacted_excerpt(body: &Value) -> String {
    fn redact(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    let secret = SECRET_KEYS
                        .iter()
                        .any(|s| key.to_ascii_lowercase().contains(s));
                    if secret {
                        *value = Value::from("[redacted]");
                    } else {
                        redact(value);
                    }
                }
                // PATCH operations name the attribute in `path`, the secret in `value`.
                let path_is_secret = map.get("path").and_then(Value::as_str).is_some_and(|p| {
                    SECRET_KEYS
                        .iter()
                        .any(|s| p.to_ascii_lowercase().contains(s))
                });
                if path_is_secret && let Some(value) = map.get_mut("value") {
                    *value = Value::from("[redacted]");
                }
            }
            Value::Array(items) => items.iter_mut().for_each(redact),
            _ => {}
        }
    }
    let mut copy = body.clone();
    redact(&mut copy);
    let text = copy.to_string();
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

impl Services {
    /// Starts the background writer and returns the handle the SCIM API records with.
    pub fn start_request_log(&self) -> RequestLog {
        let (tx, mut rx) = mpsc::channel::<RequestLogEntry>(QUEUE);
        let svc = self.clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while rx.recv_many(&mut batch, BATCH).await > 0 {
                // Gather what the next moments bring: under load, one statement then writes
                // hundreds of entries instead of a few.
                let until = tokio::time::Instant::now() + LINGER;
                while batch.len() < BATCH {
                    let room = BATCH - batch.len();
                    match tokio::time::timeout_at(until, rx.recv_many(&mut batch, room)).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                if let Err(err) = svc.write_request_log(std::mem::take(&mut batch)).await {
                    tracing::warn!(error = %err, "writing the SCIM request log failed");
                }
            }
        });
        RequestLog { tx }
    }

    async fn write_request_log(&self, entries: Vec<RequestLogEntry>) -> Result<()> {
        // Requests to connection ids that do not exist (probes, typos) are not logged.
        let ids: HashSet<Uuid> = entries.iter().map(|e| e.connection_id.0).collect();
        let known: HashSet<Uuid> = connection::Entity::find()
            .select_only()
            .column(connection::Column::Id)
            .filter(connection::Column::Id.is_in(ids))
            .into_tuple::<Uuid>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let rows: Vec<scim_request::ActiveModel> = entries
            .into_iter()
            .filter(|e| known.contains(&e.connection_id.0))
            .map(|e| scim_request::ActiveModel {
                id: Set(e.id),
                connection_id: Set(e.connection_id.0),
                at: Set(e.at),
                method: Set(e.method),
                path: Set(e.path),
                status: Set(i32::from(e.status)),
                scim_type: Set(e.scim_type),
                duration_ms: Set(i32::try_from(e.duration_ms).unwrap_or(i32::MAX)),
                request_id: Set(e.request_id),
                request_excerpt: Set(e.request_excerpt),
                error_detail: Set(e.error_detail),
            })
            .collect();
        if !rows.is_empty() {
            scim_request::Entity::insert_many(rows)
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    /// The newest requests of a connection first (visible `within` a tenant, if given);
    /// `before` (an entry's time and id) pages back in time; `errors_only` keeps the requests
    /// answered with a 4xx or 5xx.
    pub async fn request_log(
        &self,
        connection: ConnectionId,
        within: Option<TenantId>,
        before: Option<(DateTime<Utc>, Uuid)>,
        errors_only: bool,
        limit: u64,
    ) -> Result<Vec<RequestLogEntry>> {
        self.get_connection_in(connection, within).await?;
        let mut query = scim_request::Entity::find()
            .filter(scim_request::Column::ConnectionId.eq(connection.0))
            .order_by_desc(scim_request::Column::At)
            .order_by_desc(scim_request::Column::Id)
            .limit(limit.min(1000));
        if let Some((at, id)) = before {
            query = query.filter(
                Condition::any().add(scim_request::Column::At.lt(at)).add(
                    Condition::all()
                        .add(scim_request::Column::At.eq(at))
                        .add(scim_request::Column::Id.lt(id)),
                ),
            );
        }
        if errors_only {
            query = query.filter(scim_request::Column::Status.gte(400));
        }
        all_into(query, &self.db).await
    }

    /// Deletes entries older than the retention; returns how many.
    pub async fn prune_request_log(&self) -> Result<u64> {
        let days = i64::from(self.config.scim.request_log_retention_days);
        let cutoff = Utc::now() - ChronoDuration::days(days);
        Ok(scim_request::Entity::delete_many()
            .filter(scim_request::Column::At.lt(cutoff))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}

/// How often the worker prunes the log.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_never_reach_the_log() {
        let body = json!({
            "userName": "ada", "password": "hunter2",
            "Operations": [{"op": "replace", "path": "password", "value": "s3cret"},
                           {"op": "replace", "value": {"password": "again"}}],
            "x": {"apiToken": "t"}
        });
        let text = redacted_excerpt(&body);
        for secret in ["hunter2", "s3cret", "again", "\"t\""] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains("ada"));
        let long = json!({"userName": "x".repeat(10_000)});
        assert!(redacted_excerpt(&long).chars().count() <= EXCERPT_CHARS + 1);
    }
}
