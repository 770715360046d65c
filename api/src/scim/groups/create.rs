use crate::ApiState;
use crate::scim::schema::{ScimErrors, ScimGroup};
use crate::scim::{Projection, ScimApiError, ScimAuth, body, projected_response};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use roster_domain::services::scim_group_resource;
use roster_scim::schema::ResourceKind;

/// Create a Group with its members. Emits `group.created` and one `group.user_added` per user.
/// Member ids that are not users or groups of this connection are skipped.
#[utoipa::path(
    tag = "SCIM Groups",
    params(("connection_id" = uuid::Uuid, Path, description = "The connection")),
    request_body(content = ScimGroup, content_type = "application/scim+json"),
    responses(
        (status = 201, description = "Created; `Location` and `ETag` headers set", body = ScimGroup, content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[post("/Groups")]
pub async fn create_group(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ScimApiError> {
    let projection = Projection::from_request(&req)?;
    let svc = &state.svc;
    let json = body::read_json(&req, payload, svc.config.scim.max_body_bytes).await?;
    let input = roster_scim::parse_group(&json)?;
    let record = svc.create_group(&ctx, input).await?;
    let resource = scim_group_resource(&record, &svc.scim_base_url(ctx.connection_id));
    Ok(projected_response(
        StatusCode::CREATED,
        resource,
        &projection,
        ResourceKind::Group,
    ))
}
