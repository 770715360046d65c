//! Tenants: one per customer organization. Creating and deleting need a credential that is
//! not restricted to one tenant; a restricted one sees (and renames) only its own.

use super::auth::Principal;
use super::nullable::nullable;
use super::pagination::{Paginated, after_id, id_page, limit};
use super::problem::Problem;
use super::schema::{ReadProblems, WriteProblems};
use crate::ApiState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use roster_domain::ids::TenantId;
use roster_domain::services::{Target, TenantUpdate, TenantView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenant {
    #[schema(example = "Acme Corp")]
    name: String,
    /// Your app's own id for the organization (unique); events carry it.
    #[schema(example = "org_8f2k")]
    external_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenant {
    name: Option<String>,
    /// A new external id, or `null` to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    external_id: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TenantsQuery {
    /// Part of the name (case-insensitive), or an exact external id.
    search: Option<String>,
    /// A `next_cursor`.
    after: Option<String>,
    /// Tenants per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

pub(crate) type TenantPath = web::Path<Uuid>;

async fn audit_tenant(principal: &Principal, state: &ApiState, action: &str, id: TenantId) {
    let target = Some(Target::new("tenant", id.0));
    principal
        .audit(&state.svc, action, Some(id), target, None)
        .await;
}

/// Create a tenant.
#[utoipa::path(
    tag = "Tenants",
    request_body = CreateTenant,
    responses((status = 201, body = TenantView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/tenants")]
pub async fn create_tenant(
    principal: Principal,
    state: web::Data<ApiState>,
    body: web::Json<CreateTenant>,
) -> Result<HttpResponse, Problem> {
    principal.require_write()?;
    principal.require_unrestricted()?;
    let view = state
        .svc
        .create_tenant(&body.name, body.external_id.as_deref())
        .await?;
    audit_tenant(&principal, &state, "tenant.created", view.id).await;
    Ok(HttpResponse::Created().json(view))
}

/// List tenants, oldest first.
#[utoipa::path(
    tag = "Tenants",
    params(TenantsQuery),
    responses((status = 200, body = Paginated<TenantView>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/tenants")]
pub async fn list_tenants(
    principal: Principal,
    state: web::Data<ApiState>,
    query: web::Query<TenantsQuery>,
) -> Result<web::Json<Paginated<TenantView>>, Problem> {
    let limit = limit(query.limit)?;
    let after = after_id(query.after.as_deref())?.map(TenantId);
    let tenants = state
        .svc
        .list_tenants(
            principal.tenant_scope(),
            query.search.as_deref(),
            after,
            limit,
        )
        .await?;
    Ok(web::Json(id_page(tenants, limit, |t| t.id.0)))
}

/// Get a tenant.
#[utoipa::path(
    tag = "Tenants",
    params(("tenant_id" = Uuid, Path)),
    responses((status = 200, body = TenantView), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/tenants/{tenant_id}")]
pub async fn get_tenant(
    principal: Principal,
    state: web::Data<ApiState>,
    id: TenantPath,
) -> Result<web::Json<TenantView>, Problem> {
    let id = TenantId(id.into_inner());
    principal.ensure_visible(id, "tenant")?;
    Ok(web::Json(state.svc.get_tenant(id).await?))
}

/// Rename a tenant or change its external id.
#[utoipa::path(
    tag = "Tenants",
    params(("tenant_id" = Uuid, Path)),
    request_body = UpdateTenant,
    responses((status = 200, body = TenantView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[patch("/tenants/{tenant_id}")]
pub async fn update_tenant(
    principal: Principal,
    state: web::Data<ApiState>,
    id: TenantPath,
    body: web::Json<UpdateTenant>,
) -> Result<web::Json<TenantView>, Problem> {
    principal.require_write()?;
    let body = body.into_inner();
    let change = TenantUpdate {
        name: body.name,
        external_id: body.external_id,
    };
    let id = TenantId(id.into_inner());
    let view = state
        .svc
        .update_tenant(id, principal.tenant_scope(), change)
        .await?;
    audit_tenant(&principal, &state, "tenant.updated", id).await;
    Ok(web::Json(view))
}

/// Delete a tenant.
///
/// Each of its connections is deleted first, with a `connection.deleted` event (its SCIM
/// tokens stop working at once); then the tenant with its tenant-filtered endpoints, accounts
/// and API keys.
#[utoipa::path(
    tag = "Tenants",
    params(("tenant_id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[delete("/tenants/{tenant_id}")]
pub async fn delete_tenant(
    principal: Principal,
    state: web::Data<ApiState>,
    id: TenantPath,
) -> Result<HttpResponse, Problem> {
    principal.require_write()?;
    principal.require_unrestricted()?;
    let id = TenantId(id.into_inner());
    state
        .svc
        .delete_tenant(id, principal.tenant_scope())
        .await?;
    audit_tenant(&principal, &state, "tenant.deleted", id).await;
    Ok(HttpResponse::NoContent().finish())
}
