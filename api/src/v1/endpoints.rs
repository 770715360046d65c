//! Webhook endpoints: subscribe, change, enable/disable, secrets and their rotation, test
//! events. A tenant-restricted key sees and manages only endpoints of its tenant (and creates
//! endpoints for it); another tenant's endpoint is a 404.

use super::auth::Principal;
use super::nullable::nullable;
use super::optional_json::OptionalJson;
use super::problem::Problem;
use super::schema::{ReadProblems, WriteProblems};
use crate::ApiState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use roster_domain::ids::{EndpointId, TenantId};
use roster_domain::services::{
    EndpointSecrets, EndpointUpdate, EndpointView, NewEndpoint, Target, TestEventResult,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpoint {
    /// Where deliveries are POSTed (http or https; private addresses are refused).
    #[schema(example = "https://app.example.com/webhooks/roster")]
    url: String,
    #[serde(default)]
    description: String,
    /// Event types or patterns (`user.created`, `user.*`, `*`); default: every event.
    #[serde(default)]
    event_types: Option<Vec<String>>,
    /// Only this tenant's events. A tenant-restricted key always gets its own tenant.
    tenant_id: Option<Uuid>,
    /// Deliver each connection's events strictly in `sequence` order.
    #[serde(default)]
    ordered: bool,
    /// Concurrent requests per worker (default: the deployment's setting).
    max_concurrency: Option<u32>,
    /// Requests per second across all workers (default: unlimited).
    rate_limit_per_sec: Option<u32>,
}

/// The endpoint with its signing secret (shown here and by `GET …/secret`).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedEndpoint {
    #[serde(flatten)]
    endpoint: EndpointView,
    /// `whsec_…`: verify deliveries with it (any Standard Webhooks library).
    secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpoint {
    url: Option<String>,
    description: Option<String>,
    event_types: Option<Vec<String>>,
    ordered: Option<bool>,
    /// A number, or `null` for the deployment's default.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    max_concurrency: Option<Option<u32>>,
    /// A number, or `null` for unlimited.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    rate_limit_per_sec: Option<Option<u32>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableEndpoint {
    /// Shown with the endpoint (default: "disabled by an operator").
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// Hours the previous secrets keep signing (default: the deployment's setting; 0: none).
    overlap_hours: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSecret {
    /// The new `whsec_…` secret, signing from now on.
    secret: String,
}

type Id = web::Path<Uuid>;

async fn audit_endpoint(
    principal: &Principal,
    state: &ApiState,
    action: &str,
    view: &EndpointView,
) {
    let target = Some(Target::new("endpoint", view.id.0));
    principal
        .audit(&state.svc, action, view.tenant_id, target, None)
        .await;
}

/// The tenant a tenant-restricted key is confined to.
fn within(principal: &Principal) -> Option<TenantId> {
    principal.tenant_scope().restriction()
}

/// Subscribe a webhook endpoint.
#[utoipa::path(
    tag = "Webhook endpoints",
    request_body = CreateEndpoint,
    responses((status = 201, body = CreatedEndpoint, description = "The endpoint and its secret"), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/endpoints")]
pub async fn create_endpoint(
    principal: Principal,
    state: web::Data<ApiState>,
    body: web::Json<CreateEndpoint>,
) -> Result<HttpResponse, Problem> {
    principal.require_operator()?;
    principal.require_write()?;
    let body = body.into_inner();
    let tenant = match (within(&principal), body.tenant_id.map(TenantId)) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(Problem::not_found("tenant not found"));
        }
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    let (endpoint, secret) = state
        .svc
        .create_endpoint(NewEndpoint {
            url: body.url,
            description: body.description,
            event_types: body.event_types.unwrap_or_else(|| vec!["*".into()]),
            tenant_id: tenant,
            ordered: body.ordered,
            max_concurrency: body.max_concurrency,
            rate_limit_per_sec: body.rate_limit_per_sec,
        })
        .await?;
    let target = Some(Target::new("endpoint", endpoint.id.0));
    principal
        .audit(
            &state.svc,
            "endpoint.created",
            endpoint.tenant_id,
            target,
            None,
        )
        .await;
    Ok(HttpResponse::Created().json(CreatedEndpoint { endpoint, secret }))
}

/// List webhook endpoints.
#[utoipa::path(
    tag = "Webhook endpoints",
    responses((status = 200, body = Vec<EndpointView>, description = "Every endpoint the key may see"), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/endpoints")]
pub async fn list_endpoints(
    principal: Principal,
    state: web::Data<ApiState>,
) -> Result<web::Json<Vec<EndpointView>>, Problem> {
    principal.require_operator()?;
    Ok(web::Json(
        state.svc.list_endpoints(within(&principal)).await?,
    ))
}

/// Get one webhook endpoint.
#[utoipa::path(
    tag = "Webhook endpoints",
    params(("endpoint_id" = Uuid, Path)),
    responses((status = 200, body = EndpointView), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/endpoints/{endpoint_id}")]
pub async fn get_endpoint(
    principal: Principal,
    state: web::Data<ApiState>,
    id: Id,
) -> Result<web::Json<EndpointView>, Problem> {
    principal.require_operator()?;
    let id = EndpointId(id.into_inner());
    Ok(web::Json(
        state.svc.get_endpoint(id, within(&principal)).await?,
    ))
}

/// Change a webhook endpoint (absent fields are kept).
#[utoipa::path(
    tag = "Webhook endpoints",
    params(("endpoint_id" = Uuid, Path)),
    request_body = UpdateEndpoint,
    responses((status = 200, body = EndpointView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[patch("/endpoints/{endpoint_id}")]
pub async fn update_endpoint(
    principal: Principal,
    state: web::Data<ApiState>,
    id: Id,
    body: web::Json<UpdateEndpoint>,
) -> Result<web::Json<EndpointView>, Problem> {
    principal.require_operator()?;
    principal.require_write()?;
    let body = body.into_inner();
    let update = EndpointUpdate {
        url: body.url,
        description: body.description,
        event_types: body.event_types,
        ordered: body.ordered,
        max_concurrency: body.max_concurrency,
        rate_limit_per_sec: body.rate_limit_per_sec,
    };
    let id = EndpointId(id.into_inner());
    let view = state
        .svc
        .update_endpoint(id, within(&principal), update)
        .await?;
    audit_endpoint(&principal, &state, "endpoint.updated", &view).await;
    Ok(web::Json(view))
}

/// Delete a webhook endpoint with its deliveries.
#[utoipa::path(
    tag = "Webhook endpoints",
    params(("endpoint_id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[delete("/endpoints/{endpoint_id}")]
pub async fn delete_endpoint(
    principal: Principal,
    state: web::Data<ApiState>,
    id: Id,
) -> Result<HttpResponse, Problem> {
    principal.require_operator()?;
    principal.require_write()?;
    let id = EndpointId(id.into_inner());
    let view = state.svc.get_endpoint(id, within(&principal)).await?;
    state.svc.delete_endpoint(id, within(&principal)).await?;
    audit_endpoint(&principal, &state, "endpoint.deleted", &view).await;
    Ok(HttpResponse::NoContent().finish())
}

/// Enable an endpoint again (after a 410, continuous failures or a disable).
///
/// Its failure clock restarts; failed deliveries stay failed until recovered.
#[utoipa::path(
    tag = "Webhook endpoints",
    params(("endpoint_id" = Uuid, Path)),
    responses((status = 200, body = EndpointView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/endpoints/{endpoint_id}/enable")]
pub async fn enable_endpoint(
    principal: Principal,
    state: web::Data<ApiState>,
    id: Id,
) -> Result<web::Json<EndpointView>, Problem> {
    principal.require_operator()?;
    principal.require_write()?;
    let id = EndpointId(id.into_inner());
    let view = state.svc.enable_endpoint(id, within(&principal)).await?;
    audit_endpoint(&principal, &state, "endpoint.enabled", &view).await;
    Ok(web::Json(view))
}

/// Stop delivering to an endpoint.
#[utoipa::path(
    tag = "Webhook endpoints",
    params(("endpoint_id" = Uuid, Path)),
    request_body(content = Option<DisableEndpoint>),
    responses((status = 200, body = EndpointView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/endpoints/{endpoint_id}/disable")]
pub async fn disable_endpoint(
    principal: Principal,
    state: web::Data<ApiState>,
    id: Id,
    body: OptionalJson<DisableEndpoint>,
) -> Result<web::Json<EndpointView>, Problem> {
    principal.require_operator()?;
    principal.require_write()?;
    let reason = body
        .into_inner()
        .and_then(|b| b.reason)
        .unwrap_or_else(|| "disabled by an operator".into());
    let id = EndpointId(id.into_inner());
    let view = state
        .svc
        .disable_endpoint(id, within(&principal), &reason)
        .await?;
    audit_endpoint(&principal, &state, "endpoint.disabled", &view).await;
    Ok(web::Json(view))
}

/// The endpoint's signing secrets: the current one and any previous one still signing.
#[utoipa::path(
    tag = "Webhook endpoints",
    params(("endpoint_id" = Uuid, Path)),
    responses((status = 200, body = EndpointSecrets), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/endpoints/{endpoint_id}/secret")]
pub async fn get_secret(
    principal: Principal,
    state: web::Data<ApiState>,
    id: Id,
) -> Result<web::Json<EndpointSecrets>, Problem> {
    principal.require_operator()?;
    // A secret lets its holder forge deliveries: full-scope keys only.
    principal.require_write()?;
    let id = EndpointId(id.into_inner());
    Ok(web::Json(
        state.svc.endpoint_secrets(id, within(&principal)).await?,
    ))
}

/// Rotate the signing secret.
///
/// The new secret signs at once; previous ones keep signing for the overlap, so receivers can
/// switch at any moment within it (every valid secret signs, space-separated).
#[utoipa::path(
    tag = "Webhook endpoints",
    params(("endpoint_id" = Uuid, Path)),
    request_body(content = Option<RotateSecret>),
    responses((status = 200, body = RotatedSecret), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/endpoints/{endpoint_id}/secret/rotate")]
pub async fn rotate_secret(
    principal: Principal,
    state: web::Data<ApiState>,
    id: Id,
    body: OptionalJson<RotateSecret>,
) -> Result<web::Json<RotatedSecret>, Problem> {
    principal.require_operator()?;
    principal.require_write()?;
    let overlap = body.into_inner().and_then(|b| b.overlap_hours);
    let id = EndpointId(id.into_inner());
    let secret = state
        .svc
        .rotate_endpoint_secret(id, within(&principal), overlap)
        .await?;
    let view = state.svc.get_endpoint(id, within(&principal)).await?;
    audit_endpoint(&principal, &state, "endpoint.secret_rotated", &view).await;
    Ok(web::Json(RotatedSecret { secret }))
}

/// Send a sample `webhook.test` event now, signed like every delivery, and report the outcome.
#[utoipa::path(
    tag = "Webhook endpoints",
    params(("endpoint_id" = Uuid, Path)),
    responses((status = 200, body = TestEventResult), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/endpoints/{endpoint_id}/test")]
pub async fn send_test_event(
    principal: Principal,
    state: web::Data<ApiState>,
    id: Id,
) -> Result<web::Json<TestEventResult>, Problem> {
    principal.require_operator()?;
    principal.require_write()?;
    let id = EndpointId(id.into_inner());
    Ok(web::Json(
        state.svc.send_test_event(id, within(&principal)).await?,
    ))
}
