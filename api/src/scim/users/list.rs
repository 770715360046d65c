use crate::ApiState;
use crate::scim::list_params::ListParams;
use crate::scim::schema::{ListQueryDoc, ScimErrors};
use crate::scim::{ScimApiError, ScimAuth, list_response};
use actix_web::{HttpRequest, HttpResponse, get, web};
use roster_domain::ids::ConnectionCtx;
use roster_domain::services::scim_user_resource;
use roster_scim::schema::ResourceKind;

/// List Users: `startIndex` (1-based), `count` (0: totals only), `sortBy` / `sortOrder`,
/// `attributes` / `excludedAttributes`. The order is stable (creation, then id) when unsorted.
#[utoipa::path(
    tag = "SCIM Users",
    params(
        ("connection_id" = uuid::Uuid, Path, description = "The connection"),
        ListQueryDoc,
    ),
    responses(
        (status = 200, description = "ListResponse of Users", content_type = "application/scim+json"),
        ScimErrors,
    ),
    security(("scim_token" = [])),
)]
#[get("/Users")]
pub async fn list_users(
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
    params.query.with_related = !params.projection.excludes("groups");
    let page = svc.list_users(ctx, &params.query).await?;
    let base = svc.scim_base_url(ctx.connection_id);
    let resources = page.items.iter().map(|r| scim_user_resource(r, &base));
    Ok(list_response(
        page.total,
        page.start_index,
        resources,
        &params.projection,
        ResourceKind::User,
    ))
}
