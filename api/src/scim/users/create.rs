use crate::ApiState;
use crate::scim::schema::{ScimErrors, ScimUser};
use crate::scim::{Projection, ScimApiError, ScimAuth, body, projected_response};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use roster_domain::services::scim_user_resource;
use roster_scim::schema::ResourceKind;

/// Create a User. Writes the user and its `user.created` event in one transaction.
#[utoipa::path(
    tag = "SCIM Users",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    request_body(content = ScimUser, content_type = "application/scim+json"),
    responses(
        (status = 201, description = "Created; `Location` and `ETag` headers set", body = ScimUser, content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[post("/Users")]
pub async fn create_user(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ScimApiError> {
    let projection = Projection::from_request(&req)?;
    let svc = &state.svc;
    let json = body::read_json(&req, payload, svc.config.scim.max_body_bytes).await?;
    let input = roster_scim::parse_user(&json)?;
    let user = svc.create_user(&ctx, input).await?;
    let resource = scim_user_resource(&user, &svc.scim_base_url(ctx.connection_id));
    Ok(projected_response(
        StatusCode::CREATED,
        resource,
        &projection,
        ResourceKind::User,
    ))
}
