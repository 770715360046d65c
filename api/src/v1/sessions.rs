//! Sessions: log in with email + password, refresh, log out, who am I. See docs/adr/0006.

use super::auth::{Principal, anonymous};
use super::problem::Problem;
use super::schema::{ReadProblems, SessionProblems};
use crate::ApiState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use roster_domain::services::{SessionAuth, SessionTokens, Target};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[schema(example = "ops@app.example.com")]
    email: String,
    password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    /// The `refresh_token` of the last login or refresh (each works once).
    refresh_token: String,
}

fn tokens_response(tokens: SessionTokens) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(tokens)
}

/// Log in with an operator or tenant-admin account.
///
/// Failed attempts are counted per account and per client address; past the limit
/// (`auth.login_failures_per_*`), attempts get 429 with `Retry-After` until the window ends.
#[utoipa::path(
    tag = "Sessions",
    request_body = Login,
    responses((status = 200, body = SessionTokens), SessionProblems),
    security(()),
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<ApiState>,
    body: web::Json<Login>,
) -> Result<HttpResponse, Problem> {
    let actor = anonymous(&req, &body.email.trim().to_lowercase());
    let ip = actor.ip.clone().unwrap_or_default();
    match state.svc.login(&body.email, &body.password, &ip).await {
        Ok(tokens) => {
            let mut actor = actor;
            actor.kind = "session";
            actor.id = tokens.session.account_id.map(|a| a.0);
            let target = tokens
                .session
                .account_id
                .map(|a| Target::new("account", a.0));
            let tenant = tokens.session.tenant_id;
            state
                .svc
                .audit(&actor, "auth.login", tenant, target, None)
                .await;
            Ok(tokens_response(tokens))
        }
        Err(err) => {
            let problem = Problem::from(err);
            let details = json!({"status": problem.kind.status().as_u16()});
            state
                .svc
                .audit(&actor, "auth.login_failed", None, None, Some(details))
                .await;
            Err(problem)
        }
    }
}

/// Exchange a refresh token for new tokens.
///
/// The refresh token rotates: the one sent stops working. Presenting a superseded one again
/// revokes the session (it was copied).
#[utoipa::path(
    tag = "Sessions",
    request_body = Refresh,
    responses((status = 200, body = SessionTokens), SessionProblems),
    security(()),
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<ApiState>,
    body: web::Json<Refresh>,
) -> Result<HttpResponse, Problem> {
    let tokens = state.svc.refresh_session(&body.refresh_token).await?;
    Ok(tokens_response(tokens))
}

/// End this session: its access and refresh tokens stop working at once, everywhere.
#[utoipa::path(
    tag = "Sessions",
    responses((status = 204, description = "Logged out"), ReadProblems),
    security(("session" = [])),
)]
#[post("/auth/logout")]
pub async fn logout(
    principal: Principal,
    state: web::Data<ApiState>,
) -> Result<HttpResponse, Problem> {
    let session = principal
        .session()
        .ok_or_else(|| Problem::validation("logout ends a session; this is an API key"))?;
    state.svc.revoke_sessions(&[session.session_id]).await?;
    principal
        .audit(&state.svc, "auth.logout", session.tenant_id, None, None)
        .await;
    Ok(HttpResponse::NoContent().finish())
}

/// The current session.
#[utoipa::path(
    tag = "Sessions",
    responses((status = 200, body = SessionAuth), ReadProblems),
    security(("session" = [])),
)]
#[get("/auth/me")]
pub async fn me(principal: Principal) -> Result<web::Json<SessionAuth>, Problem> {
    principal
        .session()
        .cloned()
        .map(web::Json)
        .ok_or_else(|| Problem::validation("this is an API key, not a session"))
}
