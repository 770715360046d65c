//! Connections of a tenant: create (the IdP then calls its SCIM base URL), list, rename,
//! activate / deactivate, delete. Each shows its state, last request and directory size.

use super::auth::Principal;
use super::pagination::{Paginated, after_id, id_page, limit};
use super::problem::Problem;
use super::schema::{ReadProblems, WriteProblems};
use super::tenants::TenantPath;
use crate::ApiState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use roster_domain::ids::{ConnectionId, TenantId};
use roster_domain::services::{ConnectionSummary, ConnectionView, Target};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConnection {
    /// `okta`, `entra`, `onelogin`, `jumpcloud`, `google` or `generic`.
    #[schema(example = "okta")]
    provider: String,
    /// Default: the tenant's name and the provider.
    #[serde(default)]
    name: String,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Accept the IdP's requests again (`connection.activated`).
    Active,
    /// Refuse the IdP's requests from now on, on every instance (`connection.deactivated`).
    Inactive,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConnection {
    name: Option<String>,
    state: Option<ConnectionState>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConnectionsQuery {
    /// A `next_cursor`.
    after: Option<String>,
    /// Connections per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

pub(crate) type ConnectionPath = web::Path<Uuid>;

async fn audit_connection(
    principal: &Principal,
    state: &ApiState,
    action: &str,
    view: &ConnectionView,
) {
    let target = Some(Target::new("connection", view.id.0));
    let details = serde_json::json!({"name": view.name, "state": view.state});
    principal
        .audit(
            &state.svc,
            action,
            Some(view.tenant_id),
            target,
            Some(details),
        )
        .await;
}

fn within(principal: &Principal) -> Option<TenantId> {
    principal.tenant_scope().restriction()
}

async fn summary(state: &ApiState, id: ConnectionId) -> Result<ConnectionSummary, Problem> {
    let view = state.svc.get_connection(id).await?;
    let mut summaries = state.svc.summarize_connections(vec![view]).await?;
    Ok(summaries.remove(0))
}

/// Create a connection for a tenant.
///
/// Configure the IdP with the returned `scim_base_url` and a token from
/// `POST /connections/{connection_id}/scim-tokens`. The connection is `pending` until the
/// IdP's first request.
#[utoipa::path(
    tag = "Connections",
    params(("tenant_id" = Uuid, Path)),
    request_body = CreateConnection,
    responses((status = 201, body = ConnectionSummary), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/tenants/{tenant_id}/connections")]
pub async fn create_connection(
    principal: Principal,
    state: web::Data<ApiState>,
    tenant: TenantPath,
    body: web::Json<CreateConnection>,
) -> Result<HttpResponse, Problem> {
    principal.require_write()?;
    let tenant = TenantId(tenant.into_inner());
    principal.ensure_visible(tenant, "tenant")?;
    let view = state
        .svc
        .create_connection(tenant, &body.name, &body.provider)
        .await?;
    audit_connection(&principal, &state, "connection.created", &view).await;
    Ok(HttpResponse::Created().json(ConnectionSummary {
        connection: view,
        user_count: 0,
        group_count: 0,
    }))
}

/// List a tenant's connections, oldest first.
#[utoipa::path(
    tag = "Connections",
    params(("tenant_id" = Uuid, Path), ConnectionsQuery),
    responses((status = 200, body = Paginated<ConnectionSummary>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/tenants/{tenant_id}/connections")]
pub async fn list_connections(
    principal: Principal,
    state: web::Data<ApiState>,
    tenant: TenantPath,
    query: web::Query<ConnectionsQuery>,
) -> Result<web::Json<Paginated<ConnectionSummary>>, Problem> {
    let limit = limit(query.limit)?;
    let after = after_id(query.after.as_deref())?.map(ConnectionId);
    let tenant = TenantId(tenant.into_inner());
    let views = state
        .svc
        .list_connections(tenant, within(&principal), after, limit)
        .await?;
    let summaries = state.svc.summarize_connections(views).await?;
    Ok(web::Json(id_page(summaries, limit, |c| c.connection.id.0)))
}

/// Get a connection.
#[utoipa::path(
    tag = "Connections",
    params(("connection_id" = Uuid, Path)),
    responses((status = 200, body = ConnectionSummary), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/connections/{connection_id}")]
pub async fn get_connection(
    principal: Principal,
    state: web::Data<ApiState>,
    id: ConnectionPath,
) -> Result<web::Json<ConnectionSummary>, Problem> {
    let id = ConnectionId(id.into_inner());
    state.svc.get_connection_in(id, within(&principal)).await?;
    Ok(web::Json(summary(&state, id).await?))
}

/// Rename, deactivate or activate a connection.
///
/// Deactivating refuses the IdP's requests at once on every instance and emits
/// `connection.deactivated`; activating emits `connection.activated`. Setting the state a
/// connection already has changes nothing.
#[utoipa::path(
    tag = "Connections",
    params(("connection_id" = Uuid, Path)),
    request_body = UpdateConnection,
    responses((status = 200, body = ConnectionSummary), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[patch("/connections/{connection_id}")]
pub async fn update_connection(
    principal: Principal,
    state: web::Data<ApiState>,
    id: ConnectionPath,
    body: web::Json<UpdateConnection>,
) -> Result<web::Json<ConnectionSummary>, Problem> {
    principal.require_write()?;
    let id = ConnectionId(id.into_inner());
    let within = within(&principal);
    state.svc.get_connection_in(id, within).await?;
    if let Some(name) = &body.name {
        state.svc.rename_connection(id, within, name).await?;
    }
    if let Some(wanted) = body.state {
        let active = matches!(wanted, ConnectionState::Active);
        state.svc.set_connection_active(id, within, active).await?;
    }
    let updated = summary(&state, id).await?;
    audit_connection(
        &principal,
        &state,
        "connection.updated",
        &updated.connection,
    )
    .await;
    Ok(web::Json(updated))
}

/// Delete a connection with its users, groups and tokens.
///
/// A `connection.deleted` event (the last of the connection's sequence) tells your app to
/// drop what it holds for it.
#[utoipa::path(
    tag = "Connections",
    params(("connection_id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[delete("/connections/{connection_id}")]
pub async fn delete_connection(
    principal: Principal,
    state: web::Data<ApiState>,
    id: ConnectionPath,
) -> Result<HttpResponse, Problem> {
    principal.require_write()?;
    let id = ConnectionId(id.into_inner());
    let view = state.svc.get_connection_in(id, within(&principal)).await?;
    state.svc.delete_connection(id, within(&principal)).await?;
    audit_connection(&principal, &state, "connection.deleted", &view).await;
    Ok(HttpResponse::NoContent().finish())
}
