//! API keys for your app's backend: shown once, stored hashed, named, scoped (`full` or
//! `read_only`), optionally restricted to one tenant, revocable at once on every instance.

use super::auth::Principal;
use super::problem::Problem;
use super::schema::{ReadProblems, WriteProblems};
use crate::ApiState;
use actix_web::{HttpResponse, get, post, web};
use roster_domain::ids::{ApiKeyId, TenantId};
use roster_domain::services::{ApiKeyScope, ApiKeyView, IssuedApiKey, Target};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// What the key is for, e.g. `billing-service`.
    #[schema(example = "backend")]
    name: String,
    scope: ApiKeyScope,
    /// Restrict the key to this tenant. A tenant-restricted caller only creates keys for its
    /// own tenant.
    tenant_id: Option<Uuid>,
}

fn within(principal: &Principal) -> Option<TenantId> {
    principal.tenant_scope().restriction()
}

/// Create an API key.
///
/// The `secret` is in this response only. A key never gets more reach than the caller's:
/// a tenant-restricted caller's keys are restricted to the same tenant.
#[utoipa::path(
    tag = "API keys",
    request_body = CreateApiKey,
    responses((status = 201, body = IssuedApiKey), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/api-keys")]
pub async fn create_api_key(
    principal: Principal,
    state: web::Data<ApiState>,
    body: web::Json<CreateApiKey>,
) -> Result<HttpResponse, Problem> {
    principal.require_write()?;
    principal.require_operator()?;
    let tenant = match (within(&principal), body.tenant_id.map(TenantId)) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(Problem::not_found("tenant not found"));
        }
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    let issued = state
        .svc
        .create_api_key(&body.name, body.scope, tenant)
        .await?;
    let target = Some(Target::new("api_key", issued.key.id.0));
    principal
        .audit(&state.svc, "api_key.created", tenant, target, None)
        .await;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(issued))
}

/// List API keys (never their secrets), revoked ones included.
#[utoipa::path(
    tag = "API keys",
    responses((status = 200, body = Vec<ApiKeyView>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    principal: Principal,
    state: web::Data<ApiState>,
) -> Result<web::Json<Vec<ApiKeyView>>, Problem> {
    principal.require_operator()?;
    Ok(web::Json(
        state.svc.list_api_keys(principal.tenant_scope()).await?,
    ))
}

/// Revoke an API key.
///
/// From the moment this returns, every instance refuses it. Revoking a revoked key changes
/// nothing. A key may revoke itself.
#[utoipa::path(
    tag = "API keys",
    params(("api_key_id" = Uuid, Path)),
    responses((status = 200, body = ApiKeyView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/api-keys/{api_key_id}/revoke")]
pub async fn revoke_api_key(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ApiKeyView>, Problem> {
    principal.require_write()?;
    principal.require_operator()?;
    let id = ApiKeyId(id.into_inner());
    let view = state.svc.revoke_api_key(id, within(&principal)).await?;
    let target = Some(Target::new("api_key", id.0));
    principal
        .audit(&state.svc, "api_key.revoked", view.tenant_id, target, None)
        .await;
    Ok(web::Json(view))
}
