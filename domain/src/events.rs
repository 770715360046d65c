//! The event catalog, the envelope every consumer receives, and the outbox write.
//!
//! An event is inserted in the same transaction as the change it describes, with the next
//! per-connection `sequence`: bumping the connection's `connection_sequences.event_seq` also
//! serialises concurrent writers of one connection, so sequences follow commit order.

use crate::entities::{connection_sequence, event};
use crate::error::{DomainError, Result};
use crate::ids::{ConnectionCtx, ConnectionId, EventId, TenantId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, PostgresQueryBuilder, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    Iterable, QueryFilter, Set, Statement,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Postgres channel the relay listens on. The NOTIFY is sent after the writing transaction
/// commits, not inside it (see [`crate::Services::events_committed`]).
pub const OUTBOX_CHANNEL: &str = "roster_outbox";

/// The normalized, IdP-agnostic event types.
pub const EVENT_TYPES: &[&str] = &[
    "user.created",
    "user.updated",
    "user.deactivated",
    "user.reactivated",
    "user.deleted",
    "group.created",
    "group.updated",
    "group.deleted",
    "group.user_added",
    "group.user_removed",
    "connection.activated",
    "connection.deactivated",
    "connection.deleted",
];

/// What a webhook receiver or an Events API client gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub id: EventId,
    #[serde(rename = "type")]
    pub event_type: String,
    pub created_at: DateTime<Utc>,
    pub tenant_id: TenantId,
    pub tenant_external_id: Option<String>,
    pub connection_id: Option<ConnectionId>,
    /// Grows by one per event of a connection: consumers drop anything not newer than the last
    /// sequence they applied.
    pub sequence: i64,
    pub data: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_attributes: Option<Value>,
}

/// `raw` of event data: the SCIM resource as stored plus its `id` (no `meta`, which changes on
/// every write, and no computed `groups` / `members`, which travel as membership events).
pub(crate) fn raw_resource(resource: &Value, id: uuid::Uuid) -> Value {
    let mut raw = resource.clone();
    if let Value::Object(map) = &mut raw {
        map.insert("id".into(), Value::from(id.to_string()));
    }
    raw
}

/// Whether `pattern` (`user.created`, `user.*`, `*`) selects `event_type`.
pub fn type_matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => event_type.starts_with(prefix),
        None => pattern == event_type,
    }
}

/// A pattern is valid when it names a catalog type, ends a catalog prefix with `*`, or is `*`.
pub fn is_valid_pattern(pattern: &str) -> bool {
    EVENT_TYPES.iter().any(|t| type_matches(pattern, t))
        && (pattern == "*" || pattern.strip_suffix('*').is_none_or(|p| p.ends_with('.')))
}

/// Appends an event to the outbox inside `txn`. The caller commits and then wakes the relay.
pub async fn append<C: ConnectionTrait>(
    txn: &C,
    ctx: &ConnectionCtx,
    event_type: &'static str,
    data: Value,
    previous_attributes: Option<Value>,
) -> Result<EventEnvelope> {
    let mut envelope = new_envelope(ctx, event_type, data, previous_attributes, Utc::now());
    envelope.sequence = match txn.get_database_backend() {
        DbBackend::Postgres => {
            insert_sequenced_pg(txn, ctx.connection_id, std::slice::from_ref(&envelope)).await?
        }
        _ => insert_sequenced(txn, &mut envelope).await?,
    };
    Ok(envelope)
}

/// Appends one event of `event_type` per item of `data`, in that order, with consecutive
/// sequences. On Postgres it is one statement however many there are (a group PATCH adding a
/// thousand members holds the connection's counter for one round trip, not a thousand).
pub async fn append_all<C: ConnectionTrait>(
    txn: &C,
    ctx: &ConnectionCtx,
    event_type: &'static str,
    data: Vec<Value>,
) -> Result<()> {
    let now = Utc::now();
    let mut envelopes: Vec<EventEnvelope> = data
        .into_iter()
        .map(|data| new_envelope(ctx, event_type, data, None, now))
        .collect();
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            for batch in envelopes.chunks(BATCH) {
                insert_sequenced_pg(txn, ctx.connection_id, batch).await?;
            }
        }
        _ => {
            for envelope in &mut envelopes {
                insert_sequenced(txn, envelope).await?;
            }
        }
    }
    Ok(())
}

/// Events per statement of [`append_all`]: two parameters each, far below PostgreSQL's 65,535.
const BATCH: usize = 1000;

fn new_envelope(
    ctx: &ConnectionCtx,
    event_type: &'static str,
    data: Value,
    previous_attributes: Option<Value>,
    created_at: DateTime<Utc>,
) -> EventEnvelope {
    debug_assert!(EVENT_TYPES.contains(&event_type));
    EventEnvelope {
        id: EventId::new(),
        event_type: event_type.to_string(),
        created_at,
        tenant_id: ctx.tenant_id,
        tenant_external_id: ctx.tenant_external_id.clone(),
        connection_id: Some(ctx.connection_id),
        sequence: 0,
        data,
        previous_attributes,
    }
}

/// Postgres: takes the next sequences and inserts the events (one connection's, of one type and
/// time) in one statement: the counter is bumped by their number and each takes the next
/// sequence in turn. The connection's counter row stays locked from the bump to the commit, and
/// every other writer of the connection waits for it, so the bump comes last and costs one
/// round trip. Returns the last sequence taken.
async fn insert_sequenced_pg<C: ConnectionTrait>(
    txn: &C,
    connection: ConnectionId,
    envelopes: &[EventEnvelope],
) -> Result<i64> {
    let sequenced = Sequenced::new(connection, envelopes, 0)?;
    let sql = format!(
        "WITH bumped AS ({}) {} RETURNING sequence",
        sequenced.bump, sequenced.insert
    );
    let inserted = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            sequenced.values,
        ))
        .await?;
    if inserted.len() != envelopes.len() {
        return Err(DomainError::NotFound("connection"));
    }
    let mut last = 0_i64;
    for row in &inserted {
        last = Ord::max(last, row.try_get::<i64>("", "sequence")?);
    }
    Ok(last)
}

/// Postgres: inserts `row` and appends its `event_type` event in a single statement, which run
/// outside a transaction writes and commits both in one round trip (instead of `BEGIN`, the
/// row, the event and `COMMIT`: four). The row is inserted only if the connection's counter
/// was bumped, so either both are written or neither. Returns the row as stored, or `NotFound`
/// when the connection has no counter.
pub(crate) async fn insert_with_event_pg<C, A>(
    db: &C,
    ctx: &ConnectionCtx,
    row: A,
    event_type: &'static str,
    data: Value,
) -> Result<<A::Entity as EntityTrait>::Model>
where
    C: ConnectionTrait,
    A: ActiveModelTrait,
    <A::Entity as EntityTrait>::Model: FromQueryResult,
{
    let mut select = Query::select();
    let mut columns = Vec::new();
    for column in <A::Entity as EntityTrait>::Column::iter() {
        if let Some(value) = row.get(column).into_value() {
            columns.push(column);
            select.expr(Expr::val(value));
        }
    }
    select.from(Alias::new("bumped"));
    let (insert, mut values) = Query::insert()
        .into_table(A::Entity::default())
        .columns(columns)
        .select_from(select)
        .map_err(anyhow::Error::from)?
        .returning_all()
        .build(PostgresQueryBuilder);
    let envelope = new_envelope(ctx, event_type, data, None, Utc::now());
    let sequenced = Sequenced::new(
        ctx.connection_id,
        std::slice::from_ref(&envelope),
        values.0.len(),
    )?;
    values.0.extend(sequenced.values);
    let sql = format!(
        "WITH bumped AS ({}), changed AS ({insert}), appended AS ({}) SELECT * FROM changed",
        sequenced.bump, sequenced.insert
    );
    let stored = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?
        .ok_or(DomainError::NotFound("connection"))?;
    Ok(<A::Entity as EntityTrait>::Model::from_query_result(
        &stored, "",
    )?)
}

/// The parts of a Postgres statement that numbers and inserts `envelopes`: `bump`, the body of
/// a CTE that must be named `bumped` (the connection's counter moved past them; column `base`),
/// and `insert`, the events' `INSERT` reading it. Parameters are numbered from `offset + 1`.
struct Sequenced {
    bump: String,
    insert: String,
    values: Vec<sea_orm::Value>,
}

impl Sequenced {
    fn new(connection: ConnectionId, envelopes: &[EventEnvelope], offset: usize) -> Result<Self> {
        let Some(first) = envelopes.first() else {
            return Err(anyhow::anyhow!("no events to insert").into());
        };
        let count = i64::try_from(envelopes.len()).map_err(anyhow::Error::from)?;
        let mut values: Vec<sea_orm::Value> = vec![
            connection.0.into(),
            count.into(),
            first.tenant_id.0.into(),
            first.event_type.clone().into(),
            first.created_at.into(),
        ];
        let p = |n: usize| format!("${}", offset + n);
        let mut rows = Vec::with_capacity(envelopes.len());
        for (ord, envelope) in envelopes.iter().enumerate() {
            let payload = serde_json::to_value(envelope).map_err(anyhow::Error::from)?;
            let n = values.len();
            rows.push(format!(
                "({}::uuid, {}::jsonb, {})",
                p(n + 1),
                p(n + 2),
                ord + 1
            ));
            values.push(envelope.id.0.into());
            values.push(payload.into());
        }
        Ok(Self {
            bump: format!(
                "UPDATE connection_sequences SET event_seq = event_seq + {count} \
                 WHERE connection_id = {connection} RETURNING event_seq - {count} AS base",
                count = p(2),
                connection = p(1),
            ),
            insert: format!(
                "INSERT INTO events \
                 (id, tenant_id, connection_id, sequence, event_type, payload, created_at) \
                 SELECT v.id, {tenant}, {connection}, base + v.ord, {event_type}, \
                 jsonb_set(v.payload, '{{sequence}}', to_jsonb(base + v.ord)), {created_at} \
                 FROM bumped, (VALUES {rows}) AS v(id, payload, ord) ORDER BY v.ord",
                tenant = p(3),
                connection = p(1),
                event_type = p(4),
                created_at = p(5),
                rows = rows.join(", "),
            ),
            values,
        })
    }
}

/// Any other backend (SQLite has one writer at a time): bump, then insert.
async fn insert_sequenced<C: ConnectionTrait>(
    txn: &C,
    envelope: &mut EventEnvelope,
) -> Result<i64> {
    let connection = envelope
        .connection_id
        .ok_or(DomainError::NotFound("connection"))?;
    let bumped = connection_sequence::Entity::update_many()
        .col_expr(
            connection_sequence::Column::EventSeq,
            Expr::col(connection_sequence::Column::EventSeq).add(1),
        )
        .filter(connection_sequence::Column::ConnectionId.eq(connection.0))
        .exec_with_returning(txn)
        .await?;
    let sequence = bumped
        .first()
        .map(|c| c.event_seq)
        .ok_or(DomainError::NotFound("connection"))?;
    envelope.sequence = sequence;
    let payload = serde_json::to_value(&*envelope).map_err(anyhow::Error::from)?;
    event::ActiveModel {
        id: Set(envelope.id.0),
        tenant_id: Set(envelope.tenant_id.0),
        connection_id: Set(Some(connection.0)),
        sequence: Set(sequence),
        event_type: Set(envelope.event_type.clone()),
        payload: Set(payload),
        created_at: Set(envelope.created_at),
        published_at: Set(None),
        dispatched_at: Set(None),
        feed_position: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(sequence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(type_matches("user.*", "user.created"));
        assert!(type_matches("*", "group.deleted"));
        assert!(type_matches("user.created", "user.created"));
        assert!(!type_matches("user.created", "user.updated"));
        assert!(!type_matches("group.*", "user.created"));
        for ok in ["*", "user.*", "group.user_added", "connection.*"] {
            assert!(is_valid_pattern(ok), "{ok}");
        }
        for bad in ["user", "users.*", "user.create", "us*", ""] {
            assert!(!is_valid_pattern(bad), "{bad}");
        }
    }
}

/// `previous_attributes` of an update: for every normalized attribute whose value changed, its
/// old value (`null` when it was absent). For `raw`, only the changed top-level SCIM attributes.
/// `None` when nothing changed (a no-op write emits no event).
pub fn previous_attributes(old: &Value, new: &Value) -> Option<Value> {
    let (Value::Object(old), Value::Object(new)) = (old, new) else {
        return (old != new).then(|| old.clone());
    };
    let mut changed = serde_json::Map::new();
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let (before, after) = (old.get(key), new.get(key));
        if before == after {
            continue;
        }
        let previous = match (key.as_str(), before, after) {
            ("raw", Some(b), Some(a)) => previous_attributes(b, a).unwrap_or(Value::Null),
            _ => before.cloned().unwrap_or(Value::Null),
        };
        changed.insert(key.clone(), previous);
    }
    (!changed.is_empty()).then_some(Value::Object(changed))
}

#[cfg(test)]
mod previous_tests {
    use super::previous_attributes;
    use serde_json::json;

    #[test]
    fn only_changed_attributes_with_their_old_values() {
        let old = json!({"a": 1, "b": "x", "raw": {"title": "Eng", "id": "1", "meta": 1}});
        let new =
            json!({"a": 1, "b": "y", "c": true, "raw": {"title": "CTO", "id": "1", "meta": 2}});
        assert_eq!(
            previous_attributes(&old, &new),
            Some(json!({"b": "x", "c": null, "raw": {"title": "Eng", "meta": 1}}))
        );
        assert_eq!(previous_attributes(&old, &old), None);
    }
}
