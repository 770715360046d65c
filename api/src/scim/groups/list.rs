use crate::ApiState;
use crate::scim::list_params::ListParams;
use crate::scim::schema::{ListQueryDoc, ScimErrors};
use crate::scim::{ScimApiError, ScimAuth, list_response};
use actix_web::{HttpRequest, HttpResponse, get, web};
use roster_domain::ids::ConnectionCtx;
use roster_domain::services::scim_group_resource;
use roster_scim::schema::ResourceKind;

/// List Groups, with the same parameters as Users. Use `excludedAttributes=members` for large
/// groups: members are then not even loaded.
#[utoipa::path(
    tag = "SCIM Groups",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ListQueryDoc,
    ),
    responses(
        (status = 200, description = "ListResponse of Groups", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[get("/Groups")]
pub async fn list_groups(
    ScimAuth(ctx): ScimAuth,
    state: web::Data<ApiState>,
    req: HttpRequest,
) -> Result<HttpResponse, ScimApiError> {
    let params = ListParams::from_request(&req, state.svc.config.scim.max_page_size)?;
    respond(&state, &ctx, params).await
}

/// Runs a list (query string or SearchRequest) and renders the ListResponse.
pub(crate) async fn respond(
    state: &ApiState,
    ctx: &ConnectionCtx,
    mut params: ListParams,
) -> Result<HttpResponse, ScimApiError> {
    let svc = &state.svc;
    params.query.with_related = !params.projection.excludes("members");
    let page = svc.list_groups(ctx, &params.query).await?;
    let base = svc.scim_base_url(ctx.connection_id);
    let resources = page.items.iter().map(|r| scim_group_resource(r, &base));
    Ok(list_response(
        page.total,
        page.start_index,
        resources,
        &params.projection,
        ResourceKind::Group,
    ))
}
