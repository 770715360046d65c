//! SCIM tokens: the bearer secret an IdP calls a connection's SCIM base URL with. Shown once
//! when issued, stored hashed; revocation is refused at once on every api instance.

use super::auth::Principal;
use super::connections::ConnectionPath;
use super::optional_json::OptionalJson;
use super::problem::Problem;
use super::schema::{ReadProblems, WriteProblems};
use crate::ApiState;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use roster_domain::ids::{ConnectionId, ScimTokenId, TenantId};
use roster_domain::services::{IssuedScimToken, ScimTokenView, Target};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Longest validity a token may be issued with.
const MAX_DAYS: u32 = 3650;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueScimToken {
    /// Valid for this many days (1 to 3650). Give this or `expires_at`, or neither: the
    /// token then never expires.
    expires_in_days: Option<u32>,
    /// Valid until this time (in the future).
    expires_at: Option<DateTime<Utc>>,
}

fn within(principal: &Principal) -> Option<TenantId> {
    principal.tenant_scope().restriction()
}

fn validity(body: &IssueScimToken) -> Result<Option<chrono::Duration>, Problem> {
    match (body.expires_in_days, body.expires_at) {
        (Some(_), Some(_)) => Err(Problem::validation(
            "give expires_in_days or expires_at, not both",
        )),
        (Some(days), None) if (1..=MAX_DAYS).contains(&days) => {
            Ok(Some(chrono::Duration::days(i64::from(days))))
        }
        (Some(_), None) => Err(Problem::validation(format!(
            "expires_in_days must be between 1 and {MAX_DAYS}"
        ))),
        (None, Some(at)) if at > Utc::now() => Ok(Some(at - Utc::now())),
        (None, Some(_)) => Err(Problem::validation("expires_at must be in the future")),
        (None, None) => Ok(None),
    }
}

/// Issue a SCIM token for a connection.
///
/// The `token` is in this response only; store it in the IdP right away. A connection may
/// have several tokens (rotate by issuing a new one, then revoking the old).
#[utoipa::path(
    tag = "SCIM tokens",
    params(("connection_id" = Uuid, Path)),
    request_body(content = Option<IssueScimToken>),
    responses((status = 201, body = IssuedScimToken), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/connections/{connection_id}/scim-tokens")]
pub async fn issue_scim_token(
    principal: Principal,
    state: web::Data<ApiState>,
    id: ConnectionPath,
    body: OptionalJson<IssueScimToken>,
) -> Result<HttpResponse, Problem> {
    principal.require_write()?;
    let body = body.into_inner().unwrap_or_default();
    let valid_for = validity(&body)?;
    let id = ConnectionId(id.into_inner());
    let connection = state.svc.get_connection_in(id, within(&principal)).await?;
    let issued = state.svc.issue_scim_token(id, valid_for).await?;
    let target = Some(Target::new("scim_token", issued.id.0));
    let details = serde_json::json!({"connection_id": id, "prefix": issued.prefix});
    principal
        .audit(
            &state.svc,
            "scim_token.issued",
            Some(connection.tenant_id),
            target,
            Some(details),
        )
        .await;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(issued))
}

/// List a connection's SCIM tokens (never their secrets), revoked ones included.
#[utoipa::path(
    tag = "SCIM tokens",
    params(("connection_id" = Uuid, Path)),
    responses((status = 200, body = Vec<ScimTokenView>), ReadProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[get("/connections/{connection_id}/scim-tokens")]
pub async fn list_scim_tokens(
    principal: Principal,
    state: web::Data<ApiState>,
    id: ConnectionPath,
) -> Result<web::Json<Vec<ScimTokenView>>, Problem> {
    let id = ConnectionId(id.into_inner());
    Ok(web::Json(
        state.svc.list_scim_tokens(id, within(&principal)).await?,
    ))
}

/// Revoke a SCIM token.
///
/// From the moment this returns, every api instance refuses the token. Revoking a revoked
/// token changes nothing.
#[utoipa::path(
    tag = "SCIM tokens",
    params(("token_id" = Uuid, Path)),
    responses((status = 200, body = ScimTokenView), WriteProblems),
    security(("api_key" = []), ("session" = [])),
)]
#[post("/scim-tokens/{token_id}/revoke")]
pub async fn revoke_scim_token(
    principal: Principal,
    state: web::Data<ApiState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<ScimTokenView>, Problem> {
    principal.require_write()?;
    let id = ScimTokenId(id.into_inner());
    let view = state.svc.revoke_scim_token(id, within(&principal)).await?;
    let connection = state.svc.get_connection(view.connection_id).await?;
    let target = Some(Target::new("scim_token", id.0));
    let details = serde_json::json!({"connection_id": view.connection_id, "prefix": view.prefix});
    principal
        .audit(
            &state.svc,
            "scim_token.revoked",
            Some(connection.tenant_id),
            target,
            Some(details),
        )
        .await;
    Ok(web::Json(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_is_one_of_days_or_time() {
        let body = |days, at| IssueScimToken {
            expires_in_days: days,
            expires_at: at,
        };
        assert_eq!(validity(&body(None, None)).unwrap(), None);
        assert_eq!(
            validity(&body(Some(30), None)).unwrap(),
            Some(chrono::Duration::days(30))
        );
        let later = Utc::now() + chrono::Duration::hours(2);
        let d = validity(&body(None, Some(later))).unwrap().unwrap();
        assert!(d > chrono::Duration::minutes(119) && d <= chrono::Duration::hours(2));
        for bad in [
            body(Some(0), None),
            body(Some(MAX_DAYS + 1), None),
            body(None, Some(Utc::now() - chrono::Duration::seconds(1))),
            body(Some(1), Some(later)),
        ] {
            assert_eq!(validity(&bad).unwrap_err().kind.status(), 400);
        }
    }
}
