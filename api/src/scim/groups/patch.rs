use super::group_id;
use crate::ApiState;
use crate::scim::schema::{ScimErrors, ScimGroup, ScimPatch};
use crate::scim::{Projection, ScimApiError, ScimAuth, body, etag, projected_response};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, patch, web};
use roster_domain::services::scim_group_resource;
use roster_scim::schema::ResourceKind;

/// Patch a Group. Member operations (`add members`, `remove members[value eq "id"]`,
/// `replace members`) cost O(changed members) whatever the group's size; removing a member
/// who is not in the group is not an error. Answers 200 with the resource (members are not
/// loaded when `excludedAttributes=members`).
#[utoipa::path(
    tag = "SCIM Groups",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ("id" = String, Path, description = "The group's id"),
        ("If-Match" = Option<String>, Header, description = "Only if the group is at this version (W/\"n\")"),
    ),
    request_body(content = ScimPatch, content_type = "application/scim+json"),
    responses(
        (status = 200, body = ScimGroup, content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[patch("/Groups/{id}")]
pub async fn patch_group(
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
    let ops = roster_scim::patch::parse_patch(&json)?;
    let with_members = !projection.excludes("members");
    let record = svc
        .patch_group(&ctx, id, ops, expected.as_deref(), with_members)
        .await?;
    let resource = scim_group_resource(&record, &svc.scim_base_url(ctx.connection_id));
    Ok(projected_response(
        StatusCode::OK,
        resource,
        &projection,
        ResourceKind::Group,
    ))
}
