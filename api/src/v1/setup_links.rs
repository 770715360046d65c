//! Setup links: the app creates one for a tenant and sends it to the customer's IT admin;
//! opening it in the admin UI redeems it for a tenant-admin session.

use super::auth::{Principal, anonymous};
use super::optional_json::OptionalJson;
use super::problem::Problem;
use super::schema::{ReadProblems, SessionProblems, WriteProblems};
use super::tenants::TenantPath;
use crate::ApiState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use roster_domain::ids::TenantId;
use roster_domain::services::{
    IssuedSetupLink, NewSetupLink, SessionTokens, SetupLinkView, Target,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSetupLink {
    /// Hours until the link expires, 1 to 720 (default 72).
    expires_in_hours: Option<u32>,
    /// Works once (default), or until it expires.
    single_use: Option<bool>,
    /// Where to send the IT admin when setup is done (http or https).
    return_url: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemSetupLink {
    /// The last segment of the link's URL (`sl_…`).
    token: String,
}

/// A redeemed link: the session it opened, and where to go when done.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedeemedSetupLink {
    #[serde(flatten)]
    tokens: SessionTokens,
    return_url: Option<String>,
}

/// Create a setup link for a tenant.
#[utoipa::path(
    tag = "Setup links",
    params(("tenant_id" = Uuid, Path)),
    request_body(content = Option<CreateSetupLink>),
    responses((status = 201, body = IssuedSetupLink), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/tenants/{tenant_id}/setup-links")]
pub async fn create_setup_link(
    principal: Principal,
    state: web::Data<ApiState>,
    tenant: TenantPath,
    body: OptionalJson<CreateSetupLink>,
) -> Result<HttpResponse, Problem> {
    principal.require_write()?;
    principal.require_operator()?;
    let tenant = TenantId(tenant.into_inner());
    let body = body.into_inner();
    let new = NewSetupLink {
        expires_in_hours: body.as_ref().and_then(|b| b.expires_in_hours).unwrap_or(72),
        single_use: body.as_ref().and_then(|b| b.single_use).unwrap_or(true),
        return_url: body.and_then(|b| b.return_url),
    };
    let issued = state
        .svc
        .create_setup_link(tenant, principal.tenant_scope(), new)
        .await?;
    let target = Some(Target::new("setup_link", issued.link.id));
    principal
        .audit(&state.svc, "setup_link.created", Some(tenant), target, None)
        .await;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(issued))
}

/// List a tenant's setup links, newest first (never their URLs).
#[utoipa::path(
    tag = "Setup links",
    params(("tenant_id" = Uuid, Path)),
    responses((status = 200, body = Vec<SetupLinkView>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/tenants/{tenant_id}/setup-links")]
pub async fn list_setup_links(
    principal: Principal,
    state: web::Data<ApiState>,
    tenant: TenantPath,
) -> Result<web::Json<Vec<SetupLinkView>>, Problem> {
    principal.require_operator()?;
    let tenant = TenantId(tenant.into_inner());
    Ok(web::Json(
        state
            .svc
            .list_setup_links(tenant, principal.tenant_scope())
            .await?,
    ))
}

/// Revoke a setup link: it can no longer be redeemed.
#[utoipa::path(
    tag = "Setup links",
    params(("setup_link_id" = Uuid, Path)),
    responses((status = 200, body = SetupLinkView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/setup-links/{setup_link_id}/revoke")]
pub async fn revoke_setup_link(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<SetupLinkView>, Problem> {
    principal.require_write()?;
    principal.require_operator()?;
    let view = state
        .svc
        .revoke_setup_link(id.into_inner(), principal.tenant_scope())
        .await?;
    let target = Some(Target::new("setup_link", view.id));
    principal
        .audit(
            &state.svc,
            "setup_link.revoked",
            Some(view.tenant_id),
            target,
            None,
        )
        .await;
    Ok(web::Json(view))
}

/// Redeem a setup link for an IT-admin session scoped to its tenant.
///
/// A single-use link works once (of two concurrent redemptions, one wins); an expired,
/// revoked or used link is a 401.
#[utoipa::path(
    tag = "Setup links",
    request_body = RedeemSetupLink,
    responses((status = 200, body = RedeemedSetupLink), SessionProblems),
    security(()),
)]
#[post("/setup-links/redeem")]
pub async fn redeem_setup_link(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: web::Json<RedeemSetupLink>,
) -> Result<HttpResponse, Problem> {
    let mut actor = anonymous(&req, "setup link");
    let (link, tokens) = state.svc.redeem_setup_link(&body.token).await?;
    actor.kind = "session";
    actor.id = Some(tokens.session.session_id);
    let target = Some(Target::new("setup_link", link.id));
    state
        .svc
        .audit(
            &actor,
            "setup_link.used",
            Some(link.tenant_id),
            target,
            None,
        )
        .await;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(RedeemedSetupLink {
            tokens,
            return_url: link.return_url,
        }))
}
