//! `POST …/.search` (RFC 7644 §3.4.3): a list request whose parameters travel in a
//! SearchRequest body instead of the query string (long filters, no secrets in URLs).

use crate::ApiState;
use crate::scim::list_params::ListParams;
use crate::scim::schema::ScimErrorBody;
use crate::scim::{ScimApiError, ScimAuth, body, groups, users};
use actix_web::{HttpRequest, HttpResponse, post, web};

/// Search Users with a SearchRequest body (`filter`, `startIndex`, `count`, `sortBy`,
/// `sortOrder`, `attributes`, `excludedAttributes`).
#[utoipa::path(
    tag = "SCIM Users",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    request_body(content = serde_json::Value, content_type = "application/scim+json",
        example = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"a\"", "count": 10})),
    responses(
        (status = 200, description = "ListResponse of Users", content_type = "application/scim+json"),
        (status = 400, description = "Invalid request", body = ScimErrorBody, content_type = "application/scim+json"),
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
        (status = 400, description = "Invalid request", body = ScimErrorBody, content_type = "application/scim+json"),
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
