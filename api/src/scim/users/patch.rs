use super::user_id;
use crate::ApiState;
use crate::scim::schema::{ScimErrors, ScimPatch, ScimUser};
use crate::scim::{Projection, ScimApiError, ScimAuth, body, etag, projected_response};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, patch, web};
use roster_domain::services::scim_user_resource;
use roster_scim::schema::ResourceKind;

/// Patch a User (RFC 7644 §3.5.2): add / remove / replace, with or without a path, value
/// filters included; all operations apply or none. Answers 200 with the resource.
#[utoipa::path(
    tag = "SCIM Users",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ("id" = String, Path, description = "The user's id"),
        ("If-Match" = Option<String>, Header, description = "Only if the user is at this version (W/\"n\")"),
    ),
    request_body(content = ScimPatch, content_type = "application/scim+json"),
    responses(
        (status = 200, body = ScimUser, content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[patch("/Users/{id}")]
pub async fn patch_user(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ScimApiError> {
    let projection = Projection::from_request(&req)?;
    let id = user_id(&path.1)?;
    let expected = etag::if_match(&req)?;
    let svc = &state.svc;
    let json = body::read_json(&req, payload, svc.config.scim.max_body_bytes).await?;
    let ops = roster_scim::patch::parse_patch(&json)?;
    let user = svc.patch_user(&ctx, id, &ops, expected.as_deref()).await?;
    let resource = scim_user_resource(&user, &svc.scim_base_url(ctx.connection_id));
    Ok(projected_response(
        StatusCode::OK,
        resource,
        &projection,
        ResourceKind::User,
    ))
}
