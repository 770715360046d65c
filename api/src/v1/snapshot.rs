//! A connection's snapshot: what an app bootstraps from before tailing the Events API.

use super::auth::Principal;
use super::events::events_cursor;
use super::pagination::{decode_cursor, encode_cursor, limit};
use super::problem::Problem;
use super::schema::ReadProblems;
use crate::ApiState;
use actix_web::{get, web};
use roster_domain::ids::ConnectionId;
use roster_domain::services::{SnapshotCursor, SnapshotPage};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SnapshotQuery {
    /// The previous page's `next_cursor`; omit for the first page.
    after: Option<String>,
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// A user or a group, as of `sequence`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotItem {
    /// The connection's sequence this item reflects: every event of the connection up to it,
    /// none after. While tailing, skip events about this object with a sequence not above it.
    sequence: i64,
    /// The normalized object exactly as an event's `data` carries it (`object`: `user` or
    /// `group`; users list their `groups`).
    #[schema(value_type = Object)]
    data: serde_json::Value,
}

/// One page of a connection's users (first) and groups (then).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionSnapshot {
    data: Vec<SnapshotItem>,
    /// Pass as `after` for the next page; `null` on the last page.
    next_cursor: Option<String>,
    /// The connection's sequence when this page was read.
    connection_sequence: i64,
    /// Once every page is read, tail `GET /api/v1/events?after={events_cursor}` from here
    /// (the same on every page of one snapshot).
    events_cursor: String,
}

impl From<SnapshotPage> for ConnectionSnapshot {
    fn from(page: SnapshotPage) -> Self {
        Self {
            data: page
                .items
                .into_iter()
                .map(|i| SnapshotItem {
                    sequence: i.sequence,
                    data: i.data,
                })
                .collect(),
            next_cursor: page.next.as_ref().map(encode_cursor),
            connection_sequence: page.connection_sequence,
            events_cursor: events_cursor(page.events_from),
        }
    }
}

/// Snapshot a connection's users and groups, to bootstrap from before tailing events.
///
/// Read every page, then tail `/api/v1/events?after={events_cursor}&connection_id={id}` and
/// apply an event only if its `sequence` is above the `sequence` of the item it is about (the
/// user for `user.*` and membership events, the group for `group.created|updated|deleted`);
/// events about objects the snapshot did not return are applied. Each page is read
/// consistently, so this never misses or double-applies a change made while paging.
#[utoipa::path(
    tag = "Connections",
    params(
        ("connection_id" = Uuid, Path, description = "The connection"),
        SnapshotQuery,
    ),
    responses(
        (status = 200, body = ConnectionSnapshot, description = "A page of the snapshot"),
        ReadProblems,
    ),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/connections/{connection_id}/snapshot")]
pub async fn snapshot(
    principal: Principal,
    state: web::Data<ApiState>,
    connection_id: web::Path<Uuid>,
    query: web::Query<SnapshotQuery>,
) -> Result<web::Json<ConnectionSnapshot>, Problem> {
    let query = query.into_inner();
    let limit = limit(query.limit)?;
    let from = query
        .after
        .as_deref()
        .map(|raw| decode_cursor::<SnapshotCursor>(raw, "after"))
        .transpose()?;
    let page = state
        .svc
        .connection_snapshot(
            principal.tenant_scope(),
            ConnectionId(connection_id.into_inner()),
            from,
            limit,
        )
        .await?;
    Ok(web::Json(page.into()))
}
