//! Discovery (RFC 7644 §4): `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`. Read-only:
//! other methods get a 405 SCIM error. The configuration states what this server really
//! supports, limits included.

use crate::ApiState;
use crate::scim::schema::ScimErrors;
use crate::scim::{ScimApiError, ScimAuth, resource_response};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use roster_scim::ListResponse;
use roster_scim::ScimError;
use roster_scim::schema::{
    ResourceKind, ServiceProviderLimits, all_schemas, resource_type_json, schema_by_id,
    schema_json, service_provider_config_json,
};

/// What this server supports, as `/ServiceProviderConfig` states it.
pub fn limits(state: &ApiState) -> ServiceProviderLimits {
    let scim = &state.svc.config.scim;
    ServiceProviderLimits {
        max_results: scim.max_page_size,
        max_payload_bytes: scim.max_body_bytes as u64,
        bulk_max_operations: scim.bulk_max_operations as u64,
        bulk_max_payload_bytes: scim.bulk_max_payload_bytes as u64,
        filter_supported: true,
        patch_supported: true,
        bulk_supported: true,
        sort_supported: true,
        etag_supported: true,
        change_password_supported: false,
        documentation_uri: Some(format!("{}/docs/", state.svc.config.public_url())),
    }
}

fn list(resources: Vec<serde_json::Value>) -> HttpResponse {
    let total = resources.len() as u64;
    let body = ListResponse::new(total, 1, resources);
    HttpResponse::Ok()
        .content_type(roster_scim::CONTENT_TYPE)
        .body(serde_json::to_string(&body).unwrap_or_default())
}

/// What this service provider supports (filter, PATCH, bulk, sorting, ETags) and its limits.
#[utoipa::path(
    tag = "SCIM Discovery",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    responses(
        (status = 200, description = "RFC 7643 §5 ServiceProviderConfig", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[get("/ServiceProviderConfig")]
pub async fn service_provider_config(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
) -> HttpResponse {
    let base = state.svc.scim_base_url(ctx.connection_id);
    resource_response(
        StatusCode::OK,
        service_provider_config_json(&limits(&state), &base),
    )
}

/// The resource types (User with the Enterprise extension, Group).
#[utoipa::path(
    tag = "SCIM Discovery",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    responses(
        (status = 200, description = "ListResponse of RFC 7643 §6 ResourceTypes", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[get("/ResourceTypes")]
pub async fn resource_types(ScimAuth(ctx): ScimAuth, state: web::Data<ApiState>) -> HttpResponse {
    let base = state.svc.scim_base_url(ctx.connection_id);
    list(
        ResourceKind::ALL
            .iter()
            .map(|k| resource_type_json(*k, &base))
            .collect(),
    )
}

/// One resource type (`User` or `Group`).
#[utoipa::path(
    tag = "SCIM Discovery",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ("id" = String, Path, description = "`User` or `Group`"),
    ),
    responses(
        (status = 200, description = "RFC 7643 §6 ResourceType", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[get("/ResourceTypes/{id}")]
pub async fn resource_type(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ScimApiError> {
    let base = state.svc.scim_base_url(ctx.connection_id);
    let kind = ResourceKind::ALL
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(&path.1))
        .ok_or_else(|| ScimError::not_found(format!("no resource type {}", path.1)))?;
    Ok(resource_response(
        StatusCode::OK,
        resource_type_json(kind, &base),
    ))
}

/// The schemas (User, Group, Enterprise User) with every attribute's characteristics.
#[utoipa::path(
    tag = "SCIM Discovery",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    responses(
        (status = 200, description = "ListResponse of RFC 7643 §7 Schemas", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[get("/Schemas")]
pub async fn schemas_list(ScimAuth(ctx): ScimAuth, state: web::Data<ApiState>) -> HttpResponse {
    let base = state.svc.scim_base_url(ctx.connection_id);
    list(
        all_schemas()
            .iter()
            .map(|s| schema_json(s, &base))
            .collect(),
    )
}

/// One schema, by its URN.
#[utoipa::path(
    tag = "SCIM Discovery",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ("id" = String, Path, description = "The schema URN"),
    ),
    responses(
        (status = 200, description = "RFC 7643 §7 Schema", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[get("/Schemas/{id}")]
pub async fn schema(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ScimApiError> {
    let base = state.svc.scim_base_url(ctx.connection_id);
    let schema = schema_by_id(&path.1)
        .ok_or_else(|| ScimError::not_found(format!("no schema {}", path.1)))?;
    Ok(resource_response(
        StatusCode::OK,
        schema_json(schema, &base),
    ))
}
