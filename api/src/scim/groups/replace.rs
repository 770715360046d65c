use super::group_id;
use crate::ApiState;
use crate::scim::schema::{ScimErrors, ScimGroup};
use crate::scim::{Projection, ScimApiError, ScimAuth, body, etag, projected_response};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, put, web};
use roster_domain::services::scim_group_resource;
use roster_scim::schema::ResourceKind;

/// Replace a Group (attributes and the whole member list). Members are diffed: only changed
/// members are written and announced.
#[utoipa::path(
    tag = "SCIM Groups",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ("id" = String, Path, description = "The group's id"),
        ("If-Match" = Option<String>, Header, description = "Only if the group is at this version (W/\"n\")"),
    ),
    request_body(content = ScimGroup, content_type = "application/scim+json"),
    responses(
        (status = 200, body = ScimGroup, content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[put("/Groups/{id}")]
pub async fn replace_group(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ScimApiError> {
    let projection = Projection::from_request(&req)?;
    let id = group_id(&path.1)?;
    let expected = etag::if_match(&req)?;
    let svc = &state.svc;
    let json = body::read_json(&req, payload, svc.config.scim.max_body_bytes).await?;
    let input = roster_scim::parse_group(&json)?;
    let record = svc
        .replace_group(
            &ctx,
            id,
            input,
            expected.as_deref(),
            !projection.excludes("members"),
        )
        .await?;
    let resource = scim_group_resource(&record, &svc.scim_base_url(ctx.connection_id));
    Ok(projected_response(
        StatusCode::OK,
        resource,
        &projection,
        ResourceKind::Group,
    ))
}
