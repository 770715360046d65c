use super::user_id;
use crate::ApiState;
use crate::scim::schema::{ScimErrors, ScimUser};
use crate::scim::{Projection, ScimApiError, ScimAuth, etag, projected_response};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use roster_domain::services::scim_user_resource;
use roster_scim::schema::ResourceKind;

/// Get a User by id.
#[utoipa::path(
    tag = "SCIM Users",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ("id" = String, Path, description = "The user's id"),
    ),
    responses(
        (status = 200, body = ScimUser, content_type = "application/scim+json"),
        (status = 304, description = "`If-None-Match` names the current version"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[get("/Users/{id}")]
pub async fn get_user(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ScimApiError> {
    let projection = Projection::from_request(&req)?;
    let user = state.svc.get_user(&ctx, user_id(&path.1)?).await?;
    let resource = scim_user_resource(&user, &state.svc.scim_base_url(ctx.connection_id));
    if let Some(not_modified) = etag::not_modified(&req, &resource) {
        return Ok(not_modified);
    }
    Ok(projected_response(
        StatusCode::OK,
        resource,
        &projection,
        ResourceKind::User,
    ))
}
