use super::group_id;
use crate::ApiState;
use crate::scim::schema::{ScimErrors, ScimGroup};
use crate::scim::{Projection, ScimApiError, ScimAuth, etag, projected_response};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use roster_domain::services::scim_group_resource;
use roster_scim::schema::ResourceKind;

/// Get a Group by id, with its members.
#[utoipa::path(
    tag = "SCIM Groups",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ("id" = String, Path, description = "The group's id"),
    ),
    responses(
        (status = 200, body = ScimGroup, content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[get("/Groups/{id}")]
pub async fn get_group(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ScimApiError> {
    let projection = Projection::from_request(&req)?;
    let id = group_id(&path.1)?;
    let with_members = !projection.excludes("members");
    let record = state.svc.get_group(&ctx, id, with_members).await?;
    let resource = scim_group_resource(&record, &state.svc.scim_base_url(ctx.connection_id));
    if let Some(not_modified) = etag::not_modified(&req, &resource) {
        return Ok(not_modified);
    }
    Ok(projected_response(
        StatusCode::OK,
        resource,
        &projection,
        ResourceKind::Group,
    ))
}
