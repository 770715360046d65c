use super::group_id;
use crate::ApiState;
use crate::scim::schema::ScimErrors;
use crate::scim::{ScimApiError, ScimAuth, etag};
use actix_web::{HttpRequest, HttpResponse, delete, web};

/// Delete a Group. Emits `group.deleted`.
#[utoipa::path(
    tag = "SCIM Groups",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ("id" = String, Path, description = "The group's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[delete("/Groups/{id}")]
pub async fn delete_group(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ScimApiError> {
    let id = group_id(&path.1)?;
    let expected = etag::if_match(&req)?;
    state
        .svc
        .delete_group(&ctx, id, expected.as_deref())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
