//! The Events API: the feed of every event a key may see, cursor-paged in a commit-safe order
//! (see `roster_domain::services::event_feed` for why paging never skips or repeats an event),
//! and single events. An event is exactly the body its webhook deliveries carry.

use super::auth::Principal;
use super::pagination::{Paginated, decode_cursor, encode_cursor, limit};
use super::problem::Problem;
use super::schema::{EventDoc, ReadProblems};
use crate::ApiState;
use actix_web::{get, web};
use roster_domain::events::EventEnvelope;
use roster_domain::ids::EventId;
use roster_domain::services::{EventFilter, FeedPosition};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

/// What an events cursor holds: a feed position.
#[derive(Debug, Serialize, Deserialize)]
struct EventsCursor {
    p: FeedPosition,
}

/// The opaque cursor of feed position `position` (also what a snapshot hands out).
pub(crate) fn events_cursor(position: FeedPosition) -> String {
    encode_cursor(&EventsCursor { p: position })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// A `next_cursor` (or a snapshot's `events_cursor`): only events after it. Omit to start
    /// from the oldest retained event.
    after: Option<String>,
    /// Comma-separated event types or patterns, e.g. `user.created,group.*` (default: all).
    types: Option<String>,
    /// Only this tenant's events.
    tenant_id: Option<Uuid>,
    /// Only this connection's events.
    connection_id: Option<Uuid>,
    /// Events per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// List events in feed order.
///
/// Pages never skip or repeat an event: pass `next_cursor` back as `after`. `next_cursor` is
/// always set, also on an empty page (then it is where to poll from next); a full page means
/// more may be waiting. An event enters the feed moments after its transaction commits. A
/// tenant-restricted key only sees its tenant's events.
#[utoipa::path(
    tag = "Events",
    params(EventsQuery),
    responses(
        (status = 200, body = Paginated<EventDoc>, description = "A page of events"),
        ReadProblems,
    ),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/events")]
pub async fn list_events(
    principal: Principal,
    state: web::Data<ApiState>,
    query: web::Query<EventsQuery>,
) -> Result<web::Json<Paginated<EventEnvelope>>, Problem> {
    principal.require_operator()?;
    let query = query.into_inner();
    let limit = limit(query.limit)?;
    let after = match query.after.as_deref() {
        Some(raw) => decode_cursor::<EventsCursor>(raw, "after")?.p,
        None => 0,
    };
    let filter = EventFilter {
        types: query
            .types
            .iter()
            .flat_map(|t| t.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        tenant: query.tenant_id.map(Into::into),
        connection: query.connection_id.map(Into::into),
    };
    let page = state
        .svc
        .list_events(principal.tenant_scope(), after, &filter, limit)
        .await?;
    Ok(web::Json(Paginated {
        data: page.events,
        next_cursor: Some(events_cursor(page.next)),
    }))
}

/// Get one event.
#[utoipa::path(
    tag = "Events",
    params(("event_id" = Uuid, Path, description = "The event's id (the `webhook-id` of its deliveries)")),
    responses((status = 200, body = EventDoc, description = "The event"), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/events/{event_id}")]
pub async fn get_event(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<EventEnvelope>, Problem> {
    principal.require_operator()?;
    let event = state
        .svc
        .get_event(principal.tenant_scope(), EventId(id.into_inner()))
        .await?;
    Ok(web::Json(event))
}
