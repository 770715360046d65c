//! Deliveries of an endpoint and their attempts; replay one; recover the failed ones since a
//! time. The mechanics (retry schedule, leases) are the worker's; these routes queue work.

use super::auth::Principal;
use super::pagination::{Paginated, decode_cursor, encode_cursor, limit};
use super::problem::Problem;
use super::schema::{ReadProblems, WriteProblems};
use crate::ApiState;
use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use roster_domain::ids::{DeliveryId, EndpointId};
use roster_domain::services::{
    DeliveryDetail, DeliveryStats, DeliveryStatus, DeliveryView, Target,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// `pending`, `retrying`, `succeeded` or `failed`.
    status: Option<String>,
    /// A `next_cursor`: older deliveries than the last one seen.
    after: Option<String>,
    /// Deliveries per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct DeliveriesCursor {
    before: Uuid,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverDeliveries {
    /// Failed deliveries created at or after this time are attempted again.
    since: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recovered {
    /// How many failed deliveries were queued.
    queued: u64,
}

/// List an endpoint's deliveries, newest first.
#[utoipa::path(
    tag = "Deliveries",
    params(("endpoint_id" = Uuid, Path, description = "The endpoint"), DeliveriesQuery),
    responses((status = 200, body = Paginated<DeliveryView>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/endpoints/{endpoint_id}/deliveries")]
pub async fn list_deliveries(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
    query: web::Query<DeliveriesQuery>,
) -> Result<web::Json<Paginated<DeliveryView>>, Problem> {
    principal.require_operator()?;
    let query = query.into_inner();
    let limit = limit(query.limit)?;
    let status = match query.status.as_deref() {
        None => None,
        Some(s) => Some(DeliveryStatus::parse(s).ok_or_else(|| {
            Problem::validation("status must be pending, retrying, succeeded or failed")
        })?),
    };
    let before = match query.after.as_deref() {
        Some(raw) => Some(DeliveryId(
            decode_cursor::<DeliveriesCursor>(raw, "after")?.before,
        )),
        None => None,
    };
    let scope = principal.tenant_scope().restriction();
    let slice = state
        .svc
        .list_deliveries(EndpointId(id.into_inner()), scope, status, before, limit)
        .await?;
    let next_cursor = match (slice.more, slice.items.last()) {
        (true, Some(last)) => Some(encode_cursor(&DeliveriesCursor { before: last.id.0 })),
        _ => None,
    };
    Ok(web::Json(Paginated {
        data: slice.items,
        next_cursor,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// The window, ending now, in hours (default 24).
    #[param(minimum = 1, maximum = 720)]
    hours: Option<u32>,
}

/// Count an endpoint's delivery attempts, succeeded and failed, over the last hours in 24
/// equal buckets (for a chart).
#[utoipa::path(
    tag = "Deliveries",
    params(("endpoint_id" = Uuid, Path, description = "The endpoint"), StatsQuery),
    responses((status = 200, body = DeliveryStats), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/endpoints/{endpoint_id}/stats")]
pub async fn delivery_stats(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
    query: web::Query<StatsQuery>,
) -> Result<web::Json<DeliveryStats>, Problem> {
    principal.require_operator()?;
    let scope = principal.tenant_scope().restriction();
    let hours = query.hours.unwrap_or(24);
    let stats = state
        .svc
        .delivery_stats(EndpointId(id.into_inner()), scope, hours)
        .await?;
    Ok(web::Json(stats))
}

/// Get a delivery with its event payload and every attempt (status, latency, error, response).
#[utoipa::path(
    tag = "Deliveries",
    params(("delivery_id" = Uuid, Path)),
    responses((status = 200, body = DeliveryDetail), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/deliveries/{delivery_id}")]
pub async fn get_delivery(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<DeliveryDetail>, Problem> {
    principal.require_operator()?;
    let scope = principal.tenant_scope().restriction();
    let detail = state
        .svc
        .get_delivery(DeliveryId(id.into_inner()), scope)
        .await?;
    Ok(web::Json(detail))
}

/// Send a delivery again now (whatever its status; receivers dedupe on `webhook-id`).
///
/// Queued for a worker at once; if the attempt fails, the rest of the retry schedule applies.
/// The endpoint must be enabled (409 otherwise).
#[utoipa::path(
    tag = "Deliveries",
    params(("delivery_id" = Uuid, Path)),
    responses((status = 202, body = DeliveryView, description = "Queued"), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/deliveries/{delivery_id}/replay")]
pub async fn replay_delivery(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
) -> Result<actix_web::HttpResponse, Problem> {
    principal.require_operator()?;
    principal.require_write()?;
    let scope = principal.tenant_scope().restriction();
    let view = state
        .svc
        .replay_delivery(DeliveryId(id.into_inner()), scope)
        .await?;
    let target = Some(Target::new("delivery", view.id.0));
    let details = json!({"endpoint_id": view.endpoint_id, "event_id": view.event_id});
    principal
        .audit(&state.svc, "delivery.replayed", None, target, Some(details))
        .await;
    Ok(actix_web::HttpResponse::Accepted().json(view))
}

/// Attempt again every failed delivery of the endpoint created since a time.
#[utoipa::path(
    tag = "Deliveries",
    params(("endpoint_id" = Uuid, Path, description = "The endpoint")),
    request_body = RecoverDeliveries,
    responses((status = 202, body = Recovered, description = "Queued"), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/endpoints/{endpoint_id}/recover")]
pub async fn recover_deliveries(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
    body: web::Json<RecoverDeliveries>,
) -> Result<actix_web::HttpResponse, Problem> {
    principal.require_operator()?;
    principal.require_write()?;
    let scope = principal.tenant_scope().restriction();
    let target = Target::new("endpoint", *id);
    let queued = state
        .svc
        .recover_deliveries(EndpointId(*id), scope, body.since)
        .await?;
    let details = json!({"since": body.since, "queued": queued});
    principal
        .audit(
            &state.svc,
            "endpoint.recovered",
            None,
            Some(target),
            Some(details),
        )
        .await;
    Ok(actix_web::HttpResponse::Accepted().json(Recovered { queued }))
}
