//! `POST …/.search` (RFC 7644 §3.4.3): a list request whose parameters travel in a
//! SearchRequest body instead of the query string (long filters, no secrets in URLs).

use crate::ApiState;
use crate::scim::list_params::ListParams;
use crate::scim::schema::ScimErrors;
use crate::scim::{ScimApiError, ScimAuth, body, groups, users};
use actix_web::{HttpRequest, HttpResponse, post, web};
use roster_domain::services::{ListQuery, scim_group_resource, scim_user_resource};
use roster_scim::ListResponse;
use roster_scim::schema::ResourceKind;

/// Search Users with a SearchRequest body (`filter`, `startIndex`, `count`, `sortBy`,
/// `sortOrder`, `attributes`, `excludedAttributes`).
#[utoipa::path(
    tag = "SCIM Users",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    request_body(content = serde_json::Value, content_type = "application/scim+json",
        example = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"a\"", "count": 10})),
    responses(
        (status = 200, description = "ListResponse of Users", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[post("/Users/.search")]
pub async fn search_users(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ScimApiError> {
    let params = params(&state, &req, payload).await?;
    users::list::respond(&state, &ctx, params).await
}

/// Search Groups with a SearchRequest body.
#[utoipa::path(
    tag = "SCIM Groups",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    request_body(content = serde_json::Value, content_type = "application/scim+json"),
    responses(
        (status = 200, description = "ListResponse of Groups", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[post("/Groups/.search")]
pub async fn search_groups(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ScimApiError> {
    let params = params(&state, &req, payload).await?;
    groups::list::respond(&state, &ctx, params).await
}

async fn params(
    state: &ApiState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<ListParams, ScimApiError> {
    let scim = &state.svc.config.scim;
    let json = body::read_json(req, payload, scim.max_body_bytes).await?;
    ListParams::from_search(&json, scim.max_page_size)
}

/// Search Users and Groups at once (the root `.search`): users first, then groups, paged as
/// one list; `sortBy` orders within each resource type.
#[utoipa::path(
    tag = "SCIM Discovery",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    request_body(content = serde_json::Value, content_type = "application/scim+json"),
    responses(
        (status = 200, description = "ListResponse of Users and Groups", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[post("/.search")]
pub async fn search_all(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ScimApiError> {
    let svc = &state.svc;
    let params = params(&state, &req, payload).await?;
    let query = &params.query;
    let totals = ListQuery {
        count: 0,
        start_index: 1,
        ..query.clone()
    };
    let users_total = svc.list_users(&ctx, &totals).await?.total;
    let groups_total = svc.list_groups(&ctx, &totals).await?.total;
    let base = svc.scim_base_url(ctx.connection_id);
    let projection = &params.projection;
    let mut resources = Vec::new();
    if query.count > 0 && query.start_index <= users_total {
        let mut q = query.clone();
        q.with_related = !projection.excludes("groups");
        for u in svc.list_users(&ctx, &q).await?.items {
            resources.push(projection.apply(&scim_user_resource(&u, &base), ResourceKind::User));
        }
    }
    let room = query.count.saturating_sub(resources.len() as u64);
    if room > 0 {
        let q = ListQuery {
            start_index: query.start_index.saturating_sub(users_total).max(1),
            count: room,
            with_related: !projection.excludes("members"),
            ..query.clone()
        };
        for g in svc.list_groups(&ctx, &q).await?.items {
            resources.push(projection.apply(&scim_group_resource(&g, &base), ResourceKind::Group));
        }
    }
    let body = ListResponse::new(users_total + groups_total, query.start_index, resources);
    Ok(HttpResponse::Ok()
        .content_type(roster_scim::CONTENT_TYPE)
        .body(serde_json::to_string(&body).unwrap_or_default()))
}
