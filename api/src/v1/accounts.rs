//! Accounts: operators (every tenant) and tenant admins (one tenant), email + password.
//! Managed by operators; a tenant-restricted credential sees its tenant's admins only.

use super::auth::Principal;
use super::problem::Problem;
use super::schema::{ReadProblems, WriteProblems};
use crate::ApiState;
use actix_web::{HttpResponse, delete, get, post, web};
use roster_domain::ids::{AccountId, TenantId};
use roster_domain::services::{AccountView, NewAccount, Target};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    #[schema(example = "it-admin@customer.example")]
    email: String,
    /// At least 12 characters; stored as an argon2id hash.
    password: String,
    /// `operator` (no tenant) or `tenant_admin` (with `tenant_id`).
    #[schema(example = "tenant_admin")]
    role: String,
    tenant_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// At least 12 characters. The account's other sessions end.
    password: String,
}

type AccountPath = web::Path<Uuid>;

/// Create an account.
#[utoipa::path(
    tag = "Accounts",
    request_body = CreateAccount,
    responses((status = 201, body = AccountView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/accounts")]
pub async fn create_account(
    principal: Principal,
    state: web::Data<ApiState>,
    body: web::Json<CreateAccount>,
) -> Result<HttpResponse, Problem> {
    principal.require_write()?;
    principal.require_operator()?;
    let body = body.into_inner();
    let tenant = body.tenant_id.map(TenantId);
    match tenant {
        Some(t) => principal.ensure_visible(t, "tenant")?,
        None => principal.require_unrestricted()?,
    }
    let view = state
        .svc
        .create_account(NewAccount {
            email: body.email,
            password: body.password,
            role: body.role,
            tenant_id: tenant,
        })
        .await?;
    let target = Some(Target::new("account", view.id.0));
    principal
        .audit(&state.svc, "account.created", view.tenant_id, target, None)
        .await;
    Ok(HttpResponse::Created().json(view))
}

/// List accounts.
#[utoipa::path(
    tag = "Accounts",
    responses((status = 200, body = Vec<AccountView>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/accounts")]
pub async fn list_accounts(
    principal: Principal,
    state: web::Data<ApiState>,
) -> Result<web::Json<Vec<AccountView>>, Problem> {
    principal.require_operator()?;
    Ok(web::Json(
        state.svc.list_accounts(principal.tenant_scope()).await?,
    ))
}

/// Get an account.
#[utoipa::path(
    tag = "Accounts",
    params(("account_id" = Uuid, Path)),
    responses((status = 200, body = AccountView), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/accounts/{account_id}")]
pub async fn get_account(
    principal: Principal,
    state: web::Data<ApiState>,
    id: AccountPath,
) -> Result<web::Json<AccountView>, Problem> {
    principal.require_operator()?;
    let id = AccountId(id.into_inner());
    Ok(web::Json(
        state.svc.get_account(id, principal.tenant_scope()).await?,
    ))
}

/// Delete an account; its sessions end at once.
#[utoipa::path(
    tag = "Accounts",
    params(("account_id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[delete("/accounts/{account_id}")]
pub async fn delete_account(
    principal: Principal,
    state: web::Data<ApiState>,
    id: AccountPath,
) -> Result<HttpResponse, Problem> {
    principal.require_write()?;
    principal.require_operator()?;
    let id = AccountId(id.into_inner());
    let scope = principal.tenant_scope();
    let account = state.svc.get_account(id, scope).await?;
    state.svc.delete_account(id, scope).await?;
    let target = Some(Target::new("account", id.0));
    principal
        .audit(
            &state.svc,
            "account.deleted",
            account.tenant_id,
            target,
            None,
        )
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// Set an account's password; its other sessions end at once.
///
/// Operators set anyone's; anyone with a session may set their own.
#[utoipa::path(
    tag = "Accounts",
    params(("account_id" = Uuid, Path)),
    request_body = SetPassword,
    responses((status = 200, body = AccountView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/accounts/{account_id}/password")]
pub async fn set_password(
    principal: Principal,
    state: web::Data<ApiState>,
    id: AccountPath,
    body: web::Json<SetPassword>,
) -> Result<web::Json<AccountView>, Problem> {
    principal.require_write()?;
    let id = AccountId(id.into_inner());
    let own = principal.session().filter(|s| s.account_id == Some(id));
    if own.is_none() {
        principal.require_operator()?;
    }
    let keep = own.map(|s| s.session_id);
    let view = state
        .svc
        .set_password(
            id,
            principal.tenant_scope(),
            body.into_inner().password,
            keep,
        )
        .await?;
    let target = Some(Target::new("account", id.0));
    principal
        .audit(
            &state.svc,
            "account.password_changed",
            view.tenant_id,
            target,
            None,
        )
        .await;
    Ok(web::Json(view))
}
