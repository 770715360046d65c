//! Directory data for your app: the users and groups of a connection or of a whole tenant,
//! in the normalized shape webhook events carry, cursor-paged by id.

use super::auth::Principal;
use super::connections::ConnectionPath;
use super::pagination::{Paginated, after_id, id_page, limit};
use super::problem::Problem;
use super::schema::{DirectoryGroupDoc, DirectoryUserDoc, ReadProblems};
use super::tenants::TenantPath;
use crate::ApiState;
use actix_web::{get, web};
use roster_domain::ids::{ConnectionId, TenantId};
use roster_domain::services::{Directory, UserFilter};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsersQuery {
    /// `active` or `inactive` (deactivated by the IdP).
    state: Option<String>,
    /// Only members of this group.
    group_id: Option<Uuid>,
    /// A case-insensitive part of the userName, display name or primary email.
    search: Option<String>,
    /// A `next_cursor`.
    after: Option<String>,
    /// Users per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GroupsQuery {
    /// A case-insensitive part of the display name.
    search: Option<String>,
    /// A `next_cursor`.
    after: Option<String>,
    /// Groups per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// A `next_cursor`.
    after: Option<String>,
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

type Page = web::Json<Paginated<Value>>;

fn object_id(v: &Value) -> Uuid {
    v["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default()
}

async fn users_of(
    principal: &Principal,
    state: &ApiState,
    directory: Directory,
    query: UsersQuery,
) -> Result<Page, Problem> {
    let limit = limit(query.limit)?;
    let after = after_id(query.after.as_deref())?;
    let active = match query.state.as_deref() {
        None => None,
        Some("active") => Some(true),
        Some("inactive") => Some(false),
        Some(other) => {
            return Err(Problem::validation(format!(
                "state must be `active` or `inactive`, not `{other}`"
            )));
        }
    };
    let filter = UserFilter {
        active,
        group: query.group_id,
        search: query.search,
    };
    let users = state
        .svc
        .directory_users(principal.tenant_scope(), directory, &filter, after, limit)
        .await?;
    Ok(web::Json(id_page(users, limit, object_id)))
}

async fn groups_of(
    principal: &Principal,
    state: &ApiState,
    directory: Directory,
    query: GroupsQuery,
) -> Result<Page, Problem> {
    let limit = limit(query.limit)?;
    let after = after_id(query.after.as_deref())?;
    let search = query.search.as_deref();
    let groups = state
        .svc
        .directory_groups(principal.tenant_scope(), directory, search, after, limit)
        .await?;
    Ok(web::Json(id_page(groups, limit, object_id)))
}

/// List a connection's users.
#[utoipa::path(
    tag = "Directory",
    params(("connection_id" = Uuid, Path), UsersQuery),
    responses((status = 200, body = Paginated<DirectoryUserDoc>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/connections/{connection_id}/users")]
pub async fn connection_users(
    principal: Principal,
    state: web::Data<ApiState>,
    id: ConnectionPath,
    query: web::Query<UsersQuery>,
) -> Result<Page, Problem> {
    let directory = Directory::Connection(ConnectionId(id.into_inner()));
    users_of(&principal, &state, directory, query.into_inner()).await
}

/// List the users of every connection of a tenant.
#[utoipa::path(
    tag = "Directory",
    params(("tenant_id" = Uuid, Path), UsersQuery),
    responses((status = 200, body = Paginated<DirectoryUserDoc>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/tenants/{tenant_id}/users")]
pub async fn tenant_users(
    principal: Principal,
    state: web::Data<ApiState>,
    id: TenantPath,
    query: web::Query<UsersQuery>,
) -> Result<Page, Problem> {
    let directory = Directory::Tenant(TenantId(id.into_inner()));
    users_of(&principal, &state, directory, query.into_inner()).await
}

/// List a connection's groups.
#[utoipa::path(
    tag = "Directory",
    params(("connection_id" = Uuid, Path), GroupsQuery),
    responses((status = 200, body = Paginated<DirectoryGroupDoc>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/connections/{connection_id}/groups")]
pub async fn connection_groups(
    principal: Principal,
    state: web::Data<ApiState>,
    id: ConnectionPath,
    query: web::Query<GroupsQuery>,
) -> Result<Page, Problem> {
    let directory = Directory::Connection(ConnectionId(id.into_inner()));
    groups_of(&principal, &state, directory, query.into_inner()).await
}

/// List the groups of every connection of a tenant.
#[utoipa::path(
    tag = "Directory",
    params(("tenant_id" = Uuid, Path), GroupsQuery),
    responses((status = 200, body = Paginated<DirectoryGroupDoc>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/tenants/{tenant_id}/groups")]
pub async fn tenant_groups(
    principal: Principal,
    state: web::Data<ApiState>,
    id: TenantPath,
    query: web::Query<GroupsQuery>,
) -> Result<Page, Problem> {
    let directory = Directory::Tenant(TenantId(id.into_inner()));
    groups_of(&principal, &state, directory, query.into_inner()).await
}

/// Get a user, with its groups.
#[utoipa::path(
    tag = "Directory",
    operation_id = "get_directory_user",
    params(("user_id" = Uuid, Path)),
    responses((status = 200, body = DirectoryUserDoc), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/users/{user_id}")]
pub async fn get_user(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Value>, Problem> {
    let user = state
        .svc
        .directory_user(principal.tenant_scope(), id.into_inner())
        .await?;
    Ok(web::Json(user))
}

/// List the groups a user belongs to.
#[utoipa::path(
    tag = "Directory",
    params(("user_id" = Uuid, Path)),
    responses((status = 200, body = Vec<DirectoryGroupDoc>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/users/{user_id}/groups")]
pub async fn user_groups(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Value>>, Problem> {
    let groups = state
        .svc
        .user_groups(principal.tenant_scope(), id.into_inner())
        .await?;
    Ok(web::Json(groups))
}

/// Get a group.
#[utoipa::path(
    tag = "Directory",
    operation_id = "get_directory_group",
    params(("group_id" = Uuid, Path)),
    responses((status = 200, body = DirectoryGroupDoc), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/groups/{group_id}")]
pub async fn get_group(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Value>, Problem> {
    let group = state
        .svc
        .directory_group(principal.tenant_scope(), id.into_inner())
        .await?;
    Ok(web::Json(group))
}

/// List a group's members (users, with their groups), by id.
#[utoipa::path(
    tag = "Directory",
    params(("group_id" = Uuid, Path), PageQuery),
    responses((status = 200, body = Paginated<DirectoryUserDoc>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/groups/{group_id}/members")]
pub async fn group_members(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<Page, Problem> {
    let limit = limit(query.limit)?;
    let after = after_id(query.after.as_deref())?;
    let members = state
        .svc
        .group_members(principal.tenant_scope(), id.into_inner(), after, limit)
        .await?;
    Ok(web::Json(id_page(members, limit, object_id)))
}
