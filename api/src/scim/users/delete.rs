use super::user_id;
use crate::ApiState;
use crate::scim::schema::ScimErrors;
use crate::scim::{ScimApiError, ScimAuth, etag};
use actix_web::{HttpRequest, HttpResponse, delete, web};

/// Delete a User. Emits `group.user_removed` for each of its groups, then `user.deleted`.
/// (Okta never deletes: it deactivates with `active: false`.)
#[utoipa::path(
    tag = "SCIM Users",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ("id" = String, Path, description = "The user's id"),
        ("If-Match" = Option<String>, Header, description = "Only if the user is at this version (W/\"n\")"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[delete("/Users/{id}")]
pub async fn delete_user(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ScimApiError> {
    let id = user_id(&path.1)?;
    let expected = etag::if_match(&req)?;
    state.svc.delete_user(&ctx, id, expected.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
